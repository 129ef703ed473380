import marshmallow as ma
from flask import g, has_request_context, request

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, month_field, text_field
from models.records.monthly import ADJUSTABLE
from models.rules.monthly import COMPONENTS
from models.tables.org import Staff

MONTH = month_field(required=True)


class RecordSchema(Schema):
    staff_id = ma.fields.Integer()
    employee_no = ma.fields.String()
    name = ma.fields.String()
    job = ma.fields.String()
    site_id = ma.fields.Integer()
    team_id = ma.fields.Integer(allow_none=True)
    team = ma.fields.String()
    grooming_score = ma.fields.Float(
        allow_none=True, metadata={"description": "missing when no inspection"}
    )
    grooming_count = ma.fields.Integer()
    etiquette_score = ma.fields.Float(allow_none=True)
    etiquette_count = ma.fields.Integer()
    greeting_compliance = ma.fields.Float(
        allow_none=True, metadata={"description": "percent on time"}
    )
    greeting_shifts = ma.fields.Integer()
    patrol_completion = ma.fields.Float(
        allow_none=True, metadata={"description": "percent of rounds complete"}
    )
    patrol_rounds = ma.fields.Integer()
    area_score = ma.fields.Float(
        allow_none=True, metadata={"description": "the areas this person keeps"}
    )
    area_count = ma.fields.Integer()
    followup_rate = ma.fields.Float(
        allow_none=True,
        metadata={
            "description": "percent of the follow-ups handled this month that met their "
            "promise's deadline (the manuals' target: 100%); missing when none was handled"
        },
    )
    followup_count = ma.fields.Integer(metadata={"description": "follow-ups handled"})
    followup_on_time = ma.fields.Integer(metadata={"description": "of them, on time"})
    composite = ma.fields.Float(allow_none=True)
    grade = ma.fields.String(allow_none=True)
    passed = ma.fields.Boolean(allow_none=True)
    critical_failed = ma.fields.Boolean()
    inspections_planned = ma.fields.Integer(
        metadata={"description": "grooming and etiquette checks the plan asks for this month"}
    )
    inspections_done = ma.fields.Integer(metadata={"description": "of them, done"})
    not_inspected = ma.fields.Boolean(
        metadata={"description": "未检查: planned but never inspected (scores stay missing, not 0)"}
    )
    closed = ma.fields.Boolean(
        metadata={"description": "frozen: the month is closed for this site"}
    )


class RecordQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    month = MONTH
    team_id = ma.fields.Integer()


class SummaryQuerySchema(QuerySchema):
    month = MONTH
    site_id = ma.fields.Integer(
        metadata={"description": "one site (with its teams), or all my sites"}
    )


class GroupSchema(Schema):
    site_id = ma.fields.Integer()
    team_id = ma.fields.Integer(allow_none=True)
    staff = ma.fields.Integer()
    scored = ma.fields.Integer()
    passed = ma.fields.Integer()
    pass_rate = ma.fields.Float(
        allow_none=True, metadata={"description": "percent of scored people passing"}
    )
    composite = ma.fields.Float(allow_none=True)
    grooming = ma.fields.Float(allow_none=True)
    etiquette = ma.fields.Float(allow_none=True)
    followups_handled = ma.fields.Integer(
        metadata={"description": "follow-ups the group's people handled this month"}
    )
    followups_on_time = ma.fields.Integer(metadata={"description": "of them, on time"})
    followup_rate = ma.fields.Float(
        allow_none=True, metadata={"description": "percent on time, against the 100% target"}
    )
    grades = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


class WorstItemSchema(Schema):
    checklist = ma.fields.String()
    item_code = ma.fields.String()
    fails = ma.fields.Integer()
    requirement = ma.fields.String()
    requirement_en = ma.fields.String()
    fault = ma.fields.String()
    fault_en = ma.fields.String()


class SummarySchema(Schema):
    month = ma.fields.Integer()
    sites = ma.fields.List(ma.fields.Nested(GroupSchema))
    teams = ma.fields.List(ma.fields.Nested(GroupSchema))
    worst_items = ma.fields.List(ma.fields.Nested(WorstItemSchema))
    stars = ma.fields.List(ma.fields.Nested(RecordSchema), metadata={"description": "服务标兵"})


class QuarterQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    year = ma.fields.Integer(required=True, validate=ma.validate.Range(2000, 2100))
    quarter = ma.fields.Integer(required=True, validate=ma.validate.Range(1, 4))


class QuarterPersonSchema(Schema):
    staff_id = ma.fields.Integer()
    employee_no = ma.fields.String()
    name = ma.fields.String()
    site_id = ma.fields.Integer()
    team_id = ma.fields.Integer(allow_none=True)
    monthly = ma.fields.List(ma.fields.Float(allow_none=True))
    score = ma.fields.Float(allow_none=True)
    grade = ma.fields.String(allow_none=True)


class QuarterTeamSchema(Schema):
    team_id = ma.fields.Integer(allow_none=True)
    score = ma.fields.Float(allow_none=True)
    grade = ma.fields.String(allow_none=True)
    people = ma.fields.Integer()


class QuarterSchema(Schema):
    people = ma.fields.List(ma.fields.Nested(QuarterPersonSchema))
    teams = ma.fields.List(ma.fields.Nested(QuarterTeamSchema))


class TraceQuerySchema(QuerySchema):
    staff_id = ma.fields.Integer(required=True)
    month = MONTH
    component = ma.fields.String(required=True, validate=ma.validate.OneOf(COMPONENTS))


def _query_int(name: str) -> int | None:
    """An integer of the request's query (validated already by the view's query schema)."""
    if not has_request_context():
        return None
    try:
        return int(request.args.get(name, ""))
    except ValueError:
        return None


class TraceSchema(Schema):
    type = ma.fields.String()
    id = ma.fields.String()
    at = ZonedDateTime(metadata={"description": "with the offset of the person's site"})
    score = ma.fields.Float(allow_none=True)
    grade = ma.fields.String(allow_none=True)
    status = ma.fields.String(
        metadata={"description": "a round's or shift's state; a follow-up: on_time | late"}
    )
    missed = ma.fields.List(ma.fields.Integer())
    due_at = ZonedDateTime(metadata={"description": "a follow-up: its promise's deadline"})

    @ma.pre_dump
    def in_the_site_zone(self, item, **kwargs):
        """Rows carry no site: the time is shown in the zone of the traced person's site."""
        if isinstance(item, dict) and "site_id" not in item and has_request_context():
            if "traced_site_id" not in g:
                row = Staff.select(Staff.site).where(Staff.id == _query_int("staff_id")).first()
                g.traced_site_id = row.site_id if row else None
            item = {**item, "site_id": g.traced_site_id}
        return item


class CloseSchema(Schema):
    site_id = ma.fields.Integer(required=True)
    month = MONTH


class CloseResultSchema(Schema):
    site_id = ma.fields.Integer()
    month = ma.fields.Integer()
    records = ma.fields.Integer()
    closed_at = ZonedDateTime()
    inspections_planned = ma.fields.Integer(metadata={"description": "checks planned that month"})
    inspections_done = ma.fields.Integer()
    coverage_warning = ma.fields.String(
        allow_none=True, metadata={"description": "set when coverage was below the plan"}
    )


class AdjustmentRequestSchema(Schema):
    site_id = ma.fields.Integer(required=True)
    month = MONTH
    staff_id = ma.fields.Integer(required=True)
    field = ma.fields.String(required=True, validate=ma.validate.OneOf(ADJUSTABLE))
    value = ma.fields.Float(required=True, allow_none=True, validate=ma.validate.Range(0, 100))
    reason = text_field(500, required=True)


class AdjustmentSchema(Schema):
    id = ma.fields.Integer()
    staff_id = ma.fields.Integer()
    month = ma.fields.Integer()
    field = ma.fields.String()
    before = ma.fields.Float(allow_none=True)
    after = ma.fields.Float(allow_none=True)
    reason = ma.fields.String()
    made_by_id = ma.fields.Integer()
    made_at = ZonedDateTime(metadata={"description": "with the offset of the site's zone"})

    @ma.pre_dump
    def in_the_site_zone(self, item, **kwargs):
        """Rows carry no site: the time is shown in the zone of the site asked about."""
        if isinstance(item, dict) and "site_id" not in item:
            item = {**item, "site_id": _query_int("site_id")}
        return item


class AdjustmentQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    month = MONTH


class ExportQuerySchema(QuerySchema):
    month = MONTH
    site_id = ma.fields.Integer(metadata={"description": "one site, or all my sites"})
    language = ma.fields.String(load_default="zh", validate=ma.validate.OneOf(("zh", "en")))


class TrendQuerySchema(QuerySchema):
    month = MONTH


class GradeChartQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    month = MONTH
