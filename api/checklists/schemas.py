import marshmallow as ma

from api.extensions import QuerySchema, Schema
from models.files.checklist_files import SUBJECT_KINDS

KINDS = sorted({kind for kinds in SUBJECT_KINDS.values() for kind in kinds})


class ChecklistItemSchema(Schema):
    code = ma.fields.String()
    section = ma.fields.String()
    requirement = ma.fields.String(metadata={"description": "应当: what the standard requires"})
    requirement_en = ma.fields.String()
    fault = ma.fields.String(metadata={"description": "不可: the fault an inspector looks for"})
    fault_en = ma.fields.String()
    impression = ma.fields.String(
        metadata={"description": "留给客户感觉: what the fault tells a client"}
    )
    impression_en = ma.fields.String()
    weight = ma.fields.Integer()
    critical = ma.fields.Boolean(metadata={"description": "a red-line item"})
    photo_on_fail = ma.fields.Boolean()
    limit_seconds = ma.fields.Float(allow_none=True, metadata={"description": "timed items only"})
    source = ma.fields.String()


class ChecklistSectionSchema(Schema):
    code = ma.fields.String()
    title = ma.fields.String()
    title_en = ma.fields.String()
    items = ma.fields.List(ma.fields.Nested(ChecklistItemSchema))


class ChecklistSummarySchema(Schema):
    code = ma.fields.String()
    subject = ma.fields.String()
    kind = ma.fields.String()
    title = ma.fields.String()
    title_en = ma.fields.String()
    version = ma.fields.Integer()
    source = ma.fields.String()
    applies_to = ma.fields.Dict()
    item_count = ma.fields.Integer()


class ChecklistSchema(ChecklistSummarySchema):
    rules = ma.fields.Dict()
    sections = ma.fields.List(ma.fields.Nested(ChecklistSectionSchema))


class ChecklistQuerySchema(QuerySchema):
    subject = ma.fields.String(validate=ma.validate.OneOf(sorted(SUBJECT_KINDS)))
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    staff_id = ma.fields.Integer(
        metadata={"description": "only checklists that apply to this person"}
    )
    area_id = ma.fields.Integer(metadata={"description": "only checklists that apply to this area"})


class ChecklistVersionQuerySchema(QuerySchema):
    version = ma.fields.Integer(validate=ma.validate.Range(min=1))
    staff_id = ma.fields.Integer(
        metadata={"description": "only the items that apply to this person"}
    )
    area_id = ma.fields.Integer(metadata={"description": "only the items that apply to this area"})
