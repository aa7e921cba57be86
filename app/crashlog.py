"""The log of unexpected errors: every one written, with when and on what software, to a file the analyst can
send (`$XDG_STATE_HOME/hashiya/hashiya.log`).

The log is bounded: past MAX_BYTES it is renamed `hashiya.log.1` (replacing the previous one) and a new one
is begun. Writing it never raises: it happens while something has already gone wrong, and the dialog says
why the log could not be written instead. Each entry is one `write` to a file opened for appending, so two
Hashiya processes writing at once do not mix their lines.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from app import appinfo, paths

LOG_NAME = "hashiya.log"
MAX_BYTES = 1_000_000
SUMMARY_CHARS = 200  # of the one-line summary; the whole message is in the trace


def log_path() -> Path:
    return paths.state_dir() / LOG_NAME


def old_log_path(path: Path) -> Path:
    return path.with_name(path.name + ".1")


@dataclass(frozen=True)
class CrashReport:
    summary: str  # the error in one line
    trace: str  # Python's traceback, as printed
    when: datetime
    software: dict
    place: str = ""  # the kind of error and where it was raised: the same place is "the same error"

    @classmethod
    def of(cls, kind, value, trace, qt_versions: dict[str, str]) -> "CrashReport":
        lines = "".join(traceback.format_exception(kind, value, trace))
        place = kind.__name__ + "\n" + "".join(traceback.format_tb(trace))
        return cls(one_line(str(value), kind.__name__), lines, datetime.now().astimezone(),
                   appinfo.software(qt_versions), place)

    def text(self) -> str:
        """The whole report: what the log keeps and "Copy report" copies."""
        software = ", ".join(f"{name} {version}" for name, version in self.software.items())
        return (f"==== {self.when.isoformat(timespec='seconds')} unexpected error (process {os.getpid()}) ====\n"
                f"{software}\n{self.trace.rstrip()}\n\n")

    def repeat_line(self, times: int) -> str:  # `times`: how many times it came again
        """Logged instead of the whole report when the same error comes again while its dialog is open."""
        return (f"{datetime.now().astimezone().isoformat(timespec='seconds')} the same error again "
                f"({self.summary}): {times + 1} times in all since {self.when.isoformat(timespec='seconds')} "
                f"(process {os.getpid()})\n")


def one_line(message: str, kind: str) -> str:
    lines = [line.strip() for line in message.splitlines() if line.strip()]
    line = f"{kind}: {lines[0]}" if lines else kind
    return line if len(line) <= SUMMARY_CHARS else line[:SUMMARY_CHARS - 1] + "…"


def append(text: str, path: Path | None = None) -> str | None:
    """Add `text` to the log (rotating it when it is full). None when written, else why it was not."""
    path = path or log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _rotate_if_full(path)
        # A message may hold names from other people's files, with lone surrogates: escaped, never refused.
        # Readable by its owner only: a trace may quote document text and analysts' names.
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        with open(descriptor, "a", encoding="utf-8", errors="backslashreplace") as handle:
            handle.write(text)
    except OSError as error:
        return error.strerror or str(error)
    except Exception as error:  # whatever it is, the error being reported matters more
        return f"{type(error).__name__}: {error}"
    return None


def _rotate_if_full(path: Path) -> None:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return
    if size >= MAX_BYTES:
        os.replace(path, old_log_path(path))
