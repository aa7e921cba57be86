"""The project file: creation, refusal of foreign or newer files, upgrades."""

import hashlib
import sqlite3

import pytest
from sqlalchemy import insert

from app.migrations import APPLICATION_ID, SCHEMA_VERSION
from app.models import Document
from app.project import Project, ProjectError, Span, backup_path
from tests.conftest import add_document

V1_SQL = "tests/data/schema_v1.sql"


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_project_is_marked_and_uses_wal_and_foreign_keys(project, project_path):
    with project.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA application_id").scalar() == APPLICATION_ID
        assert connection.exec_driver_sql("PRAGMA user_version").scalar() == SCHEMA_VERSION
    assert [label.name for label in project.labels()][:8] == [
        "PERS", "LOC", "ORG", "GPE", "NORP", "EVENT", "DATE", "MISC"]


def test_annotations_refer_to_existing_documents(project):
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError):
        project.add_annotation(Span(999, "amal", "entity", "PERS", 0, 3))


def test_close_leaves_a_single_file(project, project_path):
    doc = add_document(project, "نص قصير")
    project.add_annotation(Span(doc, "amal", "entity", "PERS", 0, 2))
    project.close()
    assert not project_path.with_name(project_path.name + "-wal").exists() or \
        project_path.with_name(project_path.name + "-wal").stat().st_size == 0
    copy = project_path.with_name("copy.hashiya")
    copy.write_bytes(project_path.read_bytes())
    reopened = Project.open(copy)
    assert [s.label for s in reopened.annotations(doc)] == ["PERS"]
    reopened.close()


@pytest.mark.parametrize("content", [b"", b"hello, not a database\n" * 10, b"\x89PNG\r\n\x1a\n" + bytes(200)])
def test_a_file_that_is_not_a_project_is_refused_and_untouched(tmp_path, content):
    path = tmp_path / "notes.hashiya"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match="not a Hashiya project") as error:
        Project.open(path)
    assert str(path) in str(error.value)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.hashiya"]


def test_another_applications_sqlite_file_is_refused_and_untouched(tmp_path):
    path = tmp_path / "other.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    before = digest(path)
    with pytest.raises(ProjectError, match="SQLite database, but not a Hashiya project"):
        Project.open(path)
    assert digest(path) == before


def test_a_project_from_a_newer_version_is_refused_and_untouched(project, project_path):
    project.close()
    connection = sqlite3.connect(project_path)
    connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    before = digest(project_path)
    with pytest.raises(ProjectError, match="newer version of Hashiya"):
        Project.open(project_path)
    assert digest(project_path) == before


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ProjectError, match="no such project file"):
        Project.open(tmp_path / "absent.hashiya")


def make_v1_project(path):
    connection = sqlite3.connect(path)
    with open(V1_SQL, encoding="utf-8") as handle:
        connection.executescript(handle.read())
    connection.execute("INSERT INTO annotators VALUES (1, 'amal', '2024-01-01T00:00:00Z')")
    connection.execute(
        "INSERT INTO documents VALUES (1, 'old.txt', NULL, 'قال بوتين', ?, '{}', '2024-01-01T00:00:00Z')",
        (hashlib.sha256("قال بوتين".encode()).hexdigest(),))
    connection.execute(
        "INSERT INTO annotations VALUES (1, 'u1', 1, 1, 'entity', 'PERS', 4, 9, '{}', 'manual', 't', 't')")
    connection.commit()
    connection.close()


def schema_of(path):
    connection = sqlite3.connect(path)
    rows = connection.execute(
        "SELECT type, name, tbl_name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()
    columns = {
        table: connection.execute(f"PRAGMA table_info({table})").fetchall()
        for _, table, _ in rows if _ == "table"
    }
    connection.close()
    return rows, columns


def test_an_older_project_is_backed_up_then_upgraded(tmp_path):
    old = tmp_path / "old.hashiya"
    make_v1_project(old)
    original = digest(old)

    project = Project.open(old)
    assert project.upgraded_from == 1
    assert project.backup == backup_path(old, 1)
    assert sqlite3.connect(project.backup).execute("PRAGMA user_version").fetchone()[0] == 1
    # Data survives, and the new table works.
    assert [(s.label, s.start, s.end, s.uid) for s in project.annotations(1)] == [("PERS", 4, 9, "u1")]
    project.set_status(1, "amal", "done")
    assert project.status(1, "amal") == "done"
    project.close()
    assert digest(old) != original

    fresh = tmp_path / "fresh.hashiya"
    Project.create(fresh).close()
    assert schema_of(old) == schema_of(fresh)


def test_backup_of_the_old_version_opens_unchanged(tmp_path):
    old = tmp_path / "old.hashiya"
    make_v1_project(old)
    Project.open(old).close()
    backup = backup_path(old, 1)
    connection = sqlite3.connect(backup)
    assert connection.execute("SELECT label, start, \"end\" FROM annotations").fetchall() == [("PERS", 4, 9)]
    assert connection.execute("SELECT name FROM sqlite_master WHERE name = 'document_status'").fetchall() == []
    connection.close()


def test_document_rows_report_status_and_counts(project):
    first = add_document(project, "النص الأول", "a.txt")
    second = add_document(project, "النص الثاني", "b.txt")
    project.add_annotation(Span(first, "amal", "entity", "ORG", 0, 3))
    project.add_annotation(Span(first, "amal", "stance", "FAVOR", 0, 10))  # not spans of the list's count
    project.add_annotation(Span(first, "amal", "boilerplate", "other", 4, 10))
    project.set_status(second, "amal", "done")
    rows = project.document_rows([first, second], "amal")
    assert [(r.name, r.status, r.entity_count) for r in rows] == [
        ("a.txt", "in_progress", 1), ("b.txt", "done", 0)]
    assert [r.entity_count for r in project.document_rows([first], "someone else")] == [0]


def test_the_first_manual_span_starts_a_document_and_later_ones_write_no_status(project, project_path):
    """The status row is written with a document's first manual span only; a status already there (set
    by hand, even "new", or by another window on the same file) is never overwritten by later spans."""
    from sqlalchemy import event

    first, second, third = (add_document(project, f"نص رقم {n}", f"{n}.txt") for n in (1, 2, 3))
    project.set_status(second, "amal", "done")
    project.set_status(third, "amal", "new")
    status_writes = []
    event.listen(project.engine, "before_cursor_execute",
                 lambda _c, _cur, statement, *_rest: statement.startswith("INSERT INTO document_status")
                 and status_writes.append(1))
    for start in (0, 4, 0):
        project.add_annotations([Span(doc, "amal", "entity", "ORG", start, start + 3)
                                 for doc in (first, second, third)])
    assert [project.status(d, "amal") for d in (first, second, third)] == ["in_progress", "done", "new"]
    assert len(status_writes) == 1  # the first document's first span; the other two had a row already
    other_window = Project.open(project_path)
    other_window.set_status(first, "amal", "done")
    other_window.close()
    project.add_annotation(Span(first, "amal", "entity", "ORG", 5, 7))
    assert project.status(first, "amal") == "done"
    project.add_annotation(Span(first, "huda", "entity", "ORG", 5, 7))
    project.add_annotation(Span(first, "huda", "entity", "ORG", 1, 2, provenance="propagated"))
    assert project.status(first, "huda") == "in_progress"


def test_name_filter_treats_wildcards_literally(project):
    with project.session.begin() as session:
        for index, name in enumerate(["50%_done.txt", "500.txt", "x_y.txt"]):
            session.execute(insert(Document).values(
                name=name, path=None, text=name, sha256=str(index) * 64, meta={}, imported_at="t"))
    names = lambda ids: [project.document_rows([i], "a")[0].name for i in ids]  # noqa: E731
    assert names(project.document_ids("%_")) == ["50%_done.txt"]
    assert names(project.document_ids("_y")) == ["x_y.txt"]


def test_reading_for_an_unknown_analyst_writes_nothing(project):
    doc = add_document(project, "نص")
    before = project.annotators()
    assert project.annotations(doc, annotator="newcomer") == []
    assert project.status(doc, "newcomer") == "new"
    assert [r.entity_count for r in project.document_rows([doc], "newcomer")] == [0]
    assert project.annotators() == before


def test_a_failed_creation_leaves_no_file(tmp_path, monkeypatch):
    def broken_defaults(preset):
        raise OSError("resources/labels.json: No such file")

    monkeypatch.setattr("app.project.default_labels", broken_defaults)
    target = tmp_path / "new.hashiya"
    with pytest.raises(ProjectError, match="cannot be created"):
        Project.create(target)
    assert list(tmp_path.iterdir()) == []


def test_creating_where_no_folder_can_be_made_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(ProjectError, match="cannot be created"):
        Project.create(blocker / "sub" / "p.hashiya")


def test_a_damaged_project_is_reported_not_raised_raw(project, project_path):
    for index in range(200):
        add_document(project, f"نص طويل رقم {index} " * 50, f"{index}.txt")
    project.close()
    data = bytearray(project_path.read_bytes())
    page = 4096
    data[3 * page:6 * page] = bytes(range(256)) * (3 * page // 256)
    project_path.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match="damaged|cannot be opened"):
        Project.open(project_path)


def test_two_opens_of_an_old_project_upgrade_it_once_and_keep_the_original_backup(tmp_path):
    old = tmp_path / "old.hashiya"
    make_v1_project(old)
    first = Project.open(old)
    backup = backup_path(old, 1).read_bytes()
    first.close()
    reopened = Project.open(old)
    assert reopened.upgraded_from is None
    reopened.close()
    assert backup_path(old, 1).read_bytes() == backup
