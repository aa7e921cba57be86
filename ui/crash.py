"""The crash dialog: an unexpected error is shown to the analyst, from whichever thread it came.

Qt's widgets may only be touched on the GUI thread; an exception raised on a worker thread (or a
Python thread) is carried there by a queued signal before any dialog is made. The traceback is printed
to stderr and kept in the dialog's details.
"""

from __future__ import annotations

import sys
import threading
import traceback

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot
from PySide6.QtWidgets import QMessageBox


class CrashReporter(QObject):
    """Lives on the GUI thread; `report` may be emitted from any thread."""

    report = Signal(str, str)  # the error in one line, the whole traceback

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []  # what was shown, for the tests
        self.report.connect(self._show)

    def excepthook(self, kind, value, trace) -> None:
        details = "".join(traceback.format_exception(kind, value, trace))
        print(details, file=sys.stderr)
        self.report.emit(str(value) or kind.__name__, details)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        self.shown.append(summary)
        box = QMessageBox(QMessageBox.Critical, "Hashiya: unexpected error",
                          f"Something went wrong: {summary}\n\nEverything shown as done is saved in the project "
                          "file. Please report this error with the details below.")
        box.setDetailedText(details)
        box.exec()


_reporter: CrashReporter | None = None


def install_crash_dialog() -> CrashReporter:
    """Route unexpected errors of every thread to one dialog on the GUI thread."""
    global _reporter
    if _reporter is None:
        application = QCoreApplication.instance()
        _reporter = CrashReporter()
        if application is not None and QThread.currentThread() is not application.thread():
            _reporter.moveToThread(application.thread())
    sys.excepthook = _reporter.excepthook
    threading.excepthook = _reporter.thread_excepthook
    return _reporter
