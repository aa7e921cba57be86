"""Bringing another analyst's work into this project (File → Add an analyst's work…, `hashiya merge`).

Documents are matched by the hash of their text, so offsets carry over unchanged. Annotations keep
their annotator's name and their uid: merging the same file again updates what changed instead of
adding copies. What merging never does:
- change, add to or remove the local analyst's own annotations (theirs in the other file are skipped);
- drop anything silently: documents of the other file that are not here are listed, and annotations
  here that the other file no longer has are kept and counted;
- half-merge: everything is written in one transaction, and the other file is only read (from a copy,
  which is upgraded if it was made by an older version).
"""

from __future__ import annotations

import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from app.i18n import _, ngettext, number, pgettext
from app.models import Annotation, Annotator, Document, DocumentStatus, Label
from app.project import Project, ProjectError, _attrs, _inspect, consistent_copy, now_iso
from app.paths import is_server_address
from app.searchindex import ID_CHUNK

# What a merge compares to decide whether a stored annotation changed.
_FIELDS = ("layer", "label", "start", "end", "attrs", "provenance")


@dataclass
class MergeReport:
    source: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_yours: int = 0  # the local analyst's annotations in the other file: never merged
    matched_documents: int = 0
    unmatched_documents: list[str] = field(default_factory=list)  # the other file's, not in this project
    annotators: list[str] = field(default_factory=list)  # whose work came in
    new_labels: list[str] = field(default_factory=list)  # "layer: name" added to this schema
    kept: int = 0  # annotations here, of the merged analysts, that the other file no longer has

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def summary(self) -> str:
        """The report for the analyst, one line per point; the first line is the gist (the rest can be
        shown as details)."""
        listed = pgettext("list separator", ", ")
        lines = [_("{source}: {added}, {updated}, {unchanged}; {matched}.").format(
            source=self.source,
            added=ngettext("{n} annotation added", "{n} annotations added", self.added).format(n=number(self.added)),
            updated=ngettext("{n} updated", "{n} updated", self.updated).format(n=number(self.updated)),
            unchanged=ngettext("{n} already here", "{n} already here", self.unchanged).format(
                n=number(self.unchanged)),
            matched=ngettext("{n} document matched", "{n} documents matched", self.matched_documents).format(
                n=number(self.matched_documents)))]
        if self.annotators:
            lines.append(_("Analysts: {names}.").format(names=listed.join(self.annotators)))
        if self.skipped_yours:
            lines.append(ngettext("{count} annotation under your own name was left out: merging never changes "
                                  "your work.",
                                  "{count} annotations under your own name were left out: merging never changes "
                                  "your work.", self.skipped_yours).format(count=number(self.skipped_yours)))
        if self.kept:
            lines.append(ngettext("{count} annotation here is no longer in that file; it was kept.",
                                  "{count} annotations here are no longer in that file; they were kept.",
                                  self.kept).format(count=number(self.kept)))
        if self.new_labels:
            lines.append(_("Labels added to the schema: {labels}.").format(labels=listed.join(self.new_labels)))
        if self.unmatched_documents:
            count, shown = len(self.unmatched_documents), listed.join(self.unmatched_documents[:20])
            if count > 20:
                lines.append(ngettext("{count} document of that file is not in this project (its annotations "
                                      "were not merged): {names} and {more} more.",
                                      "{count} documents of that file are not in this project (their annotations "
                                      "were not merged): {names} and {more} more.", count).format(
                    count=number(count), names=shown, more=number(count - 20)))
            else:
                lines.append(ngettext("{count} document of that file is not in this project (its annotations "
                                      "were not merged): {names}.",
                                      "{count} documents of that file are not in this project (their annotations "
                                      "were not merged): {names}.", count).format(count=number(count), names=shown))
        return "\n".join(lines)


@dataclass
class _Incoming:
    documents: dict[int, tuple[str, str]]  # other id → (sha256, name)
    annotations: list[dict[str, Any]]
    labels: list[dict[str, Any]]
    statuses: list[tuple[int, str, str, str]]  # other document id, annotator, status, updated_at


class MergeCancelled(Exception):
    """The merge was stopped before it wrote anything."""


def merge_project(project: Project, other: str | Path, yourself: str,
                  cancelled: Callable[[], bool] = lambda: False) -> MergeReport:
    """Add the annotations of the project file `other` to `project`; `yourself` is the local analyst.

    `other` may be a server project's URL: it is read in one transaction (one consistent snapshot).
    Cancelling raises MergeCancelled, and the transaction is rolled back: nothing is written."""
    if is_server_address(other):
        incoming, source = _read_server(str(other), project)
    else:
        other = Path(other)
        if project.is_file and other.resolve() == project.path.resolve():
            raise ProjectError(_("{path} is the project that is open: choose another analyst's project "
                                 "file.").format(path=other))
        incoming, source = _read_other(other), other.name
    report = MergeReport(source=source)
    with project.session.begin() as session:
        _merge_labels(session, incoming.labels, report)
        documents = _match_documents(project, incoming.documents, report)
        _merge_annotations(project, session, incoming.annotations, documents, yourself, report, cancelled)
        _merge_statuses(project, session, incoming.statuses, documents, yourself)
        if cancelled():
            raise MergeCancelled()
    return report


# ---- reading the other file ------------------------------------------------------------------------
def _read_server(location: str, project: Project) -> tuple[_Incoming, str]:
    source = Project.open(location)
    try:
        if not project.is_file and source.location == project.location:
            raise ProjectError(_("{path} is the project that is open: choose another analyst's project "
                                 "file.").format(path=source.location))
        return _contents(source), source.name
    finally:
        source.close()


def _read_other(path: Path) -> _Incoming:
    """Everything merged, read from a consistent copy (WAL included) that is upgraded if older."""
    _inspect(path)  # a clear message for a file that is not a project, or is newer than this version
    with tempfile.TemporaryDirectory(prefix="hashiya-merge-") as scratch:
        copy = Path(scratch) / path.name
        try:
            consistent_copy(path, copy)
        except sqlite3.Error as error:
            raise ProjectError(_("{path} cannot be read: {reason}.").format(path=path, reason=error)) from error
        source = Project.open(copy)
        try:
            return _contents(source)
        finally:
            source.close()


def _contents(source: Project) -> _Incoming:
    with source.session() as session:
        documents = {row.id: (row.sha256, row.name)
                     for row in session.execute(select(Document.id, Document.sha256, Document.name))}
        annotations = [
            {"uid": row.uid, "document_id": row.document_id, "annotator": row.name, "layer": row.layer,
             "label": row.label, "start": row.start, "end": row.end, "attrs": row.attrs or {},
             "provenance": row.provenance, "created_at": row.created_at, "updated_at": row.updated_at}
            for row in session.execute(
                select(Annotation.uid, Annotation.document_id, Annotator.name, Annotation.layer, Annotation.label,
                       Annotation.start, Annotation.end, Annotation.attrs, Annotation.provenance,
                       Annotation.created_at, Annotation.updated_at)
                .join(Annotator, Annotator.id == Annotation.annotator_id).order_by(Annotation.id))]
        labels = [{"layer": row.layer, "name": row.name, "color": row.color, "description": row.description}
                  for row in session.execute(select(Label.layer, Label.name, Label.color, Label.description)
                                             .order_by(Label.layer, Label.position))]
        statuses = [tuple(row) for row in session.execute(
            select(DocumentStatus.document_id, Annotator.name, DocumentStatus.status, DocumentStatus.updated_at)
            .join(Annotator, Annotator.id == DocumentStatus.annotator_id))]
    return _Incoming(documents, annotations, labels, statuses)


# ---- writing ---------------------------------------------------------------------------------------
def _merge_labels(session: Session, labels: list[dict[str, Any]], report: MergeReport) -> None:
    """Labels the other analyst used that this schema lacks are added (without a shortcut key)."""
    known = {(layer, name) for layer, name in session.execute(select(Label.layer, Label.name))}
    for label in labels:
        if (label["layer"], label["name"]) in known:
            continue
        position = session.scalar(select(Label.position).where(Label.layer == label["layer"])
                                  .order_by(Label.position.desc()).limit(1))
        session.execute(insert(Label).values(**label, shortcut=None, position=(position or 0) + 1))
        known.add((label["layer"], label["name"]))
        report.new_labels.append(f"{label['layer']}: {label['name']}")


def _match_documents(project: Project, documents: dict[int, tuple[str, str]], report: MergeReport) -> dict[int, int]:
    """The other file's document ids → this project's, by text hash; the rest are listed in the report."""
    here = project.known_hashes()
    matched = {}
    for other_id, (sha256, name) in sorted(documents.items()):
        if sha256 in here:
            matched[other_id] = here[sha256]
        else:
            report.unmatched_documents.append(name)
    report.matched_documents = len(matched)
    return matched


def _merge_annotations(project: Project, session: Session, annotations: list[dict[str, Any]],
                       documents: dict[int, int], yourself: str, report: MergeReport,
                       cancelled: Callable[[], bool]) -> None:
    existing = _existing(session, [a["uid"] for a in annotations])
    doc_stances = _doc_stances(session)
    annotator_ids: dict[str, int] = {}
    new_rows, merged_uids = [], set()
    for position, incoming in enumerate(annotations):
        if position % 5_000 == 0 and cancelled():
            raise MergeCancelled()
        if incoming["annotator"] == yourself:
            report.skipped_yours += 1
            continue
        document_id = documents.get(incoming["document_id"])
        if document_id is None:
            continue  # its document is listed as unmatched
        if incoming["annotator"] not in annotator_ids:
            annotator_ids[incoming["annotator"]] = project._ensure_annotator(session, incoming["annotator"])
        row = {**incoming, "document_id": document_id, "annotator_id": annotator_ids[incoming["annotator"]]}
        del row["annotator"]
        merged_uids.add(row["uid"])
        here = existing.get(row["uid"])
        if here is None and row["layer"] == "doc_stance":
            # One document stance per (document, analyst, target): a new uid replaces the old one's values.
            here = doc_stances.get((document_id, row["annotator_id"], row["attrs"].get("target")))
        if here is None:
            new_rows.append(row)
            if row["layer"] == "doc_stance":
                doc_stances[(document_id, row["annotator_id"], row["attrs"].get("target"))] = row
        elif here["annotator"] == yourself:
            report.skipped_yours += 1
        elif all(here[key] == row[key] for key in _FIELDS) and here["document_id"] == document_id:
            report.unchanged += 1
        else:
            session.execute(update(Annotation).where(Annotation.uid == here["uid"]).values(
                **{key: row[key] for key in (*_FIELDS, "document_id", "annotator_id", "updated_at")}))
            report.updated += 1
    if new_rows:
        session.execute(insert(Annotation), new_rows)
    report.added = len(new_rows)
    report.annotators = sorted(annotator_ids)
    report.kept = _kept(session, list(annotator_ids.values()), sorted(set(documents.values())), merged_uids)


def _existing(session: Session, uids: list[str]) -> dict[str, dict[str, Any]]:
    found = {}
    for chunk in range(0, len(uids), ID_CHUNK):
        for row in session.execute(
                select(Annotation.uid, Annotation.document_id, Annotator.name.label("annotator"), Annotation.layer,
                       Annotation.label, Annotation.start, Annotation.end, Annotation.attrs, Annotation.provenance)
                .join(Annotator, Annotator.id == Annotation.annotator_id)
                .where(Annotation.uid.in_(uids[chunk:chunk + ID_CHUNK]))):
            found[row.uid] = {**row._mapping, "attrs": _attrs_of(row.attrs)}
    return found


def _doc_stances(session: Session) -> dict[tuple[int, int, str | None], dict[str, Any]]:
    rows = session.execute(
        select(Annotation.uid, Annotation.document_id, Annotation.annotator_id, Annotator.name.label("annotator"),
               Annotation.layer, Annotation.label, Annotation.start, Annotation.end, Annotation.attrs,
               Annotation.provenance)
        .join(Annotator, Annotator.id == Annotation.annotator_id).where(Annotation.layer == "doc_stance"))
    stances = {}
    for row in rows:
        attrs = _attrs_of(row.attrs)
        stances[(row.document_id, row.annotator_id, attrs.get("target"))] = {**row._mapping, "attrs": attrs}
    return stances


def _attrs_of(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else _attrs(value)


def _kept(session: Session, annotator_ids: list[int], document_ids: list[int], merged: set[str]) -> int:
    """Annotations here by the merged analysts, on the matched documents, that the other file lacks."""
    if not annotator_ids:
        return 0
    kept = 0
    for chunk in range(0, len(document_ids), ID_CHUNK):
        uids = session.scalars(select(Annotation.uid).where(
            Annotation.annotator_id.in_(annotator_ids), Annotation.document_id.in_(document_ids[chunk:chunk + ID_CHUNK])))
        kept += sum(uid not in merged for uid in uids)
    return kept


def _merge_statuses(project: Project, session: Session, statuses: list[tuple[int, str, str, str]],
                    documents: dict[int, int], yourself: str) -> None:
    """The other analysts' progress (new, in progress, done) comes along with their annotations."""
    for other_id, name, status, updated_at in statuses:
        if name == yourself or other_id not in documents:
            continue
        session.merge(DocumentStatus(document_id=documents[other_id],
                                     annotator_id=project._ensure_annotator(session, name),
                                     status=status, updated_at=updated_at or now_iso()))
