"""Annotate all occurrences: proposals as pending marks and a keyboard-driven list.

A (accept) / R (reject) on the current row, Shift+A / Shift+R for all of them.
Accepted proposals become the analyst's spans with provenance "propagated", one
undo step per batch; rejections are remembered in the project.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView, QComboBox, QDoubleSpinBox, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton,
    QTableView, QVBoxLayout, QWidget,
)

from app import assistant
from app.i18n import N_, _, digits_in, ngettext, number
from app.project import Project
from app.propagation import Proposal, propose_many, with_context
from app.recommender import Cancelled
from ui.corpussearch import AFTER_ALIGN, ALIGN, BEFORE_ALIGN
from ui.kwic import isolated, shown_context, shown_in_line
from ui.models import DISPLAY, SHOWN, TOOLTIP, USER, RowsModel
from ui.progress import Throttled
from ui.textpane import key_letter
from ui.workers import Background, Worker

CONTEXT = 30
PREDICTED_BATCH = 20  # documents the recommender reads between two progress reports
# One list holds at most this many proposals (about 7 MB). A name in every document of a big corpus
# would otherwise give hundreds of thousands: the analyst decides these, proposes again, and gets the
# next ones, since accepted and rejected occurrences are not proposed twice.
MAX_PROPOSALS = 20_000
SCOPES = (("document", N_("In this document")), ("corpus", N_("In the whole corpus")))  # shown translated
HINT = N_("Select a span and press Ctrl+Shift+A to propose its other occurrences.")


def proposals_title(subject: str, left: int, found: int, more: bool, cancelled: bool) -> str:
    """What the list holds: `left` of the `found` listed, `more` when the list stopped at MAX_PROPOSALS."""
    if not more and cancelled:
        text = ngettext("{subject}: {n} proposal(s) (cancelled)", "{subject}: {n} proposal(s) (cancelled)", left)
    elif not more:
        text = ngettext("{subject}: {n} proposal(s)", "{subject}: {n} proposal(s)", left)
    elif left == found and cancelled:
        text = ngettext("{subject}: the first {n} proposals — decide these, then propose again for the rest"
                        " (cancelled)",
                        "{subject}: the first {n} proposals — decide these, then propose again for the rest"
                        " (cancelled)", left)
    elif left == found:
        text = ngettext("{subject}: the first {n} proposals — decide these, then propose again for the rest",
                        "{subject}: the first {n} proposals — decide these, then propose again for the rest", left)
    elif cancelled:
        text = ngettext("{subject}: {n} left of the first {found} proposals — then propose again for the rest"
                        " (cancelled)",
                        "{subject}: {n} left of the first {found} proposals — then propose again for the rest"
                        " (cancelled)", left)
    else:
        text = ngettext("{subject}: {n} left of the first {found} proposals — then propose again for the rest",
                        "{subject}: {n} left of the first {found} proposals — then propose again for the rest",
                        left)
    return text.format(subject=subject, n=digits_in(f"{left:,}"), found=digits_in(f"{found:,}"))


class ProposalWorker(Worker):
    progressed = Signal(int, int)
    finished = Signal(list, bool, bool)  # (proposal, before, after) rows, cancelled, more than MAX_PROPOSALS

    def __init__(self, project: Project, pairs: list[tuple[str, str]], annotator: str, document_ids):
        super().__init__()
        self._args = (project, pairs, annotator)
        self._document_ids = document_ids

    def run(self) -> None:
        report = Throttled(self.progressed.emit)
        proposals = propose_many(*self._args, document_ids=self._document_ids, cancelled=self.is_cancelled,
                                 progress=report, limit=MAX_PROPOSALS + 1)
        report.flush()
        more = len(proposals) > MAX_PROPOSALS
        rows = [] if self.is_cancelled() else [
            (proposal, shown_context(before), shown_context(after))
            for proposal, before, after in with_context(self._args[0], proposals[:MAX_PROPOSALS], CONTEXT)]
        self.finished.emit(rows, self.is_cancelled(), more)


class PredictionWorker(Worker):
    """The entity recommender's proposals in some documents (app.assistant.proposals), with their contexts."""

    progressed = Signal(int, int)
    finished = Signal(list, bool, bool)  # as ProposalWorker's

    def __init__(self, project: Project, predict, annotator: str, document_ids: list[int]):
        super().__init__()
        self._project, self._predict, self._annotator, self._ids = project, predict, annotator, document_ids

    def run(self) -> None:
        report = Throttled(self.progressed.emit)
        proposals: list[Proposal] = []
        for start in range(0, len(self._ids), PREDICTED_BATCH):
            try:
                proposals += assistant.proposals(self._project, self._predict, self._ids[start:start + PREDICTED_BATCH],
                                                 self._annotator, self.is_cancelled)
            except Cancelled:
                break
            report(min(start + PREDICTED_BATCH, len(self._ids)), len(self._ids))
            if len(proposals) > MAX_PROPOSALS:
                break
        report.flush()
        more = len(proposals) > MAX_PROPOSALS
        rows = [] if self.is_cancelled() else [
            (proposal, shown_context(before), shown_context(after))
            for proposal, before, after in with_context(self._project, proposals[:MAX_PROPOSALS], CONTEXT)]
        self.finished.emit(rows, self.is_cancelled(), more)


class ProposalModel(RowsModel):  # rows: (proposal, before, after), the contexts as ui.kwic shows them
    COLUMNS = (N_("Document"), N_("Before"), N_("Proposal"), N_("After"), N_("Label"), N_("Score"))
    WIDEST = ("000_document.txt", "", "", "", "", "0.00")
    LABEL_COLUMN, SCORE_COLUMN = 4, 5  # shown for the recommender's proposals, whose labels differ

    def data(self, index: QModelIndex, role=DISPLAY):
        if not index.isValid():
            return None
        proposal, before, after = self._rows[index.row()]
        if role == USER:
            return proposal
        if role == ALIGN and index.column() in (1, 3):
            return BEFORE_ALIGN if index.column() == 1 else AFTER_ALIGN
        if role in SHOWN:
            if role == TOOLTIP:
                return shown_in_line(before, proposal.text, after)
            score = "" if proposal.score is None else number(proposal.score, decimals=2)
            # The file name is isolated left-to-right inside the right-to-left table.
            return (f"\u2066{proposal.document}\u2069", before, isolated(proposal.text), after,
                    isolated(proposal.label), score)[index.column()]
        return None

    def proposals(self) -> list[Proposal]:
        return [row[0] for row in self._rows]

    def scored(self) -> bool:
        return any(row[0].score is not None for row in self._rows)

    def remove(self, proposals: list[Proposal]) -> None:
        gone = set(proposals)
        self.set_rows([row for row in self._rows if row[0] not in gone])


class SuggestionsPanel(QWidget):
    accepted = Signal(list)  # proposals to annotate
    rejected = Signal(list, bool)  # proposals, everywhere
    proposalActivated = Signal(object)
    pendingChanged = Signal()

    def __init__(self, project: Project, scope: str = "document", parent=None):
        super().__init__(parent)
        self._project = project
        self.title = QLabel(_(HINT))
        self.title.setWordWrap(True)
        self.scope = QComboBox()
        for key, text in SCOPES:
            self.scope.addItem(_(text), key)
        self.scope.setCurrentIndex(0 if scope == "document" else 1)
        self.progress = QProgressBar()
        self.progress.hide()
        self.model = ProposalModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.setLayoutDirection(Qt.RightToLeft)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.Stretch)
        for column in (2, ProposalModel.LABEL_COLUMN, ProposalModel.SCORE_COLUMN):
            self.view.horizontalHeader().setSectionResizeMode(column, QHeaderView.ResizeToContents)
        self.view.setToolTip(_("A accept · R reject · Shift+A accept all · Shift+R reject all (not proposed again)"))
        self.view.installEventFilter(self)
        self.view.activated.connect(self._activated)
        self.view.clicked.connect(self._activated)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.scope)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.view)
        # Predicted proposals carry the model's confidence: the sure ones can be taken at once.
        self.least_score = QDoubleSpinBox()
        self.least_score.setRange(0.0, 1.0)
        self.least_score.setSingleStep(0.05)
        self.least_score.setDecimals(2)
        self.least_score.setValue(0.9)
        self.accept_sure = QPushButton(_("Accept all at or above this score"))
        self.accept_sure.clicked.connect(self.accept_at_least)
        self.scores_row = QWidget()
        scores = QHBoxLayout(self.scores_row)
        scores.setContentsMargins(0, 0, 0, 0)
        scores.addWidget(self.accept_sure)
        scores.addWidget(self.least_score)
        scores.addStretch(1)
        layout.addWidget(self.scores_row)
        hint = QLabel(_("A accept · R reject · Shift+A accept all · Shift+R reject all"))
        hint.setStyleSheet("color: palette(mid);")
        layout.addWidget(hint)
        self.background = Background(self, failed=self._failed)
        self._subject = ""  # what is proposed ("Other occurrences of … as GPE"); empty before the first run
        self._found = 0  # how many the last run listed
        self._more = self._cancelled = False
        self._problems: list[str] = []  # what a model server answered that did not fit
        self.model.modelReset.connect(self._show_title)  # every decision, every new list
        self.model.modelReset.connect(self._show_scores)
        self._show_scores()

    def scope_key(self) -> str:
        return self.scope.currentData()

    # ---- running ---------------------------------------------------------------
    def start(self, pairs: list[tuple[str, str]], annotator: str, document_ids, title: str) -> None:
        """Propose occurrences of each (form, label); `title` says what is being proposed."""
        self._run(ProposalWorker(self._project, pairs, annotator, document_ids), title, [])

    def start_predicted(self, predict, annotator: str, document_ids: list[int], title: str,
                        problems: list[str] | None = None) -> None:
        """Proposals of the entity recommender or a model server (app.assistant) in these documents, with
        their scores; `problems` fills with what a server answered that did not fit, shown after."""
        self._run(PredictionWorker(self._project, predict, annotator, document_ids), title,
                  problems if problems is not None else [])

    def _run(self, worker: ProposalWorker | PredictionWorker, title: str, problems: list[str]) -> None:
        """A new list: the old one stopped and emptied, `worker` filling it in the background."""
        self.stop_and_wait()
        self._problems = problems
        self._subject, self._found, self._more, self._cancelled = title, 0, False, False
        self.model.set_rows([])
        self.pendingChanged.emit()
        self.progress.show()

        def connect(started: ProposalWorker | PredictionWorker) -> None:
            started.progressed.connect(self._progressed)
            started.finished.connect(self._finished)

        self.background.start(worker, connect)
        self._show_title()

    def accept_at_least(self) -> None:
        """Accept every listed proposal whose score is at least the box's (one undo step)."""
        least = self.least_score.value()
        chosen = [p for p in self.model.proposals() if p.score is not None and p.score >= least - 1e-9]
        if not chosen:
            return
        self.model.remove(chosen)
        self.accepted.emit(chosen)
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(0, 0))
        self.pendingChanged.emit()

    def _show_scores(self) -> None:
        scored = self.model.scored()
        self.view.setColumnHidden(ProposalModel.LABEL_COLUMN, not scored)
        self.view.setColumnHidden(ProposalModel.SCORE_COLUMN, not scored)
        self.scores_row.setVisible(scored)

    def stop_and_wait(self) -> None:
        if self.background.stop_and_wait():
            self.progress.hide()

    def running(self) -> bool:
        return self.background.running()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _failed(self, message: str) -> None:
        self.progress.hide()
        self.title.setText(f"{self._subject}: {message}")

    def _finished(self, rows: list, cancelled: bool, more: bool = False) -> None:
        if not self.background.finish(self.sender()):  # stopped before this queued result arrived
            return
        self.progress.hide()
        self._found, self._more, self._cancelled = len(rows), more, cancelled
        self.model.set_rows(rows)  # the title follows
        if rows:
            self.view.setCurrentIndex(self.model.index(0, 0))
            self.view.setFocus()
        self.pendingChanged.emit()

    def _show_title(self) -> None:
        """The header says what the list holds now: after each decision, after each new search."""
        if not self._subject:
            return self.title.setText(_(HINT))
        if self.background.running():
            return self.title.setText(_("{subject}: searching…").format(subject=self._subject))
        title = proposals_title(self._subject, self.model.rowCount(), self._found, self._more, self._cancelled)
        self.title.setText(" — ".join([title, *self._problems[:1]]))

    def pending(self, document_id: int) -> list[tuple[int, int]]:
        return [(p.start, p.end) for p in self.model.proposals() if p.document_id == document_id]

    # ---- deciding ---------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        if watched is self.view and event.type() == event.Type.KeyPress:
            letter = key_letter(event)
            everything = bool(event.modifiers() & Qt.ShiftModifier)
            if letter == "A" or (event.key() in (Qt.Key_Return, Qt.Key_Enter) and not everything):
                self._decide(accept=True, everything=everything)
                return True
            if letter == "R" or event.key() == Qt.Key_Delete:
                self._decide(accept=False, everything=everything)
                return True
        return super().eventFilter(watched, event)

    def _decide(self, accept: bool, everything: bool) -> None:
        chosen = self.model.proposals() if everything else self._current()
        if not chosen:
            return
        row = self.view.currentIndex().row()
        self.model.remove(chosen)
        if accept:
            self.accepted.emit(chosen)
        else:
            self.rejected.emit(chosen, everything)
        if self.model.rowCount():
            self.view.setCurrentIndex(self.model.index(min(row, self.model.rowCount() - 1), 0))
        self.pendingChanged.emit()

    def _current(self) -> list[Proposal]:
        index = self.view.currentIndex()
        return [self.model.data(index, USER)] if index.isValid() else []

    def _activated(self, index: QModelIndex) -> None:
        proposal = self.model.data(index, USER)
        if proposal is not None:
            self.proposalActivated.emit(proposal)
