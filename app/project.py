"""Opening, creating and upgrading a project file, and the operations on it.

Every write method commits its own transaction before returning, so a caller
(the GUI, the CLI) can show an edit as done as soon as the call returns.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Sequence

from sqlalchemy import Connection, Engine, String, case, delete, func, insert, select, type_coerce, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app import __version__, packagedata
from app.i18n import _, number
from app.migrations import APPLICATION_ID, SCHEMA_VERSION, upgrade
from app.models import Annotation, Annotator, Base, Document, DocumentStatus, Label, ProjectInfo
# The storage seam: what is particular to SQLite lives there. Its errors are the project's errors.
from app.store import (SQLITE_MAGIC, AsciiCaseLike, ProjectBusy, ProjectError, ProjectFileMoved, ProjectReadOnly, SqliteStore,
                       consistent_copy, dialect_insert, driver_of, file_uri, is_busy, read_only_connection, stored_json, upsert,
                       why_read_only)

__all__ = ["ProjectBusy", "ProjectError", "ProjectFileMoved", "ProjectReadOnly", "Project", "Span", "LabelDef",
           "DocumentRow", "consistent_copy", "is_busy", "backup_path", "now_iso", "new_uid"]

STATUSES = ("new", "in_progress", "done")
# Provenances of spans an analyst decided in the window (by hand, or by accepting a proposal or a boilerplate
# suggestion): the first one moves a document to in progress for them.
ANALYST_DECISIONS = frozenset({"manual", "propagated", "detected", "predicted"})


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_uid() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Span:
    """One annotation as the rest of the program sees it (no ORM state)."""

    document_id: int
    annotator: str
    layer: str
    label: str
    start: int | None
    end: int | None
    attrs: dict[str, Any] = field(default_factory=dict)
    provenance: str = "manual"
    uid: str = field(default_factory=new_uid)
    created_at: str = ""
    updated_at: str = ""

    def with_changes(self, **changes) -> "Span":
        return replace(self, **changes)


@dataclass(frozen=True)
class LabelDef:
    layer: str
    name: str
    color: str
    shortcut: str | None
    description: str = ""


@dataclass(frozen=True)
class DocumentRow:
    """What the document list shows for one document."""

    id: int
    name: str
    status: str
    entity_count: int  # the analyst's entity spans (boilerplate has its own column; stances are not spans)
    boilerplate_chars: int = 0  # characters this analyst marked as boilerplate
    length: int = 0

    @property
    def boilerplate_share(self) -> float:
        return min(1.0, self.boilerplate_chars / self.length) if self.length else 0.0


def _read_header(path: Path) -> bytes:
    try:
        with open(path, "rb") as handle:
            return handle.read(100)
    except OSError as error:
        raise ProjectError(_("{path}: cannot be read ({reason}).").format(
            path=path, reason=error.strerror or error)) from error


def _inspect(path: Path) -> int:
    """Return the schema version of a Hashiya project file, without writing to it or beside it."""
    header = _read_header(path)
    if not header.startswith(SQLITE_MAGIC):
        raise ProjectError(_("{path} is not a Hashiya project (it is not an SQLite database).").format(path=path))
    try:
        connection = read_only_connection(path)
        try:
            app_id = connection.execute("PRAGMA application_id").fetchone()[0]
            version = connection.execute("PRAGMA user_version").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise ProjectError(_("{path} cannot be opened as a project: {reason}.").format(
            path=path, reason=error)) from error
    if app_id != APPLICATION_ID:
        raise ProjectError(_("{path} is an SQLite database, but not a Hashiya project.").format(path=path))
    if version > SCHEMA_VERSION:
        raise ProjectError(_(
            "{path} was made by a newer version of Hashiya (project format {version}; "
            "this version reads up to {supported}). Update Hashiya to open it; the file was not changed."
        ).format(path=path, version=number(version), supported=number(SCHEMA_VERSION)))
    if version < 1:
        raise ProjectError(_("{path} is marked as a Hashiya project but has no schema version.").format(path=path))
    return version


def backup_path(path: Path, version: int) -> Path:
    return path.with_name(f"{path.name}.v{version}.bak")


def _upgrade_file(path: Path, version: int) -> Path:
    """Copy the file aside (consistently, WAL included), then migrate it in place.

    The version is read again under a write lock, so two windows opening the same
    old file at once upgrade it once; an existing backup is never overwritten.
    """
    backup = backup_path(path, version)
    source = sqlite3.connect(file_uri(path, mode="rw"), uri=True, isolation_level=None, timeout=10)
    try:
        source.execute("BEGIN IMMEDIATE")
        current = source.execute("PRAGMA user_version").fetchone()[0]
        if current == version and not backup.exists():
            # A second connection reads while this one holds the write lock (a connection
            # cannot back up from itself mid-transaction: sqlite3 would retry forever).
            consistent_copy(path, backup)
        source.execute("COMMIT")
        upgrade(source, current)
    finally:
        source.close()
    return backup


# The label schemas a new project can start with: English names (PERS, LOC, …) or Arabic ones (شخص، مكان،
# …), the same colours, keys and boilerplate categories (whose names the detector's guesses use).
LABEL_PRESETS = {"en": "labels.json", "ar": "labels_ar.json"}


def default_labels(preset: str = "en") -> list[LabelDef]:
    data = packagedata.resource_json(LABEL_PRESETS[preset])
    return [
        LabelDef(layer, item["name"], item["color"], item.get("shortcut"), item.get("description", ""))
        for layer, items in data.items()
        for item in items
    ]


@contextlib.contextmanager
def _as_project_error(path: Path, message: str):
    """Whatever SQLite or the file system says becomes one clear message naming the file: `message`, a
    translated sentence with {path} and {reason} in it."""
    try:
        yield
    except ProjectError:
        raise
    except (sqlite3.Error, SQLAlchemyError, OSError) as error:
        reason = getattr(error, "orig", None) or getattr(error, "strerror", None) or error
        raise ProjectError(message.format(path=path, reason=reason)) from error


class _Sessions:
    """`project.session()` is a session that reads; `project.session.begin()` one that writes, in a
    transaction that takes the write lock at once after the store's checks (app.store)."""

    def __init__(self, store: SqliteStore):
        self._read = sessionmaker(store.engine, expire_on_commit=False)
        self._write = sessionmaker(store.write_engine, expire_on_commit=False)
        # Imports: on a server they must not interleave with index runs (app.pgstore), as on SQLite no write does.
        self._serial = sessionmaker(store.write_engine.execution_options(hashiya_serial=True), expire_on_commit=False)

    def __call__(self) -> Session:
        return self._read()

    def begin(self, serial: bool = False):
        return (self._serial if serial else self._write).begin()


class Project:
    """An open project file."""

    def __init__(self, store: SqliteStore, upgraded_from: int | None = None, backup: Path | None = None):
        self.store = store
        self.path = store.path  # None for a project on a server
        self.location: str = store.location  # the file's path, or the server URL without password
        self.is_file: bool = store.is_file
        self.name: str = store.name  # the file's name, or "database on host"
        self.engine: Engine = store.engine
        self.session = _Sessions(store)
        self.upgraded_from = upgraded_from
        self.backup = backup
        self._annotator_ids: dict[str, int] = {}
        # (document id, annotator id) pairs known to have a status row. Rows are never deleted, so a pair
        # found here needs no INSERT OR IGNORE on the next edit (it would change nothing).
        self._with_status: set[tuple[int, int]] = set()

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    @property
    def read_only_reason(self) -> str | None:
        return self.store.read_only_reason

    # ---- opening -------------------------------------------------------
    @classmethod
    def open(cls, path: str | Path, create: bool = False, read_only: str | None = None) -> "Project":
        """Open (or, with `create`, make) the project file at `path`.

        `read_only`: why the caller opens it only for reading (another window has it, say). A file or
        folder that cannot be written is opened read-only anyway, saying so (`read_only_reason`).
        `path` may be a postgresql:// URL: a project on a server (app.pgstore)."""
        from app.paths import is_server_address

        if is_server_address(path):
            return cls._open_server(path, create, read_only)
        path = Path(path)
        if not path.exists():
            if not create:
                raise ProjectError(_("{path}: no such project file.").format(path=path))
            return cls.create(path)
        version = _inspect(path)
        reason = read_only or why_read_only(path)
        if reason and version < SCHEMA_VERSION:
            raise ProjectError(_("{path} was made by an older version of Hashiya and must be upgraded before it "
                                 "is opened, which writes to it; but {reason}. Copy it somewhere writable to open "
                                 "it.").format(path=path, reason=reason))
        with _as_project_error(path, _("{path} cannot be opened: {reason}.")):
            backup = _upgrade_file(path, version) if version < SCHEMA_VERSION else None
            project = cls(SqliteStore(path, read_only_reason=reason), upgraded_from=version if backup else None,
                          backup=backup)
            try:
                project._check_integrity_quickly()
            except BaseException:
                project.store.close()
                raise
        return project

    @classmethod
    def create(cls, path: str | Path, labels: str = "en") -> "Project":
        """Build the new project beside its destination and rename it into place: never half-made.
        `labels`: the preset its label schema starts from (LABEL_PRESETS)."""
        from app.paths import is_server_address

        if is_server_address(path):
            return cls._create_on_server(path, labels)
        path = Path(path)
        partial = path.with_name(f".{path.name}.partial")
        with _as_project_error(path, _("{path} cannot be created: {reason}.")):
            path.parent.mkdir(parents=True, exist_ok=True)
            building = SqliteStore(partial, create=True)
            try:
                cls._initialise(building.engine, labels)
                building.engine.dispose()  # the last connection's close folds the WAL into the file
                os.replace(partial, path)
            except BaseException:
                building.engine.dispose()
                for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
                    leftover.unlink(missing_ok=True)
                raise
            return cls(SqliteStore(path))

    @classmethod
    def _open_server(cls, location, create: bool, read_only: str | None) -> "Project":
        from app.pgstore import PostgresStore, server_url, shown

        url = server_url(location)
        store = PostgresStore(url, read_only_reason=read_only)
        try:
            with _as_project_error(shown(url), _("{path} cannot be opened: {reason}.")):
                version = store.schema_version()
            if version is None and create:
                store.close()
                return cls._create_on_server(location)
            if version is None:
                raise ProjectError(_("{path} holds no Hashiya project (hashiya team init makes one there).").format(
                    path=store.location))
            if version > SCHEMA_VERSION:
                raise ProjectError(_(
                    "{path} was made by a newer version of Hashiya (project format {version}; "
                    "this version reads up to {supported}). Update Hashiya to open it; the file was not changed."
                ).format(path=store.location, version=number(version), supported=number(SCHEMA_VERSION)))
            if version < SCHEMA_VERSION:  # no server project predates format 9; later steps run on both
                with _as_project_error(store.location, _("{path} cannot be upgraded: {reason}.")):
                    store.upgrade(version)
        except BaseException:
            store.close()
            raise
        return cls(store)

    @classmethod
    def _create_on_server(cls, location, labels: str = "en") -> "Project":
        """The project's tables in an empty database, in one transaction (a failure leaves it empty)."""
        from app.pgstore import PostgresStore, server_url

        store = PostgresStore(server_url(location))
        try:
            with _as_project_error(store.location, _("{path} cannot be created: {reason}.")):
                if store.schema_version() is not None:
                    raise ProjectError(_("{path} already holds a Hashiya project.").format(path=store.location))
                cls._initialise(store.engine, labels)
        except BaseException:
            store.close()
            raise
        return cls(store)

    @staticmethod
    def _initialise(engine: Engine, labels: str) -> None:
        with engine.execution_options(hashiya_write=True).begin() as connection:
            driver = driver_of(connection)
            Base.metadata.create_all(connection)
            driver.search.create()
            driver.mark_project(APPLICATION_ID, SCHEMA_VERSION)
            connection.execute(insert(ProjectInfo), [
                {"key": "created_with", "value": __version__},
                {"key": "created_at", "value": now_iso()},
            ])
            connection.execute(insert(Label), [
                {**label.__dict__, "position": index} for index, label in enumerate(default_labels(labels))
            ])

    def _check_integrity_quickly(self) -> None:
        result = self.store.quick_check()
        if result != "ok":
            raise ProjectError(_("{path} is damaged (SQLite reports: {result}).").format(path=self.path, result=result))

    def schema_version(self) -> int:
        """The project format the file is at, as the file says (the latest one once it is open)."""
        return self.store.schema_version()

    @contextlib.contextmanager
    def derived_data_connection(self):
        """A connection for writing derived data (the search, boilerplate and near-duplicate indexes).

        It commits with synchronous=NORMAL: in WAL mode a commit stays atomic, and the last ones may be
        lost on a power cut, which for an index only means reading those documents again (its watermark
        is committed with the data). A user's edit is never written through it. Its transactions write
        (app.store: the write lock is taken at their start).
        """
        self.store.check_before_write()
        with self.store.write_engine.execution_options(hashiya_serial=True).connect() as connection:
            with self.store.relaxed_durability(connection):
                yield connection

    def check_file(self) -> None:
        """Raise ProjectFileMoved (or ProjectReadOnly) now if a write could not be made: the window asks
        when the file system says the file changed, before the analyst's next edit."""
        self.store.check_before_write()

    def save_copy(self, target: str | Path) -> None:
        """Everything in the project, as committed, written to `target` (a new, independent project file)."""
        target = Path(target)
        with _as_project_error(target, _("{path} cannot be written: {reason}.")):
            self.store.save_copy(target)

    def close(self) -> None:
        """Fold the WAL back into the file, so the project is one file again."""
        self.store.close()

    # ---- annotators ----------------------------------------------------
    def annotator_id(self, name: str) -> int:
        """The id of the annotator called `name`, created on first use (a write)."""
        if name not in self._annotator_ids:
            with self.session.begin() as session:
                self._annotator_ids[name] = self._ensure_annotator(session, name)
        return self._annotator_ids[name]

    def _known_annotator_id(self, name: str) -> int:
        """For reads: the annotator's id, or -1 (matches nothing) for a name not stored yet."""
        if name in self._annotator_ids:
            return self._annotator_ids[name]
        with self.session() as session:
            found = session.scalar(select(Annotator.id).where(Annotator.name == name))
        if found is not None:
            self._annotator_ids[name] = found
        return -1 if found is None else found

    @staticmethod
    def _ensure_annotator(session: Session, name: str) -> int:
        found = session.scalar(select(Annotator.id).where(Annotator.name == name))
        if found is not None:
            return found
        return session.scalar(insert(Annotator).values(name=name, created_at=now_iso()).returning(Annotator.id))

    def annotators(self) -> list[str]:
        with self.session() as session:
            return list(session.scalars(select(Annotator.name).order_by(Annotator.name)))

    def annotators_with_work(self) -> list[str]:
        """The analysts with at least one annotation (a team server lists every member as an annotator)."""
        with self.session() as session:
            return list(session.scalars(select(Annotator.name).where(
                select(Annotation.id).where(Annotation.annotator_id == Annotator.id).exists()).order_by(Annotator.name)))

    # ---- labels ----------------------------------------------------------
    def labels(self, layer: str = "entity") -> list[LabelDef]:
        with self.session() as session:
            rows = session.scalars(select(Label).where(Label.layer == layer).order_by(Label.position, Label.id))
            return [LabelDef(r.layer, r.name, r.color, r.shortcut, r.description) for r in rows]

    # ---- documents -------------------------------------------------------
    def document_count(self) -> int:
        with self.session() as session:
            return session.scalar(select(func.count()).select_from(Document))

    def document_ids(self, name_filter: str = "") -> list[int]:
        query = select(Document.id).order_by(Document.id)
        if name_filter:
            escaped = name_filter.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(AsciiCaseLike(Document.name, f"%{escaped}%"))
        with self.session() as session:
            return list(session.scalars(query))

    def document_rows(self, ids: Sequence[int], annotator: str) -> list[DocumentRow]:
        """Name, this analyst's status, entity span count and boilerplate share for a page of documents."""
        annotator_id = self._known_annotator_id(annotator)
        counts = (
            select(Annotation.document_id, func.count().label("n"))
            .where(Annotation.document_id.in_(ids), Annotation.annotator_id == annotator_id,
                   Annotation.layer == "entity")
            .group_by(Annotation.document_id)
            .subquery()
        )
        status = (
            select(DocumentStatus.document_id, DocumentStatus.status)
            .where(DocumentStatus.annotator_id == annotator_id)
            .subquery()
        )
        boilerplate = (
            select(Annotation.document_id, func.sum(Annotation.end - Annotation.start).label("chars"))
            .where(Annotation.document_id.in_(ids), Annotation.annotator_id == annotator_id,
                   Annotation.layer == "boilerplate")
            .group_by(Annotation.document_id)
            .subquery()
        )
        query = (
            select(Document.id, Document.name, status.c.status, counts.c.n, boilerplate.c.chars,
                   # Only where something is marked: length() reads the whole text (1 MB: ~2 ms).
                   case((boilerplate.c.chars.is_(None), 0), else_=func.length(Document.text)).label("length"))
            .outerjoin(counts, counts.c.document_id == Document.id)
            .outerjoin(status, status.c.document_id == Document.id)
            .outerjoin(boilerplate, boilerplate.c.document_id == Document.id)
            .where(Document.id.in_(ids))
        )
        with self.session() as session:
            found = {row.id: row for row in session.execute(query)}
        return [
            DocumentRow(i, found[i].name, found[i].status or "new", found[i].n or 0, found[i].chars or 0,
                        found[i].length)
            for i in ids if i in found
        ]

    def document_text(self, document_id: int) -> str:
        with self.session() as session:
            text = session.scalar(select(Document.text).where(Document.id == document_id))
        if text is None:
            raise KeyError(document_id)
        return text

    def document_name(self, document_id: int) -> str:
        with self.session() as session:
            return session.scalar(select(Document.name).where(Document.id == document_id))

    def known_hashes(self) -> dict[str, int]:
        with self.session() as session:
            return {sha: doc_id for sha, doc_id in session.execute(select(Document.sha256, Document.id))}

    # ---- status ----------------------------------------------------------
    def status(self, document_id: int, annotator: str) -> str:
        annotator_id = self._known_annotator_id(annotator)
        with self.session() as session:
            found = session.scalar(
                select(DocumentStatus.status).where(
                    DocumentStatus.document_id == document_id, DocumentStatus.annotator_id == annotator_id
                )
            )
        return found or "new"

    def set_status(self, document_id: int, annotator: str, status: str) -> None:
        if status not in STATUSES:
            raise ValueError(f"unknown status {status!r}; use one of {', '.join(STATUSES)}")
        annotator_id = self.annotator_id(annotator)
        with self.session.begin() as session:
            session.execute(upsert(session, DocumentStatus, ["document_id", "annotator_id"],
                                   ["status", "updated_at"]),
                            {"document_id": document_id, "annotator_id": annotator_id, "status": status,
                             "updated_at": now_iso()})
        self._with_status.add((document_id, annotator_id))

    # ---- annotations -----------------------------------------------------
    def annotations(self, document_id: int, annotator: str | None = None, layer: str | None = None) -> list[Span]:
        # Plain column rows, not ORM objects: a document may carry tens of thousands of spans.
        query = (
            select(Annotation.document_id, Annotator.name, Annotation.layer, Annotation.label, Annotation.start,
                   Annotation.end, type_coerce(Annotation.attrs, String), Annotation.provenance, Annotation.uid,
                   Annotation.created_at, Annotation.updated_at)
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotation.document_id == document_id)
            # Document stances (no offsets) first, as SQLite sorts NULL; a server would put them last.
            .order_by(Annotation.start.asc().nulls_first(), Annotation.end.asc().nulls_first(), Annotation.id)
        )
        if annotator is not None:
            query = query.where(Annotation.annotator_id == self._known_annotator_id(annotator))
        if layer is not None:
            query = query.where(Annotation.layer == layer)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return [Span(*row[:6], _attrs(row[6]), *row[7:]) for row in rows]

    def add_annotations(self, spans: Iterable[Span]) -> list[Span]:
        """Insert spans in one transaction; they keep their uid (redo re-adds the same span)."""
        stamp = now_iso()
        stored = [s.with_changes(created_at=s.created_at or stamp, updated_at=s.updated_at or stamp) for s in spans]
        if not stored:
            return []
        rows = [self._row_for(span) for span in stored]
        # The most frequent write of all (every span an analyst makes): a Core transaction on the table,
        # without an ORM session, costs 0.2 ms less per edit in the window. Same commit, synchronous=FULL.
        with self.store.write_engine.begin() as connection:  # a write: BEGIN IMMEDIATE, after the checks
            connection.execute(_INSERT_ANNOTATIONS, rows)
            started = self._mark_in_progress(connection, stored)
        self._with_status |= started  # only once committed
        return stored

    def add_annotation(self, span: Span) -> Span:
        return self.add_annotations([span])[0]

    def delete_annotations(self, uids: Iterable[str]) -> None:
        uids = list(uids)
        with self.session.begin() as session:
            session.execute(delete(Annotation).where(Annotation.uid.in_(uids)))

    def update_annotation(self, span: Span, **changes) -> Span:
        """Change label, offsets or attributes of a stored span; returns the new version."""
        changed = span.with_changes(updated_at=now_iso(), **changes)
        values = {key: getattr(changed, key) for key in (*changes, "updated_at")}
        with self.session.begin() as session:
            result = session.execute(update(Annotation).where(Annotation.uid == span.uid).values(**values))
            if result.rowcount != 1:
                raise KeyError(f"annotation {span.uid} is not in the project")
        return changed

    def _row_for(self, span: Span, annotator_id: int | None = None) -> dict:
        """The annotations row of `span`; `annotator_id` when the caller resolved the analyst in its own
        transaction (the importer), else it is looked up (and created) here."""
        return {
            "uid": span.uid, "document_id": span.document_id,
            "annotator_id": self.annotator_id(span.annotator) if annotator_id is None else annotator_id,
            "layer": span.layer, "label": span.label, "start": span.start, "end": span.end,
            "attrs": span.attrs, "provenance": span.provenance,
            "created_at": span.created_at, "updated_at": span.updated_at,
        }

    def _mark_in_progress(self, connection: Connection, spans: list[Span]) -> set[tuple[int, int]]:
        """A document an analyst starts annotating moves from new to in progress; returns the pairs written.

        An analyst's own decisions count: spans made by hand, accepted proposals, accepted boilerplate
        suggestions (ANALYST_DECISIONS). Only pairs without a known status row are written: the first such
        span of a document, not every one.
        """
        pairs = {(s.document_id, self.annotator_id(s.annotator)) for s in spans if s.provenance in ANALYST_DECISIONS}
        pairs -= self._with_status
        for document_id, annotator_id in pairs:
            connection.execute(
                dialect_insert(connection, DocumentStatus).on_conflict_do_nothing()
                .values(document_id=document_id, annotator_id=annotator_id, status="in_progress", updated_at=now_iso())
            )
        return pairs

    # ---- project info ----------------------------------------------------
    def info(self, key: str, default: str | None = None) -> str | None:
        with self.session() as session:
            value = session.scalar(select(ProjectInfo.value).where(ProjectInfo.key == key))
        return default if value is None else value

    def set_info(self, key: str, value: str) -> None:
        with self.session.begin() as session:
            put_info(session, key, value)


def put_info(session: Session, key: str, value: str) -> None:
    """Set a project fact inside the caller's transaction (an upsert: two windows may set it at once)."""
    session.execute(upsert(session, ProjectInfo, ["key"], ["value"]), {"key": key, "value": value})


def ids_past_watermark(driver, key: str, ids: list[int]) -> list[int]:
    """The ids an index run still has to read, decided inside its write transaction: another window
    indexing the same project may have read some of them since this run listed them (its watermark,
    `key` in project_info, is committed with its rows), and they must not be read twice."""
    row = driver.execute("SELECT value FROM project_info WHERE key = ?", (key,)).fetchone()
    through = int(row[0]) if row else 0
    return [document_id for document_id in ids if document_id > through]


_INSERT_ANNOTATIONS = insert(Annotation.__table__)  # built once: its cache key is then computed once


def _attrs(raw: str | dict | None) -> dict[str, Any]:
    """Most spans have no attributes; skip the JSON parser for them (a server's driver has parsed them)."""
    return {} if raw is None else stored_json(raw)
