"""Fields shared by the schemas: times are stored in UTC and shown in the site's zone."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

import marshmallow as ma
from flask import g, has_request_context

from models.tables.org import Site

UTC_ZONE = ZoneInfo("UTC")


def site_zone(site_id: int | None) -> ZoneInfo:
    """The zone of a site, looked up once per request and site."""
    if site_id is None:
        return UTC_ZONE
    cache = g.setdefault("site_zones", {}) if has_request_context() else {}
    if site_id not in cache:
        row = Site.select(Site.timezone).where(Site.id == site_id).first()
        cache[site_id] = ZoneInfo(row.timezone) if row else UTC_ZONE
    return cache[site_id]


def to_utc(value: datetime) -> datetime:
    """An aware datetime as naive UTC, the way it is stored."""
    return value.astimezone(UTC).replace(tzinfo=None)


class ZonedDateTime(ma.fields.DateTime):
    """ISO 8601 with offset. Output is in the zone of the object's site (``site_id`` on the
    object, or the object itself when it is a site); input must carry an offset."""

    default_error_messages = {
        "naive": "Give the time with its UTC offset, e.g. 2026-11-23T08:30:00+08:00."
    }

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        if isinstance(obj, Site):
            site_id = obj.id
        elif isinstance(obj, dict):  # views that present rows as dicts keep "site_id" in them
            site_id = obj.get("site_id")
        else:
            site_id = getattr(obj, "site_id", None)
        return value.replace(tzinfo=UTC).astimezone(site_zone(site_id)).isoformat()

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        if result.tzinfo is None:
            raise self.make_error("naive")
        return to_utc(result)


def validate_timezone(name: str) -> None:
    if name not in available_timezones():
        raise ma.ValidationError(
            f"Unknown time zone {name!r}; use an IANA name such as Asia/Shanghai."
        )
    try:
        ZoneInfo(name)
    except ZoneInfoNotFoundError as exc:  # pragma: no cover - listed but not loadable
        raise ma.ValidationError(f"Unknown time zone {name!r}.") from exc


def validate_month_of_year(value: int) -> None:
    if not 1 <= value % 100 <= 12:
        raise ma.ValidationError("Give the month as YYYYMM, e.g. 202611.")


def month_field(**kwargs):
    """A month as the integer YYYYMM (2000-01 to 2100-12); 202613 or 202600 is a 422. The
    document says so: the range, and the ``Month`` component (one range per year, registered
    by api/extensions.py) for the months of each year."""
    metadata = {
        "description": "a month as YYYYMM, e.g. 202611 (2000-01 to 2100-12)",
        "example": 202611,
        "allOf": [{"$ref": "#/components/schemas/Month"}],
        **kwargs.pop("metadata", {}),
    }
    return ma.fields.Integer(
        validate=[ma.validate.Range(200001, 210012), validate_month_of_year],
        metadata=metadata,
        **kwargs,
    )


def text_field(max_length: int, *, required: bool = False, allow_empty: bool = False, **kwargs):
    """A string field with the column's length limit, so over-long input is a 422, not a 500."""
    return ma.fields.String(
        required=required,
        validate=ma.validate.Length(min=0 if allow_empty else 1, max=max_length),
        **kwargs,
    )
