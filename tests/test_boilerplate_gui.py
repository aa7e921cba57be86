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


def review(qtbot, window):
    qtbot.keyClick(window.pane, Qt.Key_B, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: not window.boilerplate.running(), timeout=20_000)
    return window.boilerplate


def test_review_lists_groups_and_accepting_one_marks_every_copy_in_one_undo_step(qtbot, window, project_path):
    panel = review(qtbot, window)
    model = panel.model
    assert model.rowCount() > 10 and window.boilerplate_dock.isVisible()
    first = model.data(model.index(0, 0), Qt.UserRole)
    assert len(first) == 2 and first[0].category == "related_links"  # the اقرأ أيضاً tail in 001 and 003
    assert panel.view.hasFocus()
    qtbot.keyClick(panel.view, Qt.Key_A)
    marked = stored(project_path)
    assert [(row[1], row[4]) for row in marked] == [("related_links", "detected")] * 2
    assert {row[0] for row in marked} == {s.document_id for s in first}
    assert model.rowCount() > 9 and model.data(model.index(0, 0), Qt.UserRole) != first
    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier)
    assert stored(project_path) == [] and model.data(model.index(0, 0), Qt.UserRole) == first


def test_a_rejected_group_is_not_suggested_again_and_the_category_can_be_changed(qtbot, window, project_path):
    panel = review(qtbot, window)
    before = panel.model.rowCount()
    rejected = panel.model.data(panel.model.index(0, 0), Qt.UserRole)
    qtbot.keyClick(panel.view, Qt.Key_R)
    assert panel.model.rowCount() == before - 1
    panel.refresh()
    qtbot.waitUntil(lambda: not panel.running(), timeout=20_000)
    assert panel.model.rowCount() == before - 1
    assert all(panel.model.data(panel.model.index(r, 0), Qt.UserRole)[0].fingerprint != rejected[0].fingerprint
               for r in range(panel.model.rowCount()))
    panel.category.setCurrentText("footer")
    panel.category.activated.emit(panel.category.currentIndex())
    qtbot.keyClick(panel.view, Qt.Key_Return)
    assert {row[1] for row in stored(project_path)} == {"footer"}


def test_pending_suggestions_show_in_the_text_and_the_document_list(qtbot, window):
    panel = review(qtbot, window)
    group = panel.model.data(panel.model.index(0, 0), Qt.UserRole)
    document_id = group[0].document_id
    window.editor.open_document(document_id)
    assert window.pane._pending_boilerplate == sorted(panel.pending(document_id)) != []
    row = window.documents.row_of(document_id)

    def shown():
        return window.documents.data(window.documents.index(row, window.documents.BOILERPLATE_COLUMN))

    assert shown() == str(len(panel.pending(document_id)))
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key_A)  # the tail of this document is now marked
    share, left = shown().split(" · ")
    assert share.endswith("%") and int(share[:-1]) > 0 and left == str(len(panel.pending(document_id)))
    assert window.pane._pending_boilerplate == sorted(panel.pending(document_id))


def test_boilerplate_models_pass_the_model_tester(qtbot, qtmodeltester, window):
    panel = review(qtbot, window)
    qtmodeltester.check(panel.model)
    qtmodeltester.check(window.documents)
