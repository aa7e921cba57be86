"""File → Export…: choose a format, whose work and which layer, then export off the GUI thread with
progress and Cancel. The exports themselves are app/ code (app.exporter, app.formats)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QLabel, QMessageBox, QProgressDialog, QRadioButton, QVBoxLayout, QWidget)

from app import exporter
from app.adjudication import GOLD
from app.formats import FORMATS, ExportProblem, export_as
from app.formats.common import ExportCancelled, analysts_with_annotations
from app.fsutil import write_failure
from app.i18n import _
from app.safenames import renamed_note
from app.project import Project
from ui import folders
from ui.progress import Throttled
from ui.workers import Background, Worker

# Hashiya's own formats first, then the other tools' (app.formats).
OWN_FORMATS = {
    "jsonl": ("Hashiya JSONL: documents and every annotation (.jsonl)", ".jsonl", False),
    "stance-csv": ("Stances as a spreadsheet (.csv)", ".csv", False),
    "text-clean": ("Texts without their boilerplate (folder of .txt)", "", True),
}
EVERYONE = ""
LAYER_NAMES = {"entity": "Entities", "boilerplate": "Boilerplate", "stance": "Stances (evidence spans)",
               "doc_stance": "Document stances"}


@dataclass
class ExportRequest:
    format: str
    out: Path
    annotator: str | None  # None: everyone's
    layer: str | None = None  # None: all the format carries (its first, for a one-layer format)
    options: dict = field(default_factory=dict)

    folder: bool = False  # written as a folder (see ExportDialog.writes_folder)


class ExportDialog(QDialog):
    """What to export; `request(out)` once the analyst has picked where."""

    def __init__(self, parent: QWidget, project: Project, analyst: str):
        super().__init__(parent)
        self._project = project
        self.setWindowTitle("Export")
        self.format = QComboBox()
        for name, (title, _suffix, _folder) in OWN_FORMATS.items():
            self.format.addItem(title, name)
        for name, fmt in FORMATS.items():
            self.format.addItem(_(fmt.title), name)
        self.whose = QComboBox()
        self.whose.addItem("Everyone's (one export per analyst where the format holds one)", EVERYONE)
        for name in project.annotators():
            self.whose.addItem("The gold layer (adjudicated)" if name == GOLD else name, name)
        self.whose.setCurrentIndex(max(self.whose.findData(analyst), 0))
        self.layer = QComboBox()
        self.clitics = QButtonGroup(self)
        # Isolates keep the Arabic examples from reordering the parentheses around them.
        split = QRadioButton("split at the span's edge (\u2067ل + روسيا\u2069)")
        word = QRadioButton("labelled whole (\u2067لروسيا\u2069)")
        split.setChecked(True)
        self.clitics.addButton(split, 0)
        self.clitics.addButton(word, 1)
        self.note = QLabel(wordWrap=True)
        form = QFormLayout()
        form.addRow("&Format:", self.format)
        form.addRow("&Whose work:", self.whose)
        form.addRow("&Layer:", self.layer)
        self.clitic_label = QLabel("Attached clitics:")
        form.addRow(self.clitic_label, split)
        form.addRow("", word)
        buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        buttons.addButton("&Export…", QDialogButtonBox.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self._format_changed()

    def chosen_format(self) -> str:
        return self.format.currentData()

    def _format_changed(self) -> None:
        name = self.chosen_format()
        fmt = FORMATS.get(name)
        self.layer.clear()
        if fmt is None:
            self.layer.addItem("What the format holds", None)
        else:
            if not fmt.one_layer:
                self.layer.addItem("Every layer it carries", None)
            for layer in fmt.layers:
                self.layer.addItem(LAYER_NAMES.get(layer, layer), layer)
        self.layer.setEnabled(self.layer.count() > 1)
        conll = name == "conll"
        for widget in (self.clitic_label, *self.clitics.buttons()):
            widget.setVisible(conll)
        self.note.setText(_(fmt.note).capitalize() + "." if fmt is not None and fmt.note else "")

    def request(self, out: Path) -> ExportRequest:
        name = self.chosen_format()
        annotator = self.whose.currentData() or None
        options = {"clitics": "word" if self.clitics.checkedId() == 1 else "split"} if name == "conll" else {}
        return ExportRequest(name, out, annotator, self.layer.currentData(), options, self.writes_folder())

    def writes_folder(self) -> bool:
        """A folder format, or a one-analyst format asked for the work of several analysts."""
        name = self.chosen_format()
        if name not in FORMATS:
            return OWN_FORMATS[name][2]
        fmt = FORMATS[name]
        if fmt.folder:
            return True
        if not fmt.per_analyst or self.whose.currentData():
            return False
        layers = (self.layer.currentData(),) if self.layer.currentData() else fmt.layers
        return len(analysts_with_annotations(self._project, layers)) > 1

    def suffix(self) -> str:
        name = self.chosen_format()
        return FORMATS[name].suffix if name in FORMATS else OWN_FORMATS[name][1]


def run_export(project: Project, request: ExportRequest, progress=None, cancelled=None) -> str:
    """Do the export; returns the sentence that tells the analyst what was written."""
    if request.format in FORMATS:
        fmt = FORMATS[request.format]
        outcome = export_as(project, fmt, request.out, request.annotator, request.layer, progress, cancelled,
                            **request.options)
        layers = (request.layer,) if request.layer else (fmt.layers[:1] if fmt.one_layer else fmt.layers)
        return outcome.summary(layers)
    options = {"annotator": request.annotator}
    if request.format == "stance-csv":
        options["gold"] = request.annotator == GOLD
    report = exporter.EXPORTERS[request.format](project, request.out, **options)
    renamed = renamed_note(report.renamed)
    if report.annotations == 0:
        return f"Wrote {request.out}: there was nothing to export in it, so the file is valid but empty{renamed}."
    return f"Wrote {request.out}: {report.annotations} annotation(s) from {report.documents} document(s){renamed}."


class ExportWorker(Worker):
    progressed = Signal(int, int)
    finished = Signal(bool, str)  # written, the message for the analyst

    def __init__(self, project: Project, request: ExportRequest):
        super().__init__()
        self._project, self._request = project, request

    def run(self) -> None:
        progress = Throttled(self.progressed.emit)
        try:
            message = run_export(self._project, self._request, progress, self.is_cancelled)
            progress.flush()
            self.finished.emit(True, message[0].upper() + message[1:])
        except ExportCancelled:
            self.finished.emit(False, "Export cancelled: nothing was written.")
        except ExportProblem as problem:
            self.finished.emit(False, f"{problem}. Nothing was written.")
        except OSError as error:  # a full disk, a folder that went away: named as the analyst chose it
            message = write_failure(error, self._request.out)
            self.finished.emit(False, f"{message[0].upper()}{message[1:]}. Nothing was written.")
        except Exception as error:  # the analyst must hear of it, not a dead thread; the write was atomic
            self.finished.emit(False, f"The export stopped on an unexpected error, and nothing was written: {error}")


class ExportRunner(QObject):
    """Owns the thread and the progress dialog of one export; `done` carries (written, message)."""

    done = Signal(bool, str)

    def __init__(self, parent: QWidget, project: Project, request: ExportRequest):
        super().__init__(parent)
        self._parent = parent
        self._background = Background(self, failed=lambda message: self._finished(False, message, ended=True))
        self._worker = ExportWorker(project, request)
        self.dialog = QProgressDialog(f"Exporting to {request.out.name}…", "Cancel", 0, 0, parent)
        self.dialog.setWindowModality(Qt.WindowModal)
        self.dialog.setMinimumDuration(300)
        self.dialog.canceled.connect(self._worker.cancel)

    def start(self) -> None:
        def connect(worker: ExportWorker) -> None:
            worker.progressed.connect(self._progress)
            worker.finished.connect(self._finished)
        self._background.start(self._worker, connect)

    def stop_and_wait(self) -> None:
        self._background.stop_and_wait()

    def _progress(self, done: int, total: int) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)
        self.dialog.setLabelText(f"Exporting document {done:,} of {total:,}…")

    def _finished(self, written: bool, message: str, ended: bool = False) -> None:
        self.dialog.reset()
        if not ended:
            self._background.finish()
        self.done.emit(written, message)
        icon = QMessageBox.Information if written else QMessageBox.Warning
        QMessageBox(icon, "Export", message, QMessageBox.Ok, self._parent).open()
        self.deleteLater()


def ask_destination(parent: QWidget, dialog: ExportDialog) -> Path | None:
    """A new file (with the format's suffix) or a new or empty folder, as the format writes; the dialog
    opens where the last export went (ui.folders)."""
    start = folders.start_folder(folders.EXPORT)
    if dialog.writes_folder():
        chosen = QFileDialog.getExistingDirectory(parent, "Export into an empty folder (one export per analyst "
                                                          "where the format holds one analyst's work)", str(start))
        if chosen:
            folders.remember(folders.EXPORT, chosen)
        return Path(chosen) if chosen else None
    suffix = dialog.suffix()
    chosen, _ = QFileDialog.getSaveFileName(parent, "Export to", str(start / f"export{suffix}"),
                                            f"{dialog.format.currentText()} (*{suffix});;All files (*)")
    if not chosen:
        return None
    folders.remember(folders.EXPORT, chosen)
    path = Path(chosen)
    return path if path.suffix or not suffix else path.with_suffix(suffix)


def check_destination(request: ExportRequest) -> str | None:
    """Why the export cannot go there, before any work is done."""
    out = request.out
    if request.folder:
        if out.exists() and (not out.is_dir() or any(out.iterdir())):
            return f"{out} is not empty: choose a new or empty folder."
    elif out.is_dir():
        return f"{out} is a folder: choose a file name."
    if not out.parent.is_dir() or not os.access(out.parent, os.W_OK):
        return f"Cannot write into {out.parent}."
    return None
