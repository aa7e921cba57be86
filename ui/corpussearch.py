"""Corpus search (Ctrl+Shift+F): keyword in context, grouped by document, searched off the GUI thread."""

from __future__ import annotations

import time

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, QPushButton, QTreeView, QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, digits_in, is_right_to_left, ngettext, number
from app.project import Project
from app.search import Hit, Scope, context_around, search_documents
from ui.kwic import isolated, shown_context, shown_in_line
from ui.models import DISPLAY, SHOWN, TOOLTIP, USER
from ui.progress import Throttled
from ui.workers import Background, Worker

CONTEXT = 40  # characters of context on each side of a match
# A list past this many hits is no longer read: the search stops there and says so (as editors'
# find-in-files do), rather than filling memory with a common word's every occurrence.
MAX_HITS = 10_000
DELIVERY_INTERVAL = 0.1  # seconds between bundles of results sent to the GUI thread
ALIGN = Qt.ItemDataRole.TextAlignmentRole
# The view is right-to-left: "before" stands right of the match and hugs it from the left.
BEFORE_ALIGN = int(Qt.AlignLeft | Qt.AlignAbsolute | Qt.AlignVCenter)
AFTER_ALIGN = int(Qt.AlignRight | Qt.AlignAbsolute | Qt.AlignVCenter)


class SearchWorker(Worker):
    found = Signal(list)  # documents: each a list of its hits with their contexts
    progressed = Signal(int, int)
    finished = Signal(bool, bool)  # cancelled, stopped at MAX_HITS

    def __init__(self, project: Project, query: str, similar: bool, scope: Scope):
        super().__init__()
        self._project, self._query, self._similar, self._scope = project, query, similar, scope

    def run(self) -> None:
        # The first document goes out at once (first results); later ones in bundles, at most
        # every DELIVERY_INTERVAL, so a common word over 100,000 documents does not queue
        # 100,000 signals for the GUI thread.
        bundle: list[list[tuple[Hit, str, str]]] = []
        shown, last_delivery, capped = 0, 0.0, False
        report = Throttled(self.progressed.emit)
        for _document_id, _name, text, hits in search_documents(
                self._project, self._query, similar=self._similar, scope=self._scope,
                cancelled=self.is_cancelled, progress=report):
            capped = shown + len(hits) > MAX_HITS
            if capped:
                hits = hits[:MAX_HITS - shown]
            if hits:
                bundle.append([(hit, *shown_contexts(text, hit)) for hit in hits])
                shown += len(hits)
            if bundle and time.monotonic() - last_delivery >= DELIVERY_INTERVAL:
                self.found.emit(bundle)
                bundle, last_delivery = [], time.monotonic()
            if capped:
                break
        if bundle:
            self.found.emit(bundle)
        report.flush()
        self.finished.emit(self.is_cancelled(), capped)


def shown_contexts(text: str, hit: Hit) -> tuple[str, str]:
    """The hit's context before and after it, as the list shows them (worked out off the GUI thread)."""
    before, after = context_around(text, hit.start, hit.end, CONTEXT)
    return shown_context(before), shown_context(after)


class ResultsModel(QAbstractItemModel):
    """Documents, each with its hits as children: before | match | after (contexts as shown_contexts gives)."""

    COLUMNS = (N_("Before"), N_("Match"), N_("After"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self._documents: list[tuple[str, list[tuple[Hit, str, str]]]] = []

    def clear(self) -> None:
        self.beginResetModel()
        self._documents = []
        self.endResetModel()

    def add_documents(self, documents: list[list[tuple[Hit, str, str]]]) -> None:
        """Append documents, each given as its hits (with contexts), in one insertion."""
        if not documents:
            return
        row = len(self._documents)
        self.beginInsertRows(QModelIndex(), row, row + len(documents) - 1)
        self._documents += [(hits[0][0].document, hits) for hits in documents]
        self.endInsertRows()

    def hit_count(self) -> int:
        return sum(len(hits) for _, hits in self._documents)

    def document_count(self) -> int:
        return len(self._documents)

    # ---- tree structure: a child's internal id is its document row + 1 ----------
    def index(self, row, column, parent=QModelIndex()) -> QModelIndex:
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        return self.createIndex(row, column, parent.row() + 1 if parent.isValid() else 0)

    def parent(self, index=QModelIndex()) -> QModelIndex:
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent=QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._documents)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self._documents[parent.row()][1])
        return 0

    def columnCount(self, parent=QModelIndex()) -> int:
        return len(self.COLUMNS)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == Qt.Orientation.Horizontal:
            return _(self.COLUMNS[section])
        return None

    def data(self, index: QModelIndex, role=DISPLAY):
        if not index.isValid():
            return None
        if index.internalId() == 0:
            name, hits = self._documents[index.row()]
            if role in SHOWN and index.column() == 0:
                return document_row_text(name, len(hits))
            return None
        hit, before, after = self._documents[index.internalId() - 1][1][index.row()]
        if role == USER:
            return hit
        if role == ALIGN and index.column() != 1:
            return BEFORE_ALIGN if index.column() == 0 else AFTER_ALIGN
        if role in SHOWN:
            match = isolated(hit.text) + (" ≈" if hit.kind == "similar" else "")
            if role == TOOLTIP:
                where = _("{document}, characters {start}–{end}").format(
                    document=hit.document, start=number(hit.start), end=number(hit.end))
                return f"{shown_in_line(before, hit.text, after)}\n{where}"
            return (before, match, after)[index.column()]
        return None


def document_row_text(name: str, hits: int) -> str:
    """A document's row: its name and how many matches. Isolated left-to-right in an English interface (a
    file name must not be reordered by the right-to-left view); in Arabic the row reads right to left, with
    the name alone isolated left-to-right."""
    if is_right_to_left():
        name, isolate = f"\u2066{name}\u2069", "\u2067"
    else:
        isolate = "\u2066"
    row = ngettext("{name} — {n} match(es)", "{name} — {n} match(es)", hits).format(name=name, n=number(hits))
    return f"{isolate}{row}\u2069"


def _count(value: int) -> str:
    return digits_in(f"{value:,}")


class CorpusSearchPanel(QWidget):
    hitActivated = Signal(object)  # Hit

    def __init__(self, project: Project, entity_labels: list[str], analyst: str, parent=None):
        super().__init__(parent)
        self._project, self._analyst = project, analyst
        self.query = QLineEdit(placeholderText=_("Search the whole corpus (harakat, hamza forms and clitics handled)"))
        self.similar = QCheckBox(_("Similar spellings"))
        self.scope = QComboBox()
        self.set_labels(entity_labels)
        self.run_button = QPushButton(_("Search"))
        self.cancel_button = QPushButton(_("Cancel"))
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.summary = QLabel()
        self.results = ResultsModel(self)
        self.view = QTreeView()
        self.view.setModel(self.results)
        self.view.setLayoutDirection(Qt.RightToLeft)
        self.view.setUniformRowHeights(True)
        self.view.header().setSectionResizeMode(QHeaderView.Stretch)
        self.view.header().setSectionResizeMode(1, QHeaderView.ResizeToContents)
        controls = QHBoxLayout()
        for widget in (self.query, self.scope, self.similar, self.run_button, self.cancel_button, self.progress,
                       self.summary):
            controls.addWidget(widget)
        controls.setStretch(0, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.view)
        self.query.returnPressed.connect(self.run)
        self.run_button.clicked.connect(self.run)
        self.cancel_button.clicked.connect(self.cancel)
        self.results.rowsInserted.connect(self._span_document_rows)
        self.view.activated.connect(self._activated)
        self.view.clicked.connect(self._activated)
        self.background = Background(self, failed=self._idle)
        self._idle("")

    def _span_document_rows(self, parent: QModelIndex, first: int, last: int) -> None:
        if not parent.isValid():
            for row in range(first, last + 1):
                self.view.setFirstColumnSpanned(row, QModelIndex(), True)

    def set_analyst(self, analyst: str) -> None:
        self._analyst = analyst  # "inside/outside annotations" means this analyst's

    def set_labels(self, labels: list[str]) -> None:
        self.scope.clear()
        self.scope.addItem(_("Anywhere"), None)
        self.scope.addItem(_("Outside annotations"), "")
        for label in labels:
            self.scope.addItem(_("Inside {label}").format(label=label), label)

    def _scope(self) -> Scope:
        choice = self.scope.currentData()
        if choice is None:
            return Scope()
        if choice == "":
            return Scope(outside_annotations=True, annotator=self._analyst)
        return Scope(inside_label=choice, annotator=self._analyst)

    def run(self) -> None:
        if self.background.running() or not self.query.text().strip():
            return
        self.results.clear()
        self.run_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.summary.clear()
        self.progress.setValue(0)
        self.progress.show()

        def connect(worker: SearchWorker) -> None:
            worker.found.connect(self.results.add_documents)
            worker.progressed.connect(self._progressed)
            worker.finished.connect(self._finished)

        self.background.start(SearchWorker(self._project, self.query.text(), self.similar.isChecked(),
                                           self._scope()), connect)

    def running(self) -> bool:
        return self.background.running()

    def cancel(self) -> None:
        self.background.cancel()

    def stop_and_wait(self) -> None:
        self.background.stop_and_wait()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _finished(self, cancelled: bool, capped: bool) -> None:
        if not self.background.finish():  # stopped (window closing) before this queued result arrived
            return
        self._idle(search_summary(self.results.hit_count(), self.results.document_count(), capped, cancelled))
        if self.results.document_count() == 1:
            self.view.expandAll()

    def _idle(self, summary: str) -> None:
        self.run_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.hide()
        self.summary.setText(summary)

    def _activated(self, index: QModelIndex) -> None:
        hit = self.results.data(index, USER)
        if hit is not None:
            self.hitActivated.emit(hit)


def search_summary(hits: int, documents: int, capped: bool, cancelled: bool) -> str:
    """What a search found, one whole sentence for each case."""
    found = ngettext("{n} document(s)", "{n} document(s)", documents).format(n=_count(documents))
    if capped and cancelled:
        text = ngettext("The first {n} match(es) in {documents} — there are more; narrow the search to see them"
                        " — cancelled",
                        "The first {n} match(es) in {documents} — there are more; narrow the search to see them"
                        " — cancelled", hits)
    elif capped:
        text = ngettext("The first {n} match(es) in {documents} — there are more; narrow the search to see them",
                        "The first {n} match(es) in {documents} — there are more; narrow the search to see them", hits)
    elif cancelled:
        text = ngettext("{n} match(es) in {documents} — cancelled", "{n} match(es) in {documents} — cancelled", hits)
    else:
        text = ngettext("{n} match(es) in {documents}", "{n} match(es) in {documents}", hits)
    return text.format(n=_count(hits), documents=found)
