"""The boilerplate panel: suggestions grouped by form, most copies first; one decision for every copy.

A (or Enter) accepts the current group with the category shown (change it in the box first),
R (or Delete) rejects it. Both are one undo step each. The index is brought up to date and the
suggestions listed in a worker thread, with progress and Cancel.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton, QTableView,
    QVBoxLayout, QWidget,
)

from app import boilerplate_index, boilerplate_learning, duplicates
from app.boilerplate import category_title, fit_category
from app.boilerplate_index import Suggestion, describe_reason, preview
from app.i18n import N_, _, ngettext, number
from app.project import Project, ProjectError, Span
from app.store import ProjectUnreachable
from ui.commands import _EditCommand
from ui.corpussearch import ALIGN
from ui.kwic import isolated
from ui.models import DISPLAY, SHOWN, TOOLTIP, USER, RowsModel
from ui.progress import Throttled
from ui.textpane import key_letter
from ui.workers import Background, Worker

PREVIEW = 70  # characters of a group's text shown in the list


class BoilerplateWorker(Worker):
    progressed = Signal(int, int)
    finished = Signal(list, list, bool)  # groups, previews, cancelled

    def __init__(self, project: Project, analyst: str, index: bool = True):
        super().__init__()
        self._project, self._analyst, self._index = project, analyst, index

    def run(self) -> None:
        # Near-duplicates first: a line repeated by copies of one story counts once.
        for update in (duplicates.update_index, boilerplate_index.update) if self._index else ():
            report = Throttled(self.progressed.emit)
            update(self._project, progress=report, cancelled=self.is_cancelled)
            report.flush()
        if self.is_cancelled():
            self.finished.emit([], [], True)
            return
        groups = group_suggestions(boilerplate_index.all_suggestions(self._project, self._analyst))
        previews = [self._preview(group[0]) for group in groups]
        self.finished.emit(groups, previews, False)

    def _preview(self, suggestion: Suggestion) -> str:
        return preview(self._project.document_text(suggestion.document_id)[suggestion.start:suggestion.end], PREVIEW)


class LearnWorker(Worker):
    """Learns a model from the analyst's decisions (app.boilerplate_learning); storing it is the panel's."""

    finished = Signal(object, str)  # the model (None when too few decisions), what to tell the analyst

    def __init__(self, project: Project, analyst: str):
        super().__init__()
        self._project, self._analyst = project, analyst

    def run(self) -> None:
        try:
            model = boilerplate_learning.learn(self._project, self._analyst, self.is_cancelled)
        except boilerplate_learning.NotEnoughDecisions as refused:
            self.finished.emit(None, str(refused))
            return
        self.finished.emit(model, "")


def group_suggestions(suggestions: list[Suggestion]) -> list[list[Suggestion]]:
    """Copies together, most copies first (then in corpus order)."""
    groups: dict[int, list[Suggestion]] = {}
    for suggestion in suggestions:
        groups.setdefault(suggestion.fingerprint, []).append(suggestion)
    return sorted(groups.values(), key=lambda group: -len(group))


class GroupModel(RowsModel):
    """Rows: [group of suggestions, preview, category to accept them as]."""

    COLUMNS = (N_("Copies"), N_("Category"), N_("Text"), N_("Why"))
    WIDEST = ("0000", "cookie_consent", "", "")

    def set_groups(self, groups: list[list[Suggestion]], previews: list[str], categories: list[str]) -> None:
        """`categories`: the schema's; a guess it lacks becomes "other" (or its first category)."""
        self.set_rows([[group, preview, fit_category(group[0].category, categories)]
                       for group, preview in zip(groups, previews)])

    def data(self, index: QModelIndex, role=DISPLAY):
        if not index.isValid():
            return None
        group, preview, category = self._rows[index.row()]
        if role == USER:
            return group
        if role == ALIGN and index.column() == 2:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role not in SHOWN:
            return None
        # The preview isolated, as a line of the text pane reads: "ص>" in an Arabic line shows as the pane
        # shows it, not reordered by the list's own direction.
        shown = isolated(preview)
        if role == TOOLTIP:
            return f"{shown}\n{describe_reason(group[0].reason)}"
        return (len(group), category_title(category), shown, describe_reason(group[0].reason))[index.column()]

    def category(self, row: int) -> str:
        return self._rows[row][2]

    def set_category(self, row: int, category: str) -> None:
        self._rows[row][2] = category
        self.dataChanged.emit(self.index(row, 1), self.index(row, 1))

    def take(self, row: int) -> list:
        self.beginRemoveRows(QModelIndex(), row, row)
        taken = self._rows.pop(row)
        self.endRemoveRows()
        return taken

    def put(self, row: int, taken: list) -> None:
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, taken)
        self.endInsertRows()

    def pending_by_document(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for group, _preview, _category in self._rows:
            for suggestion in group:
                counts[suggestion.document_id] = counts.get(suggestion.document_id, 0) + 1
        return counts

    def pending_in(self, document_id: int) -> list[tuple[int, int]]:
        return [(s.start, s.end) for group, _, _ in self._rows for s in group if s.document_id == document_id]


class BoilerplatePanel(QWidget):
    pendingChanged = Signal()

    def __init__(self, project: Project, editor, categories: list[str], parent=None):
        super().__init__(parent)
        self._project, self._editor = project, editor
        self.title = QLabel(_("Boilerplate suggestions"))
        self.refresh_button = QPushButton(_("Refresh"))
        self.cancel_button = QPushButton(_("Cancel"))
        self.progress = QProgressBar()
        self.category = QComboBox()  # shows each category's title, holds its name
        for name in categories:
            self.category.addItem(category_title(name), name)
        self.model = GroupModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        top = QHBoxLayout()
        for widget in (self.title, QLabel(_("Accept as:")), self.category, self.refresh_button, self.cancel_button,
                       self.progress):
            top.addWidget(widget)
        top.setStretch(0, 1)
        # Learning from the analyst: a model of their decisions, its held-out figures, and a switch.
        self.learn_button = QPushButton(_("Learn from my decisions"))
        self.learn_button.setToolTip(_("Train a model on the boilerplate you accepted, rejected or marked, and use "
                                       "it for the rest of the corpus, most of all other pages of the same sites"))
        self.use_learnt = QCheckBox(_("Use what was learnt"))
        self.learnt = QLabel()
        self.learnt.setWordWrap(True)
        learning = QHBoxLayout()
        for widget in (self.learn_button, self.use_learnt, self.learnt):
            learning.addWidget(widget)
        learning.setStretch(2, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(learning)
        layout.addWidget(self.view)
        self.view.installEventFilter(self)
        self.view.selectionModel().currentRowChanged.connect(self._row_changed)
        self.category.activated.connect(self._category_chosen)
        self.refresh_button.clicked.connect(self.refresh)
        self.cancel_button.clicked.connect(self.cancel)
        self.background = Background(self, failed=self._failed)
        self.learning = Background(self, failed=self._learning_failed)
        self.learn_button.clicked.connect(self.learn)
        self.use_learnt.toggled.connect(self._use_learnt)
        self._show_learnt()
        self._idle()

    # ---- listing ---------------------------------------------------------------
    def refresh(self, index: bool = True) -> None:
        """Index new documents, then list what the analyst has still to decide (in the background).
        `index` False: only list what the index already holds (the counts a window shows when it opens)."""
        if self.background.running():
            return
        self.title.setText(_("Indexing new documents and looking for boilerplate…") if index
                           else _("Looking for boilerplate…"))
        self.refresh_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.progress.show()

        def connect(worker: BoilerplateWorker) -> None:
            worker.progressed.connect(self._progressed)
            worker.finished.connect(self._finished)

        self.background.start(BoilerplateWorker(self._project, self._editor.analyst, index), connect)

    def list_indexed(self) -> None:
        """What the analyst has pending in what is already indexed, listed in the background without indexing
        anything: the document list's pending counts are there again after a restart."""
        try:
            indexed = boilerplate_index.indexed(self._project)
        except ProjectUnreachable:
            return  # the server went away meanwhile: listed when the analyst next refreshes
        if indexed:
            self.refresh(index=False)

    def running(self) -> bool:
        return self.background.running() or self.learning.running()

    # ---- learning from the analyst ---------------------------------------------------------------------------
    def learn(self) -> None:
        if self.learning.running():
            return
        self.learn_button.setEnabled(False)
        self.learnt.setText(_("Learning from your decisions…"))
        self.learning.start(LearnWorker(self._project, self._editor.analyst),
                            lambda worker: worker.finished.connect(self._learnt))

    def _learnt(self, model, refusal: str) -> None:
        if not self.learning.finish():
            return
        self.learn_button.setEnabled(True)
        if model is None:
            self.learnt.setText(refusal)
            return
        try:
            boilerplate_learning.store(self._project, model)  # the analyst's action: committed before it shows
        except ProjectError as error:  # read-only, or the file moved: said where the figures would be
            self.learnt.setText(str(error))
            return
        self._show_learnt()
        self.refresh()  # every page read again with it

    def _learning_failed(self, message: str) -> None:
        self.learn_button.setEnabled(True)
        self.learnt.setText(message)

    def _use_learnt(self, on: bool) -> None:
        if on == boilerplate_learning.used(self._project):
            return
        try:
            boilerplate_learning.use(self._project, on)
        except ProjectError as error:
            self._show_learnt()
            self.learnt.setText(str(error))
            return
        self._show_learnt()
        self.refresh()

    def _show_learnt(self) -> None:
        model = boilerplate_learning.stored(self._project)
        self.use_learnt.blockSignals(True)
        self.use_learnt.setEnabled(model is not None)
        self.use_learnt.setChecked(model is not None and boilerplate_learning.used(self._project))
        self.use_learnt.blockSignals(False)
        self.learnt.setText(boilerplate_learning.describe(model) if model is not None else
                            _("Nothing learnt from your decisions yet: decide some suggestions, then learn."))

    def cancel(self) -> None:
        self.background.cancel()

    def stop_and_wait(self) -> None:
        self.learning.stop_and_wait()
        if self.background.stop_and_wait():
            self._idle()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _finished(self, groups: list, previews: list, cancelled: bool) -> None:
        if not self.background.finish():  # stopped (window closing) before this queued result arrived
            return
        self._idle()
        if cancelled:
            self.title.setText(_("Indexing cancelled; what was indexed is kept. Refresh to go on."))
            return
        self.model.set_groups(groups, previews, [self.category.itemData(i) for i in range(self.category.count())])
        self._update_title()
        if groups:
            self.view.setCurrentIndex(self.model.index(0, 0))
        self.pendingChanged.emit()

    def _failed(self, message: str) -> None:
        self._idle()
        self.title.setText(message)

    def _idle(self) -> None:
        self.refresh_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        self.progress.hide()

    def _update_title(self) -> None:
        copies = sum(len(self.model.data(self.model.index(row, 0), USER)) for row in range(self.model.rowCount()))
        if not copies:
            return self.title.setText(_("No boilerplate suggestions left to decide."))
        groups = self.model.rowCount()
        places = ngettext("{n} place(s) in the corpus", "{n} place(s) in the corpus", copies).format(n=number(copies))
        self.title.setText(ngettext("{n} group(s) to decide, {places}", "{n} group(s) to decide, {places}",
                                    groups).format(n=number(groups), places=places))

    # ---- deciding --------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        if watched is self.view and event.type() == event.Type.KeyPress:
            letter = key_letter(event)
            if letter == "A" or event.key() in (Qt.Key_Return, Qt.Key_Enter):
                self.decide(accept=True)
                return True
            if letter == "R" or event.key() == Qt.Key_Delete:
                self.decide(accept=False)
                return True
        return super().eventFilter(watched, event)

    def decide(self, accept: bool) -> None:
        row = self.view.currentIndex().row()
        if row < 0:
            return
        self._editor.undo_stack.push(DecideGroup(self, row, accept))

    def pending(self, document_id: int) -> list[tuple[int, int]]:
        return self.model.pending_in(document_id)

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.category.setCurrentIndex(self.category.findData(self.model.category(current.row())))

    def _category_chosen(self, _index: int) -> None:
        row = self.view.currentIndex().row()
        if row >= 0:
            self.model.set_category(row, self.category.currentData())
            self.view.setFocus()

    def _after_change(self, row: int) -> None:
        self._update_title()
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1), 0))
        self.pendingChanged.emit()


class DecideGroup(_EditCommand):
    """Accept (every copy becomes the analyst's span, provenance "detected") or reject one group.

    The project is written first; the list changes only when that worked."""

    def __init__(self, panel: BoilerplatePanel, row: int, accept: bool):
        group = panel.model.data(panel.model.index(row, 0), USER)
        category = panel.model.category(row)
        count = len(group)
        if accept:
            text = ngettext("Accept {n} boilerplate copy as {category}", "Accept {n} boilerplate copies as {category}",
                            count).format(n=number(count), category=category_title(category))
        else:
            text = ngettext("Reject {n} boilerplate copy", "Reject {n} boilerplate copies", count).format(n=number(count))
        super().__init__(text)
        self.editor = panel._editor
        self._panel, self._row, self._accept, self._category = panel, row, accept, category
        self._group: list[Suggestion] = group
        self._spans = [Span(s.document_id, self.editor.analyst, "boilerplate", category, s.start, s.end,
                            provenance="detected", attrs={"reason": s.reason}) for s in group]

    def redo(self) -> None:
        if self._accept:
            done = self._attempt(lambda: self.editor.apply_add(self._spans))
            self._spans = done or self._spans
        else:
            done = self._attempt(lambda: boilerplate_index.reject(self.editor.project, self._group[0],
                                                                  self.editor.analyst) or True)
        if done:
            self._taken = self._panel.model.take(self._row)
            self._panel._after_change(self._row)

    def undo(self) -> None:
        if self._accept:
            done = self._attempt(lambda: self.editor.apply_remove(self._spans) or True)
        else:
            done = self._attempt(lambda: boilerplate_index.forget_rejection(self.editor.project, self._group[0],
                                                                            self.editor.analyst) or True)
        if done:
            self._panel.model.put(self._row, self._taken)
            self._panel._after_change(self._row)
