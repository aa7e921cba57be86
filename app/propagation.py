"""Annotate all occurrences: propose every other place a form occurs, for one label.

Proposals come from the matching engine (clitics, spellings) and leave out what
the analyst already has (the same label over the same text) and what they
rejected before: one occurrence, or the (form, label) pair everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import islice
from typing import Callable, Iterable

from sqlalchemy import delete, insert, select

from app.matching import find_all
from app.models import Annotation, Rejection
from app.normalize import fold, normalize
from app.project import Project, Span, now_iso
from app.search import candidates_by_query, context_around, corpus_variants, iter_documents
from app.searchindex import ID_CHUNK

# Documents read before looking up, in one query each, what the analyst already labelled or rejected in them.
CHUNK = 500


@dataclass(frozen=True)
class Proposal:
    document_id: int
    document: str
    start: int
    end: int
    text: str
    label: str
    kind: str = "exact"  # "exact", "similar" (spelling), or "predicted" (app.assistant's recommender)
    form: str = ""  # what was looked for (the selected span's text, or a gazetteer name)
    score: float | None = None  # the recommender's confidence, for predicted ones

    def as_span(self, annotator: str, layer: str = "entity") -> Span:
        provenance = "predicted" if self.kind == "predicted" else "propagated"
        return Span(self.document_id, annotator, layer, self.label, self.start, self.end, provenance=provenance)


def propose(project: Project, form: str, label: str, annotator: str, **options) -> list[Proposal]:
    """Every occurrence of `form` (in `document_ids`, or the whole corpus) not yet labelled `label`."""
    return propose_many(project, [(form, label)], annotator, **options)


def propose_many(project: Project, pairs: Iterable[tuple[str, str]], annotator: str, *, layer: str = "entity",
                 document_ids: Iterable[int] | None = None, similar: bool = False, keep_prefix: bool = False,
                 cancelled: Callable[[], bool] = lambda: False,
                 progress: Callable[[int, int], None] = lambda done, total: None,
                 limit: int | None = None) -> list[Proposal]:
    """Proposals for many (form, label) pairs (a gazetteer) in one pass: each document is folded once.

    With `limit`, reading stops once that many are found, and the first `limit` (in document and text
    order) are returned.
    """
    wanted = [(form, label) for form, label in dict.fromkeys(pairs)
              if fold(form).strip() and not _rejected_everywhere(project, fold(form), label, layer, annotator)]
    if not wanted:
        return []
    variants = {form: corpus_variants(project, form) for form, _ in wanted} if similar else {}
    forms_in = _forms_by_document(project, wanted, similar, document_ids)
    documents = None if None in forms_in else list(forms_in)
    proposals: list[Proposal] = []
    read = iter_documents(project, documents, cancelled, progress)
    while chunk := list(islice(read, CHUNK)):
        found = {}
        for document_id, name, text in chunk:
            normalized = normalize(text)
            matches = [(form, label, match) for form, label in forms_in.get(document_id, wanted)
                       for match in find_all(normalized, form, similar=similar, keep_prefix=keep_prefix,
                                             variants=variants.get(form))]
            if matches:
                found[document_id] = (name, matches)
        proposals += _new_proposals(project, found, annotator, layer)
        if limit is not None and len(proposals) >= limit:
            return proposals[:limit]
    return proposals


def with_context(project: Project, proposals: list[Proposal], chars: int) -> list[tuple[Proposal, str, str]]:
    """Each proposal with up to `chars` characters of text before and after it (spaces collapsed);
    each document's text is read once."""
    by_document: dict[int, list[int]] = {}
    for position, proposal in enumerate(proposals):
        by_document.setdefault(proposal.document_id, []).append(position)
    rows: list = [None] * len(proposals)
    for document_id, _name, text in iter_documents(project, by_document):
        for position in by_document[document_id]:
            proposal = proposals[position]
            rows[position] = (proposal, *context_around(text, proposal.start, proposal.end, chars))
    return rows


def _new_proposals(project: Project, found: dict, annotator: str, layer: str) -> list[Proposal]:
    """The matches of some documents, less what the analyst labelled or rejected there (two queries)."""
    spans = _labelled_places(project, list(found), annotator, layer)
    rejected = _rejected_places(project, list(found), layer, annotator)
    return [
        Proposal(document_id, name, m.start, m.end, m.text, label, m.kind, form)
        for document_id, (name, matches) in found.items()
        for form, label, m in matches
        if not _already_labelled(m.start, m.end, label, spans.get(document_id, ()))
        and (document_id, m.start, m.end, label) not in rejected
    ]


def _forms_by_document(project: Project, wanted: list[tuple[str, str]], similar: bool,
                       document_ids: Iterable[int] | None) -> dict:
    """Document id → the (form, label) pairs the search index says it may hold.

    Holds the key None (read every document, for every pair) when the index cannot narrow a form.
    """
    within = None if document_ids is None else set(document_ids)
    found: dict = {}
    candidates = candidates_by_query(project, [form for form, _ in wanted], similar=similar)
    for form, label in wanted:
        ids = candidates[form]
        if ids is None:
            return {None: wanted} if within is None else {document_id: wanted for document_id in within}
        for document_id in ids:
            if within is None or document_id in within:
                found.setdefault(document_id, []).append((form, label))
    return found


def _already_labelled(start: int, end: int, label: str, spans) -> bool:
    """A span of the same label over the match (also a longer one: كوريا inside كوريا الشمالية)."""
    return any(span_label == label and span_start <= start and end <= span_end
               for span_label, span_start, span_end in spans)


def _labelled_places(project: Project, document_ids: list[int], annotator: str, layer: str) -> dict:
    """Document id → (label, start, end) of the analyst's spans in that layer."""
    found: dict[int, list] = {}
    query = select(Annotation.document_id, Annotation.label, Annotation.start, Annotation.end).where(
        Annotation.annotator_id == project._known_annotator_id(annotator), Annotation.layer == layer,
        Annotation.start.is_not(None))
    with project.session() as session:
        for chunk in range(0, len(document_ids), ID_CHUNK):
            for document_id, *place in session.execute(
                    query.where(Annotation.document_id.in_(document_ids[chunk:chunk + ID_CHUNK]))):
                found.setdefault(document_id, []).append(tuple(place))
    return found


def reject(project: Project, proposals: list[Proposal], annotator: str, layer: str = "entity") -> None:
    """Remember single occurrences the analyst turned down."""
    _store(project, annotator, [
        {"layer": layer, "label": p.label, "form": fold(p.text), "document_id": p.document_id,
         "start": p.start, "end": p.end} for p in proposals
    ])


def reject_everywhere(project: Project, pairs: Iterable[tuple[str, str]], annotator: str,
                      layer: str = "entity") -> None:
    """Never propose these (form, label) pairs again (the analyst's "reject all")."""
    _store(project, annotator, [{"layer": layer, "label": label, "form": fold(form), "document_id": None,
                                 "start": None, "end": None} for form, label in dict.fromkeys(pairs)])


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


def _rejected_places(project: Project, document_ids: list[int], layer: str, annotator: str) -> set:
    """(document id, start, end, label) of the single occurrences the analyst rejected."""
    query = select(Rejection.document_id, Rejection.start, Rejection.end, Rejection.label).where(
        Rejection.layer == layer, Rejection.annotator_id == project._known_annotator_id(annotator))
    found = set()
    with project.session() as session:
        for chunk in range(0, len(document_ids), ID_CHUNK):
            found.update(tuple(row) for row in session.execute(
                query.where(Rejection.document_id.in_(document_ids[chunk:chunk + ID_CHUNK]))))
    return found
