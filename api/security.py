"""Who is calling: password hashing, bearer tokens, the role each endpoint allows, and the
sites a caller may see.

Every view is wrapped in ``roles(...)`` (or ``public``). The wrapper authenticates before
anything else is parsed, refuses other roles with 403, and records the allowed roles on the
view so the role table test can prove every endpoint declares them.
"""

import functools
import hashlib
import hmac
import ipaddress
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request

from api.errors import abort, field_error
from models import is_sqlite, utcnow, write_transaction
from models.records import hot_sql
from models.tables.accounts import AuthToken, LoginThrottle, User
from models.tables.org import Site

ALL_ROLES = ("admin", "hr", "supervisor", "manager", "guard", "staff")
OFFICE_ROLES = ("admin", "hr", "supervisor", "manager")


def password_hasher() -> PasswordHasher:
    return PasswordHasher(
        time_cost=current_app.config["PASSWORD_TIME_COST"],
        memory_cost=current_app.config["PASSWORD_MEMORY_COST"],
    )


def hash_password(password: str) -> str:
    return password_hasher().hash(password)


def verify_password(user: User | None, password: str) -> bool:
    """Check a password in about the same time whether or not the user exists."""
    hasher = password_hasher()
    if user is None:
        # Spend the same effort on a dummy hash so unknown names are not revealed by timing.
        dummy = current_app.extensions["xunjian"]["dummy_hash"]
        try:
            hasher.verify(dummy, password)
        except VerificationError:
            pass
        return False
    try:
        hasher.verify(user.password_hash, password)
        return True
    except (VerificationError, InvalidHashError):
        return False


def keyed_digest(text: str) -> str:
    """HMAC-SHA256 of a secret under the app's key: what is stored of tokens and of the names
    typed at failed sign-ins, so the database never holds them (a digest cannot be reversed,
    nor recomputed without the key)."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def client_address() -> str:
    """The caller's address, as the login throttle counts it.

    ``X-Forwarded-For`` is read only when ``TRUSTED_PROXIES`` (XUNJIAN_TRUSTED_PROXIES) says
    how many proxies stand in front of the app, and then as werkzeug's ProxyFix(x_for=n) reads
    it: the n-th address from the right, the one the outermost proxy of ours saw. Anything
    further left was written by the caller. An IPv6 address counts as its /64 network, which
    one subscriber usually holds whole."""
    address = request.remote_addr or ""
    proxies = int(current_app.config["TRUSTED_PROXIES"] or 0)
    if proxies > 0:
        forwarded = [
            part.strip()
            for header in request.headers.getlist("X-Forwarded-For")
            for part in header.split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            address = forwarded[-proxies]
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def count_sign_in_attempt(username: str) -> tuple[str, str]:
    """Count a sign-in attempt as a failure before its password is checked, or refuse it with
    429 when the name is locked for this address or for everyone.

    The attempt is counted in a write transaction (on SQLite the write lock, on PostgreSQL a
    row lock) before the slow hash, and decided from the count including it, so parallel
    guesses get exactly the allowed number checked. A failure counts against the name from
    this address (LOGIN_MAX_FAILURES lock the name for that address) and against the name
    from all addresses together (LOGIN_NAME_MAX_FAILURES lock it for everyone): one address
    cannot lock a name out for everybody else. A right password takes the count back
    (``forget_failures``). Returns the (name, address) digests."""
    config = current_app.config
    name, address = keyed_digest(username), keyed_digest(client_address())
    limits = (
        (address, config["LOGIN_MAX_FAILURES"]),
        (LoginThrottle.EVERYWHERE, config["LOGIN_NAME_MAX_FAILURES"]),
    )
    window = timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
    lock = timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
    now = utcnow()
    with write_transaction():
        rows = [(_throttle_row(name, where, now), limit) for where, limit in limits]
        locked_until = max((row.locked_until for row, _ in rows if row.locked_until), default=None)
        if locked_until is None:
            for row, limit in rows:
                if now - row.window_started_at > window:
                    row.failures, row.window_started_at = 0, now
                row.failures += 1
                if row.failures >= limit:
                    # This attempt is still checked; every later one is refused.
                    row.locked_until = now + lock
                row.save()
    if locked_until is not None:
        _refuse_attempt(locked_until, now)
    return name, address


def forget_failures(name: str, address: str) -> None:
    """A right password: the failures from this address were the owner's typing, not a guess;
    they leave the name's count from all addresses too."""
    with write_transaction():
        here = _throttle_row(name, address, utcnow())
        everywhere = _throttle_row(name, LoginThrottle.EVERYWHERE, utcnow())
        everywhere.failures = max(everywhere.failures - here.failures, 0)
        here.delete_instance()
        if everywhere.failures == 0:
            everywhere.delete_instance()
        else:
            if everywhere.failures < current_app.config["LOGIN_NAME_MAX_FAILURES"]:
                everywhere.locked_until = None
            everywhere.save()


def _throttle_row(name: str, address: str, now: datetime) -> LoginThrottle:
    """The row for (name, address), made if missing and locked until the transaction ends; a
    lock that ran out starts a new count."""
    query = LoginThrottle.select().where(
        (LoginThrottle.name_digest == name) & (LoginThrottle.address_digest == address)
    )
    row = None
    # PostgreSQL: a sign-in that succeeds at the same moment deletes the row this one waited
    # to lock, and the lock then finds nothing; make it again (a few tries suffice).
    for _ in range(5):
        LoginThrottle.insert(
            name_digest=name, address_digest=address, window_started_at=now
        ).on_conflict_ignore().execute()
        row = (query if is_sqlite() else query.for_update()).first()
        if row is not None:
            break
    if row is None:
        raise RuntimeError("the login throttle row could not be made")
    if row.locked_until is not None and row.locked_until <= now:
        row.failures, row.window_started_at, row.locked_until = 0, now, None
    return row


def _refuse_attempt(locked_until: datetime, now: datetime):
    wait = int((locked_until - now).total_seconds()) + 1
    abort(
        429,
        "too_many_attempts",
        f"Too many failed sign-ins; try again in {wait // 60 + 1} minutes.",
        headers={"Retry-After": str(wait)},
    )


def issue_token(user: User) -> tuple[str, AuthToken]:
    token = secrets.token_urlsafe(32)
    record = AuthToken.create(
        user=user,
        digest=keyed_digest(token),
        expires_at=utcnow() + timedelta(hours=current_app.config["TOKEN_HOURS"]),
    )
    return token, record


def authenticate() -> tuple[User, AuthToken, list[int]]:
    """The caller's user, token and linked site ids, or a 401 that says why.

    One query on every request (see models/records/hot_sql.py): revoking a token or disabling a user
    takes effect on the very next request."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(
            401,
            "unauthenticated",
            "Sign in and send 'Authorization: Bearer <token>'.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    found = hot_sql.token_holder(keyed_digest(token.strip()))
    row, user, site_ids = found if found is not None else (None, None, [])
    if row is None or row.revoked_at is not None:
        abort(
            401,
            "invalid_token",
            "This sign-in is not valid; sign in again.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if row.expires_at <= utcnow():
        abort(
            401,
            "token_expired",
            "Your sign-in has expired; sign in again.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if not user.active:
        abort(
            401,
            "account_disabled",
            "This account is disabled.",
            headers={"WWW-Authenticate": "Bearer"},
        )
    return user, row, site_ids


def roles(*allowed: str):
    """Let only these roles call the view; everybody else gets 403, nobody signed in 401."""
    unknown = set(allowed) - set(ALL_ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user, token, site_ids = authenticate()
            g.user, g.token = user, token
            g.site_ids = None if user.is_company_wide else site_ids
            if user.role not in allowed:
                abort(403, "forbidden", f"The {user.role} role may not do this.")
            return view(*args, **kwargs)

        wrapper.allowed_roles = frozenset(allowed)
        _document(wrapper, {"security": [{"bearerAuth": []}], "x-roles": sorted(allowed)})
        return wrapper

    return decorator


def public(view):
    """Mark a view as callable without signing in (login, health)."""
    view.allowed_roles = "public"
    _document(view, {"security": []})
    return view


def _document(view, extra: dict):
    # flask-smorest reads OpenAPI details from view._apidoc["manual_doc"]; copy, never mutate
    # the dict functools.wraps shared with the wrapped function.
    apidoc = dict(getattr(view, "_apidoc", {}))
    apidoc["manual_doc"] = {**apidoc.get("manual_doc", {}), **extra}
    view._apidoc = apidoc


def current_user() -> User:
    return g.user


def visible_site_ids() -> list[int] | None:
    """The sites the caller may see: None means all of them (admins)."""
    if "site_ids" not in g:
        user = current_user()
        g.site_ids = None if user.is_company_wide else user.site_ids()
    return g.site_ids


def in_scope(query, site_field):
    """Confine a query to the caller's sites."""
    site_ids = visible_site_ids()
    if site_ids is None:
        return query
    return query.where(site_field.in_(site_ids))


def get_or_404(model, object_id, site_field=None, message=None):
    """Fetch an object the caller may see; another site's object is 'not found', not 403,
    so ids of other sites reveal nothing."""
    site_field = site_field if site_field is not None else model.site
    query = in_scope(model.select().where(model.id == object_id), site_field)
    obj = query.first()
    if obj is None:
        abort(404, "not_found", message or f"No such {model.__name__.lower()}.")
    return obj


def reference(model, object_id, field: str, site_id: int | None = None):
    """Resolve an id sent in a request body or query: it must exist, be visible to the caller
    and, when ``site_id`` is given, belong to that site. Anything else is a 404 that names the
    field under the location it came in (``errors.query.site_id``), like an id in the path."""
    obj = None
    if object_id is not None:
        site_field = model.id if model is Site else model.site
        obj = in_scope(model.select().where(model.id == object_id), site_field).first()
    belongs = obj is not None and (site_id is None or model is Site or obj.site_id == site_id)
    if not belongs:
        name = model.__name__.lower()
        where = " at this site" if site_id is not None else ""
        field_error(404, "not_found", f"No such {name}{where}.", field)
    return obj
