"""flask-smorest, adapted once for the whole API: the error shape, the error responses every
operation documents, peewee pagination and database integrity errors answered as 409."""

from http import HTTPStatus

import marshmallow as ma
import peewee
from apispec import BasePlugin
from flask import current_app
from flask_smorest import Api as _Api
from flask_smorest import Page
from flask_smorest.pagination import PaginationMetadataSchema
from flask_smorest.spec.plugins import integerconverter2paramschema
from werkzeug.exceptions import Conflict, HTTPException
from werkzeug.routing import IntegerConverter

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


class CommonErrorResponses(BasePlugin):
    """Document the errors the API answers for whole classes of operations, so each one lists
    every status it can really give: 401/403 where a token and a role are required, 404 where
    the path names an object, 400/413/415 where a body is read (malformed JSON, over
    MAX_CONTENT_LENGTH, not JSON) and 409 on writes (a duplicate refused by the database, see
    handle_integrity_error, or a step the object's state no longer allows)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            statuses = []
            if operation.get("security"):
                statuses += [401, 403]
            if "{" in (path or ""):
                statuses.append(404)
            if "requestBody" in operation:
                statuses += [400, 413, 415]
            if method.lower() in ("post", "put", "patch"):
                statuses.append(409)
            for status in statuses:
                if status not in responses and str(status) not in responses:
                    responses[status] = HTTPStatus(status).name


# The largest id (or any integer) a database column holds: a 64-bit signed integer.
MAX_INTEGER = 2**63 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in URLs, bounded to what a column can hold: a larger id cannot exist, so it
    answers 404 instead of overflowing in the database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


class Api(_Api):
    ERROR_SCHEMA = ErrorSchema

    def __init__(self, app=None, *, spec_kwargs=None, **kwargs):
        spec_kwargs = dict(spec_kwargs or {})
        spec_kwargs["extra_plugins"] = [
            *spec_kwargs.get("extra_plugins", ()),
            CommonErrorResponses(),
        ]
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)

    def init_app(self, app, *args, **kwargs):
        app.url_map.converters["int"] = IdConverter
        super().init_app(app, *args, **kwargs)
        self.register_converter(IdConverter, integerconverter2paramschema)

    def _register_pagination_header(self):
        # X-Pagination carries the metadata as JSON text; flask-smorest documents it as an object.
        self.spec.components.schema("PaginationMetadata", schema=PaginationMetadataSchema)
        self.spec.components.header(
            "PAGINATION",
            {
                "description": "Pagination metadata, as JSON",
                "schema": {
                    "type": "string",
                    "contentMediaType": "application/json",
                    "contentSchema": {"$ref": "#/components/schemas/PaginationMetadata"},
                },
            },
            lazy=True,
        )

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
        page, size = self.page_params.page, self.page_params.page_size
        if (page - 1) * size > MAX_INTEGER:
            return []  # past the end of any table; the database could not take the offset
        return list(self.collection.paginate(page, size))

    @property
    def item_count(self):
        return self.collection.count()


def where_equal(query, model, filters: dict, *fields: str):
    """Narrow a list query by the equality filters the caller gave (``?site_id=3&active=true``)."""
    for field in fields:
        if field in filters:
            query = query.where(getattr(model, field) == filters[field])
    return query


def _out_of_range(value) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return not -MAX_INTEGER - 1 <= value <= MAX_INTEGER
    if isinstance(value, list | tuple | set):
        return any(_out_of_range(v) for v in value)
    return False


class IntegersInRange:
    """Refuse integers a database column cannot hold (a 422 on the field, not an overflow
    error from the driver). Nested schemas check their own fields."""

    @ma.validates_schema
    def _integers_in_range(self, data, **kwargs):
        errors = {
            name: [f"Must be between {-MAX_INTEGER - 1} and {MAX_INTEGER}."]
            for name, value in data.items()
            if _out_of_range(value)
        }
        if errors:
            raise ma.ValidationError(errors)


class Schema(IntegersInRange, ma.Schema):
    """Base schema: unknown fields are refused (marshmallow's default, stated here on purpose)."""

    class Meta:
        unknown = ma.RAISE


class QuerySchema(IntegersInRange, ma.Schema):
    """Base for query-string filters: pagination arguments share the query string."""

    class Meta:
        unknown = ma.EXCLUDE
