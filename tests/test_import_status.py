"""Each analyst's document status travels with imported work: JSONL carries it ("status"), any import of an
analyst's annotations marks those documents in progress for them, and `hashiya agreement` compares imported
work and says why a document both annotated is left out."""

from __future__ import annotations

import json

import pytest

from app.agreement import compare
from app.cli import main as cli
from app.exporter import export_jsonl
from app.formats import FORMATS, export_as, import_as
from app.importer import import_paths
from app.project import Project, Span
from tests import interchange_corpus as corpus
from tests.conftest import add_document
from tests.test_import_integrity import snapshot, write_jsonl

TEXT = "قال بوتين إن روسيا ستدعم كوريا"


def entity(label, start, end, annotator):
    return {"annotator": annotator, "label": label, "start": start, "end": end}


def statuses(project, analysts=("amal", "omar")):
    return {(project.document_name(d), a): project.status(d, a) for d in project.document_ids() for a in analysts}


# ---- JSONL "status" ---------------------------------------------------------------------------------------
def test_jsonl_status_is_imported_and_exported(project, tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [
        {"name": "a", "text": TEXT, "status": {"amal": "done", "omar": "new"}},
        {"name": "b", "text": TEXT + " اليوم"}])
    report = import_paths(project, [tmp_path / "in.jsonl"], "amal")
    assert report.ok and report.statuses_set == 2
    assert statuses(project) == {("a", "amal"): "done", ("a", "omar"): "new", ("b", "amal"): "new",
                                 ("b", "omar"): "new"}
    export_jsonl(project, tmp_path / "out.jsonl")
    first, second = (json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines())
    assert first["status"] == {"amal": "done", "omar": "new"}
    assert "status" not in second  # nothing stored: the record is what earlier versions wrote
    export_jsonl(project, tmp_path / "amal.jsonl", annotator="amal")
    assert json.loads((tmp_path / "amal.jsonl").read_text(encoding="utf-8").splitlines()[0])["status"] == {
        "amal": "done"}


@pytest.mark.parametrize("status, reason", [
    (["done"], '"status" must be an object'),
    ({"amal": "finished"}, "must be one of new, in_progress, done, not \"finished\""),
    ({"amal": 2}, "must be one of new, in_progress, done, not 2"),
    ({"": "done"}, "must not be empty"),
    ({"am\u0000al": "done"}, "control character U+0000"),
    ({"am\ud83dal": "done"}, "unpaired surrogate"),
])
def test_a_bad_status_refuses_the_file_naming_the_line(project, project_path, tmp_path, status, reason):
    line = json.dumps({"name": "b", "text": TEXT, "status": status})
    (tmp_path / "in.jsonl").write_text(json.dumps({"name": "a", "text": "نص"}) + "\n" + line + "\n",
                                       encoding="utf-8")
    before = snapshot(project_path)
    [(name, message)] = import_paths(project, [tmp_path / "in.jsonl"], "amal").rejected
    assert name.endswith("in.jsonl") and message.startswith("line 2: ") and reason in message
    assert snapshot(project_path) == before


def test_an_imported_status_never_moves_a_stored_one_back(project, tmp_path):
    document = add_document(project, TEXT, "a")
    project.set_status(document, "amal", "done")
    write_jsonl(tmp_path / "old.jsonl", [{"name": "a", "text": TEXT, "status": {"amal": "in_progress", "omar": "done"}}])
    report = import_paths(project, [tmp_path / "old.jsonl"], "someone")
    assert (project.status(document, "amal"), project.status(document, "omar")) == ("done", "done")
    assert report.statuses_set == 1
    [line] = [line for line in report.summary_lines() if "old.jsonl" in line]
    assert "line 1: amal is done, the input says in_progress" in line


# ---- imported annotations put their documents in progress ---------------------------------------------------
def test_imported_jsonl_annotations_mark_their_documents_in_progress_for_their_analyst(project, tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [
        {"name": "a", "text": TEXT, "annotations": [entity("PERS", 4, 9, "amal"), entity("GPE", 13, 18, "omar")]},
        {"name": "b", "text": TEXT + " اليوم", "annotations": [entity("PERS", 4, 9, "omar")],
         "status": {"omar": "done"}},
        {"name": "c", "text": TEXT + " أمس"}])
    report = import_paths(project, [tmp_path / "in.jsonl"], "amal")
    assert statuses(project) == {("a", "amal"): "in_progress", ("a", "omar"): "in_progress", ("b", "amal"): "new",
                                 ("b", "omar"): "done", ("c", "amal"): "new", ("c", "omar"): "new"}
    assert report.marked_in_progress == 2
    assert any("marked 2 document status(es) in progress" in line for line in report.summary_lines())


@pytest.mark.parametrize("name", [name for name, fmt in FORMATS.items() if fmt.importable])
def test_every_importable_format_marks_the_documents_it_annotates_in_progress(tmp_path, name):
    fmt = FORMATS[name]
    source = Project.create(tmp_path / "source.hashiya")
    try:
        corpus.build(source)
        out = tmp_path / ("export" if fmt.folder else f"export{fmt.suffix}")
        export_as(source, fmt, out, corpus.ANALYST)
    finally:
        source.close()
    target = Project.create(tmp_path / "target.hashiya")
    try:
        report = import_as(target, fmt, out, "importer")
        assert report.ok, report.rejected
        for document_id in target.document_ids():
            annotated = {span.annotator for span in target.annotations(document_id)}
            for analyst in annotated:
                assert target.status(document_id, analyst) == "in_progress"
            if not annotated:
                assert target.status(document_id, corpus.ANALYST) == "new"
        assert report.marked_in_progress == sum(
            len({span.annotator for span in target.annotations(d)}) for d in target.document_ids())
    finally:
        target.close()


def test_a_rolled_back_import_leaves_no_status(project, project_path, tmp_path):
    write_jsonl(tmp_path / "in.jsonl", [
        {"name": "a", "text": TEXT, "annotations": [entity("PERS", 4, 9, "omar")], "status": {"huda": "done"}},
        {"name": "b", "text": "نص", "annotations": [{**entity("PERS", 0, 1, "omar"), "start": 5}]}])
    before = snapshot(project_path)
    assert not import_paths(project, [tmp_path / "in.jsonl"], "amal").ok
    assert snapshot(project_path) == before


# ---- agreement on imported work ------------------------------------------------------------------------------
def two_analysts_jsonl(tmp_path, status=None):
    records = []
    for number in range(3):
        text = f"{TEXT} {number}"
        record = {"name": f"d{number}", "text": text,
                  "annotations": [entity("PERS", 4, 9, "amal"), entity("PERS", 4, 9, "omar"),
                                  entity("GPE", 13, 18, "amal")]}
        if status is not None:
            record["status"] = status
        records.append(record)
    return write_jsonl(tmp_path / "two.jsonl", records)


def test_agreement_compares_two_analysts_imported_from_jsonl(tmp_path, capsys):
    project = tmp_path / "p.hashiya"
    assert cli(["import", str(project), str(two_analysts_jsonl(tmp_path)), "--annotator", "amal"]) == 0
    capsys.readouterr()
    assert cli(["agreement", str(project), "--annotators", "amal", "omar", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["documents"] == 3 and report["documents_not_marked"] == 0
    assert report["entity"]["f1_exact"] == pytest.approx(2 * 3 / (6 + 3))


def test_agreement_says_which_documents_are_left_out_and_how_to_count_them(tmp_path, capsys):
    project = tmp_path / "p.hashiya"
    source = two_analysts_jsonl(tmp_path, status={"omar": "new"})  # omar's work stays "new": not compared
    assert cli(["import", str(project), str(source), "--annotator", "amal"]) == 0
    capsys.readouterr()
    assert cli(["agreement", str(project), "--annotators", "amal", "omar"]) == 0
    first_line = capsys.readouterr().out.splitlines()[0]
    assert first_line.startswith("amal and omar: 0 document(s) both worked on; 3 document(s) have annotations by "
                                 "both amal and omar but are not marked in progress or done by both")
    assert "Ctrl+2" in first_line and '"status"' in first_line
    assert cli(["agreement", str(project), "--annotators", "amal", "omar", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["documents_not_marked"] == 3


def test_the_dashboards_agreement_carries_the_documents_left_out(project):
    document = add_document(project, TEXT, "a")
    project.add_annotations([Span(document, "amal", "entity", "PERS", 4, 9, provenance="imported"),
                             Span(document, "omar", "entity", "PERS", 4, 9, provenance="imported")])
    agreement = compare(project, "amal", "omar")
    assert agreement.documents == [] and agreement.not_marked == [document]
    assert "1 document(s) have annotations by both" in agreement.not_marked_note
