"""Closed months: the frozen monthly records HR signed off, and audited corrections to them."""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
)

from models import BaseModel, utcnow
from models.tables.accounts import User
from models.tables.org import Site, Staff, Team


class MonthClose(BaseModel):
    site = ForeignKeyField(Site, on_delete="RESTRICT")
    month = IntegerField()  # YYYYMM
    closed_at = DateTimeField(default=utcnow)
    closed_by = ForeignKeyField(User, on_delete="RESTRICT")

    class Meta:
        indexes = ((("site", "month"), True),)


class MonthlyRecord(BaseModel):
    """One person's record of a closed month, as it was when the month was closed (and as
    corrected since by audited adjustments)."""

    site = ForeignKeyField(Site, on_delete="RESTRICT")
    month = IntegerField()
    staff = ForeignKeyField(Staff, on_delete="RESTRICT")
    team = ForeignKeyField(Team, null=True, on_delete="RESTRICT")
    job = CharField(max_length=16)
    grooming_score = FloatField(null=True)
    grooming_count = IntegerField(default=0)
    etiquette_score = FloatField(null=True)
    etiquette_count = IntegerField(default=0)
    greeting_compliance = FloatField(null=True)
    greeting_shifts = IntegerField(default=0)
    patrol_completion = FloatField(null=True)
    patrol_rounds = IntegerField(default=0)
    area_score = FloatField(null=True)
    area_count = IntegerField(default=0)
    followup_rate = FloatField(null=True)  # percent handled on time (the target is 100%)
    followup_count = IntegerField(default=0)  # follow-ups handled in the month
    followup_on_time = IntegerField(default=0)  # of them, by their promise's deadline
    composite = FloatField(null=True)
    grade = CharField(max_length=4, null=True)
    passed = BooleanField(null=True)
    critical_failed = BooleanField(default=False)

    class Meta:
        indexes = ((("site", "month", "staff"), True), (("staff", "month"), False))


class Adjustment(BaseModel):
    """A correction to a closed month: who, when, why, before and after."""

    record = ForeignKeyField(MonthlyRecord, backref="adjustments", on_delete="RESTRICT")
    field = CharField(max_length=32)
    before = FloatField(null=True)
    after = FloatField(null=True)
    reason = CharField(max_length=500)
    made_by = ForeignKeyField(User, on_delete="RESTRICT")
    made_at = DateTimeField(default=utcnow)
