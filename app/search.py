"""Corpus search: every match of a query in the project's documents, via the matching engine.

Offsets are code points into each document's stored text. This first version
scans the documents in order; the index that makes large corpora fast (issue 4's
performance targets) is not built yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

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


def search_project(project: Project, query: str, *, similar: bool = False, keep_prefix: bool = False,
                   cancelled: Callable[[], bool] = lambda: False) -> Iterator[Hit]:
    """Hits in document order, then text order; stops early when `cancelled()` turns true."""
    if not query.strip():
        return
    rows = select(Document.id, Document.name, Document.text).order_by(Document.id)
    with project.session() as session:
        for document_id, name, text in session.execute(rows).yield_per(500):
            if cancelled():
                return
            for match in find_all(text, query, similar=similar, keep_prefix=keep_prefix):
                yield Hit(document_id, name, match.start, match.end, match.text, match.kind, match.prefix)
