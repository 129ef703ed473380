"""Hostile input generated from the OpenAPI document: every operation, called as every role.

schemathesis reads ``/api/openapi.json`` from the real app and generates requests for each
operation — valid ones (positive) and ones that break the documented schema (negative) — with
path parameters that are random as well as ids of real objects at the caller's site and at
another site. Every response must be a non-5xx answer whose status code is documented for that
operation (the catch-all ``default`` response is removed before checking, so every status the API
really answers must be listed) and whose body matches the documented schema.

With schemathesis' data checks too: a request that breaks the document is refused
(negative_data_rejection) and one the document allows is not refused with 422
(positive_data_acceptance), but for the rules the document cannot state
(RULES_THE_DOCUMENT_CANNOT_STATE: between fields, or about what is stored). An id naming nothing
the caller can see is a 404, which the document lists and the check allows.

The run is bounded and repeatable: a fixed number of examples per operation, derandomized.
"""

import uuid
from datetime import timedelta

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.security import issue_token
from models import utcnow
from models.records.patrol_records import MESSAGES as SCAN_MESSAGES
from models.tables.accounts import AuthToken, User, UserSite
from models.tables.patrols import Checkpoint
from tests.conftest import World
from tests.test_inspections import answers_for, form, submit
from tests.test_patrols import Patrol
from tests.test_photos import photo_jpeg, upload

pytestmark = pytest.mark.slow  # ~1 minute: every operation, as every role

ROLES = ("admin", "hr", "supervisor", "manager", "guard", "staff")
# Why a scanned code is refused: patrol checkpoints (models/records/patrol_records.py) and
# greeting posts.
SCAN_REFUSALS = {
    *SCAN_MESSAGES,
    "not_a_post",
    "unknown_post",
    "no_shift",
    "wrong_post",
    "no_window",
}
# Well-formed requests that the API still refuses with 422 by a rule the OpenAPI document cannot
# state: a rule between fields, or about what is stored (a signed code, a photo, the route's
# stops, the account's staff record). Each names the refusal's ``error`` code, or the fields a
# ``validation_failed`` names; any other 422 to a request valid by the document is a finding.
RULES_THE_DOCUMENT_CANNOT_STATE = {
    ("POST", "/api/users"): {"site_ids", "staff_id"},  # every role but admin has a site
    ("POST", "/api/staff/import"): {"not_xlsx", "import_has_problems"},  # the file's content
    ("POST", "/api/inspections"): {"staff_id", "area_id", "items", "checklist_version"},
    ("POST", "/api/inspections/{inspection_id}/corrections"): {"items", "checklist"},
    ("POST", "/api/auth/password"): {"invalid_credentials"},  # the current password, checked
    ("POST", "/api/rectifications/{rectification_id}/done"): {"photo_ids"},  # stored photos
    ("PATCH", "/api/checkpoints/{checkpoint_id}"): {"latitude", "longitude"},  # together
    ("POST", "/api/patrol-routes"): {"stops"},  # minutes along the route, no stop twice
    ("PATCH", "/api/patrol-routes/{route_id}"): {"stops"},
    ("POST", "/api/schedules"): {"photo_checkpoint_ids"},  # on the route
    ("PATCH", "/api/schedules/{schedule_id}"): {"photo_checkpoint_ids"},
    ("POST", "/api/greeting/leave"): {"last_day"},  # not before the first
    ("GET", "/api/greeting/calendar-link"): {"no_staff_record"},  # the account's staff
    ("POST", "/api/webhooks"): {"url", "private_address"},  # not this server's network
    ("POST", "/api/plans/overrides"): {"not_applicable"},  # the checklist's area types or jobs
    ("POST", "/api/webhooks/channels"): {"url", "private_address"},
    ("PATCH", "/api/webhooks/channels/{channel_id}"): {"url", "private_address"},
    **{
        ("POST", path): {*SCAN_REFUSALS, "payload"}  # a signed code of a real checkpoint
        for path in ("/api/scans", "/api/greeting/checks")
    },
}


def refused_by_a_stated_rule(response, case) -> bool:
    if response.status_code != 422:
        return False
    allowed = RULES_THE_DOCUMENT_CANNOT_STATE.get((case.operation.method.upper(), case.path))
    if not allowed:
        return False
    body = response.json()
    fields = {name for location in (body.get("errors") or {}).values() for name in location}
    if body.get("error") != "validation_failed":
        return body.get("error") in allowed
    return bool(fields) and fields <= allowed


@schemathesis.check
def positive_data_accepted_but_for_rules(ctx, response, case):
    """schemathesis' positive_data_acceptance, but for RULES_THE_DOCUMENT_CANNOT_STATE."""
    if refused_by_a_stated_rule(response, case):
        return None
    return positive_data_acceptance(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_accepted_but_for_rules,
]
# Examples per operation: where the role may call it, and where it answers 403 anyway.
ALLOWED_EXAMPLES = 5
FORBIDDEN_EXAMPLES = 2
# How many operations must have answered 2xx at least once for the role (a floor well under
# what the run reaches, so it fails only when the seed or the generation stops hitting real
# objects).
MIN_SUCCEEDED = {"admin": 60, "hr": 35, "supervisor": 45, "manager": 35, "guard": 20, "staff": 15}
# These end the caller's own session; they are called once at the end, not fuzzed.
SESSION_ENDING = {("POST", "/api/auth/logout")}


def without_default_responses(spec: dict) -> dict:
    for item in spec["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].pop("default", None)
    return spec


class Seed:
    """Real objects at site A and site B, so generated ids hit existing things too."""

    def __init__(self, app, world):
        patrol = Patrol(app, world)
        checklist = form(world, "cleaning-lobby", area_id=world.area_a.id)
        item = checklist["sections"][0]["items"][0]["code"]
        photo_id = upload(world, photo_jpeg(seed=1), role="supervisor").json["id"]
        photo_b = upload(
            world, photo_jpeg(seed=2), role="supervisor-b", site_id=world.site_b.id
        ).json["id"]
        r, _ = submit(
            world,
            checklist,
            answers_for(checklist, fail={item}, photos={item: [photo_id]}),
            area_id=world.area_a.id,
        )
        assert r.status_code == 201, r.json
        inspection = r.json
        r = world.client.post(
            "/api/anomalies",
            headers=world.headers("guard"),
            json={
                "id": str(uuid.uuid4()),
                "site_id": world.site_a.id,
                "category": "lighting",
                "note": "门坏了",
            },
        )
        assert r.status_code == 201, r.json
        anomaly = r.json
        with app.app_context():
            cp_b = Checkpoint.create(
                site=world.site_b, area=world.area_b, name="花园点", code="SB-C-1"
            )
        self.ids = {
            "user_id": [world.users["guard"].id, world.users["supervisor-b"].id],
            "site_id": [world.site_a.id, world.site_b.id],
            "area_id": [world.area_a.id, world.area_b.id],
            "post_id": [world.post_a.id, world.post_b.id],
            "team_id": [world.team_a.id, world.team_b.id],
            "staff_id": [world.staff_a.id, world.staff_b.id],
            "code": ["cleaning-lobby", "grooming-male"],
            "inspection_id": [inspection["id"]],
            "rectification_id": inspection["rectification_ids"],
            "photo_id": [photo_id, photo_b],
            "checkpoint_id": [patrol.checkpoints[0]["id"], cp_b.id],
            "route_id": [patrol.route["id"]],
            "schedule_id": [patrol.schedule["id"]],
            "anomaly_id": [anomaly["id"]],
            "month": [int(utcnow().strftime("%Y%m"))],
            "year": [utcnow().year],
        }


def known_path_parameters(operation, ids) -> list[dict]:
    names = [p.name for p in operation.path_parameters]
    if not names or not all(name in ids for name in names):
        return []
    width = max(len(ids[name]) for name in names)
    return [{name: ids[name][i % len(ids[name])] for name in names} for i in range(width)]


def known_query(operation, ids) -> dict:
    """Site A's values for the query parameters the seed knows (site_id, month, ...)."""
    names = [p.name for p in operation.query]
    return {name: ids[name][0] for name in names if name in ids}


def strategy_for(operation, ids):
    strategies = [
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    ]
    query = known_query(operation, ids) or None
    if query:
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE, query=query))
    for params in known_path_parameters(operation, ids):
        strategies.append(
            operation.as_strategy(GenerationMode.POSITIVE, path_parameters=params, query=query)
        )
    return st.one_of(*strategies)


class Sessions:
    """A valid token for the role under test, renewed when a generated request (an admin
    disabling a user, changing a role or a password) ended it."""

    def __init__(self, app, world, role):
        self.app, self.world, self.role = app, world, role
        with app.app_context():
            self.original = {
                u.id: (u.role, u.active, u.password_hash, u.site_ids()) for u in User.select()
            }
        self.token = self.renew()

    def renew(self):
        with self.app.app_context():
            for user_id, (role, active, password_hash, site_ids) in self.original.items():
                User.update(role=role, active=active, password_hash=password_hash).where(
                    User.id == user_id
                ).execute()
                UserSite.delete().where(UserSite.user == user_id).execute()
                for site_id in site_ids:
                    UserSite.create(user=user_id, site=site_id)
            token, _ = issue_token(User.get(User.username == self.role))
        return token

    def still_valid(self):
        with self.app.app_context():
            user = User.get(User.username == self.role)
            alive = (
                AuthToken.select()
                .where(
                    AuthToken.user == user,
                    AuthToken.revoked_at.is_null(),
                    AuthToken.expires_at > utcnow() + timedelta(minutes=1),
                )
                .exists()
            )
            return alive and user.active and self.original[user.id][0] == user.role

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}


def buffered(app):
    """The app, with each response body read and closed: schemathesis' WSGI transport reads
    file responses but never closes them (a ResourceWarning, an error under pytest here)."""

    def wsgi(environ, start_response):
        result = app(environ, start_response)
        try:
            return [b"".join(result)]
        finally:
            if hasattr(result, "close"):
                result.close()

    return wsgi


def fuzz(operation, strategy, sessions, examples, statuses) -> str | None:
    """Run generated cases against one operation; the first failing case, described, or None."""

    @hypothesis.settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(hypothesis.HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    @hypothesis.given(case=strategy)
    def run(case):
        if not sessions.still_valid():
            sessions.token = sessions.renew()
        response = case.call(headers=sessions.headers())
        statuses.add(response.status_code)
        case.validate_response(response, checks=CHECKS)

    try:
        run()
    except (Exception, BaseExceptionGroup) as exc:
        return f"{operation.method.upper()} {operation.path}: {exc}"
    return None


@pytest.mark.parametrize("role", ROLES)
def test_every_operation_answers_within_its_documented_responses(app, client, role):
    world = World(app, client)
    ids = Seed(app, world).ids
    spec = without_default_responses(client.get("/api/openapi.json").json)
    schema = schemathesis.openapi.from_dict(spec)
    schema.app = buffered(app)
    sessions = Sessions(app, world, role)
    failures, answered, forbidden = [], {}, set()
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in SESSION_ENDING:
            continue
        allowed = operation.definition.raw.get("x-roles")
        examples = ALLOWED_EXAMPLES if allowed is None or role in allowed else FORBIDDEN_EXAMPLES
        statuses = answered.setdefault((operation.path, operation.method.upper()), set())
        if allowed is not None and role not in allowed:
            forbidden.add((operation.path, operation.method.upper()))
        failure = fuzz(operation, strategy_for(operation, ids), sessions, examples, statuses)
        if failure:
            failures.append(failure)
    assert not failures, "\n\n".join(failures)
    # The run reached real objects: many operations answered 2xx for this role ...
    succeeded = {key for key, statuses in answered.items() if any(200 <= s < 300 for s in statuses)}
    assert len(succeeded) >= MIN_SUCCEEDED[role], sorted(answered.keys() - succeeded)
    # ... and none that the documented roles (x-roles) exclude: those answered 403.
    assert not succeeded & forbidden, sorted(succeeded & forbidden)
    assert all(403 in answered[key] for key in forbidden)
