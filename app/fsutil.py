"""Atomic file writes: a reader never sees a half-written file.

Each write goes to a hidden temporary file or folder beside the target, named
`.NAME.hashiya-tmp-<host>-<pid>-<random>` (`.tmp` after it for a file), and is renamed over the target when
complete. A process killed mid-write leaves that temporary behind; the next write into the same folder
removes the leftovers whose process is gone. Leftovers of a live process (another window exporting at the
same moment) and of another computer (a shared folder: its processes cannot be seen from here) are kept.

A write that fails raises an OSError naming the target, never the temporary name nor no name at all
(a full disk gives errno ENOSPC without a file name); `write_failure` words it for the analyst.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import shutil
import socket
import tempfile
from pathlib import Path
from typing import IO, Iterator

from app.i18n import _
from app.safenames import cut_to_bytes

TEMP_MARK = ".hashiya-tmp-"
# Which computer wrote a temporary: a pid means nothing on another one.
HOST_TAG = hashlib.sha1(socket.gethostname().encode("utf-8", "replace")).hexdigest()[:6]
_LEFTOVER = re.compile(r"\..*\.hashiya-tmp-(?P<host>[0-9a-f]{6})-(?P<pid>\d+)-[a-z0-9_]+(?:\.tmp)?", re.DOTALL)
_NAME_ROOM = 180  # bytes of the target's name kept in a temporary's: the marker, pid and random part follow


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
    # A link is followed: the file it leads to is replaced, not the link (which may be shared, or be
    # /dev/stdout). A pipe, a terminal or a device cannot be replaced by renaming: it is written to.
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        with _written_in_place(target, mode, **options) as handle:
            yield handle
        return
    folder = target.parent
    tmp_name = None
    try:
        remove_leftovers(folder)
        fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(target), suffix=".tmp", dir=folder)
        # mkstemp makes the file private (0600); an export should get the usual permissions.
        os.chmod(tmp_name, 0o666 & ~_current_umask())
        with os.fdopen(fd, mode, **options) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException as error:
        if tmp_name is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
        named = _naming(error, target, tmp_name) if isinstance(error, OSError) else error
        if named is error:
            raise
        raise named from error


@contextlib.contextmanager
def _written_in_place(target: Path, mode: str, **options) -> Iterator[IO]:
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, _("is a folder, not a file"), str(target))
    try:
        with open(target, mode, **options) as handle:
            yield handle
    except OSError as error:
        named = _naming(error, target, None)
        if named is error:
            raise
        raise named from error


@contextlib.contextmanager
def atomic_folder(path: str | os.PathLike) -> Iterator[Path]:
    """A new, empty folder to fill, built beside `path` and renamed to `path` once the body succeeds.

    `path` must not exist or must be an empty folder; if the body raises, nothing is left behind."""
    target = Path(path)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise FileExistsError(errno.EEXIST, _("exists and is not an empty folder"), str(target))
    building = None
    try:
        remove_leftovers(target.parent)
        building = Path(tempfile.mkdtemp(prefix=temp_prefix(target), dir=target.parent))
        yield building
        os.chmod(building, 0o777 & ~_current_umask())
        if target.exists():
            target.rmdir()
        os.replace(building, target)
    except BaseException as error:
        if building is not None:
            shutil.rmtree(building, ignore_errors=True)
        named = _naming(error, target, building) if isinstance(error, OSError) else error
        if named is error:
            raise
        raise named from error


def temp_prefix(target: Path) -> str:
    """The start of a temporary's name for `target`: hidden, marked as Hashiya's, with this computer and
    process in it (tempfile adds the random part)."""
    return f".{cut_to_bytes(target.name, _NAME_ROOM)}{TEMP_MARK}{HOST_TAG}-{os.getpid()}-"


def remove_leftovers(folder: str | os.PathLike) -> list[str]:
    """Remove the temporaries in `folder` that a process of this computer left when it died mid-write;
    returns their names. Anything that cannot be removed (another process just did) is let be."""
    removed = []
    try:
        with os.scandir(folder) as entries:
            found = [(entry.name, entry.is_dir(follow_symlinks=False)) for entry in entries]
    except OSError:
        return removed  # the write itself will say what is wrong with the folder
    for name, is_folder in found:
        match = _LEFTOVER.fullmatch(name)
        if match is None or match["host"] != HOST_TAG or process_alive(int(match["pid"])):
            continue
        path = os.path.join(folder, name)
        with contextlib.suppress(OSError):
            if is_folder:
                shutil.rmtree(path)
            else:
                os.unlink(path)
            removed.append(name)
    return removed


def process_alive(pid: int) -> bool:
    """Whether process `pid` of this computer still runs; True when that cannot be told (keep its files)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, as another user's
        return True
    return True


def _windows_process_alive(pid: int) -> bool:
    import ctypes  # os.kill on Windows would terminate the process, so ask the kernel instead

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() != 87  # ERROR_INVALID_PARAMETER: no such process
    try:
        code = ctypes.c_ulong()
        return not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) or code.value == 259  # STILL_ACTIVE
    finally:
        kernel32.CloseHandle(handle)


def _naming(error: OSError, target: Path, temporary: str | os.PathLike | None) -> OSError:
    """`error` naming `target` (or the file inside it) instead of no file or a hidden temporary."""
    named = error.filename
    if not isinstance(named, (str, os.PathLike, type(None))):
        return error
    if named is not None and temporary is not None and Path(named).resolve().is_relative_to(Path(temporary).resolve()):
        named = target.joinpath(Path(named).resolve().relative_to(Path(temporary).resolve()))
    elif named is None or TEMP_MARK in Path(named).name:
        named = target
    else:
        return error
    reason = error.strerror or str(error)
    try:
        return type(error)(error.errno, reason, str(named))
    except TypeError:
        return OSError(error.errno, reason, str(named))


def write_failure(error: OSError, out: str | os.PathLike) -> str:
    """What to tell the analyst when writing the export `out` failed: the path they chose (or the file
    inside it) and the reason, as in "cannot write /data/out.jsonl: No space left on device"."""
    named = error.filename
    where = named if named is not None and (Path(named) == Path(out) or Path(named).is_relative_to(out)) \
        and TEMP_MARK not in os.fspath(named) else out
    return _("cannot write {path}: {reason}").format(path=where, reason=error.strerror or error)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
