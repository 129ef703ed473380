"""Calendar periods in a site's own zone: a report month is the site's month, not UTC's."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def month_of(moment_utc: datetime, zone: ZoneInfo) -> int:
    """YYYYMM of a naive-UTC moment as the site's clock shows it."""
    local = moment_utc.replace(tzinfo=UTC).astimezone(zone)
    return local.year * 100 + local.month


def quarter_of(month: int) -> int:
    """1..4 for a YYYYMM month."""
    return (month % 100 - 1) // 3 + 1
