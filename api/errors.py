"""One error shape for every failure: ``{code, status, error, message, errors}``.

``code`` is the HTTP status, ``error`` a stable machine-readable name that clients switch on,
``message`` a sentence for people and ``errors`` the per-field details of a validation error.
"""

import flask_smorest

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
