"""doccano JSONL for sequence labelling: one line per document, `{"text": ..., "label": [[start, end, LABEL], ...]}`.

Offsets are UTF-16 code units, because that is what doccano's annotation screen counts: it is a browser
front end, and a JavaScript string's indices are UTF-16 code units. doccano's back end stores and exports
whatever offsets the front end sent, without converting them. Evidence: doccano issue #2290 ("Sequence labels
are TypeScript/JavaScript-style": in "👨🏻‍🚒 firemen drive firetrucks", doccano gives "firetrucks" 22–32 where
Python slices 19–29) and issue #2484 (2026, same report); pull request #99 (2019) describes the front end's
`length` counting UTF-16 units. So an emoji counts 2, and every span after one is shifted in Python terms;
Hashiya converts on both sides. A doccano project with the "Count grapheme clusters as one character"
option on counts grapheme clusters instead: its files are not in this unit and are not supported.

Export (one layer, one analyst per file: the registry makes a folder of `<analyst>.jsonl` for several):
    {"text": stored text, "label": [[start, end, LABEL], ...] (UTF-16, sorted), "name": document name,
     ...the document's metadata as top-level keys (doccano keeps unknown keys as metadata and exports them back),
     "hashiya": {"layer": "entity", "annotations": [{"span": [start, end, LABEL], "id", "annotator",
                 "provenance", "attrs"?}, ...], "meta"?: {metadata keys that clash with the keys above}}}
The "hashiya" object is Hashiya's own record of what doccano cannot hold: each span's id, analyst and
provenance, and a stance's holder, target and note (their offsets, like everything of Hashiya's, in code points).
On import a doccano span that matches one of its entries ([start, end, LABEL] unchanged) gets that entry
back; a span added in doccano is the importing analyst's, provenance "imported", in the recorded layer.

Import reads the classic shape above and doccano's newer one (`"entities": [{"id", "label", "start_offset",
"end_offset"}]`, `"relations"`, `"Comments"`, and intent detection's `"cats"`). What a project cannot hold is
reported: relations, comments, document-level (text classification) labels, and a stance span from doccano
without the holder and target a stance needs. Any other key is kept as the document's metadata (doccano's
own example "id" as "doccano_id").
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

from app.exporter import json_line
from app.formats.common import (ENTITY, SPAN_LAYERS, STANCE_LAYER, BadInput, Cancelled, ExportDocument, ExportReport,
                                ParsedDocument, ParsedImport, Progress, Utf16Offsets, export_documents)
from app.fsutil import atomic_write
from app.i18n import _, ngettext, number
from app.importer import (_decode_json_lines, _normalise_with_offset_map, json_object, line_number, on_line,
                          read_regular_file, shift_offsets)
from app.textio import normalise_newlines

NAME, OURS = "name", "hashiya"
# Top-level keys this format reads a meaning into; every other key on a line is the document's metadata.
READ_KEYS = frozenset({"text", "label", "entities", "relations", "Comments", "cats", "id", NAME, OURS})
DOCCANO_ID = "doccano_id"  # doccano's example id, kept as metadata under this name
# ---- export ----------------------------------------------------------------------------------------------
def export(project, out: Path, annotator: str | None, layers: tuple[str, ...], progress: Progress | None,
           cancelled: Cancelled | None) -> ExportReport:
    """One line per document, every document, `annotator`'s spans (everyone's if None) in the one layer."""
    if len(layers) != 1:
        raise ValueError(f"doccano carries one layer at a time, not {len(layers)}")
    report = ExportReport()
    with atomic_write(out) as handle:
        for document in export_documents(project, annotator, layers, progress, cancelled):
            handle.write(json_line(_record(document, layers[0])) + "\n")
            report.documents += 1
            report.annotations += len(document.annotations)
    return report


def _record(document: ExportDocument, layer: str) -> dict[str, Any]:
    units = Utf16Offsets(document.text)
    spans = [[units.units(item["start"]), units.units(item["end"]), item["label"]] for item in document.annotations]
    record: dict[str, Any] = {"text": document.text, "label": spans, NAME: document.name}
    clashing = {}
    for key, value in document.meta.items():
        (clashing if key in READ_KEYS else record)[key] = value
    ours: dict[str, Any] = {"layer": layer,
                            "annotations": [_carried(span, item) for span, item in zip(spans, document.annotations)]}
    if clashing:
        ours["meta"] = clashing
    record[OURS] = ours
    return record


def _carried(span: list, item: dict) -> dict[str, Any]:
    entry = {"span": span, "id": item["id"], "annotator": item["annotator"], "provenance": item["provenance"]}
    if item["attrs"]:
        entry["attrs"] = item["attrs"]
    return entry


# ---- import ----------------------------------------------------------------------------------------------
class _Span(NamedTuple):
    key: tuple[int, int, str]  # as doccano wrote it: UTF-16 start, end, label
    start: int  # code points into the text as read (line endings not yet normalised)
    end: int


def parse(path: Path, default_annotator: str) -> ParsedImport:
    """Every line of a doccano JSONL file, checked whole; BadInput "line N: …" on the first bad one."""
    if path.is_dir():
        raise BadInput(_("is a folder: import its .jsonl files one at a time (one per doccano user)"))
    text = _decode_json_lines(read_regular_file(path))
    documents: list[ParsedDocument] = []
    unrepresented: list[str] = []
    # Only \n ends a record: U+2028, U+2029 and U+0085 may stand unescaped inside JSON strings.
    for row, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            document, lost = _document(line, f"{path.stem}:{row}", str(path), default_annotator)
        except BadInput as error:
            raise BadInput(on_line(row, error)) from None
        except (RecursionError, MemoryError):
            raise BadInput(on_line(row, _("the JSON is nested too deeply to read"))) from None
        document.where = line_number(row)
        documents.append(document)
        unrepresented += [_("{where} ({document}): {what}").format(where=document.where, document=document.name,
                                                                   what=what) for what in lost]
    if not documents:
        raise BadInput(_("the file has no documents"))
    return ParsedImport(documents, unrepresented)


def _document(line: str, fallback_name: str, path: str, default_annotator: str) -> tuple[ParsedDocument, list[str]]:
    record = json_object(line)
    raw_text = record.get("text")
    if not isinstance(raw_text, str) or not raw_text.strip():
        raise BadInput(_('"text" is missing or empty'))
    name = record.get(NAME, fallback_name)
    if not isinstance(name, str) or not name.strip():
        raise BadInput(_('"{key}" must be a non-empty string').format(key=NAME))
    layer, carried, clashing = _our_record(record.get(OURS))
    lost = _unrepresented_keys(record)
    annotations = []
    for span in _spans(record, Utf16Offsets(raw_text)):
        waiting = carried.get(span.key)
        entry = waiting.pop(0) if waiting else None
        if entry is None and layer == STANCE_LAYER:
            lost.append(_("stance evidence {text} ({label}): a stance needs a holder and a target, which doccano does "
                          "not carry — not imported").format(text=repr(raw_text[span.start:span.end]),
                                                             label=span.key[2]))
            continue
        annotations.append(_annotation(span, entry, layer, default_annotator))
    text, shift = _normalise_with_offset_map(raw_text)
    retext = normalise_newlines if "\r" in raw_text else (lambda quoted: quoted)
    annotations = [shift_offsets(annotation, shift, retext) for annotation in annotations]
    meta = {key: value for key, value in record.items() if key not in READ_KEYS}
    if "id" in record:
        meta[DOCCANO_ID] = record["id"]
    return ParsedDocument(name, path, text, {**meta, **clashing}, annotations), lost


def _our_record(value: Any) -> tuple[str, dict[tuple, list[dict]], dict[str, Any]]:
    """The "hashiya" object a Hashiya export wrote: (layer, entries by [start, end, LABEL], clashing metadata)."""
    if value is None:
        return ENTITY, {}, {}
    if not isinstance(value, dict):
        raise BadInput(_('"{key}" must be an object (Hashiya\'s record of the annotations)').format(key=OURS))
    layer = value.get("layer", ENTITY)
    if layer not in SPAN_LAYERS:
        raise BadInput(_('"{key}.layer" must be one of {layers}, not {layer}').format(
            key=OURS, layers=", ".join(SPAN_LAYERS), layer=repr(layer)))
    entries, meta = value.get("annotations", []), value.get("meta", {})
    if not isinstance(entries, list) or not isinstance(meta, dict):
        raise BadInput(_('"{key}.annotations" must be a list and "{key}.meta" an object').format(key=OURS))
    carried: dict[tuple, list[dict]] = {}
    for index, entry in enumerate(entries, start=1):
        span = entry.get("span") if isinstance(entry, dict) else None
        if not (isinstance(span, list) and len(span) == 3 and all(isinstance(part, (int, str)) for part in span)):
            raise BadInput(_('"{key}.annotations" entry {index} has no "span": [start, end, LABEL]').format(
                key=OURS, index=number(index)))
        carried.setdefault(tuple(span), []).append(entry)
    return layer, carried, meta


def _spans(record: dict[str, Any], units: Utf16Offsets) -> list[_Span]:
    """The spans of "label" (its [start, end, LABEL] entries) and of "entities", checked and converted."""
    found = []
    for key in ("label", "entities"):
        listed = record.get(key, [])
        if not isinstance(listed, list):
            raise BadInput(_('"{key}" must be a list').format(key=key))
        for index, item in enumerate(listed, start=1):
            if not isinstance(item, str):  # a string in "label" is a text-classification category
                found.append(_span(item, units, _('"{key}" entry {index}').format(key=key, index=number(index))))
    return found


def _span(item: Any, units: Utf16Offsets, where: str) -> _Span:
    if isinstance(item, dict):
        start, end, label = item.get("start_offset"), item.get("end_offset"), item.get("label")
    elif isinstance(item, list) and len(item) == 3:
        start, end, label = item
    else:
        raise BadInput(_('{where} is not [start, end, LABEL] or {{"start_offset", "end_offset", "label"}}: '
                         '{value}').format(where=where, value=_shown(item)))
    if not all(isinstance(value, int) and not isinstance(value, bool) for value in (start, end)):
        raise BadInput(_("{where}: the offsets must be whole numbers, not {start} and {end}").format(
            where=where, start=_shown(start), end=_shown(end)))
    if not isinstance(label, str) or not label.strip():
        raise BadInput(_("{where}: the label must be a non-empty string, not {value}").format(
            where=where, value=_shown(label)))
    if not 0 <= start < end:
        raise BadInput(_("{where}: start {start} must be at least 0 and before end {end}").format(
            where=where, start=number(start), end=number(end)))
    if end > units.length:
        raise BadInput(ngettext("{where}: end {end} is beyond the text ({n} UTF-16 code units)",
                                "{where}: end {end} is beyond the text ({n} UTF-16 code units)", units.length).format(
            where=where, end=number(end), n=number(units.length)))
    first, last = units.point(start), units.point(end)
    if first is None or last is None:
        raise BadInput(_("{where}: offset {offset} falls between the two UTF-16 halves of one character (an "
                         "emoji?): doccano offsets count UTF-16 code units").format(
            where=where, offset=number(start if first is None else end)))
    return _Span((start, end, label), first, last)


def _annotation(span: _Span, entry: dict | None, layer: str, default_annotator: str) -> dict[str, Any]:
    """A span Hashiya exported comes back with its id, analyst, provenance and attributes; a new one is the
    importing analyst's."""
    annotation: dict[str, Any] = {"annotator": default_annotator, "layer": layer, "label": span.key[2],
                                  "start": span.start, "end": span.end, "attrs": {}, "provenance": "imported"}
    if entry is not None:
        annotation.update({key: entry[key] for key in ("id", "annotator", "provenance", "attrs") if key in entry})
    return annotation


def _unrepresented_keys(record: dict[str, Any]) -> list[str]:
    """What doccano carries beside spans that a project cannot hold."""
    lost = []
    categories = [item for item in _listed(record, "label") if isinstance(item, str)]
    if categories:
        lost.append(ngettext("document label(s) {labels} — text classification labels are not imported",
                             "document label(s) {labels} — text classification labels are not imported",
                             len(categories)).format(labels=", ".join(categories)))
    if _listed(record, "cats"):
        lost.append(_('document categories {categories} ("cats") — intent labels are not imported').format(
            categories=", ".join(map(str, _listed(record, "cats")))))
    relations = _listed(record, "relations")
    if relations:
        types = sorted({str(item.get("type")) for item in relations if isinstance(item, dict)})
        lost.append(ngettext("{n} relation(s) ({types}) — relations are not imported",
                             "{n} relation(s) ({types}) — relations are not imported", len(relations)).format(
            n=number(len(relations)), types=", ".join(types)))
    comments = _listed(record, "Comments")
    if comments:
        shown = "; ".join(_shown(comment) for comment in comments)
        lost.append(ngettext("{n} comment(s) ({comments}) — doccano comments are not imported",
                             "{n} comment(s) ({comments}) — doccano comments are not imported", len(comments)).format(
            n=number(len(comments)), comments=shown))
    return lost


def _listed(record: dict[str, Any], key: str) -> list:
    value = record.get(key, [])
    if not isinstance(value, list):
        raise BadInput(_('"{key}" must be a list').format(key=key))
    return value


def _shown(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 1] + "…"
