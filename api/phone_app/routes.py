"""The phone web app: static files under static/app/, served at /app/ (not part of the API)."""

import hashlib
import json
import re
from pathlib import Path

from flask import Blueprint, Response, current_app, send_from_directory

bp = Blueprint("phone_app", __name__)

# What the service worker keeps on the phone: the app's files and the vendored libraries the
# app loads (not the API docs' Swagger UI).
SHELL_SUFFIXES = {".html", ".js", ".css", ".png", ".svg", ".webmanifest", ".json", ".woff2"}
SHELL_LINE = re.compile(r"^const SHELL = .*$", re.MULTILINE)


def static_dir() -> Path:
    return Path(current_app.static_folder)


def shell_files() -> list[tuple[str, Path]]:
    """(URL, file) for every file the app needs offline, in a stable order."""
    root = static_dir()
    found = [("/app/", root / "app" / "index.html")]
    for path in sorted((root / "app").rglob("*")):
        served_apart = path.name in ("index.html", "sw.js")  # as /app/ and by service_worker()
        if path.is_file() and path.suffix in SHELL_SUFFIXES and not served_apart:
            found.append((f"/app/{path.relative_to(root / 'app').as_posix()}", path))
    for path in sorted((root / "vendor").rglob("*")):
        relative = path.relative_to(root / "vendor")
        if path.is_file() and path.suffix in SHELL_SUFFIXES and relative.parts[0] != "swagger-ui":
            found.append((f"/static/vendor/{relative.as_posix()}", path))
    return found


def no_cache(response: Response) -> Response:
    """Phones revalidate (ETag) instead of keeping stale copies; the service worker decides
    what is kept for offline use."""
    response.cache_control.no_cache = True
    response.cache_control.max_age = 0
    return response


@bp.get("/app/")
def shell():
    """The app shell; every screen is a hash route inside it."""
    return no_cache(send_from_directory(static_dir() / "app", "index.html", max_age=0))


@bp.get("/app/sw.js")
def service_worker():
    """The service worker, with the list of files to keep and a version made from them."""
    files = shell_files()
    digest = hashlib.sha256()
    for url, path in files:
        digest.update(url.encode())
        digest.update(path.read_bytes())
    manifest = {"version": digest.hexdigest()[:16], "files": [url for url, _ in files]}
    source = (static_dir() / "app" / "sw.js").read_text(encoding="utf-8")
    line = f"const SHELL = {json.dumps(manifest)}; // filled in by the server"
    body = SHELL_LINE.sub(lambda _: line, source, count=1)
    response = Response(body, mimetype="text/javascript")
    # Scope "/": the worker also answers label links (/s/<token>) when the phone has no signal.
    response.headers["Service-Worker-Allowed"] = "/"
    return no_cache(response)


@bp.get("/app/<path:filename>")
def app_file(filename: str):
    """The app's own files (screens, styles, icons, manifest)."""
    return no_cache(send_from_directory(static_dir() / "app", filename, max_age=0))
