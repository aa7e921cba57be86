"""Stance → Find stance candidates: the open document's sentences where a holder's words about a schema target
are reported (app.stance_candidates), each taken as a stance with F, A or N, or dismissed with R; Enter takes
the polarity the model learnt from the analyst's stances pre-selected (with its confidence)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget,
)

from app import stance_candidates as sc
from app.i18n import N_, _, ngettext, number
from app.project import Project, ProjectError, ProjectReadOnly
from ui.kwic import isolated
from ui.models import DISPLAY, SHOWN, TOOLTIP, USER, RowsModel
from ui.stancepanel import polarity_name
from ui.textpane import key_letter
from ui.workers import Background, Worker

POLARITY_KEYS = {"F": "FAVOR", "A": "AGAINST", "N": "NEUTRAL"}
EVIDENCE_SHOWN = 140


class CandidateModel(RowsModel):  # rows: (candidate, evidence as shown, holder as shown)
    COLUMNS = (N_("Target"), N_("Holder"), N_("Evidence"), N_("Learnt guess"))
    WIDEST = ("الولايات المتحدة", "", "", "")

    def data(self, index: QModelIndex, role=DISPLAY):
        if not index.isValid():
            return None
        candidate, evidence, holder = self._rows[index.row()]
        if role == USER:
            return candidate
        if role in SHOWN:
            if role == TOOLTIP and index.column() == 2:
                return evidence
            guess = "" if candidate.polarity is None else _("{polarity} ({confidence}%)").format(
                polarity=polarity_name(candidate.polarity), confidence=number(round(100 * candidate.confidence)))
            shown = evidence if len(evidence) <= EVIDENCE_SHOWN else evidence[:EVIDENCE_SHOWN - 1] + "…"
            return (isolated(candidate.target), isolated(holder), isolated(shown), guess)[index.column()]
        return None

    def candidates(self) -> list:
        return [row[0] for row in self._rows]

    def remove(self, candidate) -> None:
        self.set_rows([row for row in self._rows if row[0] != candidate])


class LearnPolarityWorker(Worker):
    finished = Signal(object, str)  # the model, or None and why

    def __init__(self, project: Project, analyst: str):
        super().__init__()
        self._project, self._analyst = project, analyst

    def run(self) -> None:
        try:
            self.finished.emit(sc.learn_polarity(self._project, self._analyst), "")
        except sc.NotEnoughStances as refused:
            self.finished.emit(None, str(refused))


class StanceCandidatesPanel(QWidget):
    taken = Signal(object, str)  # candidate, polarity
    dismissed = Signal(object)  # candidate
    candidateActivated = Signal(object)

    def __init__(self, project: Project, analyst: str, parent=None):
        super().__init__(parent)
        self._project, self._analyst = project, analyst
        self.document_id: int | None = None  # the document the list is of
        self.title = QLabel(_("Stance → Find stance candidates (Ctrl+Shift+K) lists the open document's reported "
                              "words about the schema's targets."))
        self.title.setWordWrap(True)
        self.model = CandidateModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.view.horizontalHeader().setSectionResizeMode(2, QHeaderView.Stretch)
        self.view.installEventFilter(self)
        self.view.activated.connect(self._activated)
        self.view.clicked.connect(self._activated)
        self.figures = QLabel()
        self.figures.setWordWrap(True)
        self.learn_button = QPushButton(_("Learn &polarity from my stances"))
        self.learn_button.clicked.connect(self.learn)
        self.use_learnt = QCheckBox(_("Pre-select the learnt polarity"))
        self.use_learnt.toggled.connect(self._use_toggled)
        learning = QHBoxLayout()
        learning.addWidget(self.learn_button)
        learning.addWidget(self.use_learnt)
        learning.addWidget(self.figures, 1)
        hint = QLabel(_("F favour · A against · N neutral · Enter the learnt guess · R dismiss"))
        hint.setStyleSheet("color: palette(mid);")
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.view)
        layout.addLayout(learning)
        layout.addWidget(hint)
        self.background = Background(self, failed=self._failed)
        self._show_learnt()

    # ---- listing ---------------------------------------------------------------
    def show_candidates(self, document_id: int | None, text: str, candidates: list) -> None:
        """The list for one document (`document_id`): a key acts only while that document is open."""
        self.document_id = document_id
        rows = [(c, text[c.start:c.end], text[c.holder.start:c.holder.end] if c.holder else "") for c in candidates]
        self.model.set_rows(rows)
        self._show_title()
        if rows:
            self.view.setCurrentIndex(self.model.index(0, 0))

    def polarity_model(self):
        return sc.stored_polarity(self._project)

    def _show_title(self) -> None:
        left = self.model.rowCount()
        self.title.setText(ngettext("{n} stance candidate in this document", "{n} stance candidates in this document",
                                    left).format(n=number(left)))

    # ---- deciding ---------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        if watched is self.view and event.type() == event.Type.KeyPress:
            current = self._current()
            letter = key_letter(event)
            if current is not None and letter in POLARITY_KEYS:
                self._take(current, POLARITY_KEYS[letter])
                return True
            if current is not None and event.key() in (Qt.Key_Return, Qt.Key_Enter) and current.polarity:
                self._take(current, current.polarity)
                return True
            if current is not None and (letter == "R" or event.key() == Qt.Key_Delete):
                self._decided(current)
                self.dismissed.emit(current)
                return True
        return super().eventFilter(watched, event)

    def _take(self, candidate, polarity: str) -> None:
        self._decided(candidate)
        self.taken.emit(candidate, polarity)

    def _decided(self, candidate) -> None:
        row = self.view.currentIndex().row()
        self.model.remove(candidate)
        self._show_title()
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1), 0))

    def _current(self):
        index = self.view.currentIndex()
        return self.model.data(index, USER) if index.isValid() else None

    def _activated(self, index: QModelIndex) -> None:
        candidate = self.model.data(index, USER)
        if candidate is not None:
            self.candidateActivated.emit(candidate)

    # ---- learning ---------------------------------------------------------------
    def learn(self) -> None:
        if self.background.running():
            return
        self.learn_button.setEnabled(False)

        def connect(worker: LearnPolarityWorker) -> None:
            worker.finished.connect(self._learnt)

        self.background.start(LearnPolarityWorker(self._project, self._analyst), connect)

    def running(self) -> bool:
        return self.background.running()

    def _learnt(self, model, message: str) -> None:
        if not self.background.finish(self.sender()):
            return
        self.learn_button.setEnabled(True)
        if model is None:
            return self.figures.setText(message)
        try:
            sc.store_polarity(self._project, model)
        except ProjectError as refused:
            return self.figures.setText(_("Learnt, but not stored: {reason}").format(reason=refused))
        self._show_learnt()

    def _failed(self, message: str) -> None:
        self.learn_button.setEnabled(True)
        self.figures.setText(message)

    def _show_learnt(self) -> None:
        model = sc.stored_model_about(self._project)
        self.use_learnt.blockSignals(True)
        self.use_learnt.setEnabled(model is not None)
        self.use_learnt.setChecked(model is not None and self._project.info(sc.USE_KEY) == "yes")
        self.use_learnt.blockSignals(False)
        self.figures.setText(sc.describe_polarity(model) if model is not None else _("No polarity learnt yet."))

    def _use_toggled(self, on: bool) -> None:
        try:
            self._project.set_info(sc.USE_KEY, "yes" if on else "no")
        except ProjectReadOnly as refused:
            self.figures.setText(str(refused))

    def stop_and_wait(self) -> None:
        self.background.stop_and_wait()
