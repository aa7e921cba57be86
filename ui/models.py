"""Model/view adapters over the project (no item widgets: lists may be long)."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import replace

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTableView

from app import i18n
from app.i18n import N_, _, digits_in, ngettext, number
from app.project import DocumentRow, Project, Span
from app.store import ProjectUnreachable

# Shown translated: `_(STATUS_TEXT[status])` (the keys are the statuses stored in the project).
STATUS_TEXT = {"new": N_("new"), "in_progress": N_("in progress"), "done": N_("done")}
# The Team column's marks: done, working on it, assigned and not started yet.
TEAM_MARKS = {"done": "✓", "in_progress": "✎", "new": "•"}
# Looked up once: each `Qt.DisplayRole` attribute access costs microseconds in PySide6,
# and data() runs thousands of times per repaint.
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
USER = Qt.ItemDataRole.UserRole
HORIZONTAL = Qt.Orientation.Horizontal
SHOWN = (DISPLAY, TOOLTIP)


class _TableModel(QAbstractTableModel):
    """A flat table with fixed column titles (subclasses set COLUMNS, marked with N_: shown translated)."""

    COLUMNS: tuple[str, ...] = ()

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=DISPLAY):
        if role == DISPLAY and orientation == HORIZONTAL:
            return _(self.COLUMNS[section])
        return None


class RowsModel(_TableModel):
    """A table over a plain list of rows that is replaced as a whole; subclasses say what a cell shows."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list = []

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def set_rows(self, rows: list) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()


class DocumentListModel(_TableModel):
    """Documents of the project, lazily: it holds only ids and fetches rows a page at a time."""

    COLUMNS = (N_("Document"), N_("Status"), N_("Spans"), N_("Boilerplate"))
    SPANS_COLUMN = 2
    BOILERPLATE_COLUMN = 3
    TEAM_COLUMN = 4  # a server project's: who else is on the document (app.assignment.who_is_on)
    PAGE = 256
    CACHED_PAGES = 64

    @property
    def WIDEST(self) -> tuple[str, ...]:
        """Samples that size the fixed columns (as the other models' WIDEST): the longest status in the
        interface's language."""
        status = max((_(text) for text in STATUS_TEXT.values()), key=len)
        if self.team:  # room for two people; more are elided (the tooltip lists everyone)
            return ("", status, digits_in("00000"), digits_in("100% · 00"), "سامي ✓ · badr ✎")
        return ("", status, digits_in("00000"), digits_in("100% · 00"))

    def __init__(self, project: Project, annotator: str, parent=None):
        super().__init__(parent)
        self._project = project
        self._annotator = annotator
        self.team = not project.is_file  # many analysts at once: show who else is on each document
        if self.team:
            self.COLUMNS = (*DocumentListModel.COLUMNS, N_("Team"))
        self._on: dict[int, list] = {}  # the Team column's rows, per document of the fetched pages
        self._only: set[int] | None = None  # the analyst's queue, when the list shows only that
        self._filter = ""
        self._ids: list[int] = project.document_ids()
        self._row_of: dict[int, int] | None = None
        self._pages: OrderedDict[int, list[DocumentRow]] = OrderedDict()
        self._pending: dict[int, int] = {}  # boilerplate suggestions still to decide, per document
        self._rank: dict[int, int] = {}  # the order the assistant chose (set_order), empty: corpus order

    # ---- Qt model API ----------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._ids)

    def data(self, index: QModelIndex, role=DISPLAY):
        if not index.isValid():
            return None
        if role == USER:
            return self._ids[index.row()]
        if role not in SHOWN:
            return None
        row = self._row(index.row())
        if row is None:
            return None
        if index.column() == self.BOILERPLATE_COLUMN:
            return self._boilerplate(row, role)
        if index.column() == self.TEAM_COLUMN:
            return self._team(row.id, role)
        # The span count stays a number: Qt shows it in the digits of the locale ui.language sets.
        return (shown_name(row.name), _(STATUS_TEXT[row.status]), row.entity_count)[index.column()]

    def _boilerplate(self, row: DocumentRow, role) -> str:
        """How much is marked, and how many suggestions wait: "23% · 3" (a tooltip spells it out)."""
        pending = self._pending.get(row.id, 0)
        if role == TOOLTIP:
            return ngettext("{share} of the text marked as boilerplate; {n} suggestion(s) to decide",
                            "{share} of the text marked as boilerplate; {n} suggestion(s) to decide",
                            pending).format(share=digits_in(f"{row.boilerplate_share:.0%}"), n=number(pending))
        share = digits_in(f"{row.boilerplate_share:.0%}") if row.boilerplate_chars else ""
        return " · ".join(part for part in (share, number(pending) if pending else "") if part) or ""

    def _team(self, document_id: int, role) -> str:
        """Who else is on the document: "أمل ✓ · badr ✎ · سامي •" (done, in progress, assigned and not
        started); the tooltip says since when."""
        others = [person for person in self._on.get(document_id, ()) if person.analyst != self._annotator]
        if role == TOOLTIP:
            return "\n".join(_("{analyst}: {status}, since {since}; {spans}").format(
                analyst=shown_name(person.analyst), since=digits_in(person.since[:16].replace("T", " ")),
                status=_(STATUS_TEXT[person.status]) if person.status != "new" else _("assigned, not started"),
                spans=ngettext("{n} span", "{n} spans", person.spans).format(n=number(person.spans)))
                for person in others)
        # Each name with its mark isolated: laid out in the name's own direction (the mark after the name as
        # its script reads), and never reordered with its neighbours.
        return " · ".join(f"\u2068{person.analyst} {TEAM_MARKS[person.status]}\u2069" for person in others)

    def set_pending(self, counts: dict[int, int]) -> None:
        """Boilerplate suggestions still pending per document (from the boilerplate panel)."""
        self._pending = dict(counts)
        if self._ids:
            self.dataChanged.emit(self.index(0, self.BOILERPLATE_COLUMN),
                                  self.index(len(self._ids) - 1, self.BOILERPLATE_COLUMN))

    # ---- lazy fetching -----------------------------------------------------
    def _row(self, row: int) -> DocumentRow | None:
        page = row // self.PAGE
        if page not in self._pages:
            ids = self._ids[page * self.PAGE:(page + 1) * self.PAGE]
            try:
                rows = self._project.document_rows(ids, self._annotator)
                if self.team:
                    from app.assignment import who_is_on

                    found = who_is_on(self._project, ids)
                    self._on.update({document_id: found.get(document_id, []) for document_id in ids})
            except ProjectUnreachable:
                return None  # the server is not answering: blank until the next paint reads it again
            self._pages[page] = rows
            if len(self._pages) > self.CACHED_PAGES:
                self._pages.popitem(last=False)
        self._pages.move_to_end(page)
        rows = self._pages[page]
        offset = row - page * self.PAGE
        return rows[offset] if offset < len(rows) else None

    # ---- changes ---------------------------------------------------------
    def document_id(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, document_id: int) -> int | None:
        if self._row_of is None:
            self._row_of = {doc: row for row, doc in enumerate(self._ids)}
        return self._row_of.get(document_id)

    def set_filter(self, text: str) -> None:
        self._filter = text.strip()
        self.reload()

    def set_annotator(self, annotator: str) -> None:
        self._annotator = annotator
        self.reload()

    def set_order(self, ranked: list[int] | None) -> None:
        """List the `ranked` documents first, in that order (the assistant's most useful first), then the
        others in corpus order; None: corpus order."""
        self._rank = {document_id: position for position, document_id in enumerate(ranked or ())}
        self.reload()

    def set_only(self, ids: "set[int] | None") -> None:
        """List only these documents (the analyst's queue); None: every document."""
        self._only = None if ids is None else set(ids)
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._ids = self._project.document_ids(self._filter)
        if self._only is not None:
            self._ids = [document_id for document_id in self._ids if document_id in self._only]
        if self._rank:
            last = len(self._rank)
            self._ids.sort(key=lambda document_id: self._rank.get(document_id, last))  # stable: corpus order after
        self._row_of = None
        self._pages.clear()
        self._on.clear()
        self.endResetModel()

    def refresh_document(self, document_id: int) -> None:
        """Re-read one document's row (its status changed)."""
        row = self.row_of(document_id)
        if row is None:
            return
        self._pages.pop(row // self.PAGE, None)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def count_spans(self, document_id: int, added: list[Span], removed: list[Span]) -> None:
        """Committed spans added to or removed from a document: its row is adjusted from the change, so an
        edit costs no query however many spans the document holds. It is read again instead when it is not
        fetched, when its status may move on (a document still new) or when its length is not known yet
        (the query reads it only where something is marked as boilerplate)."""
        row = self.row_of(document_id)
        if row is None:
            return
        page, offset = divmod(row, self.PAGE)
        rows = self._pages.get(page)
        cached = rows[offset] if rows is not None and offset < len(rows) else None
        added = [s for s in added if s.annotator == self._annotator]
        removed = [s for s in removed if s.annotator == self._annotator]
        chars = _boilerplate_chars(added) - _boilerplate_chars(removed)
        if cached is None or cached.id != document_id or (added and cached.status == "new") or (
                chars and not cached.length):
            self.refresh_document(document_id)
            return
        chars += cached.boilerplate_chars
        entities = _entity_count(added) - _entity_count(removed)  # the Spans column counts entities only
        rows[offset] = replace(cached, entity_count=cached.entity_count + entities, boilerplate_chars=chars)
        # Only the cells that changed are repainted: the span count, and the boilerplate share if it moved.
        last = self.BOILERPLATE_COLUMN if chars != cached.boilerplate_chars else self.SPANS_COLUMN
        self.dataChanged.emit(self.index(row, self.SPANS_COLUMN), self.index(row, last))


class SpanTableModel(_TableModel):
    """Rows of spans of the open document; subclasses say what each cell shows."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._spans: list[Span] = []
        self._text = ""

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._spans)

    def data(self, index: QModelIndex, role=DISPLAY):
        if not index.isValid():
            return None
        span = self._spans[index.row()]
        return span if role == USER else self.cell(span, index.column(), role)

    def cell(self, span: Span, column: int, role):
        raise NotImplementedError

    def span_at(self, row: int) -> Span:
        return self._spans[row]


class AnnotationListModel(QStandardItemModel):
    """The current document's spans for the current analyst (entities), in text order.

    Its cells live in Qt's own item model, not in a Python one: adding a span shifts the rows below it, so
    the visible rows are all painted again, and a Python model answers seven data() calls per cell of each
    from Python (about 0.8 ms of the frame that shows a new span; `make bench` row 3). A row's cells are
    made when it is first painted (`make_cells`, called by SpanListView): opening a document with ten
    thousand spans makes ten thousand empty rows, which costs next to nothing, and fills the twenty shown.
    """

    COLUMNS = (N_("Label"), N_("Text"), N_("Start"), N_("End"))
    WIDEST = ("EVENT", "", "000000", "000000")
    FIRST_ROWS = 100
    # Not overriding data(): a Python data() would be called for every cell painted, which is the cost
    # this model is here to avoid.

    def __init__(self, parent=None):
        super().__init__(0, len(self.COLUMNS), parent)
        self.setHorizontalHeaderLabels([_(title) for title in self.COLUMNS])
        self._spans: list[Span] = []
        self._text = ""

    def span_at(self, row: int) -> Span:
        return self._spans[row]

    def row_of(self, span: Span) -> int | None:
        row = _insertion_row(self._spans, span)
        return row if row < len(self._spans) and self._spans[row].uid == span.uid else None

    def span_count(self) -> int:
        return len(self._spans)

    def set_document(self, text: str, spans: list[Span]) -> None:
        self._text = text
        self._spans = sorted((s for s in spans if s.layer == "entity"), key=_order)
        self.beginResetModel()
        self.blockSignals(True)  # one reset for the views, not a signal per row
        try:
            self.setRowCount(0)
            self.setRowCount(len(self._spans))
        finally:
            self.blockSignals(False)
        self.make_cells(0, self.FIRST_ROWS - 1)  # what a list shows before it is scrolled
        self.endResetModel()

    def make_cells(self, first: int, last: int) -> None:
        """Fill rows `first`..`last` that have no cells yet (quietly: they are about to be painted)."""
        self.blockSignals(True)
        try:
            for row in range(max(first, 0), min(last, len(self._spans) - 1) + 1):
                if self.item(row, 0) is None:
                    for column, cell in enumerate(self._cells(self._spans[row])):
                        self.setItem(row, column, cell)
        finally:
            self.blockSignals(False)

    def add_spans(self, spans: list[Span]) -> None:
        for span in sorted((s for s in spans if s.layer == "entity"), key=_order):
            row = _insertion_row(self._spans, span)
            self._spans.insert(row, span)
            self.insertRow(row, self._cells(span))

    def remove_spans(self, uids: set[str]) -> None:
        for row in sorted((r for r, s in enumerate(self._spans) if s.uid in uids), reverse=True):
            del self._spans[row]
            self.removeRow(row)

    def _cells(self, span: Span) -> list[QStandardItem]:
        text = self._text[span.start:span.end]
        cells = [QStandardItem(span.label), QStandardItem(text), QStandardItem(number(span.start)),
                 QStandardItem(number(span.end))]
        cells[1].setToolTip(text)  # an elided Arabic excerpt, whole
        for cell in cells:
            cell.setEditable(False)
        return cells


class SpanListView(QTableView):
    """The span list: before painting, it has the model make the cells of the rows about to be shown."""

    def paintEvent(self, event) -> None:
        model = self.model()
        if isinstance(model, AnnotationListModel):
            first = self.rowAt(event.rect().top())
            last = self.rowAt(event.rect().bottom())
            model.make_cells(0 if first < 0 else first, model.rowCount() - 1 if last < 0 else last)
        super().paintEvent(event)


def _entity_count(spans: list[Span]) -> int:
    return sum(1 for span in spans if span.layer == "entity")


def _boilerplate_chars(spans: list[Span]) -> int:
    return sum(s.end - s.start for s in spans if s.layer == "boilerplate")


def _order(span: Span) -> tuple:
    return (span.start, span.end, span.label, span.uid)


def _insertion_row(spans: list[Span], span: Span) -> int:
    low, high, key = 0, len(spans), _order(span)
    while low < high:
        middle = (low + high) // 2
        if _order(spans[middle]) < key:
            low = middle + 1
        else:
            high = middle
    return low


def table_view(model) -> QTableView:
    """A list view over a table model: whole rows selected one at a time, no row numbers, one text line a row."""
    view = SpanListView() if isinstance(model, AnnotationListModel) else QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(QAbstractItemView.SingleSelection)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(24)
    view.setWordWrap(False)
    view.setAlternatingRowColors(True)
    return view


def shown_name(name: str) -> str:
    """A document's name as a right-to-left list shows it: isolated, so "000_cfe6.txt" keeps its own order
    rather than being reordered around the Arabic interface (_000 cfe6.txt). Unchanged in English."""
    return f"\u2068{name}\u2069" if i18n.is_right_to_left() else name


def select_row(view: QAbstractItemView, row: int) -> None:
    """Make `row` the view's current and only selected row (its rows are selected whole).

    QTableView.selectRow takes the column under the view's leading edge, which in a right-to-left window
    lies past the last column until the view has been laid out: the row was then neither current nor
    selected, and the first document was not opened in an Arabic interface. The first column instead."""
    view.setCurrentIndex(view.model().index(row, 0))
