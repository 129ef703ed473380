"""Online backups: one archive with the database, the photos it refers to and the instance's
secret files, and the restore that checks every byte before it writes anything in place.

An archive is an uncompressed tar (the photos are JPEG already) holding::

    xunjian.db              a consistent copy of the SQLite database, taken online
    photos/ab/cd/<sha>.jpg  the photo files the copy refers to (content-addressed, see storage)
    secret_key              the instance's secret files, as they are
    demo_logins.txt
    manifest.json           written last: row counts per table and the size and SHA-256 of
                            every other member

**Why it is consistent while the app is serving.** The database is copied first, with SQLite's
backup API in one step: the copy reads one snapshot of the database (a WAL reader never stops
the writers, and they never change what it reads). Photo files are written before their rows
are committed and are never changed or removed while a row refers to them (content-addressed;
``photos prune`` removes only files no row names). So once the copy exists, every photo row in
it already has its file on disk, and copying the files the copy names, after it, gets them all.
A photo uploaded during the backup is in neither, which is consistent.

**PostgreSQL.** The database is not ours to copy file by file: back it up with ``pg_dump``. The
archive then holds every stored photo file and the secret files; run ``pg_dump`` *before* the
archive, so that every photo row in the dump has its file in the archive.

**Restore** refuses a non-empty instance folder, unpacks into a temporary folder beside it,
checks each member's size and SHA-256 against the manifest (and that nothing is missing or
extra), runs ``PRAGMA integrity_check`` and the row counts on the database, and only then moves
the folder into place: a damaged archive leaves nothing behind.

**Photos in an object store** (``XUNJIAN_PHOTO_STORE=s3``, models/files/object_store.py) are not
copied into the archive: at a large company's scale (terabytes, millions of objects) a nightly
copy of every photo through one server is neither fast nor needed. The bucket keeps them, with
its own versioning and replication (keys are content-addressed and never rewritten; only
``photos prune`` deletes, and only objects no row names; with versioning on, even those come
back). The archive records which bucket (``manifest["photos"]``), and ``backup create``
checks, by listing the bucket, that every object the database names is there: a missing one
fails the backup the same way a missing file does. After a restore, ``check_restored_photos``
does the same for the restored database.

**Signed.** The manifest carries an HMAC-SHA256 over everything else in it (so over every
member's checksum and the row counts), with a key derived from the installation's secret key
(``backup_key``). Checksums alone find damage, not an edit: whoever can change a database in
an archive can recompute its checksum. The restore verifies the signature with a key the caller
gives (the restoring installation's secret key, or the old installation's secret key kept apart
from the archives), never with the ``secret_key`` the archive carries, which an editor of the
archive would change as well; ``unverified=True`` skips it (a lost key), checking damage only.

Nothing here imports Flask; the commands are ``flask --app wsgi backup create|restore``.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sqlite3
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from models.files.storage import FileStorage

FORMAT = "xunjian-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATABASE_FILE = "xunjian.db"  # where the app looks for it in an instance without DATABASE_URL
PHOTOS_DIR = "photos"
# Files of the instance folder that belong to the installation (see api/secret_keys.py and
# 'flask demo load'); copied when present.
INSTANCE_FILES = ("secret_key", "demo_logins.txt")
PRIVATE_FILES = {"secret_key", "demo_logins.txt"}  # restored owner-only (0600)
_PHOTO_MEMBER = re.compile(
    r"photos/([0-9a-f]{2})/([0-9a-f]{2})/(\1\2[0-9a-f]{60})(\.[a-z0-9]{1,8})?"
)
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup that cannot be made, or an archive that must not be restored."""


@dataclass
class Backup:
    path: Path
    manifest: dict


def sqlite_file(database_url: str) -> Path | None:
    """The database file of a ``sqlite:///`` URL; None for PostgreSQL."""
    parts = urlsplit(database_url)
    if parts.scheme in ("postgres", "postgresql"):
        return None
    if parts.scheme != "sqlite" or not parts.path or parts.path == "/:memory:":
        raise BackupError(f"cannot back up the database at {database_url!r}")
    # sqlite:///relative.db -> "/relative.db"; sqlite:////abs/x.db -> "//abs/x.db"
    return Path(unquote(parts.path[1:]))


def snapshot_sqlite(source: Path, destination: Path) -> None:
    """Copy a live SQLite database into a new single file, online, as one snapshot."""
    if not source.is_file():
        raise BackupError(f"no database file at {source}")
    src = sqlite3.connect(source, timeout=10)
    try:
        dest = sqlite3.connect(destination)
        try:
            # pages=-1: the whole database in one step, under one read transaction.
            src.backup(dest, pages=-1)
            # A self-contained file: no -wal beside it.
            dest.execute("PRAGMA journal_mode=DELETE").fetchone()
        finally:
            dest.close()
    finally:
        src.close()


def database_facts(path: Path) -> dict:
    """Integrity, schema version and the row count of every table of a database file."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        integrity = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        counts = {
            name: conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0] for name in tables
        }
        version = None
        if "schema_version" in tables:
            version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
        photo_keys: set[str] = set()
        if "photo" in tables:
            for image_key, thumbnail_key in conn.execute(
                "SELECT image_key, thumbnail_key FROM photo"
            ):
                photo_keys.update((image_key, thumbnail_key))
    finally:
        conn.close()
    return {
        "integrity": "ok" if integrity == ["ok"] else "; ".join(integrity[:5]),
        "schema_version": version,
        "tables": counts,
        "photo_keys": photo_keys,
    }


def create_backup(
    database_url: str,
    instance_path: str | Path,
    out_dir: str | Path,
    *,
    now: datetime | None = None,
    signing_key: bytes | None = None,
    photo_store=None,
    photo_keys: Iterable[str] | None = None,
) -> Backup:
    """Write ``<out_dir>/xunjian-backup-<UTC time>.tar`` and return it with its manifest.

    ``signing_key`` signs the manifest: ``backup_key`` of the app's secret key (default: of the
    instance's ``secret_key`` file).

    ``photo_store``: the app's store (default: the files under ``<instance>/photos``); an
    object store's photos stay in their bucket and are only checked. ``photo_keys``: on
    PostgreSQL, the keys the database names (to check them in an object store).

    Safe while the app is serving (see the module docstring for why it is consistent)."""
    instance = Path(instance_path)
    if signing_key is None:
        signing_key = _instance_signing_key(instance)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    final = out / f"xunjian-backup-{stamp}.tar"
    if final.exists():
        raise BackupError(f"{final} exists already")
    database_path = sqlite_file(database_url)
    store = photo_store if photo_store is not None else FileStorage(instance / PHOTOS_DIR)
    in_bucket = store.kind != "local"
    manifest: dict = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "files": {},
        "missing_photo_files": [],
    }
    fd, partial_name = tempfile.mkstemp(dir=out, prefix=".partial-", suffix=".tar")
    os.close(fd)
    partial = Path(partial_name)
    snapshot = partial.with_suffix(".db")
    try:
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as tar:
            if database_path is not None:
                # 1. The database, first: it decides which photos belong to the backup.
                keys = _add_sqlite_database(tar, manifest, database_path, snapshot)
            else:
                keys = _postgresql_photo_keys(manifest, store, in_bucket, photo_keys)
            if in_bucket:
                # 2. The objects the database names stay in the bucket: check they are there.
                manifest["photos"] = {**store.describe(), "objects": len(keys), "archived": False}
                manifest["missing_photo_files"] = store.missing(keys)
                keys = []
            else:
                manifest["photos"] = {"store": "local", "archived": True}
            # 2. The photo files the database names (all stored files on PostgreSQL).
            _add_photo_files(tar, manifest, store, keys)
            # 3. The instance's secret files.
            for name in INSTANCE_FILES:
                if (instance / name).is_file():
                    _add_file(tar, manifest, name, instance / name)
            manifest["counts"] = {
                "photo_files": sum(1 for n in manifest["files"] if n.startswith(PHOTOS_DIR + "/")),
                "instance_files": sum(1 for n in manifest["files"] if n in INSTANCE_FILES),
            }
            manifest["signature"] = sign_manifest(manifest, signing_key)
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mode = 0o600
            info.mtime = int(datetime.now(UTC).timestamp())
            tar.addfile(info, io.BytesIO(data))
        with open(partial, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(partial, 0o600)  # it holds the secret key
        os.replace(partial, final)
    finally:
        for leftover in (partial, snapshot):
            leftover.unlink(missing_ok=True)
    return Backup(final, manifest)


def _instance_signing_key(instance: Path) -> bytes:
    """The key to sign with when none is given: the one derived from the instance's secret."""
    if not (instance / "secret_key").is_file():
        raise BackupError("no key to sign the archive with: give the app's secret key")
    return backup_key((instance / "secret_key").read_text().strip())


def _add_sqlite_database(
    tar: tarfile.TarFile, manifest: dict, database_path: Path, snapshot: Path
) -> list[str]:
    """Archive a consistent copy of the SQLite database (refusing a damaged one) and return
    the photo keys it names, which decide the photos that go in."""
    snapshot_sqlite(database_path, snapshot)
    facts = database_facts(snapshot)
    if facts["integrity"] != "ok":
        raise BackupError(f"the database fails its integrity check: {facts['integrity']}")
    manifest["database"] = {
        "engine": "sqlite",
        "included": True,
        "file": DATABASE_FILE,
        "schema_version": facts["schema_version"],
        "tables": facts["tables"],
    }
    _add_file(tar, manifest, DATABASE_FILE, snapshot)
    return sorted(facts["photo_keys"])


def _postgresql_photo_keys(
    manifest: dict, store, in_bucket: bool, photo_keys: Iterable[str] | None
) -> list[str]:
    """On PostgreSQL the database stays out (pg_dump backs it up): the photos to archive or
    check are the keys given for a bucket, every stored file for local storage."""
    manifest["database"] = {
        "engine": "postgresql",
        "included": False,
        "note": "back up the database with pg_dump, before this archive",
    }
    if in_bucket and photo_keys is None:
        raise BackupError("name the photo keys of the PostgreSQL database")
    keys = sorted(photo_keys if in_bucket else store.iter_keys())
    if not in_bucket and photo_keys is not None:
        # Every stored file goes in; the ones the database names must be there.
        manifest["missing_photo_files"] = sorted(set(photo_keys) - set(keys))
    return keys


def _add_photo_files(tar: tarfile.TarFile, manifest: dict, store, keys: list[str]) -> None:
    """Archive each named photo file, listing the ones the store lacks as missing."""
    for key in keys:
        try:
            path = store.path(key)
        except ValueError:
            manifest["missing_photo_files"].append(key)
            continue
        if not path.is_file():
            manifest["missing_photo_files"].append(key)
            continue
        _add_file(tar, manifest, f"{PHOTOS_DIR}/{key}", path)


def _add_file(tar: tarfile.TarFile, manifest: dict, name: str, path: Path) -> None:
    """Add one file, recording its size and SHA-256 (the files added never change: photos are
    content-addressed, the database copy and the secrets are ours)."""
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
        manifest["files"][name] = {"size": size, "sha256": digest.hexdigest()}
        info = tarfile.TarInfo(name)
        info.size = size
        info.mode = 0o600
        info.mtime = int(path.stat().st_mtime)
        f.seek(0)
        tar.addfile(info, f)


def backup_key(secret_key: str) -> bytes:
    """The key that signs an installation's archives, derived from its secret key (not the
    secret key itself, which signs sign-in tokens)."""
    return hmac.new(secret_key.encode(), b"xunjian backup manifest", hashlib.sha256).digest()


def _signed_bytes(manifest: dict) -> bytes:
    unsigned = {name: value for name, value in manifest.items() if name != "signature"}
    return json.dumps(unsigned, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _key_id(key: bytes) -> str:
    """Names a key without giving it away: which installation signed, for the operator."""
    return hmac.new(key, b"key id", hashlib.sha256).hexdigest()[:16]


def sign_manifest(manifest: dict, key: bytes) -> dict:
    mac = hmac.new(key, _signed_bytes(manifest), hashlib.sha256).hexdigest()
    return {"algorithm": "HMAC-SHA256", "key_id": _key_id(key), "value": mac}


def verify_manifest(manifest: dict, key: bytes) -> None:
    """Refuse a manifest not signed by ``key``: altered after it was written, or made by an
    installation with another secret key."""
    signature = manifest.get("signature")
    if not isinstance(signature, dict) or not isinstance(signature.get("value"), str):
        raise BackupError(
            "the archive's manifest carries no signature (an archive of an older version, or "
            "an altered one): restore it unverified only if you know where it came from"
        )
    want = hmac.new(key, _signed_bytes(manifest), hashlib.sha256).hexdigest()
    if hmac.compare_digest(want, signature["value"]):
        return
    if signature.get("key_id") != _key_id(key):
        raise BackupError(
            "the archive's signature does not match this key: it was altered, or made by "
            "another installation (give that installation's secret key with --key-file)"
        )
    raise BackupError("the archive's signature does not match: the archive was altered")


def read_manifest(archive: str | Path) -> dict:
    """The manifest of an archive (checks only that it is one of ours)."""
    try:
        with tarfile.open(archive, "r:") as tar:
            return _manifest_of(tar)
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{archive} is not a readable backup archive: {error}") from error


def _manifest_of(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.getmember(MANIFEST)
        manifest = json.load(tar.extractfile(member))
    except (KeyError, ValueError, AttributeError) as error:
        raise BackupError("the archive has no readable manifest.json") from error
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError("the archive is not a Xunjian backup of a known format")
    if not isinstance(manifest.get("files"), dict):
        raise BackupError("the manifest lists no files")
    return manifest


def _check_member_name(name: str) -> None:
    """Only the names a backup writes: nothing absolute, nothing that climbs out."""
    if name == DATABASE_FILE or name in INSTANCE_FILES or _PHOTO_MEMBER.fullmatch(name):
        return
    raise BackupError(f"the archive holds an unexpected member {name!r}")


def restore_backup(
    archive: str | Path,
    instance_dir: str | Path,
    *,
    key: bytes | None = None,
    unverified: bool = False,
) -> dict:
    """Restore an archive into a new (missing or empty) instance folder; returns the manifest.

    The manifest's signature is verified with ``key`` (``backup_key`` of the secret key of the
    installation that made it, from outside the archive), then every member is checked against
    the manifest before the folder appears: a damaged or tampered archive raises BackupError
    and leaves nothing behind. ``unverified=True`` skips the signature (damage is still found,
    an edit is not)."""
    if key is None and not unverified:
        raise BackupError(
            "no key to verify the archive's signature: give the secret key of the installation "
            "that made it (not the one inside the archive)"
        )
    target = Path(instance_dir).absolute()
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise BackupError(f"{target} is not empty: restore into a new or empty folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.restoring-"))
    try:
        try:
            with tarfile.open(archive, "r:") as tar:
                manifest = _manifest_of(tar)
                if not unverified:
                    verify_manifest(manifest, key)
                _unpack(tar, manifest, staging)
        except (tarfile.TarError, OSError, EOFError) as error:
            raise BackupError(f"{archive} is damaged or not a backup archive: {error}") from error
        _check_restored_database(staging, manifest)
        for name in PRIVATE_FILES:
            if (staging / name).exists():
                os.chmod(staging / name, 0o600)
        os.chmod(staging, 0o700)
        if target.exists():
            target.rmdir()  # empty, checked above
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return manifest


def _unpack(tar: tarfile.TarFile, manifest: dict, staging: Path) -> None:
    expected = dict(manifest["files"])
    for name in expected:
        _check_member_name(name)
    seen: set[str] = set()
    for member in tar:
        if member.name == MANIFEST:
            continue
        _check_member_name(member.name)
        if not member.isreg():
            raise BackupError(f"{member.name} in the archive is not a regular file")
        if member.name in seen:
            raise BackupError(f"{member.name} is in the archive twice")
        if member.name not in expected:
            raise BackupError(f"{member.name} is in the archive but not in its manifest")
        seen.add(member.name)
        size, sha256 = _extract_member(tar, member, staging / member.name)
        _check_member_contents(member.name, size, sha256, expected[member.name])
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"the archive lacks {len(missing)} files of its manifest: {missing[:3]}")


def _check_restored_database(staging: Path, manifest: dict) -> None:
    """A restored SQLite database must pass its integrity check and hold the row counts the
    manifest recorded; nothing to check when the archive has no database."""
    database = manifest.get("database") or {}
    if database.get("included"):
        facts = database_facts(staging / DATABASE_FILE)
        if facts["integrity"] != "ok":
            raise BackupError(f"the restored database fails its check: {facts['integrity']}")
        if facts["tables"] != database.get("tables"):
            raise BackupError("the restored database's row counts differ from the manifest")


def _extract_member(
    tar: tarfile.TarFile, member: tarfile.TarInfo, destination: Path
) -> tuple[int, str]:
    """Copy one member to disk (synced) and return its size and SHA-256 as read."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    with tar.extractfile(member) as source, open(destination, "wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return size, digest.hexdigest()


def _check_member_contents(name: str, size: int, sha256: str, want: dict) -> None:
    """A member must match the manifest's size and checksum, and a photo its own name."""
    if size != want.get("size") or sha256 != want.get("sha256"):
        raise BackupError(
            f"{name} does not match its checksum in the manifest: the archive is damaged"
        )
    match = _PHOTO_MEMBER.fullmatch(name)
    if match and sha256 != match.group(3):
        raise BackupError(f"{name} does not hold the photo its name promises")


def check_restored_photos(instance_dir: str | Path, manifest: dict, photo_store) -> list[str]:
    """The photos a restored SQLite database names that ``photo_store`` lacks (an archive whose
    photos stayed in an object store: restore its bucket's versions first, if any are)."""
    database = manifest.get("database") or {}
    if not database.get("included"):
        return []
    keys = database_facts(Path(instance_dir) / DATABASE_FILE)["photo_keys"]
    if photo_store.kind == "local":
        return sorted(key for key in keys if not photo_store.exists(key))
    return photo_store.missing(keys)


def table_counts(manifest: dict) -> dict[str, int]:
    """The row counts a manifest records (empty when the database is not in the archive)."""
    return dict((manifest.get("database") or {}).get("tables") or {})


def describe(
    manifest: dict, tables: Iterable[str] = ("scan", "inspection", "photo", "user")
) -> str:
    """One line for the operator: what the archive holds."""
    counts = table_counts(manifest)
    parts = [f"{name} {counts[name]:,}" for name in tables if name in counts]
    parts.append(f"{manifest.get('counts', {}).get('photo_files', 0):,} photo files")
    return ", ".join(parts)
