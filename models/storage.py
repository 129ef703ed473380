"""Content-addressed file storage for photos and thumbnails.

A key is ``ab/cd/<sha256 of the bytes><suffix>``, e.g. ``3f/a2/3fa2…e9.jpg``: the same bytes
always get the same key, so storing twice is a no-op and a key never points at other bytes.
The two directory levels keep directories small (65,536 of them, each with few files).

Only five methods are used by the rest of the app: ``put``, ``path``, ``exists``, ``delete``
and ``iter_keys``. An object store (S3, OSS, MinIO) can implement the same interface later,
with ``path`` replaced by a URL or a download; nothing else needs to change.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

# A suffix is a dot and a short lower-case extension: ".jpg", ".png", ".webp".
_SUFFIX = re.compile(r"\.[a-z0-9]{1,8}")
_KEY = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/(\1\2[0-9a-f]{60})(\.[a-z0-9]{1,8})?")
_TEMP_PREFIX = ".tmp-"


class FileStorage:
    """Files under ``root``, written atomically: a crash never leaves half a file behind."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def put(self, data: bytes, suffix: str) -> str:
        """Store ``data`` and return its key. Idempotent: the same bytes give the same key."""
        if not _SUFFIX.fullmatch(suffix):
            raise ValueError(f"suffix must look like '.jpg', got {suffix!r}")
        digest = hashlib.sha256(data).hexdigest()
        key = f"{digest[:2]}/{digest[2:4]}/{digest}{suffix}"
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
        if not isinstance(key, str) or not _KEY.fullmatch(key):
            raise ValueError(f"not a storage key: {key!r}")
        path = self.root / key
        # Belt and braces: a symlinked directory inside the root must not lead outside it.
        if not path.resolve().is_relative_to(self.root):
            raise ValueError(f"storage key escapes the root: {key!r}")
        return path

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
