"""Imports that must apply whole or not at all, and never drop silently: annotation ids repeated inside an
input or used by another document, analysts created inside the import's own transaction, every annotation
of the input accounted for in the summary, and a known text's metadata merged rather than dropped."""

from __future__ import annotations

import json
import sqlite3

import pytest

from app.cli import main as cli
from app.formats import FORMATS, export_as, import_as
from app.importer import import_paths
from app.project import Project
from tests.conftest import add_document


def write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    return path


def snapshot(path) -> dict[str, list]:
    """Every row of every table of a project file: what "the project is unchanged" compares."""
    connection = sqlite3.connect(path)
    try:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name")]  # an FTS table's rows are in its shadow tables
        return {table: sorted(map(repr, connection.execute(f'SELECT * FROM "{table}"'))) for table in tables}
    finally:
        connection.close()


def entity(label, start, end, **extra):
    return {"label": label, "start": start, "end": end, **extra}


# ---- one id, two annotations ---------------------------------------------------------------------------
REPEATED_IDS = {
    "in one document": [
        {"name": "a", "text": "قال بوتين إن روسيا", "annotations": [
            entity("PERS", 4, 9, id="same"), entity("GPE", 13, 18, id="same")]}],
    "in two documents": [
        {"name": "a", "text": "قال بوتين", "annotations": [entity("PERS", 4, 9, id="same")]},
        {"name": "b", "text": "إن روسيا", "annotations": [entity("GPE", 3, 8, id="same", annotator="omar")]}],
    "in a document stance and a span": [
        {"name": "a", "text": "قال بوتين", "annotations": [
            entity("PERS", 4, 9, id="same"),
            {"id": "same", "layer": "doc_stance", "label": "FAVOR", "attrs": {"target": "روسيا"}}]}],
}


@pytest.mark.parametrize("records", REPEATED_IDS.values(), ids=REPEATED_IDS.keys())
def test_an_id_repeated_inside_a_jsonl_refuses_it_naming_line_and_annotation(project, project_path, tmp_path,
                                                                              records):
    before = snapshot(project_path)
    report = import_paths(project, [write_jsonl(tmp_path / "in.jsonl", records)], "amal")
    [(name, message)] = report.rejected
    assert name.endswith("in.jsonl")
    assert "'same'" in message and f"line {len(records)}" in message and "annotation" in message
    assert "UNIQUE" not in message
    assert report.annotations_added == 0 and report.imported == []
    assert snapshot(project_path) == before  # no documents, no analyst "omar", nothing


def test_a_refused_input_among_good_ones_changes_nothing_and_the_others_import(project, tmp_path):
    good = write_jsonl(tmp_path / "good.jsonl", [{"name": "g", "text": "نص سليم", "annotations": [
        entity("PERS", 0, 2, annotator="huda")]}])
    bad = write_jsonl(tmp_path / "bad.jsonl", REPEATED_IDS["in two documents"])
    report = import_paths(project, [bad, good], "amal")
    assert report.imported == ["g"] and [name for name, _ in report.rejected] == [str(bad)]
    assert project.annotators() == ["huda"]


def test_an_id_repeated_inside_a_doccano_file_refuses_it(project, project_path, tmp_path):
    carried = {"layer": "entity", "annotations": [
        {"span": [0, 3, "PERS"], "id": "same", "annotator": "omar"},
        {"span": [4, 9, "GPE"], "id": "same", "annotator": "omar"}]}
    (tmp_path / "d.jsonl").write_text(json.dumps({"text": "قال بوتين", "label": [[0, 3, "PERS"], [4, 9, "GPE"]],
                                                  "hashiya": carried}, ensure_ascii=False) + "\n", encoding="utf-8")
    before = snapshot(project_path)
    report = import_as(project, FORMATS["doccano"], tmp_path / "d.jsonl", "amal")
    [(_, message)] = report.rejected
    assert "line 1" in message and "'same'" in message and "annotation 2" in message
    assert snapshot(project_path) == before


def test_an_id_repeated_across_xmi_files_of_one_folder_refuses_the_folder(project, project_path, tmp_path):
    source = Project.create(tmp_path / "source.hashiya")
    try:
        first = add_document(source, "قال بوتين", "one.txt")
        second = add_document(source, "إن روسيا", "two.txt")
        from app.project import Span
        source.add_annotations([Span(first, "omar", "entity", "PERS", 4, 9, uid="same-1"),
                                Span(second, "omar", "entity", "GPE", 3, 8, uid="same-2")])
        export_as(source, FORMATS["xmi"], tmp_path / "xmi", "omar")
    finally:
        source.close()
    two = tmp_path / "xmi" / "two.txt.xmi"
    two.write_text(two.read_text(encoding="utf-8").replace("same-2", "same-1"), encoding="utf-8")
    before = snapshot(project_path)
    report = import_as(project, FORMATS["xmi"], tmp_path / "xmi", "amal")
    [(_, message)] = report.rejected
    assert "two.txt.xmi" in message and "one.txt.xmi" in message and "'same-1'" in message
    assert "NamedEntity" in message  # the annotation, by its XMI element
    assert snapshot(project_path) == before


# ---- an id another document already has --------------------------------------------------------------
def test_an_id_stored_for_another_document_is_skipped_with_a_line_naming_file_line_and_annotation(project, tmp_path):
    import_paths(project, [write_jsonl(tmp_path / "a.jsonl", [
        {"name": "a", "text": "نص أول", "annotations": [entity("PERS", 0, 2, id="shared")]}])], "amal")
    report = import_paths(project, [write_jsonl(tmp_path / "b.jsonl", [
        {"name": "x", "text": "نص آخر"},
        {"name": "b", "text": "نص ثان", "annotations": [entity("GPE", 3, 6), entity("ORG", 0, 2, id="shared")]}])],
        "amal")
    assert report.ok and report.annotations_added == 1 and report.skipped_annotations == 1
    lines = report.summary_lines()
    detail = next(line for line in lines if "'shared'" in line)
    assert "b.jsonl" in detail and "line 2" in detail and "annotation 2" in detail and "'a'" in detail


def test_two_inputs_of_one_run_giving_one_id_to_two_documents_keep_the_first_and_report_the_second(project, tmp_path):
    first = write_jsonl(tmp_path / "1.jsonl", [{"name": "a", "text": "نص أول",
                                                "annotations": [entity("PERS", 0, 2, id="shared")]}])
    second = write_jsonl(tmp_path / "2.jsonl", [{"name": "b", "text": "نص ثان",
                                                 "annotations": [entity("ORG", 0, 2, id="shared")]}])
    report = import_paths(project, [first, second], "amal")
    assert report.ok and report.imported == ["a", "b"]
    assert (report.annotations_added, report.skipped_annotations) == (1, 1)
    assert any("2.jsonl" in line and "'shared'" in line for line in report.summary_lines())


def test_the_summary_accounts_for_every_annotation_of_the_input(project, tmp_path):
    records = [{"name": "a", "text": "قال بوتين إن روسيا", "annotations": [
        entity("PERS", 4, 9), entity("PERS", 4, 9),  # the same annotation twice, without ids
        entity("GPE", 13, 18, id="g"),
        {"layer": "doc_stance", "label": "FAVOR", "attrs": {"target": "روسيا"}}]}]
    source = write_jsonl(tmp_path / "in.jsonl", records)
    first = import_paths(project, [source], "amal")
    assert first.annotations_added == 3 and first.already_present == 1
    assert any("1 annotation(s) the project already had" in line for line in first.summary_lines())
    again = import_paths(project, [source], "amal")
    assert again.annotations_added == 0 and again.already_present == 4
    assert any("4 annotation(s) the project already had" in line for line in again.summary_lines())


def test_cli_import_prints_the_skipped_ids(tmp_path, capsys):
    project = tmp_path / "p.hashiya"
    cli(["import", str(project), str(write_jsonl(tmp_path / "a.jsonl", [
        {"name": "a", "text": "نص أول", "annotations": [entity("PERS", 0, 2, id="shared")]}])), "--annotator", "amal"])
    capsys.readouterr()
    assert cli(["import", str(project), str(write_jsonl(tmp_path / "b.jsonl", [
        {"name": "b", "text": "نص ثان", "annotations": [entity("ORG", 0, 2, id="shared")]}])),
        "--annotator", "amal"]) == 0
    out = capsys.readouterr().out
    assert "skipped 1 annotation(s) whose id another document already uses" in out
    assert "b.jsonl line 1, annotation 1 (id 'shared')" in out


# ---- a known text's metadata -----------------------------------------------------------------------------
def test_a_known_texts_metadata_is_merged_and_conflicts_are_reported(project, tmp_path):
    text = "قال بوتين إن روسيا"
    import_paths(project, [write_jsonl(tmp_path / "a.jsonl", [
        {"name": "a", "text": text, "meta": {"url": "https://a.example", "site": "a"}}])], "amal")
    report = import_paths(project, [write_jsonl(tmp_path / "b.jsonl", [
        {"name": "b", "text": text, "meta": {"url": "https://b.example", "site": "a", "date": "2025-03-03",
                                             "tags": ["x"]}}])], "amal")
    assert report.duplicates == ["b"]
    with project.session() as session:
        from app.models import Document
        [meta] = session.query(Document.meta).all()
    assert meta == ({"url": "https://a.example", "site": "a", "date": "2025-03-03", "tags": ["x"]},)
    lines = report.summary_lines()
    assert any("added 2 metadata key(s) to 1 document(s) already in the project" in line for line in lines)
    assert any("kept the stored value of 1 metadata key(s)" in line for line in lines)
    assert any("'a'" in line and "url" in line and "b.jsonl" in line for line in lines)


def test_metadata_of_a_text_repeated_inside_one_input_is_merged_too(project, tmp_path):
    report = import_paths(project, [write_jsonl(tmp_path / "a.jsonl", [
        {"name": "a", "text": "نص", "meta": {"url": "u"}},
        {"name": "b", "text": "نص", "meta": {"url": "v", "date": "d"}}])], "amal")
    lines = report.summary_lines()
    assert "added 1 metadata key(s) to 1 document(s) already in the project (same text)" in lines
    assert any("a.jsonl line 2: the key 'url' of document 'a'" in line for line in lines)
    with project.session() as session:
        from app.models import Document
        assert session.query(Document.meta).all() == [({"url": "u", "date": "d"},)]


def test_metadata_from_another_tool_is_merged_into_a_known_text(project, tmp_path):
    import_paths(project, [write_jsonl(tmp_path / "a.jsonl", [{"name": "a", "text": "قال بوتين"}])], "amal")
    (tmp_path / "d.jsonl").write_text(json.dumps({"text": "قال بوتين", "label": [], "source": "feed"},
                                                 ensure_ascii=False) + "\n", encoding="utf-8")
    report = import_as(project, FORMATS["doccano"], tmp_path / "d.jsonl", "amal")
    assert report.ok and report.duplicates
    with project.session() as session:
        from app.models import Document
        assert session.query(Document.meta).all() == [({"source": "feed"},)]


def test_the_same_text_file_in_two_encodings_adds_no_metadata(project, tmp_path):
    """A .txt file's "encoding" describes that file, not the text: it is not merged into a known text."""
    (tmp_path / "a.txt").write_text("قال بوتين", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes("قال بوتين".encode("cp1256"))
    report = import_paths(project, [tmp_path / "a.txt", tmp_path / "b.txt"], "amal")
    assert report.duplicates == ["b.txt"] and not any("metadata" in line for line in report.summary_lines())
    with project.session() as session:
        from app.models import Document
        assert session.query(Document.meta).all() == [({},)]
