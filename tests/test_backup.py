"""Backups (models/files/backup.py and 'flask backup'): an archive restores into a working app with
the same data, photos and secret; a damaged, tampered or incomplete archive is refused and
leaves nothing behind; a non-empty instance is never overwritten.

The backup copies the embedded SQLite database file, so these tests run on their own SQLite
database in the PostgreSQL run too (PostgreSQL's side, photos and secrets only, is tested with
its URL: nothing is read from that database)."""

import functools
import hashlib
import io
import json
import sqlite3
import stat
import tarfile
from pathlib import Path

import pytest

from api import create_app
from models import db
from models.files.backup import (
    BackupError,
    backup_key,
    create_backup,
    read_manifest,
    restore_backup,
)
from models.tables.checklists import sync_checklists
from models.tables.inspections import Inspection
from models.tables.photos import Photo
from models.tables.schema import upgrade
from tests.conftest import PASSWORD, World, make_app
from tests.test_imaging import encode, make_photo


def key_of(app) -> bytes:
    """The key that signs and verifies this installation's archives."""
    return backup_key(app.config["SECRET_KEY"])


def sqlite_app(tmp_path: Path, name: str = "db", **overrides):
    app = make_app(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path / name}.sqlite", **overrides)
    with app.app_context():
        upgrade()
        sync_checklists(app.extensions["xunjian"]["checklists"])
    return app


@pytest.fixture
def source(tmp_path):
    app = sqlite_app(tmp_path / "source")
    yield app
    app.extensions["xunjian"]["database"].close_all()


@functools.cache
def small_jpeg(seed: int) -> bytes:
    return encode(make_photo(400, 300, seed=seed), "JPEG", quality=85)


@pytest.fixture
def populated(source):
    """Two sites, the users, and two uploaded photos."""
    client = source.test_client()
    world = World(source, client)
    photo_ids = []
    for seed in (1, 2):
        r = client.post(
            "/api/photos",
            headers=world.headers("guard"),
            data={
                "site_id": str(world.site_a.id),
                "file": (io.BytesIO(small_jpeg(seed)), "p.jpg", "image/jpeg"),
            },
            content_type="multipart/form-data",
        )
        assert r.status_code == 201, r.json
        photo_ids.append(r.json["id"])
    world.photo_ids = photo_ids
    return world


def counts(app) -> dict[str, int]:
    path = app.config["DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        names = [
            n
            for (n,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: conn.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in names}


def photo_file(app, photo_id) -> bytes:
    with app.app_context():
        key = Photo.get_by_id(photo_id).image_key
    return (Path(app.instance_path) / "photos" / key).read_bytes()


def test_a_restored_archive_is_a_working_app_with_the_same_data(
    tmp_path, source, populated, monkeypatch
):
    admin_token = populated.token("admin")
    backup = create_backup(source.config["DATABASE_URL"], source.instance_path, tmp_path / "out")
    assert backup.path.parent == tmp_path / "out" and backup.path.suffix == ".tar"
    assert stat.S_IMODE(backup.path.stat().st_mode) == 0o600  # it holds the secret key
    manifest = backup.manifest
    assert manifest["database"]["tables"] == counts(source)
    assert manifest["database"]["tables"]["photo"] == 2
    assert manifest["counts"] == {"photo_files": 4, "instance_files": 1}  # images + thumbnails
    assert manifest["missing_photo_files"] == []
    assert read_manifest(backup.path) == manifest
    # Nothing but the archive is left in the output folder (no partial files, no snapshot).
    assert [p.name for p in (tmp_path / "out").iterdir()] == [backup.path.name]

    target = tmp_path / "restored"
    assert restore_backup(backup.path, target, key=key_of(source)) == manifest
    assert (target / "secret_key").read_text() == (
        Path(source.instance_path) / "secret_key"
    ).read_text()
    assert stat.S_IMODE((target / "secret_key").stat().st_mode) == 0o600
    assert not list(tmp_path.glob(".restored.restoring-*"))

    # The restored folder is an instance on its own: the app finds its database there.
    monkeypatch.delenv("DATABASE_URL", raising=False)  # set in the PostgreSQL run
    monkeypatch.setenv("XUNJIAN_INSTANCE_PATH", str(target))
    restored = create_app({"PASSWORD_TIME_COST": 1, "PASSWORD_MEMORY_COST": 1024})
    try:
        assert restored.config["DATABASE_URL"] == f"sqlite:///{target / 'xunjian.db'}"
        assert restored.config["SECRET_KEY"] == source.config["SECRET_KEY"]
        assert counts(restored) == manifest["database"]["tables"]
        client = restored.test_client()
        login = client.post("/api/auth/login", json={"username": "guard", "password": PASSWORD})
        assert login.status_code == 201
        headers = {"Authorization": f"Bearer {login.json['token']}"}
        for photo_id in populated.photo_ids:
            with client.get(f"/api/photos/{photo_id}/image", headers=headers) as image:
                assert image.status_code == 200
                assert image.data == photo_file(source, photo_id)
        # A token issued by the source before the backup still works after the restore.
        old = {"Authorization": f"Bearer {admin_token}"}
        assert client.get("/api/sites", headers=old).status_code == 200
    finally:
        restored.extensions["xunjian"]["database"].close_all()


def test_the_snapshot_is_taken_while_a_transaction_writes(tmp_path, source, populated):
    """An open write transaction on the live database neither blocks the backup nor leaks into
    it: the archive has the committed state."""
    before = counts(source)
    writer = sqlite3.connect(source.config["DATABASE_URL"].removeprefix("sqlite:///"))
    try:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("DELETE FROM user_site")
        backup = create_backup(source.config["DATABASE_URL"], source.instance_path, tmp_path / "o")
        writer.rollback()
    finally:
        writer.close()
    assert backup.manifest["database"]["tables"] == before
    assert before["user_site"] > 0


def test_restore_refuses_a_folder_that_is_not_empty(tmp_path, source, populated):
    backup = create_backup(source.config["DATABASE_URL"], source.instance_path, tmp_path / "out")
    target = tmp_path / "busy"
    target.mkdir()
    (target / "xunjian.db").write_bytes(b"someone's data")
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(backup.path, target, key=key_of(source))
    assert (target / "xunjian.db").read_bytes() == b"someone's data"
    # An existing empty folder is fine.
    (target / "xunjian.db").unlink()
    restore_backup(backup.path, target, key=key_of(source))
    assert (target / "xunjian.db").is_file()


def flip_byte(archive: Path, member_name: str, at: int = 100) -> None:
    with tarfile.open(archive) as tar:
        offset = tar.getmember(member_name).offset_data
    with open(archive, "r+b") as f:
        f.seek(offset + at)
        byte = f.read(1)
        f.seek(offset + at)
        f.write(bytes([byte[0] ^ 0xFF]))


@pytest.mark.parametrize("member", ["xunjian.db", "photo", "secret_key"])
def test_restore_refuses_a_corrupted_archive_and_leaves_nothing(
    tmp_path, source, populated, member
):
    backup = create_backup(source.config["DATABASE_URL"], source.instance_path, tmp_path / "out")
    if member == "photo":
        member = next(n for n in backup.manifest["files"] if n.startswith("photos/"))
    flip_byte(backup.path, member, at=10)
    target = tmp_path / "restored"
    with pytest.raises(BackupError, match="checksum"):
        restore_backup(backup.path, target, key=key_of(source))
    assert not target.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "source"]


def rewrite(archive: Path, out: Path, *, drop=(), add=(), manifest_edit=None) -> None:
    """A copy of ``archive`` without the members in ``drop``, with extra (name, bytes) members
    and an edited manifest."""
    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src:
            if member.name in drop:
                continue
            data = src.extractfile(member).read()
            if member.name == "manifest.json" and manifest_edit:
                manifest = json.loads(data)
                manifest_edit(manifest)
                data = json.dumps(manifest).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
        for name, data in add:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))


def test_restore_refuses_missing_extra_or_escaping_members(tmp_path, source, populated):
    backup = create_backup(source.config["DATABASE_URL"], source.instance_path, tmp_path / "out")
    photo = next(n for n in backup.manifest["files"] if n.startswith("photos/"))
    cases = {
        "lacks": {"drop": [photo]},
        "not in its manifest": {"add": [("demo_logins.txt", b"x")]},
        "unexpected member": {"add": [("../../evil", b"x")]},
        "twice": {
            "add": [("secret_key", (Path(source.instance_path) / "secret_key").read_bytes())]
        },
        "signature": {  # an edited manifest no longer carries the installation's signature
            "manifest_edit": lambda m: m["database"]["tables"].__setitem__("scan", 7)
        },
        "not a Xunjian backup": {"manifest_edit": lambda m: m.__setitem__("format", "other")},
    }
    for message, change in cases.items():
        bad = tmp_path / "bad.tar"
        rewrite(backup.path, bad, **change)
        with pytest.raises(BackupError, match=message):
            restore_backup(bad, tmp_path / "restored", key=key_of(source))
        assert not (tmp_path / "restored").exists()
        assert not (tmp_path / ".." / "evil").exists()


def test_restore_refuses_a_truncated_archive_or_another_file(tmp_path, source, populated):
    backup = create_backup(source.config["DATABASE_URL"], source.instance_path, tmp_path / "out")
    data = backup.path.read_bytes()
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(data[: len(data) // 2])
    not_tar = tmp_path / "notes.tar"
    not_tar.write_bytes(b"just some notes, not an archive" * 100)
    for archive in (truncated, not_tar):
        with pytest.raises(BackupError):
            restore_backup(archive, tmp_path / "restored", key=key_of(source))
        assert not (tmp_path / "restored").exists()


def test_a_photo_file_lost_from_disk_is_reported(tmp_path, source, populated):
    with source.app_context():
        key = Photo.get_by_id(populated.photo_ids[0]).thumbnail_key
    (Path(source.instance_path) / "photos" / key).unlink()
    backup = create_backup(source.config["DATABASE_URL"], source.instance_path, tmp_path / "out")
    assert backup.manifest["missing_photo_files"] == [key]
    assert backup.manifest["counts"]["photo_files"] == 3
    # What is in the archive still restores.
    restore_backup(backup.path, tmp_path / "restored", key=key_of(source))
    assert not (tmp_path / "restored" / "photos" / key).exists()


def test_on_postgresql_the_archive_holds_the_photos_and_secrets_only(tmp_path, source, populated):
    stored = sorted(
        p.relative_to(Path(source.instance_path)).as_posix()
        for p in (Path(source.instance_path) / "photos").rglob("*")
        if p.is_file()
    )
    backup = create_backup(
        "postgresql://xunjian@db.invalid/xunjian", source.instance_path, tmp_path / "out"
    )
    assert backup.manifest["database"]["included"] is False
    assert "pg_dump" in backup.manifest["database"]["note"]
    assert sorted(n for n in backup.manifest["files"] if n.startswith("photos/")) == stored
    assert "xunjian.db" not in backup.manifest["files"]
    target = tmp_path / "restored"
    restore_backup(backup.path, target, key=key_of(source))
    for name in stored:
        data = (target / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() in name
    assert (target / "secret_key").is_file() and not (target / "xunjian.db").exists()


def test_the_commands_back_up_and_restore(tmp_path, source, populated):
    runner = source.test_cli_runner()
    made = runner.invoke(args=["backup", "create", "--to", str(tmp_path / "out")])
    assert made.exit_code == 0, made.output
    (archive,) = (tmp_path / "out").glob("xunjian-backup-*.tar")
    assert str(archive) in made.output and "photo 2" in made.output
    assert "PostgreSQL" not in made.output

    restored = runner.invoke(
        args=["backup", "restore", str(archive), "--instance", str(tmp_path / "new")]
    )
    assert restored.exit_code == 0, restored.output
    assert "photo 2" in restored.output and "XUNJIAN_INSTANCE_PATH" in restored.output
    assert (tmp_path / "new" / "xunjian.db").is_file()

    again = runner.invoke(
        args=["backup", "restore", str(archive), "--instance", str(tmp_path / "new")]
    )
    assert again.exit_code == 1 and "not empty" in again.output
    own = runner.invoke(
        args=["backup", "restore", str(archive), "--instance", source.instance_path]
    )
    assert own.exit_code == 1 and "XUNJIAN_INSTANCE_PATH" in own.output

    flip_byte(archive, "xunjian.db")
    damaged = runner.invoke(
        args=["backup", "restore", str(archive), "--instance", str(tmp_path / "other")]
    )
    assert damaged.exit_code == 1 and "checksum" in damaged.output
    assert not (tmp_path / "other").exists()


def test_the_default_folder_is_instance_backups(source, populated):
    made = source.test_cli_runner().invoke(args=["backup", "create"])
    assert made.exit_code == 0, made.output
    (archive,) = (Path(source.instance_path) / "backups").glob("*.tar")
    with source.app_context(), db.connection_context():
        assert read_manifest(archive)["database"]["tables"]["inspection"] == (
            Inspection.select().count()
        )


def test_on_postgresql_the_command_says_to_use_pg_dump(tmp_path, source, populated):
    pg = make_app(tmp_path / "source", DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")
    made = pg.test_cli_runner().invoke(args=["backup", "create", "--to", str(tmp_path / "out")])
    assert made.exit_code == 0, made.output
    assert "pg_dump" in made.output and "NOT in this archive" in made.output
    (archive,) = (tmp_path / "out").glob("*.tar")
    assert read_manifest(archive)["counts"]["photo_files"] == 4


def test_a_lost_photo_file_makes_the_command_fail_loudly(tmp_path, source, populated):
    with source.app_context():
        key = Photo.get_by_id(populated.photo_ids[1]).image_key
    (Path(source.instance_path) / "photos" / key).unlink()
    made = source.test_cli_runner().invoke(args=["backup", "create", "--to", str(tmp_path / "o")])
    assert made.exit_code == 1 and "missing" in made.output and key in made.output
    assert len(list((tmp_path / "o").glob("*.tar"))) == 1


def forge(archive: Path, out: Path, edit_database) -> None:
    """What an attacker with write access to the backup folder does: edit the database, then
    recompute its size and checksum (and the row counts) in the manifest."""
    work = out.parent / "forging.db"
    with tarfile.open(archive) as tar:
        work.write_bytes(tar.extractfile("xunjian.db").read())
    with sqlite3.connect(work) as conn:
        edit_database(conn)
    conn.close()
    data = work.read_bytes()
    tables = {}
    with sqlite3.connect(work) as conn:
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        ):
            tables[name] = conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0]
    conn.close()

    def recompute(manifest):
        manifest["files"]["xunjian.db"] = {
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
        }
        manifest["database"]["tables"] = tables

    with tarfile.open(archive) as src, tarfile.open(out, "w") as dst:
        for member in src:
            content = src.extractfile(member).read()
            if member.name == "xunjian.db":
                content = data
            elif member.name == "manifest.json":
                manifest = json.loads(content)
                recompute(manifest)
                content = json.dumps(manifest).encode()
            member.size = len(content)
            dst.addfile(member, io.BytesIO(content))


def test_an_archive_edited_with_its_checksums_recomputed_is_refused(tmp_path, source, populated):
    """Checksums only find damage; the manifest's signature, by a key of the installation the
    archive does not give, finds an edit whose checksums were made anew."""
    backup = create_backup(source.config["DATABASE_URL"], source.instance_path, tmp_path / "out")

    def make_the_guard_an_admin(conn):
        conn.execute("UPDATE user SET role = 'admin' WHERE username = 'guard'")

    def add_an_admin(conn):
        conn.execute(
            "INSERT INTO user (username, display_name, password_hash, role, language, active, "
            "created_at, updated_at) SELECT 'intruder', '', password_hash, 'admin', 'zh', 1, "
            "created_at, updated_at FROM user WHERE username = 'guard'"
        )

    for edit in (make_the_guard_an_admin, add_an_admin):
        forged = tmp_path / f"{edit.__name__}.tar"
        forge(backup.path, forged, edit)
        target = tmp_path / "restored"
        with pytest.raises(BackupError, match="signature"):
            restore_backup(forged, target, key=key_of(source))
        assert not target.exists()
    # The genuine archive restores with the same key.
    restore_backup(backup.path, tmp_path / "restored", key=key_of(source))


def test_an_archive_is_verified_with_the_key_of_the_installation_that_made_it(
    tmp_path, source, populated
):
    backup = create_backup(source.config["DATABASE_URL"], source.instance_path, tmp_path / "out")
    other = backup_key("another installation's secret key, 48 characters long")
    with pytest.raises(BackupError, match="signature"):
        restore_backup(backup.path, tmp_path / "restored", key=other)
    # Not with the key the archive itself carries unless the operator says so: whoever edits
    # an archive can edit that key too.
    with pytest.raises(BackupError, match="key"):
        restore_backup(backup.path, tmp_path / "restored")
    assert not (tmp_path / "restored").exists()
    unverified = restore_backup(backup.path, tmp_path / "restored", unverified=True)
    assert unverified["database"]["tables"]["photo"] == 2


def test_the_restore_command_verifies_with_this_installations_key_or_a_key_file(
    tmp_path, source, populated
):
    made = source.test_cli_runner().invoke(args=["backup", "create", "--to", str(tmp_path / "o")])
    assert made.exit_code == 0, made.output
    (archive,) = (tmp_path / "o").glob("*.tar")
    # A new machine: its own (new) secret key does not verify the archive.
    fresh = sqlite_app(tmp_path / "fresh")
    try:
        runner = fresh.test_cli_runner()
        refused = runner.invoke(
            args=["backup", "restore", str(archive), "--instance", str(tmp_path / "new")]
        )
        assert refused.exit_code == 1 and "--key-file" in refused.output
        assert not (tmp_path / "new").exists()
        # The operator kept the old installation's secret key apart from the archives.
        kept = tmp_path / "kept_secret_key"
        kept.write_text((Path(source.instance_path) / "secret_key").read_text() + "\n")
        restored = runner.invoke(
            args=[
                *("backup", "restore", str(archive)),
                *("--instance", str(tmp_path / "new"), "--key-file", str(kept)),
            ]
        )
        assert restored.exit_code == 0, restored.output
        assert "signature" in restored.output and (tmp_path / "new" / "xunjian.db").is_file()
        forged = tmp_path / "forged.tar"
        forge(archive, forged, lambda conn: conn.execute("DELETE FROM audit_entry"))
        refused = runner.invoke(
            args=[
                *("backup", "restore", str(forged)),
                *("--instance", str(tmp_path / "newer"), "--key-file", str(kept)),
            ]
        )
        assert refused.exit_code == 1 and "signature" in refused.output
        assert not (tmp_path / "newer").exists()
    finally:
        fresh.extensions["xunjian"]["database"].close_all()
