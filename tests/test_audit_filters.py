"""The audit log narrowed by action and by time: since and until take a time with its offset or
a date, a whole day where the changes happened."""

from datetime import datetime
from urllib.parse import quote

import pytest

from models.tables.audit import AuditEntry
from models.tables.org import Site


@pytest.fixture
def entries(app, world):
    """Changes at known times (UTC) at sites A and B, and one company-wide."""
    with app.app_context():
        london = Site.create(
            name="伦敦办公室", code="LN", site_type="office", timezone="Europe/London"
        )
        made = {}
        for name, at, action, site in [
            ("a-early", datetime(2026, 3, 1, 1, 0), "create", world.site_a),  # 09:00 Shanghai
            ("a-late", datetime(2026, 3, 1, 15, 30), "update", world.site_a),  # 23:30 Shanghai
            ("a-next", datetime(2026, 3, 1, 16, 30), "update", world.site_a),  # 00:30 on the 2nd
            ("b", datetime(2026, 3, 1, 12, 0), "review", world.site_b),
            ("none", datetime(2026, 3, 5, 0, 0), "create", None),
            ("london", datetime(2026, 3, 1, 23, 30), "update", london),  # 23:30 in London
        ]:
            entry = AuditEntry.record(
                user=world.users["admin"],
                action=action,
                entity="site",
                entity_id=name,
                site_id=site.id if site else None,
            )
            AuditEntry.update(at=at).where(AuditEntry.id == entry.id).execute()
            made[name] = entry.id
        made["london_site"] = london.id
    return made


def names(world, query, role="admin", status=200):
    r = world.client.get(f"/api/audit?entity=site&{query}", headers=world.headers(role))
    assert r.status_code == status, r.json
    return {e["entity_id"] for e in r.json} if status == 200 else r.json


def test_the_action_filter(world, entries):
    assert names(world, "action=review") == {"b"}
    assert names(world, "action=update") == {"a-late", "a-next", "london"}
    assert names(world, "action=delete") == set()


def test_since_and_until_as_times_with_offsets(world, entries):
    since = quote("2026-03-01T20:00:00+08:00")  # 12:00 UTC
    assert names(world, f"since={since}") == {"a-late", "a-next", "b", "none", "london"}
    until = quote("2026-03-01T12:00:00Z")
    # until is inclusive: the change at exactly 12:00 UTC is in.
    assert names(world, f"until={until}") == {"a-early", "b"}
    assert names(world, f"since={since}&until={until}") == {"b"}


def test_dates_are_whole_days_in_the_company_zone(world, entries):
    # Shanghai's 1 March runs from 16:00 UTC on 28 February to 16:00 UTC on 1 March.
    assert names(world, "since=2026-03-01&until=2026-03-01") == {"a-early", "a-late", "b"}
    assert names(world, "since=2026-03-02&until=2026-03-02") == {"a-next", "london"}
    assert names(world, "until=2026-02-28") == set()


def test_dates_are_the_sites_days_when_a_site_is_asked_for(world, entries):
    site = entries["london_site"]
    # 23:30 in London on 1 March is 07:30 on the 2nd in Shanghai, but the site's own day counts.
    assert names(world, f"site_id={site}&since=2026-03-01&until=2026-03-01") == {"london"}
    assert names(world, f"site_id={site}&since=2026-03-02") == set()


def test_an_unencoded_plus_sign_is_read_as_the_offset(world, entries):
    # "+08:00" typed into a query string unencoded arrives as " 08:00".
    assert names(world, "since=2026-03-02T00:00:00+08:00") == {"a-next", "none", "london"}


@pytest.mark.parametrize(
    "query",
    [
        "since=2026-03-01T08:00:00",  # no offset
        "since=yesterday",
        "until=2026-13-01",
        "since=2026-03-02&until=2026-03-01",
        f"since={quote('2026-03-01T12:00:01Z')}&until={quote('2026-03-01T12:00:00Z')}",
        "action=" + "x" * 33,
        # Years whose neighbouring day or zone shift no datetime holds.
        "until=9999-12-31",
        "since=0001-01-01",
        f"until={quote('9999-12-31T23:59:59-14:00')}",
    ],
)
def test_bad_times_are_refused(world, entries, query):
    body = names(world, query, status=422)
    assert body["errors"]["query"]


def test_hr_sees_only_their_sites_whatever_the_times(world, entries):
    assert names(world, "since=2026-02-01&until=2026-04-01", role="hr") == {
        "a-early",
        "a-late",
        "a-next",
    }
