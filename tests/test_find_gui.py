"""Find in document (Ctrl+F) with the Arabic matching engine."""

import sqlite3

import pytest
from PySide6.QtCore import Qt

from tests.conftest import add_document, show_window, type_text

TEXT = "😀 نثمن كثيرًا دعمكم.\nقال بوتين إن لروسيا دورا. وأكد بوتين ذلك.\nGet News Fast"


@pytest.fixture
def window(qtbot, project):
    add_document(project, TEXT, "find.txt")
    return show_window(qtbot, project)


def test_ctrl_f_finds_folded_forms_and_steps_through_matches(qtbot, window):
    qtbot.keyClick(window.pane, Qt.Key_F, Qt.ControlModifier)
    bar = window.find_bar
    assert bar.isVisible() and bar.query.hasFocus()
    type_text(bar.query, "كثيرا")
    bar.search()  # skip the typing pause
    assert bar.count.text() == "1 of 1"
    assert window.pane.selection_range() == (TEXT.index("كثيرًا"), TEXT.index("كثيرًا") + 6)  # tanween included

    bar.query.clear()
    type_text(bar.query, "بوتين")
    bar.search()
    starts = [m.start for m in bar._matches]
    assert starts == [TEXT.index("بوتين"), TEXT.index("بوتين", TEXT.index("بوتين") + 1)]  # also after و
    qtbot.keyClick(bar.query, Qt.Key_Return)
    assert bar.count.text() == "2 of 2" and window.pane.selection_range()[0] == starts[1]
    qtbot.keyClick(bar.query, Qt.Key_Return, Qt.ShiftModifier)
    assert window.pane.selection_range()[0] == starts[0]


def test_escape_returns_to_the_text_and_a_label_key_annotates_the_match(qtbot, window, project_path):
    qtbot.keyClick(window.pane, Qt.Key_F, Qt.ControlModifier)
    type_text(window.find_bar.query, "روسيا")
    window.find_bar.search()
    qtbot.keyClick(window.find_bar.query, Qt.Key_Escape)
    assert not window.find_bar.isVisible() and window.pane.hasFocus()
    qtbot.keyClick(window.pane, Qt.Key_G)
    connection = sqlite3.connect(project_path)
    [(start, end)] = connection.execute('SELECT start, "end" FROM annotations').fetchall()
    connection.close()
    assert TEXT[start:end] == "روسيا" and TEXT[start - 1] == "ل"  # the clitic stays outside the span


def test_no_match_and_highlights_cleared_on_close(qtbot, window):
    qtbot.keyClick(window.pane, Qt.Key_F, Qt.ControlModifier)
    type_text(window.find_bar.query, "واشنطن")
    window.find_bar.search()
    assert window.find_bar.count.text() == "no match" and window.pane._finds == []
    window.find_bar.query.clear()
    type_text(window.find_bar.query, "بوتين")
    window.find_bar.search()
    assert len(window.pane._finds) == 2
    window.find_bar.close_bar()
    assert window.pane._finds == []


def test_the_line_cut_by_the_bottom_edge_is_painted(qtbot, window):
    pane = window.pane
    long_text = "\n".join(f"سطر رقم {i} فيه بوتين" for i in range(200))
    pane.show_document(long_text, [], {})
    start, end = pane._visible_range(pane.viewport().rect())
    cursor = pane.cursorForPosition(pane.viewport().rect().bottomLeft())
    last_shown = pane._map.from_qt(cursor.block().position() + cursor.block().length() - 1)
    assert start == 0 and end >= last_shown
