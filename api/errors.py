"""One error shape for every failure: ``{code, status, error, message, errors}``.

``code`` is the HTTP status, ``error`` a stable machine-readable name that clients switch on,
``message`` a sentence for people and ``errors`` the per-field details of a validation error.
"""

import flask_smorest
from flask import has_request_context, request

DEFAULT_ERRORS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "too_many_attempts",
    500: "internal_error",
    503: "unavailable",
}


def abort(status: int, error: str | None = None, message: str | None = None, **kwargs):
    """Stop the request with an error response in the one shape."""
    flask_smorest.abort(
        status, error=error or DEFAULT_ERRORS.get(status, "error"), message=message, **kwargs
    )


def location_of(field: str) -> str:
    """Where the request carried a field, as the ``errors`` of a refusal name it: ``path``,
    ``json``, ``form``, ``files`` or ``query`` (``json`` when it carried it nowhere)."""
    if not has_request_context():
        return "json"
    if field in (request.view_args or {}):
        return "path"
    if request.is_json:
        body = request.get_json(silent=True)
        if isinstance(body, dict) and field in body:
            return "json"
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if field in request.files:
            return "files"
        if field in request.form:
            return "form"
    if field in request.args:
        return "query"
    return "json"


def field_error(status: int, error: str, message: str, field: str):
    """Stop the request with an error about one field, named under the location it came in."""
    abort(status, error, message, errors={location_of(field): {field: [message]}})


def refuse(refused, field: str | None = None):
    """Stop the request with a :class:`models.refused.Refused`: its status, reason and message,
    with its own per-field ``errors``, or else its message about ``field`` when one is named."""
    errors = refused.errors
    if errors is None and field is not None:
        errors = {location_of(field): {field: [refused.message]}}
    kwargs = {} if errors is None else {"errors": errors}
    abort(refused.status, refused.reason, refused.message, **kwargs)
