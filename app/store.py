"""The storage seam: everything particular to the database a project lives in.

Today that is one SQLite file per project. This module decides how the file is opened (as a path, never
parsed as a URL; read-write, or read-only when the file or its folder cannot be written), how a write
transaction starts (BEGIN IMMEDIATE, waiting a bounded time for another window that is writing), and what
is checked before anything is written: that the path still leads to the file that was opened. A second
backend (a database server) is another class with the same surface, not a change to the code above it.

The rest of the program reads through `Store.engine` and writes through `Store.write_engine` (whose
transactions are the only ones allowed to write).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import Boolean, ColumnElement, Engine, String, create_engine, event, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.pool import QueuePool

from app.i18n import _, ngettext, number

SQLITE_MAGIC = b"SQLite format 3\x00"
# How long one attempt to take the write lock waits inside SQLite, and how long a write waits in all
# for another window (or program) to finish writing before it is reported.
LOCK_ATTEMPT_MS = 200
WRITE_WAIT_SECONDS = 30.0
# Reads in WAL mode are not blocked by a writer; this only covers a checkpoint or a recovery.
READ_BUSY_TIMEOUT_MS = 10_000
SQLITE_BUSY, SQLITE_LOCKED = 5, 6


class ProjectError(Exception):
    """A project file cannot be opened or written; the message names the file and why."""


class ProjectReadOnly(ProjectError):
    """A write was asked of a project that is open read-only; the message says why it is read-only."""


class ProjectFileMoved(ProjectError):
    """The project file was moved, renamed, replaced or deleted while open: nothing more is written."""

    def __init__(self, message: str, path: Path, now_at: Path | None, deleted: bool):
        super().__init__(message)
        self.path, self.now_at, self.deleted = path, now_at, deleted


class ProjectBusy(ProjectError):
    """Another window or program held the write lock for longer than a write waits."""


class ProjectUnreachable(ProjectError):
    """The database server cannot be reached (down, restarting, the network gone): the edit was not made,
    and may be tried again once it is back."""


def can_retry(error: BaseException) -> bool:
    """Whether an edit that failed with `error` may simply be tried again later (and is kept for that)."""
    return is_busy(error) or isinstance(error, ProjectUnreachable)


def is_busy(error: BaseException) -> bool:
    """Whether `error` (sqlite3's, or SQLAlchemy's wrapping of it) says the database was locked."""
    if isinstance(error, ProjectBusy):
        return True
    original = getattr(error, "orig", None) or error
    return isinstance(original, sqlite3.OperationalError) and (
        getattr(original, "sqlite_errorcode", None) in (SQLITE_BUSY, SQLITE_LOCKED)
        or "database is locked" in str(original))


@dataclass(frozen=True)
class FileIdentity:
    device: int
    inode: int

    @classmethod
    def of(cls, path: Path) -> "FileIdentity":
        status = os.stat(path)
        return cls(status.st_dev, status.st_ino)


# ---- opening a file as a path -----------------------------------------------------------------------------
def file_uri(path: Path, **parameters: str) -> str:
    """An SQLite URI for `path`: every character of the path is percent-encoded by pathlib (so ?, #, %
    and & in a folder or file name stay part of the name), then the query parameters follow."""
    query = "&".join(f"{key}={value}" for key, value in parameters.items())
    return Path(os.path.abspath(path)).as_uri() + (f"?{query}" if query else "")


def wal_path(path: Path) -> Path:
    return path.with_name(path.name + "-wal")


def shm_path(path: Path) -> Path:
    return path.with_name(path.name + "-shm")


def read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that only reads `path` and leaves nothing beside it: when no -wal file is there (no one
    has the file open, or it was closed cleanly) the file is read as immutable, which creates no -wal or
    -shm; otherwise those files exist already and are read as they are."""
    if wal_path(path).exists():
        return sqlite3.connect(file_uri(path, mode="ro"), uri=True)
    return sqlite3.connect(file_uri(path, mode="ro", immutable="1"), uri=True)


def consistent_copy(path: Path, target: Path) -> None:
    """Copy a project file with SQLite's backup API: what is committed, WAL included, even while another
    process has it open; nothing is left beside `path`."""
    reader = read_only_connection(path)
    copy = sqlite3.connect(target)
    try:
        reader.backup(copy)
    finally:
        copy.close()
        reader.close()


def why_read_only(path: Path) -> str | None:
    """Why `path` can only be read here (None when it can be written): the file itself, or its folder,
    where SQLite must be able to create the journal files beside it."""
    folder = path.parent
    if not os.access(path, os.W_OK):
        return _("the file {path} cannot be written (it is read-only, or belongs to someone else)").format(path=path)
    if not os.access(folder, os.W_OK | os.X_OK):
        return _("its folder {folder} cannot be written, and a project needs to keep working files "
                 "beside itself while it is edited").format(folder=folder)
    return None


def where_open_file_is(identity: FileIdentity) -> tuple[Path | None, bool]:
    """Where the file this process has open (by identity) is now, and whether it was deleted.

    Linux only (/proc/self/fd); elsewhere (None, False): the file was moved to an unknown place."""
    fd_folder = Path("/proc/self/fd")
    try:
        entries = list(fd_folder.iterdir())
    except OSError:
        return None, False
    for entry in entries:
        try:
            status = entry.stat()
            target = os.readlink(entry)
        except OSError:
            continue
        if (status.st_dev, status.st_ino) == (identity.device, identity.inode):
            if target.endswith(" (deleted)") or status.st_nlink == 0:
                return None, True
            return Path(target), False
    return None, False


# ---- the store ----------------------------------------------------------------------------------------------
class SqliteStore:
    """One project file, opened for reading and (unless read-only) writing.

    Its counterpart on a database server is app.pgstore.PostgresStore, with the same surface.

    `waiting` is called with True while a write waits for another window's write lock and with False once
    it has it; the window shows that state (see ui/busy.py). It runs on the thread that writes."""

    is_file = True
    dialect = "sqlite"

    def __init__(self, path: Path, read_only_reason: str | None = None, create: bool = False):
        self.path = Path(path)
        self.location = str(self.path)
        self.name = self.path.name
        self.read_only_reason = read_only_reason
        self.waiting: Callable[[bool], None] | None = None
        self.write_wait_seconds = WRITE_WAIT_SECONDS
        self._wal_existed = wal_path(self.path).exists()
        self._uri = self._open_uri(create)
        self.identity: FileIdentity | None = None
        self._keeper: sqlite3.Connection | None = None
        self._keeper_lock = threading.Lock()
        self.engine = self._make_engine()
        if not create:
            self.identity = FileIdentity.of(self.path)
            # Kept open for the life of the store: after a move or a delete it still reaches the file that
            # was opened (and its WAL), so everything can be saved elsewhere.
            self._keeper = self._connect()
            # Read once now: a connection that first reads the WAL after the file was renamed cannot
            # (SQLite reports a disk I/O error), one that has read it before goes on reading and folding it.
            self._keeper.execute("SELECT count(*) FROM sqlite_master").fetchone()
            self._keeper.execute(f"PRAGMA busy_timeout = {LOCK_ATTEMPT_MS * 5}")
        self.write_engine = self.engine.execution_options(hashiya_write=True)

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def _open_uri(self, create: bool) -> str:
        if create:
            return file_uri(self.path, mode="rwc")
        if not self.read_only:
            # rw, never rwc: a path that no longer leads to a file must fail, not create an empty project.
            return file_uri(self.path, mode="rw")
        if self._wal_existed:
            return file_uri(self.path, mode="ro")
        return file_uri(self.path, mode="ro", immutable="1")

    def _connect(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self._uri, uri=True, check_same_thread=False, isolation_level=None)
        if self.identity is not None and not self.read_only:
            try:
                now = FileIdentity.of(self.path)
            except OSError:
                now = None
            if now != self.identity:
                connection.close()
                raise self._moved_error()
        return connection

    def _make_engine(self) -> Engine:
        # A creator, not a URL: the path is never parsed, so ? # % & ; = + in it are plain characters.
        engine = create_engine("sqlite://", creator=self._connect, poolclass=QueuePool)
        event.listen(engine, "connect", self._configure)
        event.listen(engine, "begin", self._begin)
        event.listen(engine, "commit", self._before_commit)
        return engine

    def _configure(self, dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
        dbapi_connection.execute(f"PRAGMA busy_timeout = {READ_BUSY_TIMEOUT_MS}")
        if not self.read_only:
            dbapi_connection.execute("PRAGMA journal_mode = WAL")
            # FULL: a commit is on disk before the UI shows the edit as done.
            dbapi_connection.execute("PRAGMA synchronous = FULL")

    # ---- transactions ---------------------------------------------------------------------------------------
    def _begin(self, connection) -> None:
        """Reads begin a deferred transaction; writes check the file first, then take the write lock at once
        (BEGIN IMMEDIATE), so two windows writing wait for each other instead of failing half-way."""
        driver = connection.connection.driver_connection
        if not connection.get_execution_options().get("hashiya_write"):
            driver.execute("BEGIN")
            return
        self.check_before_write()
        self._take_write_lock(driver)

    def _take_write_lock(self, driver: sqlite3.Connection) -> None:
        deadline = time.monotonic() + self.write_wait_seconds
        driver.execute(f"PRAGMA busy_timeout = {LOCK_ATTEMPT_MS}")
        waited = False
        try:
            while True:
                try:
                    driver.execute("BEGIN IMMEDIATE")
                    return
                except sqlite3.OperationalError as error:
                    if not is_busy(error):
                        raise
                    if time.monotonic() >= deadline:
                        seconds = round(self.write_wait_seconds)
                        raise ProjectBusy(ngettext(
                            "{path} is being written by another window or program, which has held it for "
                            "more than {seconds} second; nothing was written",
                            "{path} is being written by another window or program, which has held it for "
                            "more than {seconds} seconds; nothing was written", seconds).format(
                            path=self.path, seconds=number(self.write_wait_seconds, decimals=0))) from error
                    if not waited and self.waiting is not None:
                        self.waiting(True)
                    waited = True
        finally:
            driver.execute(f"PRAGMA busy_timeout = {READ_BUSY_TIMEOUT_MS}")
            if waited and self.waiting is not None:
                self.waiting(False)

    def _before_commit(self, connection) -> None:
        # The file may have moved while the transaction ran: then it is rolled back, not committed (and the
        # WAL is folded at the next check, once this transaction no longer holds the write lock).
        if connection.get_execution_options().get("hashiya_write"):
            self.check_before_write(fold=False)

    def check_before_write(self, fold: bool = True) -> None:
        if self.read_only:
            raise ProjectReadOnly(_("{path} is open read-only: {reason}. Nothing was changed.").format(
                path=self.path, reason=self.read_only_reason))
        if self.identity is None:
            return  # still being created
        try:
            current = FileIdentity.of(self.path)
        except FileNotFoundError:
            current = None
        except OSError as error:
            raise ProjectError(_("{path} cannot be checked before writing: {reason}").format(
                path=self.path, reason=error.strerror or error)) from error
        if current != self.identity:
            raise self._moved_error(fold)

    def _moved_error(self, fold: bool = True) -> ProjectFileMoved:
        """What happened to the file. The edits still in the WAL, which stays beside the old name, are folded
        into the opened file wherever it is now (so a moved file is whole), and the WAL is emptied: left
        there, it would be read into any other file that comes to have the old name."""
        now_at, deleted = where_open_file_is(self.identity) if self.identity else (None, False)
        if fold:
            self._fold_wal_into_file()
        replaced = self.path.exists()
        if deleted:
            message = _("{path} was deleted while it was open. Nothing more is written to it: save the project "
                        "to a place you choose to go on working.")
        elif now_at is not None:
            message = _("{path} was moved or renamed to {now_at} while it was open; everything saved so far is in "
                        "that file. Nothing more is written to it: save the project to a place you choose to go on "
                        "working.")
        elif replaced:
            message = _("{path} was replaced by another file while it was open. Nothing more is written to it: "
                        "save the project to a place you choose to go on working.")
        else:
            message = _("{path} was moved, renamed or deleted while it was open. Nothing more is written to it: "
                        "save the project to a place you choose to go on working.")
        return ProjectFileMoved(message.format(path=self.path, now_at=now_at), self.path, now_at, deleted)

    def _fold_wal_into_file(self) -> None:
        with contextlib.suppress(sqlite3.Error), self._keeper_lock:
            if self._keeper is not None:
                self._keeper.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # ---- what the project asks of its database ------------------------------------------------------------
    def quick_check(self) -> str:
        with self.engine.connect() as connection:
            return connection.exec_driver_sql("PRAGMA quick_check").scalar()

    def schema_version(self) -> int:
        with self.engine.connect() as connection:
            return connection.exec_driver_sql("PRAGMA user_version").scalar()

    @contextlib.contextmanager
    def relaxed_durability(self, connection):
        """Commits of derived data with synchronous=NORMAL: in WAL mode still atomic, only the last ones may
        be lost on a power cut (an index then reads those documents again)."""
        driver = connection.connection.driver_connection
        driver.execute("PRAGMA synchronous = NORMAL")
        try:
            yield
        finally:
            driver.execute("PRAGMA synchronous = FULL")

    # ---- copies and closing ---------------------------------------------------------------------------------
    def save_copy(self, target: Path) -> None:
        """Everything committed, through the connection that has the opened file (moved or deleted since,
        maybe), copied to `target` with SQLite's backup API; `target` is replaced atomically."""
        target = Path(target)
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        try:
            copy = sqlite3.connect(partial)
            try:
                with self._keeper_lock:
                    source = self._keeper or self._connect()
                    source.backup(copy)
                copy.execute("PRAGMA journal_mode = DELETE")
            finally:
                copy.close()
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise

    def fold_wal(self) -> None:
        """Fold the WAL back into the file (closing: the project is one file again). Through the connection
        that has the opened file, so a file moved meanwhile is made whole where it is now."""
        if not self.read_only:
            self._fold_wal_into_file()

    def close(self) -> None:
        try:
            self.fold_wal()
        finally:
            self.engine.dispose()
            with self._keeper_lock:
                if self._keeper is not None:
                    self._keeper.close()
                    self._keeper = None


# ---- what differs between the databases, for the code above the seam -----------------------------------------
class SqliteDriver:
    """The sqlite3 connection under a SQLAlchemy one, as the indexes use it (`?` placeholders, executemany,
    JSON as its stored text); app.pgstore.PsycopgDriver behaves the same on a server."""

    dialect = "sqlite"

    def __init__(self, connection: sqlite3.Connection):
        self.connection = connection

    def execute(self, statement: str, parameters=()):
        return self.connection.execute(statement, parameters)

    def executemany(self, statement: str, rows):
        return self.connection.executemany(statement, rows)

    def cursor(self):
        return self.connection.cursor()

    def mark_project(self, application_id: int, version: int) -> None:
        """Mark a new file as a Hashiya project of format `version` (in its header, as SQLite keeps them)."""
        self.connection.execute(f"PRAGMA application_id = {int(application_id)}")
        self.connection.execute(f"PRAGMA user_version = {int(version)}")

    @property
    def search(self):
        from app.searchindex import Fts5Index

        return Fts5Index(self)


def driver_of(connection):
    """The raw driver of a SQLAlchemy connection (or session), in the manners both stores give it."""
    if not hasattr(connection, "dialect"):  # an ORM session
        connection = connection.connection()
    raw = connection.connection.driver_connection
    if connection.dialect.name == "sqlite":
        return SqliteDriver(raw)
    from app.pgstore import PsycopgDriver

    return PsycopgDriver(raw)


def dialect_insert(bind, table):
    """An INSERT of `table` for the database of `bind` (connection or session), with its ON CONFLICT
    clauses (`on_conflict_do_nothing`, `on_conflict_do_update`): the same words on both databases."""
    name = bind.dialect.name if hasattr(bind, "dialect") else bind.get_bind().dialect.name
    return (sqlite if name == "sqlite" else postgresql).insert(table)


def upsert(bind, table, keys: list, values: list):
    """INSERT `table`, or on a row with the same `keys` set `values` (column names) to the new ones."""
    statement = dialect_insert(bind, table)
    return statement.on_conflict_do_update(
        index_elements=keys, set_={name: getattr(statement.excluded, name) for name in values})


class JsonStringAt(ColumnElement):
    """A JSON column's value at a path of object keys when it is a string, else NULL (an object there, or
    nothing): the same answer from SQLite's JSON functions and PostgreSQL's operators."""

    type = String()
    inherit_cache = False

    def __init__(self, column, *keys: str):
        self.column, self.keys = column, keys


@compiles(JsonStringAt, "sqlite")
def _json_string_at_sqlite(element, compiler, **kw):
    column = compiler.process(element.column, **kw)
    path = "$." + ".".join(element.keys)  # keys are the program's words, never data
    return f"CASE WHEN json_type({column}, '{path}') = 'text' THEN json_extract({column}, '{path}') END"


@compiles(JsonStringAt, "postgresql")
def _json_string_at_postgresql(element, compiler, **kw):
    column = compiler.process(element.column, **kw)
    path = "'{" + ",".join(element.keys) + "}'"
    return f"CASE WHEN json_typeof({column} #> {path}) = 'string' THEN {column} #>> {path} END"


class AsciiCaseLike(ColumnElement):
    """`column LIKE pattern` (escape `\\`) ignoring the case of ASCII letters only, as SQLite's LIKE does; a
    server's ILIKE would fold every script's letters."""

    type = Boolean()
    inherit_cache = False

    def __init__(self, column, pattern: str):
        self.column, self.pattern = column, literal(pattern, String())


@compiles(AsciiCaseLike, "sqlite")
def _ascii_case_like_sqlite(element, compiler, **kw):
    return f"{compiler.process(element.column, **kw)} LIKE {compiler.process(element.pattern, **kw)} ESCAPE '\\'"


_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"


@compiles(AsciiCaseLike, "postgresql")
def _ascii_case_like_postgresql(element, compiler, **kw):
    def lowered(sql: str) -> str:
        return f"translate({sql}, '{_UPPER}', '{_LOWER}')"
    column, pattern = compiler.process(element.column, **kw), compiler.process(element.pattern, **kw)
    return f"{lowered(column)} LIKE {lowered(pattern)} ESCAPE '\\'"


def stored_json(raw):
    """A JSON column read as raw as the driver allows: its text on SQLite, already decoded by psycopg."""
    if raw is None or isinstance(raw, (dict, list)):
        return raw
    return {} if raw == "{}" else json.loads(raw)
