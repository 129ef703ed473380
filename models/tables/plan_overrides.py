"""A site's own inspection plan rows (项目检查计划调整), replacing plans.toml's for its grade."""

from peewee import CharField, DateTimeField, ForeignKeyField

from models import BaseModel, utcnow
from models.tables.org import Site


class PlanOverride(BaseModel):
    """A site's own plan 项目检查计划调整 for one area type or job and checklist kind, replacing
    what plans.toml sets for its service grade (e.g. a grade-2 site whose contract asks for the
    lobby daily). frequency "0" plans nothing for it."""

    site = ForeignKeyField(Site, backref="plan_overrides", on_delete="CASCADE")
    subject = CharField(max_length=8)  # area | staff
    match = CharField(max_length=16)  # the area type or job
    kind = CharField(max_length=16)  # the checklist's kind
    checklist = CharField(max_length=48)
    frequency = CharField(max_length=16)  # "2/week", or "0" for none
    reason = CharField(max_length=500)
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "plan_override"
        indexes = ((("site", "subject", "match", "kind"), True),)
