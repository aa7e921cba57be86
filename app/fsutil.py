"""Atomic file writes: a reader never sees a half-written file."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import tempfile
from pathlib import Path
from typing import IO, Iterator


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike, *, encoding: str = "utf-8", newline: str = "\n") -> Iterator[IO[str]]:
    """Write to a temporary file beside `path`, fsync it, then rename it over `path`.

    If the body raises, the temporary file is removed and `path` is untouched.
    """
    with _atomic_file(path, "w", encoding=encoding, newline=newline) as handle:
        yield handle


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """`data` written to a temporary file beside `path`, fsynced, then renamed over `path`."""
    with _atomic_file(path, "wb") as handle:
        handle.write(data)


@contextlib.contextmanager
def _atomic_file(path: str | os.PathLike, mode: str, **options) -> Iterator[IO]:
    target = Path(path)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    # mkstemp makes the file private (0600); an export should get the usual permissions.
    os.chmod(tmp_name, 0o666 & ~_current_umask())
    try:
        with os.fdopen(fd, mode, **options) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike) -> Iterator[Path]:
    """A new, empty folder to fill, built beside `path` and renamed to `path` once the body succeeds.

    `path` must not exist or must be an empty folder; if the body raises, nothing is left behind."""
    target = Path(path)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(errno.EEXIST, "exists and is not an empty folder", str(target))
    building = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield building
        os.chmod(building, 0o777 & ~_current_umask())
        if target.exists():
            target.rmdir()
        os.replace(building, target)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
