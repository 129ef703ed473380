"""flask-smorest, adapted once for the whole API: the error shape (in the caller's language, see
api/messages.py), the error responses every operation documents, the bounds of integers and
text the document states, peewee pagination and database integrity errors answered as 409."""

import json
from http import HTTPStatus
from zoneinfo import available_timezones

import marshmallow as ma
import peewee
from apispec import BasePlugin
from flask import current_app, request
from flask_smorest import Api as _Api
from flask_smorest import Page
from flask_smorest.arguments import ArgumentsMixin
from flask_smorest.pagination import PaginationMetadataSchema
from flask_smorest.spec.plugins import (
    integerconverter2paramschema,
    unicodeconverter2paramschema,
)
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import Conflict, HTTPException
from werkzeug.routing import IntegerConverter, UnicodeConverter

from api.errors import DEFAULT_ERRORS, abort
from api.fields import validate_timezone
from api.messages import language, localize_errors, message_for

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
    the path, the query or the body may name an object (see security.reference), 400/413/415
    where a body is read (malformed JSON, over MAX_CONTENT_LENGTH, not JSON) and 409 on writes
    (a duplicate refused by the database, see handle_integrity_error, or a step the object's
    state no longer allows)."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            statuses = []
            if operation.get("security"):
                statuses += [401, 403]
            parameters = operation.get("parameters", [])
            names_objects = "{" in (path or "") or "requestBody" in operation
            if names_objects or any(p.get("in") == "query" for p in parameters):
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
# Text without NUL characters (PostgreSQL refuses them; see unstorable), as a JSON Schema pattern.
NO_NUL_PATTERN = "^[^\\x00]*$"


NOTHING_TO_CHANGE = "Nothing to change: send at least one field."


class ArgumentsParser(FlaskParser):
    """flask-smorest's argument parser, refusing an empty PUT/PATCH body (``{}`` or none): it
    would change nothing, and a client that sends it has lost its fields on the way."""

    def pre_load(self, location_data, *, schema, req, location):
        if location == "json" and req.method in ("PUT", "PATCH") and not location_data:
            raise ma.ValidationError({"_schema": [NOTHING_TO_CHANGE]})
        return location_data


class UpdateBodies(BasePlugin):
    """Document that refusal: every PUT/PATCH JSON body has ``minProperties: 1``."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            if method.lower() not in ("put", "patch"):
                continue
            content = operation.get("requestBody", {}).get("content", {})
            body = content.get("application/json")
            if body and "schema" in body:
                body["schema"] = {"allOf": [body["schema"]], "minProperties": 1}


def storable_bounds(converter, field, ret=None, **kwargs):
    """State in the document what validation refuses (see unstorable): integers beyond 64 bits
    (ids among them), text with NUL characters, times of day that are not HH:MM and time zones
    that are not IANA names."""
    extra = {}
    if validate_timezone in field.validators:
        extra["enum"] = sorted(available_timezones())
    if isinstance(field, ma.fields.Url):
        extra["format"] = "uri"
        extra["pattern"] = "^https?://[^/?#@:]+[.][^/?#@:]+"  # a web address with a domain
    elif isinstance(field, ma.fields.Time) and field.format == "%H:%M":
        extra["pattern"] = "^([01][0-9]|2[0-3]):[0-5][0-9]$"
        extra["examples"] = ["07:30"]
    elif isinstance(field, ma.fields.Integer):
        extra["minimum"] = max(ret.get("minimum", -MAX_INTEGER - 1), -MAX_INTEGER - 1)
        extra["maximum"] = min(ret.get("maximum", MAX_INTEGER), MAX_INTEGER)
    elif isinstance(field, ma.fields.String) and not {"pattern", "format", "enum"} & set(ret):
        extra["pattern"] = NO_NUL_PATTERN
    return extra


class IdConverter(IntegerConverter):
    """``<int:...>`` in URLs, bounded to what a column can hold: a larger id cannot exist, so it
    answers 404 instead of overflowing in the database driver."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INTEGER)
        super().__init__(map, *args, **kwargs)


class TextConverter(UnicodeConverter):
    """``<string:...>`` in URLs without NUL characters, which no stored text contains (and
    PostgreSQL refuses in a query): such a path answers 404."""

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00]")


def textconverter2paramschema(converter):
    """A text path parameter, documented without NUL characters (such a path answers 404)."""
    return {**unicodeconverter2paramschema(converter), "pattern": NO_NUL_PATTERN}


class Api(_Api):
    ERROR_SCHEMA = ErrorSchema

    def __init__(self, app=None, *, spec_kwargs=None, **kwargs):
        spec_kwargs = dict(spec_kwargs or {})
        spec_kwargs["extra_plugins"] = [
            *spec_kwargs.get("extra_plugins", ()),
            CommonErrorResponses(),
            UpdateBodies(),
        ]
        super().__init__(app, spec_kwargs=spec_kwargs, **kwargs)

    def init_app(self, app, *args, **kwargs):
        app.url_map.converters["int"] = IdConverter
        app.url_map.converters["string"] = app.url_map.converters["default"] = TextConverter
        app.before_request(read_json_body)
        super().init_app(app, *args, **kwargs)
        self.register_converter(IdConverter, integerconverter2paramschema)
        self.register_converter(TextConverter, textconverter2paramschema)
        self.ma_plugin.converter.add_attribute_function(storable_bounds)
        ArgumentsMixin.ARGUMENTS_PARSER = ArgumentsParser()
        self.spec.components.schema("Month", month_schema())

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
        """The one error shape, in the caller's language (``Accept-Language``, Chinese unless
        English is asked for): ``message`` and the per-field messages are translated, ``error``
        stays the stable code."""
        payload, status, headers = super().handle_http_exception(error)
        data = getattr(error, "data", None) or {}
        payload["error"] = data.get("error") or DEFAULT_ERRORS.get(status, "error")
        if not payload.get("message"):
            payload["message"] = DEFAULT_MESSAGES.get(status) or error.description
        lang = language()
        payload["message"] = message_for(payload["error"], lang, payload["message"])
        if "errors" in payload:
            payload["errors"] = localize_errors(payload["errors"], lang)
        headers = {**dict(headers or {}), "Content-Language": lang, "Vary": "Accept-Language"}
        if status == 405 and getattr(error, "valid_methods", None):
            headers = {**headers, "Allow": ", ".join(error.valid_methods)}
        return payload, status, headers

    def handle_integrity_error(self, error: peewee.IntegrityError):
        """A unique or foreign key constraint refused the write: the client's data conflicts."""
        current_app.logger.info("integrity error: %s", error)
        conflict = Conflict(description="This conflicts with existing data (a duplicate?).")
        conflict.data = {"error": "conflict"}
        return self.handle_http_exception(conflict)


# Deeper than this many brackets, a JSON body is parsed once up front to see whether Python's
# parser can take it (it recurses; about 1,000 levels exhaust the stack).
NESTING_CHECK_BRACKETS = 500


def read_json_body():
    """Read a JSON request body before any view, so that two hostile bodies get a 4xx in the
    one error shape: a streamed (chunked) body over MAX_CONTENT_LENGTH is a 413 (werkzeug stops
    reading at the limit and only the next read says so), and JSON nested too deeply for the
    parser is a 400 instead of a RecursionError."""
    if request.method not in ("POST", "PUT", "PATCH") or request.mimetype != "application/json":
        return
    data = request.get_data(cache=True)
    if request.content_length is None:
        request.stream.read(1)  # raises RequestEntityTooLarge if the limit cut the body short
    if data.count(b"[") + data.count(b"{") > NESTING_CHECK_BRACKETS:
        try:
            json.loads(data)
        except RecursionError:
            abort(400, "bad_request", "The JSON body is nested too deeply.")
        except ValueError:
            pass  # malformed: the argument parser answers it


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


def unstorable(value) -> str | None:
    """Why a loaded value cannot be stored as it is, or None: an integer beyond 64 bits, or text
    with a NUL character (PostgreSQL refuses it) or a lone surrogate (not encodable as UTF-8)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and not -MAX_INTEGER - 1 <= value <= MAX_INTEGER:
        return f"Must be between {-MAX_INTEGER - 1} and {MAX_INTEGER}."
    if isinstance(value, str):
        if "\x00" in value:
            return "Text may not contain NUL characters."
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "Text must be valid Unicode (no lone surrogates)."
    if isinstance(value, list | tuple | set):
        return next(filter(None, map(unstorable, value)), None)
    if isinstance(value, dict):
        return next(filter(None, map(unstorable, [*value.keys(), *value.values()])), None)
    return None


class StorableValues:
    """Refuse values the database cannot hold with a 422 on the field, instead of an error
    from the driver. Nested schemas check their own fields."""

    @ma.validates_schema
    def _storable_values(self, data, **kwargs):
        errors = {}
        for name, value in data.items():
            problem = unstorable(value)
            if problem:
                errors[name] = [problem]
        if errors:
            raise ma.ValidationError(errors)


class Schema(StorableValues, ma.Schema):
    """Base schema: unknown fields are refused (marshmallow's default, stated here on purpose)."""

    class Meta:
        unknown = ma.RAISE


def month_schema() -> dict:
    """A month as the integer YYYYMM from 2000-01 to 2100-12: one range per year, so that the
    document (and a client generated from it) knows 202613 and 202600 are not months."""
    return {
        "type": "integer",
        "description": "a month as YYYYMM, e.g. 202611 (2000-01 to 2100-12)",
        "anyOf": [
            {"minimum": year * 100 + 1, "maximum": year * 100 + 12} for year in range(2000, 2101)
        ],
    }


class QuerySchema(StorableValues, ma.Schema):
    """Base for query-string filters: pagination arguments share the query string."""

    class Meta:
        unknown = ma.EXCLUDE
