"""spaCy v3 DocBin export (`.spacy`): one Doc per document, one analyst's work per file.

What goes where (only the layers asked for are written):
- the text: the Doc is built from our own tokens (`Doc(vocab, words, spaces)`), so `doc.text` is the stored
  text exactly, whitespace, marks and emoji included, and every annotation boundary is a token boundary
  (a clitic outside an entity becomes a token of its own: ل + روسيا);
- entities: all of them in `doc.spans["entity"]` (label = type, `span.id_` = annotation id), nested and
  crossing ones included; `doc.ents` holds the non-overlapping subset spaCy's own `filter_spans` keeps
  (longest first, a tie to the earlier start);
- boilerplate: `doc.spans["boilerplate"]`, label = category;
- span stances: the evidence in `doc.spans["stance"]`, label = polarity;
- a span group's `attrs` maps the annotation id of each span that has attributes to them: for a stance the
  holder, the target and the note (their character offsets are token boundaries too, so
  `doc.char_span(holder["start"], holder["end"])` gives the holder);
- document stances: `doc.cats`, one key per target and polarity, `"<target>=<POLARITY>"`, 1.0 for the
  analyst's polarity and 0.0 for the three others (a one-of-four choice per target); the ids and notes in
  `doc._.hashiya["document_stances"]`;
- `doc._.hashiya` (stored in `doc.user_data`; a reader calls `Doc.set_extension("hashiya", default=None)`
  first, or reads `doc.user_data[("._.", "hashiya", None, None)]`): the document name, the analyst and
  the document's metadata.

Offsets are code points on both sides (spaCy's character offsets are Python string offsets), so nothing
is converted. Provenance and timestamps are not written. spaCy is an optional dependency, imported here
only when this export runs.

Speed (1,000,000 spans over 100,000 documents; benchmarks/bench_interchange.py): the tokens come from
str.split and str.isalnum for plain words and a regex only for the rest; Docs are made from word hashes; the
DocBin is filled and packed through its own containers, skipping DocBin.add's loop over every token and
DocBin.to_bytes's copies of the token table, and compressed at zlib level 1. spaCy reads the file as any
other DocBin; the tests check each shortcut against spaCy's own way.
"""

from __future__ import annotations

import contextlib
import functools
import re
import sys
import zlib
from bisect import bisect_right
from itertools import accumulate, compress
from operator import add, not_
from pathlib import Path
from typing import Any, Iterable

from app import words
from app.formats.common import (BOILERPLATE, DOC_STANCE_LAYER, ENTITY, STANCE_LAYER, ExportDocument, ExportReport,
                                atomic_write_bytes, export_documents)
from app.i18n import N_, _, ngettext, number

POLARITIES = ("FAVOR", "AGAINST", "NEUTRAL", "NONE")
# doc._.hashiya once a reader has registered the extension; user_data is where spaCy keeps it.
USER_DATA_KEY = ("._.", "hashiya", None, None)
# Token attributes the DocBin keeps besides the words and spaces: what doc.ents needs, nothing more
# (no tags, lemmas or parse exist to keep, and every extra column costs 8 bytes a token).
DOCBIN_ATTRS = ("ENT_IOB", "ENT_TYPE")
SPACY_MISSING = N_("the spacy format needs spaCy: pip install 'hashiya[spacy]' (or pip install spacy)")

# ---- tokens ------------------------------------------------------------------------------------------
_PICTOGRAPH = ("[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf"
               "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001F000-\U0001FAFF]")
_EMOJI_MODIFIERS = "[\ufe0e\ufe0f\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F]*"
# A flag (two regional indicators), a keycap, or a pictograph with its modifiers and zero-width-joined
# partners: one token, as a reader sees one symbol.
_EMOJI = (f"[\U0001F1E6-\U0001F1FF]{{2}}|[#*0-9]\ufe0f?\u20e3"
          f"|{_PICTOGRAPH}{_EMOJI_MODIFIERS}(?:\u200d{_PICTOGRAPH}{_EMOJI_MODIFIERS})*")


@functools.cache
def _piece() -> re.Pattern:
    """One token: a word as app.words sees it (letters, digits, marks, tatweel, joiners), a run of whitespace,
    an emoji, or any other visible character alone. The single space after a token other than whitespace is
    its trailing space (spaCy's `spaces`); any other whitespace is a token, as spaCy's tokenizer makes it.

    Written for speed, as app.words' word regex with the emoji after it would be (the tests check that it
    is): sre tries a character class holding characters above U+FFFF range by range, so the marks up there
    are only tried on such a character, and the emoji only on a character neither word nor space."""
    marks = [code for code in range(sys.maxunicode + 1)
             if words.is_word_char(chr(code)) and not chr(code).isalnum()]
    word = (f"(?:[^\\W_]+|{_char_class(code for code in marks if code <= 0xFFFF)}"
            f"|(?=[\U00010000-\U0010FFFF]){_char_class(code for code in marks if code > 0xFFFF)})+")
    return re.compile(f"{word}|\\s+|(?=[^\\w\\s])(?:{_EMOJI})|\\S")


def _char_class(codes: Iterable[int]) -> str:
    """A regex character class of these code points (ascending), as ranges: sre tests a class of single
    characters one by one."""
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(re.escape(chr(first)) + (f"-{re.escape(chr(last))}" if last > first else "")
                         for first, last in ranges) + "]"


def tokens(text: str, span_starts: Iterable[int] = (), span_ends: Iterable[int] = ()) -> tuple[list[str], list[bool]]:
    """(words, spaces) for `Doc(vocab, words, spaces)`: their text is `text` exactly, a token starts at each
    offset of `span_starts` and one ends at each offset of `span_ends` (offsets outside the text ignored)."""
    pieces, spaces = _base_tokens(text)
    starts = [0, *accumulate(map(add, map(len, pieces), spaces))]
    for offset in span_starts:
        if 0 <= offset < len(text):
            _start_token_at(offset, pieces, spaces, starts)
    for offset in span_ends:
        if 0 < offset <= len(text):
            _end_token_at(offset, pieces, spaces, starts)
    return pieces, spaces


def _base_tokens(text: str) -> tuple[list[str], list[bool]]:
    """The tokens before any span cuts them. The text is split at its spaces first: most pieces are one word
    of letters and digits (str.isalnum is the word regex's [^\\W_]), taken whole and in bulk; only the others
    go through the regex, which would take most of an export's time on all of them."""
    chunks = text.split(" ")
    last = len(chunks) - 1
    pieces: list[str] = []
    spaces: list[bool] = []
    done = 0
    for index in compress(range(len(chunks)), map(not_, map(str.isalnum, chunks))):
        pieces += chunks[done:index]  # words, each with a space after it
        spaces += [True] * (index - done)
        chunk = chunks[index]
        if chunk:
            _add_pieces(chunk, pieces, spaces)
        if index < last:  # the space after the chunk: whitespace next to it joins it
            if pieces and pieces[-1].isspace():
                pieces[-1] += " "
            elif chunk:
                spaces[-1] = True
            else:
                pieces.append(" ")
                spaces.append(False)
        done = index + 1
    if done <= last:  # the text ends with words, the last of them without a space
        pieces += chunks[done:]
        spaces += [True] * (last - done) + [False]
    return pieces, spaces


def _add_pieces(chunk: str, pieces: list[str], spaces: list[bool]) -> None:
    found = _piece().findall(chunk)
    if pieces and pieces[-1].isspace() and found[0].isspace():
        pieces[-1] += found.pop(0)
    pieces += found
    spaces += [False] * len(found)


# Cutting the tokens where a span needs it. `starts` holds where each token starts, then the text's length; a
# token covers its text and its trailing space. Typically a clitic outside an entity: ل|روسيا.
def _start_token_at(offset: int, pieces: list[str], spaces: list[bool], starts: list[int]) -> None:
    index = bisect_right(starts, offset) - 1
    if starts[index] != offset:
        _split(index, offset - starts[index], pieces, spaces, starts)


def _end_token_at(offset: int, pieces: list[str], spaces: list[bool], starts: list[int]) -> None:
    index = bisect_right(starts, offset - 1) - 1  # the token holding the span's last character
    if starts[index] + len(pieces[index]) != offset:
        _split(index, offset - starts[index], pieces, spaces, starts)


def _split(index: int, at: int, pieces: list[str], spaces: list[bool], starts: list[int]) -> None:
    """Cut token `index` `at` characters from its start. At its trailing space (a span starts there, or ends
    after it), that space becomes a token of its own."""
    piece = pieces[index]
    if at < len(piece):
        pieces[index:index + 1] = [piece[:at], piece[at:]]
        spaces.insert(index, False)
    else:
        pieces.insert(index + 1, " ")
        spaces[index:index + 1] = [False, False]
    starts.insert(index + 1, starts[index] + at)


# ---- the export --------------------------------------------------------------------------------------
def export(project, out: Path, annotator: str | None, layers: tuple[str, ...], progress=None,
           cancelled=None) -> ExportReport:
    from app.formats import ExportProblem  # here: app.formats imports this module's siblings lazily

    try:
        from spacy.tokens import DocBin
    except ImportError:
        raise ExportProblem(_(SPACY_MISSING)) from None
    builder = DocBuilder(layers)
    docbin = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True)
    report = ExportReport()
    analyst = annotator
    with _msgpack_encoders_looked_up_once():
        for document in export_documents(project, annotator, layers, progress, cancelled):
            analyst = _one_analyst(analyst, document)
            add_to_docbin(docbin, *builder.build(document, analyst))
            report.documents += 1
            report.annotations += len(document.annotations)
        data = docbin_bytes(docbin)
    atomic_write_bytes(out, data)
    return report


# ---- filling and writing the DocBin ------------------------------------------------------------------
# Through DocBin's own containers, as DocBin.add and DocBin.to_bytes fill and pack them, but without the steps
# that made a million spans take minutes. tests/test_format_spacy.py checks both against spaCy's own.
def add_to_docbin(docbin, doc, strings: list[str]) -> None:
    """DocBin.add(doc) without its loop over every token collecting the strings of nine token attributes:
    only words and the labels and ids of spans exist here, and DocBuilder.build lists them."""
    import srsly
    from spacy.attrs import SPACY

    docbin.tokens.append(doc.to_array(docbin.attrs).reshape((len(doc), len(docbin.attrs))))
    docbin.spaces.append(doc.to_array(SPACY).reshape((len(doc), 1)).astype(bool))
    docbin.flags.append({"has_unknown_spaces": doc.has_unknown_spaces})
    docbin.cats.append(doc.cats)
    docbin.user_data.append(srsly.msgpack_dumps(doc.user_data))
    docbin.span_groups.append(doc.spans.to_bytes())
    docbin.strings.update(strings)


def docbin_bytes(docbin, level: int = 1) -> bytes:
    """DocBin.to_bytes(): the same msgpack message, every part of it packed by srsly as there, but compressed
    as it is made, the token table straight from each Doc's array (DocBin.to_bytes copies it three times:
    stacked, as bytes, into the message), at zlib level 1 rather than 6 (2.5 times faster, 12% larger)."""
    import numpy
    import srsly

    from app.formats import ExportProblem

    table = sum(array.nbytes for array in docbin.tokens)
    if table >= 2 ** 32:
        raise ExportProblem(ngettext("{n} documents are more than one spaCy DocBin can hold (a token table of {size} "
                                     "GiB, over {limit}): export fewer documents",
                                     "{n} documents are more than one spaCy DocBin can hold (a token table of {size} "
                                     "GiB, over {limit}): export fewer documents", len(docbin)).format(
            n=number(len(docbin)), size=number(table / 2 ** 30, decimals=1), limit=number(4)))
    fields = {"version": docbin.version, "attrs": docbin.attrs, "tokens": docbin.tokens, "spaces": docbin.spaces,
              "lengths": numpy.asarray([len(tokens) for tokens in docbin.tokens], dtype="int32").tobytes("C"),
              "strings": sorted(docbin.strings), "cats": docbin.cats, "flags": docbin.flags,
              "span_groups": docbin.span_groups}
    if docbin.store_user_data:
        fields["user_data"] = docbin.user_data
    compressor = zlib.compressobj(level)
    parts = [compressor.compress(srsly.msgpack.Packer().pack_map_header(len(fields)))]
    for key, value in fields.items():
        parts.append(compressor.compress(srsly.msgpack_dumps(key)))
        if key in ("tokens", "spaces"):  # numpy arrays, packed as one bin of their bytes in a row
            parts.append(compressor.compress(_bin_header(sum(array.nbytes for array in value))))
            parts += [compressor.compress(array) for array in value]
        else:
            parts.append(compressor.compress(srsly.msgpack_dumps(value)))
    parts.append(compressor.flush())
    return b"".join(parts)


def _bin_header(size: int) -> bytes:
    """The msgpack header of a bin of `size` bytes (bin 8, 16 or 32: the smallest that holds it)."""
    for code, width in ((0xC4, 1), (0xC5, 2), (0xC6, 4)):
        if size < 2 ** (8 * width):
            return bytes([code]) + size.to_bytes(width, "big")
    raise ValueError(f"a msgpack bin holds less than 4 GiB, not {size} bytes")


@contextlib.contextmanager
def _msgpack_encoders_looked_up_once():
    """srsly looks its msgpack encoders up in the catalogue registry each time it packs an object, going
    through every entry point of every installed package: a DocBin packs five objects per Doc, and the
    look-ups took longer than making the Doc. The encoders cannot change during an export, so they are
    looked up once, and srsly's own lookup is back when the export ends. Should srsly change, this does
    nothing and the export is only slower."""
    try:
        from srsly.msgpack import msgpack_encoders
        encoders = msgpack_encoders.get_all()
    except (ImportError, AttributeError):
        yield
        return
    msgpack_encoders.get_all = lambda: encoders  # an instance attribute, in front of the method
    try:
        yield
    finally:
        vars(msgpack_encoders).pop("get_all", None)


def _one_analyst(analyst: str | None, document: ExportDocument) -> str | None:
    """A DocBin holds one analyst's work (two analysts' stances on one target would be two answers in
    doc.cats); app.formats.export_as splits a project by analyst before calling this export."""
    from app.formats import ExportProblem

    for item in document.annotations:
        if analyst is None:
            analyst = item["annotator"]
        elif item["annotator"] != analyst:
            raise ExportProblem(_("a spaCy DocBin holds one analyst's work, and {document} has annotations by {first} "
                                  "and {second}: choose an analyst").format(document=document.name, first=analyst,
                                                                            second=item["annotator"]))
    return analyst


class DocBuilder:
    """Builds the Docs of one export on one Vocab (see the module docstring for what goes where)."""

    def __init__(self, layers: tuple[str, ...]):
        from spacy.vocab import Vocab

        self.layers = layers
        self.vocab = Vocab()
        self._orths = _Orths(self.vocab.strings)

    def build(self, document: ExportDocument, analyst: str | None):
        """The Doc of one document with its annotations in the export's layers, and the strings a DocBin
        needs to read it back: its words, and the labels and ids of its spans."""
        from spacy.tokens import Doc
        from spacy.util import filter_spans

        spans = [item for item in document.annotations if item["layer"] != DOC_STANCE_LAYER]
        references = _reference_offsets(spans, len(document.text))
        span_starts = [item["start"] for item in spans] + [start for start, _end in references]
        span_ends = [item["end"] for item in spans] + [end for _start, end in references]
        pieces, spaces = tokens(document.text, span_starts, span_ends)
        doc = Doc(self.vocab, words=list(map(self._orths.__getitem__, pieces)), spaces=spaces)
        for layer in (ENTITY, BOILERPLATE, STANCE_LAYER):
            if layer in self.layers:
                group = [item for item in spans if item["layer"] == layer]
                doc.spans[layer] = [_span(doc, document, item) for item in group]
                doc.spans[layer].attrs.update({item["id"]: item["attrs"] for item in group if item["attrs"]})
        if ENTITY in self.layers:
            _set_ents(doc, filter_spans(doc.spans[ENTITY]))
        information: dict[str, Any] = {"document": document.name, "analyst": analyst, "meta": document.meta}
        if DOC_STANCE_LAYER in self.layers:
            stances = [item for item in document.annotations if item["layer"] == DOC_STANCE_LAYER]
            doc.cats = _cats(stances)
            information["document_stances"] = {item["id"]: {"polarity": item["label"], **item["attrs"]}
                                               for item in stances}
        doc.user_data[USER_DATA_KEY] = information
        return doc, pieces + [item["label"] for item in spans] + [item["id"] for item in spans]


def _set_ents(doc, ents) -> None:
    """`doc.ents = ents` through the token attributes that hold them (Token.ent_iob: B 3, I 1, O 2, and
    the label in ent_type), in half the time: the ents setter makes every span over again."""
    import numpy
    from spacy.attrs import ENT_IOB, ENT_TYPE

    table = numpy.zeros((len(doc), 2), dtype="uint64")
    table[:, 0] = 2
    for span in ents:
        table[span.start, 0] = 3
        table[span.start + 1:span.end, 0] = 1
        table[span.start:span.end, 1] = span.label
    doc.from_array([ENT_IOB, ENT_TYPE], table)


class _Orths(dict):
    """word → its hash in the Vocab's strings, kept: a Doc made from the hashes looks each word up instead of
    hashing it again, which took half the time of making a Doc."""

    def __init__(self, strings):
        super().__init__()
        self.strings = strings

    def __missing__(self, word: str) -> int:
        self[word] = orth = self.strings.add(word)
        return orth


def _span(doc, document: ExportDocument, item: dict):
    span = doc.char_span(item["start"], item["end"], label=item["label"], span_id=item["id"],
                         alignment_mode="strict")
    if span is None:  # the tokens are cut at every span boundary: only a span outside the text gets here
        from app.formats import ExportProblem

        raise ExportProblem(ngettext("{document}: annotation {id} ({start}–{end}) lies outside the text ({n} "
                                     "characters)",
                                     "{document}: annotation {id} ({start}–{end}) lies outside the text ({n} "
                                     "characters)", len(document.text)).format(
            document=document.name, id=item["id"], start=number(item["start"]), end=number(item["end"]),
            n=number(len(document.text))))
    return span


def _reference_offsets(spans: list[dict], length: int) -> list[tuple[int, int]]:
    """The offsets of stance holders and targets that are entity spans, so that they can be looked up with
    doc.char_span like the spans themselves (a holder or target outside the text is left as it is)."""
    found = []
    for item in spans:
        if item["layer"] != STANCE_LAYER:
            continue
        for reference in (item["attrs"].get("holder"), item["attrs"].get("target")):
            if isinstance(reference, dict):
                start, end = reference.get("start"), reference.get("end")
                if type(start) is int and type(end) is int and 0 <= start < end <= length:
                    found.append((start, end))
    return found


def _cats(stances: list[dict]) -> dict[str, float]:
    """`"<target>=<POLARITY>"`: 1.0 for the stance taken on the target, 0.0 for the other polarities."""
    cats: dict[str, float] = {}
    for item in stances:
        target = item["attrs"].get("target", "")
        for polarity in POLARITIES:
            cats[f"{target}={polarity}"] = 1.0 if item["label"] == polarity else 0.0
    return cats
