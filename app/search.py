"""Corpus search: every match of a query in the project's documents, via the matching engine.

Offsets are code points into each document's stored text. This first version
scans the documents in order; the index that makes large corpora fast (issue 4's
performance targets) is not built yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Iterator

from sqlalchemy import select

from app.matching import find_all
from app.models import Document
from app.project import Project


@dataclass(frozen=True)
class Hit:
    document_id: int
    document: str  # the document's name
    start: int
    end: int
    text: str
    kind: str = "exact"
    prefix: str = ""

    def as_json(self) -> dict:
        return {"document": self.document, "start": self.start, "end": self.end, "text": self.text,
                "kind": self.kind}


@dataclass(frozen=True)
class Scope:
    """Where hits count: anywhere, only inside entities of one type, or only outside all annotations."""

    inside_label: str | None = None
    outside_annotations: bool = False
    annotator: str | None = None  # whose annotations define the scope (None: everyone's)

    @property
    def needs_spans(self) -> bool:
        return self.inside_label is not None or self.outside_annotations

    def admits(self, start: int, end: int, spans: list) -> bool:
        if self.inside_label is not None:
            return any(s.label == self.inside_label and s.start <= start and end <= s.end for s in spans)
        if self.outside_annotations:
            return not any(s.start < end and start < s.end for s in spans)
        return True


def iter_documents(project: Project, document_ids: Iterable[int] | None = None,
                   cancelled: Callable[[], bool] = lambda: False,
                   progress: Callable[[int, int], None] = lambda done, total: None) -> Iterator[tuple[int, str, str]]:
    """(id, name, text) in document order, reporting progress after each; stops when `cancelled()`."""
    rows = select(Document.id, Document.name, Document.text).order_by(Document.id)
    if document_ids is not None:
        document_ids = list(document_ids)
        rows = rows.where(Document.id.in_(document_ids))
    total = project.document_count() if document_ids is None else len(document_ids)
    with project.session() as session:
        for done, row in enumerate(session.execute(rows).yield_per(500), start=1):
            if cancelled():
                return
            yield tuple(row)
            progress(done, total)


def search_project(project: Project, query: str, *, similar: bool = False, keep_prefix: bool = False,
                   scope: Scope = Scope(), document_ids: Iterable[int] | None = None,
                   cancelled: Callable[[], bool] = lambda: False,
                   progress: Callable[[int, int], None] = lambda done, total: None) -> Iterator[Hit]:
    """Hits in document order, then text order; stops early when `cancelled()` turns true."""
    if not query.strip():
        return
    for document_id, name, text in iter_documents(project, document_ids, cancelled, progress):
        yield from _document_hits(project, document_id, name, text, query, similar, keep_prefix, scope)


def _document_hits(project, document_id, name, text, query, similar, keep_prefix, scope) -> Iterator[Hit]:
    matches = find_all(text, query, similar=similar, keep_prefix=keep_prefix)
    spans = []
    if matches and scope.needs_spans:
        spans = [s for s in project.annotations(document_id, annotator=scope.annotator) if s.start is not None]
    for match in matches:
        if scope.admits(match.start, match.end, spans):
            yield Hit(document_id, name, match.start, match.end, match.text, match.kind, match.prefix)
