"""File → Add an analyst's work…: app.merge off the GUI thread, with a busy dialog and Cancel."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from app.i18n import _
from app.merge import MergeCancelled, MergeReport, merge_project
from app.project import Project, ProjectError
from ui.workers import Background, Worker


class MergeWorker(Worker):
    finished = Signal(object, str)  # MergeReport or None, a message when there is no report

    def __init__(self, project: Project, other: str, analyst: str):
        super().__init__()
        self._project, self._other, self._analyst = project, other, analyst

    def run(self) -> None:
        try:
            self.finished.emit(merge_project(self._project, self._other, self._analyst, self.is_cancelled), "")
        except MergeCancelled:
            self.finished.emit(None, _("Merge cancelled: nothing was added."))
        except ProjectError as error:
            self.finished.emit(None, str(error))
        except Exception as error:  # the analyst must hear of it, not a dead thread; nothing was written
            self.finished.emit(None, _("The merge stopped on an unexpected error, and nothing was added: {error}").format(
                error=error))


class MergeRunner(QObject):
    """Owns the thread and the progress dialog of one merge; `done` tells the window to reload."""

    done = Signal(object)  # MergeReport, or None when nothing was merged

    def __init__(self, parent: QWidget, project: Project, other: str, analyst: str):
        super().__init__(parent)
        self._parent = parent
        self._background = Background(self, failed=lambda message: self._finished(None, message, ended=True))
        self._worker = MergeWorker(project, other, analyst)
        self.dialog = QProgressDialog(_("Adding the analyst's work…"), _("Cancel"), 0, 0, parent)
        self.dialog.setWindowModality(Qt.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.canceled.connect(self._worker.cancel)

    def start(self) -> None:
        self._background.start(self._worker, lambda worker: worker.finished.connect(self._finished))

    def stop_and_wait(self) -> None:
        self._background.stop_and_wait()

    def _finished(self, report: MergeReport | None, message: str, ended: bool = False) -> None:
        self.dialog.reset()
        if not ended:
            self._background.finish()
        self.done.emit(report)
        if report is None:
            QMessageBox(QMessageBox.Warning, _("Add an analyst's work"), message, QMessageBox.Ok, self._parent).open()
        else:
            show_report(self._parent, report)
        self.deleteLater()


def show_report(parent: QWidget, report: MergeReport) -> None:
    first, *rest = report.summary().split("\n")
    icon = QMessageBox.Warning if report.unmatched_documents else QMessageBox.Information
    box = QMessageBox(icon, _("Add an analyst's work"), first, QMessageBox.Ok, parent)
    box.setInformativeText("\n".join(rest))
    if report.unmatched_documents:
        box.setDetailedText(_("Documents not in this project:") + "\n" + "\n".join(report.unmatched_documents))
    box.open()
