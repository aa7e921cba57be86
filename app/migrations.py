"""Schema versions of the project file and the steps between them.

The version lives in `PRAGMA user_version`; `PRAGMA application_id` marks a
file as a Hashiya project. New projects are created at the latest version from
the models; older files are upgraded step by step, after a backup copy.
A test checks that an upgraded file has the same schema as a new one.
"""

from __future__ import annotations

import sqlite3
from typing import Callable

from app import searchindex

APPLICATION_ID = int.from_bytes(b"HSYA", "big")
SCHEMA_VERSION = 10

# Each step takes a file from version N-1 to N; it runs in one transaction. A step is SQL
# statements, or functions of the sqlite3 connection where SQL alone cannot do it.
STEPS: dict[int, list[str | Callable[[sqlite3.Connection], None]]] = {
    # 2: per-analyst document status, and an index for "this analyst's spans in this document".
    2: [
        """CREATE TABLE document_status (
            document_id INTEGER NOT NULL,
            annotator_id INTEGER NOT NULL,
            status VARCHAR NOT NULL,
            updated_at VARCHAR NOT NULL,
            PRIMARY KEY (document_id, annotator_id),
            CONSTRAINT known_status CHECK (status IN ('new', 'in_progress', 'done')),
            FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE,
            FOREIGN KEY(annotator_id) REFERENCES annotators (id) ON DELETE CASCADE
        )""",
        "CREATE INDEX ix_annotations_doc_annotator_layer ON annotations (document_id, annotator_id, layer)",
        "DROP INDEX IF EXISTS ix_annotations_document_id",
    ],
    # 3: proposals an analyst rejected ("annotate all occurrences" does not propose them again).
    3: [
        """CREATE TABLE rejections (
            id INTEGER NOT NULL,
            annotator_id INTEGER NOT NULL,
            layer VARCHAR NOT NULL,
            label VARCHAR NOT NULL,
            form VARCHAR NOT NULL,
            document_id INTEGER,
            start INTEGER,
            "end" INTEGER,
            created_at VARCHAR NOT NULL,
            PRIMARY KEY (id),
            FOREIGN KEY(annotator_id) REFERENCES annotators (id) ON DELETE CASCADE,
            FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE
        )""",
        "CREATE INDEX ix_rejections_form_label ON rejections (form, label, layer)",
    ],
    # 4: the corpus search index (app.searchindex), filled for the documents already there.
    4: [
        searchindex.CREATE_TABLE,
        searchindex.index_all_documents,
    ],
    # 5: the boilerplate and near-duplicate index (app.boilerplate_index, app.duplicates); it fills
    # itself, reading the documents after a watermark.
    5: [
        """CREATE TABLE boilerplate_sites (
            id INTEGER NOT NULL,
            name VARCHAR NOT NULL,
            documents INTEGER NOT NULL,
            PRIMARY KEY (id),
            UNIQUE (name)
        )""",
        """CREATE TABLE boilerplate_lines (
            fingerprint INTEGER NOT NULL,
            site_id INTEGER NOT NULL,
            document_id INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            PRIMARY KEY (fingerprint, site_id, document_id, start),
            FOREIGN KEY(site_id) REFERENCES boilerplate_sites (id),
            FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE
        ) WITHOUT ROWID""",
        "CREATE INDEX ix_boilerplate_lines_document ON boilerplate_lines (document_id)",
        """CREATE TABLE boilerplate_counts (
            fingerprint INTEGER NOT NULL,
            site_id INTEGER NOT NULL,
            documents INTEGER NOT NULL,
            PRIMARY KEY (fingerprint, site_id),
            FOREIGN KEY(site_id) REFERENCES boilerplate_sites (id)
        ) WITHOUT ROWID""",
        """CREATE TABLE boilerplate_cues (
            id INTEGER NOT NULL,
            document_id INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            category VARCHAR NOT NULL,
            reason VARCHAR NOT NULL,
            fingerprint INTEGER NOT NULL,
            PRIMARY KEY (id),
            FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE
        )""",
        "CREATE INDEX ix_boilerplate_cues_document_id ON boilerplate_cues (document_id)",
        # Near-duplicate articles (app.duplicates), filled by the same indexer.
        """CREATE TABLE duplicate_bands (
            band INTEGER NOT NULL,
            bucket INTEGER NOT NULL,
            document_id INTEGER NOT NULL,
            PRIMARY KEY (band, bucket, document_id),
            FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE
        ) WITHOUT ROWID""",
        """CREATE TABLE duplicate_signatures (
            document_id INTEGER NOT NULL,
            signature BLOB NOT NULL,
            PRIMARY KEY (document_id),
            FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE
        )""",
        """CREATE TABLE duplicate_pairs (
            document_id INTEGER NOT NULL,
            other_id INTEGER NOT NULL,
            score FLOAT NOT NULL,
            PRIMARY KEY (document_id, other_id),
            FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE,
            FOREIGN KEY(other_id) REFERENCES documents (id) ON DELETE CASCADE
        ) WITHOUT ROWID""",
        """CREATE TABLE document_clusters (
            document_id INTEGER NOT NULL,
            cluster_id INTEGER NOT NULL,
            PRIMARY KEY (document_id),
            FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE
        )""",
        "CREATE INDEX ix_document_clusters_cluster_id ON document_clusters (cluster_id)",
    ],
    # 6: boilerplate lines keyed by place (document, start), with the fingerprint lookup as an index:
    # an index run appends rows instead of inserting them all over a fingerprint-keyed tree.
    6: [
        """CREATE TABLE boilerplate_lines_v6 (
            document_id INTEGER NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            fingerprint INTEGER NOT NULL,
            site_id INTEGER NOT NULL,
            PRIMARY KEY (document_id, start),
            FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE,
            FOREIGN KEY(site_id) REFERENCES boilerplate_sites (id)
        ) WITHOUT ROWID""",
        'INSERT INTO boilerplate_lines_v6 (document_id, start, "end", fingerprint, site_id) '
        'SELECT document_id, start, "end", fingerprint, site_id FROM boilerplate_lines',
        "DROP TABLE boilerplate_lines",
        "ALTER TABLE boilerplate_lines_v6 RENAME TO boilerplate_lines",
        "CREATE INDEX ix_boilerplate_lines_fingerprint ON boilerplate_lines (fingerprint, site_id)",
    ],
    # 7: near-duplicate signatures are a one-permutation MinHash in plain Python (app.minhash) instead of
    # 128 numpy hash functions: stored signatures and LSH buckets mean something else now. The index is
    # emptied (pairs and clusters too, which the indexer inserts again) and fills itself on next use,
    # from its watermark back at the start.
    7: [
        "DELETE FROM duplicate_bands",
        "DELETE FROM duplicate_signatures",
        "DELETE FROM duplicate_pairs",
        "DELETE FROM document_clusters",
        "DELETE FROM project_info WHERE key = 'duplicates_indexed_through'",
    ],
    # 8: blocks the page alone shows to be chrome (app.page_chrome) join the cue blocks, marked by their
    # source. The boilerplate index is derived data: emptied, it is rebuilt from its watermark on next use
    # with both kinds of block.
    8: [
        "ALTER TABLE boilerplate_cues ADD COLUMN source VARCHAR DEFAULT 'cue' NOT NULL",
        "DELETE FROM boilerplate_cues",
        "DELETE FROM boilerplate_lines",
        "DELETE FROM boilerplate_counts",
        "UPDATE boilerplate_sites SET documents = 0",
        "DELETE FROM project_info WHERE key = 'boilerplate_indexed_through'",
        "DELETE FROM project_info WHERE key = 'boilerplate_pages_through'",
    ],
    # 9: models learnt from the project's own annotations (app.assistant: the entity recommender), stored
    # with what they learnt from, so a reopened project proposes at once.
    9: [
        """CREATE TABLE learned_models (
            name VARCHAR NOT NULL,
            data BLOB NOT NULL,
            about JSON NOT NULL,
            trained_at VARCHAR NOT NULL,
            PRIMARY KEY (name)
        )""",
    ],
    # 10: documents assigned to analysts (team mode, issue 18: an analyst's queue).
    10: [
        """CREATE TABLE assignments (
            document_id INTEGER NOT NULL,
            annotator_id INTEGER NOT NULL,
            assigned_by VARCHAR NOT NULL,
            assigned_at VARCHAR NOT NULL,
            PRIMARY KEY (document_id, annotator_id),
            FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE,
            FOREIGN KEY(annotator_id) REFERENCES annotators (id) ON DELETE CASCADE
        )""",
        "CREATE INDEX ix_assignments_annotator_id ON assignments (annotator_id)",
    ],
}


def upgrade(connection: sqlite3.Connection, from_version: int) -> None:
    """Apply every step after `from_version`, each in its own transaction."""
    for version in range(from_version + 1, SCHEMA_VERSION + 1):
        connection.execute("BEGIN IMMEDIATE")
        try:
            for statement in STEPS[version]:
                if callable(statement):
                    statement(connection)
                else:
                    connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {version}")
            connection.execute("COMMIT")
        except BaseException:
            connection.execute("ROLLBACK")
            raise


# A project on a database server (issue 18) begins at format 9, made whole by create_all; every later format
# adds a step here as well as in STEPS, written for PostgreSQL: SQL strings, or callables given a SQLAlchemy
# connection. They run in one transaction under the store's serial lock (DDL is transactional there).
SERVER_FIRST_VERSION = 9


def _create_table(name: str):
    """A step making one of the models' tables as create_all makes it (with its indexes)."""
    def create(connection) -> None:
        from app.models import Base

        Base.metadata.tables[name].create(connection)
    return create


def _notify_changes(connection) -> None:
    from app.pgstore import notify_changes
    from app.store import driver_of

    notify_changes(driver_of(connection))


SERVER_STEPS: dict[int, list] = {
    10: [_create_table("assignments"), _notify_changes,
         # Read by the team and written by its admins, if the project is a team's (app.team.group_roles).
         "DO $$ DECLARE digest TEXT := substr(md5(current_database()), 1, 10); BEGIN "
         "IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'hashiya_m_' || digest) THEN "
         "EXECUTE format('GRANT SELECT ON assignments TO %I', 'hashiya_m_' || digest); "
         "EXECUTE format('GRANT INSERT, UPDATE, DELETE ON assignments TO %I', 'hashiya_a_' || digest); "
         "END IF; END $$"],
}


def upgrade_server(connection, from_version: int) -> None:
    """Bring a server project from `from_version` to SCHEMA_VERSION inside the caller's transaction."""
    from sqlalchemy import text

    current = int(connection.execute(text(
        "SELECT value FROM project_info WHERE key = 'schema_version' FOR UPDATE")).scalar_one())
    for version in range(max(current, from_version) + 1, SCHEMA_VERSION + 1):
        for statement in SERVER_STEPS[version]:
            if callable(statement):
                statement(connection)
            else:
                connection.execute(text(statement))
        connection.execute(text("UPDATE project_info SET value = :version WHERE key = 'schema_version'"),
                           {"version": str(version)})
