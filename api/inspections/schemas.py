import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field
from models.rules.scoring import RESULTS


class AnswerSchema(Schema):
    code = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=48))
    result = ma.fields.String(required=True, validate=ma.validate.OneOf(RESULTS))
    measured_seconds = ma.fields.Float(
        allow_none=True,
        validate=ma.validate.Range(min=0, max=86400),
        metadata={"description": "timed items: the measured seconds (the server judges pass/fail)"},
    )
    note = text_field(500, allow_empty=True)
    photo_ids = ma.fields.List(ma.fields.UUID(), validate=ma.validate.Length(max=10))


class InspectionSubmitSchema(Schema):
    id = ma.fields.UUID(
        required=True, metadata={"description": "made by the phone; resubmitting is safe"}
    )
    checklist = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=48))
    checklist_version = ma.fields.Integer(required=True, validate=ma.validate.Range(min=1))
    staff_id = ma.fields.Integer(
        metadata={"description": "the person inspected (grooming, etiquette)"}
    )
    area_id = ma.fields.Integer(
        metadata={"description": "the area inspected (cleaning, greening, pest control)"}
    )
    inspected_at = ZonedDateTime(
        required=True, metadata={"description": "the phone's time, with offset"}
    )
    device_id = text_field(64, allow_empty=True)
    note = text_field(1000, allow_empty=True)
    items = ma.fields.List(
        ma.fields.Nested(AnswerSchema), required=True, validate=ma.validate.Length(min=1, max=300)
    )

    @ma.validates_schema
    def one_subject(self, data, **kwargs):
        if ("staff_id" in data) == ("area_id" in data):
            raise ma.ValidationError("Give either staff_id or area_id.", "staff_id")


class CorrectionSchema(Schema):
    id = ma.fields.UUID(
        required=True, metadata={"description": "the new record's id, made by the phone"}
    )
    reason = text_field(500, required=True)
    note = text_field(1000, allow_empty=True)
    items = ma.fields.List(
        ma.fields.Nested(AnswerSchema), required=True, validate=ma.validate.Length(min=1, max=300)
    )


class GradeSchema(Schema):
    code = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String()
    floor = ma.fields.Float(
        allow_none=True, metadata={"description": "the lowest score of this grade"}
    )


class PhotoBriefSchema(Schema):
    id = ma.fields.String()
    reused = ma.fields.Boolean(
        metadata={"description": "identical or near-identical to an earlier photo"}
    )
    reused_of_id = ma.fields.String(allow_none=True)
    image_url = ma.fields.String()
    thumbnail_url = ma.fields.String()


class ItemResultSchema(Schema):
    code = ma.fields.String()
    section = ma.fields.String()
    result = ma.fields.String()
    measured_seconds = ma.fields.Float(allow_none=True)
    limit_seconds = ma.fields.Float(allow_none=True)
    weight = ma.fields.Integer()
    critical = ma.fields.Boolean()
    note = ma.fields.String()
    photo_ids = ma.fields.List(ma.fields.String())
    photos = ma.fields.List(ma.fields.Nested(PhotoBriefSchema))
    requirement = ma.fields.String()
    requirement_en = ma.fields.String()
    fault = ma.fields.String()
    fault_en = ma.fields.String()
    impression = ma.fields.String()
    impression_en = ma.fields.String()


class InspectionSummarySchema(Schema):
    id = ma.fields.UUID()
    site_id = ma.fields.Integer()
    checklist = ma.fields.String()
    checklist_version = ma.fields.Integer()
    checklist_title = ma.fields.String()
    checklist_title_en = ma.fields.String()
    kind = ma.fields.String()
    subject_type = ma.fields.String()
    staff_id = ma.fields.Integer(allow_none=True)
    team_id = ma.fields.Integer(allow_none=True)
    area_id = ma.fields.Integer(allow_none=True)
    inspector_id = ma.fields.Integer()
    inspected_at = ZonedDateTime()
    submitted_at = ZonedDateTime()
    month = ma.fields.Integer(metadata={"description": "YYYYMM in the site's zone"})
    score = ma.fields.Float(
        allow_none=True, metadata={"description": "missing when every item was N/A"}
    )
    grade = ma.fields.Nested(GradeSchema, allow_none=True)
    passed = ma.fields.Boolean(allow_none=True)
    pass_mark = ma.fields.Float(
        metadata={"description": "the score a pass needs (达标线), whatever the grade's name"}
    )
    critical_failed = ma.fields.Boolean()
    status = ma.fields.String(metadata={"description": "final | superseded (by a correction)"})
    corrects_id = ma.fields.UUID(allow_none=True)
    correction_reason = ma.fields.String()
    note = ma.fields.String()


class InspectionSchema(InspectionSummarySchema):
    items = ma.fields.List(ma.fields.Nested(ItemResultSchema))
    rectification_ids = ma.fields.List(ma.fields.Integer())
    coaching_ids = ma.fields.List(ma.fields.Integer())


class InspectionQuerySchema(QuerySchema):
    site_id = ma.fields.Integer()
    area_id = ma.fields.Integer()
    staff_id = ma.fields.Integer()
    team_id = ma.fields.Integer()
    inspector_id = ma.fields.Integer()
    checklist = ma.fields.String(validate=ma.validate.Length(max=48))
    kind = ma.fields.String(validate=ma.validate.Length(max=16))
    grade = ma.fields.String(validate=ma.validate.Length(max=4))
    critical_failed = ma.fields.Boolean()
    passed = ma.fields.Boolean()
    status = ma.fields.String(validate=ma.validate.OneOf(("final", "superseded")))
    inspected_from = ZonedDateTime(
        metadata={"description": "inspected at or after, e.g. 2026-11-01T00:00:00+08:00"}
    )
    inspected_to = ZonedDateTime(metadata={"description": "inspected before"})
