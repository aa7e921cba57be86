"""The reading pane repaints only what an edit changes, and keeps what painting computes between frames.

What the window shows is read back from its backing store (the offscreen platform's window grab), so
these tests see what an analyst would see after incremental repaints. It is compared with a fresh
pane that paints the same state from nothing: no cache and no earlier frame can hide behind it.
"""

import sqlite3

import pytest
from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication

from app.project import Span
from tests.conftest import SEEDS, add_document, show_window
from ui.textpane import FILL_ALPHA, TextPane

# Paragraphs of the demo articles, long enough for the pane to scroll.
ARTICLES = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))
TEXT = "\n\n".join([ARTICLES] * 3)
# Another document that scrolls too, so both are laid out at the same width.
OTHER = "نص ثان قصير عن روسيا\n\n" + ARTICLES


@pytest.fixture
def window(qtbot, project):
    add_document(project, TEXT, "long.txt")
    add_document(project, OTHER, "short.txt")
    shown = show_window(qtbot, project)
    settle(qtbot)
    return shown


def settle(qtbot) -> None:
    """Let Qt finish laying out and painting."""
    for _ in range(5):
        QApplication.processEvents()
    qtbot.wait(20)
    QApplication.processEvents()


def on_screen(pane) -> QImage:
    """The pane's viewport as the window shows it now (the backing store, painted incrementally)."""
    viewport = pane.viewport()
    window = viewport.window()
    corner = viewport.mapTo(window, QPoint(0, 0))
    grabbed = window.screen().grabWindow(window.winId(), corner.x(), corner.y(), viewport.width(),
                                         viewport.height())
    return grabbed.toImage().convertToFormat(QImage.Format_RGB32)


def fresh_render(qtbot, pane, text: str, colors) -> QImage:
    """A new pane of the same size and font showing the same state, painted once from nothing."""
    twin = TextPane()
    qtbot.addWidget(twin)
    # Laid out and painted like a shown window, without one: showing a window would deactivate the main
    # window, which then repaints everything and would hide a missed partial repaint.
    twin.setAttribute(Qt.WA_DontShowOnScreen)
    twin.setFocusPolicy(Qt.NoFocus)
    twin.setFont(pane.font())
    twin.resize(pane.size())
    twin.show()
    twin.show_document(text, pane.spans(), colors)
    selected = pane.selected_span()
    twin.set_selected_span(selected.uid if selected else None)
    twin.set_reference_spans(list(pane._references))
    twin.set_find_matches(list(pane._finds), pane._find_current)
    if pane.selection_range():
        twin.select_range(*pane.selection_range())
    settle(qtbot)
    twin.verticalScrollBar().setValue(pane.verticalScrollBar().value())
    settle(qtbot)
    assert twin.viewport().size() == pane.viewport().size()
    return twin.viewport().grab().toImage().convertToFormat(QImage.Format_RGB32)


def assert_shows_the_same(qtbot, window) -> None:
    """What the window shows of the pane equals a fresh pane's full paint of the same state; the caret
    aside (the pane has focus after a document opens; the fresh one never does)."""
    pane = window.pane
    settle(qtbot)
    shown, expected = on_screen(pane), fresh_render(qtbot, pane, window.editor.text, window.editor.colors())
    assert window.isActiveWindow()
    caret = pane.cursorRect().adjusted(-6, -3, 6, 3)
    differing = [(x, y) for y in range(0, shown.height(), 2) for x in range(0, shown.width(), 2)
                 if shown.pixel(x, y) != expected.pixel(x, y) and not caret.contains(x, y)]
    assert not differing, f"{len(differing)} sampled pixels differ, first at {differing[:5]}"


class PaintRegions(QObject):
    """Records the region of every paint event of a widget."""

    def __init__(self, widget):
        super().__init__()
        self.regions = []
        widget.installEventFilter(self)

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Paint:
            self.regions.append(event.region().boundingRect())
        return False


def occurrences(text: str, word: str, count: int, after: int = 0) -> list[tuple[int, int]]:
    """(start, end) of the first `count` occurrences of `word` from `after` on."""
    found, start = [], after - 1
    for _ in range(count):
        start = text.index(word, start + 1)
        found.append((start, start + len(word)))
    return found


def add(window, start: int, end: int, label: str) -> None:
    """Select and label, as a palette click does."""
    window.pane.select_range(start, end)
    window.apply_label(label)


def scroll_to(qtbot, pane, offset: int) -> None:
    """Put the line holding `offset` about a third of the way down the pane."""
    cursor = pane.textCursor()
    cursor.setPosition(pane._map.to_qt(offset))
    top = pane.cursorRect(cursor).top() + pane.verticalScrollBar().value()
    pane.verticalScrollBar().setValue(max(0, top - pane.viewport().height() // 3))
    settle(qtbot)


def line_ends(pane, offset: int, count: int) -> list[int]:
    """Code-point offsets where the next `count` visual lines from `offset`'s line end."""
    block = pane.document().findBlock(pane._map.to_qt(offset))
    layout = block.layout()
    first = layout.lineForTextPosition(pane._map.to_qt(offset) - block.position()).lineNumber()
    lines = [layout.lineAt(i) for i in range(first, min(first + count, layout.lineCount()))]
    assert len(lines) == count, "the paragraph is too short"
    return [pane._map.from_qt(block.position() + line.textStart() + line.textLength()) for line in lines]


def word_on_screen(pane, text: str, word: str, nth: int = 0) -> tuple[int, int]:
    """(start, end) of the nth occurrence of `word` at or after the first line shown."""
    first = pane.offset_at(QPoint(pane.viewport().width() - 5, 5))
    start = first - 1
    for _ in range(nth + 1):
        start = text.index(word, start + 1)
    return start, start + len(word)


def line_band(pane, start: int, end: int) -> QRect:
    """The viewport band holding [start, end)'s lines."""
    first, last = pane.textCursor(), pane.textCursor()
    first.setPosition(pane._map.to_qt(start))
    last.setPosition(pane._map.to_qt(end))
    top, bottom = pane.cursorRect(first).top(), pane.cursorRect(last).bottom()
    return QRect(0, top, pane.viewport().width(), bottom - top + 1)


def blended(color: QColor, alpha: int = FILL_ALPHA) -> QColor:
    """A highlight's colour as painted over the white page."""
    return QColor(*(round(c * alpha / 255 + 255 * (1 - alpha / 255)) for c in color.getRgb()[:3]))


def close(a: QColor, b: QColor, tolerance: int = 6) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3]))


def test_adding_a_span_repaints_its_line_only_and_shows_it(qtbot, window, project_path):
    pane = window.pane
    pane.verticalScrollBar().setValue(pane.verticalScrollBar().maximum() // 3)
    settle(qtbot)
    start, end = word_on_screen(pane, TEXT, "روسيا", 2)
    pane.select_range(start, end)
    settle(qtbot)
    before = on_screen(pane)
    band = line_band(pane, start, end)
    painted = PaintRegions(pane.viewport())

    qtbot.keyClick(pane, Qt.Key_G)  # GPE
    settle(qtbot)

    assert sqlite3.connect(project_path).execute("SELECT start, \"end\" FROM annotations").fetchall() == [
        (start, end)]
    assert painted.regions and all(region.height() < pane.viewport().height() // 3
                                   for region in painted.regions)
    after = on_screen(pane)
    changed = {(x, y) for y in range(after.height()) for x in range(after.width())
               if after.pixel(x, y) != before.pixel(x, y)}
    assert all(band.adjusted(0, -4, 0, 4).contains(x, y) for x, y in changed), "pixels outside its line changed"
    fill = blended(window.editor.colors()["GPE"])
    assert sum(close(QColor(after.pixel(x, y)), fill) for x, y in changed) > 50, "the new span is not shown"
    assert_shows_the_same(qtbot, window)


def test_nesting_selection_and_undo_are_repainted_as_a_full_repaint_would_show_them(qtbot, window):
    """An outer span turns the span inside it into a bar; undo turns it back; selecting moves the outline."""
    editor, pane = window.editor, window.pane
    name = TEXT.index("فلاديمير بوتين", len(ARTICLES))
    scroll_to(qtbot, pane, name)
    inner_start = name + len("فلاديمير ")
    add(window, inner_start, inner_start + len("بوتين"), "PERS")
    assert_shows_the_same(qtbot, window)
    add(window, name, inner_start + len("بوتين"), "ORG")  # nests PERS: a bar now
    assert len(pane.spans()) == 2
    assert_shows_the_same(qtbot, window)
    window._select_span(pane.spans_at(inner_start)[0], scroll=False)  # the outline moves to the inner one
    assert_shows_the_same(qtbot, window)
    editor.undo_stack.undo()  # the outer span goes: the inner one is a fill again
    assert len(pane.spans()) == 1
    assert_shows_the_same(qtbot, window)
    editor.undo_stack.redo()
    assert_shows_the_same(qtbot, window)
    editor.delete([pane.spans_at(inner_start)[0]])
    assert_shows_the_same(qtbot, window)


def test_spans_added_without_selecting_them_are_shown(qtbot, window):
    """Accepted proposals are added as a batch and none is selected: each one's lines are repainted."""
    pane = window.pane
    spans = occurrences(TEXT, "روسيا", 4, len(ARTICLES))
    scroll_to(qtbot, pane, spans[0][0])
    painted = PaintRegions(pane.viewport())
    window.editor.add_batch([Span(window.editor.document_id, "amal", "entity", "GPE", start, end)
                             for start, end in spans], "Annotate all")
    settle(qtbot)
    assert pane.selected_span() is None and len(pane.spans()) == 4
    assert painted.regions and all(region.height() < pane.viewport().height() for region in painted.regions)
    assert_shows_the_same(qtbot, window)


def test_moving_the_selection_repaints_the_span_left_and_the_one_chosen(qtbot, window):
    pane = window.pane
    first, second = occurrences(TEXT, "روسيا", 2, len(ARTICLES))
    assert "\n" in TEXT[first[1]:second[0]]  # in two paragraphs
    scroll_to(qtbot, pane, first[0])
    window.editor.add_batch([Span(window.editor.document_id, "amal", "entity", "GPE", *place)
                             for place in (first, second)], "Annotate all")
    settle(qtbot)
    pane.set_selected_span(pane.spans_at(first[0])[0].uid)
    assert_shows_the_same(qtbot, window)
    pane.set_selected_span(pane.spans_at(second[0])[0].uid)  # the first one's outline goes
    assert_shows_the_same(qtbot, window)
    pane.set_selected_span(None)
    assert_shows_the_same(qtbot, window)


def test_levels_come_from_the_whole_overlap_cluster_not_from_the_part_painted(qtbot, window):
    """A chain over several lines: A on line 1; B from line 1 to line 5, overlapping A; C on line 5,
    overlapping B only. Over the document A is a fill, B a bar and C a fill again (A has ended where C
    starts). Repainting line 5 alone must not draw C as a bar because A is not near it."""
    pane = window.pane
    paragraph = TEXT.index("\n", len(ARTICLES)) + 1
    while len(TEXT[paragraph:TEXT.index("\n", paragraph)]) < 600:  # a paragraph of many lines
        paragraph = TEXT.index("\n", paragraph) + 1
    scroll_to(qtbot, pane, paragraph)
    ends = line_ends(pane, paragraph, 5)
    a = (ends[0] - 20, ends[0] - 5)
    b = (ends[0] - 10, ends[3] + 10)
    c = (ends[3] + 5, ends[3] + 25)
    document = window.editor.document_id
    window.editor.add_batch([Span(document, "amal", "entity", "LOC", *place) for place in (a, b, c)], "three")
    assert_shows_the_same(qtbot, window)
    pane.set_selected_span(pane.spans_at(c[1] - 1)[0].uid)  # repaints line 5 only
    assert_shows_the_same(qtbot, window)
    pane.set_selected_span(None)
    assert_shows_the_same(qtbot, window)


def test_outlines_of_references_are_removed_with_them(qtbot, window):
    pane = window.pane
    first, second = occurrences(TEXT, "روسيا", 2, len(ARTICLES))
    scroll_to(qtbot, pane, first[0])
    pane.set_reference_spans([first, second])
    assert_shows_the_same(qtbot, window)
    pane.set_reference_spans([second])
    assert_shows_the_same(qtbot, window)
    pane.set_reference_spans([])
    assert_shows_the_same(qtbot, window)


def test_an_edit_then_a_scroll_before_the_next_frame_is_shown_where_the_span_went(qtbot, window):
    pane = window.pane
    start, end = occurrences(TEXT, "روسيا", 1, len(ARTICLES))[0]
    scroll_to(qtbot, pane, start)
    window.editor.snap_to_words = False
    add(window, start, end, "GPE")
    pane.verticalScrollBar().setValue(pane.verticalScrollBar().value() + 3 * pane.fontMetrics().height())
    assert_shows_the_same(qtbot, window)


def test_zoom_resize_and_scrolling_lay_the_highlights_out_again(qtbot, window):
    pane = window.pane
    spans = occurrences(TEXT, "روسيا", 6, len(ARTICLES))
    scroll_to(qtbot, pane, spans[0][0])
    for start, end in spans:
        add(window, start, end, "GPE")
    assert_shows_the_same(qtbot, window)
    pane.zoom(3)
    scroll_to(qtbot, pane, spans[2][0])
    assert_shows_the_same(qtbot, window)
    pane.zoom(-5)
    assert_shows_the_same(qtbot, window)
    window.resize(window.width() - 250, window.height())
    scroll_to(qtbot, pane, spans[4][0])
    assert_shows_the_same(qtbot, window)
    window.resize(window.width() + 250, window.height())
    assert_shows_the_same(qtbot, window)
    pane.verticalScrollBar().setValue(pane.verticalScrollBar().value() + pane.viewport().height() // 2)
    assert_shows_the_same(qtbot, window)


def test_switching_documents_and_changing_a_colour_repaint_with_what_is_current(qtbot, window):
    editor, pane = window.editor, window.pane
    spans = occurrences(TEXT, "روسيا", 3, len(ARTICLES))
    scroll_to(qtbot, pane, spans[0][0])
    for start, end in spans:
        add(window, start, end, "GPE")
    long_id, short_id = editor.project.document_ids()
    # The same offsets in both documents: what was kept of the long one's glyphs must not be reused.
    same = (OTHER.index("روسيا"), OTHER.index("روسيا") + 5)
    pane.verticalScrollBar().setValue(0)
    editor.add_batch([Span(long_id, "amal", "entity", "LOC", *same)], "at the top")
    assert_shows_the_same(qtbot, window)
    editor.open_document(short_id)
    editor.add_batch([Span(short_id, "amal", "entity", "LOC", *same)], "the same offsets")
    assert_shows_the_same(qtbot, window)
    editor.open_document(long_id)
    scroll_to(qtbot, pane, spans[1][0])
    assert_shows_the_same(qtbot, window)
    pane.verticalScrollBar().setValue(0)
    assert_shows_the_same(qtbot, window)
    scroll_to(qtbot, pane, spans[1][0])
    window.schema_editor.change("entity", "GPE", color="#00ff00")
    assert editor.colors()["GPE"] == QColor("#00ff00")
    assert_shows_the_same(qtbot, window)
    editor.undo_stack.undo()  # the colour change
    assert_shows_the_same(qtbot, window)


def test_find_matches_stances_and_boilerplate_are_repainted_too(qtbot, window):
    editor, pane = window.editor, window.pane
    start = TEXT.index("روسيا", len(ARTICLES))
    scroll_to(qtbot, pane, start)
    window.find_bar.open_bar("روسيا")
    qtbot.waitUntil(lambda: bool(pane._finds))
    assert_shows_the_same(qtbot, window)
    line_end = TEXT.index("\n", start)
    editor.mark_boilerplate(TEXT.rfind("\n", 0, start) + 1, line_end)
    assert_shows_the_same(qtbot, window)
    evidence = (start - 30, start + 5)
    editor.create_stance(*evidence, {"text": "x"}, {"text": "y"}, "FAVOR", "")
    assert_shows_the_same(qtbot, window)
    pane.set_reference_spans([(start, start + 5)])
    assert_shows_the_same(qtbot, window)
    pane.set_reference_spans([])
    assert_shows_the_same(qtbot, window)
    window.find_bar.close_bar()
    assert_shows_the_same(qtbot, window)


def test_the_top_of_a_long_document_is_painted_for_its_lines_while_qt_lays_out_the_rest(qtbot):
    """Hit-testing the top margin while Qt lays a long document out in the background answers the end of
    what is laid out so far: painting the first screen must not walk over all of that."""
    pane = TextPane()
    qtbot.addWidget(pane)
    pane.resize(700, 300)
    pane.show()
    qtbot.waitExposed(pane)
    text = "\n".join(f"الفقرة رقم {i} قال بوتين إن روسيا ستدعم كوريا الشمالية دائما" for i in range(6000))
    pane.show_document(text, [], {})
    qtbot.waitUntil(lambda: pane.document().findBlockByNumber(300).layout().lineCount() > 0)
    assert pane.document().lastBlock().layout().lineCount() == 0  # still being laid out
    start, end = pane._visible_range(QRectF(pane.viewport().rect()))
    assert start == 0 and end < 2_000  # the lines on screen (about 60 characters each) and a margin
