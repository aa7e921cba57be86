"""Review → Compare analysts: two analysts' work on the open document, and adjudication into gold.

The compare pane shows the text once, right to left, with each span of analyst A as a band in the upper
half of its line and each span of B in the lower half, coloured by how it stands against the other's
(agreed, label conflict, boundary conflict, only A, only B). The list holds the disagreements the gold
layer does not settle yet; the keyboard decides them: A takes A's version, B takes B's, R neither,
N / P move to the next / previous. Each decision is one undo step (app.adjudication). The analysts' own
annotations are only read here; the main pane shows, and edits, the gold layer while review is on.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget)

from app import adjudication
from app.i18n import N_, _, ngettext, number
from app.adjudication import (AGREED, BOUNDARY, GOLD, LABEL, ONLY_A, ONLY_B, POLARITY, SPAN_LAYERS, Disagreement,
                              span_statuses, stance_statuses)
from app.project import Project, Span
from ui.commands import _EditCommand
from ui.fonts import reading_font
from ui.models import DISPLAY, SHOWN, TOOLTIP, USER, RowsModel, select_row
from ui.stancepanel import polarity_name
from ui.textpane import TextPane, key_letter
from ui.workers import Background, Worker

STATUS_COLORS = {AGREED: "#43a047", LABEL: "#fb8c00", BOUNDARY: "#8e24aa", ONLY_A: "#1e88e5", ONLY_B: "#e53935",
                 POLARITY: "#fb8c00"}
# Shown translated: _(STATUS_NAMES[kind]), _(LAYER_NAMES[layer]).
STATUS_NAMES = {AGREED: N_("agreed"), LABEL: N_("label conflict"), BOUNDARY: N_("boundary conflict"),
                ONLY_A: N_("only in A"), ONLY_B: N_("only in B"), POLARITY: N_("polarity conflict")}
LAYER_NAMES = {"entity": N_("Entities"), "boilerplate": N_("Boilerplate"), "stance": N_("Stances")}
BAND_ALPHA = 110


class ComparePane(TextPane):
    """A read-only text pane painting two analysts' spans as half-height bands coloured by status."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setFont(reading_font())
        self._statuses: dict[str, str] = {}
        self._first_name = ""

    def show_comparison(self, text: str, first: list[Span], second: list[Span], statuses: dict[str, str],
                        first_name: str) -> None:
        self._statuses, self._first_name = statuses, first_name
        self.show_document(text, [*first, *second], {})

    def _paint_spans(self, painter: QPainter, rect: QRectF) -> None:
        if not self._by_uid and not self._references:
            return
        start, end = self._visible_range(rect)
        offset = self.scroll_offset()
        for span in self._candidates(start, end):
            color = QColor(STATUS_COLORS[self._statuses.get(span.uid, AGREED)])
            color.setAlpha(BAND_ALPHA)
            upper = span.annotator == self._first_name
            # Bands behind the text, never character formats: Arabic letters stay joined.
            for box in self._span_rects(span, offset, start, end):
                half = box.height() / 2
                painter.fillRect(QRectF(box.left(), box.top() if upper else box.top() + half, box.width(), half), color)
        for reference_start, reference_end in self._references:
            current = Span(0, "", "reference", "", reference_start, reference_end)
            self._paint_dashed_box(painter, self._span_rects(current, offset, start, end))

    def scroll_to(self, offset: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(self._map.to_qt(offset))
        self.setTextCursor(cursor)
        self.ensureCursorVisible()


class DisagreementModel(RowsModel):
    """Rows: the pending disagreements of the open document."""

    COLUMNS = (N_("Layer"), N_("Conflict"), N_("Text"), "A", "B")  # A and B: the analysts' names (headerData)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.names = ("A", "B")

    def set_disagreements(self, text: str, rows: list[Disagreement], names: tuple[str, str]) -> None:
        self.text, self.names = text, names
        self.set_rows(rows)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == Qt.Horizontal and section >= 3:
            return self.names[section - 3]
        return super().headerData(section, orientation, role)

    def data(self, index: QModelIndex, role=DISPLAY):
        if not index.isValid():
            return None
        row: Disagreement = self._rows[index.row()]
        if role == USER:
            return row
        if role not in SHOWN:
            return None
        column = index.column()
        if column == 0:
            if row.layer == "doc_stance":
                return _("Document stance")
            return _(LAYER_NAMES[row.layer]) if row.layer in LAYER_NAMES else row.layer
        if column == 1:
            return _(STATUS_NAMES[row.kind])
        if column == 2:
            shown = row.target if row.layer == "doc_stance" else self.text[row.start:row.end]
            return shown if role == TOOLTIP else " ".join(shown.split())[:80]
        return _version(row.a if column == 3 else row.b, self.text)


def _version(spans: tuple[Span, ...], text: str) -> str:
    if not spans:
        return "—"
    if spans[0].layer == "doc_stance":
        return polarity_name(spans[0].label)
    return "; ".join(f"{_shown_label(s)}: {' '.join(text[s.start:s.end].split())[:30]}" for s in spans)


def _shown_label(span: Span) -> str:
    """A stance's polarity in the interface's language; any other label as the schema names it."""
    return polarity_name(span.label) if span.layer == "stance" else span.label


class Resolve(_EditCommand):
    """One adjudication decision: A's version, B's, or neither, into the gold layer."""

    def __init__(self, panel: "ReviewPanel", disagreement: Disagreement, choice: str):
        texts = {"a": _("Gold: {analyst}'s version").format(analyst=panel.first),
                 "b": _("Gold: {analyst}'s version").format(analyst=panel.second),
                 "reject": _("Gold: neither version")}
        super().__init__(texts[choice])
        self.panel, self.disagreement, self.choice = panel, disagreement, choice
        self.editor = panel.editor
        self.written: list[Span] = []

    def redo(self) -> None:
        self.written = self._attempt(lambda: adjudication.resolve(
            self.panel.project, self.disagreement, self.choice, self.panel.reviewer,
            self.panel.first, self.panel.second), [])
        self.panel.gold_changed(self.disagreement.document_id)

    def undo(self) -> None:
        self._attempt(lambda: adjudication.unresolve(self.panel.project, self.disagreement, self.written))
        self.panel.gold_changed(self.disagreement.document_id)


class Prefill(_EditCommand):
    """Everything both analysts agree on, into gold (one undo step for the corpus)."""

    def __init__(self, panel: "ReviewPanel"):
        super().__init__(_("Gold: pre-fill with agreements"))
        self.panel, self.editor = panel, panel.editor
        self.added: list[Span] = []

    def redo(self) -> None:
        self.added = self._attempt(lambda: adjudication.prefill_agreed(
            self.panel.project, self.panel.first, self.panel.second, self.panel.reviewer), [])
        self.panel.gold_changed(None)

    def undo(self) -> None:
        if self.added:
            self._attempt(lambda: self.panel.project.delete_annotations(s.uid for s in self.added))
        self.panel.gold_changed(None)


class RemainingWorker(Worker):
    """Counts what is left to adjudicate in the corpus (every document both analysts worked on)."""

    finished = Signal(object)  # {document id: disagreements left}

    def __init__(self, project: Project, first: str, second: str):
        super().__init__()
        self._project, self._first, self._second = project, first, second

    def run(self) -> None:
        self.finished.emit(adjudication.remaining(self._project, self._first, self._second))


class ReviewPanel(QWidget):
    """The compare view and the adjudication list for two analysts."""

    goldChanged = Signal(object)  # document id, or None for many documents

    def __init__(self, editor, parent=None):
        super().__init__(parent)
        self.editor, self.project = editor, editor.project
        self.first = self.second = self.reviewer = ""
        self.document_id: int | None = None
        self._corpus_left: dict[int, int] | None = None
        self._count_again = False
        self._background = Background(self, failed=self._count_failed)
        self.layer = QComboBox()
        for layer in (*SPAN_LAYERS, "stance"):
            self.layer.addItem(_(LAYER_NAMES[layer]), layer)
        self.layer.currentIndexChanged.connect(lambda _index: self.show_document(self.document_id))
        self.legend = QLabel()
        self.legend.setTextFormat(Qt.RichText)
        self.legend.setWordWrap(True)  # two lines in a narrow window rather than a wider window
        self.counts = QLabel()
        self.pane = ComparePane()
        self.model = DisagreementModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().hide()
        self.view.selectionModel().currentRowChanged.connect(lambda current, _previous: self._show_current())
        self.view.installEventFilter(self)
        self._build_layout()

    def _build_layout(self) -> None:
        buttons = QHBoxLayout()
        for text, slot in ((_("A: take A's"), lambda: self.decide("a")), (_("B: take B's"), lambda: self.decide("b")),
                           (_("R: neither"), lambda: self.decide("reject")), (_("N: next"), lambda: self.move(1)),
                           (_("P: previous"), lambda: self.move(-1)), (_("Pre-fill agreements"), self.prefill)):
            button = QPushButton(text)
            button.setFocusPolicy(Qt.NoFocus)  # the keys go to the list
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        top = QHBoxLayout()
        top.addWidget(self.layer)
        top.addWidget(self.legend, 1)
        top.addWidget(self.counts)
        lower = QWidget()
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 0, 0, 0)
        lower_layout.addLayout(buttons)
        lower_layout.addWidget(self.view)
        # Side by side: a bottom panel on a 768-pixel-high screen is wide and low, and stacked the text and
        # the list each got a line or two.
        split = QSplitter(Qt.Horizontal)
        split.addWidget(lower)
        split.addWidget(self.pane)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 2)  # the text gets the larger part of the room the buttons leave
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split)

    # ---- what is shown --------------------------------------------------------------------------------
    def start(self, first: str, second: str, reviewer: str) -> None:
        self.first, self.second, self.reviewer = first, second, reviewer
        swatches = " ".join(f'<span style="background:{STATUS_COLORS[kind]}">&nbsp;&nbsp;&nbsp;</span> {_(name)}'
                            for kind, name in STATUS_NAMES.items() if kind != POLARITY)
        bands = _("upper band: <b>{first}</b> · lower band: <b>{second}</b>").format(first=first, second=second)
        self.legend.setText(f"{bands} &nbsp; {swatches}")
        self._corpus_left = None
        self.refresh_corpus()
        self.show_document(self.editor.document_id)

    def show_document(self, document_id: int | None) -> None:
        """Show a document; on the same document (after a decision, an edit or a layer switch) the
        selected disagreement stays selected while it is pending, else the one now in its row."""
        previous = self.current() if document_id == self.document_id else None
        previous_row = self.view.currentIndex().row() if previous is not None else 0
        self.document_id = document_id
        if document_id is None or not self.first:
            self.pane.show_comparison("", [], [], {}, self.first)
            self.model.set_disagreements("", [], (self.first, self.second))
            return
        text = self.project.document_text(document_id)
        layer = self.layer.currentData()
        spans = self.project.annotations(document_id, layer=layer)
        mine = [s for s in spans if s.annotator == self.first]
        theirs = [s for s in spans if s.annotator == self.second]
        statuses = stance_statuses(mine, theirs) if layer == "stance" else span_statuses(mine, theirs)
        self.pane.show_comparison(text, mine, theirs, statuses, self.first)
        self.model.set_disagreements(text, adjudication.pending(self.project, document_id, self.first, self.second),
                                     (self.first, self.second))
        keys = [row.key for row in self.model._rows]
        if keys:
            select_row(self.view, keys.index(previous.key) if previous is not None and previous.key in keys
                                else min(max(previous_row, 0), len(keys) - 1))
        self._show_counts()

    def _show_current(self) -> None:
        disagreement = self.current()
        if disagreement is None or disagreement.start is None:
            self.pane.set_reference_spans([])
            return
        if disagreement.layer != self.layer.currentData():
            self.layer.setCurrentIndex(self.layer.findData(disagreement.layer))  # shows the document again
            return
        self.pane.set_reference_spans([(disagreement.start, disagreement.end)])
        self.pane.scroll_to(disagreement.start)

    def _show_counts(self) -> None:
        here = self.model.rowCount()
        if self._corpus_left is None:
            corpus = "…"
        else:
            left, documents = sum(self._corpus_left.values()), len(self._corpus_left)
            corpus = ngettext("{n} in the corpus ({documents})", "{n} in the corpus ({documents})", left).format(
                n=number(left),
                documents=ngettext("{n} document", "{n} documents", documents).format(n=number(documents)))
        self.counts.setText(ngettext("{n} left in this document · {corpus}", "{n} left in this document · {corpus}",
                                     here).format(n=number(here), corpus=corpus))

    def refresh_corpus(self) -> None:
        """Count again in the background; a count already under way is followed by a fresh one."""
        if not self.first:
            return
        if self._background.running():
            self._count_again = True
            return
        self._count_again = False
        worker = RemainingWorker(self.project, self.first, self.second)
        self._background.start(worker, lambda w: w.finished.connect(self._corpus_counted))

    def _count_failed(self, message: str) -> None:
        self.counts.setText(message)

    def _corpus_counted(self, left: dict) -> None:
        if not self._background.finish():
            return
        if self._count_again:
            self.refresh_corpus()
            return
        self._corpus_left = left
        self._show_counts()

    def stop_and_wait(self) -> None:
        self._background.stop_and_wait()

    # ---- decisions ---------------------------------------------------------------------------------------
    def current(self) -> Disagreement | None:
        index = self.view.currentIndex()
        return self.model.data(index, USER) if index.isValid() else None

    def decide(self, choice: str) -> None:
        disagreement = self.current()
        if disagreement is not None:
            self.editor.undo_stack.push(Resolve(self, disagreement, choice))  # the next one takes its row

    def prefill(self) -> None:
        self.editor.undo_stack.push(Prefill(self))

    def move(self, step: int) -> None:
        if self.model.rowCount():
            row = self.view.currentIndex().row() if self.view.currentIndex().isValid() else -1
            select_row(self.view, max(0, min(self.model.rowCount() - 1, row + step)))

    def gold_changed(self, document_id: int | None) -> None:
        """After a decision or its undo: the list, the counts, and the main pane's gold layer."""
        self.gold_edited()
        self.goldChanged.emit(document_id)

    def gold_edited(self) -> None:
        """The gold layer of the shown document was edited in the main pane."""
        self.show_document(self.document_id)
        self._corpus_left = None
        self.refresh_corpus()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view and event.type() == QEvent.Type.KeyPress and not event.modifiers() & ~Qt.KeypadModifier:
            action = {"A": lambda: self.decide("a"), "B": lambda: self.decide("b"), "R": lambda: self.decide("reject"),
                      "N": lambda: self.move(1), "P": lambda: self.move(-1)}.get(key_letter(event))
            if action is not None:
                action()
                return True
        return super().eventFilter(watched, event)


class ChooseAnalysts(QDialog):
    """Review → Compare analysts…: which two analysts to compare."""

    def __init__(self, names: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Compare analysts"))
        self.first, self.second = QComboBox(), QComboBox()
        for combo in (self.first, self.second):
            combo.addItems(names)
        if len(names) > 1:
            self.second.setCurrentIndex(1)
        form = QFormLayout(self)
        form.addRow(_("Analyst A:"), self.first)
        form.addRow(_("Analyst B:"), self.second)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def names(self) -> tuple[str, str]:
        return self.first.currentText(), self.second.currentText()


def analysts_to_compare(project: Project) -> list[str]:
    """Every analyst but gold, those with work first (the ones offered first: on a team server every member
    is an analyst of the project, working or not)."""
    working = set(project.annotators_with_work())
    return sorted((name for name in project.annotators() if name != GOLD), key=lambda name: name not in working)

