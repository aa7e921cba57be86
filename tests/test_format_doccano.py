"""doccano JSONL: offsets in UTF-16 code units (what doccano's browser front end counts), one file per analyst,
a byte-identical round trip, doccano's newer entities/relations shape, and what cannot be represented."""

import json

import pytest

from app.formats import FORMATS, export_as, import_as
from app.formats.common import export_documents
from app.project import Project, Span
from tests.conftest import add_document, occurrence
from tests.interchange_corpus import ANALYST, EMOJI_TEXT, SECOND, build, stored

DOCCANO = FORMATS["doccano"]


def records(path):
    """The file as doccano reads it: one JSON object per line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def js_slice(text, start, end):
    """text[start:end] with JavaScript's indices (UTF-16 code units), as doccano's front end slices."""
    return text.encode("utf-16-le")[2 * start:2 * end].decode("utf-16-le")


def js_index(text, point):
    return len(text[:point].encode("utf-16-le")) // 2


@pytest.fixture
def other_project(tmp_path):
    opened = Project.create(tmp_path / "other.hashiya")
    yield opened
    opened.close()


def write_lines(path, *lines):
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
                            for line in lines), encoding="utf-8")
    return path


def test_every_span_slices_to_its_surface_in_utf16_units(project, tmp_path):
    build(project)
    out = tmp_path / "amal.jsonl"
    outcome = export_as(project, DOCCANO, out, annotator=ANALYST)
    lines = records(out)
    assert [line["name"] for line in lines] == ["emoji.txt", "tatweel.txt", "plain.txt"]  # every document
    assert lines[2]["label"] == []
    spans = sorted((line["name"], label, js_slice(line["text"], start, end))
                   for line in lines for start, end, label in line["label"])
    expected = sorted((name, label, surface)
                      for name, _, _, label, _, _, surface in stored(project, ANALYST, ("entity",)))
    assert spans == expected and outcome.report.annotations == len(expected)
    for line in lines:
        assert line["label"] == sorted(line["label"])
    # After 😀 and the two-character flag, a span is 3 units further on than in code points.
    putin = occurrence(EMOJI_TEXT, "فلاديمير بوتين")
    assert [putin[0] + 3, putin[1] + 3, "PERS"] in lines[0]["label"]
    assert [js_index(EMOJI_TEXT, putin[0]), js_index(EMOJI_TEXT, putin[1]), "PERS"] in lines[0]["label"]


def test_several_analysts_give_one_file_each(project, tmp_path):
    build(project)
    out = tmp_path / "entities"
    outcome = export_as(project, DOCCANO, out)
    assert outcome.per_analyst_folder and sorted(p.name for p in out.iterdir()) == ["amal.jsonl", "badr.jsonl"]
    badr = [(line["name"], label, js_slice(line["text"], start, end))
            for line in records(out / "badr.jsonl") for start, end, label in line["label"]]
    assert sorted(badr) == sorted((name, label, surface)
                                  for name, _, _, label, _, _, surface in stored(project, SECOND, ("entity",)))


@pytest.mark.parametrize("layer", ["entity", "boilerplate", "stance"])
def test_round_trip_gives_identical_files_and_annotations(project, other_project, tmp_path, layer):
    build(project)
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    export_as(project, DOCCANO, first, annotator=ANALYST, layer=layer)
    report = import_as(other_project, DOCCANO, first, "someone")
    assert report.ok and report.unrepresented == []
    export_as(other_project, DOCCANO, second, annotator=ANALYST, layer=layer)
    assert second.read_bytes() == first.read_bytes()
    assert stored(other_project, layers=(layer,)) == stored(project, ANALYST, (layer,))
    if layer == "stance":  # holder, target and note came back through Hashiya's own record
        (evidence,) = [s for d in other_project.document_ids() for s in other_project.annotations(d, layer="stance")]
        assert evidence.attrs["target"] == {"target": "روسيا"} and evidence.attrs["note"] == "تصريح مباشر"


def test_spans_edited_in_doccano_keep_their_identity_or_become_the_importers(project, other_project, tmp_path):
    build(project)
    out = tmp_path / "amal.jsonl"
    export_as(project, DOCCANO, out, annotator=ANALYST)
    lines = records(out)
    emoji = lines[0]
    removed = emoji["label"].pop()
    added = [js_index(EMOJI_TEXT, occurrence(EMOJI_TEXT, "3 March 2025")[0]),
             js_index(EMOJI_TEXT, occurrence(EMOJI_TEXT, "3 March 2025")[1]), "DATE"]
    emoji["label"].append(added)
    write_lines(out, *lines)
    report = import_as(other_project, DOCCANO, out, "huda")
    assert report.ok
    spans = stored(other_project)
    assert ("emoji.txt", "huda", "entity", "DATE", *occurrence(EMOJI_TEXT, "3 March 2025"), "3 March 2025") in spans
    assert not any(span[1] == "amal" and span[3] == removed[2] and span[6] == js_slice(EMOJI_TEXT, *removed[:2])
                   for span in spans)
    kept = {s.uid for d in other_project.document_ids() for s in other_project.annotations(d, "amal")}
    original = {s.uid for d in project.document_ids() for s in project.annotations(d, "amal", "entity")}
    assert len(kept) == len(original) - 1 and kept < original


def test_a_stance_span_added_in_doccano_is_reported(project, other_project, tmp_path):
    build(project)
    out = tmp_path / "stance.jsonl"
    export_as(project, DOCCANO, out, annotator=ANALYST, layer="stance")
    lines = records(out)
    lines[1]["label"].append([0, 5, "AGAINST"])
    write_lines(out, *lines)
    report = import_as(other_project, DOCCANO, out, "huda")
    assert report.ok and len(report.unrepresented) == 1
    assert "line 2 (tatweel.txt)" in report.unrepresented[0] and "holder and a target" in report.unrepresented[0]
    assert [span[3] for span in stored(other_project, layers=("stance",))] == ["FAVOR"]


def test_newer_entities_and_relations_shape_with_crlf(project, tmp_path):
    text = "😀 Google was founded by Larry Page.\r\nIn 1998 🎉 in Menlo Park."
    google, page = occurrence(text, "Google"), occurrence(text, "Larry Page")
    park = occurrence(text, "Menlo Park")
    entities = [{"id": number, "label": label, "start_offset": js_index(text, start),
                 "end_offset": js_index(text, end)}
                for number, (label, (start, end)) in enumerate([("ORG", google), ("PERSON", page), ("LOC", park)])]
    path = write_lines(tmp_path / "admin.jsonl", {
        "id": 7, "text": text, "entities": entities, "source": "web",
        "relations": [{"id": 1, "from_id": 0, "to_id": 1, "type": "foundedBy"},
                      {"id": 2, "from_id": 0, "to_id": 2, "type": "locatedIn"}],
        "Comments": ["check the date"]})
    report = import_as(project, DOCCANO, path, "amal")
    assert report.ok and report.imported == ["admin:1"]
    assert len(report.unrepresented) == 2
    assert report.unrepresented[0].startswith("line 1 (admin:1): 2 relation(s) (foundedBy, locatedIn)")
    assert "1 comment(s) (check the date)" in report.unrepresented[1]
    normalised = text.replace("\r\n", "\n")
    assert sorted((label, start, end) for *_, label, start, end, _ in stored(project)) == sorted([
        ("ORG", *occurrence(normalised, "Google")), ("PERSON", *occurrence(normalised, "Larry Page")),
        ("LOC", *occurrence(normalised, "Menlo Park"))])
    (document,) = export_documents(project)
    assert document.meta == {"source": "web", "doccano_id": 7}


def test_text_classification_labels_are_reported_not_dropped(project, tmp_path):
    path = write_lines(tmp_path / "classes.jsonl",
                       {"text": "خبر عن الاقتصاد", "label": ["economy", "politics"]},
                       {"text": "Book a flight to Paris", "cats": ["book_flight"], "entities": [[17, 22, "CITY"]]})
    report = import_as(project, DOCCANO, path, "amal")
    assert report.ok and report.imported == ["classes:1", "classes:2"]
    assert report.unrepresented == [
        "line 1 (classes:1): document label(s) economy, politics — text classification labels are not imported",
        'line 2 (classes:2): document categories book_flight ("cats") — intent labels are not imported']
    assert [(span[3], span[6]) for span in stored(project)] == [("CITY", "Paris")]


@pytest.mark.parametrize("bad, reason", [
    ("{not json", "not valid JSON"),
    ({"text": "abc", "label": [[2, 1, "X"]]}, "start 2 must be at least 0 and before end 1"),
    ({"text": "abc", "label": [[0, 4, "X"]]}, "end 4 is beyond the text (3 UTF-16 code units)"),
    ({"text": "abc", "label": [["0", 2, "X"]]}, "the offsets must be whole numbers"),
    ({"text": "abc", "label": [[0, 2]]}, '"label" entry 1 is not [start, end, LABEL]'),
    ({"text": "😀abc", "label": [[1, 3, "X"]]}, "offset 1 falls between the two UTF-16 halves"),
    ({"text": "abc", "entities": [{"start_offset": 0, "end_offset": 2, "label": ""}]}, "non-empty string"),
    ({"label": [[0, 1, "X"]]}, '"text" is missing or empty'),
    ({"text": "abc", "hashiya": {"layer": "doc_stance"}}, '"hashiya.layer" must be one of'),
])
def test_a_bad_line_rejects_the_file_naming_the_line(project, tmp_path, bad, reason):
    path = write_lines(tmp_path / "bad.jsonl", {"text": "سطر سليم", "label": [[0, 3, "X"]]}, bad)
    report = import_as(project, DOCCANO, path, "amal")
    ((_, message),) = report.rejected
    assert message.startswith("line 2: ") and reason in message
    assert project.document_count() == 0


def test_an_empty_layer_writes_one_line_per_document(project, tmp_path):
    add_document(project, "نص أول 😀", "one.txt")
    add_document(project, "second text", "two.txt")
    out = tmp_path / "empty.jsonl"
    outcome = export_as(project, DOCCANO, out, layer="boilerplate")
    assert outcome.empty and not outcome.per_analyst_folder
    assert [(line["name"], line["text"], line["label"]) for line in records(out)] == [
        ("one.txt", "نص أول 😀", []), ("two.txt", "second text", [])]


def test_line_separators_inside_a_text_do_not_break_the_lines(project, tmp_path):
    text = "فقرة أولى\u2028فقرة ثانية\u0085 next"
    document = add_document(project, text, "separators.txt")
    project.add_annotations([Span(document, "amal", "entity", "MISC", *occurrence(text, "فقرة ثانية"))])
    out = tmp_path / "separators.jsonl"
    export_as(project, DOCCANO, out, annotator="amal")
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1  # splitlines breaks at U+2028 and U+0085 too
    ((start, end, label),) = records(out)[0]["label"]
    assert js_slice(text, start, end) == "فقرة ثانية"


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
