"""Issue 23: the greeting rota follows the working-day calendar (chinese-calendar's statutory
holidays and 调休 make-up working days, a site's own days on top), an estate keeps its holiday
duty unless it says otherwise, and a month the calendar does not know warns instead of
guessing."""

from datetime import date, datetime, time, timedelta

import chinese_calendar
import pytest

from models.records.greeting_records import generate_rota, settings_for
from models.tables.greeting import GreetingShift
from models.tables.org import Site, Staff


@pytest.fixture
def managers(app, world):
    """Four managers at the office tower (work starts 09:00: duty 08:30-09:00, Mon-Fri)."""
    with app.app_context():
        Site.update(workday_start=time(9, 0)).where(Site.id == world.site_a.id).execute()
        for n in range(1, 5):
            Staff.create(
                employee_no=f"M-{n}",
                name=f"经理{n}",
                gender="male",
                job="manager",
                site=world.site_a,
            )


def duty_days_of(app, site_id: int, month: int, now: datetime) -> set[date]:
    with app.app_context():
        generate_rota(Site.get_by_id(site_id), month, now)
        return {
            s.day
            for s in GreetingShift.select().where(
                (GreetingShift.site == site_id) & (GreetingShift.month == month)
            )
        }


def month_days(year: int, month: int) -> list[date]:
    day, days = date(year, month, 1), []
    while day.month == month:
        days.append(day)
        day += timedelta(days=1)
    return days


def test_an_office_towers_october_2026_skips_the_holidays_and_stands_the_makeup_days(
    app, world, managers
):
    days = duty_days_of(app, world.site_a.id, 202610, datetime(2026, 9, 20))
    expected = {d for d in month_days(2026, 10) if chinese_calendar.is_workday(d)}
    assert days == expected
    assert date(2026, 10, 1) not in days  # 国庆节
    assert date(2026, 10, 10) in days and date(2026, 10, 10).weekday() == 5  # a 调休 Saturday


def test_a_month_the_calendar_does_not_know_warns_and_keeps_the_fixed_date_holiday(
    app, world, managers
):
    with app.app_context():
        built = generate_rota(Site.get_by_id(world.site_a.id), 202701, datetime(2026, 12, 4, 8))
    assert any("2027年的法定节假日和调休安排尚未收录" in w for w in built.warnings)
    days = duty_days_of(app, world.site_a.id, 202701, datetime(2026, 12, 4, 8))
    assert date(2027, 1, 1) not in days  # 元旦 is fixed by date: known without the notice
    assert date(2027, 1, 4) in days  # an ordinary Monday


def test_a_sites_own_closure_skips_duty(app, world, managers):
    closed = date(2026, 12, 16)  # a Wednesday
    r = world.client.post(
        "/api/calendar/days",
        headers=world.headers("supervisor"),
        json={"site_id": world.site_a.id, "day": closed.isoformat(), "kind": "closed"},
    )
    assert r.status_code == 201, r.json
    days = duty_days_of(app, world.site_a.id, 202612, datetime(2026, 12, 4, 8))
    assert closed not in days and closed + timedelta(days=1) in days


def test_an_estate_keeps_its_holiday_duty_unless_it_says_so(app, world):
    estate = world.site_b  # residential: an evening window every day
    with app.app_context():
        Site.update(evening_peak_start=time(18, 0), evening_peak_end=time(18, 30)).where(
            Site.id == estate.id
        ).execute()
        Staff.create(employee_no="B-M1", name="经理甲", gender="male", job="manager", site=estate)
        settings = settings_for(estate)
        settings.weekdays = "0123456"
        settings.save()
    october = duty_days_of(app, estate.id, 202610, datetime(2026, 9, 20))
    assert date(2026, 10, 1) in october  # residents come home on holidays too

    r = world.client.put(
        f"/api/greeting/settings/{estate.id}",
        headers=world.headers("supervisor-b"),
        json={"statutory_calendar": True},
    )
    assert r.status_code == 200 and r.json["follows_statutory_calendar"] is True, r.json
    with app.app_context():
        GreetingShift.delete().where(GreetingShift.site == estate).execute()
    october = duty_days_of(app, estate.id, 202610, datetime(2026, 9, 20))
    assert date(2026, 10, 1) not in october
