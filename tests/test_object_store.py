"""Photos in S3-compatible object storage (models/files/object_store.py), against a real S3 HTTP
server process (moto's standalone server, tests/s3_server.py), and the same photo tests run
on both stores: upload, serve, thumbnail, access, prune, backup and restore."""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import tarfile
from pathlib import Path

import pytest

from models.files.backup import read_manifest
from models.files.object_store import ObjectStorage, ObjectStoreError
from models.files.storage import FileStorage, open_store
from models.tables.checklists import sync_checklists
from models.tables.photos import Photo
from models.tables.schema import upgrade
from tests.conftest import ON_POSTGRES, empty_all_tables, make_app
from tests.s3_server import ACCESS_KEY, REGION, SECRET_KEY, running_s3_server
from tests.test_imaging import encode, make_photo

DATA = b"\xff\xd8\xff\xe0 pretend this is a JPEG"
DIGEST = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    with running_s3_server(tmp_path_factory.mktemp("s3") / "moto.log") as server:
        yield server


@pytest.fixture
def bucket(s3) -> str:
    return s3.new_bucket()


@pytest.fixture(params=["local", "s3"])
def store_settings(request, s3) -> dict:
    return {} if request.param == "local" else s3.settings(s3.new_bucket())


def open_app(tmp_path, **settings):
    app = make_app(tmp_path, **settings)
    with app.app_context():
        upgrade()  # idempotent; on PostgreSQL the tables are emptied below
        if ON_POSTGRES:
            empty_all_tables()
        sync_checklists(app.extensions["xunjian"]["checklists"])
    return app


@pytest.fixture
def app(tmp_path, store_settings):
    """conftest's app, on the photo store of the test's parameter."""
    app = open_app(tmp_path, **store_settings)
    yield app
    app.extensions["xunjian"]["database"].close_all()


@functools.cache
def small_jpeg(seed: int) -> bytes:
    return encode(make_photo(400, 300, seed=seed), "JPEG", quality=85)


def upload(world, seed=1, role="guard"):
    r = world.client.post(
        "/api/photos",
        headers=world.headers(role),
        data={
            "site_id": str(world.site_a.id),
            "file": (io.BytesIO(small_jpeg(seed)), "p.jpg", "image/jpeg"),
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 201, r.json
    return r.json


def store_of(app):
    return open_store(app.config, app.instance_path)


def read(store, key) -> bytes:
    stream, size = store.open(key)
    with stream:
        data = stream.read()
    assert len(data) == size
    return data


def local_files(app) -> list[str]:
    root = Path(app.instance_path) / "photos"
    return sorted(p.name for p in root.rglob("*") if p.is_file()) if root.exists() else []


# --- the object store itself ------------------------------------------------------------------


def test_objects_are_stored_under_content_keys_over_http(s3, bucket):
    store = ObjectStorage.from_config(s3.settings(bucket))
    key = store.put(DATA, ".jpg")
    assert key == f"{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}.jpg"
    assert s3.keys(bucket) == [key]  # really on the server
    assert read(store, key) == DATA and store.exists(key)
    assert store.put(DATA, ".jpg") == key and s3.keys(bucket) == [key]  # idempotent
    other = store.put(DATA + b"!", ".jpg")
    # Objects of others in the same bucket are not ours: never listed, pruned or backed up.
    s3.client().put_object(Bucket=bucket, Key="notes/readme.txt", Body=b"x")
    assert sorted(store.iter_keys()) == sorted([key, other])
    absent = f"{'0' * 2}/{'0' * 2}/{'0' * 64}.jpg"
    assert store.missing([key, absent]) == [absent]
    assert store.delete(key) is True and store.delete(key) is False
    assert not store.exists(key) and list(store.iter_keys()) == [other]
    with pytest.raises(FileNotFoundError):
        store.open(key)


@pytest.mark.parametrize(
    "key", ["../secret.jpg", "/etc/passwd", f"00/00/{DIGEST}.jpg", "notes/readme.txt", ""]
)
def test_names_that_are_not_our_keys_are_refused(s3, bucket, key):
    store = ObjectStorage.from_config(s3.settings(bucket))
    for method in (store.open, store.exists, store.delete):
        with pytest.raises(ValueError):
            method(key)


def test_the_settings_choose_the_store_and_misconfigurations_are_named(s3, bucket, tmp_path):
    assert isinstance(open_store({}, tmp_path), FileStorage)
    store = open_store(s3.settings(bucket), tmp_path)
    assert isinstance(store, ObjectStorage) and store.bucket == bucket
    assert SECRET_KEY not in repr(store) and SECRET_KEY not in str(store.describe())
    with pytest.raises(ValueError, match="local' or 's3"):
        open_store({"PHOTO_STORE": "ftp"}, tmp_path)
    with pytest.raises(ObjectStoreError, match="S3_BUCKET"):
        open_store({"PHOTO_STORE": "s3"}, tmp_path)
    with pytest.raises(ObjectStoreError, match="virtual' or 'path"):
        open_store({**s3.settings(bucket), "S3_ADDRESSING": "sideways"}, tmp_path)
    with pytest.raises(ObjectStoreError, match="both"):
        open_store({**s3.settings(bucket), "S3_SECRET_KEY": None}, tmp_path)


def test_wrong_credentials_are_refused_by_the_server(s3, bucket):
    # moto checks signatures only with its IAM mode; at least a bucket that does not exist is
    # an error, not an empty store.
    store = ObjectStorage(
        bucket + "-absent",
        endpoint=s3.endpoint,
        region=REGION,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        addressing="path",
    )
    with pytest.raises(Exception, match="NoSuchBucket"):
        store.put(DATA, ".jpg")


# --- the same photo tests on both stores ------------------------------------------------------


def test_an_uploaded_photo_is_stored_and_served_from_the_configured_store(
    app, world, store_settings, s3
):
    photo = upload(world)
    with app.app_context():
        row = Photo.get_by_id(photo["id"])
    store = store_of(app)
    if store_settings:
        assert s3.keys(store_settings["S3_BUCKET"]) == sorted([row.image_key, row.thumbnail_key])
        assert local_files(app) == []  # nothing on this server's disk
    else:
        assert len(local_files(app)) == 2
    for url, key in (
        (photo["image_url"], row.image_key),
        (photo["thumbnail_url"], row.thumbnail_key),
    ):
        with world.client.get(url, headers=world.headers("supervisor")) as response:
            assert response.status_code == 200
            assert response.mimetype == "image/jpeg"
            assert response.data == read(store, key)
            assert int(response.headers["Content-Length"]) == len(response.data)
            etag = response.headers["ETag"]
            cache = response.headers["Cache-Control"]
        assert etag.strip('"') == key.split("/")[-1].removesuffix(".jpg")
        assert "private" in cache and "immutable" in cache and "max-age=31536000" in cache
        # A phone revalidating its copy gets 304, with no body.
        with world.client.get(
            url, headers={**world.headers("supervisor"), "If-None-Match": etag}
        ) as again:
            assert again.status_code == 304 and again.data == b""
    # The same access check as ever: another site's user learns nothing.
    for url in (photo["image_url"], photo["thumbnail_url"]):
        assert world.client.get(url, headers=world.headers("supervisor-b")).status_code == 404


def test_a_photo_whose_object_is_gone_answers_404(app, world, caplog):
    photo = upload(world)
    with app.app_context():
        key = Photo.get_by_id(photo["id"]).image_key
    assert store_of(app).delete(key)
    with caplog.at_level(logging.ERROR):
        r = world.client.get(photo["image_url"], headers=world.headers("guard"))
    assert r.status_code == 404 and r.json["error"] == "not_found"
    assert any(key in record.getMessage() for record in caplog.records)


def test_prune_removes_only_unreferenced_objects(app, world, runner, store_settings, s3):
    kept = upload(world, seed=11)
    store = store_of(app)
    orphan = store.put(b"left behind by a crash", ".jpg")
    before = sorted(store.iter_keys())
    assert len(before) == 3
    r = runner.invoke(args=["photos", "prune", "--dry-run"])
    assert "would remove 1 orphaned files" in r.output and sorted(store.iter_keys()) == before
    r = runner.invoke(args=["photos", "prune"])
    assert "removed 1 orphaned files" in r.output, r.output
    assert orphan not in set(store.iter_keys()) and len(list(store.iter_keys())) == 2
    if store_settings:
        assert orphan not in s3.keys(store_settings["S3_BUCKET"])
    with world.client.get(kept["image_url"], headers=world.headers("guard")) as response:
        assert response.status_code == 200


def test_backup_covers_the_photos_and_restore_serves_them(
    app, world, runner, tmp_path, store_settings
):
    photos = [upload(world, seed=seed) for seed in (1, 2)]
    token = world.token("supervisor")
    out = tmp_path / "backups"
    r = runner.invoke(args=["backup", "create", "--to", str(out)])
    assert r.exit_code == 0, r.output
    (archive,) = out.glob("*.tar")
    manifest = read_manifest(archive)
    with tarfile.open(archive) as tar:
        members = [m.name for m in tar.getmembers() if m.name.startswith("photos/")]
    if store_settings:
        # Photos stay in the bucket (checked), not copied into the archive.
        assert members == []
        assert manifest["photos"] == {
            "store": "s3",
            "endpoint": store_settings["S3_ENDPOINT"],
            "bucket": store_settings["S3_BUCKET"],
            "objects": 4,
            "archived": False,
        }
        assert "4 objects stay in bucket" in r.output
    else:
        assert manifest["photos"] == {"store": "local", "archived": True}
        assert len(members) == 4
    assert manifest["missing_photo_files"] == []

    if manifest["database"]["included"]:  # SQLite: restore the archive and use it
        restored = tmp_path / "restored"
        r = runner.invoke(
            args=["backup", "restore", str(archive), "--instance", str(restored / "instance")]
        )
        assert r.exit_code == 0, r.output
        copy = make_app(
            restored,
            DATABASE_URL=f"sqlite:///{restored / 'instance' / 'xunjian.db'}",
            **store_settings,
        )
        try:
            client = copy.test_client()
            for photo in photos:
                for url in (photo["image_url"], photo["thumbnail_url"]):
                    with client.get(url, headers={"Authorization": f"Bearer {token}"}) as got:
                        assert got.status_code == 200 and got.data[:2] == b"\xff\xd8"
        finally:
            copy.extensions["xunjian"]["database"].close_all()

    # A photo the database names but the store lacks fails the backup, naming it (a local
    # store on PostgreSQL archives every stored file, without asking the database).
    with app.app_context():
        key = Photo.get_by_id(photos[0]["id"]).thumbnail_key
    assert store_of(app).delete(key)
    r = runner.invoke(args=["backup", "create", "--to", str(tmp_path / "again")])
    if store_settings or manifest["database"]["included"]:
        assert r.exit_code != 0 and key in r.output
        assert ("bucket" in r.output) == bool(store_settings)


def test_restore_names_photos_the_bucket_lost(app, world, runner, tmp_path, store_settings):
    photo = upload(world)
    out = tmp_path / "backups"
    assert runner.invoke(args=["backup", "create", "--to", str(out)]).exit_code == 0
    (archive,) = out.glob("*.tar")
    with app.app_context():
        key = Photo.get_by_id(photo["id"]).image_key
    assert store_of(app).delete(key)
    r = runner.invoke(args=["backup", "restore", str(archive), "--instance", str(tmp_path / "r")])
    if store_settings and read_manifest(archive)["database"]["included"]:
        assert r.exit_code != 0 and key in r.output and "bucket" in r.output
    else:  # local photos come from the archive itself; PostgreSQL is restored by pg_restore
        assert r.exit_code == 0, r.output


def test_the_secret_key_is_never_logged_or_returned(app, world, store_settings, caplog):
    with caplog.at_level(logging.DEBUG):
        photo = upload(world)
        with world.client.get(photo["image_url"], headers=world.headers("admin")) as image:
            body = image.data
        settings = world.client.get("/api/settings/labels", headers=world.headers("admin"))
    assert SECRET_KEY.encode() not in body and SECRET_KEY not in settings.get_data(as_text=True)
    assert all(SECRET_KEY not in record.getMessage() for record in caplog.records)
