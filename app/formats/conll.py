"""CoNLL-2003 style IOB2 (.conll): one token per line as `TOKEN -X- _ TAG`, a blank line after each sentence,
and `-DOCSTART- -X- O O` (the delimiter spaCy's `conll_ner_to_docs` splits on) before each document.

A token-level, lossy form of ONE span layer (entity by default, or boilerplate), read by seqeval-style
readers, conlleval and `spacy convert -c ner`. What cannot be said in flat IOB2 is handled here:

- Tokens: runs of word characters (app.words.is_word_char) or runs of other visible characters
  (punctuation, symbols, emoji). Whitespace of any kind (NBSP included) and invisible control and format
  characters (RLM, LRM, ALM, ZWSP, BOM, bidi controls) separate tokens and are never written: a token can
  hold no character that a reader's `line.split()` would split on.
- Clitics: a span that starts or ends inside a word (لروسيا with the entity روسيا) is written with the word
  cut at the span's edge (`clitics="split"`: ل O, روسيا B-GPE) or gives the whole word its tag
  (`clitics="word"`: لروسيا B-GPE).
- Nesting and crossing: flat IOB2 holds no overlap, so the longest span wins, then the earliest; the spans
  left out are counted in the report's `dropped`.
- Sentences: a line of the text, also ended by a token of sentence-final marks (. ! ? ؟ …) that is not a
  decimal point; never inside a written span, so a reader sees every span whole.

The import reads CoNLL-2003 (four columns) or `TOKEN TAG` files with IOB2, IOB1, BIOES or BILOU tags and
rebuilds each document's text: tokens joined by single spaces, one sentence per line. See docs/conll.md.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from app.exporter import ExportReport
from app.formats import ExportProblem
from app.formats.common import BOILERPLATE, ENTITY, ParsedImport, export_documents
from app.fsutil import atomic_write
from app.i18n import _, ngettext, number
from app.importer import BadInput, ParsedDocument, on_line, read_regular_file
from app.project import Project, default_labels
from app.textio import normalise_newlines
from app.words import JOINERS

DOCSTART = "-DOCSTART-"
DOCUMENT_LINE = f"{DOCSTART} -X- O O"
# The part-of-speech and chunk columns of CoNLL-2003, which Hashiya does not have: kept so the file has
# the four columns that CoNLL-2003 readers expect (spaCy reads the first column and the last).
FILLER_COLUMNS = "-X- _"
CLITIC_MODES = ("split", "word")
SENTENCE_FINAL = frozenset(".!?؟…۔")
# What str.splitlines() ends a line at: a line break in the text ends a sentence.
LINE_BREAKS = frozenset("\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029")

Extent = tuple[int, int, str]  # start, end, label


# ---- tokens ---------------------------------------------------------------------------------------------
def tokenise(text: str) -> list[tuple[int, int]]:
    """The tokens of `text` as (start, end) code-point spans, in order (see the module docstring)."""
    return [match.span() for match in _token_pattern().finditer(text) if not _only_joiners(match.group())]


def _only_joiners(token: str) -> bool:
    """A lone ZWNJ/ZWJ is invisible: written as a token it would be a line that looks empty."""
    return all(char in JOINERS for char in token)


@functools.cache
def _token_pattern() -> re.Pattern:
    """A word run or a run of other visible characters. A combining mark or joiner stays with the run
    before it (so an emoji's variation selector or ZWJ sequence stays one token), or at the start of a
    chunk with the run after it. Built once from the Unicode tables, as ranges."""
    attaching, invisible = [ord(char) for char in JOINERS], []
    for code in range(sys.maxunicode + 1):
        category = unicodedata.category(chr(code))
        if category[0] == "M":
            attaching.append(code)
        elif category in ("Cc", "Cf") and chr(code) not in JOINERS:
            invisible.append(code)
    attach = _class_ranges(sorted(attaching))
    word = r"[^\W_]"  # letters and digits; tatweel is a letter (Lm)
    other = rf"(?:_|[^\w\s{attach}{_class_ranges(invisible)}])"
    return re.compile(rf"[{attach}]*(?:{word}(?:{word}|[{attach}])*|{other}(?:{other}|[{attach}])*)|[{attach}]+")


def _class_ranges(codes: list[int]) -> str:
    """Sorted code points as the body of a regex character class (a-b ranges: thousands of single
    characters make the regex slow)."""
    ranges, first = [], codes[0]
    for previous, code in zip(codes, [*codes[1:], None]):
        if code != previous + 1:
            ranges.append(re.escape(chr(first)) + ("-" + re.escape(chr(previous)) if previous > first else ""))
            first = code
    return "".join(ranges)


# ---- export ---------------------------------------------------------------------------------------------
def export(project: Project, out: Path, annotator: str | None, layers: tuple[str, ...], progress=None,
           cancelled=None, clitics: str = "split") -> ExportReport:
    """Write the documents with the spans of `layers` (the registry passes one) as CoNLL-2003 IOB2.

    `dropped` in the report counts the spans flat IOB2 could not hold: overlapping a longer (or as long
    and earlier) span, or holding no token."""
    if clitics not in CLITIC_MODES:
        raise ExportProblem(_("clitics must be one of {modes} (not {given})").format(
            modes=", ".join(CLITIC_MODES), given=repr(clitics)))
    report = ExportReport()
    with atomic_write(out) as handle:
        for document in export_documents(project, annotator, layers, progress, cancelled):
            spans = [(item["start"], item["end"], _checked_label(item["label"]))
                     for item in document.annotations if item.get("start") is not None]
            sentences, written = conll_sentences(document.text, spans, clitics)
            handle.write(_document_block(sentences))
            report.documents += 1
            report.annotations += written
            report.dropped += len(spans) - written
            report.rows += sum(map(len, sentences))
    return report


def _checked_label(label: str) -> str:
    if any(char.isspace() for char in label):
        raise ExportProblem(_("the label {label} contains a space, which the space-separated columns of CoNLL cannot "
                              "hold: rename the label (e.g. with an underscore) and export again").format(
            label=repr(label)))
    return label


def _document_block(sentences: list[list[tuple[str, str]]]) -> str:
    lines = [DOCUMENT_LINE, ""]
    for sentence in sentences:
        lines += [f"{token} {FILLER_COLUMNS} {tag}" for token, tag in sentence]
        lines.append("")
    return "\n".join(lines) + "\n"


def conll_sentences(text: str, spans: list[Extent], clitics: str = "split"
                    ) -> tuple[list[list[tuple[str, str]]], int]:
    """The document as sentences of (token, IOB2 tag), and how many of `spans` were written."""
    tokens = tokenise(text)
    extents = [extent for span in spans if (extent := _extent(span, tokens, clitics)) is not None]
    kept = _non_overlapping(extents)
    if clitics == "split":
        tokens = _cut(text, tokens, kept)
    tags, span_of = _tags(tokens, kept)
    written = len({index for index in span_of if index is not None})
    return _sentences(text, tokens, tags, span_of), written


def _extent(span: Extent, tokens: list[tuple[int, int]], clitics: str) -> Extent | None:
    """The characters the span will cover in the file: widened to whole tokens ("word"), or trimmed to
    the token characters inside it ("split"). None when no token overlaps it."""
    start, end, label = span
    first = bisect_right(tokens, start, key=lambda token: token[1])  # the first token ending after start
    last = bisect_left(tokens, end, key=lambda token: token[0])  # past the last token starting before end
    if first >= last:
        return None
    if clitics == "word":
        return tokens[first][0], tokens[last - 1][1], label
    return max(start, tokens[first][0]), min(end, tokens[last - 1][1]), label


def _non_overlapping(extents: list[Extent]) -> list[Extent]:
    """The longest first, then the earliest (then by label, so the choice is stable), each kept if it
    overlaps nothing kept before; returned in text order."""
    kept: list[Extent] = []
    for extent in sorted(extents, key=lambda e: (e[0] - e[1], e[0], e[2])):
        place = bisect_left(kept, extent[0], key=lambda e: e[0])
        overlaps_before = place > 0 and kept[place - 1][1] > extent[0]
        overlaps_after = place < len(kept) and kept[place][0] < extent[1]
        if not (overlaps_before or overlaps_after):
            kept.insert(place, extent)
    return kept


def _cut(text: str, tokens: list[tuple[int, int]], kept: list[Extent]) -> list[tuple[int, int]]:
    """Split tokens at every kept span's edges (the clitic ل of لروسيا becomes a token of its own)."""
    edges = sorted({edge for start, end, _label in kept for edge in (start, end)})
    pieces = []
    for start, end in tokens:
        inside = edges[bisect_right(edges, start):bisect_left(edges, end)]
        for piece_start, piece_end in zip([start, *inside], [*inside, end]):
            if not _only_joiners(text[piece_start:piece_end]):
                pieces.append((piece_start, piece_end))
    return pieces


def _tags(tokens: list[tuple[int, int]], kept: list[Extent]) -> tuple[list[str], list[int | None]]:
    """Each token's IOB2 tag and the index in `kept` of the span it belongs to."""
    tags, span_of = ["O"] * len(tokens), [None] * len(tokens)
    for index, (start, end, label) in enumerate(kept):
        position = bisect_left(tokens, start, key=lambda token: token[0])
        first = position
        while position < len(tokens) and tokens[position][1] <= end:
            tags[position] = f"{'B' if position == first else 'I'}-{label}"
            span_of[position] = index
            position += 1
    return tags, span_of


def _sentences(text: str, tokens: list[tuple[int, int]], tags: list[str],
               span_of: list[int | None]) -> list[list[tuple[str, str]]]:
    words = [text[start:end] for start, end in tokens]
    sentences: list[list[tuple[str, str]]] = []
    for index, word in enumerate(words):
        inside_one_span = index > 0 and span_of[index] is not None and span_of[index] == span_of[index - 1]
        if index == 0 or (not inside_one_span and _sentence_ends_before(text, tokens, words, index)):
            sentences.append([])
        sentences[-1].append((word, tags[index]))
    return sentences


def _sentence_ends_before(text: str, tokens: list[tuple[int, int]], words: list[str], index: int) -> bool:
    """A line break between the tokens, or the previous token is a run of sentence-final marks (closing
    quotes and brackets allowed) other than a point between numbers (3.5, 3.3.2025). Decided on the tokens
    alone, so the text an import rebuilds (tokens joined by spaces) is cut into the same sentences again."""
    if any(char in LINE_BREAKS for char in text[tokens[index - 1][1]:tokens[index][0]]):
        return True
    previous = words[index - 1]
    if not _sentence_final(previous):
        return False
    between_numbers = previous == "." and index >= 2 and words[index - 2].isdecimal() and words[index].isdecimal()
    return not between_numbers


def _sentence_final(word: str) -> bool:
    """Sentence-final marks, with any closing quotes and brackets around them (». .» ).)."""
    return (any(char in SENTENCE_FINAL for char in word)
            and all(char in SENTENCE_FINAL or unicodedata.category(char) in ("Pe", "Pf") for char in word))


# ---- import ---------------------------------------------------------------------------------------------
_TAG = re.compile(r"O|[BIESLU]-.+")
# What a column that carries nothing holds (CoNLL-2003's own -DOCSTART- line uses -X-).
PLACEHOLDERS = frozenset({"-X-", "_", "-"})


@dataclass
class _Token:
    text: str
    tag: str
    line: int


@dataclass
class _Document:
    line: int  # of its -DOCSTART- (0 for tokens before any)
    sentences: list[list[_Token]] = field(default_factory=list)


@dataclass
class _Reading:
    """What a pass over the lines found, besides the documents."""

    columns: int = 0
    columns_line: int = 0
    middle_columns_used: int = 0  # token lines with POS/chunk-like values, which are not imported
    repairs: Counter = field(default_factory=Counter)
    first_repair: dict[str, int] = field(default_factory=dict)

    def repaired(self, kind: str, line: int) -> None:
        self.repairs[kind] += 1
        self.first_repair.setdefault(kind, line)


def parse(path: Path, default_annotator: str, layer: str | None = None) -> ParsedImport:
    """Read a CoNLL file whole. `layer` None reads the tags as entities, unless every label in the file is
    one of the default boilerplate categories (a boilerplate export read back)."""
    path = Path(path)
    reading = _Reading()
    documents = _read_documents(_decoded(read_regular_file(path)), reading)
    entities = [[_sentence_entities(sentence, reading) for sentence in document.sentences]
                for document in documents]
    labels = {label for document in entities for sentence in document for label, _first, _last in sentence}
    chosen_layer = _layer_for(labels, layer)
    parsed = [_rebuilt(f"{path.stem} {number}", str(path), document, found, chosen_layer,
                       default_annotator) for number, (document, found) in enumerate(zip(documents, entities), start=1)]
    return ParsedImport(parsed, _notes(path.name, reading))


def _decoded(data: bytes) -> str:
    try:
        return normalise_newlines(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise BadInput(on_line(line, _("is not UTF-8 (byte {position}); CoNLL files must be UTF-8").format(
            position=number(error.start)))) from None


def _read_documents(text: str, reading: _Reading) -> list[_Document]:
    """Documents of sentences of tokens. -DOCSTART- lines split documents; a blank line ends a sentence;
    columns are separated by runs of whitespace, as spaCy and conlleval read them."""
    documents = [_Document(0)]
    sentence: list[_Token] = []
    for row, line in enumerate(text.split("\n"), start=1):
        columns = line.split()
        if not columns or columns[0] == DOCSTART:
            if sentence:
                documents[-1].sentences.append(sentence)
                sentence = []
            if columns:
                documents.append(_Document(row))
            continue
        sentence.append(_token_of(columns, row, reading))
    if sentence:
        documents[-1].sentences.append(sentence)
    return _non_empty(documents, reading)


def _non_empty(documents: list[_Document], reading: _Reading) -> list[_Document]:
    """Tokens before the first -DOCSTART- are a document; a -DOCSTART- with no tokens after it is not."""
    for document in documents[1:]:
        if not document.sentences:
            reading.repaired("empty document", document.line)
    return [document for document in documents if document.sentences]


def _token_of(columns: list[str], line: int, reading: _Reading) -> _Token:
    if len(columns) < 2:
        raise BadInput(on_line(line, _("{token} has no tag: a token line is TOKEN [other columns] TAG").format(
            token=repr(columns[0]))))
    if not reading.columns:
        reading.columns, reading.columns_line = len(columns), line
    elif len(columns) != reading.columns:
        raise BadInput(on_line(line, ngettext(
            "{n} columns, but the token lines before it have {before} (line {line})",
            "{n} columns, but the token lines before it have {before} (line {line})", len(columns)).format(
            n=number(len(columns)), before=number(reading.columns), line=number(reading.columns_line))))
    tag = columns[-1]
    if not _TAG.fullmatch(tag):
        raise BadInput(on_line(line, _("the tag {tag} is not O or B-, I-, E-, S-, L-, U- followed by a type").format(
            tag=repr(tag))))
    if any(value not in PLACEHOLDERS for value in columns[1:-1]):
        reading.middle_columns_used += 1
    return _Token(columns[0], tag, line)


def _sentence_entities(sentence: list[_Token], reading: _Reading) -> list[tuple[str, int, int]]:
    """(label, first token, last token) of each entity, reading IOB2, IOB1, BIOES and BILOU alike.

    An I- with no open entity of its type starts one (IOB1, or a missing B-); so does an I-X straight after
    an entity of another type, as seqeval reads it; an E-/L- that closes nothing is a one-token entity."""
    entities: list[list] = []
    open_entity: list | None = None
    for index, token in enumerate(sentence):
        if token.tag == "O":
            open_entity = None
            continue
        prefix, label = token.tag[0], token.tag[2:]
        continues = prefix in "IEL" and open_entity is not None and open_entity[0] == label
        if not continues:
            if prefix == "I":
                reading.repaired("inside after other type" if open_entity else "inside first", token.line)
            elif prefix in "EL":
                reading.repaired("lone end", token.line)
            open_entity = [label, index, index]
            entities.append(open_entity)
        open_entity[2] = index
        if prefix in "ESLU":
            open_entity = None
    return [tuple(entity) for entity in entities]


def _layer_for(labels: set[str], layer: str | None) -> str:
    if layer is not None:
        if layer not in (ENTITY, BOILERPLATE):
            raise BadInput(_("CoNLL files are read into the {entity} or {boilerplate} layer, not {layer}").format(
                entity=ENTITY, boilerplate=BOILERPLATE, layer=repr(layer)))
        return layer
    categories = {label.name for label in default_labels() if label.layer == BOILERPLATE}
    return BOILERPLATE if labels and labels <= categories else ENTITY


def _rebuilt(name: str, path: str, document: _Document, entities: list[list[tuple[str, int, int]]],
             layer: str, annotator: str) -> ParsedDocument:
    """The text as tokens joined by single spaces and sentences by line breaks, with the entities' offsets
    counted while it is built."""
    pieces: list[str] = []
    annotations, places = [], []
    offset = 0
    for sentence, found in zip(document.sentences, entities):
        if pieces:
            pieces.append("\n")
            offset += 1
        starts = []
        for index, token in enumerate(sentence):
            if index:
                pieces.append(" ")
                offset += 1
            starts.append(offset)
            pieces.append(token.text)
            offset += len(token.text)
        for label, first, last in found:
            annotations.append({"annotator": annotator, "layer": layer, "label": label, "start": starts[first],
                                "end": starts[last] + len(sentence[last].text), "attrs": {},
                                "provenance": "imported"})
            places.append(_("the {label} entity on line {line}").format(label=label,
                                                                         line=number(sentence[first].line)))
    where = (_("the document on line {line}").format(line=number(document.line)) if document.line
             else _("the tokens before any -DOCSTART-"))
    return ParsedDocument(name, path, "".join(pieces), {}, annotations, where=where, places=places)


# What the import repaired, in the order the notes list them.
REPAIR_KINDS = ("inside first", "inside after other type", "lone end", "empty document")


def _repair_note(kind: str, count: int) -> str:
    if kind == "inside first":
        return ngettext("{n} entity began with I- (IOB1 style, or a missing B-), first on line {line}: each was read "
                        "as the start of an entity",
                        "{n} entities began with I- (IOB1 style, or a missing B-), first on line {line}: each was read "
                        "as the start of an entity", count)
    if kind == "inside after other type":
        return ngettext("{n} time(s) an I- tag followed an entity of another type, first on line {line}: a new entity "
                        "was started there, as seqeval reads it",
                        "{n} time(s) an I- tag followed an entity of another type, first on line {line}: a new entity "
                        "was started there, as seqeval reads it", count)
    if kind == "lone end":
        return ngettext("{n} E-/L- tag(s) closed no open entity of their type, first on line {line}: each was read as "
                        "a one-token entity",
                        "{n} E-/L- tag(s) closed no open entity of their type, first on line {line}: each was read as "
                        "a one-token entity", count)
    return ngettext("{n} -DOCSTART- line(s) began a document with no tokens, first on line {line}: skipped",
                    "{n} -DOCSTART- line(s) began a document with no tokens, first on line {line}: skipped", count)


def _notes(file_name: str, reading: _Reading) -> list[str]:
    notes = []
    if count := reading.middle_columns_used:
        notes.append(ngettext("{file}: the middle columns (part of speech, chunk…) of {n} token line(s) are not "
                              "imported",
                              "{file}: the middle columns (part of speech, chunk…) of {n} token line(s) are not "
                              "imported", count).format(file=file_name, n=number(count)))
    for kind in REPAIR_KINDS:
        if count := reading.repairs[kind]:
            text = _repair_note(kind, count).format(n=number(count), line=number(reading.first_repair[kind]))
            notes.append(f"{file_name}: {text}")
    return notes

