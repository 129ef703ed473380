"""Writing the audit log from a request: who, what, before and after."""

from flask import g
from playhouse.shortcuts import model_to_dict

from models import utcnow
from models.tables.audit import AuditEntry

# Never copied into the audit log.
SECRET_FIELDS = {"password_hash", "digest"}


def snapshot(obj) -> dict:
    """The object's own columns (ids for foreign keys), without secrets."""
    data = model_to_dict(obj, recurse=False)
    return {k: v for k, v in data.items() if k not in SECRET_FIELDS}


def audit(action: str, obj, *, before: dict | None = None, reason: str = "") -> None:
    after = snapshot(obj) if action != "delete" else None
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    site_id = obj.id if obj._meta.table_name == "site" else getattr(obj, "site_id", None)
    AuditEntry.record(
        user=g.get("user"),
        action=action,
        entity=obj._meta.table_name,
        entity_id=obj.id,
        site_id=site_id,
        before=before,
        after=after,
        reason=reason,
        request_id=g.get("request_id", ""),
    )


def update_audited(obj, changes: dict) -> None:
    """Apply changes to a model instance, save it, and log before and after."""
    before = snapshot(obj)
    for field, value in changes.items():
        setattr(obj, field, value)
    if "updated_at" in obj._meta.fields:
        obj.updated_at = utcnow()
    obj.save()
    audit("update", obj, before=before)
