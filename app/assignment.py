"""Who works on which document (issue 18): an admin assigns documents to analysts, by hand or N analysts per
document round robin (N ≥ 2 gives documents for agreement); an analyst sees their queue; everyone sees who
else is on a document, at what stage, and since when.

The same on a file project and a server one; on a team server only admins may assign (app.team).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable, Sequence

from sqlalchemy import delete, func, select, tuple_

from app.i18n import _
from app.models import Annotation, Annotator, Assignment, DocumentStatus
from app.project import Project, now_iso
from app.searchindex import ID_CHUNK
from app.store import dialect_insert


class AssignmentError(ValueError):
    """An assignment that cannot be made; says why."""


@dataclass(frozen=True)
class OnDocument:
    """One analyst's place on one document: assigned to it, or working on it (a status of their own)."""

    analyst: str
    status: str  # new, in_progress or done
    since: str  # when their status last changed, or when it was assigned (ISO, UTC)
    assigned: bool
    spans: int = 0  # their entity spans in the document


def round_robin(document_ids: Sequence[int], analysts: Sequence[str], per_document: int,
                taken: dict[int, set[str]] | None = None) -> list[tuple[int, str]]:
    """(document, analyst) pairs giving each document `per_document` analysts in turn, the turn going on
    from one document to the next so the work is shared evenly; an analyst already on a document (`taken`)
    is not given it twice, and counts towards its `per_document`."""
    analysts = list(dict.fromkeys(analysts))
    if not analysts:
        raise AssignmentError(_("Choose at least one analyst to assign documents to."))
    if not 1 <= per_document <= len(analysts):
        raise AssignmentError(_("Each document can go to between 1 and {n} of the analysts chosen.").format(
            n=len(analysts)))
    taken = taken or {}
    pairs, turn = [], 0
    for document_id in document_ids:
        already = taken.get(document_id, set())
        wanted = per_document - len(already & set(analysts))
        tried = 0
        while wanted > 0 and tried < len(analysts):
            analyst = analysts[turn % len(analysts)]
            turn, tried = turn + 1, tried + 1
            if analyst not in already:
                pairs.append((document_id, analyst))
                already = already | {analyst}
                wanted -= 1
    return pairs


def assign(project: Project, pairs: Iterable[tuple[int, str]], by: str) -> list[tuple[int, str]]:
    """Store the (document, analyst) pairs not stored yet, in one transaction; returns those written (what
    undo takes back)."""
    pairs = list(dict.fromkeys(pairs))
    if not pairs:
        return []
    ids = {name: project.annotator_id(name) for name in {analyst for _, analyst in pairs}}
    stamp = now_iso()
    with project.session.begin() as session:
        present = _present(session, [(document, ids[analyst]) for document, analyst in pairs])
        written = [(document, analyst) for document, analyst in pairs if (document, ids[analyst]) not in present]
        if written:
            session.execute(dialect_insert(session, Assignment).on_conflict_do_nothing(), [
                {"document_id": document, "annotator_id": ids[analyst], "assigned_by": by, "assigned_at": stamp}
                for document, analyst in written])
    return written


def unassign(project: Project, pairs: Iterable[tuple[int, str]]) -> None:
    """Take the (document, analyst) assignments back, in one transaction."""
    pairs = list(pairs)
    if not pairs:
        return
    ids = {name: project._known_annotator_id(name) for name in {analyst for _, analyst in pairs}}
    keys = [(document, ids[analyst]) for document, analyst in pairs]
    with project.session.begin() as session:
        for chunk in range(0, len(keys), ID_CHUNK):
            session.execute(delete(Assignment).where(
                tuple_(Assignment.document_id, Assignment.annotator_id).in_(keys[chunk:chunk + ID_CHUNK])))


def _present(session, keys: list[tuple[int, int]]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    for chunk in range(0, len(keys), ID_CHUNK):
        found |= set(session.execute(select(Assignment.document_id, Assignment.annotator_id).where(
            tuple_(Assignment.document_id, Assignment.annotator_id).in_(keys[chunk:chunk + ID_CHUNK]))).all())
    return found


def assigned(project: Project, document_ids: Sequence[int] | None = None) -> dict[int, set[str]]:
    """Who each document is assigned to (only documents with someone)."""
    query = select(Assignment.document_id, Annotator.name).join(Annotator, Annotator.id == Assignment.annotator_id)
    found: dict[int, set[str]] = {}
    with project.session() as session:
        for chunk in _chunks(document_ids):
            rows = session.execute(query if chunk is None else query.where(Assignment.document_id.in_(chunk)))
            for document_id, name in rows:
                found.setdefault(document_id, set()).add(name)
    return found


def queue(project: Project, analyst: str) -> list[int]:
    """The documents assigned to `analyst`, in corpus order."""
    with project.session() as session:
        return list(session.scalars(
            select(Assignment.document_id).join(Annotator, Annotator.id == Assignment.annotator_id)
            .where(Annotator.name == analyst).order_by(Assignment.document_id)))


def who_is_on(project: Project, document_ids: Sequence[int]) -> dict[int, list[OnDocument]]:
    """Everyone on each document: assigned to it, or with a status of their own there (gold aside), by name."""
    from app.adjudication import GOLD

    found: dict[int, dict[str, OnDocument]] = {}
    with project.session() as session:
        for chunk in _chunks(document_ids):
            statuses = session.execute(
                select(DocumentStatus.document_id, Annotator.name, DocumentStatus.status, DocumentStatus.updated_at)
                .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
                .where(DocumentStatus.document_id.in_(chunk)))
            for document_id, name, status, since in statuses:
                found.setdefault(document_id, {})[name] = OnDocument(name, status, since, False)
            given = session.execute(
                select(Assignment.document_id, Annotator.name, Assignment.assigned_at)
                .join(Annotator, Annotator.id == Assignment.annotator_id)
                .where(Assignment.document_id.in_(chunk)))
            for document_id, name, since in given:
                known = found.setdefault(document_id, {}).get(name)
                found[document_id][name] = (replace(known, assigned=True) if known
                                            else OnDocument(name, "new", since, True))
            counts = session.execute(
                select(Annotation.document_id, Annotator.name, func.count())
                .join(Annotator, Annotator.id == Annotation.annotator_id)
                .where(Annotation.document_id.in_(chunk), Annotation.layer == "entity")
                .group_by(Annotation.document_id, Annotator.name))
            for document_id, name, count in counts:
                known = found.get(document_id, {}).get(name)
                if known is not None:
                    found[document_id][name] = replace(known, spans=count)
    return {document_id: [people[name] for name in sorted(people) if name != GOLD]
            for document_id, people in found.items()}


def _chunks(ids: Sequence[int] | None):
    if ids is None:
        yield None
        return
    ids = list(ids)
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start:start + ID_CHUNK]
