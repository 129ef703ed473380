"""flask-smorest, adapted once for the whole API: the error shape, peewee pagination and
database integrity errors answered as 409."""

import marshmallow as ma
import peewee
from flask import current_app
from flask_smorest import Api as _Api
from flask_smorest import Page
from werkzeug.exceptions import Conflict, HTTPException

from api.errors import DEFAULT_ERRORS

DEFAULT_MESSAGES = {
    400: "The request could not be read (is the body valid JSON?).",
    422: "Some fields are missing or invalid: see errors.",
    500: "Internal server error; the request id identifies it in the logs.",
}


class ErrorSchema(ma.Schema):
    """The error payload (documentation only)."""

    code = ma.fields.Integer(metadata={"description": "HTTP status"})
    status = ma.fields.String(metadata={"description": "HTTP status name"})
    error = ma.fields.String(metadata={"description": "stable machine-readable error name"})
    message = ma.fields.String(metadata={"description": "what went wrong, for people"})
    errors = ma.fields.Dict(metadata={"description": "per-field details"})


class Api(_Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        super()._register_error_handlers()
        self._app.register_error_handler(peewee.IntegrityError, self.handle_integrity_error)

    def handle_http_exception(self, error: HTTPException):
        payload, status, headers = super().handle_http_exception(error)
        data = getattr(error, "data", None) or {}
        payload["error"] = data.get("error") or DEFAULT_ERRORS.get(status, "error")
        if not payload.get("message"):
            payload["message"] = DEFAULT_MESSAGES.get(status) or error.description
        if status == 405 and getattr(error, "valid_methods", None):
            headers = {**headers, "Allow": ", ".join(error.valid_methods)}
        return payload, status, headers

    def handle_integrity_error(self, error: peewee.IntegrityError):
        """A unique or foreign key constraint refused the write: the client's data conflicts."""
        current_app.logger.info("integrity error: %s", error)
        conflict = Conflict(description="This conflicts with existing data (a duplicate?).")
        conflict.data = {"error": "conflict"}
        return self.handle_http_exception(conflict)


class PeeweePage(Page):
    """Paginate a peewee query in the database (LIMIT/OFFSET and COUNT), not in Python."""

    @property
    def items(self):
        return list(self.collection.paginate(self.page_params.page, self.page_params.page_size))

    @property
    def item_count(self):
        return self.collection.count()


def where_equal(query, model, filters: dict, *fields: str):
    """Narrow a list query by the equality filters the caller gave (``?site_id=3&active=true``)."""
    for field in fields:
        if field in filters:
            query = query.where(getattr(model, field) == filters[field])
    return query


class Schema(ma.Schema):
    """Base schema: unknown fields are refused (marshmallow's default, stated here on purpose)."""

    class Meta:
        unknown = ma.RAISE


class QuerySchema(ma.Schema):
    """Base for query-string filters: pagination arguments share the query string."""

    class Meta:
        unknown = ma.EXCLUDE
