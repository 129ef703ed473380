"""Lobby greeting duty 迎候服务: each site's settings, managers' leave, the shifts of the rota,
and swap requests between managers."""

from peewee import (
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    UUIDField,
)

from models import BaseModel, JSONField, utcnow
from models.tables.accounts import User
from models.tables.org import Post, Site, Staff

SWAP_STATES = ("pending", "accepted", "done", "declined", "cancelled")


class GreetingSettings(BaseModel):
    """How a site runs greeting duty. Windows come from the site (working-day start, evening
    peak); these settings say how long, on which days, where, and how it is judged."""

    site = ForeignKeyField(Site, unique=True, on_delete="CASCADE")
    minutes = IntegerField(default=30)
    weekdays = CharField(max_length=7, default="01234")  # 0 = Monday
    holidays = JSONField(default=list)  # ["2026-10-01", ...] public holidays: no duty
    extra_workdays = JSONField(default=list)  # make-up working days 调休 on a weekend: duty
    # Stop on statutory holidays and stand the 调休 days of the working-day calendar
    # (models/rules/workdays.py)? None: by the site's type (greeting_windows.follows_...).
    statutory_calendar = BooleanField(null=True)
    morning_post = ForeignKeyField(Post, null=True, on_delete="RESTRICT")
    evening_post = ForeignKeyField(
        Post, null=True, on_delete="RESTRICT", backref="evening_settings"
    )
    grace_minutes = IntegerField(default=2)
    leave_grace_minutes = IntegerField(default=2)
    overstay_minutes = IntegerField(default=15)
    swap_needs_supervisor = BooleanField(default=False)

    def dates(self, field: str) -> set:
        from datetime import date

        return {date.fromisoformat(d) for d in getattr(self, field)}


class ManagerLeave(BaseModel):
    """Days a manager is away (leave, training): the rota skips them."""

    staff = ForeignKeyField(Staff, backref="leave", on_delete="CASCADE")
    first_day = DateField()
    last_day = DateField()
    note = CharField(max_length=200, default="")
    created_at = DateTimeField(default=utcnow)


class GreetingShift(BaseModel):
    site = ForeignKeyField(Site, on_delete="RESTRICT")
    day = DateField()  # the site-local day
    window = CharField(max_length=8)  # morning | evening
    post = ForeignKeyField(Post, null=True, on_delete="RESTRICT")
    manager = ForeignKeyField(Staff, on_delete="RESTRICT")
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    month = IntegerField()  # YYYYMM of the local day
    check_in_at = DateTimeField(null=True)
    check_out_at = DateTimeField(null=True)
    check_in_photo = UUIDField(null=True)
    status = CharField(max_length=20, default="scheduled")  # scheduled | one of the outcomes
    late_minutes = IntegerField(default=0)
    early_minutes = IntegerField(default=0)
    overstay_minutes = IntegerField(default=0)
    judged_at = DateTimeField(null=True)
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = (
            (("site", "day", "window"), True),
            (("manager", "month", "status"), False),
            (("month", "site", "status", "manager"), False),
        )


class GreetingCheck(BaseModel):
    """A scan of a greeting post's code: check-in or check-out, kept as it arrived."""

    id = UUIDField(primary_key=True)
    shift = ForeignKeyField(GreetingShift, backref="checks", on_delete="CASCADE")
    user = ForeignKeyField(User, on_delete="RESTRICT")
    kind = CharField(max_length=4)  # in | out
    device_at = DateTimeField()
    server_at = DateTimeField(default=utcnow)
    effective_at = DateTimeField()
    photo_id = UUIDField(null=True)


class SwapRequest(BaseModel):
    site = ForeignKeyField(Site, on_delete="RESTRICT")
    shift = ForeignKeyField(GreetingShift, on_delete="CASCADE")  # the requester's shift
    other_shift = ForeignKeyField(GreetingShift, on_delete="CASCADE", backref="swap_offers")
    requested_by = ForeignKeyField(User, on_delete="RESTRICT")
    status = CharField(max_length=12, default="pending")
    created_at = DateTimeField(default=utcnow)
    responded_at = DateTimeField(null=True)
    approved_by = ForeignKeyField(User, null=True, on_delete="RESTRICT", backref="approved_swaps")
