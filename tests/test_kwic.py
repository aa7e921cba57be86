"""Keyword-in-context rows keep their line breaks and the order of a left-to-right line inside Arabic."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextLayout, QTextOption

from app.search import context_around
from tests.conftest import type_text
from ui.kwic import LINE_BREAK, shown_context

DATE_LINE = "2024-06-19 | 02:33"


def around(text: str, needle: str, chars: int, nth: int = 0) -> tuple[str, str]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return context_around(text, start, start + len(needle), chars)


def test_a_line_break_stays_one_break_and_spaces_collapse():
    text = "عنوان الخبر\n\n  2024-06-19 | 02:33 \nقال  بوتين   إن روسيا"
    assert around(text, "روسيا", 60) == (f"عنوان الخبر\n{DATE_LINE}\nقال بوتين إن", "")


def test_a_window_starting_inside_another_line_is_cut_at_its_break():
    text = "الزعيم الكوري الشمالي كيم جونغ أون\nروسيا تدعم"
    before, after = around(text, "روسيا", 10)
    assert before == "\n"  # not "جونغ أون": stray words of the line before
    assert after == "تدعم"
    text = "قال إن روسيا\nستدعم كوريا الشمالية دائما"
    assert around(text, "روسيا", 12) == ("قال إن", "\n")  # not the first letters of the next line


def test_a_window_starting_inside_a_word_drops_the_piece_of_the_word():
    text = "في العاصمة بيونغ يانغ قال بوتين إن روسيا ستدعم كوريا الشمالية"
    before, after = around(text, "بوتين", 14)
    assert before == "يانغ قال" and after == "إن روسيا"
    assert around("كوموسوسانبوتين", "بوتين", 3) == ("سان", "")  # within one long word: its piece is all there is


def test_contexts_at_the_edges_of_the_text_are_whole():
    assert around("بوتين", "بوتين", 10) == ("", "")
    assert around("قال بوتين", "بوتين", 4) == ("قال", "")


def test_each_line_is_isolated_and_each_break_shown():
    assert shown_context(f"\n{DATE_LINE}\nدعوة") == f"{LINE_BREAK} \u2068{DATE_LINE}\u2069 {LINE_BREAK} \u2068دعوة\u2069"
    assert shown_context("") == ""


def visual_left(text: str, piece: str, font) -> float:
    """Where `piece` starts on screen (its leftmost x) when `text` is laid out right to left, as the lists do."""
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setTextDirection(Qt.RightToLeft)
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(10_000)
    layout.endLayout()
    return min(run.boundingRect().left() for run in layout.glyphRuns(text.index(piece), len(piece)))


def assert_reads_in_order(shown: str, font) -> None:
    """The date line reads left to right; the Arabic word after it in the text stands left of it (right to
    left), as does the date line after the line break before it."""
    assert visual_left(shown, "2024", font) < visual_left(shown, "02:33", font)
    assert visual_left(shown, "دعوة", font) < visual_left(shown, "2024", font)


@pytest.fixture
def window(qtbot, demo_window):
    qtbot.waitUntil(demo_window.isActiveWindow)
    return demo_window


def test_corpus_search_shows_the_date_line_in_its_order_with_its_breaks(qtbot, window):
    qtbot.keyClick(window.pane, Qt.Key_F, Qt.ControlModifier | Qt.ShiftModifier)
    panel = window.corpus_search
    type_text(panel.query, "ووثيقة")
    qtbot.keyClick(panel.query, Qt.Key_Return)
    qtbot.waitUntil(lambda: not panel.running(), timeout=20_000)
    model = panel.results
    document = next(model.index(row, 0) for row in range(model.rowCount())
                    if model.data(model.index(row, 0)).startswith("\u2066000_"))
    befores = [model.index(row, 0, document).data() for row in range(model.rowCount(document))]
    # The second headline follows the date line: the line before them is cut, not shown as stray words.
    assert befores[1] == f"{LINE_BREAK} \u2068{DATE_LINE}\u2069 {LINE_BREAK} \u2068دعوة\u2069"
    assert_reads_in_order(befores[1], panel.view.font())
    assert model.index(1, 1, document).data() == "\u2068ووثيقة\u2069"


def test_proposals_show_the_date_line_in_its_order_with_its_breaks(qtbot, window):
    start = window.editor.text.index("ووثيقة")
    window.pane.select_range(start, start + len("ووثيقة"))
    qtbot.keyClick(window.pane, Qt.Key_M)
    qtbot.keyClick(window.pane, Qt.Key_A, Qt.ControlModifier | Qt.ShiftModifier)
    panel = window.suggestions
    qtbot.waitUntil(lambda: not panel.running(), timeout=20_000)
    model = panel.model
    assert model.rowCount() >= 1
    before = model.index(0, 1).data()
    assert before == f"{LINE_BREAK} \u2068{DATE_LINE}\u2069 {LINE_BREAK} \u2068دعوة\u2069"
    assert_reads_in_order(before, panel.view.font())
    assert model.index(0, 2).data() == "\u2068ووثيقة\u2069"


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
