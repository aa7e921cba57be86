"""Stances in the exports: the stance-csv table (spreadsheet-safe) and the JSONL round trip, with validation."""

import csv
import json

import pandas as pd
import pytest

from app.cli import main as cli
from app.exporter import STANCE_CSV_COLUMNS, export_jsonl, export_stance_csv
from app.importer import import_paths
from app.project import Project, Span
from tests.conftest import add_document

FIRST = "😀 وقال بوتين إن روسيا ستدعم كوريا الشمالية دائما.\n-الحرب ليست حلا، بحسب مسؤول أمريكي."
SECOND = "أعلنت وزارة الخارجية أن أوكرانيا ترفض المفاوضات.\n@الناطق: لا تعليق."
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def at(text, words, occurrence=0):
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    return start, start + len(words)


def entity(text, words, label, doc, annotator="amal"):
    start, end = at(text, words)
    return Span(doc, annotator, "entity", label, start, end)


def span_ref(text, span):
    return {"start": span.start, "end": span.end, "text": text[span.start:span.end], "id": span.uid}


def stance(doc, annotator, label, text, evidence, holder, target, note=None):
    attrs = {"holder": holder, "target": target}
    if note is not None:
        attrs["note"] = note
    start, end = at(text, evidence)
    return Span(doc, annotator, "stance", label, start, end, attrs)


def doc_stance(doc, annotator, label, target):
    return Span(doc, annotator, "doc_stance", label, None, None, {"target": target})


@pytest.fixture
def stances(project):
    """Two documents, every holder/target shape, formula-like cells, document stances."""
    first, second = add_document(project, FIRST, "first.txt"), add_document(project, SECOND, "=second.txt")
    putin, korea = entity(FIRST, "بوتين", "PERS", first), entity(FIRST, "كوريا الشمالية", "GPE", first)
    ministry, ukraine = entity(SECOND, "وزارة الخارجية", "ORG", second), entity(SECOND, "أوكرانيا", "GPE", second)
    project.add_annotations([putin, korea, ministry, ukraine])
    project.add_annotations([
        # entity holder, listed target, a note a spreadsheet would run
        stance(first, "amal", "FAVOR", FIRST, "ستدعم كوريا الشمالية", span_ref(FIRST, putin), {"target": "روسيا"},
               note="=SUM(1,2)"),
        # the article as holder, an entity target; the same evidence by another annotator (a row after amal's)
        stance(first, "huda", "NEUTRAL", FIRST, "ستدعم كوريا الشمالية", {"text": "the article", "article": True},
               span_ref(FIRST, korea)),
        # free-text holder starting with "@", evidence starting with "-"
        stance(first, "huda", "AGAINST", FIRST, "-الحرب ليست حلا", {"text": "@مسؤول أمريكي"},
               {"target": "الحرب"}, note="+ ضعيف"),
        # evidence starting with "@", entity holder and entity target
        stance(second, "huda", "AGAINST", SECOND, "@الناطق: لا تعليق", span_ref(SECOND, ministry),
               span_ref(SECOND, ukraine)),
        stance(second, "amal", "FAVOR", SECOND, "ترفض المفاوضات", span_ref(SECOND, ministry),
               {"target": "-أوكرانيا"}),
        doc_stance(first, "huda", "AGAINST", "روسيا"),
        doc_stance(first, "amal", "FAVOR", "روسيا"),
        doc_stance(second, "amal", "NONE", "أوكرانيا"),
    ])
    return project


def expected_rows(project):
    """What the table should say, worked out from the stored annotations (values before neutralising)."""
    rows = []
    for doc in project.document_ids():
        text, name = project.document_text(doc), project.document_name(doc)
        found = [s for s in project.annotations(doc) if s.layer in ("stance", "doc_stance")]
        for s in sorted(found, key=lambda s: (-1 if s.start is None else s.start, s.annotator)):
            if s.layer == "doc_stance":
                rows.append([name, s.annotator, "document", "", None, None, s.attrs["target"], None, None,
                             s.label, "", None, None, s.attrs.get("note", ""), s.uid])
                continue
            holder, target = s.attrs["holder"], s.attrs["target"]
            rows.append([name, s.annotator, "span", holder["text"], holder.get("start"), holder.get("end"),
                         target.get("target", target.get("text")), target.get("start"), target.get("end"),
                         s.label, text[s.start:s.end], s.start, s.end, s.attrs.get("note", ""), s.uid])
    return rows


def read_table(path):
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw[3:].startswith(b"\xef\xbb\xbf")
    with open(path, encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert tuple(header) == STANCE_CSV_COLUMNS
    return rows


def check_cell(cell, stored):
    if stored is None:
        assert cell == ""
    elif isinstance(stored, int):
        assert int(cell) == stored and cell == str(stored)
    elif stored.startswith(FORMULA_STARTS):
        assert cell == "'" + stored and not cell.startswith(("=", "+", "-", "@"))
    else:
        assert cell == stored


def test_stance_csv_holds_every_stance_exactly_and_spreadsheet_safe(stances, tmp_path):
    out = tmp_path / "stances.csv"
    report = export_stance_csv(stances, out)
    rows, expected = read_table(out), expected_rows(stances)
    assert (report.rows, report.documents, len(rows), len(expected)) == (8, 2, 8, 8)
    for row, stored in zip(rows, expected):
        assert len(row) == len(STANCE_CSV_COLUMNS)
        for cell, value in zip(row, stored):
            check_cell(cell, value)

    column = {name: index for index, name in enumerate(STANCE_CSV_COLUMNS)}
    assert [r[column["kind"]] for r in rows] == ["document", "document", "span", "span", "span",
                                                 "document", "span", "span"]
    first = rows[0:5]
    assert [r[column["annotator"]] for r in first] == ["amal", "huda", "amal", "huda", "huda"]
    favor = rows[2]
    assert favor[column["holder_text"]] == "بوتين" and favor[column["note"]] == "'=SUM(1,2)"
    assert FIRST[int(favor[column["evidence_start"]]):int(favor[column["evidence_end"]])] == "ستدعم كوريا الشمالية"
    against = rows[4]
    assert against[column["holder_text"]] == "'@مسؤول أمريكي" and against[column["evidence_text"]] == "'-الحرب ليست حلا"
    assert against[column["holder_start"]] == against[column["target_start"]] == ""
    assert rows[3][column["holder_text"]] == "the article" and rows[3][column["target"]] == "كوريا الشمالية"
    assert rows[5][column["document"]] == "'=second.txt" and rows[5][column["holder_text"]] == ""

    # A data-frame reader sees the same table (every cell as text, empty cells empty, not NaN).
    frame = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert tuple(frame.columns) == STANCE_CSV_COLUMNS
    assert frame.values.tolist() == rows


def test_no_cell_starts_like_a_formula(stances, tmp_path):
    out = tmp_path / "stances.csv"
    export_stance_csv(stances, out)
    for row in read_table(out):
        assert not any(isinstance(cell, str) and cell.startswith(FORMULA_STARTS) for cell in row)


def test_stance_csv_for_one_annotator(stances, tmp_path):
    out = tmp_path / "huda.csv"
    report = export_stance_csv(stances, out, annotator="huda")
    rows = read_table(out)
    assert report.rows == len(rows) == 4 and {r[1] for r in rows} == {"huda"}


def test_no_stances_give_a_header_only_file_and_the_cli_says_so(project, tmp_path, capsys):
    add_document(project, FIRST)
    project.add_annotations([entity(FIRST, "بوتين", "PERS", project.document_ids()[0])])
    out = tmp_path / "empty.csv"
    assert export_stance_csv(project, out).rows == 0
    assert read_table(out) == []
    project.close()
    assert cli(["export", project.location, "--format", "stance-csv", "--out", str(out)]) == 0
    assert "no stances to export" in capsys.readouterr().out
    assert read_table(out) == []


def test_cli_stance_csv_reports_rows_and_keeps_exit_codes(stances, tmp_path, capsys):
    stances.close()
    out = tmp_path / "out.csv"
    assert cli(["export", stances.location, "--format", "stance-csv", "--out", str(out)]) == 0
    assert "8 stance row(s) from 2 document(s)" in capsys.readouterr().out
    assert len(read_table(out)) == 8
    assert cli(["export", stances.location, "--format", "stance-csv", "--out", str(tmp_path / "no" / "o.csv")]) == 1
    assert cli(["export", str(tmp_path / "missing.hashiya"), "--format", "stance-csv", "--out", str(out)]) == 2


# ---- JSONL ----------------------------------------------------------------------------
def exported(project, path):
    export_jsonl(project, path)
    return path.read_text(encoding="utf-8")


def test_stances_survive_jsonl_export_import_export(stances, tmp_path):
    first = exported(stances, tmp_path / "first.jsonl")
    records = [json.loads(line) for line in first.splitlines()]
    doc_level = [a for r in records for a in r["annotations"] if a["layer"] == "doc_stance"]
    assert len(doc_level) == 3 and all("start" not in a and set(a["attrs"]) == {"target"} for a in doc_level)

    copy = Project.create(tmp_path / "copy.hashiya")
    report = import_paths(copy, [tmp_path / "first.jsonl"], "someone")
    assert report.ok, report.rejected
    assert exported(copy, tmp_path / "second.jsonl") == first
    export_stance_csv(stances, tmp_path / "a.csv")
    export_stance_csv(copy, tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    # Importing the same file again adds nothing.
    assert import_paths(copy, [tmp_path / "first.jsonl"], "someone").annotations_added == 0
    copy.close()


def write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")


TEXT = "قال بوتين إن روسيا ستدعم كوريا الشمالية"
PUTIN = {"start": 4, "end": 9, "text": "بوتين"}
KOREA = {"start": 25, "end": 39, "text": "كوريا الشمالية"}
EVIDENCE = {"start": 19, "end": 39}


def span_stance(label="FAVOR", **attrs):
    return {"annotator": "amal", "layer": "stance", "label": label, **EVIDENCE,
            "attrs": {"holder": PUTIN, "target": {"target": "روسيا"}, **attrs}}


def test_valid_stance_shapes_import(project, tmp_path):
    assert TEXT[4:9] == "بوتين" and TEXT[25:39] == "كوريا الشمالية" and TEXT[19:39] == "ستدعم كوريا الشمالية"
    annotations = [
        span_stance(),
        span_stance("AGAINST", holder={"text": "the article", "article": True}, target=KOREA, note="قصير"),
        span_stance("NEUTRAL", holder={"text": "مسؤول أمريكي"}, target={**KOREA, "id": "abc"}),
        {"annotator": "amal", "layer": "doc_stance", "label": "NONE", "attrs": {"target": "روسيا"}},
        {"annotator": "amal", "layer": "doc_stance", "label": "FAVOR", "attrs": {"target": "كوريا"}},
    ]
    write_jsonl(tmp_path / "in.jsonl", [{"name": "ok", "text": TEXT, "annotations": annotations}])
    report = import_paths(project, [tmp_path / "in.jsonl"], "amal")
    assert report.ok and report.annotations_added == 5, report.rejected
    # Without ids, stances are recognised by what they say: a second import adds nothing.
    assert import_paths(project, [tmp_path / "in.jsonl"], "amal").annotations_added == 0


@pytest.mark.parametrize("annotation, reason", [
    (span_stance("PRO"), '"label" of a stance must be FAVOR, AGAINST or NEUTRAL'),
    (span_stance("NONE"), '"label" of a stance must be FAVOR, AGAINST or NEUTRAL'),
    (span_stance(holder={**PUTIN, "text": "بوتن"}), '"attrs.holder" "text" \'بوتن\' is not the text at 4–9'),
    (span_stance(target={**KOREA, "end": 38}), '"attrs.target" "text" \'كوريا الشمالية\' is not the text at 25–38'),
    (span_stance(holder={**PUTIN, "end": 99}), '"attrs.holder" offsets 4–99 fall outside the text'),
    (span_stance(holder={**PUTIN, "start": "4"}), '"attrs.holder" "start" and "end" must be integers'),
    (span_stance(target=None), '"attrs.target" is missing'),
    ({**span_stance(), "attrs": {"holder": PUTIN}}, '"attrs.target" is missing'),
    ({**span_stance(), "attrs": {}}, '"attrs.holder" is missing'),
    (span_stance(holder={"target": "روسيا"}), '"attrs.holder" must be {"start", "end", "text"}'),
    (span_stance(target={"text": "the article", "article": True}), '"attrs.target" must be {"target": NAME}'),
    (span_stance(holder={"text": "x", "article": "yes"}), '"attrs.holder" "article" must be true'),
    (span_stance(holder={**PUTIN, "label": "PERS"}), "got keys ['end', 'label', 'start', 'text']"),
    (span_stance(holder="بوتين"), '"attrs.holder" must be'),
    (span_stance(target={"target": ""}), '"attrs.target" "target" must be a non-empty string'),
    (span_stance(note=5), '"attrs.note" must be a string'),
    ({**span_stance(), "start": None, "end": None}, '"start" and "end" must be integers'),
    ({"layer": "doc_stance", "label": "FAVOR", "start": 0, "end": 3, "attrs": {"target": "روسيا"}},
     'a doc_stance is about the whole document: it has no "start" or "end"'),
    ({"layer": "doc_stance", "label": "FAVOR", "start": 0, "attrs": {"target": "روسيا"}}, 'has no "start" or "end"'),
    ({"layer": "doc_stance", "label": "FAVOR", "attrs": {}}, '"attrs.target" of a doc_stance must be a non-empty'),
    ({"layer": "doc_stance", "label": "FAVOR", "attrs": {"target": {"target": "روسيا"}}},
     '"attrs.target" of a doc_stance must be a non-empty string'),
    ({"layer": "doc_stance", "label": "MAYBE", "attrs": {"target": "روسيا"}},
     '"label" of a doc_stance must be FAVOR, AGAINST, NEUTRAL or NONE'),
])
def test_a_bad_stance_rejects_the_whole_file(project, tmp_path, annotation, reason):
    write_jsonl(tmp_path / "in.jsonl", [
        {"name": "fine", "text": "نص سليم تماما"},
        {"name": "broken", "text": TEXT, "annotations": [span_stance(), annotation]},
    ])
    report = import_paths(project, [tmp_path / "in.jsonl"], "amal")
    [(name, message)] = report.rejected
    assert name.endswith("in.jsonl") and message.startswith("line 2: annotation 2: ") and reason in message, message
    assert project.document_ids() == []


def test_two_document_stances_for_one_target_are_rejected(project, tmp_path):
    twice = {"annotator": "amal", "layer": "doc_stance", "label": "FAVOR", "attrs": {"target": "روسيا"}}
    write_jsonl(tmp_path / "in.jsonl", [{"name": "x", "text": TEXT, "annotations": [
        twice, {**twice, "annotator": "huda"}, {**twice, "label": "AGAINST"}]}])
    [(_, message)] = import_paths(project, [tmp_path / "in.jsonl"], "amal").rejected
    assert "line 1: annotation 3: a second doc_stance by amal for the target 'روسيا' (the first is annotation 1)" \
        == message


def test_crlf_text_moves_holder_and_target_with_the_evidence(project, tmp_path):
    text = "سطر\r\nقال بوتين\r\nإن روسيا ستدعم كوريا"
    holder = {"start": text.index("بوتين"), "end": text.index("بوتين") + 5, "text": "بوتين"}
    across = text.index("قال")
    target = {"start": across, "end": across + len("قال بوتين\r\nإن"), "text": "قال بوتين\r\nإن"}
    evidence = text.index("ستدعم")
    write_jsonl(tmp_path / "in.jsonl", [{"name": "crlf", "text": text, "annotations": [
        {"layer": "stance", "label": "FAVOR", "start": evidence, "end": evidence + 5,
         "attrs": {"holder": holder, "target": target}}]}])
    report = import_paths(project, [tmp_path / "in.jsonl"], "amal")
    assert report.ok, report.rejected
    stored = project.document_text(project.document_ids()[0])
    [span] = project.annotations(project.document_ids()[0])
    moved_holder, moved_target = span.attrs["holder"], span.attrs["target"]
    assert stored[span.start:span.end] == "ستدعم"
    assert stored[moved_holder["start"]:moved_holder["end"]] == moved_holder["text"] == "بوتين"
    assert stored[moved_target["start"]:moved_target["end"]] == moved_target["text"] == "قال بوتين\nإن"


def test_a_second_document_stance_for_the_same_target_is_not_imported(tmp_path):
    from app.project import Project
    project = Project.create(tmp_path / "p.hashiya")
    text = "قال بوتين إن روسيا"
    first = {"name": "a", "text": text, "annotations": [
        {"id": "one", "annotator": "amal", "layer": "doc_stance", "label": "FAVOR", "attrs": {"target": "روسيا"}}]}
    second = {"name": "a", "text": text, "annotations": [
        {"id": "two", "annotator": "amal", "layer": "doc_stance", "label": "AGAINST", "attrs": {"target": "روسيا"}}]}
    for index, record in enumerate((first, second)):
        (tmp_path / f"{index}.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    import_paths(project, [tmp_path / "0.jsonl"], "amal")
    report = import_paths(project, [tmp_path / "1.jsonl"], "amal")
    assert report.conflicting_doc_stances == 1 and any("kept the stored" in line for line in report.summary_lines())
    assert [s.label for s in project.annotations(project.document_ids()[0])] == ["FAVOR"]
    project.close()


def test_a_deeply_nested_schema_file_is_a_clear_error(tmp_path):
    from app.schema import SchemaFileError, read_schema
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(SchemaFileError, match="nested too deeply"):
        read_schema(path)


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
