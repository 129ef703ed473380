import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, month_field, text_field
from models.tables.org import AREA_TYPES, JOBS

# "2/week": N per day (1-4), week (1-7) or month (1-28); "0": nothing planned.
FREQUENCY = r"^(0|[1-4]/day|[1-7]/week|([1-9]|1[0-9]|2[0-8])/month)$"


class SubjectSchema(Schema):
    kind = ma.fields.String(metadata={"description": "area | staff"})
    id = ma.fields.Integer()
    name = ma.fields.String()


class TodoQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(
        metadata={"description": "one of my sites; all of them if left out"}
    )


class TodoSchema(Schema):
    site_id = ma.fields.Integer()
    subject = ma.fields.Nested(SubjectSchema)
    checklist = ma.fields.String(metadata={"description": "the checklist code the phone opens"})
    kind = ma.fields.String(metadata={"description": "the checklist kind that ticks this off"})
    due = ma.fields.Date(metadata={"description": "the site's local day this check is due"})
    overdue = ma.fields.Boolean()
    period = ma.fields.String(metadata={"description": "day | week | month"})
    remaining = ma.fields.Integer(metadata={"description": "checks still open in the period"})
    frequency = ma.fields.String(metadata={"description": "the plan, e.g. 3/week"})


class CoverageQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(
        metadata={"description": "one of my sites; all of them if left out"}
    )
    month = month_field(metadata={"description": "YYYYMM; this month if left out"})


class UncoveredSchema(Schema):
    subject = ma.fields.Nested(SubjectSchema)
    checklist = ma.fields.String()
    kind = ma.fields.String()
    frequency = ma.fields.String()
    planned = ma.fields.Integer()
    done = ma.fields.Integer()


class CoverageSchema(Schema):
    site_id = ma.fields.Integer()
    site = ma.fields.String()
    service_grade = ma.fields.Integer()
    month = ma.fields.Integer()
    planned = ma.fields.Integer(metadata={"description": "checks the plan asks for this month"})
    done = ma.fields.Integer(
        metadata={"description": "of them, done (extra checks of one subject count once)"}
    )
    ratio = ma.fields.Float(allow_none=True, metadata={"description": "done / planned"})
    below_plan = ma.fields.Boolean()
    uncovered_people = ma.fields.Integer()
    uncovered_areas = ma.fields.Integer()
    uncovered = ma.fields.List(
        ma.fields.Nested(UncoveredSchema),
        metadata={"description": "the people and areas inspected less than planned"},
    )


class OverrideQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(
        metadata={"description": "one of my sites; all of them if left out"}
    )


class OverrideSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    site_id = ma.fields.Integer(required=True)
    checklist = ma.fields.String(
        required=True,
        metadata={"description": "a staff or area checklist's code (its kind is what counts)"},
    )
    match = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(sorted({*AREA_TYPES, *JOBS})),
        metadata={"description": "the area type (area checklists) or job (staff checklists)"},
    )
    subject = ma.fields.String(dump_only=True, metadata={"description": "area | staff"})
    kind = ma.fields.String(dump_only=True)
    frequency = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(FREQUENCY),
        metadata={
            "pattern": FREQUENCY,
            "description": 'N/day, N/week or N/month, e.g. "1/day"; "0" plans nothing',
        },
    )
    reason = text_field(500, required=True, metadata={"description": "why (e.g. the contract)"})
    updated_at = ZonedDateTime(dump_only=True)
