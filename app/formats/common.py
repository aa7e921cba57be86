"""What every interchange format (app/formats/*) shares: reading a project's documents with one analyst's
annotations, atomic file and folder writes, progress and cancel, and the outcome of an import.

Offsets in the annotation dicts are the project's own: Python code points, end-exclusive, into the stored text.
A format that counts otherwise (UTF-16 for UIMA, tokens for CoNLL) converts on its own side.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

from sqlalchemy import func, select

from app import exporter
from app.exporter import ExportReport
from app.fsutil import atomic_folder, atomic_write_bytes
from app.i18n import _, ngettext, number
from app.importer import BadInput, ParsedDocument
from app.models import Annotation, Annotator, Document
from app.project import Project
from app.stance_format import DOC_STANCE_LAYER, STANCE_LAYER

ENTITY, BOILERPLATE = "entity", "boilerplate"
# Layers whose annotations are character spans; document stances have no offsets.
SPAN_LAYERS = (ENTITY, BOILERPLATE, STANCE_LAYER)
ALL_LAYERS = (*SPAN_LAYERS, DOC_STANCE_LAYER)

Progress = Callable[[int, int], None]
Cancelled = Callable[[], bool]

__all__ = ["ALL_LAYERS", "BOILERPLATE", "BadInput", "DOC_STANCE_LAYER", "ENTITY", "ExportCancelled", "ExportDocument",
           "ExportReport", "ParsedDocument", "ParsedImport", "SPAN_LAYERS", "STANCE_LAYER", "atomic_folder",
           "atomic_write_bytes", "export_documents", "analysts_with_annotations"]


class ExportCancelled(Exception):
    """The analyst cancelled an export: nothing was written."""


@dataclass
class ExportDocument:
    """One document with the annotations chosen for export, in the JSONL export's dict form
    (app.exporter.annotation_object): id, annotator, layer, label, [start, end], attrs, provenance."""

    id: int
    name: str
    text: str
    meta: dict[str, Any]
    annotations: list[dict[str, Any]]

    def layer(self, name: str) -> list[dict[str, Any]]:
        return [item for item in self.annotations if item["layer"] == name]


@dataclass
class ParsedImport:
    """What a format's parser read from one input: documents ready for the importer (annotations in the
    JSONL import's dict form, offsets already in code points of the normalised text) and a line for each
    thing the format carried that a project cannot hold, so the import reports it instead of dropping it."""

    documents: list[ParsedDocument]
    unrepresented: list[str] = field(default_factory=list)


def export_documents(project: Project, annotator: str | None = None, layers: tuple[str, ...] | None = None,
                     progress: Progress | None = None, cancelled: Cancelled | None = None
                     ) -> Iterator[ExportDocument]:
    """Every document in id order with its annotations (`annotator`'s, or everyone's; `layers`, or all),
    ordered by start, end, layer, label, annotator, id so that export → import → export is stable.

    Calls `progress(done, total)` every 500 documents and at the end; raises ExportCancelled as soon as
    `cancelled()` says so."""
    total = _document_count(project)
    annotations = _annotations_by_document(project, annotator, layers)
    pending = next(annotations, None)
    done = 0
    for document_id, name, text, meta in _documents(project):
        if cancelled is not None and done % 100 == 0 and cancelled():
            raise ExportCancelled()
        items: list[dict] = []
        if pending is not None and pending[0] == document_id:
            items, pending = pending[1], next(annotations, None)
        yield ExportDocument(document_id, name, text, meta or {}, items)
        done += 1
        if progress is not None and (done % 500 == 0 or done == total):
            progress(done, total)


def _document_count(project: Project) -> int:
    with project.session() as session:
        return session.scalar(select(func.count()).select_from(Document)) or 0


def _documents(project: Project) -> Iterator[tuple[int, str, str, dict]]:
    return exporter._documents(project)


def _annotations_by_document(project: Project, annotator: str | None,
                             layers: tuple[str, ...] | None) -> Iterator[tuple[int, list[dict]]]:
    """(document id, its annotations) in the JSONL export's order and form: the JSONL export's own reader."""
    return exporter._annotations_by_document(project, annotator, layers)


def analysts_with_annotations(project: Project, layers: tuple[str, ...] | None = None) -> list[str]:
    """The analysts (the gold layer included) who have annotations in `layers`, sorted by name."""
    query = select(Annotator.name).join(Annotation, Annotation.annotator_id == Annotator.id).distinct()
    if layers is not None:
        query = query.where(Annotation.layer.in_(layers))
    with project.session() as session:
        return sorted(session.scalars(query))


# ---- UTF-16 offsets (UIMA, doccano's browser) --------------------------------------------------------------
# Characters outside the Basic Multilingual Plane: two UTF-16 code units each (a surrogate pair).
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class Utf16Offsets:
    """Code-point offsets of one text <-> its UTF-16 offsets.

    Keeps only the positions of the astral characters, so a long text without emoji costs nothing."""

    def __init__(self, text: str):
        self.text = text
        self.astral = [match.start() for match in _ASTRAL.finditer(text)]
        # Where each astral character starts, in UTF-16 units: each one before it added a unit.
        self.astral_units = [position + index for index, position in enumerate(self.astral)]
        self.length = len(text) + len(self.astral)

    def units(self, point: int) -> int:
        return point + bisect_left(self.astral, point)

    def point(self, unit: int) -> int | None:
        """The code-point offset of UTF-16 offset `unit`; None between the two halves of a surrogate pair."""
        before = bisect_left(self.astral_units, unit)  # pairs starting before `unit`
        if before and self.astral_units[before - 1] + 1 == unit:
            return None
        return unit - before

    def code_point(self, unit: int, what: str) -> int:
        """`point(unit)`, or BadInput naming `what` when `unit` is outside the text or inside a pair."""
        if not 0 <= unit <= self.length:
            raise BadInput(ngettext("{where}: offset {offset} falls outside the text ({n} UTF-16 units)",
                                    "{where}: offset {offset} falls outside the text ({n} UTF-16 units)",
                                    self.length).format(where=what, offset=number(unit), n=number(self.length)))
        point = self.point(unit)
        if point is None:
            character = self.text[self.astral[bisect_left(self.astral_units, unit) - 1]]
            raise BadInput(_("{where}: offset {offset} falls inside the character {character} (between the two "
                             "UTF-16 units of a surrogate pair)").format(where=what, offset=number(unit),
                                                                          character=repr(character)))
        return point
