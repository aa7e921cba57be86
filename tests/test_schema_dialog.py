"""The schema dialog and the guidelines panel, driven with clicks and keys; then the database is checked."""

import json
import sqlite3
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QUndoStack
from PySide6.QtWidgets import QColorDialog, QInputDialog, QMessageBox

from app import schema
from app.project import Project, Span
from tests.conftest import add_document
from ui.guidelines import GuidelinesPanel
from ui.schemacommands import SchemaEditor
from ui.schemadialog import SchemaDialog

TEXT = "قال بوتين إن روسيا ستدعم كوريا الشمالية، وقال كيم إن روسيا على حق"


def plain(text: str) -> str:
    """Without the invisible isolates that keep Arabic names from reordering English messages."""
    return text.replace("\u2068", "").replace("\u2069", "")


def rows(project_path) -> list[tuple]:
    connection = sqlite3.connect(project_path)
    try:
        return connection.execute("SELECT uid, label, attrs FROM annotations ORDER BY uid").fetchall()
    finally:
        connection.close()


def labels_in_file(project_path, layer="entity") -> list[tuple]:
    connection = sqlite3.connect(project_path)
    try:
        return connection.execute("SELECT name, color, shortcut FROM labels WHERE layer = ? ORDER BY position, id",
                                  (layer,)).fetchall()
    finally:
        connection.close()


@pytest.fixture
def spans(project):
    doc = add_document(project, TEXT)
    word = lambda w: (TEXT.index(w), TEXT.index(w) + len(w))  # noqa: E731
    return project.add_annotations([
        Span(doc, "amal", "entity", "PERS", *word("بوتين")),
        Span(doc, "huda", "entity", "PERS", *word("بوتين")),
        Span(doc, "amal", "entity", "PERS", *word("كيم")),
        Span(doc, "amal", "entity", "GPE", *word("روسيا")),
    ])


@pytest.fixture
def owner(project):
    """What the main window hands over: the project and the window's undo stack."""
    return SimpleNamespace(project=project, undo_stack=QUndoStack())


@pytest.fixture
def dialog(qtbot, owner, spans):
    dialog = SchemaDialog(owner)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


@pytest.fixture
def problems(dialog, monkeypatch):
    shown = []
    monkeypatch.setattr(dialog, "show_problem", lambda title, text: shown.append((title, text)))
    return shown


def answer_text(monkeypatch, *answers):
    """The next QInputDialog.getText calls return these answers (None: the analyst cancels)."""
    queue = list(answers)
    asked = []

    def get_text(parent, title, prompt, *args, **kwargs):
        asked.append((title, prompt, kwargs.get("text", "")))
        answer = queue.pop(0)
        return ("", False) if answer is None else (answer, True)

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(get_text))
    return asked


def click_row(qtbot, dialog, layer: str, name: str) -> None:
    tab = dialog.tabs[layer]
    dialog.tab_widget.setCurrentWidget(tab)
    index = tab.model.index(tab.model.row_of(name), 0)
    qtbot.mouseClick(tab.view.viewport(), Qt.LeftButton, pos=tab.view.visualRect(index).center())
    assert tab.current_name() == name


def click(qtbot, dialog, layer: str, button: str) -> None:
    qtbot.mouseClick(dialog.tabs[layer].buttons[button], Qt.LeftButton)


def shown_rows(dialog, layer="entity") -> list[tuple[str, str]]:
    model = dialog.tabs[layer].model
    used = model.columns.index("Used by")
    return [(model.index(r, 0).data(), model.index(r, used).data()) for r in range(model.rowCount())]


# ---- rename ---------------------------------------------------------------------
def test_rename_through_the_dialog_renames_every_annotation_and_undo_restores_them(
        qtbot, dialog, owner, project_path, monkeypatch):
    before = rows(project_path)
    asked = answer_text(monkeypatch, "PERSON")
    click_row(qtbot, dialog, "entity", "PERS")
    with qtbot.waitSignal(dialog.schemaChanged) as changed:
        click(qtbot, dialog, "entity", "Rename…")

    assert changed.args == ["entity"]
    assert [(title, plain(prompt), text) for title, prompt, text in asked] == [("Rename", "New name for PERS:", "PERS")]
    assert [label for _, label, _ in rows(project_path)].count("PERSON") == 3
    assert "PERS" not in [label for _, label, _ in rows(project_path)]
    assert labels_in_file(project_path)[0][0] == "PERSON"
    assert shown_rows(dialog)[0] == ("PERSON", "3")
    assert dialog.tabs["entity"].current_name() == "PERSON"
    assert owner.undo_stack.count() == 1 and plain(owner.undo_stack.undoText()) == "Rename PERS → PERSON"

    qtbot.keyClick(dialog.tabs["entity"].view, Qt.Key_Z, Qt.ControlModifier)  # undo, from inside the dialog
    assert rows(project_path) == before
    assert labels_in_file(project_path)[0][0] == "PERS" and shown_rows(dialog)[0] == ("PERS", "3")

    owner.undo_stack.redo()
    assert [label for _, label, _ in rows(project_path)].count("PERSON") == 3


def test_f2_renames_the_selected_target_and_its_stances(qtbot, dialog, project, project_path, spans, monkeypatch):
    schema.add_label(project, schema.LabelDef("stance_target", "روسيا", "#d62728", None))
    doc = spans[0].document_id
    project.add_annotations([
        Span(doc, "amal", "stance", "FAVOR", 0, 9, {"holder": {"text": "بوتين"}, "target": {"target": "روسيا"}}),
        Span(doc, "amal", "doc_stance", "FAVOR", None, None, {"target": "روسيا"}),
    ])
    dialog.tabs["stance_target"].reload()
    answer_text(monkeypatch, "روسيا الاتحادية")
    click_row(qtbot, dialog, "stance_target", "روسيا")
    qtbot.keyClick(dialog.tabs["stance_target"].view, Qt.Key_F2)

    targets = [json.loads(attrs)["target"] for _, label, attrs in rows(project_path) if attrs != "{}"]
    assert sorted(map(str, targets)) == sorted(map(str, [{"target": "روسيا الاتحادية"}, "روسيا الاتحادية"]))
    assert shown_rows(dialog, "stance_target") == [("روسيا الاتحادية", "2")]


def test_a_rename_to_a_taken_name_is_refused_with_a_message(qtbot, dialog, owner, project_path, problems,
                                                           monkeypatch):
    before = rows(project_path)
    answer_text(monkeypatch, "LOC")
    click_row(qtbot, dialog, "entity", "PERS")
    click(qtbot, dialog, "entity", "Rename…")
    assert problems == [("Not renamed", "There is already an entity type called LOC.")]
    assert rows(project_path) == before and owner.undo_stack.count() == 0


# ---- delete ------------------------------------------------------------------------
def test_delete_asks_with_the_count_and_undo_restores_label_and_annotations(
        qtbot, dialog, owner, project_path, monkeypatch):
    before, schema_before = rows(project_path), labels_in_file(project_path)
    answers, asked = [False, True], []
    monkeypatch.setattr(dialog, "confirm_delete", lambda name, count: asked.append((name, count)) or answers.pop(0))
    click_row(qtbot, dialog, "entity", "PERS")

    click(qtbot, dialog, "entity", "Delete…")  # the analyst says no
    assert asked == [("PERS", 3)] and rows(project_path) == before and owner.undo_stack.count() == 0

    click(qtbot, dialog, "entity", "Delete…")  # and then yes
    assert [label for _, label, _ in rows(project_path)] == ["GPE"]
    assert "PERS" not in [name for name, _, _ in labels_in_file(project_path)]
    assert "PERS" not in [name for name, _ in shown_rows(dialog)]

    owner.undo_stack.undo()
    assert rows(project_path) == before and labels_in_file(project_path) == schema_before
    assert shown_rows(dialog)[0] == ("PERS", "3")


def test_the_delete_question_names_the_label_and_the_count(dialog, monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        staticmethod(lambda parent, title, text, *rest: asked.append(text) or QMessageBox.No))
    assert dialog.confirm_delete("PERS", 12) is False
    assert asked[0].startswith("\u2068PERS\u2069 is used by 12 annotations. Delete the label and those annotations?")


def test_an_unused_label_is_deleted_without_asking(qtbot, dialog, project_path, monkeypatch):
    monkeypatch.setattr(dialog, "confirm_delete", lambda *_: pytest.fail("asked about an unused label"))
    click_row(qtbot, dialog, "boilerplate", "newsletter")
    qtbot.keyClick(dialog.tabs["boilerplate"].view, Qt.Key_Delete)
    assert "newsletter" not in [name for name, _, _ in labels_in_file(project_path, "boilerplate")]


# ---- keys ----------------------------------------------------------------------------
@pytest.mark.parametrize("key, message", [
    ("p", "The key P is already used by PERS."),
    ("S", "The key S is reserved to make a stance."),
    ("LL", "A key is one letter A–Z or one digit 0–9 (not “LL”)."),
])
def test_a_key_clash_is_refused_naming_the_clash(qtbot, dialog, owner, project_path, problems, monkeypatch,
                                                 key, message):
    answer_text(monkeypatch, key)
    click_row(qtbot, dialog, "entity", "LOC")
    click(qtbot, dialog, "entity", "Change key…")
    assert problems == [("Key not changed", message)]
    assert ("LOC", "#3cb44b", "L") in labels_in_file(project_path) and owner.undo_stack.count() == 0


def test_keys_colours_order_and_new_labels_are_each_one_undo_step(qtbot, dialog, owner, project_path, monkeypatch):
    original = labels_in_file(project_path)
    answer_text(monkeypatch, "x", "WEAPON")
    monkeypatch.setattr(QColorDialog, "getColor", staticmethod(lambda *args: QColor("#123456")))
    click_row(qtbot, dialog, "entity", "LOC")
    click(qtbot, dialog, "entity", "Change key…")
    click(qtbot, dialog, "entity", "Change colour…")
    click(qtbot, dialog, "entity", "Move up")
    click(qtbot, dialog, "entity", "Add…")

    assert labels_in_file(project_path)[0] == ("LOC", "#123456", "X")
    # The first free colour (LOC gave up its green) and the first free letter.
    assert labels_in_file(project_path)[-1] == ("WEAPON", "#3cb44b", "W")
    assert dialog.tabs["entity"].current_name() == "WEAPON"
    assert owner.undo_stack.count() == 4
    for _ in range(4):
        owner.undo_stack.undo()
    assert labels_in_file(project_path) == original
    assert [name for name, _ in shown_rows(dialog)] == [name for name, _, _ in original]


def test_buttons_that_need_a_selection_wait_for_one(qtbot, owner, spans):
    dialog = SchemaDialog(owner)
    qtbot.addWidget(dialog)
    tab = dialog.tabs["stance_target"]  # no targets in a new project
    assert tab.model.rowCount() == 0
    assert tab.buttons["Add…"].isEnabled() and not tab.buttons["Rename…"].isEnabled()
    assert "Change key…" not in tab.buttons  # only entity types have keys


# ---- schema files ------------------------------------------------------------------------
def test_loading_a_schema_without_a_used_label_shows_the_conflict_and_changes_nothing(
        qtbot, dialog, owner, project_path, problems, tmp_path, monkeypatch):
    path = tmp_path / "small.json"
    path.write_text(json.dumps({"entity": [{"name": "GPE", "color": "#f58231", "shortcut": "G"}]}))
    before = labels_in_file(project_path)
    monkeypatch.setattr(dialog, "ask_load_path", lambda: str(path))
    qtbot.mouseClick(dialog.load_button, Qt.LeftButton)
    [(title, text)] = problems
    assert title == "Schema not loaded" and "PERS (entity) is used by 3 annotations" in text
    assert labels_in_file(project_path) == before and owner.undo_stack.count() == 0


def test_save_then_load_a_schema_through_the_dialog_is_one_undo_step(
        qtbot, dialog, owner, project, project_path, problems, tmp_path, monkeypatch):
    path = tmp_path / "schema.toml"
    monkeypatch.setattr(dialog, "ask_save_path", lambda: str(path))
    qtbot.mouseClick(dialog.save_button, Qt.LeftButton)
    assert "[[entity]]" in path.read_text(encoding="utf-8")

    original = labels_in_file(project_path)
    schema.delete_label(project, "entity", "MISC")  # then the file brings MISC back
    monkeypatch.setattr(dialog, "ask_load_path", lambda: str(path))
    qtbot.mouseClick(dialog.load_button, Qt.LeftButton)
    assert problems == [] and labels_in_file(project_path) == original
    assert "MISC" in [name for name, _ in shown_rows(dialog)]
    owner.undo_stack.undo()
    assert "MISC" not in [name for name, _, _ in labels_in_file(project_path)]


def test_a_broken_schema_file_is_reported_by_name(qtbot, dialog, problems, tmp_path, monkeypatch):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    monkeypatch.setattr(dialog, "ask_load_path", lambda: str(path))
    qtbot.mouseClick(dialog.load_button, Qt.LeftButton)
    [(title, text)] = problems
    assert title == "Schema not loaded" and text.startswith(f"{path}: is not valid JSON")


def test_the_schema_editor_is_shared_per_undo_stack(owner, qtbot, spans):
    first = SchemaDialog(owner)
    second = SchemaDialog(owner)
    qtbot.addWidget(first)
    qtbot.addWidget(second)
    assert first.editor is second.editor is SchemaEditor.of(owner)
    assert SchemaDialog(first.editor).editor is first.editor


# ---- guidelines -------------------------------------------------------------------------------
@pytest.fixture
def panel(qtbot, project):
    from ui.fonts import load_bundled_fonts

    load_bundled_fonts()  # as the app does: without the Arabic face, run alone, lines wrap elsewhere
    panel = GuidelinesPanel(project)
    qtbot.addWidget(panel)
    panel.resize(600, 500)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_guidelines_are_edited_saved_to_the_project_and_shown_right_to_left(qtbot, panel, project_path):
    assert "Annotation guidelines" in panel.browser.toPlainText() and not panel.editing()
    assert not panel.save_button.isVisible()

    qtbot.mouseClick(panel.edit_button, Qt.LeftButton)
    assert panel.editing() and panel.save_button.isVisible()
    assert panel.source.toPlainText().startswith("# Annotation guidelines")
    panel.source.selectAll()
    qtbot.keyClicks(panel.source, "# Rules")
    qtbot.keyClick(panel.source, Qt.Key_Return)
    qtbot.keyClick(panel.source, Qt.Key_Return)
    panel.source.insertPlainText("لا تعلّم الألقاب مثل الرئيس.")  # as an input method would: QTest types Latin-1 only
    with qtbot.waitSignal(panel.guidelinesChanged):
        qtbot.mouseClick(panel.save_button, Qt.LeftButton)

    assert not panel.editing() and "لا تعلّم الألقاب" in panel.browser.toPlainText()
    reopened = Project.open(project_path)
    try:
        assert schema.guidelines(reopened) == "# Rules\n\nلا تعلّم الألقاب مثل الرئيس."
    finally:
        reopened.close()
    arabic = panel.browser.document().findBlock(panel.browser.toPlainText().index("لا تعلّم"))
    assert arabic.textDirection() == Qt.RightToLeft


def test_cancel_keeps_the_stored_guidelines(qtbot, panel, project):
    qtbot.mouseClick(panel.edit_button, Qt.LeftButton)
    qtbot.keyClicks(panel.source, "scribble")
    qtbot.mouseClick(panel.cancel_button, Qt.LeftButton)
    assert not panel.editing() and schema.guidelines(project) == schema.default_guidelines()
    assert "scribble" not in panel.browser.toPlainText()


def test_arabic_guideline_paragraphs_lay_out_right_to_left(panel):
    """Each block takes its direction from its first letter: Arabic examples are flush right, English flush left."""
    found = {}
    block = panel.browser.document().begin()
    while block.isValid():
        if block.text().startswith(("وقال بوتين إن روسيا", "These are the project")):
            line = block.layout().lineAt(0)
            text = line.naturalTextRect()
            found[block.text()[:5]] = (block.textDirection(), text.left() - line.x(),
                                       line.x() + line.width() - text.right())
        block = block.next()
    arabic_direction, arabic_gap_left, arabic_gap_right = found["وقال "]
    english_direction, english_gap_left, _ = found["These"]
    assert arabic_direction == Qt.RightToLeft and english_direction == Qt.LeftToRight
    assert arabic_gap_right < 1 < 50 < arabic_gap_left  # a short Arabic line hangs from the right edge
    assert english_gap_left < 1
