import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime, text_field
from models.rules.workdays import KINDS, SITE_KINDS, SOURCES

YEAR = ma.fields.Integer(
    required=True, validate=ma.validate.Range(2000, 2100), metadata={"description": "YYYY"}
)


class CalendarQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    year = YEAR


class CalendarDaySchema(Schema):
    day = ma.fields.Date()
    kind = ma.fields.String(metadata={"description": " | ".join(KINDS)})
    source = ma.fields.String(metadata={"description": " | ".join(SOURCES)})
    working = ma.fields.Boolean(metadata={"description": "whether people work that day"})
    name = ma.fields.String(metadata={"description": "the statutory holiday's name, or empty"})
    name_zh = ma.fields.String(metadata={"description": "its Chinese name (春节), or empty"})
    site_day_id = ma.fields.Integer(
        allow_none=True, metadata={"description": "the site's own day behind it, if any"}
    )
    note = ma.fields.String(metadata={"description": "the site's note for its own day"})


class CalendarSchema(Schema):
    site_id = ma.fields.Integer()
    year = ma.fields.Integer()
    covered = ma.fields.Boolean(
        metadata={"description": "whether the State Council's notice for the year is known"}
    )
    warning = ma.fields.String(
        allow_none=True,
        metadata={"description": "Chinese and English, when the year is not covered"},
    )
    days = ma.fields.List(
        ma.fields.Nested(CalendarDaySchema),
        metadata={"description": "every day that is not an ordinary weekday or weekend"},
    )


class SiteDaySchema(Schema):
    id = ma.fields.Integer(dump_only=True)
    site_id = ma.fields.Integer(required=True)
    day = ma.fields.Date(
        required=True,
        metadata={"pattern": "^(20[0-9]{2}|2100)-", "description": "a day from 2000 to 2100"},
    )
    kind = ma.fields.String(
        required=True,
        validate=ma.validate.OneOf(SITE_KINDS),
        metadata={"description": "closed: a day off at this site; open: a working day here"},
    )
    note = text_field(200, allow_empty=True, load_default="")
    created_at = ZonedDateTime(dump_only=True)

    @ma.validates("day")
    def in_range(self, value, **kwargs):
        if not 2000 <= value.year <= 2100:
            raise ma.ValidationError("A day between 2000 and 2100.")


class SiteDayQuerySchema(QuerySchema):
    site_id = ma.fields.Integer(required=True)
    year = ma.fields.Integer(validate=ma.validate.Range(2000, 2100))
