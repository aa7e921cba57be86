"""The crash dialog: an unexpected error is logged and shown to the analyst, from whichever thread it came.

Qt's widgets may only be touched on the GUI thread; an exception raised on a worker thread (or a
Python thread) is carried there by a queued signal before any dialog is made. The traceback is printed
to stderr and appended to the log (app.crashlog); the dialog says where the log is and copies the report.

The dialog is shown without a nested event loop (`show`, application-modal), so the app goes on running
behind it. While it is open, further errors do not open more dialogs: the same error again is counted (in
the log and the dialog), another one is logged whole and added to the dialog's report.

The dialog's words are in the interface language; the report it copies (and the log) stays in English:
it is for the developers.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

import PySide6
from PySide6.QtCore import QCoreApplication, QObject, Qt, QThread, Signal, Slot, qVersion
from PySide6.QtGui import QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QStyle, QVBoxLayout,
)

from app import crashlog
from app.crashlog import CrashReport
from app.i18n import N_, _, ngettext, number
from app.store import ProjectUnreachable

SAVED = N_("Every edit shown as done is already saved in the project file; you can go on working.")


def qt_versions() -> dict[str, str]:
    return {"Qt": qVersion(), "PySide6": PySide6.__version__}


class CrashDialog(QDialog):
    """One unexpected error (and any that follow while it is open): what happened, where the log is, the
    report to copy."""

    def __init__(self, report: CrashReport, log: Path, log_problem: str | None):
        super().__init__(None)
        self.setWindowTitle(_("Hashiya: unexpected error"))
        self.setWindowModality(Qt.ApplicationModal)
        self.setAttribute(Qt.WA_DeleteOnClose)
        self.first = report
        self.reports = [report]
        self.repeats = 0
        self.summary = _plain(_("Something went wrong: {summary}").format(summary=report.summary))
        self.summary.setStyleSheet("font-weight: bold;")
        self.where = _plain(_where_text(log, log_problem))
        self.more = _plain("")
        self.more.hide()
        self.details = QPlainTextEdit(readOnly=True)
        self.details.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
        self.details.setLineWrapMode(QPlainTextEdit.NoWrap)
        self.details.setPlainText(self.report_text())
        self._build_buttons()
        self._lay_out()

    def _build_buttons(self) -> None:
        self.buttons = QDialogButtonBox()
        self.copy_button = QPushButton(_("Copy report"))
        self.copy_button.setAutoDefault(False)
        self.copy_button.clicked.connect(self.copy_report)
        self.buttons.addButton(self.copy_button, QDialogButtonBox.ActionRole)  # copies; the dialog stays
        self.close_button = self.buttons.addButton(QDialogButtonBox.Close)
        self.close_button.setDefault(True)
        self.buttons.rejected.connect(self.reject)

    def _lay_out(self) -> None:
        icon = QLabel()
        icon.setPixmap(self.style().standardIcon(QStyle.SP_MessageBoxCritical).pixmap(48, 48))
        text = QVBoxLayout()
        for label in (self.summary, _plain(_(SAVED)), self.where, self.more):
            text.addWidget(label)
        top = QHBoxLayout()
        top.addWidget(icon, 0, Qt.AlignTop)
        top.addLayout(text, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.details, 1)
        layout.addWidget(self.buttons)
        self.resize(640, 420)

    def report_text(self) -> str:
        """The report to copy, in English: it is for the developers."""
        text = "".join(report.text() for report in self.reports)
        if self.repeats:
            text += f"The first error happened {_more_times(self.repeats)} while this message was open.\n"
        return text

    def add(self, report: CrashReport) -> bool:
        """Another error while open: True when it is the first one again (counted), False when it is new."""
        repeated = any((report.place or report.trace) == (kept.place or kept.trace) for kept in self.reports)
        if repeated:
            self.repeats += 1
        elif len(self.reports) < MAX_REPORTS_KEPT:
            self.reports.append(report)
        else:  # an error that keeps changing (a counter in its message): counted, not kept, so memory stays bounded
            self.repeats += 1
        others = len(self.reports) - 1
        said = [ngettext("The same error happened once more.", "The same error happened {n} more times.",
                         self.repeats).format(n=number(self.repeats)) if self.repeats else "",
                ngettext("{n} other error followed (last: {summary}); in the log and the report below.",
                         "{n} other errors followed (last: {summary}); in the log and the report below.",
                         others).format(n=number(others), summary=report.summary) if others else ""]
        self.more.setText(" ".join(part for part in said if part))
        self.more.show()
        self.details.setPlainText(self.report_text())
        return repeated

    @Slot()
    def copy_report(self) -> None:
        QGuiApplication.clipboard().setText(self.report_text())
        self.copy_button.setText(_("Copied"))


def _worth_a_log_line(repeats: int) -> bool:
    """The first ten repeats, then the 16th, 32nd, 64th…: an error in a paint or a timer must not fill the
    log (and rotate the first report out of it) while the dialog is open."""
    return repeats <= 10 or repeats & (repeats - 1) == 0


MAX_REPORTS_KEPT = 20  # distinct errors one open dialog shows in full; later ones are counted


class CrashReporter(QObject):
    """Lives on the GUI thread; `report` may be emitted from any thread."""

    report = Signal(object)  # a CrashReport

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[str] = []  # the summary of every error reported, for the tests
        self.dialog: CrashDialog | None = None
        self.starting = False  # True from start-up until the event loop runs (ui.main.run_gui)
        self.report.connect(self._show)

    def excepthook(self, kind, value, trace) -> None:
        if isinstance(value, ProjectUnreachable):
            # Not a fault of the program: a read while the server was down. The status bar says the server is
            # not answering (ui/liveprogress.py) and edits wait for the analyst; the next read tries again.
            print(f"hashiya: {value}", file=sys.stderr)
            return
        report = CrashReport.of(kind, value, trace, qt_versions())
        print(report.trace, file=sys.stderr)
        self.report.emit(report)

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_type is SystemExit:
            return
        self.excepthook(args.exc_type, args.exc_value, args.exc_traceback)

    @Slot(object)
    def _show(self, report: CrashReport) -> None:
        self.shown.append(report.summary)
        if self.dialog is not None:
            kept = len(self.dialog.reports)
            if not self.dialog.add(report) and len(self.dialog.reports) > kept:
                crashlog.append(report.text())
            elif _worth_a_log_line(self.dialog.repeats):
                crashlog.append(report.repeat_line(self.dialog.repeats))
            return
        problem = crashlog.append(report.text())
        self.dialog = CrashDialog(report, crashlog.log_path(), problem)
        self.dialog.finished.connect(self._closed)
        if self.starting:
            # No event loop yet (an error while the app starts): a shown dialog would never be painted before
            # the process ends, so this one waits for the analyst.
            self.dialog.exec()
        else:
            self.dialog.show()

    @Slot()
    def _closed(self) -> None:
        self.dialog = None


def _plain(text: str) -> QLabel:
    """A label that shows its text as it is (an error message may hold markup-like names) and can be copied."""
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def _more_times(count: int) -> str:
    """In the report, in English (the dialog's own line is translated)."""
    return "once more" if count == 1 else f"{count} more times"


def _where_text(log: Path, problem: str | None) -> str:
    if problem is None:
        return _("The full report is in the log: {path}").format(path=log)
    return _("The report could not be written to the log {path}: {problem}. Use “Copy report” to keep it.").format(
        path=log, problem=problem)


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

