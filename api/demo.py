"""A demo company, so a newcomer sees a living system at once: an office tower and a
residential estate with areas, posts, teams, staff of every job and one account per role, and
beside them a generated site with two months of history for HR and the supervisor to read."""

import secrets
from datetime import UTC, time, timedelta

from api.security import hash_password
from models import utcnow, write_transaction
from models.demo.generator import generate_company
from models.records.greeting_records import generate_rota, settings_for
from models.records.patrol_records import ensure_site_rounds
from models.tables.accounts import User, UserSite
from models.tables.org import Area, Post, Site, Staff, StaffArea, Team
from models.tables.patrols import Checkpoint, Route, RouteStop, Schedule

SITES = [
    {
        "name": "华润中心写字楼",
        "code": "HRZX",
        "site_type": "office",
        "timezone": "Asia/Shanghai",
        "workday_start": time(9, 0),
        "service_grade": 1,
        "address": "深圳市南山区科技园",
        "areas": [
            ("一楼大堂", "lobby"),
            ("客梯厅", "lift"),
            ("B1停车库", "garage"),
            ("B2停车库", "garage"),
            ("消防楼梯", "stairwell"),
            ("公共洗手间", "restroom"),
            ("裙房商业", "retail"),
            ("外围广场", "exterior"),
            ("垃圾房", "waste_point"),
        ],
        "posts": [
            ("大堂岗", "lobby", "一楼大堂", True),
            ("车库道口岗", "gate", "B1停车库", True),
            ("服务中心", "service_desk", "一楼大堂", False),
        ],
        "teams": ["护卫一班", "护卫二班", "保洁班", "客服组", "管理处"],
    },
    {
        "name": "翠湖花园",
        "code": "CHHY",
        "site_type": "residential",
        "timezone": "Asia/Shanghai",
        "evening_peak_start": time(18, 0),
        "evening_peak_end": time(18, 30),
        "service_grade": 2,
        "address": "深圳市福田区",
        "areas": [
            ("东门", "gate"),
            ("中心花园", "garden"),
            ("地下车库", "garage"),
            ("1栋大堂", "lobby"),
            ("1栋电梯", "lift"),
            ("1栋楼梯间", "stairwell"),
            ("垃圾收集点", "waste_point"),
        ],
        "posts": [
            ("东门岗", "gate", "东门", True),
            ("巡逻岗", "patrol", None, False),
            ("客服中心", "service_desk", "1栋大堂", False),
        ],
        "teams": ["护卫班", "保洁绿化班", "客服组", "管理处"],
    },
]

# (employee suffix, name, gender, job, team index, area names)
PEOPLE = [
    ("001", "张伟", "male", "guard", 0, []),
    ("002", "李强", "male", "guard", 0, []),
    ("003", "王芳", "female", "cleaner", 2, ["lobby", "lift", "restroom"]),
    ("004", "刘洋", "male", "gardener", 2, ["garden", "exterior"]),
    ("005", "陈静", "female", "service_desk", 3, []),
    ("006", "杨敏", "female", "manager", 4, []),
    ("007", "赵磊", "male", "manager", 4, []),
    ("008", "黄丽", "female", "supervisor", 4, []),
    ("009", "周涛", "male", "engineer", 4, []),
]

# The generated site with a history: its staff, and the demo accounts that see it.
HISTORY_STAFF = 30
HISTORY_MONTHS = 2  # last month, whole, and this month so far
HISTORY_READERS = ("hr", "supervisor")

# One account per role: (username, role, display name, staff suffix at the first site)
ACCOUNTS = [
    ("admin", "admin", "系统管理员", None),
    ("hr", "hr", "人事 孙红", None),
    ("supervisor", "supervisor", "主管 黄丽", "008"),
    ("manager", "manager", "经理 杨敏", "006"),
    ("guard", "guard", "护卫员 张伟", "001"),
    ("staff", "staff", "保洁员 王芳", "003"),
]


def load_demo() -> list[tuple[str, str, str]] | None:
    """Create the demo company; returns (username, role, password) or None if it exists."""
    if Site.select().where(Site.code == SITES[0]["code"]).exists():
        return None
    with write_transaction():
        sites = [_create_site(number, spec) for number, spec in enumerate(SITES, start=1)]
        logins = _create_accounts(sites)
        for site in sites:
            add_patrol(site)
    now = utcnow()
    for site in sites:
        ensure_site_rounds(site, now)
        settings = settings_for(site)
        settings.morning_post = Post.get((Post.site == site) & (Post.kind.in_(("lobby", "gate"))))
        settings.evening_post = settings.morning_post
        settings.save()
        local = now.replace(tzinfo=UTC).astimezone(site.zone)
        generate_rota(site, local.year * 100 + local.month, now)
    _add_history()
    return logins


def _create_site(number: int, spec: dict) -> Site:
    """One demo site with its areas, posts, teams and people (the second site's people get
    names of their own)."""
    fields = {k: v for k, v in spec.items() if k not in ("areas", "posts", "teams")}
    site = Site.create(**fields)
    areas = {
        name: Area.create(site=site, name=name, area_type=kind) for name, kind in spec["areas"]
    }
    for name, kind, area_name, key in spec["posts"]:
        Post.create(site=site, name=name, kind=kind, area=areas.get(area_name), is_key_post=key)
    teams = [Team.create(site=site, name=name) for name in spec["teams"]]
    for suffix, name, gender, job, team_index, area_types in PEOPLE:
        staff = Staff.create(
            employee_no=f"{site.code}-{suffix}",
            name=name if number == 1 else name[0] + "小" + name[1:],
            gender=gender,
            job=job,
            site=site,
            team=teams[min(team_index, len(teams) - 1)],
        )
        for area in areas.values():
            if area.area_type in area_types:
                StaffArea.create(staff=staff, area=area)
    return site


def _create_accounts(sites: list[Site]) -> list[tuple[str, str, str]]:
    """The demo logins with fresh passwords: HR and supervisors get every site, the other
    roles but the admin (who sees all) the first; returns (username, role, password)."""
    logins = []
    for username, role, display, staff_suffix in ACCOUNTS:
        password = secrets.token_urlsafe(9)
        staff = (
            Staff.get(Staff.employee_no == f"{sites[0].code}-{staff_suffix}")
            if staff_suffix
            else None
        )
        user = User.create(
            username=username,
            role=role,
            display_name=display,
            password_hash=hash_password(password),
            staff=staff,
        )
        if role != "admin":
            for site in sites if role in ("hr", "supervisor") else sites[:1]:
                UserSite.create(user=user, site=site)
        logins.append((username, role, password))
    return logins


def add_patrol(site: Site) -> None:
    """Checkpoints in every area, a night route through them every two hours, and a day round."""
    checkpoints = []
    for area in Area.select().where(Area.site == site).order_by(Area.id):
        checkpoint = Checkpoint.create(
            site=site,
            area=area,
            name=f"{area.name}巡更点",
            code=f"tmp-{area.id}",
            checklist="checkpoint-general" if area.area_type == "garage" else None,
        )
        checkpoint.code = f"{site.code}-C-{checkpoint.id:04d}"
        checkpoint.save()
        checkpoints.append(checkpoint)
    route = Route.create(site=site, name="全区巡更")
    # The demo company has been running for a while: its schedules (and so today's rounds,
    # which never start before their schedule existed) date from yesterday.
    since = utcnow() - timedelta(days=1)
    for position, checkpoint in enumerate(checkpoints):
        RouteStop.create(
            route=route, checkpoint=checkpoint, position=position, offset_minutes=3 * position
        )
    Schedule.create(
        site=site,
        route=route,
        name="夜间巡更",
        start_time=time(20, 0),
        end_time=time(6, 0),
        every_minutes=120,
        duration_minutes=60,
        start_grace_minutes=10,
        created_at=since,
    )
    Schedule.create(
        site=site,
        route=route,
        name="日间巡更",
        start_time=time(8, 0),
        end_time=time(18, 0),
        every_minutes=120,
        duration_minutes=60,
        start_grace_minutes=10,
        created_at=since,
    )


def _add_history() -> Site:
    """A third site with the last two months' history as the app would have stored it
    (models.demo.generator: scored grooming and etiquette inspections, judged patrol rounds with
    their scans, greeting shifts), so HR's monthly records and the supervisor's views show
    something on the first day. HR and the supervisor see it; the guard and the manager keep
    their own tower."""
    generate_company(sites=1, staff_per_site=HISTORY_STAFF, months=HISTORY_MONTHS)
    site = Site.select().order_by(Site.id.desc()).get()
    for user in User.select().where(User.username.in_(HISTORY_READERS)):
        UserSite.create(user=user, site=site)
    return site
