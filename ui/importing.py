"""File → Import: runs the importer off the GUI thread, with progress and cancel."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.formats import FORMATS, import_as
from app.i18n import N_, _, number
from app.importer import ImportCancelled, ImportReport, Importer
from app.project import Project


class ImportWorker(QObject):
    progressed = Signal(int, int)
    finished = Signal(object, bool)  # ImportReport, cancelled

    def __init__(self, project: Project, paths: list[str], annotator: str, format_name: str | None = None):
        super().__init__()
        self._project, self._paths, self._annotator = project, paths, annotator
        self._format = format_name  # another tool's format (app.formats), else .txt/.jsonl
        self._cancel = threading.Event()

    def cancel(self) -> None:
        self._cancel.set()

    def run(self) -> None:
        if self._format is not None:
            return self._run_interchange()
        importer = Importer(self._project, self._annotator,
                            progress=self.progressed.emit, cancelled=self._cancel.is_set)
        try:
            self.finished.emit(importer.run(self._paths), False)
        except ImportCancelled:
            self.finished.emit(importer.report, True)
        except Exception as error:  # the report must reach the analyst, not a dead thread
            importer.report.rejected.append(_unexpected(error))
            self.finished.emit(importer.report, False)


    def _run_interchange(self) -> None:
        """One input at a time, each in one transaction; Cancel stops before the next, or while a long
        input (an XMI zip) is read, which then imports nothing."""
        total = ImportReport()
        try:
            for done, path in enumerate(self._paths):
                if self._cancel.is_set():
                    return self.finished.emit(total, True)
                total.add(import_as(self._project, FORMATS[self._format], path, self._annotator,
                                    cancelled=self._cancel.is_set))
                self.progressed.emit(done + 1, len(self._paths))
        except ImportCancelled:
            return self.finished.emit(total, True)
        except Exception as error:  # the report must reach the analyst, not a dead thread
            total.rejected.append(_unexpected(error))
        self.finished.emit(total, False)


def _unexpected(error: Exception) -> tuple[str, str]:
    """The rejection an unexpected error adds to the report (no file of its own to name)."""
    return _("(import)"), _("stopped by an unexpected error: {error}").format(error=error)


class ImportRunner(QObject):
    """Owns the thread, the worker and the progress dialog of one import."""

    done = Signal(object)  # ImportReport

    def __init__(self, parent: QWidget, project: Project, paths: list[str], annotator: str,
                 format_name: str | None = None):
        super().__init__(parent)
        self._parent = parent
        self.thread = QThread(self)
        self.worker = ImportWorker(project, paths, annotator, format_name)
        self.worker.moveToThread(self.thread)
        self.dialog = QProgressDialog(_("Importing…"), _("Cancel"), 0, 0, parent)
        self.dialog.setWindowModality(Qt.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.canceled.connect(self.worker.cancel)
        self.worker.progressed.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.thread.started.connect(self.worker.run)

    def start(self) -> None:
        self.thread.start()

    def stop_and_wait(self) -> None:
        self.worker.cancel()
        self.thread.quit()
        self.thread.wait()

    def _progress(self, done: int, total: int) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.dialog.setLabelText(_("Importing file {done} of {total}…").format(done=number(done), total=number(total)))

    def _finished(self, report: ImportReport, cancelled: bool) -> None:
        self.dialog.reset()
        self.thread.quit()
        self.thread.wait()
        self.done.emit(report)
        show_report(self._parent, report, cancelled)
        self.deleteLater()


def show_report(parent: QWidget, report: ImportReport, cancelled: bool) -> None:
    lines = report.summary_lines()
    if cancelled:
        lines.insert(0, _("Import cancelled; what was imported before you cancelled is kept."))
    icon = QMessageBox.Warning if report.rejected else QMessageBox.Information
    box = QMessageBox(icon, _("Import"), lines[0], QMessageBox.Ok, parent)
    box.setInformativeText("\n".join(lines[1:4]))
    if report.unrepresented:
        box.setIcon(QMessageBox.Warning)
    if len(lines) > 4:
        box.setDetailedText("\n".join(lines))
    box.open()


# File → Import from another tool…: the file type chosen in the dialog says which format it is. The file
# dialog shows them translated: tool_filters().
TOOL_FILTERS = {
    N_("doccano JSONL (*.jsonl *.json)"): "doccano",
    N_("Label Studio JSON export (*.json)"): "label-studio",
    N_("CoNLL-2003 / IOB (*.conll *.iob *.iob2 *.bio *.txt)"): "conll",
    N_("brat standoff (*.ann)"): "brat",
    N_("UIMA CAS XMI, INCEpTION (*.xmi *.zip)"): "xmi",
}


def tool_filters() -> dict[str, str]:
    """TOOL_FILTERS as the file dialog lists them (in the interface's language), each with its format."""
    return {_(name): format_name for name, format_name in TOOL_FILTERS.items()}
