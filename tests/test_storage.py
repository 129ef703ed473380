"""Unit tests of the content-addressed file storage."""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

import pytest

from models.files.storage import FileStorage

DATA = b"\xff\xd8\xff\xe0 pretend this is a JPEG"
DIGEST = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def storage(tmp_path: Path) -> FileStorage:
    return FileStorage(tmp_path / "photos")


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_put_returns_a_content_addressed_key(storage: FileStorage) -> None:
    key = storage.put(DATA, ".jpg")
    assert key == f"{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}.jpg"
    assert storage.path(key) == storage.root / key
    assert storage.path(key).read_bytes() == DATA
    assert storage.exists(key)


def test_put_is_idempotent(storage: FileStorage) -> None:
    key = storage.put(DATA, ".jpg")
    written = storage.path(key).stat()
    assert storage.put(DATA, ".jpg") == key
    again = storage.path(key).stat()
    assert (again.st_ino, again.st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert files_under(storage.root) == [key]  # no stray temporary files


def test_different_bytes_or_suffixes_get_different_keys(storage: FileStorage) -> None:
    keys = {storage.put(DATA, ".jpg"), storage.put(DATA + b"!", ".jpg"), storage.put(DATA, ".png")}
    assert len(keys) == 3
    assert sorted(storage.iter_keys()) == sorted(keys)


def test_file_is_fsynced_before_it_is_moved_into_place(
    storage: FileStorage, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync")
        real_fsync(fd)

    def replace(src: str, dst: str) -> None:
        assert Path(src).parent == Path(dst).parent  # same directory: an atomic rename
        assert Path(src).read_bytes() == DATA  # complete before it becomes visible
        events.append("replace")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    storage.put(DATA, ".jpg")
    assert events[:2] == ["fsync", "replace"]  # then the directory is fsynced too
    assert events.count("fsync") == 2


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_crash_while_writing_leaves_no_file(
    storage: FileStorage, monkeypatch: pytest.MonkeyPatch, failing: str
) -> None:
    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, failing, crash)
    with pytest.raises(OSError, match="disk full"):
        storage.put(DATA, ".jpg")
    monkeypatch.undo()

    key = f"{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}.jpg"
    assert not storage.exists(key)
    assert files_under(storage.root) == []  # the temporary file was removed as well
    assert storage.put(DATA, ".jpg") == key  # and a retry works
    assert storage.path(key).read_bytes() == DATA


def test_leftover_temporary_files_are_not_keys(storage: FileStorage) -> None:
    key = storage.put(DATA, ".jpg")
    (storage.path(key).parent / ".tmp-abc123").write_bytes(b"half a fi")  # from a crash
    (storage.root / "README").write_text("not ours")
    assert list(storage.iter_keys()) == [key]


@pytest.mark.parametrize(
    "key",
    [
        "../secret.jpg",
        f"{DIGEST[:2]}/{DIGEST[2:4]}/../../../etc/passwd",
        "/etc/passwd",
        f"/{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}.jpg",
        f"{DIGEST[:2]}\\{DIGEST[2:4]}\\{DIGEST}.jpg",
        f"00/00/{DIGEST}.jpg",  # directories that don't match the name
        f"{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}.JPG/..",
        f"{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST[:-1]}.jpg",
        "",
        ".",
    ],
)
def test_keys_that_could_escape_the_root_are_refused(storage: FileStorage, key: str) -> None:
    with pytest.raises(ValueError):
        storage.path(key)
    with pytest.raises(ValueError):
        storage.exists(key)
    with pytest.raises(ValueError):
        storage.delete(key)


def test_a_symlink_out_of_the_root_is_refused(storage: FileStorage, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (storage.root / DIGEST[:2]).symlink_to(outside, target_is_directory=True)
    with pytest.raises(ValueError, match="escapes"):
        storage.path(f"{DIGEST[:2]}/{DIGEST[2:4]}/{DIGEST}.jpg")


@pytest.mark.parametrize("suffix", ["jpg", "", ".JPG", "./../x", ".tar.gz", ".j/pg"])
def test_bad_suffixes_are_refused(storage: FileStorage, suffix: str) -> None:
    with pytest.raises(ValueError):
        storage.put(DATA, suffix)
    assert files_under(storage.root) == []


def test_delete(storage: FileStorage) -> None:
    key = storage.put(DATA, ".jpg")
    assert storage.delete(key) is True
    assert not storage.exists(key)
    assert storage.delete(key) is False
    assert list(storage.iter_keys()) == []


def test_concurrent_puts_of_the_same_bytes(storage: FileStorage) -> None:
    data = os.urandom(200_000)
    keys: list[str] = []
    threads = [
        threading.Thread(target=lambda: keys.append(storage.put(data, ".jpg"))) for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(keys)) == 1 and len(keys) == 8
    assert files_under(storage.root) == [keys[0]]
    assert storage.path(keys[0]).read_bytes() == data


def test_root_is_created(tmp_path: Path) -> None:
    root = tmp_path / "a" / "b"
    FileStorage(root)
    assert root.is_dir()
