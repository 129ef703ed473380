"""Inspections of a staff member or an area against a checklist version, their item results,
and what failures lead to: rectifications 整改 for areas, coaching items for staff."""

from peewee import (
    BooleanField,
    CharField,
    DateTimeField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
    UUIDField,
)

from models import BaseModel, JSONField, utcnow
from models.tables.accounts import User
from models.tables.checklists import Checklist, ChecklistVersion
from models.tables.org import Area, Site, Staff, Team

RECTIFICATION_STATES = ("open", "done", "verified", "reopened")
SERVICE_KINDS = ("cleaning", "greening", "pest_control")


class Contractor(BaseModel):
    """A service provider 服务供方 (cleaning, gardening, pest control company)."""

    name = CharField(max_length=100, unique=True)
    service_kinds = CharField(max_length=64)  # comma-separated SERVICE_KINDS
    contact_name = CharField(max_length=50, default="")
    phone = CharField(max_length=32, default="")
    active = BooleanField(default=True)
    created_at = DateTimeField(default=utcnow)

    @property
    def kinds(self) -> list[str]:
        return [k for k in self.service_kinds.split(",") if k]


class ContractorArea(BaseModel):
    """The contractor responsible for one kind of service in an area."""

    contractor = ForeignKeyField(Contractor, backref="area_links", on_delete="CASCADE")
    area = ForeignKeyField(Area, on_delete="CASCADE")
    kind = CharField(max_length=16)

    class Meta:
        indexes = ((("area", "kind"), True),)


class Inspection(BaseModel):
    id = UUIDField(primary_key=True)  # made by the phone, so a resubmission is recognised
    site = ForeignKeyField(Site, on_delete="RESTRICT")
    checklist = ForeignKeyField(Checklist, on_delete="RESTRICT")
    checklist_version = ForeignKeyField(ChecklistVersion, on_delete="RESTRICT")
    kind = CharField(max_length=16)  # the checklist's kind, kept for reports
    subject_type = CharField(max_length=16)  # staff | area
    staff = ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    team = ForeignKeyField(Team, null=True, on_delete="RESTRICT")  # the staff member's team then
    area = ForeignKeyField(Area, null=True, on_delete="RESTRICT")
    inspector = ForeignKeyField(User, on_delete="RESTRICT")
    inspected_at = DateTimeField()  # when it happened (the phone's clock), UTC
    submitted_at = DateTimeField(default=utcnow)  # when the server stored it, UTC
    month = IntegerField()  # YYYYMM of inspected_at in the site's zone, for monthly reports
    device_id = CharField(max_length=64, default="")
    note = TextField(default="")
    score = FloatField(null=True)  # None when every item was not applicable
    grade = CharField(max_length=4, null=True)
    passed = BooleanField(null=True)
    critical_failed = BooleanField(default=False)
    status = CharField(max_length=16, default="final")  # final | superseded
    corrects = ForeignKeyField("self", null=True, backref="corrections", on_delete="RESTRICT")
    correction_reason = CharField(max_length=500, default="")
    body_hash = CharField(max_length=64)  # of the submitted answers, to spot a changed resubmission

    class Meta:
        indexes = (
            # Covering index of the monthly records: every column the aggregates read.
            (
                (
                    "month",
                    "site",
                    "status",
                    "subject_type",
                    "staff",
                    "area",
                    "kind",
                    "score",
                    "critical_failed",
                ),
                False,
            ),
            (("staff", "month", "kind", "status", "score"), False),
            (("area", "month", "kind", "status", "score"), False),
            (("inspector", "inspected_at"), False),
        )


class InspectionItem(BaseModel):
    inspection = ForeignKeyField(Inspection, backref="items", on_delete="CASCADE")
    site = ForeignKeyField(Site, on_delete="RESTRICT")
    month = IntegerField()
    checklist = ForeignKeyField(Checklist, on_delete="RESTRICT")
    item_code = CharField(max_length=48)
    section_code = CharField(max_length=48)
    position = IntegerField()
    result = CharField(max_length=4)  # pass | fail | na, as judged by the server
    measured_seconds = FloatField(null=True)
    weight = IntegerField()
    critical = BooleanField(default=False)
    note = CharField(max_length=500, default="")
    photo_ids = JSONField(default=list)

    class Meta:
        indexes = (
            (("inspection", "item_code"), True),
            (("site", "month", "result", "checklist", "item_code"), False),
        )


class Rectification(BaseModel):
    """A failed area item to put right by a due time: open -> done -> verified (or reopened)."""

    site = ForeignKeyField(Site, on_delete="RESTRICT")
    area = ForeignKeyField(Area, on_delete="RESTRICT")
    inspection = ForeignKeyField(Inspection, backref="rectifications", on_delete="RESTRICT")
    checklist = ForeignKeyField(Checklist, on_delete="RESTRICT")
    item_code = CharField(max_length=48)
    assignee = ForeignKeyField(Staff, null=True, on_delete="RESTRICT")
    contractor = ForeignKeyField(Contractor, null=True, on_delete="RESTRICT")
    status = CharField(max_length=16, default="open")
    created_at = DateTimeField(default=utcnow)
    due_at = DateTimeField()
    done_at = DateTimeField(null=True)
    done_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    done_note = CharField(max_length=500, default="")
    done_photo_ids = JSONField(default=list)
    verified_at = DateTimeField(null=True)
    verified_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")
    verify_note = CharField(max_length=500, default="")
    closed_by_inspection = ForeignKeyField(Inspection, null=True, on_delete="RESTRICT")
    reopen_count = IntegerField(default=0)

    class Meta:
        indexes = (
            (("inspection", "item_code"), True),
            (("site", "status", "due_at"), False),
            (("area", "checklist", "item_code", "status"), False),
        )


class CoachingItem(BaseModel):
    """A failed staff item the staff member is shown and acknowledges."""

    site = ForeignKeyField(Site, on_delete="RESTRICT")
    staff = ForeignKeyField(Staff, on_delete="RESTRICT")
    inspection = ForeignKeyField(Inspection, backref="coaching_items", on_delete="RESTRICT")
    item_code = CharField(max_length=48)
    created_at = DateTimeField(default=utcnow)
    acknowledged_at = DateTimeField(null=True)
    acknowledged_by = ForeignKeyField(User, null=True, on_delete="RESTRICT")

    class Meta:
        indexes = ((("inspection", "item_code"), True), (("staff", "acknowledged_at"), False))
