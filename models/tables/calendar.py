"""A site's own days in the working-day calendar 工作日历 (models/rules/workdays.py): its own
closures and company days off (``closed``), and days it works that the statute gives off
(``open``). The statutory holidays and 调休 days are not stored: they come from the library."""

from datetime import date

from peewee import CharField, DateField, DateTimeField, ForeignKeyField

from models import BaseModel, utcnow
from models.rules.workdays import DutyCalendar, duty_calendar
from models.tables.accounts import User
from models.tables.org import Site


class SiteDay(BaseModel):
    site = ForeignKeyField(Site, on_delete="CASCADE")
    day = DateField()
    kind = CharField(max_length=8)  # closed | open
    note = CharField(max_length=200, default="")
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("site", "day"), True),)


def site_days(site_id: int, first_day: date, last_day: date) -> dict[date, str]:
    """The site's own days first..last as ``{day: "closed" | "open"}``, for the rules."""
    return {
        row.day: row.kind
        for row in SiteDay.select(SiteDay.day, SiteDay.kind).where(
            (SiteDay.site == site_id) & (SiteDay.day >= first_day) & (SiteDay.day <= last_day)
        )
    }


def site_duty_calendar(site_id: int, first_day: date, last_day: date) -> DutyCalendar:
    """The span's days off and make-up working days at a site (statute plus the site's own
    days), as ``greeting_windows.duty_days`` takes them, and the years not covered."""
    return duty_calendar(first_day, last_day, site_days(site_id, first_day, last_day))
