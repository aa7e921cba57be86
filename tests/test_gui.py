"""The window driven like an analyst would: keys and mouse, then the database is checked."""

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.project import Project, Span
from tests.conftest import add_document, show_window
from ui.fonts import load_bundled_fonts
from ui.models import AnnotationListModel, DocumentListModel

TEXT = "😀 بِسْمِ اللَّهِ، قال فلاديمير بوتين إن روسيا ستدعم\nGet News Fast 🇷🇺\nوقال كيم جونغ أون"


@pytest.fixture
def window(qtbot, project):
    add_document(project, TEXT, "emoji.txt")
    add_document(project, "نص ثان قصير", "second.txt")
    return show_window(qtbot, project)


def rows(project_path):
    connection = sqlite3.connect(project_path)
    try:
        return connection.execute(
            'SELECT a.label, a.start, a."end", n.name FROM annotations a JOIN annotators n ON n.id = a.annotator_id '
            "ORDER BY a.start").fetchall()
    finally:
        connection.close()


def select_word_with_keys(qtbot, pane, words_before: int) -> None:
    """Ctrl+Home, then word moves: in a right-to-left paragraph Ctrl+Left goes forward in the text."""
    qtbot.keyClick(pane, Qt.Key_Home, Qt.ControlModifier)
    for _ in range(words_before):
        qtbot.keyClick(pane, Qt.Key_Left, Qt.ControlModifier)
    qtbot.keyClick(pane, Qt.Key_Left, Qt.ControlModifier | Qt.ShiftModifier)


def test_key_selection_and_label_key_store_exact_code_point_offsets(qtbot, window, project_path):
    pane = window.pane
    select_word_with_keys(qtbot, pane, words_before=5)
    start, end = pane.selection_range()
    assert TEXT[start:end].strip() == "بوتين"

    qtbot.keyClick(pane, Qt.Key_P)
    [(label, start, end, annotator)] = rows(project_path)
    assert (label, TEXT[start:end], annotator) == ("PERS", "بوتين", "amal")
    # The emoji before the word is two UTF-16 units but one code point.
    assert start == TEXT.index("بوتين")

    qtbot.keyClick(pane, Qt.Key_Z, Qt.ControlModifier)
    assert rows(project_path) == []
    assert window.annotations.rowCount() == 0 and pane.spans() == []
    qtbot.keyClick(pane, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert [(r[0], TEXT[r[1]:r[2]]) for r in rows(project_path)] == [("PERS", "بوتين")]
    assert window.annotations.rowCount() == 1


def test_shift_arrows_select_by_character_moving_visually_in_rtl(qtbot, window, project_path):
    pane = window.pane
    window.snap_action.trigger()  # exact selection, no snapping to words
    word = TEXT.index("روسيا")
    pane.select_range(word, word)
    for _ in range(3):
        qtbot.keyClick(pane, Qt.Key_Left, Qt.ShiftModifier)  # left is forward in Arabic
    assert pane.selection_range() == (word, word + 3)
    qtbot.keyClick(pane, Qt.Key_G)
    [(label, start, end, _)] = rows(project_path)
    assert (label, TEXT[start:end]) == ("GPE", "روس")


def test_selection_snaps_to_whole_words_and_skips_harakat_edges(qtbot, window, project_path):
    pane = window.pane
    word = TEXT.index("بِسْمِ")
    pane.select_range(word + 1, word + 3)  # from inside the word
    qtbot.keyClick(pane, Qt.Key_M)
    [(label, start, end, _)] = rows(project_path)
    assert TEXT[start:end] == "بِسْمِ"


def test_click_selects_span_then_keys_relabel_and_delete_with_undo(qtbot, window, project_path):
    pane = window.pane
    start = TEXT.index("فلاديمير بوتين")
    pane.select_range(start, start + len("فلاديمير بوتين"))
    window.apply_label("PERS")
    pane.clear_selection()
    pane.set_selected_span(None)

    cursor = pane.textCursor()
    cursor.setPosition(pane._map.to_qt(start + 3))
    point = pane.cursorRect(cursor).center()
    qtbot.mouseClick(pane.viewport(), Qt.LeftButton, pos=point)
    assert pane.selected_span() is not None and pane.selected_span().label == "PERS"

    qtbot.keyClick(pane, Qt.Key_O)
    assert [r[0] for r in rows(project_path)] == ["ORG"]
    qtbot.keyClick(pane, Qt.Key_Delete)
    assert rows(project_path) == []
    qtbot.keyClick(pane, Qt.Key_Z, Qt.ControlModifier)
    assert [r[0] for r in rows(project_path)] == ["ORG"]
    qtbot.keyClick(pane, Qt.Key_Z, Qt.ControlModifier)
    assert [r[0] for r in rows(project_path)] == ["PERS"]


def test_trim_clitic_and_grow_commands(qtbot, window, project_path):
    pane = window.pane
    start = TEXT.index("وقال")
    pane.select_range(start, start + 4)
    qtbot.keyClick(pane, Qt.Key_M)
    qtbot.keyClick(pane, Qt.Key_T, Qt.ControlModifier)
    [(_, s, e, _)] = rows(project_path)
    assert TEXT[s:e] == "قال"
    qtbot.keyClick(pane, Qt.Key_Right, Qt.AltModifier)  # extend at start
    [(_, s, e, _)] = rows(project_path)
    assert TEXT[s:e] == "وقال"
    qtbot.keyClick(pane, Qt.Key_Right, Qt.AltModifier | Qt.ShiftModifier)  # shrink at end
    [(_, s, e, _)] = rows(project_path)
    assert TEXT[s:e] == "وقا"
    qtbot.keyClick(pane, Qt.Key_Z, Qt.ControlModifier)
    qtbot.keyClick(pane, Qt.Key_Z, Qt.ControlModifier)
    [(_, s, e, _)] = rows(project_path)
    assert TEXT[s:e] == "قال"


def add_nested_person_and_org(window) -> int:
    """PERS over "فلاديمير بوتين" with ORG nested on "بوتين"; nothing left selected. Returns ORG's start."""
    outer, inner = TEXT.index("فلاديمير بوتين"), TEXT.index("بوتين")
    for start, end, label in [(outer, outer + 14, "PERS"), (inner, inner + 5, "ORG")]:
        window.pane.select_range(start, end)
        window.apply_label(label)
    window.pane.clear_selection()
    window.pane.set_selected_span(None)
    return inner


def test_nested_spans_are_all_painted(qtbot, window):
    pane = window.pane
    add_nested_person_and_org(window)
    image = pane.viewport().grab().toImage()
    colors = {QColor(image.pixel(x, y)).name() for x in range(image.width()) for y in range(0, 120)}
    pers_fill = "#" + "".join(f"{c:02x}" for c in _blend((230, 25, 75), 80))
    org_bar = "#4363d8"
    assert org_bar in colors  # the nested span is drawn as a bar
    assert any(_close(c, pers_fill) for c in colors)  # the outer one as a fill


def _blend(rgb, alpha):
    return tuple(round(c * alpha / 255 + 255 * (1 - alpha / 255)) for c in rgb)


def _close(name, target, tolerance=3):
    a, b = QColor(name), QColor(target)
    return all(abs(x - y) <= tolerance for x, y in zip(a.getRgb()[:3], b.getRgb()[:3]))


def test_arabic_paragraphs_are_right_aligned_and_latin_left(qtbot, window):
    pane = window.pane
    document = pane.document()
    arabic, latin = document.firstBlock(), document.firstBlock().next()
    assert arabic.textDirection() == Qt.RightToLeft and latin.textDirection() == Qt.LeftToRight
    width = pane.viewport().width()
    arabic_line = arabic.layout().lineAt(0)
    latin_line = latin.layout().lineAt(0)
    assert arabic_line.naturalTextRect().right() > width - 30
    assert latin_line.naturalTextRect().left() < 30


def test_document_status_is_per_analyst_and_set_from_the_window(qtbot, window, project_path):
    qtbot.keyClick(window.pane, Qt.Key_3, Qt.ControlModifier)  # mark as done
    project = Project.open(project_path)
    doc = project.document_ids()[0]
    assert project.status(doc, "amal") == "done" and project.status(doc, "huda") == "new"
    project.close()
    assert window.documents.data(window.documents.index(0, 1)) == "done"


def test_the_document_row_follows_edits_without_reading_the_project_again(qtbot, window, project_path,
                                                                           monkeypatch):
    """Adding, marking, undoing and deleting adjust the list's row from the change itself; it is read again
    only when its status may move on (the first span) or its length is not known (the first boilerplate)."""
    project, documents = window.editor.project, window.documents
    reads = []
    read_rows = project.document_rows
    monkeypatch.setattr(project, "document_rows", lambda ids, who: reads.append(list(ids)) or read_rows(ids, who))

    def shown():
        qtbot.wait(1)
        window.document_view.viewport().repaint()  # what the list shows now, fetched if it must be
        return [documents.data(documents.index(0, column)) for column in range(4)]

    def truth():
        seen = len(reads)
        fresh = DocumentListModel(project, "amal")
        row = [fresh.data(fresh.index(0, column)) for column in range(4)]
        del reads[seen:]  # the fresh model's own reading does not count
        return row

    def step(action, may_read: bool):
        reads.clear()
        action()
        assert shown() == truth()
        assert bool(reads) <= may_read, f"read again: {reads}"
        reads.clear()

    russia, kim = TEXT.index("روسيا"), TEXT.index("كيم جونغ أون")
    step(lambda: (window.pane.select_range(russia, russia + 5), window.apply_label("GPE")), may_read=True)
    assert window.status_box.currentText() == "in progress"
    step(lambda: (window.pane.select_range(kim, kim + 3), window.apply_label("PERS")), may_read=False)
    step(lambda: window.editor.mark_boilerplate(TEXT.index("Get"), TEXT.index("Fast") + 4), may_read=True)
    step(lambda: window.editor.mark_boilerplate(0, 1), may_read=False)
    step(window.editor.undo_stack.undo, may_read=False)
    step(window.editor.undo_stack.undo, may_read=False)  # no boilerplate left: the share goes
    step(window.editor.undo_stack.redo, may_read=False)  # marked again: its length is known by now
    marked = window.editor.layer_spans("boilerplate")[0]
    step(lambda: window.editor.move_edges(marked, marked.start, marked.end - 4, "Shrink"), may_read=False)
    step(lambda: window.editor.delete([window.pane.spans_at(kim)[0]]), may_read=False)
    assert shown()[1:3] == ["in progress", 1]  # the GPE entity: the Spans column counts entities only


def test_document_filter_and_switching(qtbot, window):
    qtbot.keyClicks(window.document_filter, "second")
    assert window.documents.rowCount() == 1
    window.document_view.selectRow(0)
    assert window.editor.text == "نص ثان قصير"
    window.document_filter.clear()
    assert window.documents.rowCount() == 2


def test_models_pass_the_model_tester(qtmodeltester, project):
    for index in range(5):
        add_document(project, f"نص رقم {index}", f"{index}.txt")
    documents = DocumentListModel(project, "amal")  # kept referenced: Qt's tester holds a raw pointer
    qtmodeltester.check(documents)
    documents.set_filter("رقم")
    spans = AnnotationListModel()
    spans.set_document("قال بوتين", [Span(1, "amal", "entity", "PERS", 4, 9)])
    qtmodeltester.check(spans)
    spans.add_spans([Span(1, "amal", "entity", "GPE", 0, 3)])
    spans.remove_spans({spans.span_at(1).uid})
    assert [s.label for s in spans._spans] == ["GPE"]


def test_the_span_list_fills_the_rows_it_shows_and_always_agrees_with_the_spans(qtbot, qtmodeltester):
    from ui.models import table_view

    text = "كلمة " * 3000
    spans = [Span(1, "amal", "entity", "PERS", 5 * n, 5 * n + 4) for n in range(1200)]
    model = AnnotationListModel()
    model.set_document(text, spans)
    assert model.rowCount() == 1200
    filled = [row for row in range(1200) if model.item(row, 0) is not None]
    assert filled == list(range(model.FIRST_ROWS))  # the rest when they are first shown
    view = table_view(model)
    qtbot.addWidget(view)
    view.resize(400, 300)
    view.show()
    qtbot.waitExposed(view)
    view.scrollTo(model.index(900, 0))
    qtbot.wait(20)  # the view paints the rows scrolled in
    shown = range(view.rowAt(0), view.rowAt(view.viewport().height() - 1) + 1)
    assert 900 in shown and all(model.item(row, 0).text() == "PERS" for row in shown)
    assert all(int(model.item(row, 2).text()) == spans[row].start for row in shown)

    model.add_spans([Span(1, "amal", "entity", "GPE", 1, 3), Span(1, "amal", "entity", "GPE", 5 * 1100, 5 * 1100 + 4)])
    model.remove_spans({spans[0].uid})
    model.make_cells(0, model.rowCount() - 1)
    rows = [(model.item(row, 0).text(), int(model.item(row, 2).text())) for row in range(model.rowCount())]
    assert rows == [(s.label, s.start) for s in model._spans] and len(rows) == 1201
    assert rows[0] == ("GPE", 1) and ("GPE", 5500) in rows
    qtmodeltester.check(model)


def test_zoom_changes_the_reading_font(qtbot, window):
    before = window.pane.font().pointSizeF()
    qtbot.keyClick(window.pane, Qt.Key_Plus, Qt.ControlModifier)
    assert window.pane.font().pointSizeF() == before + 1
    qtbot.keyClick(window.pane, Qt.Key_Minus, Qt.ControlModifier)
    assert window.pane.font().pointSizeF() == before


def test_text_in_the_pane_is_never_edited(qtbot, window):
    qtbot.keyClicks(window.pane, "xyz")
    qtbot.keyClick(window.pane, Qt.Key_Return)
    assert window.pane.toPlainText().replace("\u2029", "\n") == TEXT


def test_annotating_never_splits_the_text_into_formatted_runs(qtbot, window):
    """Highlights are painted, not char formats: a format edge inside a word breaks Arabic joining."""
    pane = window.pane
    start = TEXT.index("بوتين")
    pane.select_range(start + 1, start + 3)
    window.snap_action.trigger()
    window.apply_label("PERS")
    formats = {pane.document().findBlock(0).charFormat().toCharFormat().background().color().name()}
    assert formats == {"#000000"}
    block = pane.document().firstBlock()
    assert block.layout().formats() == []
    assert [fragment_count(block)] == [1]


def fragment_count(block):
    count, iterator = 0, block.begin()
    while not iterator.atEnd():
        count += 1
        iterator += 1
    return count


def test_span_on_the_alef_of_la_ligature_is_painted_over_the_whole_glyph(qtbot, project):
    from ui.textpane import TextPane

    load_bundled_fonts()
    pane = TextPane()
    qtbot.addWidget(pane)
    pane.resize(500, 120)
    text = "قال: لا سلام"
    alef = text.index("لا") + 1
    pane.show_document(text, [Span(1, "a", "entity", "PERS", alef, alef + 1)], {"PERS": QColor("#ff0000")})
    pane.show()
    qtbot.waitExposed(pane)
    line = pane.document().firstBlock().layout().lineAt(0)
    assert len(line.glyphRuns(alef - 1, 2)[0].glyphIndexes()) == 1  # لا is one ligature glyph
    image = pane.viewport().grab().toImage()
    fill = "#" + "".join(f"{c:02x}" for c in _blend((255, 0, 0), 80))
    reddish = [x for x in range(image.width()) for y in range(image.height())
               if _close(QColor(image.pixel(x, y)).name(), fill, 6)]
    layout = pane.document().firstBlock().layout()
    glyph = line.glyphRuns(alef - 1, 2)[0].boundingRect().translated(layout.position())
    assert len(reddish) > 20
    assert glyph.left() - 1 <= min(reddish) and max(reddish) <= glyph.right() + 1


def test_an_edit_that_cannot_be_saved_is_reported_and_not_shown(qtbot, window, project_path, monkeypatch):
    from sqlalchemy.exc import OperationalError

    def disk_full(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(window.editor.project, "add_annotations", disk_full)
    shown = []
    window.editor.writeFailed.connect(shown.append)
    monkeypatch.setattr("ui.mainwindow.QMessageBox.warning", lambda *args: None)
    start = TEXT.index("روسيا")
    window.pane.select_range(start, start + 5)
    qtbot.keyClick(window.pane, Qt.Key_G)
    assert shown and "could not be saved" in shown[0] and "disk is full" in shown[0]
    assert window.pane.spans() == [] and window.annotations.rowCount() == 0
    assert window.editor.undo_stack.count() == 0 and rows(project_path) == []


def test_redo_restores_the_same_annotation_with_its_creation_time(qtbot, window, project_path):
    start = TEXT.index("روسيا")
    window.pane.select_range(start, start + 5)
    qtbot.keyClick(window.pane, Qt.Key_G)
    before = sqlite3.connect(project_path).execute("SELECT uid, created_at FROM annotations").fetchall()
    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier)
    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    after = sqlite3.connect(project_path).execute("SELECT uid, created_at FROM annotations").fetchall()
    assert before == after and len(after) == 1


def test_highlights_show_in_the_first_frame_of_a_long_document(qtbot):
    """Qt lays long documents out in the background; the first frame must still show the spans."""
    from ui.textpane import TextPane

    load_bundled_fonts()
    pane = TextPane()
    qtbot.addWidget(pane)
    pane.resize(700, 300)
    pane.show()
    qtbot.waitExposed(pane)
    text = "\n".join(f"الفقرة رقم {i} قال بوتين إن روسيا ستدعم كوريا الشمالية دائما" for i in range(6000))
    pane.show_document(text, [Span(1, "a", "entity", "PERS", 0, 6)], {"PERS": QColor("#ff0000")})
    image = pane.viewport().grab().toImage()  # no event processing: layout is still under way
    fill = "#" + "".join(f"{c:02x}" for c in _blend((255, 0, 0), 80))
    assert any(_close(QColor(image.pixel(x, y)).name(), fill, 6)
               for x in range(image.width()) for y in range(40))


def test_undo_and_redo_from_another_document_do_not_duplicate_spans(qtbot, window, project_path):
    start = TEXT.index("روسيا")
    window.pane.select_range(start, start + 5)
    qtbot.keyClick(window.pane, Qt.Key_G)
    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier)
    window.document_view.selectRow(1)
    assert window.editor.text == "نص ثان قصير"
    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)  # brings the first one back
    assert window.editor.text == TEXT
    assert window.annotations.rowCount() == 1 and len(window.pane.spans()) == 1
    assert window.document_view.currentIndex().row() == 0
    [span] = window.pane.spans()
    window.pane.set_selected_span(span.uid)
    window.document_view.selectRow(1)
    window.delete_action.trigger()  # nothing selected in this document: nothing happens
    window.document_view.selectRow(0)
    window.pane.set_selected_span(span.uid)
    window.pane.setFocus()
    qtbot.keyClick(window.pane, Qt.Key_Delete)
    assert rows(project_path) == [] and window.pane.spans_at(start) == []


def test_filtering_keeps_the_open_document_selected(qtbot, window):
    window.document_view.selectRow(1)
    qtbot.keyClicks(window.document_filter, ".txt")
    assert window.document_view.currentIndex().row() == 1
    qtbot.keyClick(window.pane, Qt.Key_PageUp, Qt.ControlModifier)
    assert window.editor.text == TEXT


def test_label_keys_work_with_the_arabic_keyboard_layout(qtbot, window, project_path):
    start = TEXT.index("بوتين")
    window.pane.select_range(start, start + 5)
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    # What the P key delivers with the Arabic (101) layout active (QTest cannot type non-Latin keys).
    for kind in (QEvent.KeyPress, QEvent.KeyRelease):
        QApplication.sendEvent(window.pane, QKeyEvent(kind, 0x062D, Qt.NoModifier, "ح"))
    [(label, s, e, _)] = rows(project_path)
    assert (label, TEXT[s:e]) == ("PERS", "بوتين")


def test_clicking_a_nested_span_again_selects_the_enclosing_one(qtbot, window):
    pane = window.pane
    inner = add_nested_person_and_org(window)
    cursor = pane.textCursor()
    cursor.setPosition(pane._map.to_qt(inner + 2))
    point = pane.cursorRect(cursor).center()
    labels = []
    for _ in range(3):
        qtbot.mouseClick(pane.viewport(), Qt.LeftButton, pos=point)
        labels.append(pane.selected_span().label)
        qtbot.wait(400)  # not a double click
    assert labels == ["ORG", "PERS", "ORG"]
