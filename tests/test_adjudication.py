"""Adjudication into gold: statuses, disagreements, decisions and their undo, pre-fill, gold export."""

import csv
import json

import pytest

from app.adjudication import (AGREED, BOUNDARY, GOLD, LABEL, ONLY_A, ONLY_B, POLARITY, disagreements, pending,
                              prefill_agreed, remaining, resolve, span_statuses, stance_statuses, unresolve)
from app.cli import main
from app.project import Span
from app.stance import list_target_ref, stance_attrs
from tests.conftest import add_document, occurrence

TEXT = "قال الرئيس فلاديمير بوتين في موسكو إن وزارة الخارجية الروسية تتابع الأمر، وأضاف بوتين 😀 أن روسيا مستعدة."


def at(word, nth=0):
    return occurrence(TEXT, word, nth)


@pytest.fixture
def doc(project):
    return add_document(project, TEXT, "a.txt")


def mark(project, doc, name, label, word, nth=0, layer="entity"):
    return project.add_annotation(Span(doc, name, layer, label, *at(word, nth)))


def two_analysts(project, doc):
    spans = {
        "agreed": (mark(project, doc, "amal", "GPE", "موسكو"), mark(project, doc, "badr", "GPE", "موسكو")),
        "label": (mark(project, doc, "amal", "ORG", "وزارة الخارجية"), mark(project, doc, "badr", "GPE", "وزارة الخارجية")),
        "boundary": (mark(project, doc, "amal", "PERS", "فلاديمير بوتين"), mark(project, doc, "badr", "PERS", "بوتين")),
        "only_a": (mark(project, doc, "amal", "GPE", "روسيا"),),
        "only_b": (mark(project, doc, "badr", "PERS", "بوتين", 1),),
    }
    return spans


def analysts_rows(project, doc):
    return sorted((s.uid, s.annotator, s.label, s.start, s.end) for s in project.annotations(doc) if s.annotator != GOLD)


def test_every_span_is_coloured_by_how_it_stands_against_the_other_analysts(project, doc):
    spans = two_analysts(project, doc)
    everything = project.annotations(doc, layer="entity")
    statuses = span_statuses([s for s in everything if s.annotator == "amal"],
                             [s for s in everything if s.annotator == "badr"])
    assert {kind: {statuses[s.uid] for s in group} for kind, group in spans.items()} == {
        "agreed": {AGREED}, "label": {LABEL}, "boundary": {BOUNDARY}, "only_a": {ONLY_A}, "only_b": {ONLY_B}}


def test_disagreements_are_settled_one_by_one_and_each_decision_undoes(project, doc):
    two_analysts(project, doc)
    before = analysts_rows(project, doc)
    found = pending(project, doc, "amal", "badr")
    assert [(d.layer, d.kind, TEXT[d.start:d.end]) for d in found] == [
        ("entity", BOUNDARY, "فلاديمير بوتين"), ("entity", LABEL, "وزارة الخارجية"),
        ("entity", ONLY_B, "بوتين"), ("entity", ONLY_A, "روسيا")]
    assert remaining(project, "amal", "badr") == {doc: 4}
    label, boundary, only_b = found[1], found[0], found[2]
    written = resolve(project, label, "b", "hana", "amal", "badr")
    [gold] = project.annotations(doc, GOLD)
    assert (gold.label, gold.provenance, gold.attrs["adjudication"]["from"], gold.attrs["adjudication"]["by"]) == (
        "GPE", "adjudicated", ["badr"], "hana")
    resolve(project, boundary, "a", "hana", "amal", "badr")
    resolve(project, only_b, "reject", "hana", "amal", "badr")
    assert [d.kind for d in pending(project, doc, "amal", "badr")] == [ONLY_A]
    assert remaining(project, "amal", "badr") == {doc: 1}
    unresolve(project, only_b, [])
    unresolve(project, label, written)
    assert [d.kind for d in pending(project, doc, "amal", "badr")] == [LABEL, ONLY_B, ONLY_A]
    assert [(g.label, TEXT[g.start:g.end]) for g in project.annotations(doc, GOLD)] == [("PERS", "فلاديمير بوتين")]
    assert analysts_rows(project, doc) == before  # adjudication never touches the analysts' layers


def test_prefill_copies_what_both_agree_on_once(project, doc):
    two_analysts(project, doc)
    project.add_annotation(Span(doc, "amal", "doc_stance", "AGAINST", None, None, attrs={"target": "روسيا"}))
    project.add_annotation(Span(doc, "badr", "doc_stance", "AGAINST", None, None, attrs={"target": "روسيا"}))
    added = prefill_agreed(project, "amal", "badr", "hana")
    assert sorted((s.layer, s.label, s.provenance) for s in added) == [
        ("doc_stance", "AGAINST", "agreed"), ("entity", "GPE", "agreed")]
    assert added[0].attrs["adjudication"]["from"] == ["amal", "badr"]
    assert prefill_agreed(project, "amal", "badr", "hana") == []
    assert len(pending(project, doc, "amal", "badr")) == 4  # agreements were never disagreements


def test_document_and_span_stances_disagree_and_resolve(project, doc):
    putin_a = mark(project, doc, "amal", "PERS", "بوتين")
    putin_b = mark(project, doc, "badr", "PERS", "بوتين")
    holder = lambda span: {"start": span.start, "end": span.end, "text": "بوتين", "id": span.uid}  # noqa: E731
    for name, polarity, putin in (("amal", "FAVOR", putin_a), ("badr", "AGAINST", putin_b)):
        project.add_annotation(Span(doc, name, "stance", polarity, *at("أن روسيا مستعدة"),
                                    attrs=stance_attrs(holder(putin), list_target_ref("روسيا"))))
    project.add_annotation(Span(doc, "amal", "doc_stance", "FAVOR", None, None, attrs={"target": "روسيا"}))
    project.add_annotation(Span(doc, "badr", "doc_stance", "NEUTRAL", None, None, attrs={"target": "روسيا"}))
    found = {d.layer: d for d in disagreements(project, doc, "amal", "badr")}
    assert set(found) == {"stance", "doc_stance"}  # the entities agree
    assert found["stance"].kind == POLARITY and found["doc_stance"].target == "روسيا"
    stances = project.annotations(doc, layer="stance")
    assert set(stance_statuses([s for s in stances if s.annotator == "amal"],
                               [s for s in stances if s.annotator == "badr"]).values()) == {POLARITY}
    prefill_agreed(project, "amal", "badr", "hana")  # the agreed entity first
    [gold_entity] = project.annotations(doc, GOLD, "entity")
    [gold_stance] = resolve(project, found["stance"], "b", "hana", "amal", "badr")
    assert gold_stance.label == "AGAINST" and gold_stance.attrs["holder"]["id"] == gold_entity.uid
    resolve(project, found["doc_stance"], "a", "hana", "amal", "badr")
    assert pending(project, doc, "amal", "badr") == []


def test_gold_export_carries_provenance(project, doc, tmp_path, capsys):
    two_analysts(project, doc)
    path = project.location  # a file, or a server's URL: the command takes either
    assert main(["export", str(path), "--gold", "--format", "jsonl", "--out", str(tmp_path / "g.jsonl")]) == 1
    assert "no gold annotations yet" in capsys.readouterr().err and not (tmp_path / "g.jsonl").exists()
    prefill_agreed(project, "amal", "badr", "hana")
    d = pending(project, doc, "amal", "badr")[1]
    resolve(project, d, "a", "hana", "amal", "badr")
    project.add_annotation(Span(doc, "amal", "doc_stance", "FAVOR", None, None, attrs={"target": "روسيا"}))
    project.add_annotation(Span(doc, "badr", "doc_stance", "FAVOR", None, None, attrs={"target": "روسيا"}))
    prefill_agreed(project, "amal", "badr", "hana")
    project.close()
    assert main(["export", str(path), "--gold", "--format", "jsonl", "--out", str(tmp_path / "g.jsonl")]) == 0
    [record] = [json.loads(line) for line in (tmp_path / "g.jsonl").read_text(encoding="utf-8").splitlines()]
    entities = [(a["label"], a["provenance"], a["attrs"]["adjudication"]["from"]) for a in record["annotations"]
                if a["layer"] == "entity"]
    assert sorted(entities) == [("GPE", "agreed", ["amal", "badr"]), ("ORG", "adjudicated", ["amal"])]
    assert {a["annotator"] for a in record["annotations"]} == {GOLD}
    assert main(["export", str(path), "--gold", "--format", "stance-csv", "--out", str(tmp_path / "g.csv")]) == 0
    with open(tmp_path / "g.csv", encoding="utf-8-sig", newline="") as handle:
        [row] = list(csv.DictReader(handle))
    assert (row["kind"], row["polarity"], row["provenance"], row["adjudicated_from"], row["adjudicated_by"]) == (
        "document", "FAVOR", "agreed", "amal + badr", "hana")
    assert main(["export", str(path), "--gold", "--annotator", "amal", "--format", "jsonl",
                 "--out", str(tmp_path / "x.jsonl")]) == 1


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
