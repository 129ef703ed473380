"""Photo upload through the API: refusals store nothing, stored photos are clean and stamped,
reuse is flagged, and only the right people can fetch them."""

import io
import uuid
from pathlib import Path

import pytest
from PIL import Image

from models.tables.photos import Photo
from tests.test_imaging import encode, make_photo, phone_exif, png_bomb


def upload(world, data, *, role="guard", content_type="image/jpeg", filename="p.jpg", **form):
    fields = {"site_id": str(world.site_a.id), **{k: str(v) for k, v in form.items()}}
    fields["file"] = (io.BytesIO(data), filename, content_type)
    return world.client.post(
        "/api/photos", headers=world.headers(role), data=fields, content_type="multipart/form-data"
    )


def stored_files(app) -> list[Path]:
    root = Path(app.instance_path) / "photos"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def photo_jpeg(seed=1, **exif) -> bytes:
    return encode(make_photo(1200, 900, seed=seed), "JPEG", quality=90, exif=phone_exif(**exif))


@pytest.mark.parametrize(
    "data,content_type,code",
    [
        (b"just some text, not a photo", "image/jpeg", "not_an_image"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 200, "image/heic", "unsupported_format"),
        (None, "image/png", "content_type_mismatch"),  # a JPEG sent as PNG
        ("truncated", "image/jpeg", "corrupt_image"),
        ("bomb", "image/png", "too_many_pixels"),
        ("gif", "image/gif", "unsupported_format"),
    ],
)
def test_refused_uploads_leave_nothing_behind(app, world, data, content_type, code):
    if data is None:
        data = photo_jpeg()
    elif data == "truncated":
        data = photo_jpeg()[:5000]
    elif data == "bomb":
        data = png_bomb(20000, 20000)
    elif data == "gif":
        data = encode(make_photo(50, 50), "GIF")
    r = upload(world, data, content_type=content_type)
    assert r.status_code == 422, r.json
    assert r.json["error"] == code and r.json["message"]
    with app.app_context():
        assert Photo.select().count() == 0
    assert stored_files(app) == []


def test_over_the_byte_limit_is_refused(app, world):
    app.config["PHOTO_MAX_BYTES"] = 50_000
    r = upload(world, photo_jpeg())
    assert r.status_code == 413 and r.json["error"] == "too_many_bytes"
    assert r.json["message"] == "照片最多 0.0477 MB。"
    r = world.client.post(
        "/api/photos",
        headers={**world.headers("guard"), "Accept-Language": "en"},
        data={"site_id": str(world.site_a.id), "file": (io.BytesIO(photo_jpeg()), "p.jpg")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 413 and r.json["message"] == "Photos may be at most 0.0477 MB."
    assert r.json["errors"]["files"]["file"] == ["Photos may be at most 0.0477 MB."]
    assert stored_files(app) == []


def test_a_missing_file_or_site_is_a_validation_error(app, world):
    r = world.client.post(
        "/api/photos",
        headers=world.headers("guard"),
        data={"site_id": str(world.site_a.id)},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "file" in str(r.json["errors"])
    r = upload(world, photo_jpeg(), site_id=world.site_b.id)  # another site's: not found
    assert r.status_code == 404 and r.json["errors"]["form"]["site_id"], r.json
    with app.app_context():
        assert Photo.select().count() == 0


def test_stored_photo_is_oriented_clean_stamped_and_small(app, world):
    r = upload(world, photo_jpeg(orientation=6), area_id=world.area_a.id, device_id="phone-7")
    assert r.status_code == 201, r.json
    assert r.json["reused"] is False and r.json["place"] == "大堂"
    assert (r.json["width"], r.json["height"]) == (900, 1200)  # turned upright
    with world.client.get(r.json["image_url"], headers=world.headers("guard")) as image:
        assert image.status_code == 200 and image.mimetype == "image/jpeg"
        assert (
            "private" in image.headers["Cache-Control"]
            and "max-age" in image.headers["Cache-Control"]
        )
        stored = Image.open(io.BytesIO(image.data))
    assert stored.size == (900, 1200)
    assert not stored.getexif() and "exif" not in stored.info  # no GPS, no device data
    with world.client.get(r.json["thumbnail_url"], headers=world.headers("guard")) as response:
        thumb = Image.open(io.BytesIO(response.data))
    assert max(thumb.size) == 320
    # The bottom band carries the stamp: darkened background with light text.
    band = (
        stored.crop((0, int(stored.height * 0.93), stored.width, stored.height))
        .convert("L")
        .tobytes()
    )
    assert max(band) > 200 and sorted(band)[len(band) // 2] < 110
    with app.app_context():
        photo = Photo.get_by_id(r.json["id"])
        assert photo.captured_at is not None and photo.device_id == "phone-7"


def test_a_second_identical_or_recompressed_photo_is_flagged_reused(app, world):
    data = photo_jpeg(seed=3)
    original = upload(world, data)
    again = upload(world, data, role="supervisor")
    assert again.status_code == 201
    assert again.json["reused"] is True and again.json["reuse_distance"] == 0
    assert again.json["reused_of_id"] == original.json["id"]
    recompressed = encode(make_photo(1200, 900, seed=3).resize((1000, 750)), "JPEG", quality=55)
    r = upload(world, recompressed)
    assert r.json["reused"] is True and r.json["reused_of_id"] == original.json["id"]
    different = upload(world, photo_jpeg(seed=4))
    assert different.json["reused"] is False and different.json["reused_of_id"] is None
    # Reuse is judged per site: the same picture at site B is news there.
    r = world.client.post(
        "/api/photos",
        headers=world.headers("supervisor-b"),
        content_type="multipart/form-data",
        data={"site_id": str(world.site_b.id), "file": (io.BytesIO(data), "p.jpg")},
    )
    assert r.status_code == 201 and r.json["reused"] is False


def test_retrying_an_upload_with_its_id_stores_it_once(app, world):
    photo_id = str(uuid.uuid4())
    data = photo_jpeg()
    first = upload(world, data, id=photo_id)
    second = upload(world, data, id=photo_id)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json == second.json and first.json["id"] == photo_id
    clash = upload(world, photo_jpeg(seed=9), id=photo_id)
    assert clash.status_code == 409
    with app.app_context():
        assert Photo.select().count() == 1


def test_another_sites_user_gets_404_for_the_photo(app, world):
    r = upload(world, photo_jpeg())
    for url in (f"/api/photos/{r.json['id']}", r.json["image_url"], r.json["thumbnail_url"]):
        assert world.client.get(url, headers=world.headers("supervisor-b")).status_code == 404
        with world.client.get(url, headers=world.headers("supervisor")) as response:
            assert response.status_code == 200


def test_guards_see_their_own_photos_not_their_colleagues(app, world):
    mine = upload(world, photo_jpeg(seed=5), role="guard")
    theirs = upload(world, photo_jpeg(seed=6), role="supervisor")
    with world.client.get(mine.json["image_url"], headers=world.headers("guard")) as response:
        assert response.status_code == 200
    assert (
        world.client.get(theirs.json["image_url"], headers=world.headers("guard")).status_code
        == 404
    )


def test_prune_removes_only_unreferenced_files(app, world, runner):
    from models.files.storage import FileStorage

    kept = upload(world, photo_jpeg(seed=11))
    orphan_key = FileStorage(Path(app.instance_path) / "photos").put(
        b"left behind by a crash", ".jpg"
    )
    before = set(stored_files(app))
    r = runner.invoke(args=["photos", "prune", "--dry-run"])
    assert "would remove 1 orphaned files" in r.output and set(stored_files(app)) == before
    r = runner.invoke(args=["photos", "prune"])
    assert "removed 1 orphaned files" in r.output
    remaining = {p.name for p in stored_files(app)}
    assert Path(orphan_key).name not in remaining and len(remaining) == 2
    with world.client.get(kept.json["image_url"], headers=world.headers("guard")) as response:
        assert response.status_code == 200


@pytest.mark.parametrize("where", ["cut-and-closed", "marker-inside"])
def test_a_jpeg_cut_short_and_closed_is_refused_and_not_stored(app, world, where):
    """Decoded as it is, the lower half would be flat grey under the evidence stamp."""
    data = photo_jpeg()
    half = len(data) // 2
    if where == "cut-and-closed":
        data = data[:half] + b"\xff\xd9"
    else:
        data = data[:half] + b"\xff\xd9" + data[half:]
    r = upload(world, data)
    assert r.status_code == 422, r.json
    assert r.json["error"] == "corrupt_image" and r.json["message"]
    with app.app_context():
        assert Photo.select().count() == 0
    assert stored_files(app) == []
    assert upload(world, photo_jpeg()).status_code == 201  # the whole photo is taken


def test_a_client_built_from_the_api_document_uploads_a_photo(app, world):
    """A generated client knows only the document: the upload's multipart body must list every
    field the server reads (site_id too), and no parameter may be `in: formData` (OpenAPI 2)."""
    spec = world.client.get("/api/openapi.json").json
    operation = spec["paths"]["/api/photos"]["post"]
    assert not [p for p in operation.get("parameters", []) if p["in"] not in ("query", "header")]
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    values = {"integer": {"site_id": world.site_a.id, "area_id": world.area_a.id}}
    fields = {}
    for name, prop in schema["properties"].items():
        if prop.get("format") == "binary":
            fields[name] = (io.BytesIO(photo_jpeg()), "p.jpg", "image/jpeg")
        elif name in schema.get("required", []) or prop.get("type") == "integer":
            fields[name] = str(values[prop["type"]][name])
    assert {"file", "site_id"} <= set(schema["required"])
    r = world.client.post(
        "/api/photos",
        headers=world.headers("guard"),
        data=fields,
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.json
    assert r.json["site_id"] == world.site_a.id and r.json["place"] == world.area_a.name
