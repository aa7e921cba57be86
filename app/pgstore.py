"""The second store (issue 18): a project in a PostgreSQL database, reached by URL through psycopg 3.

The same surface as app.store.SqliteStore, so the code above the seam does not know which one it has:
`engine` reads (REPEATABLE READ: one snapshot per transaction, as SQLite gives a reader), `write_engine`
writes (READ COMMITTED: an analyst's edit touches only their own rows and waits on nobody). Transactions
that must not interleave with each other, the importer's and the indexes' (their watermarks say "every
document up to id N is read", which holds only if no document with a smaller id commits later), take a
transaction-scoped advisory lock first, waiting a bounded time as a SQLite writer waits for the file's lock.

What is written where is the server's to enforce (app.team: row-level security); a refusal comes back as
a ProjectError naming the server and the reason.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, make_url

from app.i18n import _, ngettext, number
from app.store import (LOCK_ATTEMPT_MS, WRITE_WAIT_SECONDS, ProjectBusy, ProjectError, ProjectReadOnly,
                       ProjectUnreachable)

DRIVER = "postgresql+psycopg"  # psycopg 3, a regular dependency
# The advisory lock serialising imports and index runs within one database (the key is per database).
SERIAL_LOCK_KEY = 0x48534941  # "HSIA"
CONNECT_TIMEOUT_SECONDS = 10
APPLICATION = "hashiya"  # project_info 'application' on a server, as PRAGMA application_id marks a file


def server_url(location) -> URL:
    """The SQLAlchemy URL of a server project, for psycopg; a password in it is refused (it would end up in
    settings, shell history and window titles): logins use ~/.pgpass, a service file or the keyring."""
    try:
        url = make_url(str(location).replace("postgres://", "postgresql://", 1))
    except Exception as error:  # ArgumentError, ValueError: the address is malformed
        raise ProjectError(_("{url} is not a PostgreSQL address (postgresql://user@host/database).").format(
            url=location)) from error
    if url.get_backend_name() != "postgresql":
        raise ProjectError(_("{url} is not a PostgreSQL address (postgresql://user@host/database).").format(
            url=location))
    if url.password:
        raise ProjectError(_("{url} holds a password: keep it out of commands and files (use ~/.pgpass or a "
                             "service file).").format(url=url.render_as_string(hide_password=True)))
    return url.set(drivername=DRIVER)


def shown(url: URL) -> str:
    """How a server project is named to a person: its URL in the usual postgresql:// form, no password."""
    return url.set(drivername="postgresql").render_as_string(hide_password=True)


class PostgresStore:
    """One project database on a server, opened for reading and (as the server allows) writing."""

    is_file = False
    dialect = "postgresql"

    def __init__(self, url: URL, read_only_reason: str | None = None, application: str = "hashiya"):
        self.url = url
        self.path = None  # a server project has no file
        self.location = shown(url)
        self.name = _("{database} on {host}").format(database=url.database or "?",
                                                      host=url.host or url.query.get("host") or "localhost")
        self.read_only_reason = read_only_reason
        self.waiting: Callable[[bool], None] | None = None
        self.write_wait_seconds = WRITE_WAIT_SECONDS
        self.engine = create_engine(
            url, isolation_level="REPEATABLE READ", pool_pre_ping=True,
            connect_args={"application_name": application[:60], "connect_timeout": CONNECT_TIMEOUT_SECONDS})
        event.listen(self.engine, "begin", self._begin)
        event.listen(self.engine, "handle_error", self._refusal)
        self.write_engine = self.engine.execution_options(isolation_level="READ COMMITTED", hashiya_write=True)

    @property
    def read_only(self) -> bool:
        return self.read_only_reason is not None

    def _refusal(self, context):
        """The server's refusal of a write this login may not make, said as such (not as a failed statement)."""
        from psycopg import errors

        if context.is_pre_ping:
            return None  # the pool is checking a connection it will replace: not the caller's business
        if context.is_disconnect or isinstance(context.original_exception, errors.OperationalError):
            reason = str(context.original_exception).strip().splitlines()[0]
            return ProjectUnreachable(_(
                "{path} cannot be reached: {reason}. Nothing was lost: what was not saved can be tried again "
                "once the server answers.").format(path=self.location, reason=reason))
        if isinstance(context.original_exception, errors.InsufficientPrivilege):
            reason = str(context.original_exception).strip().splitlines()[0]
            return ProjectRefused(_(
                "{path} refused the change: {reason}. On a team server each analyst writes only their own "
                "layer; the gold layer is the adjudicators', the schema and the documents the admins'.").format(
                path=self.location, reason=reason))
        return None

    def _begin(self, connection) -> None:
        options = connection.get_execution_options()
        if options.get("hashiya_write"):
            self.check_before_write()
        driver = connection.connection.driver_connection
        if options.get("hashiya_serial"):
            self._take_serial_lock(driver)
        if options.get("hashiya_relaxed"):
            driver.execute("SET LOCAL synchronous_commit = off")

    def _take_serial_lock(self, driver) -> None:
        deadline = time.monotonic() + self.write_wait_seconds
        waited = False
        try:
            while not driver.execute("SELECT pg_try_advisory_xact_lock(%s)", (SERIAL_LOCK_KEY,)).fetchone()[0]:
                if time.monotonic() >= deadline:
                    raise ProjectBusy(ngettext(
                        "{path} is being written by another window or program, which has held it for more "
                        "than {seconds} second; nothing was written",
                        "{path} is being written by another window or program, which has held it for more "
                        "than {seconds} seconds; nothing was written", round(self.write_wait_seconds)).format(
                        path=self.location, seconds=number(self.write_wait_seconds, decimals=0)))
                if not waited and self.waiting is not None:
                    self.waiting(True)
                waited = True
                time.sleep(LOCK_ATTEMPT_MS / 1000 / 4)
        finally:
            if waited and self.waiting is not None:
                self.waiting(False)

    def check_before_write(self, fold: bool = True) -> None:
        if self.read_only:
            raise ProjectReadOnly(_("{path} is open read-only: {reason}. Nothing was changed.").format(
                path=self.location, reason=self.read_only_reason))

    # ---- what the project asks of its database ------------------------------------------------------------
    def quick_check(self) -> str:
        return "ok"  # the server checks its own pages

    def schema_version(self) -> int | None:
        """The project format the database holds (project_info), None when it holds no project at all."""
        with self.engine.connect() as connection:
            if connection.execute(text("SELECT to_regclass('project_info')")).scalar() is None:
                return None
            rows = dict(connection.execute(text(
                "SELECT key, value FROM project_info WHERE key IN ('application', 'schema_version')")).all())
        if rows.get("application") != APPLICATION:
            raise ProjectError(_("{path} holds tables, but not a Hashiya project.").format(path=self.location))
        return int(rows.get("schema_version", "0"))

    def upgrade(self, version: int) -> None:
        from app.migrations import upgrade_server

        with self.write_engine.execution_options(hashiya_serial=True).begin() as connection:
            upgrade_server(connection, version)

    @contextlib.contextmanager
    def relaxed_durability(self, connection):
        """Derived data committed without waiting for the server's disk (synchronous_commit off): still atomic,
        the last commits may be lost if the server crashes, and an index then reads those documents again."""
        connection.execution_options(hashiya_relaxed=True)  # each of its transactions: see _begin
        yield

    def current_role(self) -> str:
        with self.engine.connect() as connection:
            return connection.execute(text("SELECT current_user")).scalar_one()

    def save_copy(self, target) -> None:
        from app.transfer import pull

        pull(self, target)

    def fold_wal(self) -> None:
        """Nothing to fold: the server keeps its own files."""

    def close(self) -> None:
        self.engine.dispose()


class ProjectRefused(ProjectError):
    """The server does not let this login make that change (row-level security, or table privileges)."""


# ---- the raw driver, in SQLite's manners ---------------------------------------------------------------------
class PsycopgDriver:
    """A psycopg connection behaving as the sqlite3 one the indexes were written for: `?` placeholders,
    `executemany` on the connection, JSON columns as their stored text (psycopg would decode them)."""

    dialect = "postgresql"

    def __init__(self, connection):
        self.connection = connection

    def _cursor(self):
        from psycopg.types.string import TextLoader

        cursor = self.connection.cursor()
        for json_type in ("json", "jsonb"):
            cursor.adapters.register_loader(json_type, TextLoader)
        return cursor

    def execute(self, statement: str, parameters=()):
        cursor = self._cursor()
        cursor.execute(_pyformat(statement), tuple(parameters))
        return cursor

    def executemany(self, statement: str, rows):
        rows = list(rows)
        cursor = self._cursor()
        if rows:
            cursor.executemany(_pyformat(statement), rows)
        return cursor

    def cursor(self):
        return self._cursor()

    def mark_project(self, application_id: int, version: int) -> None:
        """Mark a new database as a Hashiya project of format `version` (project_info: a server database
        has no header to keep them in), and have it tell every window of each change (see notify_changes)."""
        self.executemany("INSERT INTO project_info (key, value) VALUES (?, ?)",
                         [("application", APPLICATION), ("schema_version", str(version))])
        notify_changes(self)

    @property
    def search(self):
        from app.searchindex import TermsIndex

        return TermsIndex(self)


@lru_cache(maxsize=256)
def _pyformat(statement: str) -> str:
    # The statements are the program's own (values always go as parameters), so a ? is a placeholder.
    return statement.replace("%", "%%").replace("?", "%s")


# ---- others' work, live -------------------------------------------------------------------------------------
CHANNEL = "hashiya_changes"
# The tables whose changes other windows show at once: work (spans), progress (statuses), queues.
WATCHED_TABLES = ("annotations", "document_status", "assignments")


def notify_changes(driver) -> None:
    """Triggers that announce, on commit, each (table, document, analyst) a statement changed: one
    notification per pair and transaction (the server folds repeats), whoever wrote it, Hashiya or not.
    Statement triggers over transition tables: importing 100,000 spans costs one pass, not 100,000 calls."""
    driver.execute(f"""CREATE OR REPLACE FUNCTION hashiya_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', json_build_object('table', TG_TABLE_NAME, 'document', document_id,
                                                             'analyst', annotator_id)::text)
            FROM (SELECT DISTINCT document_id, annotator_id FROM changed) AS pairs;
            RETURN NULL;
        END $$""")
    for table in WATCHED_TABLES:
        for operation, transition in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
            name = f"hashiya_{table}_{operation.lower()}"
            driver.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            driver.execute(f"CREATE TRIGGER {name} AFTER {operation} ON {table} REFERENCING {transition} TABLE "
                           "AS changed FOR EACH STATEMENT EXECUTE FUNCTION hashiya_changed()")


@dataclass(frozen=True)
class Change:
    table: str
    document_id: int
    annotator_id: int


class ChangeListener:
    """Hears the server's change notifications on a connection of its own, in a thread of its own (no Qt
    here: ui/liveprogress.py turns them into signals). `on_change(Change)` for each one; `on_state(connected,
    reason)` when the connection is made, lost (the server restarting, the network gone: said at once) and
    made again, which it keeps trying every few seconds until stopped."""

    RETRY_SECONDS = (1, 2, 5)
    POLL_SECONDS = 0.5  # how soon a stop is noticed

    def __init__(self, url: URL, on_change: Callable[[Change], None],
                 on_state: Callable[[bool, str], None] = lambda connected, reason: None):
        self._conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._on_change, self._on_state = on_change, on_state
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hashiya-changes", daemon=True)

    def start(self) -> "ChangeListener":
        self._thread.start()
        return self

    def stop(self, wait: float = 5.0) -> None:
        self._stopping.set()
        self._thread.join(wait)

    def _run(self) -> None:
        import psycopg

        failures = 0
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS,
                                     application_name="hashiya-live", keepalives=1, keepalives_idle=5,
                                     keepalives_interval=2, keepalives_count=3) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    failures = 0
                    self._on_state(True, "")
                    self._listen(connection)
            except psycopg.Error as error:
                if self._stopping.is_set():
                    return
                self._on_state(False, str(error).strip().splitlines()[0] if str(error).strip() else repr(error))
                self._stopping.wait(self.RETRY_SECONDS[min(failures, len(self.RETRY_SECONDS) - 1)])
                failures += 1

    def _listen(self, connection) -> None:
        while not self._stopping.is_set():
            for note in connection.notifies(timeout=self.POLL_SECONDS):
                change = _parse_change(note.payload)
                if change is not None:
                    self._on_change(change)
            if connection.closed or connection.broken:
                import psycopg

                raise psycopg.OperationalError(_("the connection to the server was closed"))


def _parse_change(payload: str) -> Change | None:
    try:
        found = json.loads(payload)
        return Change(str(found["table"]), int(found["document"]), int(found["analyst"]))
    except (ValueError, KeyError, TypeError):
        return None  # not ours: anyone may notify on a channel
