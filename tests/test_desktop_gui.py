"""Running well on a desktop: Help → About, File → Open recent, files dropped on the window, and a project
named on the command line relative to the folder Hashiya is started from."""

import os
import sqlite3
import subprocess
import sys

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from app import __version__, appinfo, settings
from app.packagedata import MissingResource
from app.project import Project
from tests.conftest import ROOT, add_document, menu_action, show_window


def make_project(path, text="قال الرئيس الروسي فلاديمير بوتين"):
    project = Project.create(path)
    add_document(project, text)
    project.close()
    return path


def replacement_of(qtbot, window):
    """The window a project was opened in (the old one closes); closed with the test."""
    replacement = window.replacement
    qtbot.addWidget(replacement)
    assert not window.isVisible()
    return replacement


# ---- Help → About ----------------------------------------------------------------------------------------
def test_about_opens_from_the_help_menu_with_the_project_file_and_its_format(qtbot, project, project_path):
    window = show_window(qtbot, project)
    menu_action(window, "Help", "About Hashiya").trigger()
    about = window.about_dialog
    qtbot.waitUntil(about.isVisible)
    stored = sqlite3.connect(project_path).execute("PRAGMA user_version").fetchone()[0]
    assert about.project_path.text() == str(project_path) and project_path.is_absolute()
    assert about.schema_version.text() == f"format {stored}"
    shown = " ".join(label.text() for label in about.findChildren(type(about.project_path)))
    for needed in (f"Hashiya {__version__}", "GPL-3.0-or-later", "Noto Naskh Arabic", "Noto Sans", "Noto Emoji",
                   "SIL Open Font License", "Python:", "Qt:", "PySide6:"):
        assert needed in shown, needed
    assert "GNU GENERAL PUBLIC LICENSE" in about.licence.toPlainText()
    assert "SIL OPEN FONT LICENSE Version 1.1" in about.font_licence.toPlainText()
    assert "Noto Naskh Arabic" in about.font_licence.toPlainText()  # the copyright notices come with it
    about.close()


def test_about_says_which_licence_file_is_missing_when_hashiya_is_not_installed(qtbot, project, monkeypatch):
    def not_installed(name):
        return iter(())

    def no_fonts_notice():
        raise MissingResource("app.resources", "fonts/OFL.txt", "/nowhere")

    monkeypatch.setattr(appinfo.metadata, "distributions", lambda name: not_installed(name))
    real = appinfo.packagedata.resource_text
    monkeypatch.setattr(appinfo.packagedata, "resource_text",
                        lambda name: no_fonts_notice() if name == "fonts/OFL.txt" else real(name))
    window = show_window(qtbot, project)
    menu_action(window, "Help", "About Hashiya").trigger()
    licence = window.about_dialog.licence.toPlainText()
    assert "“hashiya” distribution" in licence and "LICENSE" in licence and appinfo.LICENCE_URL in licence
    assert "fonts/OFL.txt is missing" in window.about_dialog.font_licence.toPlainText()
    window.about_dialog.close()


# ---- File → Open recent ------------------------------------------------------------------------------------
def shown_recent(window) -> list:
    """The recent-projects menu as it opens: its actions, after the menu filled itself."""
    menu = window.recent_menu
    menu.popup(window.mapToGlobal(QPoint(40, 40)))
    return menu.actions()


def test_open_recent_lists_the_projects_opened_last_and_opens_the_one_chosen(qtbot, project, project_path, tmp_path):
    ampersand = make_project(tmp_path / "news & views.hashiya")
    arabic = make_project(tmp_path / "مشروع\u200f الأخبار.hashiya")
    gone = make_project(tmp_path / "gone.hashiya")
    for path in (gone, ampersand, project_path, arabic):
        settings.remember_project(path)
    gone.unlink()
    window = show_window(qtbot, project)

    actions = shown_recent(window)
    entries = [action for action in actions if not action.isSeparator()]
    # Newest first; the open project is not offered; a file gone is shown disabled, saying so.
    assert [action.iconText().split("  ")[1].strip("\u2068\u2069") for action in entries[:3]] == [
        arabic.name, ampersand.name, gone.name]
    assert "&&" in entries[1].text() and "news & views.hashiya" in entries[1].iconText()
    assert entries[2].isEnabled() is False and entries[2].text().endswith("(not found)")
    assert entries[0].text().count("\u2068") == 2 and entries[0].text().count("\u2069") == 2
    assert entries[3].text() == "&Clear list"
    window.recent_menu.hide()

    entries[1].trigger()
    opened = replacement_of(qtbot, window)
    assert opened.editor.project.path == ampersand and opened.windowTitle() == f"Hashiya — {ampersand.name}"
    assert settings.recent_projects()[:2] == [ampersand, arabic]
    assert settings.load()["last_project"] == str(ampersand)


def test_clear_list_empties_open_recent(qtbot, project, tmp_path):
    settings.remember_project(make_project(tmp_path / "other.hashiya"))
    window = show_window(qtbot, project)
    clear = next(action for action in shown_recent(window) if action.text() == "&Clear list")
    clear.trigger()
    window.recent_menu.hide()
    assert settings.recent_projects() == []
    assert [action.text() for action in shown_recent(window) if not action.isSeparator()] == [
        "No recent projects", "&Clear list"]
    assert not any(action.isEnabled() for action in window.recent_menu.actions() if not action.isSeparator())
    window.recent_menu.hide()


def test_the_recent_list_keeps_the_last_eight_once_each(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for number in range(10):
        settings.remember_project(tmp_path / f"p{number}.hashiya")
    settings.remember_project(tmp_path / "p5.hashiya")
    settings.remember_project(settings.Path("p9.hashiya"))  # relative: stored absolute, still once
    assert settings.recent_projects() == [tmp_path / f"p{n}.hashiya" for n in (9, 5, 8, 7, 6, 4, 3, 2)]
    settings.update(recent_projects=["relative.hashiya", 3, str(tmp_path / "p1.hashiya")])  # edited by hand
    assert settings.recent_projects() == [tmp_path / "p1.hashiya"]


# ---- drag and drop -----------------------------------------------------------------------------------------
def drop_on(window, *paths, urls=(), target=None) -> QDropEvent:
    """A real drop of these files on the window (or on one of its widgets, which passes it up), as a file
    manager makes it (copy or move offered)."""
    target = target or window
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path)) for path in paths] + [QUrl(url) for url in urls])
    where = QPointF(window.width() / 2, window.height() / 2)
    actions = Qt.CopyAction | Qt.MoveAction
    enter = QDragEnterEvent(where.toPoint(), actions, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted() and enter.dropAction() == Qt.CopyAction
    drop = QDropEvent(where, actions, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, drop)
    return drop


@pytest.mark.parametrize("on", ["window", "reading pane"])
def test_a_project_file_dropped_on_the_window_opens(qtbot, project, tmp_path, on):
    other = make_project(tmp_path / "dropped.hashiya")
    window = show_window(qtbot, project)
    drop = drop_on(window, other, target=window.pane.viewport() if on == "reading pane" else window)
    assert drop.isAccepted() and drop.dropAction() == Qt.CopyAction  # never a move: the file stays
    assert not hasattr(window, "replacement")  # opened once the drop has returned, not inside it
    qtbot.waitUntil(lambda: hasattr(window, "replacement"), timeout=5000)
    opened = replacement_of(qtbot, window)
    assert opened.editor.project.path == other and other.exists()
    assert settings.recent_projects()[0] == other


def test_documents_and_folders_dropped_on_the_window_are_imported(qtbot, project, tmp_path):
    add_document(project, "نص أول")
    article = tmp_path / "article.txt"
    article.write_text("قال المتحدث باسم الوزارة إن الاجتماع سيعقد غدا", encoding="utf-8")
    folder = tmp_path / "more"
    folder.mkdir()
    (folder / "second.txt").write_text("وصل الوفد إلى القاهرة صباح اليوم", encoding="utf-8")
    window = show_window(qtbot, project)
    assert drop_on(window, article, folder).isAccepted()
    qtbot.waitUntil(lambda: window.documents.rowCount() == 3 and window._import_runner is None, timeout=20_000)
    assert not hasattr(window, "replacement")


@pytest.mark.parametrize("what", ["report.pdf", "folder and project", "two projects", "web address"])
def test_anything_else_dropped_is_not_opened_and_the_status_bar_says_why(qtbot, project, tmp_path, what):
    pdf = tmp_path / "report & \u202eannex.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    one, two = make_project(tmp_path / "one.hashiya"), make_project(tmp_path / "two.hashiya")
    dropped, urls, said = {
        "report.pdf": ([pdf], [], [pdf.name, "not a project", "Import from another tool"]),
        "folder and project": ([tmp_path / "xdg-config", one], [], ["one project file at a time", "one.hashiya"]),
        "two projects": ([one, two], [], ["one project file at a time", "two.hashiya"]),
        "web address": ([], ["https://example.com/news.txt"], ["on this computer", "https://example.com/news.txt"]),
    }[what]
    (tmp_path / "xdg-config").mkdir(exist_ok=True)
    window = show_window(qtbot, project)
    drop = drop_on(window, *dropped, urls=urls)
    assert not drop.isAccepted()
    message = window.statusBar().currentMessage()
    assert message.startswith("Not opened") and all(part in message for part in said), message
    assert f"\u2068{dropped[0].name if dropped else urls[0]}\u2069" in message  # isolated from the sentence
    assert not hasattr(window, "replacement") and window._import_runner is None
    assert window.documents.rowCount() == 0


# ---- the command line ----------------------------------------------------------------------------------------
SHOW_THE_PROJECT = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from ui.main import run_gui

app = QApplication([sys.argv[0]])

def report_and_quit():
    for widget in app.topLevelWidgets():
        if widget.isVisible() and hasattr(widget, "editor"):
            print(widget.editor.project.path)
            print(widget.documents.rowCount())
            widget.close()
    app.quit()

QTimer.singleShot(0, report_and_quit)
sys.exit(run_gui(sys.argv[1:]))
"""


@pytest.mark.parametrize("folder, argument", [("corpus", "mine.hashiya"), ("elsewhere", "../corpus/mine.hashiya")])
def test_a_project_named_relative_to_the_folder_hashiya_starts_in_opens(tmp_path, folder, argument):
    (tmp_path / "corpus").mkdir()
    (tmp_path / "elsewhere").mkdir()
    project = make_project(tmp_path / "corpus" / "mine.hashiya")
    settings.update(analyst="amal")
    done = subprocess.run([sys.executable, "-c", SHOW_THE_PROJECT, argument], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path / folder, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[:2] == [str(project), "1"]  # that file, absolute, with its document
    assert settings.recent_projects() == [project]
