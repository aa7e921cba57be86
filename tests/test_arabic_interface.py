"""The interface in Arabic: the main window, every dialog and dock read in Arabic and are mirrored; the
reading pane keeps each paragraph's direction; shortcuts work with the Arabic keyboard layout."""

from __future__ import annotations

import platform

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QMessageBox, QStyle

from app import settings
from app.importer import ImportReport, import_paths
from app.merge import merge_project
from app.project import Project, Span
from tests.arabic_check import english, top_level_direction_problems, visible_texts
from tests.conftest import SEED_ARTICLES, add_document, occurrence, show_window
from ui.language import apply_language


@pytest.fixture
def arabic(qapp):
    apply_language(qapp, "ar")
    yield
    apply_language(qapp, "en")


@pytest.fixture
def two_analysts(tmp_path):
    """amal's project of the demo articles with badr's work merged in, disagreeing on one span."""
    here = Project.create(tmp_path / "amal.hashiya")
    import_paths(here, SEED_ARTICLES, "amal")
    other = Project.create(tmp_path / "badr.hashiya")
    import_paths(other, SEED_ARTICLES[:1], "badr")
    doc = here.document_ids()[0]
    [their_doc] = other.document_ids()
    text = here.document_text(doc)
    here.add_annotation(Span(doc, "amal", "entity", "PERS", *occurrence(text, "بوتين")))
    here.add_annotation(Span(doc, "amal", "entity", "GPE", *occurrence(text, "روسيا")))
    other.add_annotation(Span(their_doc, "badr", "entity", "PERS", *occurrence(text, "بوتين")))
    other.add_annotation(Span(their_doc, "badr", "entity", "ORG", *occurrence(text, "روسيا")))
    other.close()
    merge_project(here, tmp_path / "badr.hashiya", "amal")
    yield here, doc
    here.close()


def user_names(project: Project) -> tuple[str, ...]:
    """What comes from the analysts' own data: label names, document names, analysts."""
    labels = tuple(text for layer in ("entity", "boilerplate", "stance_target") for label in project.labels(layer)
                   for text in (label.name, label.description) if text)
    documents = tuple(project.document_name(doc) for doc in project.document_ids())
    return (*labels, *documents, "amal", "badr", "hana", "gold", platform.platform())


def assert_arabic(widget, project: Project, *technical: str) -> None:
    """No English on `widget` but the user's own names and `technical` words (an exception's name…)."""
    texts = visible_texts(widget)
    assert texts, f"{type(widget).__name__} shows no text"
    untranslated = english(texts, (*user_names(project), *technical))
    assert not untranslated, "English left in the Arabic interface:\n" + "\n".join(
        f"  {where}: {text!r}" for where, text in untranslated)
    assert not top_level_direction_problems([widget]), f"{type(widget).__name__} is not right to left"


def test_the_main_window_and_its_docks_read_in_arabic_and_are_mirrored(arabic, qtbot, two_analysts, tmp_path):
    project, doc = two_analysts
    window = show_window(qtbot, project, "hana")
    window.resize(1400, 900)
    window.editor.open_document(doc)
    for dock in (window.guidelines_dock, window.corpus_dock, window.suggestions_dock, window.boilerplate_dock):
        dock.show()
    window.start_review("amal", "badr")
    qtbot.wait(50)
    assert_arabic(window, project)
    # Mirrored: the document list is right of the reading pane, the labels left of it.
    def x(widget):
        return widget.mapTo(window, QPoint(0, 0)).x()
    assert x(window.document_view) > x(window.pane) > x(window.palette_area)
    assert window.menuBar().actions()[0].menu().layoutDirection() == Qt.RightToLeft
    # No access-letter underline under Arabic letters (it reads as a kasra): Alt+letter works all the same.
    assert QApplication.style().styleHint(QStyle.SH_UnderlineShortcut) == 0
    # Shortcuts drawn left to right in the menus (Ctrl++ not ++Ctrl), by a style given to the menus alone.
    from ui.language import MenuShortcutStyle

    menus = [action.menu() for action in window.menuBar().actions()] + [window.recent_menu]
    assert all(isinstance(menu.style(), MenuShortcutStyle) for menu in menus)
    assert not isinstance(window.document_view.style(), MenuShortcutStyle)
    window.grab().save(str(tmp_path / "main-ar.png"))


def test_every_dialog_reads_in_arabic(arabic, qtbot, two_analysts):
    from ui.about import AboutDialog
    from ui.dashboard import AgreementDashboard
    from ui.exporting import ExportDialog
    from ui.preferences import PreferencesDialog, saved_preferences
    from ui.review import ChooseAnalysts
    from ui.schemadialog import SchemaDialog

    project, doc = two_analysts
    window = show_window(qtbot, project, "amal")
    dashboard = AgreementDashboard(project, ["amal", "badr"], window)
    dialogs = [ExportDialog(window, project, "amal"), SchemaDialog(window.schema_editor, window),
               AboutDialog(project, window), PreferencesDialog(saved_preferences("amal"), window),
               ChooseAnalysts(["amal", "badr"], window), dashboard]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
    qtbot.waitUntil(lambda: dashboard.summary.text() != "", timeout=10_000)
    for dialog in dialogs:
        assert_arabic(dialog, project)


def test_the_crash_dialog_and_the_welcome_question_read_in_arabic(arabic, qtbot, project, tmp_path):
    """What a crash shows is Arabic; the report it copies for developers (the traceback) stays as Python wrote it."""
    import sys

    from PySide6.QtWidgets import QInputDialog

    from app.crashlog import CrashReport
    from ui.crash import CrashDialog, qt_versions

    try:
        raise KeyError("x")
    except KeyError:
        report = CrashReport.of(*sys.exc_info(), qt_versions())
    dialog = CrashDialog(report, tmp_path / "hashiya.log", None)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.details.hide()  # the traceback and versions: for developers, in English
    assert_arabic(dialog, project, "KeyError: 'x'")  # what Python said, quoted as it said it

    def answer():
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QInputDialog) and w.isVisible())
        box.findChild(QLineEdit).hide()  # the name asked for is filled with the login name
        assert_arabic(box, project)
        box.reject()

    QTimer.singleShot(0, answer)
    from ui.main import ask_analyst

    assert ask_analyst("amal") is None


def test_the_stance_panel_reads_in_arabic(arabic, qtbot, two_analysts):
    project, doc = two_analysts
    window = show_window(qtbot, project, "amal")
    window.editor.open_document(doc)
    window.pane.select_range(*occurrence(window.editor.text, "بوتين"))
    window.open_stance_panel()
    assert window.stance_panel.isVisible()
    assert_arabic(window.stance_panel, project)


def test_the_import_report_reads_in_arabic(arabic, qtbot, project):
    from ui.importing import show_report

    window = show_window(qtbot, project, "amal")
    report = ImportReport(imported=["a.txt", "b.txt", "c.txt"], duplicates=["d.txt"],
                          rejected=[("e.txt", "not UTF-8 text")])
    show_report(window, report, cancelled=True)
    box = _shown_message_box(qtbot)
    assert_arabic(box, project)
    box.close()


def _shown_message_box(qtbot) -> QMessageBox:
    box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
    qtbot.addWidget(box)
    return box


def test_the_merge_report_reads_in_arabic_with_arabic_indic_digits(qapp, qtbot, two_analysts):
    from app.merge import MergeReport
    from ui.merging import show_report

    apply_language(qapp, "ar", "arabic-indic")
    try:
        project, _doc = two_analysts
        window = show_window(qtbot, project, "amal")
        show_report(window, MergeReport("badr.hashiya", added=12, updated=1, matched_documents=3,
                                        unmatched_documents=["x.txt"], annotators=["badr"]))
        box = _shown_message_box(qtbot)
        assert_arabic(box, project)
        shown = box.text() + box.informativeText()
        assert "١٢" in shown and not any(digit in shown for digit in "0123456789")
        box.close()
    finally:
        apply_language(qapp, "en")


def test_qt_s_own_file_dialog_and_buttons_read_in_arabic(arabic, qtbot, project):
    """Qt's catalogue (qtbase_ar.qm) is installed, and what it leaves in English is filled from ours."""
    from PySide6.QtWidgets import QFileDialog

    dialog = QFileDialog(None, "")
    dialog.setOption(QFileDialog.DontUseNativeDialog)
    qtbot.addWidget(dialog)
    dialog.show()
    assert_arabic(dialog, project)
    buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
    qtbot.addWidget(buttons)
    assert {button.text() for button in buttons.buttons()} == {"حسنًا", "ألغِ"}


def test_in_english_an_arabic_document_still_reads_right_to_left(qtbot, project):
    assert QApplication.style().styleHint(QStyle.SH_UnderlineShortcut) != 0  # English keeps its access letters
    doc = add_document(project, "An English paragraph.\nفقرة عربية تقرأ من اليمين.\n")
    window = show_window(qtbot, project)
    window.editor.open_document(doc)
    assert window.layoutDirection() == Qt.LeftToRight
    english_block = window.pane.document().findBlockByNumber(0)
    arabic_block = window.pane.document().findBlockByNumber(1)
    assert english_block.textDirection() == Qt.LeftToRight and arabic_block.textDirection() == Qt.RightToLeft


def test_in_arabic_an_english_document_still_reads_left_to_right(arabic, qtbot, project):
    doc = add_document(project, "An English paragraph in an Arabic interface.\nفقرة عربية.\n")
    window = show_window(qtbot, project)
    window.editor.open_document(doc)
    assert window.layoutDirection() == Qt.RightToLeft
    blocks = [window.pane.document().findBlockByNumber(n) for n in (0, 1)]
    assert [b.textDirection() for b in blocks] == [Qt.LeftToRight, Qt.RightToLeft]
    first_line = blocks[0].layout().lineAt(0)
    assert first_line.naturalTextRect().x() < 5  # starts at the left edge


def test_a_ctrl_shortcut_works_with_the_arabic_keyboard_layout(qtbot, project):
    """Ctrl and the key marked T types Ctrl+ف on the Arabic layout: Span → Trim leading clitic still runs."""
    doc = add_document(project, "قال الرئيس وبوتين في موسكو")
    window = show_window(qtbot, project)
    window.editor.open_document(doc)
    start, end = occurrence(window.editor.text, "وبوتين")
    window.pane.select_range(start, end)
    qtbot.keyClick(window.pane, Qt.Key_P)
    [span] = project.annotations(doc, "amal")
    window.pane.set_selected_span(span.uid)
    for kind in (QKeyEvent.KeyPress, QKeyEvent.KeyRelease):
        QApplication.sendEvent(window.pane, QKeyEvent(kind, 0x0641, Qt.ControlModifier, "ف"))
    [trimmed] = project.annotations(doc, "amal")
    assert (trimmed.start, trimmed.end) == (start + 1, end)


def test_preferences_are_saved_and_the_window_reopens_in_arabic(qtbot, project):
    from ui.preferences import PreferencesDialog

    import_paths(project, SEED_ARTICLES[:1], "amal")
    window = show_window(qtbot, project)

    def choose_arabic():
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, PreferencesDialog) and w.isVisible())
        dialog.language.setCurrentIndex(dialog.language.findData("ar"))
        dialog.digits.setCurrentIndex(dialog.digits.findData("arabic-indic"))
        dialog.reading_size.setValue(20)
        dialog.buttons.button(QDialogButtonBox.Ok).click()

    def agree_to_reopen():
        box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
        box.buttons()[0].click() if box.buttonRole(box.buttons()[0]) == QMessageBox.AcceptRole else \
            next(b for b in box.buttons() if box.buttonRole(b) == QMessageBox.AcceptRole).click()

    QTimer.singleShot(0, choose_arabic)
    QTimer.singleShot(100, agree_to_reopen)
    window.edit_preferences()
    reopened = window.replacement
    qtbot.addWidget(reopened)
    saved = settings.load()
    assert (saved["language"], saved["digits"], saved["reading_size"]) == ("ar", "arabic-indic", 20)
    assert reopened.layoutDirection() == Qt.RightToLeft and reopened.isVisible() and not window.isVisible()
    assert reopened.pane.font().pointSizeF() == 20
    assert reopened.editor.project is project  # the same open project: nothing was closed or lost
    assert_arabic(reopened, project)
    apply_language(QApplication.instance(), "en")
