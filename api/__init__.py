"""The application factory: configuration, database, API, blueprints and commands."""

import os
from pathlib import Path

import peewee
from argon2 import PasswordHasher
from flask import Flask, appcontext_pushed, current_app, redirect, request
from flask.sessions import SessionInterface

from api import cli, logs
from api.config import Config
from api.errors import abort
from api.extensions import Api
from api.request_limits import refuse_oversized_requests
from api.secret_keys import load_secret_key
from models import db, make_database
from models.files.checklist_files import load_directory
from models.records.plans import load_plans
from models.tables.checklists import Checklist, sync_checklists
from models.tables.promises import load_promises

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        instance_path=os.environ.get("XUNJIAN_INSTANCE_PATH") or str(ROOT / "instance"),
        static_folder=str(ROOT / "static"),
        static_url_path="/static",
    )
    app.config.from_object(Config)
    app.config.from_prefixed_env("XUNJIAN")
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if test_config:
        app.config.from_mapping(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config["SECRET_KEY"] = load_secret_key(app.config, app.instance_path)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'xunjian.db'}"

    app.json.ensure_ascii = False  # Chinese stays readable in responses
    app.session_interface = NoCookieSessions()
    logs.init_app(app)
    init_database(app)
    load_checklists(app)

    hasher = PasswordHasher(
        time_cost=app.config["PASSWORD_TIME_COST"], memory_cost=app.config["PASSWORD_MEMORY_COST"]
    )
    app.extensions["xunjian"]["dummy_hash"] = hasher.hash(os.urandom(16).hex())

    app.before_request(refuse_oversized_requests)  # first: nothing else reads the request yet
    app.before_request(refuse_non_json_bodies)

    api = Api(app)
    register_blueprints(api)
    # The phone app (static files, not an API resource: kept out of the OpenAPI document).
    from api.phone_app.routes import bp as phone_app

    app.register_blueprint(phone_app)
    # The office console: the same kind of static app, for desktops (static/console/).
    from api.office_console.routes import bp as office_console

    app.register_blueprint(office_console)
    app.add_url_rule("/", "home", lambda: redirect("/app/"))
    # A checkpoint label's URL: the phone's own camera opens it, and it lands in the phone app.
    app.add_url_rule("/s/<token>", "scan_link", lambda token: redirect(f"/app/#/scan/{token}"))
    cli.init_app(app)
    return app


class NoCookieSessions(SessionInterface):
    """Callers sign in with bearer tokens, never cookies, so no request has a Flask session.
    (Flask's default would build a signing serializer and look for the cookie on every
    request: ~5 % of a patrol scan.) ``flask.session`` is a read-only null session."""

    def open_session(self, app, request):
        return None  # Flask then uses its null session

    def save_session(self, app, session, response):
        pass


def register_blueprints(api: Api) -> None:
    """Every resource's blueprint, in the order the API docs list them."""
    from api.anomalies.routes import blp as anomalies
    from api.areas.routes import blp as areas
    from api.audit.routes import blp as audit
    from api.calendar.routes import blp as calendar
    from api.checklists.routes import blp as checklists
    from api.checkpoints.routes import blp as checkpoints
    from api.coaching.routes import blp as coaching
    from api.contractors.routes import blp as contractors
    from api.followups.routes import blp as followups
    from api.greeting.routes import blp as greeting
    from api.handovers.routes import blp as handovers
    from api.health.routes import blp as health
    from api.inspections.routes import blp as inspections
    from api.monthly.routes import blp as monthly
    from api.patrol_routes.routes import blp as patrol_routes
    from api.photos.routes import blp as photos
    from api.plans.routes import blp as plans
    from api.posts.routes import blp as posts
    from api.rectifications.routes import blp as rectifications
    from api.rounds.routes import blp as rounds
    from api.scans.routes import blp as scans
    from api.schedules.routes import blp as schedules
    from api.session.routes import blp as session
    from api.settings.routes import blp as settings
    from api.sites.routes import blp as sites
    from api.staff.routes import blp as staff
    from api.swaps.routes import blp as swaps
    from api.teams.routes import blp as teams
    from api.users.routes import blp as users
    from api.webhooks.routes import blp as webhooks

    organisation = (health, session, users, sites, areas, posts, teams, staff, settings)
    inspection = (checklists, inspections, rectifications, coaching, contractors, photos, plans)
    patrol = (checkpoints, patrol_routes, schedules, rounds, scans, anomalies, handovers, webhooks)
    follow_up = (followups,)
    greeting_duty = (greeting, swaps, calendar)
    for blueprint in (
        *organisation,
        *inspection,
        *patrol,
        *follow_up,
        *greeting_duty,
        monthly,
        audit,
    ):
        api.register_blueprint(blueprint)


def init_database(app: Flask) -> None:
    """Open this app's pooled database and bind the models to it whenever the app is active.

    Binding on every app context (not once at import) lets two apps with two databases live
    in one process, as the tests do.
    """
    database = make_database(
        app.config["DATABASE_URL"], max_connections=app.config["DB_MAX_CONNECTIONS"]
    )
    app.extensions["xunjian"] = {"database": database}

    def bind(sender, **kwargs):
        db.initialize(database)

    appcontext_pushed.connect(bind, app, weak=False)
    db.initialize(database)

    @app.teardown_appcontext
    def return_connection(exc):
        # Hand the connection back to the pool; it stays open for the next request.
        if not database.is_closed():
            database.close()


def load_checklists(app: Flask) -> None:
    """Validate every checklist file (a bad one stops the start) and, once the schema exists,
    record changed content as new versions."""
    checklists, scoring = load_directory(Path(app.config["CHECKLIST_DIR"]))
    app.extensions["xunjian"]["checklists"] = checklists
    app.extensions["xunjian"]["scoring"] = scoring
    app.extensions["xunjian"]["plans"] = load_plans(Path(app.config["CHECKLIST_DIR"]), checklists)
    app.extensions["xunjian"]["promises"] = load_promises(Path(app.config["CHECKLIST_DIR"]))
    with app.app_context():
        try:
            if Checklist.table_exists():
                sync_checklists(checklists)
        except peewee.OperationalError as exc:
            # Start anyway: /api/health reports the database, and the next start (or
            # 'flask checklists load') records the versions.
            app.logger.warning("checklists not synced, database unreachable: %s", exc)


def scoring_settings():
    """The pass mark, critical cap and grade bands of the running app."""
    return current_app.extensions["xunjian"]["scoring"]


def refuse_non_json_bodies():
    """Request bodies are JSON (or multipart for photo uploads); say so instead of guessing."""
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
        return None
    has_body = (request.content_length or 0) > 0 or "chunked" in request.headers.get(
        "Transfer-Encoding", ""
    )
    if has_body and request.mimetype not in ("application/json", "multipart/form-data"):
        abort(
            415,
            "unsupported_media_type",
            f"Send the body as application/json, not {request.mimetype or 'no content type'}.",
        )
    return None
