"""The compare view and adjudication, driven with the keyboard on two merged analysts' work."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget

from app.adjudication import GOLD
from app.importer import import_paths
from app.merge import merge_project
from app.project import Project, Span
from tests.conftest import SEEDS, occurrence
from ui.mainwindow import MainWindow

SEED = sorted(SEEDS.glob("*.txt"))[0]


def word(text, needle, nth=0):
    return occurrence(text, needle, nth)


@pytest.fixture
def merged(tmp_path):
    """amal's project with badr's work merged in: one agreement, one label conflict, one only-badr span."""
    here = Project.create(tmp_path / "amal.hashiya")
    import_paths(here, [SEED], "amal")
    other = Project.create(tmp_path / "badr.hashiya")
    import_paths(other, [SEED], "badr")
    [doc] = here.document_ids()
    [their_doc] = other.document_ids()
    text = here.document_text(doc)
    putin, russia = word(text, "بوتين"), word(text, "روسيا")
    here.add_annotation(Span(doc, "amal", "entity", "PERS", *putin))
    here.add_annotation(Span(doc, "amal", "entity", "GPE", *russia))
    other.add_annotation(Span(their_doc, "badr", "entity", "PERS", *putin))
    other.add_annotation(Span(their_doc, "badr", "entity", "ORG", *russia))
    other.add_annotation(Span(their_doc, "badr", "entity", "GPE", *word(text, "روسيا", 1)))
    other.close()
    merge_project(here, tmp_path / "badr.hashiya", "amal")
    yield here, doc
    here.close()


def rows(project, doc, name):
    return sorted((s.uid, s.label, s.start, s.end, s.provenance) for s in project.annotations(doc, name))


def test_resolving_a_disagreement_with_the_keyboard_writes_only_gold(qtbot, merged, tmp_path):
    project, doc = merged
    amal_before, badr_before = rows(project, doc, "amal"), rows(project, doc, "badr")
    window = MainWindow(project, "hana")
    qtbot.addWidget(window)
    window.resize(1200, 900)
    window.show()
    window.editor.open_document(doc)
    window.start_review("amal", "badr")
    panel = window.review
    assert window.editor.analyst == GOLD and "gold" in window.windowTitle()
    assert panel.model.rowCount() == 2  # روسيا GPE/ORG, and badr's second روسيا
    assert panel.model.data(panel.model.index(0, 1)) == "label conflict"
    text = project.document_text(doc)
    assert text[panel.current().start:panel.current().end] == "روسيا"
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key_B)  # take badr's version
    [gold] = project.annotations(doc, GOLD)
    assert (gold.label, text[gold.start:gold.end], gold.provenance) == ("ORG", "روسيا", "adjudicated")
    assert gold.attrs["adjudication"]["from"] == ["badr"] and gold.attrs["adjudication"]["by"] == "hana"
    assert rows(project, doc, "amal") == amal_before and rows(project, doc, "badr") == badr_before
    assert panel.model.rowCount() == 1 and gold.uid in window.editor.current  # the main pane shows gold
    qtbot.waitUntil(lambda: "1 left in this document · 1 in the corpus" in panel.counts.text(), timeout=5000)
    qtbot.keyClick(panel.view, Qt.Key_R)  # neither version of badr's lone span
    assert panel.model.rowCount() == 0 and len(project.annotations(doc, GOLD)) == 1
    window.editor.undo_stack.undo()
    window.editor.undo_stack.undo()
    assert project.annotations(doc, GOLD) == [] and panel.model.rowCount() == 2
    window.grab().save(str(tmp_path / "review.png"))
    # "Edit it": the adjudicator marks gold by hand in the main pane, which writes the gold layer only.
    window.pane.select_range(*word(text, "روسيا"))
    qtbot.keyClick(window.pane, Qt.Key_G)
    [edited] = project.annotations(doc, GOLD)
    assert (edited.label, edited.provenance, edited.attrs["adjudication"]["by"]) == ("GPE", "edited", "hana")
    assert [panel.model.data(panel.model.index(0, 1))] == ["only in B"]  # the conflict is settled
    assert rows(project, doc, "amal") == amal_before and rows(project, doc, "badr") == badr_before
    assert not window.review_dock.features() & QDockWidget.DockWidgetFeature.DockWidgetClosable  # only Stop ends it
    window.stop_review()
    assert window.editor.analyst == "hana" and not window.review_dock.isVisible()
    window.pane.select_range(*word(text, "روسيا", 1))
    qtbot.keyClick(window.pane, Qt.Key_G)
    assert [s.provenance for s in project.annotations(doc, "hana")] == ["manual"]


def test_prefill_puts_the_agreement_into_gold_as_one_undo_step(qtbot, merged):
    project, doc = merged
    window = MainWindow(project, "hana")
    qtbot.addWidget(window)
    window.editor.open_document(doc)
    window.start_review("amal", "badr")
    window.review.prefill()
    [gold] = project.annotations(doc, GOLD)
    assert (gold.label, gold.provenance) == ("PERS", "agreed")
    window.editor.undo_stack.undo()
    assert project.annotations(doc, GOLD) == []


def test_gold_is_not_a_name_an_analyst_can_take(qtbot, merged, monkeypatch):
    from PySide6.QtWidgets import QInputDialog, QMessageBox

    project, _ = merged
    window = MainWindow(project, "hana")
    qtbot.addWidget(window)
    monkeypatch.setattr(QInputDialog, "getText", lambda *args, **kwargs: ("gold", True))
    told = []
    monkeypatch.setattr(QMessageBox, "information", lambda *args: told.append(args[2]))
    window.switch_analyst()
    assert window.editor.analyst == "hana" and told and "gold" in told[0]


def test_agreement_dashboard_lists_labels_words_and_documents_worst_first(qtbot, merged, tmp_path):
    import csv
    import json

    project, doc = merged
    window = MainWindow(project, "hana")
    qtbot.addWidget(window)
    window.show()
    window.show_agreement()
    dashboard = window.dashboard
    qtbot.waitUntil(lambda: dashboard.agreement is not None, timeout=10_000)
    assert "F1 exact 0.400" in dashboard.summary.text()  # بوتين only: 2·1 / (2 + 3)
    labels = {dashboard.label_model.data(dashboard.label_model.index(row, 0)): row
              for row in range(dashboard.label_model.rowCount())}
    assert set(labels) == {"GPE", "ORG", "PERS"}
    assert dashboard.label_model.data(dashboard.label_model.index(labels["PERS"], 1)) == "1.000"
    assert dashboard.confusion.counts[("GPE", "ORG")] == 1 and dashboard.confusion.labels[-1] == "O"
    dashboard.resize(900, 700)
    dashboard.grab().save(str(tmp_path / "dashboard.png"))
    dashboard.save_to(str(tmp_path / "report.csv"))
    with open(tmp_path / "report.csv", encoding="utf-8-sig", newline="") as handle:
        table = list(csv.DictReader(handle))
    assert table[0]["scope"] == "overall" and float(table[0]["f1_exact"]) == pytest.approx(0.4)
    dashboard.save_to(str(tmp_path / "report.json"))
    report = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert report["entity"]["per_document"][0]["document"] == project.document_name(doc)
    dashboard.document_view.setFocus()
    dashboard.document_view.selectRow(0)
    qtbot.keyClick(dashboard.document_view, Qt.Key_Return)
    assert window.review_dock.isVisible() and window.review.first == "amal" and window.editor.document_id == doc


def test_moving_to_a_stance_disagreement_shows_the_stance_layer_and_stays_there(qtbot, merged):
    from app.stance import article_ref, list_target_ref, stance_attrs

    project, doc = merged
    text = project.document_text(doc)
    project.add_annotation(Span(doc, "amal", "stance", "AGAINST", *word(text, "روسيا"),
                                attrs=stance_attrs(article_ref(), list_target_ref("روسيا"))))
    window = MainWindow(project, "hana")
    qtbot.addWidget(window)
    window.editor.open_document(doc)
    window.start_review("amal", "badr")
    panel = window.review
    assert [panel.model.data(panel.model.index(row, 0)) for row in range(3)] == ["Entities", "Entities", "Stances"]
    panel.view.setFocus()
    qtbot.keyClick(panel.view, Qt.Key_N)
    qtbot.keyClick(panel.view, Qt.Key_N)
    assert panel.view.currentIndex().row() == 2 and panel.layer.currentData() == "stance"
    assert panel.current().layer == "stance"
    qtbot.keyClick(panel.view, Qt.Key_P)  # back to an entity disagreement: the layer follows
    assert panel.view.currentIndex().row() == 1 and panel.layer.currentData() == "entity"
