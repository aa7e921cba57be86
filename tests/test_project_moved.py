"""A project file moved, renamed, replaced or deleted while open: nothing more is written, nothing is
reported done that did not reach a file the analyst can find, and everything can be saved elsewhere."""

import os
import shutil
import sqlite3

import pytest

from app import boilerplate_index, duplicates
from app.project import Project, ProjectFileMoved, Span
from tests.conftest import add_document

TEXT = "قال بوتين إن روسيا ستدعم كوريا الشمالية"


def uids(path):
    connection = sqlite3.connect(path)
    try:
        return {uid for (uid,) in connection.execute("SELECT uid FROM annotations")}
    finally:
        connection.close()


@pytest.fixture
def opened(project_path):
    project = Project.create(project_path)
    document = add_document(project, TEXT)
    first = project.add_annotation(Span(document, "amal", "entity", "PERS", 4, 9))
    yield project, document, first
    project.close()


def every_write(project, document):
    """One of each kind of write the program makes: an edit, a status, a setting, an index run."""
    return [
        lambda: project.add_annotation(Span(document, "amal", "entity", "GPE", 13, 18)),
        lambda: project.set_status(document, "amal", "done"),
        lambda: project.set_info("note", "x"),
        lambda: project.annotator_id("someone new"),
        lambda: duplicates.update_index(project),
        lambda: boilerplate_index.update_index(project),
    ]


@pytest.mark.parametrize("write", range(6))
def test_after_a_rename_no_write_is_made_and_the_moved_file_holds_everything_saved(opened, project_path, write):
    project, document, first = opened
    moved = project_path.with_name("renamed.hashiya")
    os.rename(project_path, moved)
    with pytest.raises(ProjectFileMoved) as error:
        every_write(project, document)[write]()
    assert str(project_path) in str(error.value) and str(moved) in str(error.value)
    assert error.value.now_at == moved
    assert not project_path.exists(), "a write must never create a new, empty project at the old path"
    # The edit made before the move, still in the WAL beside the old name, was folded into the moved file.
    connection = sqlite3.connect(f"file:{moved}?immutable=1", uri=True)
    assert {uid for (uid,) in connection.execute("SELECT uid FROM annotations")} == {first.uid}
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    connection.close()


def test_a_move_to_another_folder_is_found_and_named(opened, project_path, tmp_path):
    project, document, first = opened
    elsewhere = tmp_path / "archive" / "old.hashiya"
    elsewhere.parent.mkdir()
    shutil.move(project_path, elsewhere)
    with pytest.raises(ProjectFileMoved) as error:
        project.add_annotation(Span(document, "amal", "entity", "GPE", 13, 18))
    assert error.value.now_at == elsewhere and not error.value.deleted
    project.close()
    assert uids(elsewhere) == {first.uid}
    assert not project_path.exists()


def test_after_a_delete_no_write_is_made_and_no_file_appears(opened, project_path):
    project, document, first = opened
    project_path.unlink()
    with pytest.raises(ProjectFileMoved) as error:
        project.add_annotation(Span(document, "amal", "entity", "GPE", 13, 18))
    assert error.value.deleted and "deleted" in str(error.value)
    assert not project_path.exists()
    # Reading still works, and everything committed can be saved to a place the analyst chooses.
    assert [span.uid for span in project.annotations(document)] == [first.uid]
    rescued = project_path.with_name("rescued.hashiya")
    project.save_copy(rescued)
    assert uids(rescued) == {first.uid}
    reopened = Project.open(rescued)
    assert reopened.document_text(document) == TEXT
    reopened.close()


def test_a_file_replaced_by_another_is_never_written_through_the_old_connection(opened, project_path, tmp_path):
    project, document, first = opened
    other = Project.create(tmp_path / "other.hashiya")
    add_document(other, "نص آخر")
    other.close()
    os.replace(tmp_path / "other.hashiya", project_path)
    before = project_path.read_bytes()
    with pytest.raises(ProjectFileMoved, match="replaced"):
        project.add_annotation(Span(document, "amal", "entity", "GPE", 13, 18))
    assert project_path.read_bytes() == before
    assert uids(project_path) == set()


def test_writes_go_on_when_the_file_comes_back(opened, project_path):
    project, document, _ = opened
    moved = project_path.with_name("away.hashiya")
    os.rename(project_path, moved)
    with pytest.raises(ProjectFileMoved):
        project.check_file()
    os.rename(moved, project_path)
    project.add_annotation(Span(document, "amal", "entity", "GPE", 13, 18))
    assert len(project.annotations(document)) == 2


def test_a_transaction_under_way_when_the_file_moves_is_rolled_back(opened, project_path):
    """The check runs again just before COMMIT: a move between the start and the end of a write loses
    the write (reported), never sends it to the moved file unannounced."""
    project, document, first = opened
    from sqlalchemy import insert

    from app.models import ProjectInfo

    with pytest.raises(ProjectFileMoved):
        with project.session.begin() as session:
            session.execute(insert(ProjectInfo).values(key="half", value="way"))
            os.rename(project_path, project_path.with_name("moved.hashiya"))
    project.close()
    connection = sqlite3.connect(project_path.with_name("moved.hashiya"))
    assert connection.execute("SELECT count(*) FROM project_info WHERE key = 'half'").fetchone() == (0,)
    connection.close()
