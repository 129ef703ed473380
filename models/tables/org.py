"""The organisation: sites, their areas, posts and teams, and the staff who work there."""

from zoneinfo import ZoneInfo

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TimeField,
)

from models import BaseModel, utcnow

SITE_TYPES = ("office", "residential", "mixed")
AREA_TYPES = (
    "lobby",
    "lift",
    "stairwell",
    "corridor",
    "restroom",
    "garage",
    "garden",
    "gate",
    "retail",
    "exterior",
    "waste_point",
    "plant_room",
    "roof",
    "other",
)
POST_KINDS = ("gate", "lobby", "service_desk", "patrol", "other")
JOBS = (
    "guard",
    "cleaner",
    "gardener",
    "service_desk",
    "manager",
    "supervisor",
    "engineer",
    "other",
)
GENDERS = ("female", "male")


class Site(BaseModel):
    """One managed property 项目/管理处."""

    name = CharField(max_length=100, unique=True)
    code = CharField(max_length=16, unique=True)  # short code printed on labels
    site_type = CharField(max_length=16)
    timezone = CharField(max_length=64, default="Asia/Shanghai")
    # Office towers: the tenants' working day starts here (greeting duty is the half hour before).
    workday_start = TimeField(null=True)
    # Residential estates: the evening return peak (greeting duty window).
    evening_peak_start = TimeField(null=True)
    evening_peak_end = TimeField(null=True)
    # 1 = 一级 (highest) .. 3 = 三级, the contracted service grade that sets inspection frequency.
    service_grade = IntegerField(default=2)
    address = CharField(max_length=200, default="")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


class Area(BaseModel):
    """A part of a site 区域: lobby, garage level, garden ..."""

    site = ForeignKeyField(Site, backref="areas", on_delete="RESTRICT")
    name = CharField(max_length=100)
    area_type = CharField(max_length=16)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("site", "name"), True),)


class Post(BaseModel):
    """A staffed position 岗位: gate post, lobby post, service desk."""

    site = ForeignKeyField(Site, backref="posts", on_delete="RESTRICT")
    area = ForeignKeyField(Area, null=True, on_delete="RESTRICT")
    name = CharField(max_length=100)
    kind = CharField(max_length=16)
    # A key post must never be left unattended 关键岗位「零脱岗」.
    is_key_post = BooleanField(default=False)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("site", "name"), True),)


class Team(BaseModel):
    """A team 班组 within a site, the unit HR compares."""

    site = ForeignKeyField(Site, backref="teams", on_delete="RESTRICT")
    name = CharField(max_length=100)
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("site", "name"), True),)


class Staff(BaseModel):
    """A member of staff. Never deleted once anything refers to them: deactivated instead."""

    employee_no = CharField(max_length=32, unique=True)
    name = CharField(max_length=50)
    gender = CharField(max_length=8)
    job = CharField(max_length=16)
    site = ForeignKeyField(Site, backref="staff", on_delete="RESTRICT")
    team = ForeignKeyField(Team, null=True, backref="members", on_delete="RESTRICT")
    phone = CharField(max_length=32, default="")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("site", "job", "active"), False),)


class StaffArea(BaseModel):
    """The areas a cleaner or gardener is responsible for (their area scores count for them)."""

    staff = ForeignKeyField(Staff, backref="area_links", on_delete="CASCADE")
    area = ForeignKeyField(Area, backref="staff_links", on_delete="CASCADE")

    class Meta:
        indexes = ((("staff", "area"), True),)
