"""Moving a whole project between a file and a server (issue 18): `hashiya team push FILE URL` uploads a file
project (documents, schema, every analyst's work, the indexes) into an empty database; `hashiya team pull URL
FILE` takes a snapshot of a server project back as a file, for travel or archiving (and is File → Save a copy
of a server project).

Every table is copied row for row with its ids, in the order its references need, each side in one
transaction: the server's snapshot is one REPEATABLE READ transaction, the file is built beside its
destination and renamed into place. Only the search index is rebuilt, in the target's own form (FTS5 in a
file, term rows on a server), from the same tokens.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

from sqlalchemy import Integer, func, insert, select, text

from app.i18n import _
from app.models import Base, Document, ProjectInfo
from app.store import ProjectError, driver_of

CHUNK = 1_000
# What marks a database as a project, written by the target's own creation, never copied over it.
MARKER_KEYS = frozenset({"application", "schema_version"})


def push(source_path, url, progress: Callable[[str, int], None] = lambda table, rows: None) -> dict[str, int]:
    """Upload the project file at `source_path` into the empty database at `url`; rows copied per table."""
    from app.project import Project

    source = Project.open(Path(source_path), read_only=_("it is being uploaded to a server"))
    try:
        target = Project.create(url)
        try:
            with source.engine.connect() as reading, target.store.write_engine.begin() as writing:
                copied = _copy_tables(reading, writing, progress)
                _restart_id_sequences(writing)
                _index_documents(writing)
        except BaseException:
            target.close()
            _empty_server_database(url)
            raise
        target.close()
    finally:
        source.close()
    return copied


def pull(store_or_url, target_path, progress: Callable[[str, int], None] = lambda table, rows: None) -> dict[str, int]:
    """A snapshot of the server project (`store_or_url`: its URL, or the store of one that is open) written to
    the project file `target_path` (replaced atomically); rows copied per table."""
    from app.pgstore import PostgresStore
    from app.project import Project

    target_path = Path(target_path)
    opened_here = not isinstance(store_or_url, PostgresStore)
    source = Project.open(store_or_url).store if opened_here else store_or_url
    partial = target_path.with_name(f".{target_path.name}.partial")
    _remove_file_and_journals(partial)
    try:
        building = Project.create(partial)
        try:
            with source.engine.connect() as reading, building.store.write_engine.begin() as writing:
                copied = _copy_tables(reading, writing, progress)
                _index_documents(writing)
        finally:
            building.close()
        os.replace(partial, target_path)
    except BaseException:
        _remove_file_and_journals(partial)
        raise
    finally:
        if opened_here:
            source.close()
    return copied


def _copy_tables(reading, writing, progress) -> dict[str, int]:
    """Every table of the project, parents before children; the target's labels and facts (made when it was
    created) give way to the source's."""
    copied: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        if table.name == "labels":
            writing.execute(table.delete())
        query = select(table)
        if table.name == ProjectInfo.__tablename__:
            query = query.where(table.c.key.not_in(MARKER_KEYS))
            writing.execute(table.delete().where(table.c.key.not_in(MARKER_KEYS)))
        order = [column for column in table.primary_key.columns]
        count = 0
        result = reading.execution_options(stream_results=True, yield_per=CHUNK).execute(query.order_by(*order))
        for rows in result.mappings().partitions(CHUNK):
            writing.execute(insert(table), [dict(row) for row in rows])
            count += len(rows)
            progress(table.name, count)
        copied[table.name] = count
    return copied


def _restart_id_sequences(writing) -> None:
    """Rows came with their ids: a server's id sequences must start after them (SQLite takes max + 1 itself)."""
    for table in Base.metadata.sorted_tables:
        column = table.c.get("id")
        if column is None or not column.primary_key or not isinstance(column.type, Integer):
            continue
        writing.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                             f"coalesce(max(id), 1), max(id) IS NOT NULL) FROM {table.name}"))


def _index_documents(writing) -> None:
    index = driver_of(writing).search
    last = 0
    while True:
        rows = writing.execute(select(Document.id, Document.text).where(Document.id > last)
                               .order_by(Document.id).limit(CHUNK)).all()
        if not rows:
            return
        index.add([(document_id, stored) for document_id, stored in rows])
        last = rows[-1][0]


def _empty_server_database(url) -> None:
    """A push that failed leaves the database as it found it, empty (its transaction was rolled back; the
    tables made by creating the project are dropped)."""
    from app.pgstore import PostgresStore, server_url
    from app.searchindex import TERMS_TABLE

    store = PostgresStore(server_url(url))
    try:
        with store.engine.begin() as connection:
            connection.execute(text(f"DROP TABLE IF EXISTS {TERMS_TABLE}"))
            Base.metadata.drop_all(connection)
    except Exception as error:  # the first error is the one reported
        raise ProjectError(_("{path}: the failed upload could not be cleared away: {reason}.").format(
            path=store.location, reason=error)) from error
    finally:
        store.close()


def _remove_file_and_journals(path: Path) -> None:
    for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        leftover.unlink(missing_ok=True)


def row_counts(project) -> dict[str, int]:
    """Rows per table (for checking a transfer)."""
    with project.engine.connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in Base.metadata.sorted_tables}
