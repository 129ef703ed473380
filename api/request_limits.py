"""How long a URL and how many and how long headers a request may have.

The app refuses these itself, in the one JSON error shape, below the limits of the server in
front (gunicorn.conf.py sets gunicorn's above them, and answers its own refusals in the same
shape): no client ever gets a server's HTML page. Nothing the product sends comes near them.
"""

from flask import request

from api.errors import abort

MAX_URL_BYTES = 4096  # path and query string as sent; gunicorn's request line: 8190
MAX_HEADERS = 64  # gunicorn's limit_request_fields: 100
MAX_HEADER_BYTES = 8190  # one header, name and value; gunicorn's limit_request_field_size: 16384


def refuse_oversized_requests():
    """Before every request: an over-long URL is a 414, too many or too long headers a 431."""
    environ = request.environ
    url = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if url is None:
        url = environ.get("PATH_INFO", "") + "?" + environ.get("QUERY_STRING", "")
    if len(url.encode("latin-1", "replace")) > MAX_URL_BYTES:
        abort(
            414,
            "uri_too_long",
            f"The address is too long (at most {MAX_URL_BYTES} bytes): send less in the query.",
        )
    headers = [(k, v) for k, v in environ.items() if k.startswith("HTTP_")]
    headers += [(k, environ[k]) for k in ("CONTENT_TYPE", "CONTENT_LENGTH") if environ.get(k)]
    if len(headers) > MAX_HEADERS:
        abort(
            431,
            "headers_too_large",
            f"The request has too many headers (at most {MAX_HEADERS}).",
        )
    if any(len(name) + 2 + len(str(value)) > MAX_HEADER_BYTES for name, value in headers):
        abort(
            431,
            "headers_too_large",
            f"A header of the request is too long (at most {MAX_HEADER_BYTES} bytes).",
        )
