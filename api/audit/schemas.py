import json
from datetime import date, datetime

import marshmallow as ma

from api.extensions import QuerySchema, Schema
from api.fields import ZonedDateTime


class AuditEntrySchema(Schema):
    id = ma.fields.Integer()
    at = ZonedDateTime()
    user_id = ma.fields.Integer(allow_none=True)
    action = ma.fields.String()
    entity = ma.fields.String()
    entity_id = ma.fields.String()
    site_id = ma.fields.Integer(allow_none=True)
    before = ma.fields.Method("get_before", metadata={"description": "changed fields before"})
    after = ma.fields.Method("get_after", metadata={"description": "changed fields after"})
    reason = ma.fields.String()
    request_id = ma.fields.String()

    def get_before(self, entry):
        return json.loads(entry.before) if entry.before else None

    def get_after(self, entry):
        return json.loads(entry.after) if entry.after else None


class DayOrMoment(ma.fields.Field):
    """A day (``2026-03-01``: a date) or a moment with its UTC offset
    (``2026-03-01T08:00:00+08:00``: an aware datetime)."""

    default_error_messages = {
        "invalid": "Give a date (2026-03-01) or a time with its offset "
        "(2026-03-01T08:00:00+08:00).",
        "naive": "Give the time with its UTC offset, e.g. 2026-03-01T08:00:00+08:00.",
        "range": "Give a year between 1900 and 9000.",
    }

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str) or len(value) > 40:
            raise self.make_error("invalid")
        text = value.strip()
        try:
            if "T" not in text.upper():
                day = date.fromisoformat(text)
            else:
                # An unencoded "+" in a query string arrives as a space.
                day = moment = datetime.fromisoformat(text.replace(" ", "+"))
                if moment.tzinfo is None:
                    raise self.make_error("naive")
        except ValueError as exc:
            raise self.make_error("invalid") from exc
        # Far from any stored change, and a day either side (zones, "the next day") must stay
        # within what a datetime holds.
        if not 1900 <= day.year <= 9000:
            raise self.make_error("range")
        return day


# What DayOrMoment takes, for the document: a date or an RFC 3339 time (with its offset) of a
# year from 1900 to 9000, in at most 40 characters.
DAY_OR_MOMENT = {
    "type": "string",
    "anyOf": [{"format": "date"}, {"format": "date-time"}],
    "pattern": "^(19[0-9]{2}|[2-8][0-9]{3}|9000)-",
    "maxLength": 40,
}


class AuditQuerySchema(QuerySchema):
    entity = ma.fields.String(validate=ma.validate.Length(max=32))
    entity_id = ma.fields.String(validate=ma.validate.Length(max=64))
    site_id = ma.fields.Integer()
    user_id = ma.fields.Integer()
    action = ma.fields.String(
        validate=ma.validate.Length(max=32),
        metadata={"description": "e.g. create, update, review, set-webhook"},
    )
    since = DayOrMoment(
        metadata={
            **DAY_OR_MOMENT,
            "description": "changes at or after this time; a date means from the start of that "
            "day (in the site's zone when site_id is given, else the company's default zone)",
        }
    )
    until = DayOrMoment(
        metadata={
            **DAY_OR_MOMENT,
            "description": "changes at or before this time; a date means up to the end of that day",
        }
    )
