"""Merging another analyst's project file: matched by text, stable ids, the local analyst untouched."""

import hashlib
import json
import sqlite3

import pytest

from app.cli import main
from app.importer import import_paths
from app.merge import merge_project
from app.project import Project, ProjectError, Span
from app.stance import list_target_ref, stance_attrs, article_ref
from tests.conftest import SEED_ARTICLES

SEEDS = SEED_ARTICLES


@pytest.fixture
def pair(tmp_path):
    """This project (amal's) and badr's, both holding the demo corpus; badr's has one document more."""
    here = Project.create(tmp_path / "here.hashiya")
    import_paths(here, SEEDS, "amal")
    extra = tmp_path / "only-badr.txt"
    extra.write_text("نص لا يوجد إلا عند بدر", encoding="utf-8")
    other = Project.create(tmp_path / "badr.hashiya")
    import_paths(other, [extra, *reversed(SEEDS)], "badr")  # other order: other ids
    yield here, other
    here.close()
    other.close()


def ids_by_name(project):
    return {project.document_name(i): i for i in project.document_ids()}


def spans(project, annotator=None):
    return sorted((project.document_name(s.document_id), s.annotator, s.layer, s.label, s.start, s.end,
                   json.dumps(s.attrs, sort_keys=True), s.uid)
                  for i in project.document_ids() for s in project.annotations(i, annotator))


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def badr_work(other):
    first = ids_by_name(other)[SEEDS[0].name]
    entity = other.add_annotation(Span(first, "badr", "entity", "PERS", 10, 20))
    stance = other.add_annotation(Span(first, "badr", "stance", "AGAINST", 30, 60,
                                       attrs=stance_attrs(article_ref(), list_target_ref("روسيا"))))
    doc_stance = other.add_annotation(Span(first, "badr", "doc_stance", "FAVOR", None, None, attrs={"target": "روسيا"}))
    lonely = other.add_annotation(Span(ids_by_name(other)["only-badr.txt"], "badr", "entity", "ORG", 0, 2))
    return entity, stance, doc_stance, lonely


def test_merging_brings_the_other_analysts_work_onto_the_same_text(pair):
    here, other = pair
    entity, stance, doc_stance, _ = badr_work(other)
    report = merge_project(here, other.path, "amal")
    assert (report.added, report.updated, report.unchanged, report.matched_documents) == (3, 0, 0, 5)
    assert report.unmatched_documents == ["only-badr.txt"] and report.annotators == ["badr"]
    merged = spans(here, "badr")
    assert [(m[0], m[2], m[3], m[4], m[5], m[7]) for m in merged] == sorted(
        (SEEDS[0].name, s.layer, s.label, s.start, s.end, s.uid) for s in (entity, stance, doc_stance))
    first = ids_by_name(here)[SEEDS[0].name]
    text = here.document_text(first)
    assert text == other.document_text(ids_by_name(other)[SEEDS[0].name])  # same text: offsets carry over
    assert "only-badr.txt" in report.summary() and "not in this project" in report.summary()


def test_merging_the_same_file_again_updates_instead_of_duplicating(pair):
    here, other = pair
    entity, _, doc_stance, _ = badr_work(other)
    merge_project(here, other.path, "amal")
    again = merge_project(here, other.path, "amal")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 3)
    other.update_annotation(entity, label="ORG", end=25)
    other.delete_annotations([doc_stance.uid])  # badr redoes the document stance: a new uid, same target
    other.add_annotation(Span(doc_stance.document_id, "badr", "doc_stance", "AGAINST", None, None,
                              attrs={"target": "روسيا"}))
    third = merge_project(here, other.path, "amal")
    assert (third.added, third.updated, third.unchanged) == (0, 2, 1)
    badr = spans(here, "badr")
    assert len(badr) == 3
    assert [(b[2], b[3], b[5]) for b in badr if b[2] == "entity"] == [("entity", "ORG", 25)]
    assert [b[3] for b in badr if b[2] == "doc_stance"] == ["AGAINST"]  # one per target, not two


def test_merging_never_touches_the_local_analysts_work(pair):
    here, other = pair
    first_here = ids_by_name(here)[SEEDS[0].name]
    mine = here.add_annotation(Span(first_here, "amal", "entity", "GPE", 5, 9))
    before = spans(here, "amal")
    # badr's file holds a stale copy of amal's span (relabelled) and a span under amal's name.
    first_there = ids_by_name(other)[SEEDS[0].name]
    other.add_annotation(mine.with_changes(document_id=first_there, label="ORG"))
    other.add_annotation(Span(first_there, "amal", "entity", "PERS", 40, 44))
    badr_work(other)
    report = merge_project(here, other.path, "amal")
    assert report.skipped_yours == 2 and report.added == 3
    assert spans(here, "amal") == before
    assert "never changes your work" in report.summary()


def test_annotations_the_other_file_no_longer_has_are_kept_and_counted(pair):
    here, other = pair
    entity, *_ = badr_work(other)
    merge_project(here, other.path, "amal")
    other.delete_annotations([entity.uid])
    report = merge_project(here, other.path, "amal")
    assert report.kept == 1 and entity.uid in {s[7] for s in spans(here, "badr")}


def test_labels_the_other_analyst_used_are_added_to_the_schema(pair):
    from app.schema import LabelDef, add_label

    here, other = pair
    add_label(other, LabelDef("entity", "WEAPON", "#aa3377", None))
    first = ids_by_name(other)[SEEDS[0].name]
    other.add_annotation(Span(first, "badr", "entity", "WEAPON", 0, 4))
    report = merge_project(here, other.path, "amal")
    assert report.new_labels == ["entity: WEAPON"]
    assert "WEAPON" in [label.name for label in here.labels("entity")]
    assert merge_project(here, other.path, "amal").new_labels == []


def test_the_other_file_is_only_read(pair):
    here, other = pair
    badr_work(other)
    other.close()
    before = digest(other.path)
    merge_project(here, other.path, "amal")
    assert digest(other.path) == before


def test_bad_files_are_refused_with_their_name_and_nothing_is_written(pair, tmp_path):
    here, _ = pair
    before = spans(here)
    not_a_project = tmp_path / "notes.hashiya"
    not_a_project.write_text("hello", encoding="utf-8")
    with pytest.raises(ProjectError, match="notes.hashiya is not a Hashiya project"):
        merge_project(here, not_a_project, "amal")
    with pytest.raises(ProjectError, match="is the project that is open"):
        merge_project(here, here.path, "amal")
    newer = tmp_path / "newer.hashiya"
    Project.create(newer).close()
    connection = sqlite3.connect(newer)
    connection.execute("PRAGMA user_version = 999")
    connection.close()
    with pytest.raises(ProjectError, match="newer version"):
        merge_project(here, newer, "amal")
    assert spans(here) == before


def test_a_failed_merge_writes_nothing(pair, monkeypatch):
    from app import merge

    here, other = pair
    badr_work(other)
    monkeypatch.setattr(merge, "_merge_statuses", lambda *args: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        merge_project(here, other.path, "amal")
    assert spans(here) == [] and "badr" not in here.annotators()


def test_headless_merge_prints_its_report(pair, capsys):
    here, other = pair
    badr_work(other)
    here.close()
    other.close()
    assert main(["merge", str(here.path), str(other.path), "--annotator", "amal", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"source", "added", "updated", "unchanged", "skipped_yours", "matched_documents",
                           "unmatched_documents", "annotators", "new_labels", "kept"}
    assert (report["added"], report["unmatched_documents"]) == (3, ["only-badr.txt"])
    assert main(["merge", str(here.path), str(here.path.with_name("missing.hashiya"))]) == 2
    assert "missing.hashiya" in capsys.readouterr().err


def test_a_cancelled_merge_writes_nothing(pair):
    from app.merge import MergeCancelled

    here, other = pair
    badr_work(other)
    with pytest.raises(MergeCancelled):
        merge_project(here, other.path, "amal", cancelled=lambda: True)
    assert spans(here) == [] and "badr" not in here.annotators()


def test_file_menu_merge_adds_the_work_off_the_gui_thread_and_shows_the_report(qtbot, pair):
    from PySide6.QtWidgets import QMessageBox

    from ui.mainwindow import MainWindow

    here, other = pair
    entity, *_ = badr_work(other)
    window = MainWindow(here, "amal")
    qtbot.addWidget(window)
    window.show()
    action = next(a for a in window.menuBar().actions()[0].menu().actions() if "analyst's work" in a.text())
    assert action.isEnabled()
    window.merge_from(str(other.path))
    qtbot.waitUntil(lambda: window._merge_runner is None, timeout=10_000)
    assert entity.uid in {s[7] for s in spans(here, "badr")}
    boxes = [w for w in window.findChildren(QMessageBox) if w.isVisible()]
    assert boxes and "3 annotations added" in boxes[0].text() and "only-badr.txt" in boxes[0].detailedText()
    assert spans(here, "amal") == []
