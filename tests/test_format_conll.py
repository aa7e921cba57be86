"""The conll export (CoNLL-2003 IOB2) read back by seqeval and by spaCy's own converter, and imported again."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
import spacy
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics.sequence_labeling import get_entities
from spacy.tokens import DocBin
from spacy.training.converters import conll_ner_to_docs

from app.formats import FORMATS, ExportProblem, export_as, import_as
from app.formats import conll
from app.formats.common import ExportCancelled
from app.importer import BadInput
from app.project import Project, Span
from app.words import JOINERS, snap_to_words
from tests.conftest import add_document, occurrence
from tests.interchange_corpus import ANALYST, SECOND, build, stored

CONLL = FORMATS["conll"]
# The corpus's nested and crossing spans: القاهرة الجديدة (GPE) is the longest of the three, so it is written.
LEFT_OUT = {("ORG", "جامعة القاهرة"), ("LOC", "القاهرة")}


# ---- reading the file as other tools do -------------------------------------------------------------------
def read_conll(path: Path) -> list[list[list[tuple[str, str]]]]:
    """Documents → sentences → (token, tag), splitting each line on single spaces as the simplest readers do:
    that only works if every line has exactly four columns and no token holds whitespace."""
    documents: list[list[list[tuple[str, str]]]] = []
    sentence: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("-DOCSTART-"):
            assert line == "-DOCSTART- -X- O O"
            documents.append([])
        elif not line:
            if sentence:
                documents[-1].append(sentence)
                sentence = []
        else:
            columns = line.split(" ")
            assert len(columns) == 4 and line.split() == columns, repr(line)
            sentence.append((columns[0], columns[3]))
    assert not sentence, "the file ends with a blank line after the last sentence"
    return documents


def seqeval_entities(document: list[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """(label, tokens joined by spaces) of each entity seqeval finds in one document's sentences."""
    tags = [[tag for _token, tag in sentence] for sentence in document]
    tokens = [token for sentence in document for token in [*(t for t, _tag in sentence), None]]
    return [(label, " ".join(tokens[first:last + 1])) for label, first, last in get_entities(tags)]


def spacy_entities(docs) -> list[list[tuple[str, str]]]:
    return [[(ent.label_, ent.text) for ent in doc.ents] for doc in docs]


def expected_entities(project: Project, corpus, whole_words: bool) -> list[list[tuple[str, str]]]:
    """The analyst's stored entity spans, per document in text order, without the ones flat IOB2 leaves out;
    in word mode each span widened to the whole words it touches (لروسيا for روسيا)."""
    rows = sorted(stored(project, ANALYST, ("entity",)), key=lambda row: (corpus.documents[row[0]], row[4]))
    expected = []
    for name in sorted(corpus.documents, key=corpus.documents.get):
        text = corpus.texts[name]
        found = []
        for _name, _analyst, _layer, label, start, end, surface in (row for row in rows if row[0] == name):
            if (label, surface) not in LEFT_OUT:
                found.append((label, text[slice(*snap_to_words(text, start, end))] if whole_words else surface))
        expected.append(found)
    return expected


def export_file(project: Project, out: Path, analyst: str = ANALYST, layer: str = "entity", clitics="split"):
    return export_as(project, CONLL, out, annotator=analyst, layer=layer, clitics=clitics).report


# ---- export, read by seqeval and spaCy ---------------------------------------------------------------------
@pytest.mark.parametrize("clitics", ["split", "word"])
def test_seqeval_reads_the_expected_entities(project, tmp_path, clitics):
    corpus = build(project)
    out = tmp_path / "amal.conll"
    report = export_file(project, out, clitics=clitics)
    documents = read_conll(out)
    assert [seqeval_entities(document) for document in documents] == expected_entities(
        project, corpus, whole_words=clitics == "word")
    assert report.documents == 3 and report.annotations == 10 and report.dropped == 2


def test_clitics_split_cuts_the_word_and_word_mode_labels_it_whole(project, tmp_path):
    build(project)
    export_file(project, tmp_path / "split.conll", clitics="split")
    export_file(project, tmp_path / "word.conll", clitics="word")
    split_lines = (tmp_path / "split.conll").read_text(encoding="utf-8").splitlines()
    word_lines = (tmp_path / "word.conll").read_text(encoding="utf-8").splitlines()
    assert "ل -X- _ O" in split_lines and "روسيا -X- _ B-GPE" in split_lines
    assert "و -X- _ O" in split_lines and "واشنطن -X- _ B-GPE" in split_lines
    assert "لروسيا -X- _ B-GPE" in word_lines and "وواشنطن -X- _ B-GPE" in word_lines
    # The RLM marks around دمشق are separators: the token is the bare word.
    assert "دمشق -X- _ B-GPE" in split_lines


@pytest.mark.parametrize("clitics", ["split", "word"])
def test_spacy_converter_reads_the_expected_entities(project, tmp_path, clitics):
    corpus = build(project)
    out = tmp_path / "amal.conll"
    export_file(project, out, clitics=clitics)
    docs = list(conll_ner_to_docs(out.read_text(encoding="utf-8"), n_sents=1, no_print=True))
    assert spacy_entities(docs) == expected_entities(project, corpus, whole_words=clitics == "word")
    assert [len(list(doc.sents)) for doc in docs] == [5, 2, 1]


def test_spacy_convert_command_reads_the_file(project, tmp_path):
    corpus = build(project)
    out = tmp_path / "amal.conll"
    export_file(project, out)
    converted = tmp_path / "converted"
    converted.mkdir()
    subprocess.run([sys.executable, "-m", "spacy", "convert", str(out), str(converted), "-c", "ner", "-n", "1"],
                   check=True, capture_output=True)
    docs = list(DocBin().from_disk(converted / "amal.spacy").get_docs(spacy.blank("xx").vocab))
    assert spacy_entities(docs) == expected_entities(project, corpus, whole_words=False)


def test_overlapping_spans_are_left_out_and_counted(project, tmp_path):
    build(project)
    outcome = export_as(project, CONLL, tmp_path / "amal.conll", annotator=ANALYST)
    assert outcome.report.dropped == 2
    entities = [entity for document in read_conll(tmp_path / "amal.conll") for entity in seqeval_entities(document)]
    assert ("GPE", "القاهرة الجديدة") in entities and not LEFT_OUT & set(entities)
    assert export_as(project, CONLL, tmp_path / "badr.conll", annotator=SECOND).report.dropped == 0


def test_longest_span_wins_then_the_earliest():
    text = "ab cd ef gh"
    spans = [(3, 8, "LATER"), (0, 5, "EARLY"), (3, 5, "NESTED"), (9, 11, "ALONE")]
    sentences, written = conll.conll_sentences(text, spans)
    assert sentences == [[("ab", "B-EARLY"), ("cd", "I-EARLY"), ("ef", "O"), ("gh", "B-ALONE")]]
    assert written == 2


def test_word_mode_keeps_one_of_two_spans_in_the_same_word():
    text = "قال لروسيا"
    start = text.index("روسيا")
    spans = [(start - 1, start, "X"), (start, len(text), "GPE")]
    assert conll.conll_sentences(text, spans, "split") == ([[("قال", "O"), ("ل", "B-X"), ("روسيا", "B-GPE")]], 2)
    assert conll.conll_sentences(text, spans, "word") == ([[("قال", "O"), ("لروسيا", "B-GPE")]], 1)


def test_a_span_of_invisible_characters_only_is_left_out(project, tmp_path):
    text = "زار \u200f\u200f دمشق"
    document = add_document(project, text, "marks.txt")
    project.add_annotations([Span(document, ANALYST, "entity", "MISC", 4, 6),
                             Span(document, ANALYST, "entity", "GPE", *occurrence(text, "دمشق"))])
    report = export_file(project, tmp_path / "marks.conll")
    assert report.dropped == 1 and report.annotations == 1
    assert read_conll(tmp_path / "marks.conll") == [[[("زار", "O"), ("دمشق", "B-GPE")]]]


# ---- tokens and sentences ------------------------------------------------------------------------------------
def test_tokens_never_hold_whitespace_or_invisible_format_characters(project, tmp_path):
    family = "👨\u200d👩\u200d👧"
    text = (f"قال\u00a0بوتين\u2009إن \u200fدمشق\u200f و\u200eموسكو\u061c و\u200bلندن \ufeff{family} ❤️ "
            "\u202bبيروت\u202c مي\u200cشود")
    document = add_document(project, text, "spaces.txt")
    project.add_annotations([Span(document, ANALYST, "entity", "GPE", *occurrence(text, "بيروت"))])
    export_file(project, tmp_path / "spaces.conll")
    [[sentence]] = read_conll(tmp_path / "spaces.conll")
    tokens = [token for token, _tag in sentence]
    assert tokens == ["قال", "بوتين", "إن", "دمشق", "و", "موسكو", "و", "لندن", family, "❤️", "بيروت", "مي\u200cشود"]
    for token in tokens:
        assert not any(char.isspace() or (unicodedata.category(char) == "Cf" and char not in JOINERS)
                       for char in token)
    assert seqeval_entities([[*sentence]]) == [("GPE", "بيروت")]
    [doc] = conll_ner_to_docs((tmp_path / "spaces.conll").read_text(encoding="utf-8"), n_sents=1, no_print=True)
    assert [token.text for token in doc] == tokens


def test_sentences_end_at_lines_and_final_marks_but_not_inside_a_span():
    text = "قال بوتين. ثم غادر 3.5 مرة!» وبعد\nسطر جديد؟ شارك\nالمقال"
    spans = [(text.index("شارك"), len(text), "share_social")]
    sentences, _written = conll.conll_sentences(text, spans)
    assert [[token for token, _tag in sentence] for sentence in sentences] == [
        ["قال", "بوتين", "."], ["ثم", "غادر", "3", ".", "5", "مرة", "!»"], ["وبعد"], ["سطر", "جديد", "؟"],
        ["شارك", "المقال"]]
    assert sentences[-1] == [("شارك", "B-share_social"), ("المقال", "I-share_social")]


# ---- round trip ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("clitics", ["split", "word"])
def test_export_import_export_is_byte_identical(project, tmp_path, clitics):
    corpus = build(project)
    first = tmp_path / "first.conll"
    export_file(project, first, clitics=clitics)
    other = Project.create(tmp_path / "other.hashiya")
    try:
        report = import_as(other, CONLL, first, ANALYST)
        assert report.ok and report.unrepresented == []
        second = tmp_path / "second.conll"
        again = export_file(other, second, clitics=clitics)
        assert second.read_bytes() == first.read_bytes()
        assert again.dropped == 0
        rows = sorted(stored(other), key=lambda row: (row[0], row[4]))
        assert [(row[3], row[6]) for row in rows] == [
            entity for document in expected_entities(project, corpus, clitics == "word") for entity in document]
        assert {row[0] for row in rows} == {"first 1", "first 2"}
        assert {(row[1], row[2]) for row in rows} == {(ANALYST, "entity")}
        rebuilt = other.document_text(next(i for i in other.document_ids() if other.document_name(i) == "first 2"))
        assert rebuilt == "أعلنت الأمم المتحدة أن بـوتـين زار دمشق اليوم .\nلا تعليق حتى الآن ."
    finally:
        other.close()


def test_a_boilerplate_export_is_read_back_into_the_boilerplate_layer(project, tmp_path):
    build(project)
    out = tmp_path / "boilerplate.conll"
    assert export_file(project, out, layer="boilerplate").annotations == 2
    parsed = conll.parse(out, "someone")
    annotations = [item for document in parsed.documents for item in document.annotations]
    assert [(item["layer"], item["label"]) for item in annotations] == [
        ("boilerplate", "related_links"), ("boilerplate", "share_social")]
    assert all(item["annotator"] == "someone" and item["provenance"] == "imported" for item in annotations)
    assert {item["layer"] for item in conll.parse(out, "x", layer="entity").documents[0].annotations} == {"entity"}


# Characters that tokenising, cutting and sentence breaking treat differently: letters, a clitic, harakat,
# tatweel, ZWNJ, RLM, NBSP, line breaks, digits and points, closing quotes, an emoji with its selector.
TRICKY = ["ل", "روسيا", "و", "\u064f", "\u0640", "\u200c", "\u200f", "\u00a0", " ", "\n", "3", ".", "؟",
          "»", "😀", "\ufe0f", "a", "-"]


@settings(max_examples=200, deadline=None)
@given(pieces=st.lists(st.sampled_from(TRICKY), min_size=1, max_size=25),
       cuts=st.lists(st.tuples(st.integers(0, 60), st.integers(1, 8), st.sampled_from(["GPE", "ORG"])),
                     max_size=5),
       clitics=st.sampled_from(["split", "word"]))
def test_any_export_is_read_back_into_the_same_file(pieces, cuts, clitics):
    """Export → import → export is byte-identical for any text with a token, not just the corpus."""
    text = "".join(pieces)
    spans = [(start, min(start + length, len(text)), label) for start, length, label in cuts if start < len(text)]
    sentences, _written = conll.conll_sentences(text, spans, clitics)
    if not sentences:
        return
    first = conll._document_block(sentences)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.conll"
        path.write_text(first, encoding="utf-8")
        [document] = conll.parse(path, "amal").documents
    spans_back = [(item["start"], item["end"], item["label"]) for item in document.annotations]
    again, written_back = conll.conll_sentences(document.text, spans_back, clitics)
    assert conll._document_block(again) == first and written_back == len(spans_back)


# ---- import of other tools' files ----------------------------------------------------------------------------
def write(tmp_path: Path, text: str, name: str = "input.conll", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def spans_of(document) -> list[tuple[str, str]]:
    return [(item["label"], document.text[item["start"]:item["end"]]) for item in document.annotations]


def test_two_column_bioes_with_tabs(tmp_path):
    path = write(tmp_path, "-DOCSTART-\tO\n\nالرئيس\tO\nفلاديمير\tB-PERS\nبوتين\tE-PERS\nزار\tO\nدمشق\tS-GPE\n\n"
                           "الأمم\tB-ORG\nالمتحدة\tL-ORG\nو\tO\nموسكو\tU-GPE\n")
    parsed = conll.parse(path, "amal")
    [document] = parsed.documents
    assert document.name == "input 1" and document.text == "الرئيس فلاديمير بوتين زار دمشق\nالأمم المتحدة و موسكو"
    assert spans_of(document) == [("PERS", "فلاديمير بوتين"), ("GPE", "دمشق"), ("ORG", "الأمم المتحدة"),
                                  ("GPE", "موسكو")]
    assert parsed.unrepresented == []


def test_iob1_and_inconsistent_tags_are_read_as_seqeval_does_and_reported(tmp_path):
    lines = ["قال O", "فلاديمير I-PERS", "بوتين I-PERS", "في O", "جامعة B-ORG", "القاهرة I-GPE", "أمس E-DATE",
             "", "روسيا I-GPE", "موسكو B-GPE"]
    path = write(tmp_path, "\n".join(lines) + "\n")
    parsed = conll.parse(path, "amal")
    [document] = parsed.documents
    assert spans_of(document) == [("PERS", "فلاديمير بوتين"), ("ORG", "جامعة"), ("GPE", "القاهرة"),
                                  ("DATE", "أمس"), ("GPE", "روسيا"), ("GPE", "موسكو")]
    tags = [[line.split()[1] for line in lines[:7]], [line.split()[1] for line in lines[8:]]]
    assert [(label, first, last) for label, first, last in get_entities(tags)] == [
        ("PERS", 1, 2), ("ORG", 4, 4), ("GPE", 5, 5), ("DATE", 6, 6), ("GPE", 8, 8), ("GPE", 9, 9)]
    assert parsed.unrepresented == [
        "input.conll: 2 entities began with I- (IOB1 style, or a missing B-), first on line 2: "
        "each was read as the start of an entity",
        "input.conll: 1 time(s) an I- tag followed an entity of another type, first on line 6: "
        "a new entity was started there, as seqeval reads it",
        "input.conll: 1 E-/L- tag(s) closed no open entity of their type, first on line 7: "
        "each was read as a one-token entity"]


def test_conll2003_columns_documents_crlf_and_bom(tmp_path):
    text = ("-DOCSTART- -X- -X- O\r\n\r\nEU NNP B-NP B-ORG\r\nrejects VBZ B-VP O\r\n\r\n"
            "-DOCSTART- -X- -X- O\r\n\r\n-DOCSTART- -X- -X- O\r\n\r\n"
            "Peter NNP B-NP B-PER\r\nBlackburn NNP I-NP I-PER\r\n")
    parsed = conll.parse(write(tmp_path, "\ufeff" + text, "eng.conll"), "amal")
    assert [(document.name, document.text, spans_of(document)) for document in parsed.documents] == [
        ("eng 1", "EU rejects", [("ORG", "EU")]), ("eng 2", "Peter Blackburn", [("PER", "Peter Blackburn")])]
    assert parsed.unrepresented == [
        "eng.conll: the middle columns (part of speech, chunk…) of 4 token line(s) are not imported",
        "eng.conll: 1 -DOCSTART- line(s) began a document with no tokens, first on line 6: skipped"]


def test_a_file_without_docstart_is_one_document(tmp_path):
    parsed = conll.parse(write(tmp_path, "زار O\nدمشق B-GPE\n\nثم O\n"), "amal")
    assert [(document.name, document.text) for document in parsed.documents] == [("input 1", "زار دمشق\nثم")]


@pytest.mark.parametrize(("text", "message"), [
    ("-DOCSTART- -X- O O\n\nقال -X- _ O\nبوتين -X- _ B-PERS\nزار -X- _ PERSON\n",
     "line 5: the tag 'PERSON' is not O or B-, I-, E-, S-, L-, U- followed by a type"),
    ("قال -X- _ O\nبوتين B-PERS\n", "line 2: 2 columns, but the token lines before it have 4 (line 1)"),
    ("قال O\nبوتين\n", "line 2: 'بوتين' has no tag"),
    ("قال O\nبوتين B-\n", "line 2: the tag 'B-' is not O"),
])
def test_malformed_lines_are_rejected_with_their_line_number(project, tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(BadInput, match=re.escape(message)):
        conll.parse(path, "amal")
    report = import_as(project, CONLL, path, "amal")
    assert not report.ok and message in report.rejected[0][1]
    assert project.document_ids() == []


def test_a_file_that_is_not_utf8_is_rejected(tmp_path):
    with pytest.raises(BadInput, match="line 2: is not UTF-8"):
        conll.parse(write(tmp_path, "said O\nبوتين B-PERS\n", encoding="cp1256"), "amal")


# ---- empty layers and refusals -------------------------------------------------------------------------------
def test_an_empty_layer_gives_a_valid_file(project, tmp_path):
    build(project)
    out = tmp_path / "empty.conll"
    outcome = export_as(project, CONLL, out, annotator=SECOND, layer="boilerplate")
    assert outcome.empty and outcome.report.documents == 3
    documents = read_conll(out)
    assert len(documents) == 3 and all(sentence for document in documents for sentence in document)
    assert {tag for document in documents for sentence in document for _token, tag in sentence} == {"O"}
    assert [seqeval_entities(document) for document in documents] == [[], [], []]
    docs = list(conll_ner_to_docs(out.read_text(encoding="utf-8"), n_sents=1, no_print=True))
    assert len(docs) == 3 and spacy_entities(docs) == [[], [], []]


def test_every_analyst_gets_a_file_of_their_own(project, tmp_path):
    build(project)
    outcome = export_as(project, CONLL, tmp_path / "all")
    assert outcome.per_analyst_folder and sorted(p.name for p in (tmp_path / "all").iterdir()) == [
        "amal.conll", "badr.conll"]
    assert [seqeval_entities(document) for document in read_conll(tmp_path / "all" / "badr.conll")] == [
        [("PERS", "فلاديمير بوتين"), ("ORG", "جامعة القاهرة الجديدة")], [("LOC", "دمشق")], []]


def test_a_label_with_a_space_is_refused_and_nothing_is_written(project, tmp_path):
    text = "زار الأمم المتحدة"
    document = add_document(project, text)
    project.add_annotations([Span(document, ANALYST, "entity", "UN body", *occurrence(text, "الأمم المتحدة"))])
    with pytest.raises(ExportProblem, match="'UN body' contains a space"):
        export_file(project, tmp_path / "out.conll")
    assert list(tmp_path.glob("*.conll")) == [] and list(tmp_path.glob(".out.conll*")) == []


def test_a_cancelled_export_writes_nothing(project, tmp_path):
    build(project)
    with pytest.raises(ExportCancelled):
        conll.export(project, tmp_path / "out.conll", ANALYST, ("entity",), None, lambda: True)
    assert list(tmp_path.glob("*.conll")) == [] and list(tmp_path.glob(".out.conll*")) == []


def test_an_unknown_clitics_mode_is_refused(project, tmp_path):
    with pytest.raises(ExportProblem, match="clitics must be one of split, word"):
        export_file(project, tmp_path / "out.conll", clitics="strip")
