"""Which window has a project file open: a lock file beside the project naming the user, host and process.

The lock is an exclusive `flock` on the lock file, held by the window's process for as long as the
project is open in it. The kernel drops it when that process ends, however it ends (a crash, a kill), so
a lock left by a process that is gone is taken over by the next window, never obeyed; the names written
in the file only tell the analyst who has the project open. Headless commands take no lock: SQLite
keeps their writes apart from a window's.

A folder where no lock file can be made (read-only) gets none: the project opens read-only there anyway.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import socket
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from app.i18n import _, number

MAX_LOCK_BYTES = 4096  # what is read of a lock file: a few names, whatever else the file holds


@dataclass(frozen=True)
class Holder:
    user: str
    host: str
    pid: int
    since: str  # when it opened the project (UTC, ISO 8601)

    @classmethod
    def this_process(cls) -> "Holder":
        return cls(_user(), socket.gethostname(), os.getpid(),
                   datetime.now(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z"))

    @property
    def here(self) -> bool:
        """Whether it is this very process (another window of this Hashiya)."""
        return self.pid == os.getpid() and self.host == socket.gethostname()

    @property
    def same_host(self) -> bool:
        return self.host == socket.gethostname()

    def describe(self) -> str:
        return _("{user} on {host} (process {pid}, since {since})").format(
            user=self.user, host=self.host, pid=number(self.pid), since=self.since)


class HeldElsewhere(Exception):
    """Another window has the project open; `holder` says who (None when its lock file says nothing)."""

    def __init__(self, path: Path, holder: Holder | None):
        who = holder.describe() if holder else _("another Hashiya window")
        super().__init__(_("{path} is open in another window: {who}.").format(path=path, who=who))
        self.path, self.holder = path, holder


def lock_path(project: Path) -> Path:
    return project.with_name(f".{project.name}.lock")


class WindowLock:
    """The lock of one open project; `release` when the window closes it."""

    def __init__(self, project: Path, descriptor: int, holder: Holder):
        self.project, self.path, self.holder = project, lock_path(project), holder
        self._descriptor: int | None = descriptor

    @classmethod
    def acquire(cls, project: str | os.PathLike) -> "WindowLock | None":
        """Take the lock of `project`; raises HeldElsewhere when a live window has it, returns None where no
        lock file can be made (a read-only folder)."""
        project = Path(project)
        path = lock_path(project)
        for _attempt in range(5):  # the holder may remove its file just as we open it: then try again
            try:
                descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | getattr(os, "O_NOFOLLOW", 0),
                                     0o644)
            except OSError:
                return None
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = _read_holder(descriptor)
                os.close(descriptor)
                raise HeldElsewhere(project, holder) from None
            except OSError:
                os.close(descriptor)
                return None
            if _still_at(path, descriptor):
                holder = Holder.this_process()
                _write_holder(descriptor, holder)
                return cls(project, descriptor, holder)
            os.close(descriptor)  # locked a file that was just removed: take the one there now
            time.sleep(0.01)
        return None

    @property
    def held(self) -> bool:
        return self._descriptor is not None

    def release(self) -> None:
        """Remove the lock file (while still holding it, so no one takes a file about to vanish)."""
        if self._descriptor is None:
            return
        with contextlib.suppress(OSError):
            if _still_at(self.path, self._descriptor):
                self.path.unlink()
        os.close(self._descriptor)
        self._descriptor = None


def _still_at(path: Path, descriptor: int) -> bool:
    try:
        here, there = os.fstat(descriptor), os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _write_holder(descriptor: int, holder: Holder) -> None:
    data = json.dumps(asdict(holder), ensure_ascii=False).encode("utf-8")
    with contextlib.suppress(OSError):  # the names are for people; the flock is the lock
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, data, 0)
        os.fsync(descriptor)


def _read_holder(descriptor: int) -> Holder | None:
    try:
        data = json.loads(os.pread(descriptor, MAX_LOCK_BYTES, 0).decode("utf-8"))
        return Holder(str(data["user"])[:100], str(data["host"])[:100], int(data["pid"]), str(data["since"])[:40])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some containers
        return "unknown"
