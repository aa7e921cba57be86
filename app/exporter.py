"""Exporting a project's documents and annotations.

Every export is written to a temporary file and renamed into place, so a
failed export never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter
from typing import Iterator

from sqlalchemy import select

from app.fsutil import atomic_folder, atomic_write
from app.models import Annotation, Annotator, Document, DocumentStatus
from app.project import Project
from app.store import driver_of, stored_json
from app.safenames import ExportFolder, SafeNames
from app.stance_format import DOC_STANCE_LAYER, STANCE_LAYERS

FORMATS = ("jsonl", "stance-csv", "text-clean")
# Formats written as a folder of files rather than one file.
FOLDER_FORMATS = ("text-clean",)


@dataclass
class ExportReport:
    documents: int = 0
    annotations: int = 0
    rows: int = 0  # table formats: data rows written (the header not counted)
    # Spans a flat format could not hold (CoNLL: overlapping a longer one), left out and counted.
    dropped: int = 0
    also_written: list[str] = field(default_factory=list)  # files written beside the export (a config)
    renamed: int = 0  # files whose name had to differ from the analyst's or document's (app.safenames)


# Legal inside JSON strings, but line breaks to many JSONL readers (Python's splitlines among them).
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"})


def json_line(record: dict) -> str:
    line = json.dumps(record, ensure_ascii=False)
    # str.translate walks the whole line character by character; these characters are rare.
    if "\u2028" in line or "\u2029" in line or "\u0085" in line:
        line = line.translate(_LINE_BREAKS)
    return line


def annotation_object(uid, annotator, layer, label, start, end, attrs, provenance) -> dict:
    """One annotation in the JSONL form that `hashiya import` reads back."""
    item = {"id": uid, "annotator": annotator, "layer": layer, "label": label}
    if start is not None:
        item["start"], item["end"] = start, end
    item["attrs"] = attrs or {}
    item["provenance"] = provenance
    return item


def _annotations_by_document(project: Project, annotator: str | None,
                             layers: tuple[str, ...] | None = None) -> Iterator[tuple[int, list[dict]]]:
    query = (
        select(Annotation.document_id, Annotation.uid, Annotator.name, Annotation.layer, Annotation.label,
               Annotation.start, Annotation.end, Annotation.attrs, Annotation.provenance)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        # Ordered by content, not by row id, so export → import → export is stable.
        .order_by(Annotation.document_id, Annotation.start.asc().nulls_first(), Annotation.end.asc().nulls_first(),
                  Annotation.layer,
                  Annotation.label, Annotator.name, Annotation.uid)
    )
    if annotator is not None:
        query = query.where(Annotator.name == annotator)
    if layers is not None:
        query = query.where(Annotation.layer.in_(layers))
    for document_id, group in groupby(_driver_rows(project, query), key=itemgetter(0)):
        yield document_id, [annotation_object(uid, name, layer, label, start, end, _stored_json(attrs), provenance)
                            for _, uid, name, layer, label, start, end, attrs, provenance in group]


def _documents(project: Project) -> Iterator[tuple[int, str, str, dict]]:
    query = select(Document.id, Document.name, Document.text, Document.meta).order_by(Document.id)
    for document_id, name, text, meta in _driver_rows(project, query):
        yield document_id, name, text, _stored_json(meta)


def _driver_rows(project: Project, query) -> Iterator[tuple]:
    """The rows of a select as the sqlite3 cursor gives them, JSON columns as their stored text: for a
    million annotations, SQLAlchemy's result rows and JSON type took longer than the query itself."""
    with project.engine.connect() as connection:
        compiled = query.compile(connection, compile_kwargs={"render_postcompile": True})
        with contextlib.closing(driver_of(connection).cursor()) as cursor:
            if compiled.positiontup is None:  # a server's driver names its parameters
                cursor.execute(str(compiled), compiled.params)
            else:
                cursor.execute(str(compiled), [compiled.params[name] for name in compiled.positiontup])
            yield from cursor


def _stored_json(raw: str | None):
    """A JSON column's value from its stored text, as the column type would give it (most are empty)."""
    return stored_json(raw)


def _statuses_by_document(project: Project, annotator: str | None) -> Iterator[tuple[int, dict[str, str]]]:
    """(document id, {analyst: status}) for the documents with a stored status (`annotator`'s, or anyone's),
    in document order, analysts by name."""
    query = (select(DocumentStatus.document_id, Annotator.name, DocumentStatus.status)
             .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
             .order_by(DocumentStatus.document_id, Annotator.name))
    if annotator is not None:
        query = query.where(Annotator.name == annotator)
    for document_id, group in groupby(_driver_rows(project, query), key=itemgetter(0)):
        yield document_id, {name: status for _, name, status in group}


def export_jsonl(project: Project, out: str | os.PathLike, annotator: str | None = None) -> ExportReport:
    """One line per document: name, text, meta, annotations, and "status" (each analyst's progress on it)
    when any is stored, so a record without one is what earlier versions wrote."""
    report = ExportReport()
    annotations = _annotations_by_document(project, annotator)
    statuses = _statuses_by_document(project, annotator)
    pending, status = next(annotations, None), next(statuses, None)
    with atomic_write(out) as handle:
        for document_id, name, text, meta in _documents(project):
            spans: list[dict] = []
            if pending is not None and pending[0] == document_id:
                spans = pending[1]
                pending = next(annotations, None)
            record = {"name": name, "text": text, "meta": meta or {}, "annotations": spans}
            if status is not None and status[0] == document_id:
                record["status"], status = status[1], next(statuses, None)
            handle.write(json_line(record))
            handle.write("\n")
            report.documents += 1
            report.annotations += len(spans)
    return report


# ---- stances as a spreadsheet --------------------------------------------------------
STANCE_CSV_COLUMNS = (
    "document", "annotator", "kind", "holder_text", "holder_start", "holder_end",
    "target", "target_start", "target_end", "polarity",
    "evidence_text", "evidence_start", "evidence_end", "note", "id",
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: str) -> str:
    """A text cell a spreadsheet shows as text: a formula-like start gets an apostrophe before it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


# The gold export (`--gold`) adds where each gold stance came from (app.adjudication).
GOLD_CSV_COLUMNS = ("provenance", "adjudicated_from", "adjudicated_by", "adjudicated_at")


def export_stance_csv(project: Project, out: str | os.PathLike, annotator: str | None = None,
                      gold: bool = False) -> ExportReport:
    """One row per stance (span and document stances), UTF-8 with a BOM so spreadsheets read the Arabic.

    Rows are ordered by document, then evidence start (document stances first), then annotator. `gold`:
    the gold layer's stances, with GOLD_CSV_COLUMNS after the usual ones.
    """
    report = ExportReport()
    with atomic_write(out, encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(STANCE_CSV_COLUMNS + (GOLD_CSV_COLUMNS if gold else ()))
        for document_id, stances in _annotations_by_document(project, annotator, STANCE_LAYERS):
            name, text = _name_and_text(project, document_id)
            stances.sort(key=lambda item: (item.get("start", -1), item["annotator"]))  # stable: ties keep query order
            writer.writerows(_stance_cells(name, text, item) + (_gold_cells(item) if gold else [])
                             for item in stances)
            report.documents += 1
            report.annotations += len(stances)
    report.rows = report.annotations
    return report


def _name_and_text(project: Project, document_id: int) -> tuple[str, str]:
    with project.session() as session:
        return session.execute(select(Document.name, Document.text).where(Document.id == document_id)).one()


def _stance_cells(name: str, text: str, item: dict) -> list:
    attrs = item["attrs"]
    note = attrs.get("note", "")
    if item["layer"] == DOC_STANCE_LAYER:
        target = attrs.get("target", "")
        row = [name, item["annotator"], "document", "", None, None, target, None, None, item["label"],
               "", None, None, note, item["id"]]
    else:
        start, end = item["start"], item["end"]
        row = [name, item["annotator"], "span", *_reference_cells(attrs.get("holder"), text),
               *_reference_cells(attrs.get("target"), text), item["label"],
               text[start:end], start, end, note, item["id"]]
    return [_cell(value) for value in row]


def _gold_cells(item: dict) -> list:
    adjudication = item["attrs"].get("adjudication", {})
    return [_cell(item["provenance"]), _cell(" + ".join(adjudication.get("from", []))),
            _cell(adjudication.get("by", "")), _cell(adjudication.get("at", ""))]


def _reference_cells(reference, text: str) -> tuple:
    """(text or target name, start, end) of a holder or target; offsets only for an entity span."""
    if not isinstance(reference, dict):
        return "", None, None
    if "target" in reference:
        return reference["target"], None, None
    start, end = reference.get("start"), reference.get("end")
    if isinstance(start, int) and isinstance(end, int):
        return reference.get("text", text[start:end]), start, end
    return reference.get("text", ""), None, None


def _cell(value):
    """Offsets stay numbers; everything else is text, made safe to open in a spreadsheet."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return spreadsheet_text(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))


# ---- the article text without its boilerplate ------------------------------------------------------
def export_text_clean(project: Project, out: str | os.PathLike, annotator: str | None = None) -> ExportReport:
    """A folder with one UTF-8 .txt file per document: its text with the boilerplate spans removed
    (`annotator`'s, or anyone's), and the blank lines they leave collapsed to one.

    Files are named after the documents, made safe by app.safenames: a name such as a/1.txt keeps its
    folder, names that had to change are listed in names.json. The folder is built beside `out` and renamed
    into place when complete; `out` must not exist or be an empty folder.
    """
    report = ExportReport()
    spans = _annotations_by_document(project, annotator, layers=("boilerplate",))
    pending = next(spans, None)
    with atomic_folder(out) as building:
        folder, names = ExportFolder(building), SafeNames()
        for document_id, name, text, _meta in _documents(project):
            removed: list[dict] = []
            if pending is not None and pending[0] == document_id:
                removed, pending = pending[1], next(spans, None)
            path = folder.path(names.claim(name, (".txt",), strip=".txt") + ".txt")
            path.write_text(without_spans(text, removed), encoding="utf-8")
            report.documents += 1
            report.annotations += len(removed)
        names.write_index(folder)
    report.renamed = len(names.renamed)
    return report


def without_spans(text: str, spans: list[dict]) -> str:
    """The text with every span cut out, runs of blank lines left behind collapsed to one."""
    kept, position = [], 0
    for start, end in sorted((span["start"], span["end"]) for span in spans if span.get("start") is not None):
        if start > position:
            kept.append(text[position:start])
        position = max(position, end)
    kept.append(text[position:])
    cleaned = _BLANK_RUNS.sub("\n\n", "".join(kept)).strip()
    return cleaned + "\n" if cleaned else ""


_BLANK_RUNS = re.compile(r"\n[^\S\n]*(?:\n[^\S\n]*)+\n")


# Hashiya's own formats, by their --format name (the other tools' are in app.formats).
EXPORTERS = {"jsonl": export_jsonl, "stance-csv": export_stance_csv, "text-clean": export_text_clean}
