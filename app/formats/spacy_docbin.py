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
"""

from __future__ import annotations

import re
from itertools import accumulate
from pathlib import Path
from typing import Any

from app import words
from app.formats.common import (BOILERPLATE, DOC_STANCE_LAYER, ENTITY, STANCE_LAYER, ExportDocument, ExportReport,
                                atomic_write_bytes, export_documents)

POLARITIES = ("FAVOR", "AGAINST", "NEUTRAL", "NONE")
# doc._.hashiya once a reader has registered the extension; user_data is where spaCy keeps it.
USER_DATA_KEY = ("._.", "hashiya", None, None)
# Token attributes the DocBin keeps besides the words and spaces: what doc.ents needs, nothing more
# (no tags, lemmas or parse exist to keep, and every extra column costs 8 bytes a token).
DOCBIN_ATTRS = ("ENT_IOB", "ENT_TYPE")
SPACY_MISSING = "the spacy format needs spaCy: pip install 'hashiya[spacy]' (or pip install spacy)"

# ---- tokens ------------------------------------------------------------------------------------------
_PICTOGRAPH = ("[\u00a9\u00ae\u203c\u2049\u2122\u2139\u2194-\u21aa\u231a-\u23ff\u24c2\u25aa-\u27bf"
               "\u2934\u2935\u2b05-\u2b55\u3030\u303d\u3297\u3299\U0001F000-\U0001FAFF]")
_EMOJI_MODIFIERS = "[\ufe0e\ufe0f\U0001F3FB-\U0001F3FF\U000E0020-\U000E007F]*"
# A flag (two regional indicators), a keycap, or a pictograph with its modifiers and zero-width-joined
# partners: one token, as a reader sees one symbol.
_EMOJI = (f"[\U0001F1E6-\U0001F1FF]{{2}}|[#*0-9]\ufe0f?\u20e3"
          f"|{_PICTOGRAPH}{_EMOJI_MODIFIERS}(?:\u200d{_PICTOGRAPH}{_EMOJI_MODIFIERS})*")
# A token and the single space after it, if any (spaCy's `spaces`): an emoji, a word as app.words sees it
# (letters, digits, marks, tatweel, joiners), any other visible character alone, or a run of whitespace
# (which takes every space, so a whitespace token is never followed by a space of its own).
_TOKEN = re.compile(f"({_EMOJI}|{words._word_run().pattern}|\\S|\\s+)( ?)")


def tokens(text: str, span_starts: set[int] = frozenset(), span_ends: set[int] = frozenset()
           ) -> tuple[list[str], list[bool]]:
    """(words, spaces) for `Doc(vocab, words, spaces)`: their text is `text` exactly, a token starts at each
    offset of `span_starts` and one ends at each offset of `span_ends` (offsets outside the text ignored)."""
    found = _TOKEN.findall(text)
    pieces = [token for token, _space in found]
    spaces = [space == " " for _token, space in found]
    if not span_starts and not span_ends:
        return pieces, spaces
    starts = [0, *accumulate(len(token) + len(space) for token, space in found)][:-1]
    ends = [start + len(token) for start, token in zip(starts, pieces)]
    if span_starts.issubset(starts) and span_ends.issubset(ends):
        return pieces, spaces
    bounds = sorted(offset for offset in span_starts.union(span_ends, starts, ends, (len(text),))
                    if 0 <= offset <= len(text))
    return _cut(text, bounds, span_starts, span_ends)


def _cut(text: str, bounds: list[int], span_starts: set[int], span_ends: set[int]
         ) -> tuple[list[str], list[bool]]:
    """Tokens between consecutive `bounds`. A lone space after a token becomes that token's trailing space,
    as in spaCy, unless a span starts at it or ends after it: such a span needs it as a token."""
    pieces: list[str] = []
    spaces: list[bool] = []
    for start, end in zip(bounds, bounds[1:]):
        piece = text[start:end]
        if (piece == " " and pieces and not spaces[-1] and not pieces[-1].isspace()
                and start not in span_starts and end not in span_ends):
            spaces[-1] = True
        else:
            pieces.append(piece)
            spaces.append(False)
    return pieces, spaces


# ---- the export --------------------------------------------------------------------------------------
def export(project, out: Path, annotator: str | None, layers: tuple[str, ...], progress=None,
           cancelled=None) -> ExportReport:
    from app.formats import ExportProblem  # here: app.formats imports this module's siblings lazily

    try:
        from spacy.tokens import DocBin
        from spacy.vocab import Vocab
    except ImportError:
        raise ExportProblem(SPACY_MISSING) from None
    vocab = Vocab()
    docbin = DocBin(attrs=DOCBIN_ATTRS, store_user_data=True)
    report = ExportReport()
    analyst = annotator
    for document in export_documents(project, annotator, layers, progress, cancelled):
        analyst = _one_analyst(analyst, document)
        docbin.add(build_doc(vocab, document, analyst, layers))
        report.documents += 1
        report.annotations += len(document.annotations)
    atomic_write_bytes(out, docbin.to_bytes())
    return report


def _one_analyst(analyst: str | None, document: ExportDocument) -> str | None:
    """A DocBin holds one analyst's work (two analysts' stances on one target would be two answers in
    doc.cats); app.formats.export_as splits a project by analyst before calling this export."""
    from app.formats import ExportProblem

    for item in document.annotations:
        if analyst is None:
            analyst = item["annotator"]
        elif item["annotator"] != analyst:
            raise ExportProblem(f"a spaCy DocBin holds one analyst's work, and {document.name} has annotations "
                                f"by {analyst} and {item['annotator']}: choose an analyst")
    return analyst


def build_doc(vocab, document: ExportDocument, analyst: str | None, layers: tuple[str, ...]):
    """The spaCy Doc of one document with its annotations in `layers` (see the module docstring)."""
    from spacy.tokens import Doc
    from spacy.util import filter_spans

    spans = [item for item in document.annotations if item["layer"] != DOC_STANCE_LAYER]
    references = _reference_offsets(spans, len(document.text))
    span_starts = {item["start"] for item in spans}.union(start for start, _end in references)
    span_ends = {item["end"] for item in spans}.union(end for _start, end in references)
    pieces, spaces = tokens(document.text, span_starts, span_ends)
    doc = Doc(vocab, words=pieces, spaces=spaces)
    for layer in (ENTITY, BOILERPLATE, STANCE_LAYER):
        if layer in layers:
            group = [item for item in spans if item["layer"] == layer]
            doc.spans[layer] = [_span(doc, document, item) for item in group]
            doc.spans[layer].attrs.update({item["id"]: item["attrs"] for item in group if item["attrs"]})
    if ENTITY in layers:
        doc.ents = filter_spans(doc.spans[ENTITY])
    information: dict[str, Any] = {"document": document.name, "analyst": analyst, "meta": document.meta}
    if DOC_STANCE_LAYER in layers:
        stances = [item for item in document.annotations if item["layer"] == DOC_STANCE_LAYER]
        doc.cats = _cats(stances)
        information["document_stances"] = {item["id"]: {"polarity": item["label"], **item["attrs"]}
                                           for item in stances}
    doc.user_data[USER_DATA_KEY] = information
    return doc


def _span(doc, document: ExportDocument, item: dict):
    span = doc.char_span(item["start"], item["end"], label=item["label"], span_id=item["id"],
                         alignment_mode="strict")
    if span is None:  # the tokens are cut at every span boundary: only a span outside the text gets here
        from app.formats import ExportProblem

        raise ExportProblem(f"{document.name}: annotation {item['id']} ({item['start']}–{item['end']}) lies "
                            f"outside the text ({len(document.text)} characters)")
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
