"""The "Similar" tab: near-duplicate articles of the open document, marking it a duplicate of one, and
the sentences and quotations it shares with other documents (highlighted on demand)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QAbstractItemView, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget

from app import duplicates
from app.i18n import N_, _, ngettext, number
from app.project import Span
from ui.models import DISPLAY, SHOWN, USER, RowsModel
from ui.workers import Background, Worker

DUPLICATE_LAYER = "duplicate"
DUPLICATE_LABEL = "duplicate_of"


class SimilarModel(RowsModel):
    """Rows: (document id, name, score, marked as its duplicate)."""

    COLUMNS = (N_("Score"), N_("Document"))
    WIDEST = ("0.000", "")

    def data(self, index: QModelIndex, role=DISPLAY):
        if not index.isValid():
            return None
        document_id, name, score, marked = self._rows[index.row()]
        if role == USER:
            return document_id
        if role in SHOWN:
            shown = _("{document}  ← this one is its duplicate").format(document=name) if marked else name
            return (number(score, decimals=3), shown)[index.column()]
        return None


class SimilarPanel(QWidget):
    documentActivated = Signal(int)
    sharedFound = Signal(list)  # [(start, end)] of the open document's shared sentences

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self._editor = editor
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.model = SimilarModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setStretchLastSection(True)
        self.mark_button = QPushButton(_("This document is a duplicate of the selected one"))
        self.shared_button = QPushButton(_("Highlight sentences shared with other documents"))
        self.shared_info = QLabel()
        self.shared_info.setWordWrap(True)
        layout = QVBoxLayout(self)
        for widget in (self.note, self.view, self.mark_button, self.shared_button, self.shared_info):
            layout.addWidget(widget)
        self.view.activated.connect(lambda index: self.documentActivated.emit(self.model.data(index, USER)))
        self.view.doubleClicked.connect(lambda index: self.documentActivated.emit(self.model.data(index, USER)))
        self.mark_button.clicked.connect(self.toggle_duplicate)
        self.shared_button.clicked.connect(self.highlight_shared)
        editor.documentOpened.connect(lambda _id: (self.stop_and_wait(), self.refresh()))
        self.background = Background(self, failed=self._shared_failed)
        # Only the duplicate mark concerns this tab: entity edits must not pay for its queries.
        editor.spansAdded.connect(
            lambda spans: self.refresh() if any(s.layer == DUPLICATE_LAYER for s in spans) else None)
        editor.spansRemoved.connect(lambda uids: self.refresh() if self._shown_mark in uids else None)
        self._shown_mark: str | None = None

    def refresh(self) -> None:
        document_id = self._editor.document_id
        self.shared_info.clear()
        if document_id is None:
            self.model.set_rows([])
            return
        project = self._editor.project
        mark = self._marked()
        self._shown_mark = None if mark is None else mark.uid
        marked = self._marked_duplicate_of()
        rows = [(s.document_id, project.document_name(s.document_id), s.score, s.document_id == marked)
                for s in duplicates.similar_documents(project, document_id)]
        self.model.set_rows(rows)
        waiting = duplicates.pending_documents(project)
        if rows:
            found = ngettext("{n} document tells much the same story (share of their 5-word sequences).",
                             "{n} documents tell much the same story (share of their 5-word sequences).",
                             len(rows)).format(n=number(len(rows)))
        else:
            found = _("No other document tells this story.") if not waiting else ""
        later = ngettext("{n} document not compared yet: Boilerplate → Review suggestions (Ctrl+Shift+B) "
                         "compares it.",
                         "{n} documents not compared yet: Boilerplate → Review suggestions (Ctrl+Shift+B) "
                         "compares them.", waiting).format(n=number(waiting)) if waiting else ""
        self.note.setText(" ".join(sentence for sentence in (found, later) if sentence))
        self.mark_button.setText(_("Not a duplicate after all") if marked is not None
                                 else _("This document is a duplicate of the selected one"))

    def _marked(self) -> Span | None:
        return next(iter(self._editor.layer_spans(DUPLICATE_LAYER)), None)

    def _marked_duplicate_of(self) -> int | None:
        span = self._marked()
        return None if span is None else span.attrs.get("of_id")

    def toggle_duplicate(self) -> None:
        """Mark the open document a duplicate of the selected similar one (or unmark it): one undo step."""
        existing = self._marked()
        if existing is not None:
            self._editor.delete([existing])
            return
        index = self.view.currentIndex()
        if not index.isValid():
            self._editor.message.emit(_("Select the document this one duplicates first."))
            return
        other = self.model.data(index, USER)
        self._editor.add_batch([Span(self._editor.document_id, self._editor.analyst, DUPLICATE_LAYER,
                                     DUPLICATE_LABEL, None, None,
                                     attrs={"of": self._editor.project.document_name(other), "of_id": other})],
                               _("Mark as a duplicate"))

    def highlight_shared(self) -> None:
        """Look for the open document's shared sentences in a worker thread (each is a corpus search)."""
        document_id = self._editor.document_id
        if document_id is None or self.background.running():
            return
        self.shared_button.setEnabled(False)
        self.shared_info.setText(_("Looking for these sentences in the other documents…"))
        self.background.start(SharedWorker(self._editor.project, document_id),
                              lambda worker: worker.finished.connect(self._shared_found))

    def running(self) -> bool:
        return self.background.running()

    def stop_and_wait(self) -> None:
        if self.background.stop_and_wait():
            self.shared_button.setEnabled(True)

    def _shared_failed(self, message: str) -> None:
        self.shared_button.setEnabled(True)
        self.shared_info.setText(message)

    def _shared_found(self, document_id: int, shared: list, cancelled: bool) -> None:
        if not self.background.finish():
            return
        self.shared_button.setEnabled(True)
        if cancelled or document_id != self._editor.document_id:
            self.shared_info.clear()
            return
        others = {other for sentence in shared for other in sentence.documents}
        if shared:
            documents = ngettext("{n} other document", "{n} other documents", len(others)).format(
                n=number(len(others)))
            found = ngettext("{n} sentence or quotation also appears in {documents} (underlined in the text).",
                             "{n} sentences or quotations also appear in {documents} (underlined in the text).",
                             len(shared)).format(n=number(len(shared)), documents=documents)
        else:
            found = _("No sentence of this document appears elsewhere.")
        self.shared_info.setText(found)
        self.sharedFound.emit([(sentence.start, sentence.end) for sentence in shared])


class SharedWorker(Worker):
    finished = Signal(int, list, bool)  # document, shared sentences, cancelled

    def __init__(self, project, document_id: int):
        super().__init__()
        self._project, self._document_id = project, document_id

    def run(self) -> None:
        shared = duplicates.shared_sentences(self._project, self._document_id, cancelled=self.is_cancelled)
        self.finished.emit(self._document_id, shared, self.is_cancelled())
