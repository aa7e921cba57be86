"""Exporting a project's documents and annotations.

Every export is written to a temporary file and renamed into place, so a
failed export never leaves a half-written file behind.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from itertools import groupby
from typing import Iterator

from sqlalchemy import select

from app.fsutil import atomic_write
from app.models import Annotation, Annotator, Document
from app.project import Project

FORMATS = ("jsonl",)


@dataclass
class ExportReport:
    documents: int = 0
    annotations: int = 0


# Legal inside JSON strings, but line breaks to many JSONL readers (Python's splitlines among them).
_LINE_BREAKS = str.maketrans({"\u2028": "\\u2028", "\u2029": "\\u2029", "\u0085": "\\u0085"})


def json_line(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False).translate(_LINE_BREAKS)


def annotation_object(uid, annotator, layer, label, start, end, attrs, provenance) -> dict:
    """One annotation in the JSONL form that `hashiya import` reads back."""
    item = {"id": uid, "annotator": annotator, "layer": layer, "label": label}
    if start is not None:
        item["start"], item["end"] = start, end
    item["attrs"] = attrs or {}
    item["provenance"] = provenance
    return item


def _annotations_by_document(project: Project, annotator: str | None) -> Iterator[tuple[int, list[dict]]]:
    query = (
        select(Annotation.document_id, Annotation.uid, Annotator.name, Annotation.layer, Annotation.label,
               Annotation.start, Annotation.end, Annotation.attrs, Annotation.provenance)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        # Ordered by content, not by row id, so export → import → export is stable.
        .order_by(Annotation.document_id, Annotation.start, Annotation.end, Annotation.layer,
                  Annotation.label, Annotator.name, Annotation.uid)
    )
    if annotator is not None:
        query = query.where(Annotator.name == annotator)
    with project.session() as session:
        rows = session.execute(query).yield_per(10_000)
        for document_id, group in groupby(rows, key=lambda row: row[0]):
            yield document_id, [annotation_object(*row[1:]) for row in group]


def _documents(project: Project) -> Iterator[tuple[int, str, str, dict]]:
    query = select(Document.id, Document.name, Document.text, Document.meta).order_by(Document.id)
    with project.session() as session:
        yield from session.execute(query).yield_per(1_000)


def export_jsonl(project: Project, out: str | os.PathLike, annotator: str | None = None) -> ExportReport:
    report = ExportReport()
    annotations = _annotations_by_document(project, annotator)
    pending = next(annotations, None)
    with atomic_write(out) as handle:
        for document_id, name, text, meta in _documents(project):
            spans: list[dict] = []
            if pending is not None and pending[0] == document_id:
                spans = pending[1]
                pending = next(annotations, None)
            record = {"name": name, "text": text, "meta": meta or {}, "annotations": spans}
            handle.write(json_line(record))
            handle.write("\n")
            report.documents += 1
            report.annotations += len(spans)
    return report
