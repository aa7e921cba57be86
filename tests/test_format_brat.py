"""brat standoff export and import (app/formats/brat.py), proven with pybrat, brat's reader for Python."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pybrat.parser import BratParser

from app.formats import FORMATS, ExportProblem, export_as, import_as
from app.formats.brat import label_of, layer_and_label
from app.formats.common import SPAN_LAYERS
from app.project import Project, Span
from tests import interchange_corpus as corpus
from tests.conftest import add_document, occurrence

BRAT = FORMATS["brat"]
BRAT_TYPE = re.compile(r"[A-Za-z0-9_-]+")  # what brat stores as a type name


def exported(project: Project, out: Path, annotator: str | None = corpus.ANALYST, layer: str | None = None):
    return export_as(project, BRAT, out, annotator=annotator, layer=layer)


def pybrat_spans(folder: Path) -> list[tuple]:
    """Every text-bound annotation pybrat reads, as (document stem, layer, label, start, end, surface, mention,
    the fragments' texts joined as brat quotes them): a span written in fragments (one per line) is read as
    first start to last end, its surface being pybrat's text there."""
    found = []
    for example in BratParser(error="raise").parse(folder):
        for entity in example.entities:
            layer, label = layer_and_label(entity.type)
            start, end = entity.spans[0].start, entity.spans[-1].end
            quoted = " ".join(example.text[span.start:span.end] for span in entity.spans)
            found.append((example.id, layer, label, start, end, example.text[start:end], entity.mention, quoted))
    return found


def annotations_of(project: Project, analyst: str) -> list[tuple]:
    """An analyst's span annotations with their attributes (a stance's holder/target id aside: brat ids are
    not Hashiya's)."""
    found = []
    for document_id in project.document_ids():
        for span in project.annotations(document_id, analyst):
            if span.layer == "doc_stance":
                continue
            attrs = {key: ({k: v for k, v in value.items() if k != "id"} if isinstance(value, dict) else value)
                     for key, value in span.attrs.items()}
            found.append((project.document_name(document_id), span.layer, span.label, span.start, span.end,
                          repr(sorted(attrs.items()))))
    return sorted(found)


def add_spans(project: Project, document_id: int, text: str, *items: tuple) -> None:
    """(layer, label, needle[, attrs]) spans of the first analyst."""
    spans = []
    for layer, label, needle, *attrs in items:
        start, end = occurrence(text, needle)
        spans.append(Span(document_id, corpus.ANALYST, layer, label, start, end, attrs=attrs[0] if attrs else {}))
    project.add_annotations(spans)


def build_with_extras(project: Project) -> corpus.Corpus:
    """The corpus plus what brat needs special care for: boilerplate across line breaks (one starting with a
    break), a detector's reason on a boilerplate span, and stances whose holder is the article or free text and
    whose target is an entity span."""
    built = corpus.build(project)
    emoji = built.documents["emoji.txt"]
    text = corpus.EMOJI_TEXT
    add_spans(project, emoji, text,
              ("boilerplate", "other", "مشابهة\nشارك"),
              ("boilerplate", "footer", "\nشارك المقال", {"reason": "repeated on 40 pages"}),
              ("stance", "AGAINST", "تراقبان الوضع", {
                  "holder": {"text": "the article", "article": True},
                  "target": {"start": text.index("واشنطن"), "end": text.index("واشنطن") + 6, "text": "واشنطن"}}),
              ("stance", "NEUTRAL", "Moscow, 3 March", {
                  "holder": {"text": "مسؤول أمريكي"}, "target": {"target": "روسيا"}}))
    return built


# ---- export, read by pybrat ------------------------------------------------------------------------------
def test_pybrat_loads_the_export_and_every_span_matches_the_stored_text_and_label(project, tmp_path):
    build_with_extras(project)
    outcome = exported(project, tmp_path / "brat")
    expected = corpus.stored(project, corpus.ANALYST, SPAN_LAYERS)
    read = pybrat_spans(tmp_path / "brat")
    assert outcome.report.annotations == len(expected) == len(read)
    # A stance's label (its polarity) is a brat attribute, which pybrat does not read.
    assert sorted((f"{stem}.txt", layer, label or None, start, end, surface)
                  for stem, layer, label, start, end, surface, *_ in read) == sorted(
        (name, layer, None if layer == "stance" else label, start, end, surface)
        for name, _, layer, label, start, end, surface in expected)
    for *_, mention, quoted in read:
        assert mention == quoted.rstrip()  # pybrat strips the line's end


def test_offsets_count_code_points_and_each_txt_is_the_stored_text(project, tmp_path):
    built = corpus.build(project)
    exported(project, tmp_path / "brat")
    start, end = occurrence(corpus.EMOJI_TEXT, "فلاديمير بوتين")
    assert start == 16  # 😀 and the flag's two regional indicators are one character each (UTF-16 counts 19)
    assert f"T1\tPERS {start} {end}\tفلاديمير بوتين\n" in (tmp_path / "brat" / "emoji.ann").read_text("utf-8")
    for name, text in built.texts.items():
        assert (tmp_path / "brat" / name).read_bytes() == text.encode("utf-8")
        assert b"\r" not in (tmp_path / "brat" / name).read_bytes()


def test_a_stance_is_a_stance_span_with_polarity_holder_relation_and_a_note_for_the_rest(project, tmp_path):
    corpus.build(project)
    exported(project, tmp_path / "brat")
    ann = (tmp_path / "brat" / "emoji.ann").read_text("utf-8").splitlines()
    stance = next(line for line in ann if "\tStance " in line)
    holder = next(line for line in ann if line.startswith("T") and "\tفلاديمير بوتين" in line)
    stance_id, holder_id = stance.split("\t")[0], holder.split("\t")[0]
    assert f"A1\tPolarity {stance_id} FAVOR" in ann
    assert f"R1\tHolder Arg1:{stance_id} Arg2:{holder_id}" in ann
    assert f'#1\tAnnotatorNotes {stance_id}\t{{"target": {{"target": "روسيا"}}, "note": "تصريح مباشر"}}' in ann
    relation = BratParser().parse(tmp_path / "brat")[0].relations[0]
    assert (relation.type, relation.arg1.mention, relation.arg2.mention) == ("Holder", "لن تتراجع لروسيا",
                                                                             "فلاديمير بوتين")


def test_a_span_across_line_breaks_is_written_one_fragment_per_line_and_read_back_whole(project, tmp_path):
    text = "سطر أول\n\nسطر ثالث\nآخر"
    document = add_document(project, text, "lines.txt")
    add_spans(project, document, text, ("boilerplate", "footer", "أول\n\nسطر"), ("boilerplate", "other", "\nآخر"))
    exported(project, tmp_path / "brat")
    ann = (tmp_path / "brat" / "lines.ann").read_text("utf-8")
    # Each line break is left out; the empty line between two breaks and the break a span starts with keep
    # an empty fragment, so both ends and every break survive.
    assert "T1\tBoilerplate-footer 4 7;8 8;9 12\tأول  سطر\n" in ann
    assert "T2\tBoilerplate-other 17 17;18 21\t آخر\n" in ann
    assert [(start, end, surface) for _, _, _, start, end, surface, *_ in pybrat_spans(tmp_path / "brat")] == [
        (4, 12, "أول\n\nسطر"), (17, 21, "\nآخر")]
    imported = Project.create(tmp_path / "again.hashiya")
    assert import_as(imported, BRAT, tmp_path / "brat", corpus.ANALYST).ok
    assert corpus.stored(imported) == corpus.stored(project)
    imported.close()


def test_labels_brat_cannot_store_are_escaped_and_come_back(project, tmp_path):
    text = "زار بوتين دمشق مع وفد من الأمم المتحدة في آخر الصفحة"
    document = add_document(project, text, "labels.txt")
    add_spans(project, document, text, ("entity", "شخص", "بوتين"), ("entity", "Capital city", "دمشق"),
              ("entity", "Stance", "وفد"), ("entity", "Boilerplate-footer", "الأمم"), ("entity", "x--y", "المتحدة"),
              ("entity", "footer", "آخر"), ("boilerplate", "footer", "الصفحة"))
    exported(project, tmp_path / "brat")
    types = [line.split("\t")[1].split(" ")[0] for line in (tmp_path / "brat" / "labels.ann").read_text("utf-8")
             .splitlines()]
    assert all(BRAT_TYPE.fullmatch(name) for name in types)
    assert len(set(types)) == 7  # an entity label never reads as a stance or as a boilerplate category
    assert "x---634--62e--635-" in types and "Boilerplate-footer" in types and "footer" in types
    assert [label_of(name) for name in types if name.startswith("x--")] == [
        "شخص", "Capital city", "Stance", "Boilerplate-footer", "x--y"]
    visual = (tmp_path / "brat" / "visual.conf").read_text("utf-8")
    assert "x---634--62e--635- | شخص\n" in visual and "x--Capital-20-city | Capital city\n" in visual
    assert "\nx---634--62e--635-\n" in (tmp_path / "brat" / "annotation.conf").read_text("utf-8")
    imported = Project.create(tmp_path / "again.hashiya")
    assert import_as(imported, BRAT, tmp_path / "brat", corpus.ANALYST).ok
    assert corpus.stored(imported) == corpus.stored(project)
    imported.close()


# ---- round trip ------------------------------------------------------------------------------------------
def test_export_import_export_gives_identical_files_and_annotations(project, tmp_path):
    build_with_extras(project)
    exported(project, tmp_path / "first")
    imported = Project.create(tmp_path / "imported.hashiya")
    report = import_as(imported, BRAT, tmp_path / "first", corpus.ANALYST)
    assert report.ok and not report.unrepresented
    assert corpus.stored(imported) == corpus.stored(project, corpus.ANALYST, SPAN_LAYERS)
    assert annotations_of(imported, corpus.ANALYST) == annotations_of(project, corpus.ANALYST)
    export_as(imported, BRAT, tmp_path / "second", annotator=corpus.ANALYST)
    first = sorted(p.relative_to(tmp_path / "first") for p in (tmp_path / "first").rglob("*"))
    assert first == sorted(p.relative_to(tmp_path / "second") for p in (tmp_path / "second").rglob("*"))
    for relative in first:
        assert (tmp_path / "second" / relative).read_bytes() == (tmp_path / "first" / relative).read_bytes(), relative
    imported.close()


def test_two_analysts_give_one_brat_folder_each(project, tmp_path):
    corpus.build(project)
    outcome = exported(project, tmp_path / "brat", annotator=None)
    assert outcome.per_analyst_folder and outcome.analysts == [corpus.ANALYST, corpus.SECOND]
    for analyst in outcome.analysts:
        assert {"annotation.conf", "visual.conf", "emoji.txt", "emoji.ann"} <= {
            p.name for p in (tmp_path / "brat" / analyst).iterdir()}
    read = pybrat_spans(tmp_path / "brat")
    assert {stem.split("/")[0] for stem, *_ in read} == {corpus.ANALYST, corpus.SECOND}
    badr = sorted((f"{stem.split('/')[1]}.txt", label, start, end) for stem, _, label, start, end, *_ in read
                  if stem.startswith(f"{corpus.SECOND}/"))
    assert badr == sorted((name, label, start, end) for name, _, _, label, start, end, _
                          in corpus.stored(project, corpus.SECOND, SPAN_LAYERS))


def test_an_empty_layer_gives_a_valid_folder_of_texts_and_empty_ann_files(project, tmp_path):
    corpus.build(project)
    outcome = exported(project, tmp_path / "brat", annotator=corpus.SECOND, layer="boilerplate")
    assert outcome.empty and outcome.report.documents == 3
    examples = BratParser(error="raise").parse(tmp_path / "brat")
    assert [(e.id, e.entities) for e in examples] == [("emoji", []), ("plain", []), ("tatweel", [])]
    assert all((tmp_path / "brat" / f"{e.id}.ann").read_bytes() == b"" for e in examples)


def test_document_stances_are_left_out_and_alone_are_refused(project, tmp_path):
    corpus.build(project)
    with pytest.raises(ExportProblem, match="cannot carry the doc_stance layer"):
        exported(project, tmp_path / "doc-stances", layer="doc_stance")
    assert not (tmp_path / "doc-stances").exists()
    outcome = exported(project, tmp_path / "brat")
    assert outcome.report.annotations == len(corpus.stored(project, corpus.ANALYST, SPAN_LAYERS))


def test_document_names_become_safe_unique_file_names_inside_the_folder(project, tmp_path):
    names = ["../evil.txt", "sub/doc.txt", "CON.txt", "same.txt", "SAME.txt", ".hidden", "what?:*.txt",
             "annotation.conf", "sub", "sub.txt/inner.txt"]
    for number, name in enumerate(names):
        add_document(project, f"نص رقم {number}", name)
    (tmp_path / "out").mkdir()
    exported(project, tmp_path / "out" / "brat")
    written = sorted(p.relative_to(tmp_path / "out" / "brat").as_posix()
                     for p in (tmp_path / "out" / "brat").rglob("*.txt"))
    # A folder named like a file already written ("sub.txt") is flattened into the file name instead.
    assert written == sorted(["__/evil.txt", "sub/doc.txt", "_CON.txt", "same.txt", "SAME-2.txt", "_hidden.txt",
                              "what___.txt", "annotation.conf.txt", "sub.txt", "sub.txt_inner.txt"])
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["brat"]
    imported = Project.create(tmp_path / "again.hashiya")
    report = import_as(imported, BRAT, tmp_path / "out" / "brat", corpus.ANALYST)
    assert sorted(report.imported) == written


# ---- import of other tools' brat files -------------------------------------------------------------------
def write_pair(folder: Path, stem: str, text: str | bytes, ann: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{stem}.txt").write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    (folder / f"{stem}.ann").write_bytes(ann.encode("utf-8"))


FOREIGN_TEXT = "Barack Obama met Vladimir Putin in Moscow.\nThey merged two firms."


def test_a_foreign_ann_gives_its_text_bounds_and_a_report_of_the_rest(project, tmp_path):
    write_pair(tmp_path / "in", "news", FOREIGN_TEXT, "\n".join([
        "T1\tPerson 0 12\tBarack Obama",
        "T2\tPerson 17 31\tVladimir Putin",
        "T3\tGPE 35 41\tMoscow",
        "T4\tMERGE-ORG 48 54\tmerged",
        "E1\tMERGE-ORG:T4 Org1:T2",
        "R1\tMeets Arg1:T1 Arg2:T2",
        "R2\tMeets Arg1:T2 Arg2:T1",
        "N1\tReference T1 Wikipedia:534366\tBarack Obama",
        "A1\tNegated T3",
        "M2\tSpeculation E1",
        "*\tEquiv T1 T2",
        "#1\tAnnotatorNotes T3\tcapital, check",
        "T5\tPerson 0 6;17 25\tBarack Vladimir",
        "T6\tStance 17 41\tVladimir Putin in Moscow",
        "A3\tPolarity T6 AGAINST",
        "R3\tHolder Arg1:T6 Arg2:T2",
        "",
    ]))
    report = import_as(project, BRAT, tmp_path / "in", "amal")
    assert report.ok and report.imported == ["news.txt"]
    assert corpus.stored(project) == [
        ("news.txt", "amal", "entity", "GPE", 35, 41, "Moscow"),
        ("news.txt", "amal", "entity", "Person", 0, 12, "Barack Obama"),
        ("news.txt", "amal", "entity", "Person", 17, 31, "Vladimir Putin"),
    ]
    assert sorted(report.unrepresented) == sorted([
        "news.ann: 1 event(s) of type MERGE-ORG (E1) — events are not imported, nor the text-bounds that trigger them",
        "news.ann: 2 relation(s) of type Meets (R1, R2) — relations other than a stance's Holder and Target are not "
        "imported",
        "news.ann: 1 normalization(s) of type Reference (N1) — normalizations are not imported",
        "news.ann: 1 attribute(s) of type Negated (A1) — attributes other than a stance's Polarity are not imported",
        "news.ann: 1 attribute(s) of type Speculation (M2) — attributes other than a stance's Polarity are not "
        "imported",
        "news.ann: 1 equivalence(s) of type Equiv (line 11) — equivalence sets are not imported",
        "news.ann: 1 note(s) of type AnnotatorNotes (#1) — notes are imported on stances, or when they hold a JSON "
        "object of attributes",
        "news.ann: 1 discontinuous text-bound(s) of type Person (T5) — a span with gaps cannot be stored, and its "
        "covering span would claim unmarked text",
        "news.ann: 1 incomplete stance(s) of type Stance (no target) (T6) — a stance needs a Polarity, a holder and "
        "a target",
    ])


def test_a_stance_drawn_in_brat_with_a_free_text_note_is_imported(project, tmp_path):
    write_pair(tmp_path / "in", "news", FOREIGN_TEXT, "\n".join([
        "T1\tPERS 17 31\tVladimir Putin", "T2\tGPE 35 41\tMoscow", "T3\tStance 0 41\t" + FOREIGN_TEXT[:41],
        "A1\tPolarity T3 NEUTRAL", "R1\tHolder Arg1:T3 Arg2:T1", "R2\tTarget Arg1:T3 Arg2:T2",
        "#1\tAnnotatorNotes T3\tonly a meeting"]))
    report = import_as(project, BRAT, tmp_path / "in" / "news.ann", "amal")
    assert report.ok and not report.unrepresented
    stance = next(span for span in project.annotations(project.document_ids()[0]) if span.layer == "stance")
    assert (stance.label, stance.start, stance.end) == ("NEUTRAL", 0, 41)
    assert stance.attrs == {"holder": {"start": 17, "end": 31, "text": "Vladimir Putin"},
                            "target": {"start": 35, "end": 41, "text": "Moscow"}, "note": "only a meeting"}


def test_a_quote_that_is_not_the_text_at_its_offsets_is_rejected_naming_file_and_line(project, tmp_path):
    start = corpus.EMOJI_TEXT.index("فلاديمير بوتين")
    utf16 = len(corpus.EMOJI_TEXT[:start].encode("utf-16-le")) // 2  # what a JavaScript tool would count
    write_pair(tmp_path / "in" / "sub", "emoji", corpus.EMOJI_TEXT,
               f"T1\tGPE 68 75\tReuters\nT2\tPERS {utf16} {utf16 + 14}\tفلاديمير بوتين\n")
    report = import_as(project, BRAT, tmp_path / "in", "amal")
    assert not report.ok and project.document_count() == 0
    reason = report.rejected[0][1]
    assert reason.startswith("sub/emoji.ann line 2: T2 quotes 'فلاديمير بوتين' but the .txt has")
    assert "code points" in reason


def test_a_crlf_text_is_stored_with_lf_whether_offsets_count_the_cr_or_not(project, tmp_path):
    text = "الفقرة الأولى\r\nزار بوتين دمشق\r\n"
    on_disk = text.index("بوتين")  # brat on a CRLF file counts the CR
    one_per_line_end = on_disk - 1  # a reader with universal newlines does not
    write_pair(tmp_path / "counted", "a", text, f"T1\tPERS {on_disk} {on_disk + 5}\tبوتين\n")
    write_pair(tmp_path / "uncounted", "a", b"\xef\xbb\xbf" + text.encode("utf-8"),  # and a BOM, one more character
               f"T1\tPERS {one_per_line_end + 1} {one_per_line_end + 6}\tبوتين\r\n")
    for folder in ("counted", "uncounted"):
        imported = Project.create(tmp_path / f"{folder}.hashiya")
        assert import_as(imported, BRAT, tmp_path / folder, "amal").ok
        stored = "الفقرة الأولى\nزار بوتين دمشق\n"
        assert imported.document_text(imported.document_ids()[0]) == stored
        assert corpus.stored(imported) == [("a.txt", "amal", "entity", "PERS", *occurrence(stored, "بوتين"), "بوتين")]
        imported.close()


def test_an_ann_without_its_txt_is_rejected_and_a_txt_without_ann_is_a_plain_document(project, tmp_path):
    write_pair(tmp_path / "in", "with", FOREIGN_TEXT, "T1\tPerson 0 12\tBarack Obama\n")
    (tmp_path / "in" / "alone.txt").write_text("نص بلا تعليقات", encoding="utf-8")
    report = import_as(project, BRAT, tmp_path / "in", "amal")
    assert report.ok and sorted(report.imported) == ["alone.txt", "with.txt"]
    (tmp_path / "in" / "orphan.ann").write_text("T1\tPerson 0 3\tBar\n", encoding="utf-8")
    report = import_as(project, BRAT, tmp_path / "in", "amal")
    assert report.rejected == [(str(tmp_path / "in"), "orphan.ann has no orphan.txt beside it: brat keeps the text "
                                                      "in a .txt of the same name")]


@pytest.mark.parametrize("line, problem", [
    ("T1 Person 0 12 Barack Obama", "line 1: not a brat annotation (no tab after the id 'T1 Person 0 12 Barack"),
    ("T1\tPerson 0 twelve\tBarack Obama", "line 1: T1 does not read as a brat text-bound line"),
    ("T1\tPerson 0 12", "line 1: T1 does not read as a brat text-bound line"),
    ("T1\tPerson 0 99\tBarack Obama", "line 1: T1 offsets 0 99 run past the end of the .txt (65 characters)"),
    ("X1\tPerson 0 12\tBarack Obama", "line 1: 'X1' is not a brat annotation id"),
    ("R1\tMeets Arg1:T1 Arg2:T9", "line 1: R1 refers to T1, which the file does not define"),
])
def test_a_malformed_ann_is_rejected_with_its_line(project, tmp_path, line, problem):
    write_pair(tmp_path / "in", "news", FOREIGN_TEXT, line + "\n")
    report = import_as(project, BRAT, tmp_path / "in", "amal")
    assert report.rejected[0][1].startswith(f"news.ann {problem}")
    assert project.document_count() == 0


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
