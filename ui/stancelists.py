"""The current document's span stances, and its document stance per target."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from app.i18n import N_, _
from app.project import Span
from ui.models import DISPLAY, SHOWN, TOOLTIP, USER, SpanTableModel, _TableModel
from ui.stancepanel import POLARITY_COLORS, POLARITY_NAMES, polarity_name, shown_reference
from ui.textpane import key_letter

FOREGROUND = Qt.ItemDataRole.ForegroundRole
DOC_POLARITY_KEYS = {"F": "FAVOR", "A": "AGAINST", "N": "NEUTRAL", "X": "NONE"}
DOC_POLARITY_TEXT = {**POLARITY_NAMES, "NONE": N_("not addressed")}  # shown as _(DOC_POLARITY_TEXT[label])


class StanceListModel(SpanTableModel):
    """Holder → target : polarity, with an excerpt of the evidence."""

    COLUMNS = (N_("Holder"), N_("Target"), N_("Polarity"), N_("Evidence"))
    WIDEST = ("فلاديمير بوتين", "كوريا الشمالية", "AGAINST", "")

    def cell(self, span: Span, column: int, role):
        if role == FOREGROUND and column == 2:
            return QColor(POLARITY_COLORS.get(span.label, "#000000"))
        if role in SHOWN:
            evidence = self._text[span.start:span.end]
            if role == DISPLAY and len(evidence) > 60:
                evidence = evidence[:57] + "…"
            holder, target = shown_reference(span.attrs.get("holder")), shown_reference(span.attrs.get("target"))
            if role == TOOLTIP and span.attrs.get("note"):
                evidence += "\n\n" + _("Note: {note}").format(note=span.attrs["note"])
            return (holder, target, polarity_name(span.label), evidence)[column]
        return None

    def set_spans(self, text: str, spans: list[Span]) -> None:
        self.beginResetModel()
        self._text = text
        self._spans = sorted((s for s in spans if s.layer == "stance"), key=lambda s: (s.start, s.end, s.uid))
        self.endResetModel()

    def row_of(self, uid: str) -> int | None:
        return next((row for row, span in enumerate(self._spans) if span.uid == uid), None)


class DocStanceModel(_TableModel):
    """One row per target of the project: the article's overall polarity."""

    COLUMNS = (N_("Target"), N_("Document stance"))
    WIDEST = ("", "not addressed")

    def __init__(self, parent=None):
        super().__init__(parent)
        self._targets: list[str] = []
        self._by_target: dict[str, Span] = {}

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._targets)

    def data(self, index: QModelIndex, role=DISPLAY):
        if not index.isValid():
            return None
        target = self._targets[index.row()]
        span = self._by_target.get(target)
        if role == USER:
            return target
        if role == FOREGROUND and index.column() == 1 and span is not None:
            return QColor(POLARITY_COLORS.get(span.label, "#555555"))
        if role in SHOWN:
            if index.column() == 0:
                return target
            if span is None:
                return "—"
            return _(DOC_POLARITY_TEXT[span.label]) if span.label in DOC_POLARITY_TEXT else span.label
        return None

    def target_at(self, row: int) -> str:
        return self._targets[row]

    def stance_for(self, target: str) -> Span | None:
        return self._by_target.get(target)

    def set_state(self, targets: list[str], spans: list[Span]) -> None:
        self.beginResetModel()
        self._targets = list(targets)
        self._by_target = {s.attrs.get("target"): s for s in spans if s.layer == "doc_stance"}
        self.endResetModel()


class DocStanceView(QTableView):
    """Keys on the focused row: F favour, A against, N neutral, X not addressed, Delete clears."""

    polarityChosen = Signal(str, object)  # target, polarity or None

    def __init__(self, model: DocStanceModel, parent=None):
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.verticalHeader().hide()
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeToContents)
        self.setToolTip(_("F favour · A against · N neutral · X not addressed · Delete clears"))

    def keyPressEvent(self, event) -> None:
        row = self.currentIndex().row()
        if row >= 0 and not event.modifiers() & ~Qt.KeypadModifier:
            target = self.model().target_at(row)
            letter = key_letter(event)  # also with the Arabic layout on
            if letter in DOC_POLARITY_KEYS:
                self.polarityChosen.emit(target, DOC_POLARITY_KEYS[letter])
                return
            if event.key() in (Qt.Key_Delete, Qt.Key_Backspace):
                self.polarityChosen.emit(target, None)
                return
        super().keyPressEvent(event)


def stance_proxy(model: StanceListModel, parent=None) -> QSortFilterProxyModel:
    """Sorting by any column without touching the model's order."""
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(DISPLAY)
    return proxy
