"""Photos 照片: evidence taken at checkpoints, of faults and of fixes. Uploaded once, checked,
normalised, stamped, and shown only to people who may see what they belong to."""

import hashlib
from datetime import UTC, datetime, timedelta

from flask import Response, current_app, g, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from api.errors import abort, refuse
from api.photos.schemas import (
    PhotoFileSchema,
    PhotoSchema,
    PhotoUploadFormSchema,
    PhotoUploadSchema,
)
from api.security import ALL_ROLES, reference, roles
from models import utcnow
from models.files.imaging import ImageLimits, process_photo
from models.files.storage import PhotoStore, key_digest, open_store
from models.records.photos import Upload, store_photo
from models.refused import Refused
from models.tables.inspections import CoachingItem, Inspection, Rectification
from models.tables.org import Area, Site
from models.tables.photos import Photo

blp = Blueprint("photos", __name__, url_prefix="/api/photos", description="Photos 照片")

ROLE_NAMES = {
    "admin": "管理员",
    "hr": "人事",
    "supervisor": "主管",
    "manager": "经理",
    "guard": "护卫员",
    "staff": "员工",
}


def storage() -> PhotoStore:
    """This app's photo store (XUNJIAN_PHOTO_STORE), made once: an object store's client
    keeps its connections for the next request."""
    extensions = current_app.extensions["xunjian"]
    if "photo_store" not in extensions:
        extensions["photo_store"] = open_store(current_app.config, current_app.instance_path)
    return extensions["photo_store"]


def limits() -> ImageLimits:
    config = current_app.config
    return ImageLimits(
        max_bytes=config["PHOTO_MAX_BYTES"],
        max_pixels=config["PHOTO_MAX_PIXELS"],
        long_side=config["PHOTO_LONG_SIDE"],
        thumb_side=config["PHOTO_THUMB_SIDE"],
        quality=config["PHOTO_QUALITY"],
    )


def stamp_lines(site: Site, place: str) -> list[str]:
    """Server time in the site's zone, site and place, and who took it."""
    local = datetime.now(UTC).astimezone(site.zone)
    who = g.user.display_name or g.user.username
    return [
        local.strftime("%Y-%m-%d %H:%M:%S %z"),
        f"{site.name} · {place}" if place else site.name,
        f"{ROLE_NAMES[g.user.role]} {who}",
    ]


def present(photo: Photo) -> dict:
    return {
        **{
            f: getattr(photo, f)
            for f in (
                "id",
                "site_id",
                "uploaded_by_id",
                "uploaded_at",
                "captured_at",
                "place",
                "width",
                "height",
                "reused_of_id",
                "reuse_distance",
                "owner_type",
                "owner_id",
            )
        },
        "reused": photo.reuse_distance is not None,
        "image_url": f"/api/photos/{photo.id}/image",
        "thumbnail_url": f"/api/photos/{photo.id}/thumbnail",
    }


def may_see(photo: Photo) -> bool:
    """Office roles see the photos of their sites; guards and staff see the ones they took and
    those about themselves (their inspections, coaching, rectifications assigned to them)."""
    user = g.user
    if not user.is_company_wide and photo.site_id not in user.site_ids():
        return False
    if user.role in ("admin", "hr", "supervisor", "manager") or photo.uploaded_by_id == user.id:
        return True
    if user.staff_id is None or photo.owner_id is None:
        return False
    if photo.owner_type == "inspection":
        return (
            Inspection.select()
            .where((Inspection.id == photo.owner_id) & (Inspection.staff == user.staff_id))
            .exists()
        )
    if photo.owner_type == "rectification":
        return (
            Rectification.select()
            .where(
                (Rectification.id == int(photo.owner_id))
                & (Rectification.assignee == user.staff_id)
            )
            .exists()
        )
    if photo.owner_type == "coaching":
        return (
            CoachingItem.select()
            .where((CoachingItem.id == int(photo.owner_id)) & (CoachingItem.staff == user.staff_id))
            .exists()
        )
    return False


def visible_photo(photo_id) -> Photo:
    photo = Photo.get_or_none(Photo.id == photo_id)
    if photo is None or not may_see(photo):
        abort(404, "not_found", "No such photo.")
    return photo


@blp.route("")
class Photos(MethodView):
    @roles(*ALL_ROLES)
    @blp.arguments(PhotoUploadFormSchema, location="form")
    @blp.arguments(PhotoFileSchema, location="files")
    @blp.doc(  # one multipart body holding both parts, as api/staff/routes.py StaffImport does
        parameters=[],
        requestBody={"content": {"multipart/form-data": {"schema": PhotoUploadSchema}}},
    )
    @blp.response(201, PhotoSchema)
    @blp.alt_response(200, schema=PhotoSchema, description="Already uploaded: the stored photo")
    def post(self, form, files):
        """Upload a photo (multipart: `file` plus form fields). JPEG, PNG or WebP."""
        site = reference(Site, form["site_id"], "site_id")
        place = form.get("place", "")
        if form.get("area_id") is not None:
            place = reference(Area, form["area_id"], "area_id", site_id=site.id).name
        upload = files["file"]
        max_bytes = current_app.config["PHOTO_MAX_BYTES"]
        data = upload.read(max_bytes + 1)
        if len(data) > max_bytes:  # only the limit is known: the rest of the file is not read
            too_large = f"Photos may be at most {max_bytes / 2**20:.3g} MB."
            abort(413, "too_many_bytes", too_large, errors={"files": {"file": [too_large]}})
        if form.get("id") is not None:
            existing = Photo.get_or_none(Photo.id == form["id"])
            if existing is not None:
                return same_upload_or_conflict(existing, data)
        try:
            processed = process_photo(
                data,
                declared_content_type=upload.mimetype,
                stamp_lines=stamp_lines(site, place),
                limits=limits(),
            )
        except Refused as rejected:
            refuse(rejected, field="file")
        stored = store_photo(
            Upload(
                site=site,
                user_id=g.user.id,
                processed=processed,
                byte_size=len(data),
                place=place,
                device_id=form.get("device_id", ""),
                photo_id=form.get("id"),
            ),
            storage(),
            reuse_since=utcnow() - timedelta(days=current_app.config["PHOTO_REUSE_WINDOW_DAYS"]),
            max_distance=current_app.config["PHOTO_REUSE_MAX_DISTANCE"],
        )
        photo, created, earlier = stored.photo, stored.created, stored.reused_of
        if not created:
            return same_upload_or_conflict(photo, data)
        if earlier is not None:
            current_app.logger.info(
                "photo %s looks reused (of %s, distance %s)",
                photo.id,
                earlier.id,
                stored.reuse_distance,
            )
        return present(photo)


def same_upload_or_conflict(existing: Photo, data: bytes):
    """A retried upload answers the stored photo; another photo under the same id is refused."""
    if existing.uploaded_by_id != g.user.id or existing.sha256 != hashlib.sha256(data).hexdigest():
        abort(
            409,
            "conflict",
            "A different photo was uploaded with this id; make a new id.",
            errors={"form": {"id": ["taken"]}},
        )
    return present(existing), 200


@blp.route("/<uuid:photo_id>")
class PhotoById(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, PhotoSchema)
    def get(self, photo_id):
        """A photo's details, including whether it looks reused."""
        return present(visible_photo(photo_id))


def send_stored(key: str):
    """The stored file, streamed through the app from either store, after the caller's access
    was checked. Not a redirect to a pre-signed object-store URL: such a URL lets anyone who
    holds it (a forwarded link, a proxy's log) see the photo while it lives, and phones on a
    site's private network often reach only this server (see README, Photos)."""
    # The key is the SHA-256 of the bytes: the same ETag on every server and either store, and
    # a phone revalidating its copy is answered without reading the store at all.
    etag = key_digest(key)
    if etag in request.if_none_match:
        response = Response(status=304)
        response.set_etag(etag)
    else:
        store = storage()
        try:
            stream, size = store.open(key)
        except FileNotFoundError:
            current_app.logger.error("photo file %s is missing from the %s store", key, store.kind)
            abort(404, "not_found", "No such photo.")
        if store.kind == "local":  # a file: gunicorn may hand it to the kernel (sendfile)
            response = send_file(stream, mimetype="image/jpeg", etag=etag, conditional=False)
        else:
            response = Response(_chunks(stream), mimetype="image/jpeg", direct_passthrough=True)
            response.call_on_close(stream.close)
            response.set_etag(etag)
        response.content_length = size
    # Content never changes (content-addressed), but only its viewers may keep a copy.
    response.cache_control.max_age = 31536000
    response.cache_control.private = True
    response.cache_control.public = False
    response.cache_control.immutable = True
    return response


def _chunks(stream, size: int = 64 * 1024):
    while chunk := stream.read(size):
        yield chunk


@blp.route("/<uuid:photo_id>/image")
class PhotoImage(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, content_type="image/jpeg")
    def get(self, photo_id):
        """The stamped photo (JPEG)."""
        return send_stored(visible_photo(photo_id).image_key)


@blp.route("/<uuid:photo_id>/thumbnail")
class PhotoThumbnail(MethodView):
    @roles(*ALL_ROLES)
    @blp.response(200, content_type="image/jpeg")
    def get(self, photo_id):
        """A small version for lists (JPEG)."""
        return send_stored(visible_photo(photo_id).thumbnail_key)
