"""What a new analyst's first session tripped over: the Spans column, the proposals header, emoji, where
file dialogs open, and --analyst."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextLayout
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app import settings
from tests.conftest import ROOT, add_document, occurrence, show_window
from ui.fonts import BUNDLED_EMOJI_FAMILY, SYSTEM_EMOJI_FAMILIES


@pytest.fixture
def window(qtbot, demo_window):
    qtbot.waitUntil(demo_window.isActiveWindow)  # a window shortcut needs its window active
    return demo_window


def layers(project_path) -> list[str]:
    connection = sqlite3.connect(project_path)
    try:
        return sorted(layer for (layer,) in connection.execute("SELECT layer FROM annotations"))
    finally:
        connection.close()


# ---- the document list's Spans column ------------------------------------------------------------------

def test_the_spans_column_counts_entity_spans_not_stances_or_boilerplate(qtbot, window, project_path):
    text = window.editor.text
    window.pane.select_range(*occurrence(text, "بوتين"))
    qtbot.keyClick(window.pane, Qt.Key_P)
    window.pane.select_range(*occurrence(text, "2024-06-19 | 02:33"))
    qtbot.keyClick(window.pane, Qt.Key_B)  # the date line is boilerplate
    start, end = occurrence(text, "روسيا ستدعم كوريا الشمالية")
    window.editor.create_stance(start, end, {"text": "بوتين"}, {"text": "كوريا الشمالية"}, "FAVOR", "")
    assert layers(project_path) == ["boilerplate", "entity", "stance"]
    documents = window.documents
    row = documents.row_of(window.editor.document_id)
    assert documents.index(row, 2).data() == 1  # the PERS span only
    assert documents.index(row, documents.BOILERPLATE_COLUMN).data().endswith("%")


# ---- the proposals header -----------------------------------------------------------------------------

def propose(qtbot, window, needle: str, key) -> object:
    window.pane.select_range(*occurrence(window.editor.text, needle))
    window.pane.setFocus()
    qtbot.keyClick(window.pane, key)  # the new span is selected
    qtbot.keyClick(window.pane, Qt.Key_A, Qt.ControlModifier | Qt.ShiftModifier)
    panel = window.suggestions
    qtbot.waitUntil(lambda: not panel.running(), timeout=20_000)
    return panel


def header_count(panel) -> str:
    return panel.title.text().rsplit(": ", 1)[1]


def test_the_proposals_header_always_matches_the_list(qtbot, window):
    panel = propose(qtbot, window, "روسيا", Qt.Key_G)
    listed = panel.model.rowCount()
    assert listed > 3 and header_count(panel) == f"{listed} proposal(s)"
    qtbot.keyClick(panel.view, Qt.Key_A)
    assert header_count(panel) == f"{listed - 1} proposal(s)"
    qtbot.keyClick(panel.view, Qt.Key_R)
    assert header_count(panel) == f"{listed - 2} proposal(s)"
    qtbot.keyClick(panel.view, Qt.Key_A, Qt.ShiftModifier)  # accept all
    assert panel.model.rowCount() == 0 and header_count(panel) == "0 proposal(s)"

    panel = propose(qtbot, window, "بوتين", Qt.Key_P)  # a new search
    assert panel.model.rowCount() > 0 and header_count(panel) == f"{panel.model.rowCount()} proposal(s)"
    assert "بوتين" in panel.title.text()
    qtbot.keyClick(panel.view, Qt.Key_R, Qt.ShiftModifier)  # reject all
    assert header_count(panel) == "0 proposal(s)"


def test_a_list_cut_at_its_limit_says_how_many_are_left(qtbot, window, monkeypatch):
    monkeypatch.setattr("ui.suggestions.MAX_PROPOSALS", 4)
    window.suggestions.scope.setCurrentIndex(1)  # the whole corpus
    panel = propose(qtbot, window, "روسيا", Qt.Key_G)
    assert header_count(panel).startswith("the first 4 proposals")
    qtbot.keyClick(panel.view, Qt.Key_A)
    assert header_count(panel).startswith("3 left of the first 4 proposals")


# ---- emoji -------------------------------------------------------------------------------------------

def emoji_fonts(layout: QTextLayout, length: int) -> set[tuple[str, bool]]:
    """(font family, every glyph found) of the glyph runs that draw the first `length` UTF-16 units."""
    return {(run.rawFont().familyName(), 0 not in run.glyphIndexes()) for run in layout.glyphRuns(0, length)}


EMOJI_FAMILIES = {BUNDLED_EMOJI_FAMILY, *SYSTEM_EMOJI_FAMILIES}


def test_emoji_are_drawn_with_an_emoji_font_in_the_text_and_the_lists(qtbot, project, tmp_path):
    name = "😀🇸🇦 خبر.txt"
    add_document(project, "😀🇸🇦 قال بوتين إن روسيا ستدعم", name)
    window = show_window(qtbot, project)
    qtbot.waitUntil(lambda: window.pane.document().firstBlock().layout().lineCount() > 0)
    units = len("😀🇸🇦".encode("utf-16-le")) // 2
    in_text = emoji_fonts(window.pane.document().firstBlock().layout(), units)
    assert in_text and all(family in EMOJI_FAMILIES and found for family, found in in_text), in_text

    row = QTextLayout(name, window.document_view.font())  # a list cell draws its text the same way
    row.beginLayout()
    row.createLine()
    row.endLayout()
    in_list = emoji_fonts(row, units)
    assert in_list and all(family in EMOJI_FAMILIES and found for family, found in in_list), in_list
    window.grab().save(str(tmp_path / "emoji.png"))  # what the test saw, for a person to look at


# ---- where file dialogs open ---------------------------------------------------------------------------

@pytest.fixture
def home(tmp_path, monkeypatch):
    """A home folder with a Documents folder (QStandardPaths reads HOME on each call)."""
    folder = tmp_path / "home"
    (folder / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(folder))
    return folder


class FileDialogs:
    """QFileDialog's static functions, answering as the analyst would and recording where each opened."""

    def __init__(self, monkeypatch):
        self.opened_in: list[str] = []
        self.answers: list[str] = []
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self._file)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", self._file)
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", self._files)
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", self._folder)

    def _file(self, _parent, _caption, directory, _filter="", *rest, **options):
        self.opened_in.append(directory)
        return self.answers.pop(0), _filter.split(";;")[0]

    def _files(self, parent, caption, directory, _filter="", *rest, **options):
        path, chosen = self._file(parent, caption, directory, _filter)
        return ([path] if path else []), chosen

    def _folder(self, _parent, _caption, directory="", *rest, **options):
        self.opened_in.append(directory)
        return self.answers.pop(0)


def read_the_report(qtbot, window) -> None:
    """Close the summary an import or export shows, and give the window back the keyboard."""
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QMessageBox) and widget.isVisible():
            widget.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)


def export_with_the_keyboard(qtbot, window) -> None:
    def accept() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:  # not open yet
            return QTimer.singleShot(10, accept)
        qtbot.keyClick(dialog, Qt.Key_Return)  # the JSONL export, as offered

    QTimer.singleShot(0, accept)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_E, Qt.ControlModifier)
    qtbot.waitUntil(lambda: window._export_runner is None, timeout=20_000)
    read_the_report(qtbot, window)


def test_the_export_dialog_opens_in_documents_then_where_the_last_export_went(
        qtbot, window, home, tmp_path, monkeypatch):
    dialogs = FileDialogs(monkeypatch)
    exports = tmp_path / "exports"
    exports.mkdir()
    dialogs.answers = [str(exports / "first.jsonl"), ""]
    export_with_the_keyboard(qtbot, window)
    assert (exports / "first.jsonl").exists()
    export_with_the_keyboard(qtbot, window)  # cancelled in the file dialog
    assert [Path(opened).parent for opened in dialogs.opened_in] == [home / "Documents", exports]
    assert settings.load()["last_folders"]["export"] == str(exports)


def test_without_a_documents_folder_dialogs_open_at_home(qtbot, window, home, monkeypatch):
    (home / "Documents").rmdir()
    dialogs = FileDialogs(monkeypatch)
    dialogs.answers = [""]
    qtbot.keyClick(window.pane, Qt.Key_I, Qt.ControlModifier)
    assert dialogs.opened_in == [str(home)]


def test_import_and_project_dialogs_each_remember_their_own_folder(qtbot, window, home, tmp_path, monkeypatch):
    dialogs = FileDialogs(monkeypatch)
    texts, projects = tmp_path / "texts", tmp_path / "projects"
    texts.mkdir()
    projects.mkdir()
    (texts / "new.txt").write_text("خبر جديد عن روسيا", encoding="utf-8")
    dialogs.answers = [str(texts / "new.txt"), ""]
    qtbot.keyClick(window.pane, Qt.Key_I, Qt.ControlModifier)  # Import documents…
    qtbot.waitUntil(lambda: window._import_runner is None, timeout=20_000)
    assert window.documents.rowCount() == 6
    read_the_report(qtbot, window)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_I, Qt.ControlModifier | Qt.ShiftModifier)  # a folder: none
    dialogs.answers = [""]
    window.open_project()  # File → Open project…, cancelled: the project folder is its own
    assert dialogs.opened_in == [str(home / "Documents"), str(texts), str(home / "Documents")]
    dialogs.answers = [str(projects / "other.hashiya")]
    monkeypatch.setattr(window, "_switch_project", lambda path, create, labels: None)
    monkeypatch.setattr(window, "_ask_label_preset", lambda: "en")
    window.new_project()
    dialogs.answers = [""]
    window.open_project()
    assert dialogs.opened_in[-2:] == [str(home / "Documents" / "untitled.hashiya"), str(projects)]
    assert settings.load()["last_folders"] == {"import": str(texts), "project": str(projects)}


def test_a_remembered_folder_that_is_gone_falls_back_to_documents(qtbot, window, home, tmp_path, monkeypatch):
    settings.update(last_folders={"import": str(tmp_path / "gone")})
    dialogs = FileDialogs(monkeypatch)
    dialogs.answers = [""]
    qtbot.keyClick(window.pane, Qt.Key_I, Qt.ControlModifier)
    assert dialogs.opened_in == [str(home / "Documents")]


# ---- --analyst ------------------------------------------------------------------------------------------

RUN_THE_APP = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui.main import run_gui

app = QApplication([sys.argv[0]])

def report_and_quit():
    for widget in app.topLevelWidgets():
        if widget.isVisible() and hasattr(widget, "analyst_button"):
            print(widget.analyst_button.text())
            widget.close()
    app.quit()

QTimer.singleShot(0, report_and_quit)
sys.exit(run_gui(sys.argv[1:]))
"""


def run_the_app(*args: str) -> str:
    done = subprocess.run([sys.executable, "-c", RUN_THE_APP, *args], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_an_analyst_named_on_the_command_line_is_for_that_run_only(tmp_path):
    project = tmp_path / "corpus.hashiya"
    settings.update(analyst="amal")
    assert run_the_app(str(project), "--analyst", "Huda") == "Analyst: Huda"
    assert settings.load()["analyst"] == "amal"  # unchanged for later runs
    assert settings.load()["last_project"] == str(project.resolve())
    assert run_the_app(str(project)) == "Analyst: amal"


def test_help_says_the_analyst_option_is_for_this_run_only():
    done = subprocess.run([sys.executable, "-m", "ui.launch", "--help"], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    assert "for this run only" in " ".join(done.stdout.split())


def test_the_name_asked_on_first_run_is_saved(monkeypatch):
    from ui import main

    monkeypatch.setattr(main, "ask_analyst", lambda current: "Huda")
    assert main.choose_analyst(None) == "Huda" and settings.load()["analyst"] == "Huda"
    assert main.choose_analyst("Badr") == "Badr" and settings.load()["analyst"] == "Huda"
