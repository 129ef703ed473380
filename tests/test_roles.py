"""Every endpoint x every role: allowed or refused exactly as declared.

ENDPOINTS is the product's access table. A new endpoint that is missing here, or whose
view declares other roles, fails this suite.
"""

import pytest

ALL = {"admin", "hr", "supervisor", "manager", "guard", "staff"}
OFFICE = {"admin", "hr", "supervisor", "manager"}
ON_DUTY = {"admin", "supervisor", "manager", "guard"}
MANAGERS = {"admin", "supervisor", "manager"}
PUBLIC = "public"

ENDPOINTS = {
    ("GET", "/api/health"): PUBLIC,
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/logout"): ALL,
    ("GET", "/api/auth/me"): ALL,
    ("POST", "/api/auth/password"): ALL,
    ("GET", "/api/users"): {"admin"},
    ("POST", "/api/users"): {"admin"},
    ("GET", "/api/users/<int:user_id>"): {"admin"},
    ("PATCH", "/api/users/<int:user_id>"): {"admin"},
    ("GET", "/api/sites"): ALL,
    ("POST", "/api/sites"): {"admin"},
    ("GET", "/api/sites/<int:site_id>"): ALL,
    ("PATCH", "/api/sites/<int:site_id>"): {"admin"},
    ("GET", "/api/areas"): ALL,
    ("POST", "/api/areas"): {"admin"},
    ("GET", "/api/areas/<int:area_id>"): ALL,
    ("PATCH", "/api/areas/<int:area_id>"): {"admin"},
    ("GET", "/api/posts"): ALL,
    ("POST", "/api/posts"): {"admin"},
    ("GET", "/api/posts/<int:post_id>"): ALL,
    ("PATCH", "/api/posts/<int:post_id>"): {"admin"},
    ("GET", "/api/teams"): ALL,
    ("POST", "/api/teams"): {"admin", "hr"},
    ("GET", "/api/teams/<int:team_id>"): ALL,
    ("PATCH", "/api/teams/<int:team_id>"): {"admin", "hr"},
    ("GET", "/api/staff"): OFFICE,
    ("POST", "/api/staff"): {"admin", "hr"},
    ("GET", "/api/staff/<int:staff_id>"): OFFICE,
    ("PATCH", "/api/staff/<int:staff_id>"): {"admin", "hr"},
    ("GET", "/api/staff/import-template.xlsx"): {"admin", "hr"},
    ("POST", "/api/staff/import"): {"admin", "hr"},
    ("GET", "/api/checklists"): ALL,
    ("GET", "/api/checklists/<string:code>"): ALL,
    ("GET", "/api/inspections"): ALL,
    ("POST", "/api/inspections"): {"admin", "supervisor", "manager"},
    ("GET", "/api/inspections/<uuid:inspection_id>"): ALL,
    ("POST", "/api/inspections/<uuid:inspection_id>/corrections"): {"admin", "supervisor"},
    ("GET", "/api/rectifications"): ALL,
    ("GET", "/api/rectifications/overdue"): {"admin", "hr", "supervisor", "manager"},
    ("GET", "/api/rectifications/<int:rectification_id>"): ALL,
    ("POST", "/api/rectifications/<int:rectification_id>/done"): {
        "admin",
        "supervisor",
        "manager",
        "staff",
        "guard",
    },
    ("POST", "/api/rectifications/<int:rectification_id>/verify"): {
        "admin",
        "supervisor",
        "manager",
    },
    ("GET", "/api/coaching"): ALL,
    ("POST", "/api/coaching/<int:item_id>/acknowledge"): ALL,
    ("GET", "/api/contractors"): OFFICE,
    ("POST", "/api/contractors"): {"admin"},
    ("GET", "/api/contractors/<int:contractor_id>"): OFFICE,
    ("PATCH", "/api/contractors/<int:contractor_id>"): {"admin"},
    ("GET", "/api/contractors/<int:contractor_id>/ratings"): OFFICE,
    ("POST", "/api/photos"): ALL,
    ("GET", "/api/photos/<uuid:photo_id>"): ALL,
    ("GET", "/api/photos/<uuid:photo_id>/image"): ALL,
    ("GET", "/api/photos/<uuid:photo_id>/thumbnail"): ALL,
    ("POST", "/api/sites/<int:site_id>/rotate-key"): {"admin"},
    ("GET", "/api/checkpoints"): ALL,
    ("POST", "/api/checkpoints"): {"admin"},
    ("GET", "/api/checkpoints/<int:checkpoint_id>"): ALL,
    ("PATCH", "/api/checkpoints/<int:checkpoint_id>"): {"admin"},
    ("GET", "/api/checkpoints/<int:checkpoint_id>/code"): {"admin", "supervisor"},
    ("GET", "/api/checkpoints/<int:checkpoint_id>/label.png"): {"admin", "supervisor"},
    ("GET", "/api/checkpoints/sheet.pdf"): {"admin", "supervisor"},
    ("GET", "/api/patrol-routes"): ALL,
    ("POST", "/api/patrol-routes"): {"admin", "supervisor"},
    ("GET", "/api/patrol-routes/<int:route_id>"): ALL,
    ("PATCH", "/api/patrol-routes/<int:route_id>"): {"admin", "supervisor"},
    ("GET", "/api/schedules"): ALL,
    ("POST", "/api/schedules"): {"admin", "supervisor"},
    ("POST", "/api/schedules/preview"): {"admin", "supervisor"},
    ("GET", "/api/schedules/<int:schedule_id>"): ALL,
    ("PATCH", "/api/schedules/<int:schedule_id>"): {"admin", "supervisor"},
    ("GET", "/api/rounds"): ALL,
    ("GET", "/api/rounds/<int:round_id>"): ALL,
    ("POST", "/api/rounds/<int:round_id>/assign"): {"admin", "supervisor"},
    ("GET", "/api/rounds/live"): OFFICE,
    ("GET", "/api/rounds/guards"): OFFICE,
    ("GET", "/api/scans"): ALL,
    ("POST", "/api/scans"): ON_DUTY,
    ("POST", "/api/scans/batch"): ON_DUTY,
    ("POST", "/api/scans/<uuid:scan_id>/review"): MANAGERS,
    ("GET", "/api/anomalies"): ALL,
    ("POST", "/api/anomalies"): ALL,
    ("GET", "/api/anomalies/<uuid:anomaly_id>"): ALL,
    ("PATCH", "/api/anomalies/<uuid:anomaly_id>"): {"admin", "supervisor", "manager"},
    ("GET", "/api/handovers"): ON_DUTY,
    ("POST", "/api/handovers"): ON_DUTY,
    ("POST", "/api/handovers/<int:handover_id>/acknowledge"): ON_DUTY,
    ("GET", "/api/webhooks"): {"admin"},
    ("POST", "/api/webhooks"): {"admin"},
    ("GET", "/api/webhooks/deliveries"): {"admin"},
    ("GET", "/api/webhooks/channels"): {"admin"},
    ("POST", "/api/webhooks/channels"): {"admin"},
    ("PATCH", "/api/webhooks/channels/<int:channel_id>"): {"admin"},
    ("DELETE", "/api/webhooks/channels/<int:channel_id>"): {"admin"},
    ("POST", "/api/webhooks/channels/<int:channel_id>/test"): {"admin"},
    ("GET", "/api/greeting/settings/<int:site_id>"): OFFICE,
    ("PUT", "/api/greeting/settings/<int:site_id>"): {"admin", "supervisor"},
    ("POST", "/api/greeting/rota"): {"admin", "supervisor", "hr"},
    ("GET", "/api/greeting/shifts"): OFFICE,
    ("PATCH", "/api/greeting/shifts/<int:shift_id>"): {"admin", "supervisor"},
    ("POST", "/api/greeting/open-slots"): {"admin", "supervisor"},
    ("GET", "/api/greeting/rota-counts"): OFFICE,
    ("GET", "/api/greeting/my-shifts"): MANAGERS,
    ("GET", "/api/greeting/today"): OFFICE,
    ("POST", "/api/greeting/checks"): MANAGERS,
    ("GET", "/api/greeting/posts/<int:post_id>/code"): {"admin", "supervisor"},
    ("GET", "/api/greeting/leave"): {"admin", "supervisor", "hr"},
    ("POST", "/api/greeting/leave"): {"admin", "supervisor", "hr"},
    ("GET", "/api/greeting/monthly"): OFFICE,
    ("GET", "/api/greeting/calendar-link"): MANAGERS,
    ("GET", "/api/greeting/calendar/<int:staff_id>/<string:signature>.ics"): PUBLIC,
    ("GET", "/api/greeting/swaps"): {"admin", "supervisor", "manager", "hr"},
    ("GET", "/api/calendar"): OFFICE,
    ("GET", "/api/followups"): OFFICE | {"guard"},
    ("GET", "/api/followups/promises"): OFFICE,
    ("PUT", "/api/followups/promises"): {"admin", "supervisor"},
    ("DELETE", "/api/followups/promises"): {"admin", "supervisor"},
    ("GET", "/api/calendar/days"): {"admin", "supervisor"},
    ("POST", "/api/calendar/days"): {"admin", "supervisor"},
    ("DELETE", "/api/calendar/days/<int:day_id>"): {"admin", "supervisor"},
    ("POST", "/api/greeting/swaps"): MANAGERS,
    ("POST", "/api/greeting/swaps/<int:swap_id>/accept"): MANAGERS,
    ("POST", "/api/greeting/swaps/<int:swap_id>/approve"): {"admin", "supervisor"},
    ("POST", "/api/greeting/swaps/<int:swap_id>/decline"): MANAGERS,
    ("GET", "/api/plans/todo"): MANAGERS,
    ("GET", "/api/plans/coverage"): OFFICE,
    ("GET", "/api/plans/overrides"): OFFICE,
    ("POST", "/api/plans/overrides"): {"admin"},
    ("DELETE", "/api/plans/overrides/<int:override_id>"): {"admin"},
    ("GET", "/api/monthly/records"): OFFICE,
    ("GET", "/api/monthly/mine"): ALL,
    ("GET", "/api/monthly/summary"): OFFICE,
    ("GET", "/api/monthly/quarter"): OFFICE,
    ("GET", "/api/monthly/trace"): OFFICE,
    ("POST", "/api/monthly/close"): {"admin", "hr"},
    ("GET", "/api/monthly/adjustments"): {"admin", "hr"},
    ("POST", "/api/monthly/adjustments"): {"admin", "hr"},
    ("GET", "/api/monthly/export.csv"): {"admin", "hr", "manager"},
    ("GET", "/api/monthly/export.xlsx"): {"admin", "hr", "manager"},
    ("GET", "/api/monthly/charts/staff/<int:staff_id>.svg"): OFFICE,
    ("GET", "/api/monthly/charts/team/<int:team_id>.svg"): OFFICE,
    ("GET", "/api/monthly/charts/grades.svg"): OFFICE,
    ("GET", "/api/audit"): {"admin", "hr"},
    ("GET", "/api/settings/labels"): {"admin", "supervisor"},
}

# Framework routes that are not API endpoints of ours.
NOT_OURS = {
    "/",
    "/s/<token>",
    "/static/<path:filename>",
    "/api/openapi.json",
    "/api/docs",
    "/app/",
    "/app/<path:filename>",
    "/app/sw.js",
    "/console/",
    "/console/<path:filename>",
}


def declared_endpoints(app):
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.rule in NOT_OURS:
            continue
        view_class = getattr(app.view_functions[rule.endpoint], "view_class", None)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            view = (
                getattr(view_class, method.lower(), None)
                if view_class
                else app.view_functions[rule.endpoint]
            )
            allowed = getattr(view, "allowed_roles", None)
            found[(method, rule.rule)] = (
                allowed if allowed == PUBLIC or allowed is None else set(allowed)
            )
    return found


def test_every_endpoint_declares_its_roles_as_in_the_table(app):
    declared = declared_endpoints(app)
    undeclared = [key for key, roles in declared.items() if roles is None]
    assert not undeclared, f"endpoints without a roles(...) or public declaration: {undeclared}"
    assert declared.keys() == ENDPOINTS.keys(), (
        f"missing from the table: {declared.keys() - ENDPOINTS.keys()}; "
        f"gone from the app: {ENDPOINTS.keys() - declared.keys()}"
    )
    for key, roles in ENDPOINTS.items():
        assert declared[key] == roles, f"{key}: declared {declared[key]}, table says {roles}"


def concrete_url(rule, world):
    ids = {
        "<int:user_id>": world.users["guard"].id,
        "<int:site_id>": world.site_a.id,
        "<int:area_id>": world.area_a.id,
        "<int:post_id>": world.post_a.id,
        "<int:team_id>": world.team_a.id,
        "<int:staff_id>": world.staff_a.id,
        "<string:code>": "grooming-basic",
        "<uuid:inspection_id>": "00000000-0000-4000-8000-000000000000",
        "<int:rectification_id>": 1,
        "<int:item_id>": 1,
        "<int:contractor_id>": 1,
        "<uuid:photo_id>": "00000000-0000-4000-8000-000000000001",
        "<uuid:anomaly_id>": "00000000-0000-4000-8000-000000000002",
        "<uuid:scan_id>": "00000000-0000-4000-8000-000000000003",
        "<int:checkpoint_id>": 1,
        "<int:route_id>": 1,
        "<int:schedule_id>": 1,
        "<int:round_id>": 1,
        "<int:handover_id>": 1,
        "<int:swap_id>": 1,
        "<int:shift_id>": 1,
        "<int:day_id>": 1,
        "<int:channel_id>": 1,
        "<int:override_id>": 1,
        "<string:signature>": "0" * 32,
    }
    for placeholder, value in ids.items():
        rule = rule.replace(placeholder, str(value))
    return rule


@pytest.mark.parametrize("method,rule", sorted(ENDPOINTS))
def test_each_role_is_allowed_or_refused(world, method, rule):
    url = concrete_url(rule, world)
    allowed = ENDPOINTS[(method, rule)]
    for role in sorted(ALL):
        if rule == "/api/auth/logout":
            world._tokens.pop(role, None)  # a fresh token, so logging out spoils nothing else
        r = world.client.open(url, method=method, headers=world.headers(role), json={})
        if allowed == PUBLIC or role in allowed:
            assert r.status_code not in (401, 403), (
                f"{role} {method} {url}: {r.status_code} {r.json}"
            )
        else:
            assert r.status_code == 403, f"{role} {method} {url}: {r.status_code} {r.json}"
            assert r.json["error"] == "forbidden"
        if rule == "/api/auth/logout":
            world._tokens.pop(role, None)


@pytest.mark.parametrize("method,rule", sorted(k for k, v in ENDPOINTS.items() if v != PUBLIC))
def test_signed_out_callers_get_401(client, world, method, rule):
    r = client.open(concrete_url(rule, world), method=method, json={})
    assert r.status_code == 401
    assert r.json["error"] == "unauthenticated"
    assert r.headers["WWW-Authenticate"] == "Bearer"
