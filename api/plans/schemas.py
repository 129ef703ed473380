import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import month_field


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
