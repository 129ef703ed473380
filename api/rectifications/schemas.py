import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field
from models.tables.inspections import RECTIFICATION_STATES


class RectificationSchema(Schema):
    id = ma.fields.Integer()
    site_id = ma.fields.Integer()
    area_id = ma.fields.Integer()
    inspection_id = ma.fields.UUID()
    checklist = ma.fields.String()
    item_code = ma.fields.String()
    requirement = ma.fields.String()
    requirement_en = ma.fields.String()
    fault = ma.fields.String()
    fault_en = ma.fields.String()
    assignee_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "the responsible staff member"}
    )
    contractor_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "or the contractor 服务供方"}
    )
    status = ma.fields.String(metadata={"description": "open | done | verified | reopened"})
    overdue = ma.fields.Boolean()
    created_at = ZonedDateTime()
    due_at = ZonedDateTime()
    done_at = ZonedDateTime(allow_none=True)
    done_by_id = ma.fields.Integer(allow_none=True)
    done_note = ma.fields.String()
    done_photo_ids = ma.fields.List(ma.fields.String())
    verified_at = ZonedDateTime(allow_none=True)
    verified_by_id = ma.fields.Integer(allow_none=True)
    verify_note = ma.fields.String()
    reopen_count = ma.fields.Integer()


class RectificationQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    area_id = ma.fields.Integer()
    assignee_id = ma.fields.Integer()
    contractor_id = ma.fields.Integer()
    status = ma.fields.String(validate=ma.validate.OneOf(RECTIFICATION_STATES))
    overdue = ma.fields.Boolean(metadata={"description": "unresolved and past the due time"})


class DoneSchema(Schema):
    note = text_field(500, allow_empty=True, load_default="")
    photo_ids = ma.fields.List(
        ma.fields.UUID(),
        required=True,
        validate=ma.validate.Length(min=1, max=10),
        metadata={"description": "a photo of the fixed fault is required"},
    )


class VerifySchema(Schema):
    outcome = ma.fields.String(required=True, validate=ma.validate.OneOf(("verified", "reopened")))
    note = text_field(500, allow_empty=True, load_default="")


class OverdueCountSchema(Schema):
    site_id = ma.fields.Integer()
    assignee_id = ma.fields.Integer(allow_none=True)
    contractor_id = ma.fields.Integer(allow_none=True)
    overdue = ma.fields.Integer()
