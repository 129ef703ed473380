from datetime import time

import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field, validate_timezone
from models.tables.org import SITE_TYPES

HHMM = "%H:%M"


class SiteSchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    name = ma.fields.String()
    code = ma.fields.String()
    site_type = ma.fields.String(metadata={"description": "office | residential | mixed"})
    timezone = ma.fields.String(metadata={"description": "IANA time zone, e.g. Asia/Shanghai"})
    workday_start = ma.fields.Time(format=HHMM, allow_none=True)
    evening_peak_start = ma.fields.Time(format=HHMM, allow_none=True)
    evening_peak_end = ma.fields.Time(format=HHMM, allow_none=True)
    service_grade = ma.fields.Integer()
    address = ma.fields.String()
    active = ma.fields.Boolean()
    created_at = ZonedDateTime()
    updated_at = ZonedDateTime()


class _SiteFields(Schema):
    name = text_field(100)
    code = ma.fields.String(
        validate=ma.validate.Regexp(
            r"^[A-Z0-9-]{2,16}$", error="2-16 capital letters, digits or '-'."
        )
    )
    site_type = ma.fields.String(validate=ma.validate.OneOf(SITE_TYPES))
    timezone = ma.fields.String(validate=[ma.validate.Length(max=64), validate_timezone])
    workday_start = ma.fields.Time(format=HHMM, allow_none=True)
    evening_peak_start = ma.fields.Time(format=HHMM, allow_none=True)
    evening_peak_end = ma.fields.Time(format=HHMM, allow_none=True)
    service_grade = ma.fields.Integer(
        validate=ma.validate.Range(1, 3),
        metadata={"description": "contracted service grade: 1 (一级, highest) to 3 (三级)"},
    )
    address = text_field(200, allow_empty=True)

    @ma.validates_schema
    def check_evening_peak(self, data, **kwargs):
        start, end = data.get("evening_peak_start"), data.get("evening_peak_end")
        if start and end and end <= start:
            raise ma.ValidationError(
                "The evening peak must end after it starts.", "evening_peak_end"
            )


class SiteCreateSchema(_SiteFields):
    name = text_field(100, required=True)
    code = ma.fields.String(
        required=True,
        validate=ma.validate.Regexp(
            r"^[A-Z0-9-]{2,16}$", error="2-16 capital letters, digits or '-'."
        ),
    )
    site_type = ma.fields.String(required=True, validate=ma.validate.OneOf(SITE_TYPES))
    timezone = ma.fields.String(
        load_default="Asia/Shanghai", validate=[ma.validate.Length(max=64), validate_timezone]
    )
    service_grade = ma.fields.Integer(load_default=2, validate=ma.validate.Range(1, 3))

    @ma.post_load
    def default_windows(self, data, **kwargs):
        """Office towers need a working-day start and estates an evening peak (greeting duty)."""
        if data["site_type"] in ("office", "mixed"):
            data.setdefault("workday_start", time(9, 0))
        if data["site_type"] in ("residential", "mixed"):
            data.setdefault("evening_peak_start", time(18, 0))
            data.setdefault("evening_peak_end", time(18, 30))
        return data


class SiteUpdateSchema(_SiteFields):
    active = ma.fields.Boolean()


class SiteQuerySchema(QuerySchema):
    active = ma.fields.Boolean()
    site_type = ma.fields.String(validate=ma.validate.OneOf(SITE_TYPES))


class KeyVersionSchema(Schema):
    site_id = ma.fields.Integer()
    key_version = ma.fields.Integer()
