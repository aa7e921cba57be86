"""Team mode in the window (issue 18): three analysts and an adjudicator, each in a window of their own on one
server project, see each other's progress as it is committed; an admin assigns documents, an analyst opens
their queue; no window writes another's layer."""

from __future__ import annotations

import psycopg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from app import assignment, team
from app.project import Project
from tests.conftest import add_document, show_window
from tests.test_gui import select_word_with_keys
from tests.test_team import login

TEXT = "قال فلاديمير بوتين إن روسيا ستدعم كوريا"
PEOPLE = {"أمل": "analyst", "badr": "analyst", "سامي": "analyst", "huda": "adjudicator", "dina": "admin"}


@pytest.fixture
def team_project(postgres_server):
    owner_url = postgres_server.url(postgres_server.create_database())
    team.init(owner_url)
    for name, kind in PEOPLE.items():
        team.add_member(owner_url, name, kind)
    owner = Project.open(owner_url)
    ids = [add_document(owner, f"{TEXT} {n}", f"{n}.txt") for n in range(4)]
    owner.close()
    return owner_url, ids


def rows(owner_url: str) -> list[tuple]:
    with psycopg.connect(owner_url.replace("postgresql+psycopg", "postgresql")) as connection:
        return connection.execute(
            "SELECT n.name, a.label, a.start, a.\"end\" FROM annotations a JOIN annotators n ON n.id = a.annotator_id "
            "ORDER BY n.name, a.start").fetchall()


def open_window(qtbot, owner_url: str, name: str):
    project = Project.open(login(owner_url, name))
    return show_window(qtbot, project, analyst=team.analyst_for(project, None))


def team_cell(window, document_id: int) -> str:
    """The Team cell as read (without the isolates that keep each name and its mark together)."""
    model = window.documents
    shown = model.data(model.index(model.row_of(document_id), model.TEAM_COLUMN)) or ""
    return shown.replace("\u2068", "").replace("\u2069", "")


def test_each_window_sees_the_others_progress_live_and_writes_only_its_own_layer(qtbot, team_project):
    owner_url, ids = team_project
    windows = {name: open_window(qtbot, owner_url, name) for name in ("أمل", "badr", "سامي")}
    amal, badr, sami = windows.values()
    assert [window.editor.analyst for window in windows.values()] == ["أمل", "badr", "سامي"]
    assert amal.documents.COLUMNS[-1] == "Team"
    # أمل marks a name in the first document: committed at once, and in the others' lists within a moment.
    select_word_with_keys(qtbot, amal.pane, words_before=2)
    qtbot.keyClick(amal.pane, Qt.Key_P)
    start = TEXT.index("بوتين")
    assert rows(owner_url) == [("أمل", "PERS", start, start + len("بوتين"))]
    for window in (badr, sami):
        qtbot.waitUntil(lambda window=window: team_cell(window, ids[0]) == "أمل ✎", timeout=10_000)
    # badr finishes the same document: أمل's and سامي's rows show it, none reloads anything.
    badr.set_status("done")  # Document → Mark as done (its shortcut goes to the active window)
    qtbot.waitUntil(lambda: team_cell(amal, ids[0]) == "badr ✓", timeout=10_000)
    qtbot.waitUntil(lambda: team_cell(sami, ids[0]) == "badr ✓ · أمل ✎", timeout=10_000)  # by name
    tooltip = sami.documents.data(sami.documents.index(0, sami.documents.TEAM_COLUMN), Qt.ToolTipRole)
    assert "badr: done, since" in tooltip and "أمل: in progress, since" in tooltip and "; 1 span" in tooltip
    # The window writes under the login's analyst: switching the name would not get past the server.
    assert sami.editor.project.status(ids[0], "badr") == "done"


def test_an_admin_assigns_in_turn_and_an_analyst_opens_their_queue(qtbot, team_project, monkeypatch):
    owner_url, ids = team_project
    admin = open_window(qtbot, owner_url, "dina")
    analyst = open_window(qtbot, owner_url, "أمل")
    assert admin.assign_action.isEnabled() and not analyst.assign_action.isEnabled()

    def choose(dialog):
        for row in range(dialog.analysts.count()):  # أمل and badr, two per document
            item = dialog.analysts.item(row)
            item.setCheckState(Qt.Checked if item.text() in ("أمل", "badr") else Qt.Unchecked)
        dialog.per_document.setValue(2)
        return QDialog.Accepted

    monkeypatch.setattr("ui.assigning.AssignDialog.exec", choose)
    admin.assign_documents()
    given = assignment.assigned(admin.editor.project)
    assert given == {document: {"أمل", "badr"} for document in ids}
    # أمل's window hears of it; her queue is the four documents.
    qtbot.waitUntil(lambda: "badr •" in team_cell(analyst, ids[0]), timeout=10_000)
    analyst.document_order.setCurrentIndex(analyst.document_order.findData("queue"))
    assert [analyst.documents.document_id(row) for row in range(analyst.documents.rowCount())] == ids
    # Undo takes the whole assignment back, in one step.
    admin.editor.undo_stack.undo()
    assert assignment.assigned(admin.editor.project) == {}
    qtbot.waitUntil(lambda: team_cell(analyst, ids[0]) == "", timeout=10_000)


def test_a_refused_write_is_said_and_not_shown_as_done(qtbot, team_project, monkeypatch):
    """An analyst's window made to write as another (the analyst button is off on a team server): the server
    refuses, the window says why and keeps nothing it could not save."""
    owner_url, ids = team_project
    window = open_window(qtbot, owner_url, "أمل")
    assert not window.analyst_button.isEnabled()
    window.editor.analyst = "badr"
    messages = []
    monkeypatch.setattr("ui.mainwindow.QMessageBox.warning", lambda parent, title, text: messages.append(text))
    select_word_with_keys(qtbot, window.pane, words_before=2)
    qtbot.keyClick(window.pane, Qt.Key_P)
    assert rows(owner_url) == []
    assert messages and "own layer" in messages[0]
    assert window.pane.spans() == []


def test_the_adjudicator_computes_agreement_and_settles_a_disagreement_into_gold(qtbot, team_project):
    from app.adjudication import GOLD
    from app.project import Span

    owner_url, ids = team_project
    start = TEXT.index("بوتين")
    for name, label in (("أمل", "PERS"), ("badr", "ORG")):
        analyst = Project.open(login(owner_url, name))
        analyst.add_annotation(Span(ids[0], name, "entity", label, start, start + len("بوتين")))
        analyst.set_status(ids[0], name, "done")
        analyst.close()
    watcher = open_window(qtbot, owner_url, "سامي")  # an analyst's window, open all along
    window = open_window(qtbot, owner_url, "huda")
    window.show_agreement()
    qtbot.waitUntil(lambda: window.dashboard.agreement is not None, timeout=10_000)
    assert "F1 exact 0.000" in window.dashboard.summary.text()
    window.dashboard.done(0)
    window.editor.open_document(ids[0])
    window.start_review("أمل", "badr")
    window.review.view.setFocus()
    qtbot.keyClick(window.review.view, Qt.Key_A)  # أمل's version
    assert (GOLD, "PERS", start, start + len("بوتين")) in rows(owner_url)
    assert [name for name, *_ in rows(owner_url)].count(GOLD) == 1
    assert watcher.editor.project.annotations(ids[0], GOLD)[0].attrs["adjudication"]["by"] == "huda"
    qtbot.waitUntil(lambda: team_cell(watcher, ids[0]) == "badr ✓ · أمل ✓", timeout=10_000)


def test_an_edit_while_the_server_is_down_waits_for_the_analyst_and_is_saved_when_tried_again(qtbot, monkeypatch):
    """The server stops mid-session: the window says so at once, the edit is neither lost nor shown as done;
    tried again once the server is back, it is saved."""
    from tests.postgres import TestServer

    server = TestServer()
    try:
        url = server.url(server.create_database())
        project = Project.create(url)
        add_document(project, TEXT, "a.txt")
        window = show_window(qtbot, project, analyst="أمل")
        server.halt()
        qtbot.waitUntil(lambda: window.file_state.text() == "Server not answering", timeout=15_000)
        asked = []

        def choose(*args, **kwargs):
            asked.append(args[2])  # the message: what is not saved, and why
            if len(asked) == 1:
                server.resume()
                return "again"
            return "drop"

        monkeypatch.setattr("ui.mainwindow.dialogs.choose", choose)
        select_word_with_keys(qtbot, window.pane, words_before=2)
        qtbot.keyClick(window.pane, Qt.Key_P)
        assert len(asked) == 1 and "not saved yet" in asked[0] and "cannot be reached" in asked[0]
        start = TEXT.index("بوتين")
        assert [(span.start, span.end) for span in window.editor.project.annotations(1)] == [
            (start, start + len("بوتين"))]
        assert len(window.pane.spans()) == 1
        qtbot.waitUntil(lambda: window.file_state.text() == "", timeout=15_000)
    finally:
        server.stop()


def test_save_a_copy_of_a_server_project_writes_a_project_file(qtbot, team_project, tmp_path, monkeypatch):
    owner_url, ids = team_project
    window = open_window(qtbot, owner_url, "أمل")
    offered = []

    def choose(parent, title, suggested, filters):
        offered.append(suggested)
        return str(tmp_path / "copy.hashiya"), filters

    monkeypatch.setattr("ui.mainwindow.QFileDialog.getSaveFileName", choose)
    monkeypatch.setattr("ui.mainwindow.MainWindow._switch_project", lambda self, path, create: None)
    window.save_copy_as()
    assert offered[0].endswith(" (copy).hashiya") and "/" not in offered[0].rsplit("/", 1)[-1][:-8]
    copy = Project.open(tmp_path / "copy.hashiya")
    try:
        assert copy.document_ids() == ids
    finally:
        copy.close()
