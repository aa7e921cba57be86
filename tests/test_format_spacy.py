"""The spaCy DocBin export, read back by spaCy's own DocBin reader."""

from __future__ import annotations

import re
import sys
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from spacy.tokens import Doc, DocBin
from spacy.vocab import Vocab

from app import words
from app.formats import FORMATS, ExportProblem, export_as
from app.formats.common import export_documents
from app.formats.spacy_docbin import (_EMOJI, DOCBIN_ATTRS, POLARITIES, USER_DATA_KEY, DocBuilder, _bin_header,
                                      add_to_docbin, docbin_bytes, tokens)
from app.project import Span
from tests.conftest import add_document, occurrence
from tests.interchange_corpus import ANALYST, SECOND, build, stored

SPACY = FORMATS["spacy"]


def read(path) -> list[Doc]:
    return list(DocBin().from_disk(path).get_docs(Vocab()))


def written(folder) -> list[str]:
    """DocBin files and temporary files in `folder`."""
    return [path.name for path in folder.iterdir() if path.name.endswith((".spacy", ".tmp"))]


def information(doc: Doc) -> dict:
    return doc.user_data[USER_DATA_KEY]


def as_stored(docs: list[Doc]) -> list[tuple]:
    """What the DocBin holds, in the shape of interchange_corpus.stored()."""
    found = []
    for doc in docs:
        name, analyst = information(doc)["document"], information(doc)["analyst"]
        for layer, group in doc.spans.items():
            found += [(name, analyst, layer, span.label_, span.start_char, span.end_char, span.text)
                      for span in group]
        for stance in information(doc).get("document_stances", {}).values():
            found.append((name, analyst, "doc_stance", stance["polarity"], None, None, None))
    return sorted(found, key=repr)


@pytest.fixture
def corpus(project):
    return build(project)


@pytest.fixture
def amal_docs(project, corpus, tmp_path):
    outcome = export_as(project, SPACY, tmp_path / "amal.spacy", annotator=ANALYST)
    assert outcome.report.annotations == len(stored(project, ANALYST))
    return read(tmp_path / "amal.spacy")


def test_every_document_keeps_its_exact_text_and_name(corpus, amal_docs):
    assert [(information(doc)["document"], doc.text) for doc in amal_docs] == list(corpus.texts.items())
    assert all(information(doc)["analyst"] == ANALYST for doc in amal_docs)


def test_every_annotation_comes_back_with_its_offsets_label_and_surface(project, amal_docs):
    assert as_stored(amal_docs) == stored(project, ANALYST)


def test_span_ids_are_the_annotation_ids(project, corpus, amal_docs):
    emoji = amal_docs[0]
    uids = {span.uid for span in project.annotations(corpus.documents["emoji.txt"], ANALYST)}
    assert {span.id_ for group in emoji.spans.values() for span in group} <= uids
    assert len({span.id_ for span in emoji.spans["entity"]}) == len(emoji.spans["entity"]) == 9


def test_a_clitic_outside_an_entity_is_a_token_of_its_own(project, corpus, amal_docs, tmp_path):
    pieces = [token.text for token in amal_docs[0]]
    assert ["ل", "روسيا"] == pieces[pieces.index("روسيا") - 1:pieces.index("روسيا") + 1]
    assert ["و", "واشنطن"] == pieces[pieces.index("واشنطن") - 1:pieces.index("واشنطن") + 1]
    # Tokens are cut only where a span needs it: badr has no span on روسيا.
    export_as(project, SPACY, tmp_path / "badr.spacy", annotator=SECOND)
    assert "لروسيا" in [token.text for token in read(tmp_path / "badr.spacy")[0]]


def test_ents_are_the_longest_non_overlapping_entities(amal_docs):
    for doc in amal_docs:
        entities = {(span.start, span.end, span.label_) for span in doc.spans["entity"]}
        ents = [(span.start, span.end, span.label_) for span in doc.ents]
        assert set(ents) <= entities
        assert all(end <= next_start for (_, end, _), (next_start, _, _) in zip(ents, ents[1:]))
        # Greedy and maximal: every entity left out overlaps a longer (or as long, earlier) one kept.
        for start, end, _label in entities - set(ents):
            assert any(start < kept_end and kept_start < end and kept_end - kept_start >= end - start
                       for kept_start, kept_end, _ in ents)
    emoji_ents = {(span.text, span.label_) for span in amal_docs[0].ents}
    # The university crosses القاهرة الجديدة and holds القاهرة: of those, the earlier of the two longest.
    assert ("جامعة القاهرة", "ORG") in emoji_ents
    assert not {("القاهرة", "LOC"), ("القاهرة الجديدة", "GPE")} & emoji_ents
    assert len(amal_docs[0].ents) == 7


def test_stance_evidence_carries_holder_target_and_note(amal_docs):
    emoji = amal_docs[0]
    (evidence,) = emoji.spans["stance"]
    assert (evidence.text, evidence.label_) == ("لن تتراجع لروسيا", "FAVOR")
    attrs = emoji.spans["stance"].attrs[evidence.id_]
    assert attrs["target"] == {"target": "روسيا"} and attrs["note"] == "تصريح مباشر"
    holder = attrs["holder"]
    assert emoji.char_span(holder["start"], holder["end"]).text == holder["text"] == "فلاديمير بوتين"
    assert holder["id"] in {span.id_ for span in emoji.spans["entity"]}


def test_a_stance_holder_inside_a_word_maps_to_tokens_of_its_own(project, tmp_path):
    text = "قالت موسكو لروسيا حلفاء لن تتخلى عنهم"
    document = add_document(project, text)
    holder_start, holder_end = occurrence(text, "روسيا")
    project.add_annotation(Span(document, ANALYST, "stance", "FAVOR", *occurrence(text, "لن تتخلى عنهم"), attrs={
        "holder": {"start": holder_start, "end": holder_end, "text": "روسيا"}, "target": {"target": "الحلفاء"}}))
    export_as(project, SPACY, tmp_path / "stance.spacy", annotator=ANALYST, layer="stance")
    (doc,) = read(tmp_path / "stance.spacy")
    holder = doc.spans["stance"].attrs[doc.spans["stance"][0].id_]["holder"]
    assert doc.char_span(holder["start"], holder["end"]).text == "روسيا"


def test_boilerplate_is_a_span_group_labelled_by_category(amal_docs):
    assert [(span.text, span.label_) for span in amal_docs[0].spans["boilerplate"]] == [
        ("اقرأ أيضاً: مقالات مشابهة", "related_links"), ("شارك المقال", "share_social")]


def test_document_stances_are_one_of_four_cats_per_target(amal_docs):
    def taken(polarity_of: str, target: str) -> dict:
        return {f"{target}={polarity}": float(polarity == polarity_of) for polarity in POLARITIES}

    assert [doc.cats for doc in amal_docs] == [taken("FAVOR", "روسيا"), taken("NONE", "الأمم المتحدة"), {}]
    (stance,) = information(amal_docs[0])["document_stances"].values()
    assert stance == {"polarity": "FAVOR", "target": "روسيا"}


def test_the_extension_reads_what_the_export_stored(amal_docs):
    Doc.set_extension("hashiya", default=None)
    try:
        assert [doc._.hashiya["document"] for doc in amal_docs] == ["emoji.txt", "tatweel.txt", "plain.txt"]
    finally:
        Doc.remove_extension("hashiya")


def test_everyones_export_is_one_docbin_per_analyst(project, corpus, tmp_path):
    outcome = export_as(project, SPACY, tmp_path / "out")
    assert outcome.per_analyst_folder and outcome.analysts == [ANALYST, SECOND]
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["amal.spacy", "badr.spacy"]
    for analyst in (ANALYST, SECOND):
        docs = read(tmp_path / "out" / f"{analyst}.spacy")
        assert [doc.text for doc in docs] == list(corpus.texts.values())
        assert as_stored(docs) == stored(project, analyst)
    badr = read(tmp_path / "out" / "badr.spacy")
    assert badr[0].cats["روسيا=NEUTRAL"] == 1.0 and [doc.cats for doc in badr[1:]] == [{}, {}]


def test_one_layer_writes_only_that_layer(project, corpus, tmp_path):
    outcome = export_as(project, SPACY, tmp_path / "b.spacy", annotator=ANALYST, layer="boilerplate")
    assert outcome.report.annotations == 2
    docs = read(tmp_path / "b.spacy")
    assert [doc.text for doc in docs] == list(corpus.texts.values())
    assert all(list(doc.spans) == ["boilerplate"] and not doc.ents and not doc.cats for doc in docs)
    assert as_stored(docs) == stored(project, ANALYST, ("boilerplate",))
    assert "document_stances" not in information(docs[0])


def test_a_layer_with_nothing_in_it_gives_a_valid_docbin(project, corpus, tmp_path):
    outcome = export_as(project, SPACY, tmp_path / "s.spacy", annotator=SECOND, layer="stance")
    assert outcome.empty and outcome.report.documents == 3
    docs = read(tmp_path / "s.spacy")
    assert [doc.text for doc in docs] == list(corpus.texts.values())
    assert all(len(doc.spans["stance"]) == 0 for doc in docs)


def test_an_empty_project_gives_a_valid_empty_docbin(project, tmp_path):
    outcome = export_as(project, SPACY, tmp_path / "empty.spacy")
    assert outcome.empty and outcome.report.documents == 0
    assert read(tmp_path / "empty.spacy") == []


def test_documents_without_annotations_are_written(project, tmp_path):
    add_document(project, "  نص\u00a0بلا  وسوم\n\n😀 ")
    export_as(project, SPACY, tmp_path / "plain.spacy")
    (doc,) = read(tmp_path / "plain.spacy")
    assert doc.text == "  نص\u00a0بلا  وسوم\n\n😀 "
    assert information(doc)["analyst"] is None and not doc.ents


def test_without_spacy_the_export_says_how_to_get_it_and_writes_nothing(project, corpus, tmp_path, monkeypatch):
    for name in [name for name in sys.modules if name == "spacy" or name.startswith("spacy.")]:
        monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ExportProblem, match=r"needs spaCy: pip install 'hashiya\[spacy\]'"):
        export_as(project, SPACY, tmp_path / "amal.spacy", annotator=ANALYST)
    assert not written(tmp_path)


def test_a_span_outside_the_text_is_named_and_nothing_is_written(project, tmp_path):
    document = add_document(project, "نص قصير")
    span = project.add_annotation(Span(document, ANALYST, "entity", "LOC", 3, 40))
    with pytest.raises(ExportProblem, match=f"doc.txt: annotation {span.uid} \\(3–40\\) lies outside the text"):
        export_as(project, SPACY, tmp_path / "bad.spacy", annotator=ANALYST)
    assert not written(tmp_path)


def test_two_analysts_in_one_docbin_are_refused(project, corpus, tmp_path):
    from app.formats import spacy_docbin

    with pytest.raises(ExportProblem, match="holds one analyst's work"):
        spacy_docbin.export(project, tmp_path / "both.spacy", None, SPACY.layers)
    assert not (tmp_path / "both.spacy").exists()


# ---- spaCy's own DocBin.add and DocBin.to_bytes, less what made them slow ----------------------------------
def test_the_docbin_is_filled_and_packed_as_spacy_would(project, corpus):
    ours, spacys = (DocBin(attrs=DOCBIN_ATTRS, store_user_data=True) for _ in range(2))
    builder = DocBuilder(SPACY.layers)
    for document in export_documents(project, ANALYST, SPACY.layers):
        doc, strings = builder.build(document, ANALYST)
        add_to_docbin(ours, doc, strings)
        spacys.add(doc)
    # Packed: the very message DocBin.to_bytes packs.
    assert zlib.decompress(docbin_bytes(ours)) == zlib.decompress(ours.to_bytes())
    # Filled: the same Docs come back, each read on a Vocab of its own (no string borrowed from the other).
    assert described(DocBin().from_bytes(docbin_bytes(ours))) == described(DocBin().from_bytes(spacys.to_bytes()))


def described(docbin: DocBin) -> list:
    return [(doc.text, [(token.text, token.whitespace_, token.ent_iob_, token.ent_type_) for token in doc],
             {name: ([(span.start, span.end, span.label_, span.id_) for span in group], group.attrs)
              for name, group in doc.spans.items()}, doc.cats, doc.user_data)
            for doc in docbin.get_docs(Vocab())]


@pytest.mark.parametrize("size", [0, 255, 256, 65_535, 65_536, 1_000_000])
def test_a_token_table_of_any_size_gets_the_bin_header_msgpack_gives_it(size):
    import srsly

    header = _bin_header(size)
    assert srsly.msgpack_dumps(bytes(size))[:len(header)] == header


def test_srsly_finds_its_encoders_itself_again_after_an_export(project, corpus, tmp_path):
    from srsly.msgpack import msgpack_encoders

    export_as(project, SPACY, tmp_path / "amal.spacy", annotator=ANALYST)
    assert "get_all" not in vars(msgpack_encoders)


# ---- tokens: any text, any spans -----------------------------------------------------------------------
ALPHABET = st.sampled_from([
    "ب", "ل", "و", "ر", "س", "ي", "ا", "\u064e", "\u0651", "\u0640", "\u200f", "\u200d", "\u200c", " ", " ", " ",
    "\n", "\t", "\u00a0", ".", "،", ":", "-", "A", "z", "7", "٣", "😀", "🇸", "🇦", "🌍", "\ufe0f", "👍🏽",
    "\U0001D400", "\U00020000", "\U0001D167", "\u20e3", "#", "3\ufe0f\u20e3", "👨\u200d👩", "_",
])


@st.composite
def text_and_spans(draw):
    text = "".join(draw(st.lists(ALPHABET, max_size=40)))
    offsets = st.integers(0, len(text))
    pairs = draw(st.lists(st.tuples(offsets, offsets), max_size=8))
    return text, [(min(a, b), max(a, b)) for a, b in pairs if a != b]


@settings(max_examples=400, deadline=None)
@given(text_and_spans())
def test_any_span_over_any_text_maps_to_whole_tokens(case):
    text, spans = case
    words, spaces = tokens(text, {start for start, _ in spans}, {end for _, end in spans})
    assert all(words) and len(words) == len(spaces)
    assert all(word.isspace() or not any(char.isspace() for char in word) for word in words)
    doc = Doc(Vocab(), words=words, spaces=spaces)
    assert doc.text == text
    for start, end in spans:
        span = doc.char_span(start, end, alignment_mode="strict")
        assert span is not None and span.text == text[start:end]


# What the tokens are, in one regex: a word as app.words sees it, whitespace, an emoji or any other character,
# and the single space after it if it takes none itself.
REFERENCE = re.compile(f"({words._word_run().pattern}|\\s+|{_EMOJI}|\\S)( ?)")


@settings(max_examples=600, deadline=None)
@given(st.lists(ALPHABET | st.sampled_from([" ", "  ", " \n ", "بل", "ب.ل"]), max_size=40).map("".join))
def test_the_fast_tokens_are_the_regex_tokens(text):
    assert tokens(text) == ([piece for piece, _ in REFERENCE.findall(text)],
                            [space == " " for _, space in REFERENCE.findall(text)])


def test_emoji_sequences_and_words_stay_whole_where_no_span_cuts_them():
    words, spaces = tokens("😀🇸🇦 👍🏽 لروسيا،  ok\n")
    assert words == ["😀", "🇸🇦", "👍🏽", "لروسيا", "،", " ", "ok", "\n"]
    assert spaces == [False, True, True, False, True, False, False, False]


def test_a_span_starting_or_ending_at_a_space_keeps_that_space_as_a_token():
    assert tokens("ab cd", {2}, {5}) == (["ab", " ", "cd"], [False, False, False])
    assert tokens("ab cd", {0}, {3}) == (["ab", " ", "cd"], [False, False, False])
    assert tokens("ab cd", {3}, {2}) == (["ab", "cd"], [True, False])
