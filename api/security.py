"""Who is calling: password hashing, bearer tokens, the role each endpoint allows, and the
sites a caller may see.

Every view is wrapped in ``roles(...)`` (or ``public``). The wrapper authenticates before
anything else is parsed, refuses other roles with 403, and records the allowed roles on the
view so the role table test can prove every endpoint declares them.
"""

import functools
import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request

from api.errors import abort
from models import hot_sql, utcnow
from models.accounts import AuthToken, User
from models.org import Site

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

    One query on every request (see models/hot_sql.py): revoking a token or disabling a user
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
    """Resolve an id sent in a request body: it must exist, be visible to the caller and,
    when ``site_id`` is given, belong to that site. Anything else is a 422 on that field."""
    obj = None
    if object_id is not None:
        site_field = model.id if model is Site else model.site
        obj = in_scope(model.select().where(model.id == object_id), site_field).first()
    belongs = obj is not None and (site_id is None or model is Site or obj.site_id == site_id)
    if not belongs:
        name = model.__name__.lower()
        where = " at this site" if site_id is not None else ""
        abort(
            422,
            "validation_failed",
            f"No such {name}{where}.",
            errors={"json": {field: [f"No such {name}{where}."]}},
        )
    return obj
