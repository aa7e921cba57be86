"""Corpus search panel (Ctrl+Shift+F): off the GUI thread, grouped by document, opens hits."""

import sqlite3

import pytest
from PySide6.QtCore import Qt

from ui.corpussearch import ResultsModel


@pytest.fixture
def window(demo_window):
    return demo_window


def run_search(qtbot, panel, query):
    panel.query.setText(query)
    panel.run()
    qtbot.waitUntil(lambda: not panel.running(), timeout=20_000)


def test_results_are_grouped_by_document_and_a_click_opens_the_match(qtbot, window, project_path):
    qtbot.keyClick(window.pane, Qt.Key_F, Qt.ControlModifier | Qt.ShiftModifier)
    panel = window.corpus_search
    assert window.corpus_dock.isVisible() and panel.query.hasFocus()
    run_search(qtbot, panel, "روسيا")
    model = panel.results
    assert model.document_count() >= 4 and model.hit_count() > model.document_count()
    assert "match(es) in" in panel.summary.text()

    first_doc = model.index(1, 0)
    hit_index = model.index(0, 1, first_doc)
    hit = model.data(hit_index, Qt.UserRole)
    panel.view.setCurrentIndex(hit_index)
    panel._activated(hit_index)
    assert window.editor.document_id == hit.document_id
    assert window.pane.selection_range() == (hit.start, hit.end)
    assert window.editor.text[hit.start:hit.end] == hit.text

    window.pane.setFocus()
    qtbot.keyClick(window.pane, Qt.Key_G)
    connection = sqlite3.connect(project_path)
    [(start, end)] = connection.execute('SELECT start, "end" FROM annotations').fetchall()
    connection.close()
    assert (start, end) == (hit.start, hit.end)  # exactly the match, not snapped onto a clitic


def test_inside_a_type_finds_only_annotated_occurrences(qtbot, window):
    text = window.editor.text
    start = text.index("بوتين")
    window.pane.select_range(start, start + 5)
    window.apply_label("PERS")
    panel = window.corpus_search
    panel.scope.setCurrentIndex(panel.scope.findText("Inside PERS"))
    run_search(qtbot, panel, "بوتين")
    assert panel.results.hit_count() == 1


def test_cancel_stops_the_search(qtbot, window):
    panel = window.corpus_search
    panel.query.setText("بوتين")
    panel.run()
    panel.cancel()
    qtbot.waitUntil(lambda: not panel.running(), timeout=20_000)
    assert panel.run_button.isEnabled()


def test_results_model_passes_the_model_tester(qtmodeltester):
    from app.search import Hit

    model = ResultsModel()  # kept referenced: Qt's tester holds a raw pointer
    model.add_documents([[(Hit(1, "a.txt", 4, 9, "بوتين"), "قال", "إن روسيا")]])
    model.add_documents([[(Hit(2, "b.txt", 0, 5, "روسيا", "similar"), "", "ستدعم")],
                         [(Hit(3, "c.txt", 0, 5, "روسيا"), "", "")]])
    qtmodeltester.check(model)
    assert model.data(model.index(0, 1, model.index(1, 0))) == "\u2068روسيا\u2069 ≈"


def test_a_search_past_the_result_limit_stops_and_says_so(qtbot, window, monkeypatch):
    monkeypatch.setattr("ui.corpussearch.MAX_HITS", 3)
    panel = window.corpus_search
    run_search(qtbot, panel, "روسيا")
    assert panel.results.hit_count() == 3
    assert "there are more" in panel.summary.text()
    monkeypatch.setattr("ui.corpussearch.MAX_HITS", 10_000)
    run_search(qtbot, panel, "كوريا الشمالية")
    every = panel.results.hit_count()
    monkeypatch.setattr("ui.corpussearch.MAX_HITS", every)  # exactly as many as there are: no note
    run_search(qtbot, panel, "كوريا الشمالية")
    assert panel.results.hit_count() == every and "there are more" not in panel.summary.text()
