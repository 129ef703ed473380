"""Signing in and out."""

from datetime import UTC, timedelta

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.errors import abort
from api.security import (
    ALL_ROLES,
    hash_password,
    issue_token,
    keyed_digest,
    public,
    roles,
    verify_password,
)
from api.session.schemas import LoginSchema, PasswordChangeSchema, SessionUserSchema, TokenSchema
from models import utcnow, write_transaction
from models.accounts import AuthToken, LoginThrottle, User

blp = Blueprint("session", __name__, url_prefix="/api/auth", description="Sign in and out")


def _throttle_for(name_digest: str) -> LoginThrottle:
    throttle, _ = LoginThrottle.get_or_create(name_digest=name_digest)
    return throttle


@blp.route("/login")
class Login(MethodView):
    @public
    @blp.arguments(LoginSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, description="Wrong username or password")
    @blp.alt_response(429, description="Too many failed attempts; wait and try again")
    def post(self, credentials):
        """Sign in and get a bearer token."""
        config = current_app.config
        username = credentials["username"].strip().lower()
        name_digest = keyed_digest(username)
        now = utcnow()
        throttle = LoginThrottle.get_or_none(LoginThrottle.name_digest == name_digest)
        if throttle and throttle.locked_until and throttle.locked_until > now:
            wait = int((throttle.locked_until - now).total_seconds()) + 1
            abort(
                429,
                "too_many_attempts",
                f"Too many failed sign-ins; try again in {wait // 60 + 1} minutes.",
                headers={"Retry-After": str(wait)},
            )
        user = User.get_or_none(User.username == username)
        # The slow hash is checked outside the write lock.
        accepted = verify_password(user, credentials["password"]) and user.active
        with write_transaction():
            throttle = _throttle_for(name_digest)
            if accepted:
                throttle.delete_instance()
                token, record = issue_token(user)
            else:
                window = timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
                if now - throttle.window_started_at > window:
                    throttle.failures, throttle.window_started_at = 0, now
                throttle.failures += 1
                if throttle.failures >= config["LOGIN_MAX_FAILURES"]:
                    throttle.locked_until = now + timedelta(minutes=config["LOGIN_LOCK_MINUTES"])
                    throttle.failures, throttle.window_started_at = 0, now
                throttle.save()
        if not accepted:
            # Outside the transaction, so the counted failure is kept.
            abort(401, "invalid_credentials", "Wrong username or password.")
        g.user = user
        current_app.logger.info("user %s signed in", user.id)
        return {"token": token, "expires_at": record.expires_at.replace(tzinfo=UTC), "user": user}


@blp.route("/logout")
class Logout(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(204)
    def post(self):
        """Sign out: this token stops working at once."""
        AuthToken.update(revoked_at=utcnow()).where(AuthToken.id == g.token.id).execute()


@blp.route("/me")
class Me(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, SessionUserSchema)
    def get(self):
        """Who am I signed in as?"""
        return g.user


@blp.route("/password")
class Password(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(PasswordChangeSchema)
    @blp.response(204)
    def post(self, data):
        """Change my password; my other sign-ins are ended."""
        user = g.user
        if not verify_password(user, data["current_password"]):
            abort(
                422,
                "invalid_credentials",
                "The current password is wrong.",
                errors={"json": {"current_password": ["Wrong password."]}},
            )
        with write_transaction():
            user.password_hash = hash_password(data["new_password"])
            user.updated_at = utcnow()
            user.save()
            AuthToken.update(revoked_at=utcnow()).where(
                (AuthToken.user == user)
                & (AuthToken.id != g.token.id)
                & AuthToken.revoked_at.is_null()
            ).execute()
