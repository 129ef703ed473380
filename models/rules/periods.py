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


def months_up_to(month: int, count: int) -> list[int]:
    """The ``count`` YYYYMM months ending with ``month``, oldest first (a chart's x axis)."""
    months = []
    year, number = divmod(month, 100)
    for _ in range(count):
        months.append(year * 100 + number)
        year, number = (year, number - 1) if number > 1 else (year - 1, 12)
    return list(reversed(months))
