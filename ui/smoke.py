"""A smoke test built into the app: `HASHIYA_SMOKE_TEST=1 hashiya …` starts the window as usual, waits for
the reading pane's first painted frame, prints one line and quits.

It is how a packaged build is checked where no Python can be injected into it (the frozen bundle in
`make test-package`) and how its cold start is timed (from launch to that line, as `make bench` row 1
times the checkout). The line: `shown <seconds since the process started> <documents> <project path>`.
"""

from __future__ import annotations

import os
import time

from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication

ENVIRONMENT_VARIABLE = "HASHIYA_SMOKE_TEST"
FIRST_FRAME_TIMEOUT = 20.0


def wanted(environ=os.environ) -> bool:
    return environ.get(ENVIRONMENT_VARIABLE) == "1"


class _FirstPaint(QObject):
    painted = False

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Paint:
            self.painted = True
        return False


def quit_after_first_frame(window) -> None:
    """Call right after window.show()."""
    watch = _FirstPaint(window)
    window.pane.viewport().installEventFilter(watch)
    QTimer.singleShot(0, lambda: _report_and_quit(window, watch))


def _report_and_quit(window, watch: _FirstPaint) -> None:
    application = QApplication.instance()
    deadline = time.monotonic() + FIRST_FRAME_TIMEOUT
    while not watch.painted and time.monotonic() < deadline:
        application.processEvents(QEventLoop.AllEvents, 50)
    documents = window.documents.rowCount()
    since_start = time.monotonic() - _process_start()
    state = "shown" if watch.painted else "not-painted"
    print(f"{state} {since_start:.3f} {documents} {window.editor.project.location}", flush=True)
    window.close()
    application.exit(0 if watch.painted else 1)


def _process_start() -> float:
    """When this process started, on the time.monotonic() clock (Linux: /proc; elsewhere: now)."""
    try:
        with open("/proc/self/stat", encoding="ascii") as handle:
            started_ticks = int(handle.read().rsplit(")", 1)[1].split()[19])
        with open("/proc/uptime", encoding="ascii") as handle:
            uptime = float(handle.read().split()[0])
        return time.monotonic() - (uptime - started_ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.monotonic()
