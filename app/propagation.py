"""Annotate all occurrences: propose every other place a form occurs, for one label.

Proposals come from the matching engine (clitics, spellings) and leave out what
the analyst already has (the same label over the same text) and what they
rejected before: one occurrence, or the (form, label) pair everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from sqlalchemy import delete, insert, select

from app.models import Rejection
from app.normalize import fold
from app.project import Project, Span, now_iso
from app.search import Hit, search_project


@dataclass(frozen=True)
class Proposal:
    document_id: int
    document: str
    start: int
    end: int
    text: str
    label: str
    kind: str = "exact"

    def as_span(self, annotator: str, layer: str = "entity") -> Span:
        return Span(self.document_id, annotator, layer, self.label, self.start, self.end, provenance="propagated")


def propose(project: Project, form: str, label: str, annotator: str, *, layer: str = "entity",
            document_ids: Iterable[int] | None = None, similar: bool = False, keep_prefix: bool = False,
            cancelled: Callable[[], bool] = lambda: False,
            progress: Callable[[int, int], None] = lambda done, total: None) -> list[Proposal]:
    """Every occurrence of `form` (in `document_ids`, or the whole corpus) not yet labelled `label`."""
    folded = fold(form)
    if not folded.strip() or _rejected_everywhere(project, folded, label, layer, annotator):
        return []
    proposals = []
    seen_documents: dict[int, tuple[list[Span], set]] = {}
    for hit in search_project(project, form, similar=similar, keep_prefix=keep_prefix, document_ids=document_ids,
                              cancelled=cancelled, progress=progress):
        if hit.document_id not in seen_documents:
            seen_documents[hit.document_id] = (
                project.annotations(hit.document_id, annotator=annotator, layer=layer),
                _rejected_places(project, hit.document_id, label, layer, annotator),
            )
        spans, rejected = seen_documents[hit.document_id]
        if not _already_labelled(hit, label, spans) and (hit.start, hit.end) not in rejected:
            proposals.append(Proposal(hit.document_id, hit.document, hit.start, hit.end, hit.text, label, hit.kind))
    return proposals


def _already_labelled(hit: Hit, label: str, spans: list[Span]) -> bool:
    """A span of the same label over the hit (also a longer one: كوريا inside كوريا الشمالية)."""
    return any(s.label == label and s.start <= hit.start and hit.end <= s.end for s in spans)


def reject(project: Project, proposals: list[Proposal], annotator: str, layer: str = "entity") -> None:
    """Remember single occurrences the analyst turned down."""
    _store(project, annotator, [
        {"layer": layer, "label": p.label, "form": fold(p.text), "document_id": p.document_id,
         "start": p.start, "end": p.end} for p in proposals
    ])


def reject_everywhere(project: Project, form: str, label: str, annotator: str, layer: str = "entity") -> None:
    """Never propose `label` for `form` again (the analyst's "reject all")."""
    _store(project, annotator, [{"layer": layer, "label": label, "form": fold(form), "document_id": None,
                                 "start": None, "end": None}])


def forget_rejections(project: Project, form: str, label: str, annotator: str, layer: str = "entity") -> None:
    """Undo of a rejection: the form may be proposed again."""
    annotator_id = project.annotator_id(annotator)
    with project.session.begin() as session:
        session.execute(delete(Rejection).where(
            Rejection.form == fold(form), Rejection.label == label, Rejection.layer == layer,
            Rejection.annotator_id == annotator_id))


def _store(project: Project, annotator: str, rows: list[dict]) -> None:
    if not rows:
        return
    annotator_id = project.annotator_id(annotator)
    stamp = now_iso()
    with project.session.begin() as session:
        session.execute(insert(Rejection), [{**row, "annotator_id": annotator_id, "created_at": stamp} for row in rows])


def _rejected_everywhere(project: Project, folded: str, label: str, layer: str, annotator: str) -> bool:
    query = select(Rejection.id).where(
        Rejection.form == folded, Rejection.label == label, Rejection.layer == layer,
        Rejection.document_id.is_(None), Rejection.annotator_id == project._known_annotator_id(annotator),
    ).limit(1)
    with project.session() as session:
        return session.scalar(query) is not None


def _rejected_places(project: Project, document_id: int, label: str, layer: str, annotator: str) -> set:
    query = select(Rejection.start, Rejection.end).where(
        Rejection.document_id == document_id, Rejection.label == label, Rejection.layer == layer,
        Rejection.annotator_id == project._known_annotator_id(annotator),
    )
    with project.session() as session:
        return {(start, end) for start, end in session.execute(query)}
