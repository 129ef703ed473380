"""The office console 办公后台: static files under static/console/, served at /console/.

It is a page of the same web app as the phone app: it loads the phone app's API client,
session and texts (/app/js/...) and drives the same API with the same token, so every rule
(roles, site walls, validation) is the API's; the console has no way of its own to the data.
"""

from flask import Blueprint, send_from_directory

from api.phone_app.routes import no_cache, static_dir

bp = Blueprint("office_console", __name__)


@bp.get("/console/")
def shell():
    """The console shell; every screen is a hash route inside it."""
    return no_cache(send_from_directory(static_dir() / "console", "index.html", max_age=0))


@bp.get("/console/<path:filename>")
def console_file(filename: str):
    """The console's own scripts and styles."""
    return no_cache(send_from_directory(static_dir() / "console", filename, max_age=0))
