"""`hashiya` with no argument: the demo corpus on first run, the last project afterwards."""

import pytest

from app import paths, settings
from app.project import Project
from ui.main import choose_project_path, ensure_demo_project
from tests.conftest import SEEDS


def test_first_run_creates_the_demo_project_from_seeds():
    path = choose_project_path(None)
    assert path == paths.demo_project_path() and path.parent.name == "hashiya"
    project = Project.open(path)
    names = [project.document_rows([i], "x")[0].name for i in project.document_ids()]
    project.close()
    assert names == sorted(p.name for p in SEEDS.glob("*.txt")) and len(names) == 5


def test_the_demo_is_imported_once(tmp_path):
    first = ensure_demo_project()
    stamp = first.stat().st_mtime_ns
    assert ensure_demo_project() == first and first.stat().st_mtime_ns == stamp


def test_the_last_project_is_reopened(tmp_path):
    last = tmp_path / "mine.hashiya"
    Project.create(last).close()
    settings.update(last_project=str(last))
    assert choose_project_path(None) == last
    last.unlink()
    assert choose_project_path(None) == paths.demo_project_path()  # gone: back to the demo


def test_the_app_starts_with_qts_fill_thread_pool_off_unless_set_already(tmp_path):
    """Qt's thread pool for tall fills costs more than it saves on two cores (issue 13); `hashiya` turns it
    off before Qt paints anything, and keeps a value set beforehand."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from ui.main import configure_qt

    project = tmp_path / "p.hashiya"
    Project.create(project).close()
    child = ("import os, ui.mainwindow\n"
             "ui.mainwindow.MainWindow.show = lambda self: (print(os.environ.get('QT_NO_GUI_THREADPOOL'),"
             " flush=True), os._exit(0))\n"
             f"from ui.launch import main\nmain(['--analyst', 'amal', {str(project)!r}])\n")
    env = {k: v for k, v in os.environ.items() if k != "QT_NO_GUI_THREADPOOL"}
    env["QT_QPA_PLATFORM"] = "offscreen"
    shown = subprocess.run([sys.executable, "-c", child], env=env, cwd=Path(__file__).parent.parent,
                           capture_output=True, text=True, timeout=120)
    assert shown.stdout.split() == ["1"], shown.stderr[-2000:]
    mine = {"QT_NO_GUI_THREADPOOL": "0"}
    configure_qt(mine)
    assert mine == {"QT_NO_GUI_THREADPOOL": "0"}


def test_a_demo_that_cannot_be_made_leaves_nothing_behind(monkeypatch):
    """A missing demo article is reported by name, and no empty demo is left for later runs to open."""
    from app import packagedata

    def missing():
        raise packagedata.MissingResource(packagedata.SEEDS_PACKAGE, "*.txt", "/nowhere")

    monkeypatch.setattr(packagedata, "demo_articles", missing)
    with pytest.raises(packagedata.MissingResource, match=r"seeds/\*\.txt is missing .*/nowhere"):
        ensure_demo_project()
    folder = paths.demo_project_path().parent
    assert not paths.demo_project_path().exists()
    assert not folder.exists() or list(folder.iterdir()) == []


def test_the_window_names_a_missing_file_of_the_installation(qapp, monkeypatch, capsys):
    """An incomplete installation is said to be one, naming the file; not an "unexpected error"."""
    from PySide6.QtWidgets import QMessageBox

    from app import packagedata
    from ui.main import run_gui

    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append((title, text)))
    monkeypatch.setattr(packagedata, "SEEDS_PACKAGE", "app.seeds_not_installed")
    assert run_gui(["--analyst", "amal"]) == 2
    assert shown and "seeds_not_installed/*.txt is missing" in shown[0][1] and "install Hashiya again" in shown[0][1]
    assert "seeds_not_installed/*.txt is missing" in capsys.readouterr().err


def test_a_headless_command_names_a_missing_file_of_the_installation(monkeypatch, tmp_path, capsys):
    from app import packagedata
    from app.cli import main

    monkeypatch.setattr(packagedata, "RESOURCES_PACKAGE", "app.resources_not_installed")
    article = tmp_path / "a.txt"
    article.write_text("نص", encoding="utf-8")
    assert main(["import", str(tmp_path / "new.hashiya"), str(article)]) == 2
    assert "resources_not_installed/labels.json is missing" in capsys.readouterr().err
