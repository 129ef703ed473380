"""Signing in and out."""

from datetime import UTC

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.errors import abort
from api.security import (
    ALL_ROLES,
    count_sign_in_attempt,
    forget_failures,
    hash_password,
    issue_token,
    public,
    roles,
    verify_password,
)
from api.session.schemas import LoginSchema, PasswordChangeSchema, SessionUserSchema, TokenSchema
from models import utcnow, write_transaction
from models.tables.accounts import AuthToken, User

blp = Blueprint("session", __name__, url_prefix="/api/auth", description="Sign in and out")


@blp.route("/login")
class Login(MethodView):
    @public
    @blp.arguments(LoginSchema)
    @blp.response(201, TokenSchema)
    @blp.alt_response(401, description="Wrong username or password")
    @blp.alt_response(429, description="Too many failed attempts; wait and try again")
    def post(self, credentials):
        """Sign in and get a bearer token."""
        username = credentials["username"].strip().lower()
        # Counted (or refused) before the slow hash, so parallel guesses cannot overtake it.
        name, address = count_sign_in_attempt(username)
        user = User.get_or_none(User.username == username)
        accepted = verify_password(user, credentials["password"]) and user.active
        if not accepted:
            abort(401, "invalid_credentials", "Wrong username or password.")
        with write_transaction():
            forget_failures(name, address)
            token, record = issue_token(user)
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
