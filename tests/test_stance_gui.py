"""Stances made from the keyboard on a demo article, checked in the database."""

import json
import sqlite3

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import insert

from app.importer import import_paths
from app.models import Label
from tests.conftest import SEEDS, show_window, type_text

TARGETS = ["روسيا", "كوريا الشمالية", "الولايات المتحدة", "أوكرانيا"]
ARTICLE = "000_cfe630f0c522799c.txt"


@pytest.fixture
def window(qtbot, project):
    import_paths(project, [SEEDS / ARTICLE], "amal")
    with project.session.begin() as session:
        session.execute(insert(Label), [
            {"layer": "stance_target", "name": n, "color": "#888888", "shortcut": None, "description": "",
             "position": i} for i, n in enumerate(TARGETS)])
    return show_window(qtbot, project)


def stored(project_path, layer):
    connection = sqlite3.connect(project_path)
    try:
        return connection.execute(
            'SELECT label, start, "end", attrs FROM annotations WHERE layer = ? ORDER BY id', (layer,)).fetchall()
    finally:
        connection.close()


def test_span_stance_from_the_keyboard(qtbot, window, project_path):
    text = window.editor.text
    sentence = "وقال بوتين إن روسيا ستدعم كوريا الشمالية دائما في دفاعها عن سيادتها"
    base = text.index(sentence)
    putin = base + sentence.index("بوتين")
    window.pane.select_range(putin, putin + 5)
    qtbot.keyClick(window.pane, Qt.Key_P)  # the holder is an annotated person

    evidence = base + sentence.index("روسيا ستدعم")
    window.pane.select_range(evidence, base + len(sentence))
    qtbot.keyClick(window.pane, Qt.Key_S)
    panel = window.stance_panel
    assert panel.isVisible() and panel.target.hasFocus()
    assert panel.holder.currentText().startswith("بوتين")  # pre-filled: the speaker of قال

    type_text(panel.target, "كوريا الشمالية")
    panel.target.completer().popup().hide()
    qtbot.keyClick(panel.target, Qt.Key_Return)  # target chosen: on to the polarity
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_F)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Return)
    assert not panel.isVisible()

    [(label, start, end, attrs)] = stored(project_path, "stance")
    attrs = json.loads(attrs)
    assert (label, text[start:end]) == ("FAVOR", sentence[sentence.index("روسيا ستدعم"):])
    assert attrs["holder"] == {"start": putin, "end": putin + 5, "text": "بوتين",
                               "id": window.editor.layer_spans("entity")[0].uid}
    assert attrs["target"] == {"target": "كوريا الشمالية"}
    assert window.stances.rowCount() == 1
    assert window.stances.data(window.stances.index(0, 0)) == "بوتين"

    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier)
    assert stored(project_path, "stance") == [] and window.stances.rowCount() == 0


def test_panel_refuses_to_save_without_a_polarity_and_escape_cancels(qtbot, window, project_path):
    start = window.editor.text.index("تعزيز العلاقات الثنائية")
    window.pane.select_range(start, start + 23)
    qtbot.keyClick(window.pane, Qt.Key_S)
    panel = window.stance_panel
    type_text(panel.target, "روسيا")
    panel.target.completer().popup().hide()
    panel.save()
    assert panel.isVisible() and "polarity" in panel.message.text()
    qtbot.keyClick(panel.note, Qt.Key_A, Qt.AltModifier)  # Alt+A works from a text field
    assert panel.polarity() == "AGAINST"
    qtbot.keyClick(panel.note, Qt.Key_Escape)
    assert not panel.isVisible() and stored(project_path, "stance") == []


def test_free_text_holder_and_editing_a_stance(qtbot, window, project_path):
    start = window.editor.text.index("مستوى أعلى")
    window.pane.select_range(start, start + 10)
    qtbot.keyClick(window.pane, Qt.Key_S)
    panel = window.stance_panel
    type_text(panel.target, "روسيا")
    panel.target.completer().popup().hide()
    panel.holder.setEditText("")
    type_text(panel.holder.lineEdit(), "مسؤول كوري")
    qtbot.keyClick(panel.note, Qt.Key_N, Qt.AltModifier)
    qtbot.keyClick(panel.note, Qt.Key_Return)
    [(label, _, _, attrs)] = stored(project_path, "stance")
    assert label == "NEUTRAL" and json.loads(attrs)["holder"] == {"text": "مسؤول كوري"}

    window.side_tabs.setCurrentIndex(1)
    index = window.stance_view.model().index(0, 0)
    window.stance_view.setCurrentIndex(index)
    window._stance_clicked(index)
    window.edit_selected_stance()
    assert panel.isVisible() and panel.holder.currentText() == "مسؤول كوري" and panel.polarity() == "NEUTRAL"
    qtbot.keyClick(panel.note, Qt.Key_A, Qt.AltModifier)
    qtbot.keyClick(panel.note, Qt.Key_Return)
    assert [row[0] for row in stored(project_path, "stance")] == ["AGAINST"]
    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier)
    assert [row[0] for row in stored(project_path, "stance")] == ["NEUTRAL"]


def test_document_stance_per_target_with_keys(qtbot, window, project_path):
    window.side_tabs.setCurrentIndex(2)
    view = window.doc_stance_view
    assert [window.doc_stances.target_at(r) for r in range(window.doc_stances.rowCount())] == TARGETS
    view.setFocus()
    view.setCurrentIndex(window.doc_stances.index(0, 0))
    qtbot.keyClick(view, Qt.Key_F)            # روسيا: favour
    view.setCurrentIndex(window.doc_stances.index(2, 0))
    qtbot.keyClick(view, Qt.Key_A)            # الولايات المتحدة: against
    qtbot.keyClick(view, Qt.Key_X)            # … changed to not addressed
    rows = [(label, json.loads(attrs)) for label, start, end, attrs in stored(project_path, "doc_stance")]
    assert rows == [("FAVOR", {"target": "روسيا"}), ("NONE", {"target": "الولايات المتحدة"})]
    assert all(start is None for _, start, _, _ in stored(project_path, "doc_stance"))
    assert window.doc_stances.data(window.doc_stances.index(2, 1)) == "not addressed"
    qtbot.keyClick(view, Qt.Key_Delete)
    assert len(stored(project_path, "doc_stance")) == 1
    qtbot.keyClick(view, Qt.Key_Z, Qt.ControlModifier)
    assert len(stored(project_path, "doc_stance")) == 2


def test_stance_evidence_does_not_take_entity_keys(qtbot, window, project_path):
    """Selecting a stance in the list and pressing a label key must not turn it into an entity."""
    window.editor.create_stance(10, 20, {"text": "the article", "article": True}, {"target": "روسيا"}, "FAVOR", "")
    index = window.stance_view.model().index(0, 0)
    window._stance_clicked(index)
    window.pane.setFocus()
    qtbot.keyClick(window.pane, Qt.Key_P)
    assert [row[0] for row in stored(project_path, "stance")] == ["FAVOR"] and stored(project_path, "entity") == []


def test_renaming_an_entity_type_renames_every_annotation_and_undoes_in_one_step(qtbot, window, project_path):
    text = window.editor.text
    for words in ("فلاديمير بوتين", "كيم جونغ أون"):
        start = text.index(words)
        window.pane.select_range(start, start + len(words))
        qtbot.keyClick(window.pane, Qt.Key_P)
    window.schema_editor.rename("entity", "PERS", "PERSON")
    assert [row[0] for row in stored(project_path, "entity")] == ["PERSON", "PERSON"]
    assert "PERSON" in window.palette.buttons and "PERS" not in window.palette.buttons
    assert {s.label for s in window.pane.spans()} == {"PERSON"}
    assert window.annotations.data(window.annotations.index(0, 0)) == "PERSON"
    start = text.index("بيونغ يانغ")
    window.pane.select_range(start, start + 10)
    qtbot.keyClick(window.pane, Qt.Key_P)  # the key follows the renamed type
    assert sorted(row[0] for row in stored(project_path, "entity")) == ["PERSON"] * 3
    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier)  # the last span
    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier)  # the rename, in one step
    assert [row[0] for row in stored(project_path, "entity")] == ["PERS", "PERS"]
    assert "PERS" in window.palette.buttons


def test_stance_models_pass_the_model_tester(qtmodeltester):
    from app.project import Span
    from ui.stancelists import DocStanceModel, StanceListModel

    stance = Span(1, "amal", "stance", "AGAINST", 0, 5,
                  attrs={"holder": {"text": "the article", "article": True}, "target": {"target": "روسيا"}})
    stances = StanceListModel()  # kept referenced: Qt's tester holds a raw pointer
    stances.set_spans("روسيا ستدعم", [stance])
    qtmodeltester.check(stances)
    assert stances.data(stances.index(0, 1)) == "روسيا"
    documents = DocStanceModel()
    documents.set_state(TARGETS, [Span(1, "amal", "doc_stance", "NONE", None, None, attrs={"target": "أوكرانيا"})])
    qtmodeltester.check(documents)
    assert documents.data(documents.index(3, 1)) == "not addressed" and documents.data(documents.index(0, 1)) == "—"


def arabic_key(widget, char, key):
    for kind in (QEvent.KeyPress, QEvent.KeyRelease):
        QApplication.sendEvent(widget, QKeyEvent(kind, key, Qt.NoModifier, char))


def open_panel_on(qtbot, window, words):
    start = window.editor.text.index(words)
    window.pane.select_range(start, start + len(words))
    window.pane.setFocus()
    qtbot.keyClick(window.pane, Qt.Key_S)
    return window.stance_panel


def test_the_documented_keystrokes_with_the_completion_popup_open(qtbot, window, project_path):
    """S, type part of a target, Enter (taken by the popup), F, Enter: as the README says."""
    panel = open_panel_on(qtbot, window, "تعزيز العلاقات الثنائية")
    type_text(panel.target, "روس")
    popup = panel.target.completer().popup()
    assert popup.isVisible()
    qtbot.keyClick(popup, Qt.Key_Return)
    assert panel.target.text() == "روسيا" and not popup.isVisible()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_F)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Return)
    assert [(label, json.loads(attrs)["target"]) for label, _, _, attrs in stored(project_path, "stance")] == [
        ("FAVOR", {"target": "روسيا"})]


def test_alt_f_chooses_favour_instead_of_opening_the_file_menu(qtbot, window):
    panel = open_panel_on(qtbot, window, "تعزيز العلاقات الثنائية")
    panel.note.setFocus()
    qtbot.keyClick(panel.note, Qt.Key_F, Qt.AltModifier)
    assert panel.polarity() == "FAVOR" and panel.note.text() == ""


def test_polarity_and_document_stance_keys_work_with_the_arabic_layout(qtbot, window, project_path):
    panel = open_panel_on(qtbot, window, "تعزيز العلاقات الثنائية")
    button = panel.buttons.buttons()[1]
    button.setFocus()
    arabic_key(button, "ب", 0x0628)  # the F key on the Arabic (101) layout
    assert panel.polarity() == "FAVOR"
    panel.hide()
    view = window.doc_stance_view
    view.setFocus()
    view.setCurrentIndex(window.doc_stances.index(1, 0))
    arabic_key(view, "ش", 0x0634)  # the A key
    assert [row[0] for row in stored(project_path, "doc_stance")] == ["AGAINST"]


def test_delete_in_the_stance_list_deletes_the_stance_not_the_selected_entity(qtbot, window, project_path):
    text = window.editor.text
    putin = text.index("فلاديمير بوتين")
    window.pane.select_range(putin, putin + 14)
    qtbot.keyClick(window.pane, Qt.Key_P)  # the entity is now selected in the text
    window.editor.create_stance(10, 20, {"text": "the article", "article": True}, {"target": "روسيا"}, "FAVOR", "")
    window.side_tabs.setCurrentIndex(1)
    window.stance_view.setFocus()
    window.stance_view.setCurrentIndex(window.stance_view.model().index(0, 0))
    window._select_span(window.editor.layer_spans("entity")[0], scroll=False)  # text selection moves on
    qtbot.keyClick(window.stance_view, Qt.Key_Delete)
    assert stored(project_path, "stance") == [] and len(stored(project_path, "entity")) == 1


def test_undo_while_editing_closes_the_panel_instead_of_editing_a_deleted_stance(qtbot, window, project_path):
    window.editor.create_stance(10, 20, {"text": "the article", "article": True}, {"target": "روسيا"}, "FAVOR", "")
    window._stance_clicked(window.stance_view.model().index(0, 0))
    window.edit_selected_stance()
    assert window.stance_panel.isVisible()
    window.editor.undo_stack.undo()
    assert not window.stance_panel.isVisible() and stored(project_path, "stance") == []


def test_editing_a_stance_whose_holder_entity_was_deleted_keeps_the_stored_holder(qtbot, window, project_path):
    text = window.editor.text
    putin = text.index("فلاديمير بوتين")
    window.pane.select_range(putin, putin + 14)
    qtbot.keyClick(window.pane, Qt.Key_P)
    [entity] = window.editor.layer_spans("entity")
    holder = {"start": putin, "end": putin + 14, "text": "فلاديمير بوتين", "id": entity.uid}
    window.editor.create_stance(10, 20, holder, {"target": "روسيا"}, "FAVOR", "")
    window.editor.delete([entity])
    window._stance_clicked(window.stance_view.model().index(0, 0))
    window.edit_selected_stance()
    panel = window.stance_panel
    qtbot.keyClick(panel.note, Qt.Key_A, Qt.AltModifier)
    qtbot.keyClick(panel.note, Qt.Key_Return)
    [(label, _, _, attrs)] = stored(project_path, "stance")
    assert label == "AGAINST" and json.loads(attrs)["holder"] == holder
