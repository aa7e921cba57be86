"""Marking boilerplate by hand: B on a selection or a line, Ctrl+B to the end; drawn greyed and hatched."""

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor


@pytest.fixture
def window(demo_window):
    return demo_window


def stored(project_path):
    connection = sqlite3.connect(project_path)
    try:
        return connection.execute('SELECT document_id, label, start, "end", provenance FROM annotations '
                                  "WHERE layer = 'boilerplate' ORDER BY start").fetchall()
    finally:
        connection.close()


def open_seed(window, prefix):
    document_id = next(i for i in window.editor.project.document_ids()
                       if window.editor.project.document_name(i).startswith(prefix))
    window.editor.open_document(document_id)
    return document_id


def put_cursor(window, offset):
    window.pane.select_range(offset, offset)
    window.pane.setFocus()


def test_b_marks_the_line_under_the_cursor_with_the_category_its_cue_suggests(qtbot, window, project_path):
    document_id = open_seed(window, "002")
    text = window.editor.text
    line = "زر الذهاب إلى الأعلى"
    put_cursor(window, text.index(line) + 3)
    qtbot.keyClick(window.pane, Qt.Key_B)
    start = text.index(line)
    assert stored(project_path) == [(document_id, "navigation", start, start + len(line), "manual")]
    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier)
    assert stored(project_path) == []


def test_b_on_a_selection_marks_exactly_it_and_an_uncued_line_is_other(qtbot, window, project_path):
    document_id = open_seed(window, "002")
    text = window.editor.text
    start = text.index("Get News Fast")
    window.pane.select_range(start, start + len("Get News Fast") + 2)  # trailing newlines are left out
    window.pane.setFocus()
    qtbot.keyClick(window.pane, Qt.Key_B)
    assert stored(project_path) == [(document_id, "other", start, start + len("Get News Fast"), "manual")]


def test_ctrl_b_marks_from_the_line_to_the_end_of_the_document(qtbot, window, project_path):
    document_id = open_seed(window, "001")
    text = window.editor.text
    heading = text.index("إقرأ أيضاً:")
    put_cursor(window, heading + 2)
    qtbot.keyClick(window.pane, Qt.Key_B, Qt.ControlModifier)
    assert stored(project_path) == [(document_id, "related_links", heading, len(text.rstrip()), "manual")]


def test_boilerplate_is_greyed_and_hatched_and_entities_on_it_stay_visible(qtbot, window):
    open_seed(window, "002")
    text = window.editor.text
    start = text.index("زر الذهاب إلى الأعلى")
    window.editor.mark_boilerplate(start, start + len("زر الذهاب إلى الأعلى"))
    window.pane.select_range(start, start + 2)
    window.apply_label("ORG")  # an entity inside the boilerplate
    window.pane.clear_selection()
    window.pane.ensureCursorVisible()
    qtbot.wait(50)
    image = window.pane.viewport().grab().toImage()
    rects = window.pane._span_rects(window.pane._by_uid[window.editor.layer_spans("boilerplate")[0].uid],
                                    window.pane.scroll_offset(), 0, len(text))
    colours = {image.pixelColor(int(x), int(y)).name()
               for rect in rects for x in range(int(rect.left()) + 1, int(rect.right()) - 1, 3)
               for y in range(int(rect.top()) + 1, int(rect.bottom()) - 1, 3)}
    greys = [c for c in colours if _is_grey(QColor(c)) and QColor(c).lightness() < 245]
    assert greys, "no hatching drawn"
    org = QColor(window.editor.colors()["ORG"])
    assert any(abs(QColor(c).hue() - org.hue()) < 12 and QColor(c).saturation() > 40 for c in colours)


def _is_grey(colour: QColor) -> bool:
    return max(colour.red(), colour.green(), colour.blue()) - min(colour.red(), colour.green(), colour.blue()) < 12
