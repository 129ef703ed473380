"""The audit log of administrative changes: who changed what, when, before and after."""

import json

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, TextField

from models import BaseModel, utcnow
from models.tables.accounts import User


class AuditEntry(BaseModel):
    at = DateTimeField(default=utcnow, index=True)
    user = ForeignKeyField(User, null=True, on_delete="SET NULL")
    action = CharField(max_length=32)  # create | update | deactivate | rotate-key | ...
    entity = CharField(max_length=32)  # site | area | staff | user | ...
    entity_id = CharField(max_length=64)
    site_id = IntegerField(null=True, index=True)
    before = TextField(default="")
    after = TextField(default="")
    reason = CharField(max_length=500, default="")
    request_id = CharField(max_length=64, default="")

    @classmethod
    def record(
        cls,
        *,
        user,
        action,
        entity,
        entity_id,
        site_id=None,
        before=None,
        after=None,
        reason="",
        request_id="",
    ):
        return cls.create(
            user=user,
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            site_id=site_id,
            before=json.dumps(before, ensure_ascii=False, default=str) if before else "",
            after=json.dumps(after, ensure_ascii=False, default=str) if after else "",
            reason=reason,
            request_id=request_id,
        )
