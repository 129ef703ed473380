import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field
from models.rules.promises import URGENCIES
from models.tables.patrols import ANOMALY_CATEGORIES, ANOMALY_STATES


class AnomalyItemSchema(Schema):
    code = ma.fields.String()
    requirement = ma.fields.String()
    requirement_en = ma.fields.String()
    fault = ma.fields.String()
    fault_en = ma.fields.String()


class AnomalySchema(Schema):
    id = ma.fields.UUID()
    site_id = ma.fields.Integer()
    checkpoint_id = ma.fields.Integer(allow_none=True)
    area_id = ma.fields.Integer(allow_none=True)
    scan_id = ma.fields.UUID(allow_none=True)
    category = ma.fields.String()
    note = ma.fields.String()
    photo_ids = ma.fields.List(ma.fields.String())
    reported_by_id = ma.fields.Integer()
    reported_at = ZonedDateTime()
    owner_id = ma.fields.Integer(allow_none=True)
    status = ma.fields.String(metadata={"description": "open | resolved | closed"})
    resolved_at = ZonedDateTime(allow_none=True)
    resolved_by_id = ma.fields.Integer(allow_none=True)
    resolution_note = ma.fields.String()
    urgency = ma.fields.String(metadata={"description": "urgent | ordinary"})
    promise = ma.fields.String(
        allow_none=True,
        metadata={
            "description": "the promise it is kept to (checklists/promises.toml): "
            "anomaly_urgent | anomaly_ordinary | complaint; null for anomalies reported "
            "before promises were kept"
        },
    )
    respond_due_at = ZonedDateTime(
        allow_none=True, metadata={"description": "someone answers by then"}
    )
    resolve_due_at = ZonedDateTime(allow_none=True, metadata={"description": "dealt with by then"})
    responded_at = ZonedDateTime(
        allow_none=True, metadata={"description": "when the office first answered"}
    )
    clock = ma.fields.String(
        metadata={"description": "done | late | unanswered | running | none (no promise)"}
    )
    site_name = ma.fields.String()
    area_name = ma.fields.String(allow_none=True)
    checkpoint_name = ma.fields.String(allow_none=True)
    reported_by_name = ma.fields.String(metadata={"description": "who reported it"})
    item = ma.fields.Nested(
        AnomalyItemSchema,
        allow_none=True,
        metadata={"description": "a failed check item in the checklist's own words"},
    )


class AnomalyReportSchema(Schema):
    id = ma.fields.UUID(
        required=True, metadata={"description": "made by the phone; resending is safe"}
    )
    site_id = ma.fields.Integer(required=True)
    checkpoint_id = ma.fields.Integer(allow_none=True)
    area_id = ma.fields.Integer(allow_none=True)
    category = ma.fields.String(required=True, validate=ma.validate.OneOf(ANOMALY_CATEGORIES))
    urgency = ma.fields.String(
        validate=ma.validate.OneOf(URGENCIES),
        metadata={
            "description": "urgent | ordinary; left out: by the category (a leak, a blocked "
            "fire exit are urgent: checklists/promises.toml)"
        },
    )
    note = text_field(1000, allow_empty=True, load_default="")
    photo_ids = ma.fields.List(
        ma.fields.UUID(), load_default=list, validate=ma.validate.Length(max=10)
    )


class AnomalyUpdateSchema(Schema):
    owner_id = ma.fields.Integer(allow_none=True, metadata={"description": "who follows it up"})
    status = ma.fields.String(validate=ma.validate.OneOf(ANOMALY_STATES))
    resolution_note = text_field(1000, allow_empty=True)


class AnomalyQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    checkpoint_id = ma.fields.Integer()
    area_id = ma.fields.Integer()
    status = ma.fields.String(validate=ma.validate.OneOf(ANOMALY_STATES))
    category = ma.fields.String(validate=ma.validate.OneOf(ANOMALY_CATEGORIES))
