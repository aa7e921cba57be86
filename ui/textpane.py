"""The read-only reading pane: right-to-left text with annotation highlights.

Highlights are painted under the text from the laid-out glyph runs, never as
character formats: a format boundary inside a word would split the shaping run
and break Arabic letter joining (and the لا ligature). The text itself is
drawn once, by Qt, on top.

All offsets crossing this widget's API are code points; conversion to Qt's
UTF-16 positions happens here, through OffsetMap.
"""

from __future__ import annotations

import functools
import math
from bisect import bisect_left

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (QBrush, QColor, QFont, QKeyEvent, QMouseEvent, QPainter, QPen, QTextCursor,
                           QTextOption)
from PySide6.QtWidgets import QTextEdit, QToolTip

from app import packagedata
from app.direction import direction_corrections
from app.i18n import _
from app.project import Span
from ui.textmap import OffsetMap

FILL_ALPHA = 80
FIND_OTHER = QColor(255, 235, 59, 110)    # yellow, like every find bar
FIND_CURRENT = QColor(255, 193, 7, 170)
FIND_BORDER = QColor("#e65100")
PENDING_PEN = QPen(QColor("#1565c0"), 2, Qt.DotLine)
# Boilerplate: greyed and hatched, under every other mark, so entity highlights stay readable on it.
BOILERPLATE_FILL = QColor(158, 158, 158, 70)
BOILERPLATE_HATCH = QBrush(QColor(97, 97, 97, 110), Qt.BDiagPattern)
BOILERPLATE_PENDING_PEN = QPen(QColor("#6d4c41"), 1.5, Qt.DashDotLine)
SHARED_LINE = QColor("#00897b")  # sentences other documents carry too: a teal underline
BAR_HEIGHT = 3
BAR_GAP = 1
# Spans longer than this are kept apart so the visible-range lookup stays a bisect.
LONG_SPAN = 2_000
# An edit of more spans than this repaints the whole pane rather than the lines of each.
MANY_SPANS = 50
# Pixels around the lines of a change that are repainted too: dashed boxes reach a little past a line.
LINE_MARGIN = 2


@functools.cache
def _arabic_layout() -> dict[str, str]:
    return {k: v for k, v in packagedata.resource_json("keyboard_arabic.json").items() if not k.startswith("_")}


def latin_key(text: str) -> str:
    """The label-shortcut letter for a typed character, whichever layout (Latin or Arabic) is active."""
    return _arabic_layout().get(text, text).upper()


def key_letter(event) -> str:
    """The Latin letter of the key pressed, also with Alt held (no text then) or the Arabic layout on."""
    if Qt.Key_A <= event.key() <= Qt.Key_Z:
        return chr(event.key())
    return latin_key(event.text()) if event.text() else ""


def assign_levels(spans: list[Span]) -> dict[str, int]:
    """Nesting level per span: 0 is drawn as a fill, deeper levels as bars under it.

    Greedy interval colouring in (start, longest-first) order, so an outer span
    gets the fill and the spans nested in it get bars.
    """
    levels: dict[str, int] = {}
    ends: list[int] = []  # end offset of the span holding each level
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        level = next((i for i, end in enumerate(ends) if end <= span.start), len(ends))
        if level == len(ends):
            ends.append(span.end)
        else:
            ends[level] = span.end
        levels[span.uid] = level
    return levels


def _glyph_boxes(line, start: int, length: int) -> list[QRectF]:
    """Boxes of the glyphs drawn for [start, start+length) of a block, one per visual run.

    A span that covers only the second letter of a ligature (the alef of لا) owns
    no glyph of its own; the whole ligature glyph is then highlighted.
    """
    boxes = [run.boundingRect() for run in line.glyphRuns(start, length)]
    boxes = [box for box in boxes if box.width() >= 0.5]
    while not boxes and start > line.textStart():
        start, length = start - 1, length + 1
        boxes = [box for box in (run.boundingRect() for run in line.glyphRuns(start, length)) if box.width() >= 0.5]
    return boxes


class GlyphGeometry:
    """Where the glyph runs of a range sit in the document, kept between paints.

    Painting a screen asks Qt for the glyph runs of every span on it; the answer changes only when the
    document is laid out again: another document, another width (a resize) or another font (zoom). Those
    are the key; a range is kept only once all its blocks are laid out (Qt lays long documents out in
    the background).
    """

    LIMIT = 50_000  # ranges kept at most; the oldest half goes beyond it

    def __init__(self):
        self._boxes: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
        self._key: tuple | None = None

    def check(self, key: tuple) -> None:
        """Forget everything when the layout the boxes came from is not the current one."""
        if key != self._key:
            self._key = key
            self._boxes.clear()

    def clear(self) -> None:
        self._boxes.clear()

    def boxes(self, start: int, end: int) -> list[tuple[float, float, float, float]] | None:
        return self._boxes.get((start, end))

    def keep(self, start: int, end: int, boxes: list[tuple[float, float, float, float]]) -> None:
        if len(self._boxes) >= self.LIMIT:
            for key in list(self._boxes)[:self.LIMIT // 2]:
                del self._boxes[key]
        self._boxes[(start, end)] = boxes


class TextPane(QTextEdit):
    labelKey = Signal(str)  # an unmodified key that may be a label shortcut
    spanClicked = Signal(object)  # the clicked Span, or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.TextSelectableByKeyboard)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QTextEdit.WidgetWidth)
        self.setWordWrapMode(QTextOption.WrapAtWordBoundaryOrAnywhere)
        self.setMouseTracking(True)
        self._text = ""
        self._map = OffsetMap("")
        self._by_uid: dict[str, Span] = {}
        self._short: list[Span] = []  # spans up to LONG_SPAN, sorted by start
        self._starts: list[int] = []  # their starts, for bisect
        self._long: list[Span] = []
        self._max_short = 0
        self._colors: dict[str, QColor] = {}
        self._selected_uid: str | None = None
        self._references: list[tuple[int, int]] = []
        self._finds: list[tuple[int, int]] = []
        self._pending: list[tuple[int, int]] = []
        self._pending_boilerplate: list[tuple[int, int]] = []
        self._shared: list[tuple[int, int]] = []
        self._find_starts: list[int] = []
        self._find_current = -1
        self._press_pos = None
        # Nesting level of each entity span, computed per overlap cluster when first painted.
        self._levels: dict[str, int] = {}
        self._geometry = GlyphGeometry()
        # Qt lays long documents out in the background; repaint highlights as lines get positions.
        self.document().documentLayout().documentSizeChanged.connect(lambda _size: self.viewport().update())

    # ---- content ---------------------------------------------------------
    def show_document(self, text: str, spans: list[Span], colors: dict[str, QColor]) -> None:
        self._text = text
        self._map = OffsetMap(text)
        self._colors = colors
        self._selected_uid = None
        self._references = []
        self._finds, self._find_starts, self._find_current = [], [], -1
        self._pending, self._pending_boilerplate, self._shared = [], [], []
        self._geometry.clear()
        self.setPlainText(text)
        self._correct_paragraph_directions(text)
        self.set_spans(spans)

    def _correct_paragraph_directions(self, text: str) -> None:
        """A paragraph that opens with a flag reads the way its first letter does (app.direction)."""
        document = self.document()
        for index, direction in direction_corrections(text):
            block = document.findBlockByNumber(index)
            block_format = block.blockFormat()
            block_format.setLayoutDirection(Qt.RightToLeft if direction == "rtl" else Qt.LeftToRight)
            QTextCursor(block).setBlockFormat(block_format)

    def set_colors(self, colors: dict[str, QColor]) -> None:
        self._colors = colors
        self.viewport().update()

    def set_spans(self, spans: list[Span]) -> None:
        anchored = sorted((s for s in spans if s.start is not None), key=lambda s: (s.start, s.end))
        self._by_uid = {s.uid: s for s in anchored}
        self._long = [s for s in anchored if s.end - s.start > LONG_SPAN]
        self._short = [s for s in anchored if s.end - s.start <= LONG_SPAN]
        self._starts = [s.start for s in self._short]
        self._max_short = max((s.end - s.start for s in self._short), default=0)
        self._levels.clear()
        self.viewport().update()

    def add_spans(self, spans: list[Span]) -> None:
        """Incremental: an edit costs a bisect and a list insert, not a rebuild, and repaints only its lines."""
        self.remove_spans({span.uid for span in spans} & self._by_uid.keys())
        added = [span for span in spans if span.start is not None]
        for span in added:
            self._by_uid[span.uid] = span
            if span.end - span.start > LONG_SPAN:
                self._long.append(span)
                continue
            index = bisect_left(self._starts, span.start)
            self._starts.insert(index, span.start)
            self._short.insert(index, span)
            self._max_short = max(self._max_short, span.end - span.start)
        self._spans_changed(added)

    def remove_spans(self, uids: set[str]) -> None:
        removed = []
        for uid in uids:
            span = self._by_uid.pop(uid, None)
            if span is None:
                continue
            removed.append(span)
            if span in self._long:
                self._long.remove(span)
                continue
            index = bisect_left(self._starts, span.start)
            while self._short[index].uid != uid:
                index += 1
            del self._short[index], self._starts[index]
        if self._selected_uid in uids:
            self._selected_uid = None
        self._spans_changed(removed)

    def _spans_changed(self, spans: list[Span]) -> None:
        """After spans were added or removed: forget the levels they may change and repaint their lines.

        Adding or removing an entity span can move the levels of the spans overlapping it, and of those
        overlapping them: its whole overlap cluster (as it is now) is recomputed and repainted.
        """
        if len(spans) > MANY_SPANS:
            self._levels.clear()
            self.viewport().update()
            return
        for span in spans:
            start, end = span.start, span.end
            if span.layer == "entity":
                cluster, start, end = self._entity_cluster(start, end)
                for member in cluster:
                    self._levels.pop(member.uid, None)
            self._update_range(start, end)

    def spans(self) -> list[Span]:
        return sorted(self._by_uid.values(), key=lambda s: (s.start, s.end))

    def text(self) -> str:
        """The stored text this pane shows (never read back from the widget)."""
        return self._text

    def set_selected_span(self, uid: str | None) -> None:
        if uid == self._selected_uid:
            return
        previous, self._selected_uid = self._by_uid.get(self._selected_uid), uid
        for span in (previous, self._by_uid.get(uid)):
            if span is not None:
                self._update_range(span.start, span.end)

    def selected_span(self) -> Span | None:
        return self._by_uid.get(self._selected_uid)

    # ---- selection in code points -----------------------------------------
    def cursor_offset(self) -> int:
        return self._map.from_qt(self.textCursor().position())

    def selection_range(self) -> tuple[int, int] | None:
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        return self._map.from_qt(cursor.selectionStart()), self._map.from_qt(cursor.selectionEnd())

    def select_range(self, start: int, end: int) -> None:
        cursor = self.textCursor()
        cursor.setPosition(self._map.to_qt(start))
        cursor.setPosition(self._map.to_qt(end), QTextCursor.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        cursor.clearSelection()
        self.setTextCursor(cursor)

    def offset_at(self, point) -> int:
        return self._map.from_qt(self.cursorForPosition(point).position())

    def spans_at(self, offset: int, layer: str = "entity") -> list[Span]:
        """Spans of `layer` covering `offset`, innermost (shortest) first."""
        covering = [s for s in self._candidates(offset, offset + 1)
                    if s.start <= offset < s.end and s.layer == layer]
        return sorted(covering, key=lambda s: (s.end - s.start, s.start))

    def set_find_matches(self, matches: list[tuple[int, int]], current: int) -> None:
        """Find-in-document hits, sorted; the current one is drawn stronger."""
        self._finds = matches
        self._find_starts = [start for start, _ in matches]
        self._find_current = current
        self.viewport().update()

    def set_shared(self, shared: list[tuple[int, int]]) -> None:
        """Sentences other documents carry too (on demand, from the Similar tab)."""
        self._shared = sorted(shared)
        self.viewport().update()

    def set_pending_boilerplate(self, pending: list[tuple[int, int]]) -> None:
        """Boilerplate suggestions not decided yet: a dash-dot frame, apart from proposals."""
        self._pending_boilerplate = sorted(pending)
        self.viewport().update()

    def set_pending_spans(self, pending: list[tuple[int, int]]) -> None:
        """Proposals waiting for a decision: dotted boxes, distinct from annotations."""
        self._pending = sorted(pending)
        self.viewport().update()

    def set_reference_spans(self, references: list[tuple[int, int]]) -> None:
        """Outline other places (a stance's holder and target) while something is selected."""
        previous, self._references = self._references, references
        for start, end in [*previous, *references]:
            self._update_range(start, end)

    # ---- what to repaint ----------------------------------------------------
    def _update_range(self, start: int, end: int) -> None:
        """Schedule a repaint of the lines holding [start, end) that are on screen, not of the whole pane."""
        rect = self._range_rect(start, end)
        if rect is None:
            self.viewport().update()
        elif not rect.isEmpty():
            self.viewport().update(rect)

    def _range_rect(self, start: int, end: int) -> QRect | None:
        """The part of the viewport from the top of the first line of [start, end) to the bottom of its
        last, across the whole width; empty when off screen, None when not known yet (not laid out)."""
        first = self._line_box(self._map.to_qt(start))
        last = self._line_box(self._map.to_qt(max(start + 1, end)) - 1)
        if first is None or last is None:
            return None
        scroll = self.verticalScrollBar().value()
        top = math.floor(first[0]) - scroll - LINE_MARGIN
        bottom = math.ceil(last[1]) - scroll + LINE_MARGIN
        return QRect(0, top, self.viewport().width(), bottom - top).intersected(self.viewport().rect())

    def _line_box(self, position: int) -> tuple[float, float] | None:
        """Top and bottom, in document coordinates, of the line holding Qt position `position`."""
        block = self.document().findBlock(position)
        layout = block.layout()
        if layout.lineCount() == 0:
            return None
        line = layout.lineForTextPosition(position - block.position())
        if not line.isValid():
            return None
        top = layout.position().y() + line.y()
        return top, top + line.height()

    def _entity_cluster(self, start: int, end: int) -> tuple[list[Span], int, int]:
        """The entity spans overlapping [start, end), and those overlapping them in turn, with their extent.

        Greedy levels within such a cluster equal greedy levels over the whole document, so a span's level
        never depends on which part of the pane is being painted.
        """
        while True:
            cluster = [s for s in self._candidates(start, end) if s.layer == "entity"]
            low = min((s.start for s in cluster), default=start)
            high = max((s.end for s in cluster), default=end)
            if low >= start and high <= end:
                return cluster, start, end
            start, end = min(start, low), max(end, high)

    def _level(self, span: Span) -> int:
        level = self._levels.get(span.uid)
        if level is None:
            cluster, _start, _end = self._entity_cluster(span.start, span.end)
            self._levels.update(assign_levels(cluster))
            level = self._levels[span.uid]
        return level

    def _candidates(self, start: int, end: int) -> list[Span]:
        """Spans that may intersect [start, end): a bisect window plus the few long ones."""
        low = bisect_left(self._starts, start - self._max_short)
        high = bisect_left(self._starts, end)
        window = [s for s in self._short[low:high] if s.end > start]
        return window + [s for s in self._long if s.start < end and s.end > start]

    # ---- zoom ------------------------------------------------------------
    def zoom(self, steps: int) -> None:
        font = QFont(self.font())
        font.setPointSizeF(min(48.0, max(8.0, font.pointSizeF() + steps)))
        self.setFont(font)

    # ---- input -----------------------------------------------------------
    def keyPressEvent(self, event: QKeyEvent) -> None:
        modifiers = event.modifiers() & ~Qt.KeypadModifier
        if event.key() == Qt.Key_Escape:
            self.clear_selection()
            self.set_selected_span(None)
            self.spanClicked.emit(None)
            return
        if modifiers in (Qt.NoModifier, Qt.ShiftModifier) and event.text() and event.text().isprintable():
            self.labelKey.emit(latin_key(event.text()))
            return
        super().keyPressEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press_pos = event.position().toPoint()
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() != Qt.LeftButton or self._press_pos is None:
            return
        moved = (event.position().toPoint() - self._press_pos).manhattanLength()
        if moved <= 3 and not self.textCursor().hasSelection():
            self._click_span(self.offset_at(event.position().toPoint()))

    def _click_span(self, offset: int) -> None:
        """A click selects the innermost span; clicking it again cycles outwards."""
        covering = self.spans_at(offset)
        if not covering:
            chosen = None
        elif self._selected_uid in [s.uid for s in covering]:
            index = [s.uid for s in covering].index(self._selected_uid)
            chosen = covering[(index + 1) % len(covering)]
        else:
            chosen = covering[0]
        self.set_selected_span(chosen.uid if chosen else None)
        self.spanClicked.emit(chosen)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if event.buttons():
            return
        offset = self.offset_at(event.position().toPoint())
        labels = [s.label for s in self.spans_at(offset)]
        labels += [_("{label} stance").format(label=s.label) for s in self.spans_at(offset, layer="stance")]
        labels += [_("boilerplate: {label}").format(label=s.label) for s in self.spans_at(offset, layer="boilerplate")]
        if labels:
            QToolTip.showText(event.globalPosition().toPoint(), " ⊃ ".join(reversed(labels)), self.viewport())
        else:
            QToolTip.hideText()

    # ---- painting --------------------------------------------------------
    def paintEvent(self, event) -> None:
        document = self.document()
        self._geometry.check((id(document), document.textWidth(), document.defaultFont().key()))
        painter = QPainter(self.viewport())
        try:
            self._paint_spans(painter, QRectF(event.rect()))
        finally:
            painter.end()
        super().paintEvent(event)

    def _visible_range(self, rect: QRectF) -> tuple[int, int]:
        """Code-point range of the lines inside `rect`, and a little more (a superset while Qt is still
        laying out)."""
        # A margin of lines around: a line cut by an edge still belongs to what is painted, and hit-testing
        # the foot of a right-to-left line can answer the next line's start.
        margin = 2 * self.fontMetrics().height()
        top_y = int(rect.top()) - margin
        # Hit-testing the document's top margin answers the end of what Qt has laid out so far, not the
        # first line: a rectangle reaching into the margin starts at the start.
        if top_y + self.verticalScrollBar().value() < self.document().documentMargin() + 1:
            top = 0
        else:
            top = self._line_edge(QPoint(0, top_y), at_end=False)
        bottom = self._line_edge(QPoint(self.viewport().width(), int(rect.bottom()) + margin), at_end=True)
        # Blocks not yet laid out all sit at the top, so hit-testing can return top > bottom.
        start, end = min(top, bottom), max(top, bottom)
        return self._map.from_qt(start), self._map.from_qt(min(end, self._map.qt_length))

    def _line_edge(self, point: QPoint, at_end: bool) -> int:
        cursor = self.cursorForPosition(point)
        block = cursor.block()
        line = block.layout().lineForTextPosition(cursor.position() - block.position())
        if not line.isValid():
            return block.position() + (block.length() if at_end else 0)
        return block.position() + line.textStart() + (line.textLength() if at_end else 0)

    def _paint_spans(self, painter: QPainter, rect: QRectF) -> None:
        if not (self._by_uid or self._references or self._finds or self._pending or self._pending_boilerplate
                or self._shared):
            return
        start, end = self._visible_range(rect)
        offset = self.scroll_offset()
        visible = self._candidates(start, end)
        for span in visible:
            if span.layer == "boilerplate":
                self._paint_boilerplate(painter, self._span_rects(span, offset, start, end))
        self._paint_finds(painter, offset, start, end)
        entities = [s for s in visible if s.layer == "entity"]
        # Levels per overlap cluster, kept until an edit touches the cluster: the cost follows the screen.
        levels = {span.uid: self._level(span) for span in entities}
        selected = None
        others = [s for s in visible if s.layer not in ("entity", "boilerplate")]
        for span in sorted(entities, key=lambda s: levels[s.uid]) + others:
            rects = self._span_rects(span, offset, start, end)
            if span.layer == "entity":
                self._paint_one(painter, span, rects, levels[span.uid])
            else:
                self._paint_evidence(painter, span, rects)
            if span.uid == self._selected_uid:
                selected = (span, rects)
        for pending_start, pending_end in self._pending:
            if pending_start < end and start < pending_end:
                pending = Span(0, "", "pending", "", pending_start, pending_end)
                self._paint_box(painter, self._span_rects(pending, offset, start, end), PENDING_PEN)
        for pending_start, pending_end in self._pending_boilerplate:
            if pending_start < end and start < pending_end:
                pending = Span(0, "", "pending", "", pending_start, pending_end)
                self._paint_box(painter, self._span_rects(pending, offset, start, end), BOILERPLATE_PENDING_PEN)
        painter.setPen(QPen(SHARED_LINE, 2))
        for shared_start, shared_end in self._shared:
            if shared_start < end and start < shared_end:
                shared = Span(0, "", "shared", "", shared_start, shared_end)
                for rect in self._span_rects(shared, offset, start, end):
                    painter.drawLine(QPointF(rect.left(), rect.bottom() - 1), QPointF(rect.right(), rect.bottom() - 1))
        for reference_start, reference_end in self._references:
            reference = Span(0, "", "reference", "", reference_start, reference_end)
            self._paint_dashed_box(painter, self._span_rects(reference, offset, start, end))
        if selected:
            self._paint_outline(painter, *selected)

    def scroll_offset(self) -> QPointF:
        """Where document coordinates sit in the viewport."""
        return QPointF(-self.horizontalScrollBar().value(), -self.verticalScrollBar().value())

    def _span_rects(self, span: Span, offset: QPointF, visible_start: int, visible_end: int) -> list[QRectF]:
        """One rectangle per visual run of the visible part of the span (RTL and mixed lines give several)."""
        start, end = max(span.start, visible_start), min(span.end, visible_end)
        # Only whole spans are kept: the visible part of a long one changes with every scroll.
        whole = (start, end) == (span.start, span.end)
        boxes = self._geometry.boxes(start, end) if whole else None
        if boxes is None:
            boxes, laid_out = self._document_boxes(start, end)
            if whole and laid_out:
                self._geometry.keep(start, end, boxes)
        dx, dy = offset.x(), offset.y()
        return [QRectF(x + dx, y + dy, width, height) for x, y, width, height in boxes]

    def _document_boxes(self, start: int, end: int) -> tuple[list[tuple[float, float, float, float]], bool]:
        """Glyph-run boxes of [start, end) in document coordinates, and whether every block was laid out."""
        qt_start, qt_end = self._map.to_qt(start), self._map.to_qt(end)
        boxes = []
        laid_out = True
        block = self.document().findBlock(qt_start)
        while block.isValid() and block.position() < qt_end:
            layout = block.layout()
            laid_out = laid_out and layout.lineCount() > 0
            origin = layout.position()
            first = layout.lineForTextPosition(max(qt_start - block.position(), 0)).lineNumber()
            for index in range(max(first, 0), layout.lineCount()):
                line = layout.lineAt(index)
                line_start = block.position() + line.textStart()
                if line_start >= qt_end:
                    break
                lo, hi = max(qt_start, line_start), min(qt_end, line_start + line.textLength())
                if lo >= hi:
                    continue
                for box in _glyph_boxes(line, lo - block.position(), hi - lo):
                    boxes.append((origin.x() + box.left(), origin.y() + line.y(), box.width(), line.height()))
            block = block.next()
        return boxes, laid_out

    def _paint_one(self, painter: QPainter, span: Span, rects: list[QRectF], level: int) -> None:
        color = QColor(self._colors.get(span.label, QColor("#888888")))
        if level == 0:
            color.setAlpha(FILL_ALPHA)
            for rect in rects:
                painter.fillRect(rect, color)
            return
        for rect in rects:
            bottom = rect.bottom() - (level - 1) * (BAR_HEIGHT + BAR_GAP)
            painter.fillRect(QRectF(rect.left(), bottom - BAR_HEIGHT, rect.width(), BAR_HEIGHT), color)

    def _paint_finds(self, painter: QPainter, offset: QPointF, start: int, end: int) -> None:
        """Find hits under everything else: a pale band, the current one with a border."""
        first = max(bisect_left(self._find_starts, start) - 1, 0)
        for index in range(first, len(self._finds)):
            hit_start, hit_end = self._finds[index]
            if hit_start >= end:
                break
            if hit_end <= start:
                continue
            hit = Span(0, "", "find", "", hit_start, hit_end)
            current = index == self._find_current
            for rect in self._span_rects(hit, offset, start, end):
                painter.fillRect(rect, FIND_CURRENT if current else FIND_OTHER)
                if current:
                    painter.setPen(QPen(FIND_BORDER, 2))
                    painter.drawRect(rect.adjusted(1, 1, -1, -1))

    @staticmethod
    def _paint_boilerplate(painter: QPainter, rects: list[QRectF]) -> None:
        for rect in rects:
            painter.fillRect(rect, BOILERPLATE_FILL)
            painter.fillRect(rect, BOILERPLATE_HATCH)

    def _paint_evidence(self, painter: QPainter, span: Span, rects: list[QRectF]) -> None:
        """Stance evidence: a dashed line over the text in the polarity's colour."""
        pen = QPen(QColor(self._colors.get(span.label, QColor("#555555"))), 2, Qt.DashLine)
        painter.setPen(pen)
        for rect in rects:
            painter.drawLine(QPointF(rect.left(), rect.top() + 1), QPointF(rect.right(), rect.top() + 1))

    def _paint_dashed_box(self, painter: QPainter, rects: list[QRectF]) -> None:
        self._paint_box(painter, rects, QPen(QColor("#37474f"), 1.5, Qt.DashLine))

    @staticmethod
    def _paint_box(painter: QPainter, rects: list[QRectF], pen: QPen) -> None:
        painter.setPen(pen)
        for rect in rects:
            painter.drawRect(rect.adjusted(0.5, 0.5, -0.5, -0.5))

    def _paint_outline(self, painter: QPainter, span: Span, rects: list[QRectF]) -> None:
        pen = QPen(QColor(self._colors.get(span.label, QColor("#444444"))).darker(160), 2)
        painter.setPen(pen)
        for rect in rects:
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
