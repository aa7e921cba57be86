"""Annotate all occurrences from the window: propose, accept or reject with keys, undo as one step."""

import sqlite3

import pytest
from PySide6.QtCore import Qt



@pytest.fixture
def window(demo_window):
    return demo_window


def rows(project_path):
    connection = sqlite3.connect(project_path)
    try:
        return connection.execute(
            'SELECT document_id, start, "end", label, provenance FROM annotations ORDER BY document_id, start'
        ).fetchall()
    finally:
        connection.close()


def label_first(qtbot, window, words, key):
    start = window.editor.text.index(words)
    window.pane.select_range(start, start + len(words))
    window.pane.setFocus()
    qtbot.keyClick(window.pane, key)  # the new span is selected


def propose(qtbot, window, scope):
    panel = window.suggestions
    panel.scope.setCurrentIndex(0 if scope == "document" else 1)
    qtbot.keyClick(window.pane, Qt.Key_A, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: not panel.running(), timeout=20_000)
    return panel


def test_propagate_across_the_corpus_accept_all_and_undo(qtbot, window, project_path):
    label_first(qtbot, window, "روسيا", Qt.Key_G)
    panel = propose(qtbot, window, "corpus")
    count = panel.model.rowCount()
    assert count > 10 and window.pane._pending  # pending marks in the open document
    qtbot.keyClick(panel.view, Qt.Key_A, Qt.ShiftModifier)  # accept all
    stored = rows(project_path)
    assert len(stored) == count + 1
    assert {r[4] for r in stored} == {"manual", "propagated"} and {r[3] for r in stored} == {"GPE"}
    assert len({r[0] for r in stored}) == 5
    for document_id, start, end, _, _ in stored:
        assert window.editor.project.document_text(document_id)[start:end] == "روسيا"
    assert panel.model.rowCount() == 0 and window.pane._pending == []

    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier)  # the whole batch in one step
    assert len(rows(project_path)) == 1
    qtbot.keyClick(window.pane, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert len(rows(project_path)) == count + 1


def test_a_long_list_is_proposed_in_parts_and_the_next_part_follows_the_decisions(
        qtbot, window, project_path, monkeypatch):
    monkeypatch.setattr("ui.suggestions.MAX_PROPOSALS", 4)
    label_first(qtbot, window, "روسيا", Qt.Key_G)
    panel = propose(qtbot, window, "corpus")
    first_part = panel.model.proposals()
    assert len(first_part) == 4 and "the first 4 proposals" in panel.title.text()
    qtbot.keyClick(panel.view, Qt.Key_A, Qt.ShiftModifier)  # accept these four
    assert len(rows(project_path)) == 5
    label_first(qtbot, window, "روسيا", Qt.Key_G)  # select the span again (the key relabels it as is)
    panel = propose(qtbot, window, "corpus")
    second_part = panel.model.proposals()
    assert len(second_part) == 4 and not set(first_part) & set(second_part)


def test_accept_one_reject_one_and_rejections_are_remembered(qtbot, window, project_path):
    label_first(qtbot, window, "بوتين", Qt.Key_P)
    panel = propose(qtbot, window, "document")
    first_count = panel.model.rowCount()
    assert first_count >= 3 and {p.document_id for p in panel.model.proposals()} == {window.editor.document_id}
    accepted = panel.model.proposals()[0]
    qtbot.keyClick(panel.view, Qt.Key_A)
    rejected = panel.model.proposals()[0]
    qtbot.keyClick(panel.view, Qt.Key_R)
    assert panel.model.rowCount() == first_count - 2
    assert (accepted.start, "propagated") in {(r[1], r[4]) for r in rows(project_path)}
    assert rejected.start not in {r[1] for r in rows(project_path)}

    window.pane.set_selected_span(window.editor.layer_spans("entity")[0].uid)
    panel = propose(qtbot, window, "document")
    starts = {p.start for p in panel.model.proposals()}
    assert rejected.start not in starts and accepted.start not in starts
    assert panel.model.rowCount() == first_count - 2
    qtbot.keyClick(panel.view, Qt.Key_R, Qt.ShiftModifier)  # reject all: never proposed again
    window.pane.set_selected_span(window.editor.layer_spans("entity")[0].uid)
    assert propose(qtbot, window, "document").model.rowCount() == 0


def test_scope_choice_is_remembered(qtbot, window):
    from app import settings

    window.suggestions.scope.setCurrentIndex(1)
    assert settings.load()["propagation_scope"] == "corpus"


def test_proposal_model_passes_the_model_tester(qtmodeltester):
    from app.propagation import Proposal
    from ui.suggestions import ProposalModel

    model = ProposalModel()  # kept referenced: Qt's tester holds a raw pointer
    model.set_rows([(Proposal(1, "000.txt", 4, 9, "بوتين", "PERS"), "قال", "إن")])
    qtmodeltester.check(model)
    assert model.data(model.index(0, 0)) == "\u2066000.txt\u2069"


def test_gazetteer_proposes_every_name_and_reject_all_remembers_each_pair(qtbot, window, project_path, tmp_path):
    path = tmp_path / "names.csv"
    path.write_text("name,label\nروسيا,GPE\nالكرملين,ORG\n", encoding="utf-8")
    window.run_gazetteer(path)
    panel = window.suggestions
    qtbot.waitUntil(lambda: not panel.running(), timeout=20_000)
    assert {p.label for p in panel.model.proposals()} == {"GPE", "ORG"}
    assert "2 name(s) from names.csv" in panel.title.text()
    qtbot.keyClick(panel.view, Qt.Key_R, Qt.ShiftModifier)
    window.run_gazetteer(path)
    qtbot.waitUntil(lambda: not panel.running(), timeout=20_000)
    assert panel.model.rowCount() == 0 and rows(project_path) == []
