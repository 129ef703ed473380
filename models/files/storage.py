"""Content-addressed file storage for photos and thumbnails.

A key is ``ab/cd/<sha256 of the bytes><suffix>``, e.g. ``3f/a2/3fa2…e9.jpg``: the same bytes
always get the same key, so storing twice is a no-op and a key never points at other bytes.
The two directory levels keep directories small (65,536 of them, each with few files).

The rest of the app uses ``put``, ``open``, ``exists``, ``delete`` and ``iter_keys``. Two
stores implement them: ``FileStorage`` here (files under ``instance/photos``, the embedded
default) and ``ObjectStorage`` in ``models/files/object_store.py`` (an S3-compatible bucket: Aliyun
OSS, Tencent COS, Huawei OBS, MinIO), chosen by ``open_store`` from the settings. Only
``FileStorage`` has ``path``; the backup copies files from it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import BinaryIO, Protocol

# A suffix is a dot and a short lower-case extension: ".jpg", ".png", ".webp".
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")
_KEY = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/(\1\2[0-9a-f]{60})(\.[a-z0-9]{1,8})?")
_TEMP_PREFIX = ".tmp-"


def make_key(data: bytes, suffix: str) -> str:
    """The key of ``data``: ``ab/cd/<sha256><suffix>``."""
    if not _SUFFIX.fullmatch(suffix):
        raise ValueError(f"suffix must look like '.jpg', got {suffix!r}")
    digest = hashlib.sha256(data).hexdigest()
    return f"{digest[:2]}/{digest[2:4]}/{digest}{suffix}"


def check_key(key: str) -> str:
    """``key`` if it is one of ours; ValueError for anything else (``..``, absolute paths,
    other names), so a key from a request can never name something else."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise ValueError(f"not a storage key: {key!r}")
    return key


def is_key(name: str) -> bool:
    return bool(_KEY.fullmatch(name))


def key_digest(key: str) -> str:
    """The SHA-256 of the bytes a key names (its file name without the suffix)."""
    return check_key(key).rsplit("/", 1)[1].split(".", 1)[0]


class PhotoStore(Protocol):
    """What the app needs of a photo store."""

    kind: str

    def put(self, data: bytes, suffix: str) -> str: ...

    def open(self, key: str) -> tuple[BinaryIO, int]: ...

    def exists(self, key: str) -> bool: ...

    def delete(self, key: str) -> bool: ...

    def iter_keys(self) -> Iterator[str]: ...


def open_store(config: Mapping, instance_path: str | Path) -> PhotoStore:
    """The photo store the settings name: ``PHOTO_STORE`` = ``local`` (files under
    ``<instance>/photos``, the default) or ``s3`` (see models/files/object_store.py)."""
    kind = (config.get("PHOTO_STORE") or "local").lower()
    if kind == "local":
        return FileStorage(Path(instance_path) / "photos")
    if kind == "s3":
        from models.files.object_store import ObjectStorage

        return ObjectStorage.from_config(config)
    raise ValueError(f"XUNJIAN_PHOTO_STORE must be 'local' or 's3', not {kind!r}")


class FileStorage:
    """Files under ``root``, written atomically: a crash never leaves half a file behind."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes, suffix: str) -> str:
        """Store ``data`` and return its key. Idempotent: the same bytes give the same key."""
        key = make_key(data, suffix)
        final = self.path(key)
        if final.exists():
            return key

        final.parent.mkdir(parents=True, exist_ok=True)
        # Write to a temporary file in the same directory (so os.replace is a same-filesystem
        # rename, which is atomic), make it durable, then move it into place. Readers see
        # either no file or the whole file; a crash leaves at most a ".tmp-" file behind.
        fd, temp_name = tempfile.mkstemp(dir=final.parent, prefix=_TEMP_PREFIX)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp_name, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        _fsync_directory(final.parent)  # make the rename itself survive a power cut
        return key

    def path(self, key: str) -> Path:
        """The file of a key. Raises ValueError for anything that is not one of our keys
        (``..``, absolute paths, other names), so a key from a request can't escape the root."""
        path = self.root / check_key(key)
        # Belt and braces: a symlinked directory inside the root must not lead outside it.
        if not path.resolve().is_relative_to(self.root):
            raise ValueError(f"storage key escapes the root: {key!r}")
        return path

    def open(self, key: str) -> tuple[BinaryIO, int]:
        """The stored bytes to read, and their size; FileNotFoundError when missing."""
        f = open(self.path(key), "rb")  # noqa: SIM115 - the caller closes it
        return f, os.fstat(f.fileno()).st_size

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> bool:
        """Remove a stored file; True if it existed."""
        try:
            self.path(key).unlink()
        except FileNotFoundError:
            return False
        return True

    def iter_keys(self) -> Iterator[str]:
        """Every stored key (in no particular order), skipping unfinished temporary files."""
        for directory, _subdirs, files in os.walk(self.root):
            relative = Path(directory).relative_to(self.root)
            for name in files:
                key = (relative / name).as_posix()
                if _KEY.fullmatch(key):
                    yield key


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
