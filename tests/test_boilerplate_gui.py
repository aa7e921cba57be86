"""Marking boilerplate by hand: B on a selection or a line, Ctrl+B to the end; drawn greyed and hatched."""

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication


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


def test_similar_tab_lists_near_duplicates_and_marks_one_in_one_undo_step(qtbot, project, project_path):
    from app import duplicates
    from tests.conftest import add_document, show_window
    from tests.test_duplicates import OTHER, republished

    first = add_document(project, republished("الجديد"), "a.txt")
    second = add_document(project, republished("العربية"), "b.txt")
    add_document(project, OTHER, "c.txt")
    duplicates.update_index(project)
    window = show_window(qtbot, project)
    window.editor.open_document(second)
    similar = window.similar
    assert similar.model.rowCount() == 1 and similar.model.data(similar.model.index(0, 0), Qt.UserRole) == first
    similar.view.setCurrentIndex(similar.model.index(0, 0))
    qtbot.mouseClick(similar.mark_button, Qt.LeftButton)
    connection = sqlite3.connect(project_path)
    rows = connection.execute("SELECT document_id, layer, label, attrs FROM annotations").fetchall()
    connection.close()
    assert [(d, layer, label) for d, layer, label, _ in rows] == [(second, "duplicate", "duplicate_of")]
    assert '"of": "a.txt"' in rows[0][3] and "its duplicate" in similar.model.data(similar.model.index(0, 1))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    window.pane.setFocus()
    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier)
    assert sqlite3.connect(project_path).execute("SELECT count(*) FROM annotations").fetchone() == (0,)
    similar.view.doubleClicked.emit(similar.model.index(0, 0))
    assert window.editor.document_id == first


def test_shared_sentences_are_underlined_on_demand(qtbot, window):
    open_seed(window, "000")
    qtbot.mouseClick(window.similar.shared_button, Qt.LeftButton)  # searched in a worker thread
    qtbot.waitUntil(lambda: not window.similar.running(), timeout=20_000)
    text = window.editor.text
    [(start, end)] = window.pane._shared
    assert text[start:end].startswith("نثمن كثيرا دعمكم") and "1 other document" in window.similar.shared_info.text()
    open_seed(window, "002")
    assert window.pane._shared == []


def test_a_guessed_category_missing_from_the_schema_is_marked_other(qtbot, window, project_path):
    from app import schema

    schema.delete_label(window.editor.project, schema.BOILERPLATE, "navigation")
    open_seed(window, "002")
    text = window.editor.text
    line = "زر الذهاب إلى الأعلى"
    put_cursor(window, text.index(line) + 3)
    qtbot.keyClick(window.pane, Qt.Key_B)
    assert [row[1] for row in stored(project_path)] == ["other"]
