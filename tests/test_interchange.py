"""What every interchange format shares (app/formats): round trips, empty layers, cancel, one export per
analyst, and the `hashiya export/import --format` commands. Each format's own reader tests are in
tests/test_format_<name>.py."""

from __future__ import annotations

import json
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app import cli
from app.formats import FORMATS, ExportProblem, export_as, import_as
from app.formats.common import ExportCancelled, Utf16Offsets
from app.importer import BadInput
from app.project import Project
from tests import interchange_corpus as corpus
from tests.conftest import add_document

# Formats that carry code-point offsets back: a round trip must give the very same annotations.
OFFSET_FORMATS = [name for name, fmt in FORMATS.items() if fmt.importable and name != "conll"]


def _export_path(tmp_path, name: str, stem: str = "export"):
    fmt = FORMATS[name]
    return tmp_path / (stem if fmt.folder else f"{stem}{fmt.suffix}")


def _leftovers(folder) -> list[str]:
    return [entry for entry in os.listdir(folder) if entry.startswith(".")]


@pytest.fixture
def filled(project):
    corpus.build(project)
    return project


@pytest.mark.parametrize("name", OFFSET_FORMATS)
def test_round_trip_keeps_every_annotation_the_format_carries(filled, tmp_path, name):
    fmt = FORMATS[name]
    first = _export_path(tmp_path, name, "first")
    export_as(filled, fmt, first, corpus.ANALYST)
    again = Project.create(tmp_path / "again.hashiya")
    try:
        report = import_as(again, fmt, first, corpus.ANALYST)
        assert report.ok, report.rejected
        assert len(report.imported) == 3
        carried = corpus.stored(again)
        assert carried, "nothing came back"
        layers = {row[2] for row in carried}
        assert corpus.stored(again) == corpus.stored(filled, corpus.ANALYST, tuple(layers))
        assert "entity" in layers
        second = _export_path(tmp_path, name, "second")
        export_as(again, fmt, second, corpus.ANALYST)
        assert _contents(first) == _contents(second)
    finally:
        again.close()


def _contents(path) -> dict[str, bytes]:
    if path.is_file():
        return {"": path.read_bytes()}
    return {str(file.relative_to(path)): file.read_bytes() for file in sorted(path.rglob("*")) if file.is_file()}


def test_conll_round_trip_rebuilds_the_text_and_gives_the_same_file(filled, tmp_path):
    fmt = FORMATS["conll"]
    export_as(filled, fmt, tmp_path / "first.conll", corpus.ANALYST)
    again = Project.create(tmp_path / "again.hashiya")
    try:
        assert import_as(again, fmt, tmp_path / "first.conll", corpus.ANALYST).ok
        export_as(again, fmt, tmp_path / "second.conll", corpus.ANALYST)
    finally:
        again.close()
    assert (tmp_path / "first.conll").read_bytes() == (tmp_path / "second.conll").read_bytes()


@pytest.mark.parametrize("name", list(FORMATS))
def test_a_layer_with_nothing_in_it_gives_a_valid_empty_export_and_says_so(project, tmp_path, name):
    add_document(project, "😀 خبر بلا أي تعليق.", "only.txt")
    out = _export_path(tmp_path, name)
    outcome = export_as(project, FORMATS[name], out)
    assert outcome.empty
    assert out.exists()
    assert "nothing in the" in outcome.summary(FORMATS[name].layers)
    assert outcome.report.documents == 1


@pytest.mark.parametrize("name", list(FORMATS))
def test_a_cancelled_export_writes_nothing(filled, tmp_path, name):
    out = _export_path(tmp_path, name)
    with pytest.raises(ExportCancelled):
        export_as(filled, FORMATS[name], out, corpus.ANALYST, cancelled=lambda: True)
    assert not out.exists()
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("name", list(FORMATS))
def test_progress_reaches_the_last_document(filled, tmp_path, name):
    seen = []
    export_as(filled, FORMATS[name], _export_path(tmp_path, name), corpus.ANALYST,
              progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (3, 3)


def test_a_one_analyst_format_writes_one_file_per_analyst_into_a_folder(filled, tmp_path):
    outcome = export_as(filled, FORMATS["doccano"], tmp_path / "by-analyst")
    assert outcome.per_analyst_folder
    assert sorted(os.listdir(tmp_path / "by-analyst")) == ["amal.jsonl", "badr.jsonl"]
    assert "one export per analyst (2)" in outcome.summary(("entity",))


def test_one_file_named_for_several_analysts_is_refused_and_nothing_is_written(filled, tmp_path):
    with pytest.raises(ExportProblem, match="amal, badr"):
        export_as(filled, FORMATS["doccano"], tmp_path / "all.jsonl")
    assert not (tmp_path / "all.jsonl").exists()
    assert _leftovers(tmp_path) == []


def test_a_format_refuses_a_layer_it_cannot_carry(filled, tmp_path):
    with pytest.raises(ExportProblem, match="cannot carry the doc_stance layer"):
        export_as(filled, FORMATS["conll"], tmp_path / "x.conll", corpus.ANALYST, layer="doc_stance")


def test_a_format_that_keeps_analysts_apart_exports_everyone_in_one_file(filled, tmp_path):
    outcome = export_as(filled, FORMATS["csv"], tmp_path / "spans.csv")
    assert not outcome.per_analyst_folder
    spans = [row for row in corpus.stored(filled) if row[4] is not None]
    assert outcome.report.annotations == len(spans)


def test_a_bad_input_is_rejected_whole_and_leaves_the_project_as_it_was(filled, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "نص", "label": [[0, 2, "LOC"]]}\n{"text": "نص آخر", "label": [[0, 99, "LOC"]]}\n',
                   encoding="utf-8")
    before = corpus.stored(filled)
    report = import_as(filled, FORMATS["doccano"], bad, "amal")
    assert not report.ok
    assert str(bad) in report.rejected[0][0]
    assert corpus.stored(filled) == before
    assert filled.document_count() == 3


# ---- the command line ----------------------------------------------------------------------------
def test_cli_exports_and_imports_another_tools_format(filled, project_path, tmp_path, capsys):
    filled.close()
    out = tmp_path / "amal.jsonl"
    assert cli.main(["export", str(project_path), "--format", "doccano", "--out", str(out),
                     "--annotator", "amal"]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    target = tmp_path / "new.hashiya"
    assert cli.main(["import", str(target), str(out), "--format", "doccano", "--annotator", "amal"]) == 0
    printed = capsys.readouterr().out
    assert "imported 3 document(s)" in printed
    original, reopened = Project.open(project_path), Project.open(target)
    try:
        assert corpus.stored(reopened) == corpus.stored(original, "amal", ("entity",))
    finally:
        original.close()
        reopened.close()


def test_cli_says_when_the_chosen_layer_is_empty(project, project_path, tmp_path, capsys):
    add_document(project, "نص قصير.", "a.txt")
    project.close()
    out = tmp_path / "empty.conll"
    assert cli.main(["export", str(project_path), "--format", "conll", "--out", str(out)]) == 0
    assert "nothing in the entity layer" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8").startswith("-DOCSTART- -X- O O")


@pytest.mark.parametrize("argv, message", [
    (["--format", "doccano", "--layer", "doc_stance"], "cannot carry the doc_stance layer"),
    (["--format", "doccano", "--annotator", "nobody"], "no analyst called nobody"),
    (["--format", "jsonl", "--layer", "entity"], "--layer applies to the other tools' formats"),
    (["--format", "spacy", "--gold"], "no gold annotations yet"),
])
def test_cli_refuses_what_it_cannot_do_and_writes_nothing(filled, project_path, tmp_path, capsys, argv, message):
    filled.close()
    out = tmp_path / "out.file"
    assert cli.main(["export", str(project_path), "--out", str(out), *argv]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_cli_reports_what_an_import_could_not_represent(project_path, tmp_path, capsys):
    source = tmp_path / "doccano.jsonl"
    source.write_text(json.dumps({
        "text": "زار بوتين دمشق.", "entities": [{"id": 1, "label": "PERS", "start_offset": 4, "end_offset": 9},
                                             {"id": 2, "label": "GPE", "start_offset": 10, "end_offset": 14}],
        "relations": [{"id": 1, "from_id": 1, "to_id": 2, "type": "visited"}]}, ensure_ascii=False) + "\n",
        encoding="utf-8")
    assert cli.main(["import", str(project_path), str(source), "--format", "doccano"]) == 0
    printed = capsys.readouterr().out
    assert "imported 1 document(s), 2 annotation(s)" in printed
    assert "could not represent" in printed and "relation" in printed


def test_cli_imports_a_conll_file_into_the_layer_asked_for(project_path, tmp_path, capsys):
    source = tmp_path / "tags.conll"
    source.write_text("-DOCSTART- -X- O O\n\nشارك -X- _ B-PERS\nالمقال -X- _ I-PERS\n\n", encoding="utf-8")
    assert cli.main(["import", str(project_path), str(source), "--format", "conll", "--layer", "boilerplate"]) == 0
    capsys.readouterr()
    project = Project.open(project_path)
    try:
        [(name, _analyst, layer, label, start, end, surface)] = corpus.stored(project)
    finally:
        project.close()
    assert (layer, label, surface) == ("boilerplate", "PERS", "شارك المقال")


def test_cli_refuses_an_import_layer_for_a_format_that_names_its_layers(project_path, tmp_path, capsys):
    assert cli.main(["import", str(project_path), str(tmp_path / "x.jsonl"), "--format", "doccano",
                     "--layer", "boilerplate"]) == 1
    assert "applies to conll files only" in capsys.readouterr().err
    assert not project_path.exists()


def test_the_summary_names_a_file_written_beside_the_export(filled, tmp_path):
    outcome = export_as(filled, FORMATS["label-studio"], tmp_path / "tasks.json")
    assert outcome.summary(FORMATS["label-studio"].layers).endswith("and beside it tasks.label_config.xml")
    assert (tmp_path / "tasks.label_config.xml").is_file()


def test_the_summary_counts_the_spans_a_flat_format_left_out(filled, tmp_path):
    outcome = export_as(filled, FORMATS["conll"], tmp_path / "amal.conll", corpus.ANALYST)
    assert outcome.report.dropped == 2  # القاهرة inside the university, and القاهرة الجديدة crossing it
    assert "2 overlapping span(s) left out" in outcome.summary(("entity",))


def test_an_empty_export_names_the_layers_it_looked_in(project, tmp_path):
    add_document(project, "نص بلا تعليق.", "only.txt")
    outcome = export_as(project, FORMATS["brat"], tmp_path / "brat")
    assert outcome.summary(FORMATS["brat"].layers) == (
        f"wrote {tmp_path / 'brat'}: nothing in the entity, boilerplate and stance layers; "
        "the export is valid but empty (1 document(s))")


def _utf16_index(text: str, point: int) -> int:
    """Where code point `point` is in UTF-16 units: what a JavaScript string index (doccano) and UIMA count."""
    return len(text[:point].encode("utf-16-le")) // 2


@given(st.text(alphabet=st.sampled_from("ab ًّـ\n\u200f\U0001F600\U0001F1F8\U0001F1E6\U00010348")))
def test_utf16_offsets_agree_with_utf16_and_refuse_the_middle_of_a_pair(text):
    offsets = Utf16Offsets(text)
    assert offsets.length == len(text.encode("utf-16-le")) // 2
    for point in range(len(text) + 1):
        assert offsets.units(point) == _utf16_index(text, point)
        assert offsets.point(offsets.units(point)) == point
        assert offsets.code_point(offsets.units(point), "x") == point
    inside_pairs = {_utf16_index(text, point) + 1 for point, char in enumerate(text) if ord(char) > 0xFFFF}
    assert {unit for unit in range(offsets.length + 1) if offsets.point(unit) is None} == inside_pairs
    for unit in inside_pairs:
        with pytest.raises(BadInput, match="surrogate pair"):
            offsets.code_point(unit, "x")
