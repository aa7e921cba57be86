"""Two windows (or a window and a command) on one project file: index runs coordinate, a busy file is
waited for and then reported, worker errors reach the GUI thread, and a second window is told who has
the project open."""

import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app import boilerplate_index, duplicates
from app.importer import import_paths
from app.project import Project, ProjectBusy, Span
from app.windowlock import HeldElsewhere, WindowLock, lock_path
from tests.conftest import SEED_ARTICLES, add_document, child_until, show_window

ROOT = Path(__file__).resolve().parent.parent

HOLD_WRITE_LOCK = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
connection.execute("ROLLBACK")
"""


def hold_write_lock(path: Path, seconds: float):
    """Another process holding the project's write lock for `seconds` (or until killed)."""
    return child_until(HOLD_WRITE_LOCK, str(path), str(seconds), ready="holding")


def index_tables(path: Path) -> dict[str, list]:
    connection = sqlite3.connect(path)
    try:
        return {table: connection.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                for table in ("duplicate_signatures", "duplicate_pairs", "boilerplate_lines", "boilerplate_cues",
                              "boilerplate_counts", "boilerplate_sites")}
    finally:
        connection.close()


# ---- index runs in two windows ----------------------------------------------------------------------------
def test_an_index_run_that_listed_documents_before_another_window_indexed_them_skips_them(tmp_path):
    """The race of two windows reviewing boilerplate at once, made certain: the second run read the
    watermark before the first committed (once a raw UNIQUE constraint failure and a panel stuck on
    "Indexing…")."""
    first = Project.create(tmp_path / "one.hashiya")
    import_paths(first, SEED_ARTICLES, "amal")
    alone = tmp_path / "alone.hashiya"
    first.save_copy(alone)
    second = Project.open(tmp_path / "one.hashiya")
    for index in (duplicates, boilerplate_index):
        assert index.update_index(first) == 5
    second.info = lambda key, default=None: default  # what it read before the other window's run committed
    for index in (duplicates, boilerplate_index):
        index.update_index(second)
    first.close()
    second.close()
    single = Project.open(alone)
    for index in (duplicates, boilerplate_index):
        index.update_index(single)
    single.close()
    assert index_tables(tmp_path / "one.hashiya") == index_tables(alone)


INDEX_IN_A_PROCESS = """
import sys
from app import boilerplate_index, duplicates
from app.project import Project
project = Project.open(sys.argv[1])
print(duplicates.update_index(project), boilerplate_index.update_index(project), flush=True)
project.close()
"""


def test_two_processes_indexing_at_once_both_finish_and_index_each_document_once(tmp_path):
    path = tmp_path / "shared.hashiya"
    project = Project.create(path)
    import_paths(project, SEED_ARTICLES, "amal")
    project.close()
    alone = tmp_path / "alone.hashiya"
    Project.open(path).save_copy(alone)
    children = [subprocess.Popen([sys.executable, "-c", INDEX_IN_A_PROCESS, str(path)], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
    single = Project.open(alone)
    duplicates.update_index(single)
    boilerplate_index.update_index(single)
    single.close()
    assert index_tables(path) == index_tables(alone)


# ---- a busy file ----------------------------------------------------------------------------------------------
def test_a_write_waits_for_another_windows_write_lock_and_says_so(project, project_path):
    document = add_document(project, "قال بوتين إن روسيا ستدعم كوريا الشمالية")
    seen = []
    project.store.waiting = seen.append
    with hold_write_lock(project_path, 1.0) as child:
        span = project.add_annotation(Span(document, "amal", "entity", "PERS", 4, 9))
        assert child.poll() is not None, "the write went ahead while the other process held the lock"
    assert seen == [True, False]
    assert [s.uid for s in project.annotations(document)] == [span.uid]


def test_a_write_that_waited_too_long_is_reported_and_writes_nothing(project, project_path):
    document = add_document(project, "قال بوتين إن روسيا ستدعم كوريا الشمالية")
    project.store.write_wait_seconds = 0.5
    with hold_write_lock(project_path, 3), pytest.raises(ProjectBusy, match="another window") as error:
        project.add_annotation(Span(document, "amal", "entity", "PERS", 4, 9))
    assert str(project_path) in str(error.value)
    assert project.annotations(document) == []


def test_an_edit_in_the_window_on_a_busy_file_is_kept_until_the_analyst_decides(qtbot, project, project_path,
                                                                                   monkeypatch):
    add_document(project, "قال بوتين إن روسيا ستدعم كوريا الشمالية")
    window = show_window(qtbot, project)
    project.store.write_wait_seconds = 0.3
    asked = []
    with hold_write_lock(project_path, 30) as child:
        def answer(parent, title, text, informative, answers, default, disabled=()):
            asked.append(text)
            if len(asked) == 2:  # asked again while still busy; the other window finishes now
                child.kill()
                child.wait()
            return "again"

        monkeypatch.setattr("ui.dialogs.choose", answer)
        messages = []
        window.statusBar().messageChanged.connect(messages.append)
        window.pane.select_range(13, 18)
        qtbot.keyClick(window.pane, Qt.Key_G)
    assert len(asked) == 2 and "not saved yet" in asked[0]
    assert any("Waiting for another window" in message for message in messages)
    assert [s.label for s in project.annotations(project.document_ids()[0])] == ["GPE"]
    assert [s.label for s in window.pane.spans()] == ["GPE"]


def test_indexing_in_the_window_on_a_busy_file_reports_it_and_does_not_hang(qtbot, project, project_path):
    import_paths(project, SEED_ARTICLES, "amal")
    window = show_window(qtbot, project)
    project.store.write_wait_seconds = 0.3
    with hold_write_lock(project_path, 30):
        window.review_boilerplate()
        qtbot.waitUntil(lambda: not window.boilerplate.running(), timeout=10_000)
        assert "another window" in window.boilerplate.title.text()
        assert window.boilerplate.refresh_button.isEnabled()
    window.boilerplate.refresh()
    qtbot.waitUntil(lambda: not window.boilerplate.running(), timeout=20_000)
    assert window.boilerplate.model.rowCount() > 0


# ---- a second window on the same file ------------------------------------------------------------------------
HOLD_WINDOW_LOCK = """
import sys
import threading
from pathlib import Path
from PySide6.QtCore import QCoreApplication, QTimer
from app.windowlock import WindowLock
from ui.projectfile import WindowPresence
application = QCoreApplication([])
presence = WindowPresence(Path(sys.argv[1]), WindowLock.acquire(sys.argv[1]))
presence.raiseRequested.connect(lambda: (print("raised", flush=True), QTimer.singleShot(100, application.quit)))
print("ready", flush=True)
QTimer.singleShot(30_000, application.quit)
application.exec()
presence.release()
"""


def window_in_another_process(path: Path):
    """Another process holding the project's window lock, as a window does, until killed."""
    return child_until(HOLD_WINDOW_LOCK, str(path), ready="ready", env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})


def test_the_lock_names_who_has_the_project_and_is_taken_over_when_that_process_is_gone(project_path):
    Project.create(project_path).close()
    with window_in_another_process(project_path) as child:
        with pytest.raises(HeldElsewhere) as held:
            WindowLock.acquire(project_path)
        assert held.value.holder.pid == child.pid and held.value.holder.same_host
        assert str(child.pid) in str(held.value)
        child.send_signal(signal.SIGKILL)
        child.wait()
    lock = WindowLock.acquire(project_path)  # the dead process's lock is broken, not obeyed
    assert lock.holder.pid == os.getpid()
    with pytest.raises(HeldElsewhere) as again:
        WindowLock.acquire(project_path)  # a second window of this same process
    assert again.value.holder.here
    lock.release()
    assert not lock_path(project_path).exists()


def test_a_second_window_brings_the_first_forward(project_path):
    from ui.projectfile import bring_forward

    Project.create(project_path).close()
    with window_in_another_process(project_path) as child:
        with pytest.raises(HeldElsewhere) as held:
            WindowLock.acquire(project_path)
        assert bring_forward(project_path, held.value.holder)
        assert child.stdout.readline().strip() == "raised"


def test_a_second_window_can_open_the_project_read_only_and_is_told_why_an_edit_is_refused(
        qtbot, project_path, monkeypatch):
    from ui.projectfile import open_for_window

    project = Project.create(project_path)
    add_document(project, "قال بوتين إن روسيا ستدعم كوريا الشمالية")
    project.close()
    with window_in_another_process(project_path) as child:
        asked = []
        monkeypatch.setattr("ui.dialogs.choose", lambda parent, title, text, *rest, **options:
                            asked.append(text) or "read_only")
        opened = open_for_window(project_path, create=False, parent=None)
        assert str(child.pid) in asked[0]
        assert opened.project.read_only and opened.lock is None
        window = show_window(qtbot, opened.project)
        assert "(read-only)" in window.windowTitle()
        warned = []
        monkeypatch.setattr("ui.mainwindow.QMessageBox.warning", lambda parent, title, text: warned.append(text))
        window.pane.select_range(13, 18)
        qtbot.keyClick(window.pane, Qt.Key_G)
        assert warned and "open for editing in another window" in warned[0]
        assert window.pane.spans() == []
    assert sqlite3.connect(project_path).execute("SELECT count(*) FROM annotations").fetchone() == (0,)


# ---- the file moved while the window has it open ---------------------------------------------------------------
def test_a_window_whose_file_is_moved_stops_saving_and_saves_the_project_where_the_analyst_says(
        qtbot, project, project_path, tmp_path, monkeypatch):
    add_document(project, "قال بوتين إن روسيا ستدعم كوريا الشمالية")
    window = show_window(qtbot, project)
    window.pane.select_range(4, 9)
    qtbot.keyClick(window.pane, Qt.Key_P)
    choices = []
    monkeypatch.setattr("ui.dialogs.choose", lambda parent, title, text, informative, answers, default, **kw:
                        choices.append((text, [key for key, *_ in answers])) or "save")
    rescued = tmp_path / "rescued.hashiya"
    monkeypatch.setattr("ui.mainwindow.QFileDialog.getSaveFileName", lambda *args, **kwargs: (str(rescued), ""))
    moved = project_path.with_name("moved.hashiya")
    with qtbot.waitSignal(window.guard.fileLost, timeout=5000):
        os.rename(project_path, moved)  # the file watcher tells the window before any edit
    assert str(moved) in choices[0][0] and choices[0][1] == ["save", "follow", "later"]
    assert "not saving" in window.windowTitle()
    replacement = window.replacement
    qtbot.addWidget(replacement)
    assert replacement.editor.project.path == rescued and not replacement.editor.project.read_only
    assert [s.label for s in replacement.editor.spans()] == ["PERS"]
    assert not project_path.exists()


def test_an_edit_after_the_file_was_deleted_is_refused_and_not_shown(qtbot, project, project_path, monkeypatch):
    add_document(project, "قال بوتين إن روسيا ستدعم كوريا الشمالية")
    window = show_window(qtbot, project)
    told = []
    monkeypatch.setattr("ui.dialogs.choose", lambda parent, title, text, *rest, **kw: told.append(text) or "later")
    window.guard.stop()  # no file watcher: the store's own check before the write must catch it
    project_path.unlink()
    window.pane.select_range(13, 18)
    qtbot.keyClick(window.pane, Qt.Key_G)
    assert told and "deleted" in told[0]
    assert window.pane.spans() == [] and window.editor.undo_stack.count() == 0
    assert not project_path.exists()
