"""A realistic company of any size, for benchmarks: sites with their areas, posts, teams and
staff, a year of inspections, patrol rounds with their scans, and greeting-duty shifts.

``generate_company`` runs inside an app context on a database whose schema exists and whose
checklists are synced. Everything is computed in Python first and written with multi-row
INSERTs, one transaction per site; nothing is read back row by row. The same seed on the same
database gives the same data (ids, times, answers), except secrets: the sites' signing keys and
the accounts' password are random, so generated data never opens a door.

What is stored is what the app would have stored: scores, grades and pass/fail come from the
scoring rule (``models.rules.scoring``) on the items' results, rounds are judged as the round
rule judges their scans, shifts as the greeting rule judges their check-in and check-out. Events
that would end after the moment of generation are not made (the app makes those as time goes).
"""

import calendar
import json
import math
import random
import secrets
import time as clock
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from peewee import AutoField

from models import db, utcnow, write_transaction
from models.files.checklist_files import SCORING_FILE, ScoringSettings, parse_scoring
from models.rules.applicability import applicable_items, applies
from models.rules.greeting import judge_shift
from models.rules.greeting_windows import duty_days, window_instants, windows_for_site
from models.rules.periods import month_of
from models.rules.schedules import ScheduleRule, round_starts, to_utc
from models.rules.scoring import Answer, ItemRule, grade_for, passed, score_inspection
from models.tables.accounts import User, UserSite
from models.tables.checklists import Checklist, ChecklistVersion
from models.tables.greeting import GreetingSettings, GreetingShift
from models.tables.inspections import Inspection, InspectionItem
from models.tables.org import Area, Post, Site, Staff, StaffArea, Team
from models.tables.patrols import Checkpoint, Round, Route, RouteStop, Scan, Schedule, SiteKey

SCORING_PATH = Path(__file__).resolve().parents[2] / "checklists" / SCORING_FILE
ZONE = "Asia/Shanghai"
SITE_TYPES = ("office", "residential", "mixed")  # by turns
SITE_CODE = "G{:04d}"

# The job mix of a property site, and the fewest of each a site needs: two managers for the
# greeting rota, a supervisor to inspect, a guard to patrol, a cleaner for the areas.
JOB_SHARES = {
    "guard": 0.40,
    "cleaner": 0.25,
    "gardener": 0.10,
    "service_desk": 0.10,
    "manager": 0.08,
    "supervisor": 0.07,
}
MIN_PER_JOB = {"guard": 1, "cleaner": 1, "manager": 2, "supervisor": 1}
MIN_STAFF_PER_SITE = sum(MIN_PER_JOB.values())
FEMALE_SHARE = {
    "guard": 0.1,
    "cleaner": 0.7,
    "gardener": 0.25,
    "service_desk": 0.85,
    "manager": 0.5,
    "supervisor": 0.4,
}

# Inspections per month: one grooming and one etiquette per staff member, two per area.
STAFF_INSPECTIONS = ("grooming", "etiquette")
AREA_INSPECTIONS_PER_MONTH = 2
AREA_KINDS = ("cleaning", "greening")  # pest control only where neither applies
NA_SHARE = 0.03
# (share of people or areas, chance that one item fails): most are good, a few are weak.
QUALITY = ((0.70, 0.02), (0.22, 0.06), (0.08, 0.15))
CRITICAL_FAIL_FACTOR = 0.1  # red-line items fail far more rarely than ordinary ones

# Patrols: one route of CHECKPOINTS stops, a round every ROUND_EVERY minutes all day.
CHECKPOINTS = 10
ROUND_EVERY = 120
ROUND_MINUTES = 60
ROUND_GRACE = 10
STOP_SECONDS = (130, 240)  # walk between stops; > 120 s, so no round looks like a burst upload
MISSED_SHARE = 0.025
INCOMPLETE_SHARE = 0.06
LATE_SHARE = 0.05
OUT_OF_ORDER_SHARE = 0.02
OFFLINE_SHARE = 0.05  # a round walked without signal, uploaded after it ended
NO_GPS_TYPES = {"garage", "plant_room", "stairwell"}

# Greeting shifts: outcome shares; the status itself is judged by the rule from the times.
SHIFT_OUTCOMES = (
    ("on_time", 0.88),
    ("late", 0.05),
    ("left_early", 0.02),
    ("overstayed", 0.01),
    ("missing_check_out", 0.015),
    ("no_show", 0.025),
)
GREETING_GRACE, LEAVE_GRACE, OVERSTAY = 2, 2, 15

# Bound parameters per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
MAX_PARAMS = 30_000

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴"
)
GIVEN = {
    "male": "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宁健亮俊峰建国志成浩宇东林海文",
    "female": "芳娜敏静丽艳娟霞燕玲婷雪慧颖琳洁佳梅兰英红倩月萍晶欣怡秀玉珍",
}
PLACES = (
    "华润", "星河", "翠湖", "金地", "万科", "龙华", "海岸", "碧桂", "保利", "招商",
    "中海", "绿景", "卓越", "天安", "宝能", "京基", "深业", "富力", "世纪", "阳光",
)  # fmt: skip
SITE_SUFFIXES = {
    "office": ("中心写字楼", "大厦", "商务中心"),
    "residential": ("花园", "家园", "雅苑"),
    "mixed": ("广场", "城", "综合体"),
}
DISTRICTS = ("深圳市南山区", "深圳市福田区", "深圳市罗湖区", "深圳市宝安区", "深圳市龙岗区")
AREA_NAMES = {
    "lobby": ("一楼大堂", "A座大堂", "1栋大堂"),
    "lift": ("客梯厅", "1栋电梯", "货梯厅"),
    "stairwell": ("消防楼梯", "1栋楼梯间"),
    "corridor": ("标准层走廊", "二楼连廊"),
    "restroom": ("公共洗手间", "二楼洗手间"),
    "garage": ("B1停车库", "地下车库", "B2停车库"),
    "garden": ("中心花园", "南区绿地"),
    "gate": ("东门", "南门", "北门"),
    "retail": ("裙房商业", "临街商铺"),
    "exterior": ("外围广场", "室外道路"),
    "waste_point": ("垃圾房", "垃圾收集点"),
    "plant_room": ("水泵房", "配电房"),
    "roof": ("天台", "屋面"),
}
# Per site type: the areas every such site has, and those it may have besides.
AREA_POOLS = {
    "office": (
        ("lobby", "restroom", "garage", "exterior"),
        ("lift", "stairwell", "corridor", "retail", "waste_point", "plant_room", "roof"),
    ),
    "residential": (
        ("gate", "garden", "lobby", "waste_point"),
        ("lift", "stairwell", "garage", "exterior", "plant_room", "roof", "corridor"),
    ),
    "mixed": (
        ("lobby", "garden", "retail", "garage"),
        ("gate", "lift", "restroom", "stairwell", "exterior", "waste_point", "plant_room"),
    ),
}
# Teams by how many a site has, and each job's team(s): a list alternates its members.
TEAMS = {
    3: ("护卫班", "保洁绿化班", "管理处"),
    4: ("护卫一班", "护卫二班", "保洁绿化班", "管理处"),
    5: ("护卫一班", "护卫二班", "保洁绿化班", "客服组", "管理处"),
}
TEAM_OF_JOB = {
    3: {"guard": (0,), "cleaner": (1,), "gardener": (1,), "service_desk": (2,)},
    4: {"guard": (0, 1), "cleaner": (2,), "gardener": (2,), "service_desk": (3,)},
    5: {"guard": (0, 1), "cleaner": (2,), "gardener": (2,), "service_desk": (3,)},
}


def generate_company(
    *,
    sites: int,
    staff_per_site: int,
    months: int,
    seed: int = 1,
    end_month: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Make ``sites`` sites of ``staff_per_site`` staff with ``months`` months of history
    ending with ``end_month`` (YYYYMM, default the current month); returns the rows made per
    table. Site codes continue after the highest existing G-code (G0001, G0002, ...)."""
    if sites < 1 or months < 1:
        raise ValueError("sites and months must be at least 1")
    if staff_per_site < MIN_STAFF_PER_SITE:
        raise ValueError(f"a site needs at least {MIN_STAFF_PER_SITE} staff ({MIN_PER_JOB})")
    now = utcnow()
    if end_month is None:
        local_now = now.replace(tzinfo=UTC).astimezone(ZoneInfo(ZONE))
        end_month = local_now.year * 100 + local_now.month
    if not 1 <= end_month % 100 <= 12 or end_month < 190001:
        raise ValueError(f"end_month must be YYYYMM, not {end_month}")
    company = _Company(
        now, _month_list(end_month, months), seed, staff_per_site, progress or (lambda _: None)
    )
    first = _next_site_number()
    for index in range(sites):
        started = clock.perf_counter()
        before = company.counts.copy()
        with write_transaction():
            code = company.site(first + index)
        made = company.counts - before
        company.progress(
            f"site {code} ({index + 1}/{sites}): {made['inspection']:,} inspections, "
            f"{made['round']:,} rounds, {made['scan']:,} scans, "
            f"{made['greeting_shift']:,} shifts in {clock.perf_counter() - started:.1f} s"
        )
    return dict(company.counts)


def job_counts(staff: int) -> dict[str, int]:
    """How many of each job a site of ``staff`` people has: the shares, rounded so they add
    up (largest remainders first), never below each job's minimum."""
    exact = {job: share * staff for job, share in JOB_SHARES.items()}
    counts = {job: max(MIN_PER_JOB.get(job, 0), int(x)) for job, x in exact.items()}
    while sum(counts.values()) < staff:
        job = max(exact, key=lambda j: exact[j] - counts[j])
        counts[job] += 1
    while sum(counts.values()) > staff:
        job = max(
            (j for j in counts if counts[j] > MIN_PER_JOB.get(j, 0)),
            key=lambda j: counts[j] - exact[j],
        )
        counts[job] -= 1
    return counts


def _month_list(end_month: int, months: int) -> list[int]:
    year, month = divmod(end_month, 100)
    index = year * 12 + month - 1
    return [(i // 12) * 100 + i % 12 + 1 for i in range(index - months + 1, index + 1)]


def _month_days(month: int) -> tuple[date, date]:
    year, number = divmod(month, 100)
    return date(year, number, 1), date(year, number, calendar.monthrange(year, number)[1])


def _next_site_number() -> int:
    numbers = [
        int(s.code[1:])
        for s in Site.select(Site.code).where(Site.code.startswith("G"))
        if len(s.code) == 5 and s.code[1:].isdigit()
    ]
    return max(numbers, default=0) + 1


def _uuid_hex(rng: random.Random) -> str:
    """A version-4 UUID from the seeded generator, as the database stores it (32 hex digits)."""
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def _monthly_forms(subject_type: str, forms: dict, per_month: int, rng: random.Random) -> list:
    """The forms a subject is inspected with in a month: a person one of each staff kind they
    have, an area ``per_month`` drawn from all its forms."""
    if subject_type == "staff":
        return [rng.choice(forms[k]) for k in STAFF_INSPECTIONS if k in forms]
    pooled = [f for k in sorted(forms) for f in forms[k]]
    return [rng.choice(pooled) for _ in range(per_month)]


def _scoring() -> ScoringSettings:
    problems: list[str] = []
    settings = parse_scoring(SCORING_PATH, problems)
    if settings is None:
        raise ValueError("; ".join(problems))
    return settings


class _Bulk:
    """Multi-row INSERTs of plain tuples (values as the database takes them: UUIDs as hex,
    foreign keys as ids). peewee builds one statement per row count, then only the parameters
    change: building the statement row by row costs ~5x the insert itself (9k rows/s against
    48k for the scans on SQLite). Row counts are powers of two, so few statements are built."""

    def __init__(self, model, names: list[str]):
        meta = model._meta
        self.model, self.table = model, meta.table_name
        self.fields = [meta.fields[name] for name in names]
        # A column added to the model later: its default (or NULL) for every row.
        self.extra = []
        for field in meta.sorted_fields:
            if field in self.fields or isinstance(field, AutoField):
                continue
            if field.default is None and not field.null:
                raise ValueError(f"{self.table}.{field.name} needs a value in the generator")
            default = field.default() if callable(field.default) else field.default
            self.fields.append(field)
            self.extra.append(field.db_value(default))
        self.extra = tuple(self.extra)
        self.width = len(self.fields)
        self.batch = 1 << (MAX_PARAMS // self.width).bit_length() - 1
        self.statements: dict[int, str] = {}

    def insert(self, rows: list[tuple]) -> int:
        done = 0
        while done < len(rows):
            size = min(self.batch, 1 << (len(rows) - done).bit_length() - 1)
            chunk = rows[done : done + size]
            if self.extra:
                chunk = [row + self.extra for row in chunk]
            db.execute_sql(self._statement(size, chunk[0]), [v for row in chunk for v in row])
            done += size
        return len(rows)

    def _statement(self, size: int, sample: tuple) -> str:
        sql = self.statements.get(size)
        if sql is None:
            query = self.model.insert_many([sample] * size, fields=self.fields)
            sql, params = query.returning().sql()  # no RETURNING of ids on PostgreSQL
            if len(params) != size * self.width:
                raise ValueError(f"{self.table}: the statement does not take one value a column")
            self.statements[size] = sql
        return sql


@dataclass(frozen=True)
class _Version:
    checklist_id: int
    version_id: int
    code: str
    subject: str
    kind: str
    data: dict


@dataclass(frozen=True)
class _Form:
    """A checklist version as one subject is inspected on it: the items and their rules."""

    version: _Version
    items: tuple[dict, ...]
    rules: tuple[ItemRule, ...]


class _Company:
    def __init__(self, now: datetime, months: list[int], seed: int, staff: int, progress):
        self.now, self.months, self.seed, self.progress = now, months, seed, progress
        self.staff_per_site = staff
        self.zone = ZoneInfo(ZONE)
        self.counts: Counter = Counter()
        self.scoring = _scoring()
        # An unguessable password: generated accounts exist to be referred to, not to sign in.
        self.password_hash = PasswordHasher(time_cost=1, memory_cost=1024).hash(
            secrets.token_urlsafe(24)
        )
        first, _ = _month_days(months[0])
        self.period_start = to_utc(datetime.combine(first, time(0)), self.zone)
        self.versions = self._current_versions()
        self.forms: dict[tuple, _Form | None] = {}
        self.bulk = {
            model._meta.table_name: _Bulk(model, names.split())
            for model, names in (
                (Staff, "employee_no name gender job site team phone active created_at updated_at"),
                (StaffArea, "staff area"),
                (User, "username display_name password_hash role staff language active "
                 "created_at updated_at"),
                (UserSite, "user site"),
                (RouteStop, "route checkpoint position offset_minutes"),
                (Round, "site schedule route stops photo_checkpoints ordered start_grace_minutes "
                 "starts_at ends_at month guard status late late_minutes out_of_order "
                 "missed_checkpoints flags judged_at alerted_overdue_at"),
                (Scan, "id site checkpoint round user staff device_id carrier key_version "
                 "device_at server_at gap_seconds effective_at latitude longitude accuracy_m "
                 "note photo_ids answers flags month"),
                (Inspection, "id site checklist checklist_version kind subject_type staff team "
                 "area inspector inspected_at submitted_at month device_id note score grade "
                 "passed critical_failed status corrects correction_reason body_hash"),
                (InspectionItem, "inspection site month checklist item_code section_code "
                 "position result measured_seconds weight critical note photo_ids"),
                (GreetingShift, "site day window post manager starts_at ends_at month "
                 "check_in_at check_out_at check_in_photo status late_minutes early_minutes "
                 "overstay_minutes judged_at created_at"),
            )
        }  # fmt: skip

    # --- shared helpers ---------------------------------------------------------------------

    def _insert(self, name: str, rows: list[tuple]) -> None:
        if rows:
            self.counts[name] += self.bulk[name].insert(rows)

    def _create(self, model, **fields):
        row = model.create(**fields)
        self.counts[model._meta.table_name] += 1
        return row

    def _rng(self, code: str, part: str) -> random.Random:
        # One stream per site and part: changing how one part is made leaves the others be.
        return random.Random(f"xunjian-generator:{self.seed}:{code}:{part}")

    def _current_versions(self) -> list[_Version]:
        rows = (
            ChecklistVersion.select(ChecklistVersion, Checklist)
            .join(Checklist)
            .where(ChecklistVersion.number == Checklist.current_version)
            .order_by(Checklist.code)
        )
        versions = [
            _Version(
                v.checklist.id, v.id, v.checklist.code, v.data["subject"], v.data["kind"], v.data
            )
            for v in rows
        ]
        if not any(v.subject == "staff" for v in versions):
            raise RuntimeError("no checklists in the database: sync them first (app start)")
        return versions

    def _form(self, version: _Version, **traits) -> _Form | None:
        key = (version.version_id, *sorted(traits.items()))
        if key not in self.forms:
            items = applicable_items(version.data, **traits)
            ok = items and applies(version.data["applies_to"], **traits)
            self.forms[key] = (
                _Form(
                    version,
                    tuple(items),
                    tuple(
                        ItemRule(i["code"], i["weight"], i["critical"], i["limit_seconds"])
                        for i in items
                    ),
                )
                if ok
                else None
            )
        return self.forms[key]

    def _forms(self, subject: str, kinds, **traits) -> dict[str, list[_Form]]:
        found: dict[str, list[_Form]] = {}
        for version in self.versions:
            if version.subject == subject and version.kind in kinds:
                form = self._form(version, **traits)
                if form is not None:
                    found.setdefault(version.kind, []).append(form)
        return found

    def _local_days(self, month: int) -> tuple[date, date] | None:
        """The month's local days up to today (None when it has not begun)."""
        first, last = _month_days(month)
        today = self.now.replace(tzinfo=UTC).astimezone(self.zone).date()
        return (first, min(last, today)) if first <= today else None

    # --- one site ---------------------------------------------------------------------------

    def site(self, number: int) -> str:
        code = SITE_CODE.format(number)
        rng = self._rng(code, "org")
        site_type = SITE_TYPES[(number - 1) % len(SITE_TYPES)]
        founded = self.period_start - timedelta(days=rng.randint(400, 1500))
        site = self._create(
            Site,
            name=f"{rng.choice(PLACES)}{rng.choice(SITE_SUFFIXES[site_type])}（{code}）",
            code=code,
            site_type=site_type,
            timezone=ZONE,
            workday_start=time(9, 0),
            evening_peak_start=time(18, 0),
            evening_peak_end=time(18, 30),
            service_grade=rng.randint(1, 3),
            address=rng.choice(DISTRICTS),
            created_at=founded,
            updated_at=founded,
        )
        org = self._organisation(site, rng, founded)
        self._patrols(site, org, founded)
        self._inspections(site, org)
        self._greeting(site, org)
        return code

    def _organisation(self, site: Site, rng: random.Random, founded: datetime) -> dict:
        must, may = AREA_POOLS[site.site_type]
        types = list(must) + rng.sample(may, rng.randint(7, 9) - len(must))
        areas = [
            self._create(
                Area,
                site=site,
                name=rng.choice(AREA_NAMES[t]),
                area_type=t,
                created_at=founded,
            )
            for t in types
        ]
        by_type = {a.area_type: a for a in areas}
        lobby = by_type["lobby"]
        gate = by_type.get("gate") or by_type.get("garage") or lobby
        post_specs = [(lobby, "大堂岗", "lobby", True), (gate, f"{gate.name}岗", "gate", True)]
        if rng.random() < 0.5:
            post_specs.append((lobby, "服务中心", "service_desk", False))
        posts = [
            self._create(
                Post, site=site, area=a, name=n, kind=k, is_key_post=key, created_at=founded
            )
            for a, n, k, key in post_specs
        ]
        team_count = rng.randint(3, 5)
        teams = [
            self._create(Team, site=site, name=name, created_at=founded)
            for name in TEAMS[team_count]
        ]
        team_of_job = TEAM_OF_JOB[team_count]

        jobs = [job for job, n in job_counts(self.staff_per_site).items() for _ in range(n)]
        rng.shuffle(jobs)
        seen_by_job: Counter = Counter()
        people, rows = [], []
        for index, job in enumerate(jobs, start=1):
            gender = "female" if rng.random() < FEMALE_SHARE[job] else "male"
            choices = team_of_job.get(job, (len(teams) - 1,))
            team = teams[choices[seen_by_job[job] % len(choices)]]
            seen_by_job[job] += 1
            employee_no = f"{site.code}-{index:04d}"
            hired = founded + timedelta(days=rng.randint(0, 300))
            name = rng.choice(SURNAMES) + "".join(
                rng.choice(GIVEN[gender]) for _ in range(rng.randint(1, 2))
            )
            rows.append(
                (employee_no, name, gender, job, site.id, team.id,
                 f"13{rng.randint(0, 999_999_999):09d}", True, hired, hired)
            )  # fmt: skip
            people.append(
                {"employee_no": employee_no, "job": job, "gender": gender, "team": team.id}
            )
        self._insert("staff", rows)
        ids = {
            s.employee_no: s.id
            for s in Staff.select(Staff.id, Staff.employee_no).where(Staff.site == site)
        }
        for person in people:
            person["id"] = ids[person["employee_no"]]

        # Cleaners and gardeners each keep 1-3 areas their kind of inspection applies to.
        links = []
        for person in people:
            kind = {"cleaner": "cleaning", "gardener": "greening"}.get(person["job"])
            if kind is None:
                continue
            fitting = [a for a in areas if self._forms("area", (kind,), area_type=a.area_type)]
            fitting = fitting or areas
            for area in rng.sample(fitting, min(len(fitting), rng.randint(1, 3))):
                links.append((person["id"], area.id))
        self._insert("staff_area", links)

        # Accounts: the site's inspector (a supervisor account) and one per guard.
        guards = [p for p in people if p["job"] == "guard"]
        user_rows = [
            (f"{site.code.lower()}-inspector", f"主管 {site.code}", self.password_hash,
             "supervisor", None, "zh", True, founded, founded)
        ] + [
            (p["employee_no"].lower(), f"护卫员 {p['employee_no']}", self.password_hash,
             "guard", p["id"], "zh", True, founded, founded)
            for p in guards
        ]  # fmt: skip
        self._insert("user", user_rows)
        user_ids = {
            u.username: u.id
            for u in User.select(User.id, User.username).where(
                User.username.in_([row[0] for row in user_rows])
            )
        }
        self._insert("user_site", [(uid, site.id) for uid in user_ids.values()])
        for guard in guards:
            guard["user"] = user_ids[guard["employee_no"].lower()]
        return {
            "areas": areas,
            "posts": posts,
            "people": people,
            "guards": guards,
            "inspector": user_ids[f"{site.code.lower()}-inspector"],
            "links": links,
        }

    # --- patrols ----------------------------------------------------------------------------

    def _patrols(self, site: Site, org: dict, founded: datetime) -> None:
        self._create(SiteKey, site=site, version=1, secret=secrets.token_bytes(32).hex())
        rng = self._rng(site.code, "patrols")
        lat0, lon0 = 22.5 + rng.uniform(-0.1, 0.1), 114.0 + rng.uniform(-0.1, 0.1)
        areas = org["areas"]
        checkpoints = []
        for n in range(1, CHECKPOINTS + 1):
            area = areas[(n - 1) % len(areas)]
            indoors = area.area_type in NO_GPS_TYPES
            checkpoints.append(
                self._create(
                    Checkpoint,
                    site=site,
                    area=area,
                    name=f"{area.name}{n}号点",
                    code=f"{site.code}-CP{n:02d}",
                    latitude=None if indoors else lat0 + rng.uniform(-0.0015, 0.0015),
                    longitude=None if indoors else lon0 + rng.uniform(-0.0015, 0.0015),
                    created_at=founded,
                )
            )
        route = self._create(Route, site=site, name="全场巡逻路线", created_at=founded)
        stops = [[cp.id, 3 * i] for i, cp in enumerate(checkpoints)]
        self._insert("route_stop", [(route.id, cp, i, off) for i, (cp, off) in enumerate(stops)])
        schedule = self._create(
            Schedule,
            site=site,
            route=route,
            name="全天巡逻（每2小时）",
            start_time=time(0, 0),
            end_time=time(24 - ROUND_EVERY // 60, 0),
            every_minutes=ROUND_EVERY,
            weekdays="0123456",
            start_grace_minutes=ROUND_GRACE,
            duration_minutes=ROUND_MINUTES,
            ordered=True,
            created_at=founded,
        )
        rule = ScheduleRule(
            schedule.start_time, schedule.end_time, ROUND_EVERY, frozenset(range(7))
        )
        carriers = {cp.id: "nfc" if rng.random() < 0.2 else "qr" for cp in checkpoints}
        where = {cp.id: (cp.latitude, cp.longitude) for cp in checkpoints}
        stops_json = json.dumps(stops)
        for month in self.months:
            days = self._local_days(month)
            if days is not None:
                rows = self._rounds(site, schedule, rule, days, stops_json, org["guards"], rng)
                self._scans(site, rows, carriers, where, rng)

    def _rounds(self, site, schedule, rule, days, stops_json, guards, rng) -> list[dict]:
        """The month's rounds, judged as the round rule judges their scans, and inserted."""
        route = [cp for cp, _ in json.loads(stops_json)]
        length, grace = timedelta(minutes=ROUND_MINUTES), ROUND_GRACE * 60
        made, rows = [], []
        for start in round_starts(rule, self.zone, *days):
            end = start + length
            judged_at = end + timedelta(minutes=1)  # the next minute's tick
            if judged_at > self.now:
                break
            local = start.replace(tzinfo=UTC).astimezone(self.zone)
            # Day shift 08:00-20:00, night shift 20:00-08:00 belonging to the evening's day.
            night = not 8 <= local.hour < 20
            shift_day = local.date() - timedelta(days=1 if local.hour < 8 else 0)
            guard = guards[(shift_day.toordinal() * 2 + night) % len(guards)]
            draw = rng.random()
            if draw < MISSED_SHARE:
                visited = []
            elif draw < MISSED_SHARE + INCOMPLETE_SHARE:
                skipped = set(rng.sample(route, rng.randint(1, min(4, len(route) - 1))))
                visited = [cp for cp in route if cp not in skipped]
            else:
                visited = list(route)
            out_of_order = False
            if len(visited) > 1 and rng.random() < OUT_OF_ORDER_SHARE:
                i = rng.randrange(len(visited) - 1)
                visited[i], visited[i + 1] = visited[i + 1], visited[i]
                out_of_order = True
            late = bool(visited) and rng.random() < LATE_SHARE
            delay = rng.randint(grace + 60, grace + 600) if late else rng.randint(0, grace)
            at, visits = start + timedelta(seconds=delay), []
            for cp in visited:
                visits.append((cp, at))
                at += timedelta(seconds=rng.randint(*STOP_SECONDS))
            status = "complete" if len(visited) == len(route) else (
                "incomplete" if visited else "missed"
            )  # fmt: skip
            offline = status == "complete" and rng.random() < OFFLINE_SHARE
            made.append(
                {
                    "start": start,
                    "end": end,
                    "guard": guard,
                    "visits": visits,
                    "upload": end + timedelta(seconds=rng.randint(60, 5400)) if offline else None,
                    "month": month_of(start, self.zone),
                }
            )
            missed = [cp for cp in route if cp not in visited]
            overdue = late or not visited  # the tick alerts once the grace is over
            rows.append(
                (site.id, schedule.id, schedule.route_id, stops_json, "[]", True, ROUND_GRACE,
                 start, end, made[-1]["month"], guard["id"], status, late,
                 math.ceil(delay / 60) if late else 0, out_of_order, json.dumps(missed), "[]",
                 judged_at, start + timedelta(seconds=grace + 60) if overdue else None)
            )  # fmt: skip
        if not made:
            return []
        self._insert("round", rows)
        ids = {
            r.starts_at: r.id
            for r in Round.select(Round.id, Round.starts_at).where(
                (Round.schedule == schedule)
                & (Round.starts_at >= made[0]["start"])
                & (Round.starts_at <= made[-1]["start"])
            )
        }
        for r in made:
            r["id"] = ids[r["start"]]
        return made

    def _scans(self, site, rounds, carriers, where, rng) -> None:
        rows = []
        for r in rounds:
            guard, month = r["guard"], r["month"]
            device = f"phone-{guard['employee_no']}"
            scan_month = month if month_of(r["end"], self.zone) == month else None
            for cp, at in r["visits"]:
                server_at = r["upload"] or at + timedelta(seconds=rng.randint(0, 4))
                lat, lon = where[cp]
                gps = lat is not None and rng.random() < 0.9
                rows.append(
                    (_uuid_hex(rng), site.id, cp, r["id"], guard["user"], guard["id"], device,
                     carriers[cp], 1, at, server_at, int((server_at - at).total_seconds()), at,
                     lat + rng.uniform(-1e-4, 1e-4) if gps else None,
                     lon + rng.uniform(-1e-4, 1e-4) if gps else None,
                     float(rng.randint(5, 30)) if gps else None, "", "[]", "[]", "[]",
                     scan_month or month_of(at, self.zone))
                )  # fmt: skip
        self._insert("scan", rows)

    # --- inspections ------------------------------------------------------------------------

    def _inspections(self, site: Site, org: dict) -> None:
        rng = self._rng(site.code, "inspections")
        subjects = self._inspection_subjects(org, rng)
        device = f"pad-{site.code}-inspector"
        for month in self.months:
            days = self._local_days(month)
            if days is None:
                continue
            heads, items = [], []
            for subject_type, subject, forms, per_month, fail in subjects:
                for form in _monthly_forms(subject_type, forms, per_month, rng):
                    local = datetime.combine(
                        days[0] + timedelta(days=rng.randint(0, (days[1] - days[0]).days)),
                        time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)),
                    )
                    at = to_utc(local, self.zone)
                    submitted = at + timedelta(seconds=rng.randint(5, 600))
                    if submitted > self.now:
                        continue
                    self._inspection(
                        site, org, subject_type, subject, form, at, submitted, fail, device,
                        rng, heads, items,
                    )  # fmt: skip
            heads.sort(key=lambda row: row[10])  # by inspected_at, as they would arrive
            self._insert("inspection", heads)
            self._insert("inspection_item", items)

    def _inspection_subjects(self, org: dict, rng: random.Random) -> list[tuple]:
        """(kind of subject, row, {kind: [forms]}, how many a month, fail chance) for every
        person and every area with a form (pest control when no other fits)."""
        subjects = []
        for person in org["people"]:
            forms = self._forms(
                "staff", STAFF_INSPECTIONS, job=person["job"], gender=person["gender"]
            )
            subjects.append(("staff", person, forms, 1, self._quality(rng)))
        for area in org["areas"]:
            forms = self._forms("area", AREA_KINDS, area_type=area.area_type)
            if not forms:
                forms = self._forms("area", ("pest_control",), area_type=area.area_type)
            if forms:
                quality = self._quality(rng)
                subjects.append(("area", area, forms, AREA_INSPECTIONS_PER_MONTH, quality))
        return subjects

    @staticmethod
    def _quality(rng: random.Random) -> float:
        draw = rng.random()
        for share, fail in QUALITY:
            if draw < share:
                return fail
            draw -= share
        return QUALITY[-1][1]

    def _inspection(self, site, org, subject_type, subject, form: _Form, at, submitted, fail,
                    device, rng, heads, items) -> None:  # fmt: skip
        answers = []
        for rule in form.rules:
            draw = rng.random()
            if draw < NA_SHARE:
                answers.append(Answer(rule.code, "na"))
                continue
            if rule.limit_seconds is not None:
                # Timed (the guard's ID registration): the measured seconds decide.
                slow = rng.random() < fail * 4
                factor = rng.uniform(1.05, 1.6) if slow else rng.uniform(0.4, 0.95)
                seconds = rule.limit_seconds * factor
                answers.append(Answer(rule.code, "pass", round(seconds, 1)))
                continue
            chance = fail * CRITICAL_FAIL_FACTOR if rule.critical else fail
            answers.append(Answer(rule.code, "fail" if rng.random() < chance else "pass"))
        scored = score_inspection(list(form.rules), answers, self.scoring.critical_cap)
        grade = grade_for(scored.score, self.scoring.bands)
        month = month_of(at, self.zone)
        inspection_id = _uuid_hex(rng)
        version = form.version
        is_staff = subject_type == "staff"
        heads.append(
            (inspection_id, site.id, version.checklist_id, version.version_id, version.kind,
             subject_type, subject["id"] if is_staff else None,
             subject["team"] if is_staff else None, None if is_staff else subject.id,
             org["inspector"], at, submitted, month, device, "", scored.score,
             grade.code if grade else None, passed(scored.score, self.scoring.pass_mark),
             scored.critical_failed, "final", None, "", f"{rng.getrandbits(256):064x}")
        )  # fmt: skip
        for position, (item, answer) in enumerate(zip(form.items, answers, strict=True)):
            items.append(
                (inspection_id, site.id, month, version.checklist_id, item["code"],
                 item["section"], position, scored.results[item["code"]],
                 answer.measured_seconds, item["weight"], item["critical"], "", "[]")
            )  # fmt: skip

    # --- greeting duty ----------------------------------------------------------------------

    def _greeting(self, site: Site, org: dict) -> None:
        lobby_post = org["posts"][0]
        settings = self._create(
            GreetingSettings,
            site=site,
            minutes=30,
            weekdays="01234",
            morning_post=lobby_post,
            evening_post=lobby_post,
            grace_minutes=GREETING_GRACE,
            leave_grace_minutes=LEAVE_GRACE,
            overstay_minutes=OVERSTAY,
        )
        windows = windows_for_site(
            site.site_type,
            site.workday_start,
            site.evening_peak_start,
            site.evening_peak_end,
            settings.minutes,
        )
        # The rotation: managers by employee number, one after another across days and months;
        # a site has at least two managers and at most two windows a day, so nobody gets two
        # shifts on one day.
        managers = sorted(
            (p for p in org["people"] if p["job"] == "manager"), key=lambda p: p["employee_no"]
        )
        rng = self._rng(site.code, "greeting")
        turn, rows = 0, []
        outcomes = [name for name, _ in SHIFT_OUTCOMES]
        weights = [share for _, share in SHIFT_OUTCOMES]
        allowance = timedelta(minutes=OVERSTAY + 1)
        for month in self.months:
            span = self._local_days(month)
            if span is None:
                continue
            created = to_utc(datetime.combine(span[0], time(0)), self.zone) - timedelta(days=3)
            for day in duty_days(*span, range(5), ()):
                for window in windows:
                    start, end = window_instants(day, window, self.zone)
                    if start == end or end + allowance > self.now:
                        continue
                    manager = managers[turn % len(managers)]
                    turn += 1
                    check_in, check_out = self._checks(
                        rng.choices(outcomes, weights)[0], start, end, rng
                    )
                    outcome = judge_shift(
                        start,
                        end,
                        check_in,
                        check_out,
                        grace_minutes=GREETING_GRACE,
                        leave_grace_minutes=LEAVE_GRACE,
                        overstay_minutes=OVERSTAY,
                    )
                    rows.append(
                        (site.id, day, window.code, lobby_post.id, manager["id"], start, end,
                         day.year * 100 + day.month, check_in, check_out, None, outcome.status,
                         outcome.late_minutes, outcome.early_minutes, outcome.overstay_minutes,
                         end + allowance, created)
                    )  # fmt: skip
        self._insert("greeting_shift", rows)

    @staticmethod
    def _checks(outcome: str, start: datetime, end: datetime, rng: random.Random):
        """Check-in and check-out times that make the intended outcome."""

        def s(a, b):
            return timedelta(seconds=rng.randint(a, b))

        on_time_in = start - s(0, 600)
        on_time_out = end + s(0, 8 * 60)
        if outcome == "no_show":
            return None, None
        if outcome == "late":
            return start + s(3 * 60, 12 * 60), on_time_out
        if outcome == "left_early":
            return on_time_in, end - s(3 * 60, 10 * 60)
        if outcome == "overstayed":
            return on_time_in, end + s((OVERSTAY + 1) * 60, 40 * 60)
        if outcome == "missing_check_out":
            return on_time_in, None
        return on_time_in, on_time_out
