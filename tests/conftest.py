"""Shared fixtures. Every test gets its own data and config folders."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
# The demo articles as they are in the checkout (installed, they are the package app.seeds).
SEEDS = ROOT / "seeds"
SEED_ARTICLES = sorted(SEEDS.glob("*.txt"))

import pytest  # noqa: E402

from app.project import Project  # noqa: E402
from ui.main import configure_qt  # noqa: E402

configure_qt()  # the Qt settings the app runs with


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """No test reads or writes the user's real settings or demo project."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "xdg-state"))
    return tmp_path


@pytest.fixture(autouse=True)
def english_interface(monkeypatch):
    """Every test starts in English with Western digits, whatever the machine's locale; one that switches to
    Arabic (tests/test_arabic_interface.py) leaves English behind it."""
    from app import i18n

    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    i18n.set_language(i18n.ENGLISH)
    i18n.set_digits(i18n.WESTERN)


@pytest.fixture
def project_path(tmp_path):
    return tmp_path / "test.hashiya"


@pytest.fixture
def project(project_path):
    opened = Project.create(project_path)
    yield opened
    opened.close()


def add_document(project: Project, text: str, name: str = "doc.txt") -> int:
    """Insert one document the way the importer does, returning its id."""
    from app.importer import Importer, ParsedDocument

    importer = Importer(project, "tester")
    importer._pending.append((name, [ParsedDocument(name, None, text, {}, [])]))
    importer._pending_documents = 1
    importer._flush()
    return project.known_hashes()[ParsedDocument(name, None, text, {}, []).sha256]


def type_text(widget, text: str) -> None:
    """Type any text into a widget (QTest cannot send Arabic characters)."""
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    for char in text:
        for kind in (QEvent.KeyPress, QEvent.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.NoModifier, char))


def show_window(qtbot, project, analyst: str = "amal"):
    """The main window on `project`, shown, with the reading pane focused."""
    from ui.fonts import load_bundled_fonts
    from ui.mainwindow import MainWindow

    load_bundled_fonts()
    window = MainWindow(project, analyst)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.pane.setFocus()
    return window


def menu_action(window, menu: str, text: str):
    """The action `text` of the window's menu `menu` (both as shown, without their & marks)."""
    def shown(action) -> str:
        return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&")

    top = next(action.menu() for action in window.menuBar().actions() if shown(action) == menu)
    return next(action for action in top.actions() if shown(action) == text)


@pytest.fixture
def demo_window(qtbot, project):
    """The main window on the five demo articles, shown."""
    from app.importer import import_paths

    import_paths(project, SEED_ARTICLES, "amal")
    return show_window(qtbot, project)


def occurrence(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    """(start, end) of the nth occurrence (from 0) of `needle` in `text`."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


@contextlib.contextmanager
def child_until(code: str, *args: str, ready: str, env: dict | None = None):
    """A Python child running `code` (with this checkout's packages), once it has printed the line `ready`;
    killed (SIGKILL), reaped and its pipe closed on leaving, whatever it was doing."""
    child = subprocess.Popen([sys.executable, "-c", code, *args], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                             env=env)
    try:
        assert child.stdout.readline().strip() == ready
        yield child
    finally:
        child.kill()
        child.wait()
        child.stdout.close()


@pytest.fixture
def running():
    """Serves an http.server in a thread (a real HTTP server on localhost); returns its base URL; shuts it
    down after the test."""
    import threading

    servers = []

    def start(server) -> str:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server (tests/postgres.py), started on first use, stopped after the session."""
    from tests.postgres import TestServer

    server = TestServer()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """A SQLAlchemy URL of a new, empty database on the test server."""
    return postgres_server.url(postgres_server.create_database())


@pytest.fixture(params=["file", "server"])
def either_project(request, project_path):
    """A new project in a file, then (the same test again) in a database on the test server: the store and
    the commands must give the same results on both."""
    location = project_path if request.param == "file" else request.getfixturevalue("postgres_url")
    opened = Project.create(location)
    yield opened
    opened.close()
