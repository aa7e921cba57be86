"""A read-only project, or one in a read-only folder: opened read-only, every reading use works (reading,
searching, exporting, merging from it), and an edit is refused with the reason. Merging reads another
analyst's file without leaving anything beside it."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.merge import merge_project
from app.project import Project, ProjectReadOnly, Span
from tests.conftest import SEED_ARTICLES, add_document

ROOT = Path(__file__).resolve().parent.parent
TEXT = "قال بوتين إن روسيا ستدعم كوريا الشمالية"

# Run with the permissions an analyst has: root ignores file modes, so as root the child drops the
# capabilities that let it (it stays root, so it can still run this checkout's Python).
CHILD = r"""
import json, sys
from pathlib import Path
from app import cli
from app.merge import merge_project
from app.project import Project, ProjectReadOnly, Span
from app.search import search_project

path, scratch = Path(sys.argv[1]), Path(sys.argv[2])
found = {}
project = Project.open(path)
found["read_only"] = project.read_only
found["reason"] = project.read_only_reason
document = project.document_ids()[0]
found["spans"] = [s.label for s in project.annotations(document)]
found["hits"] = [hit.text for hit in search_project(project, "روسيا")]
try:
    project.add_annotation(Span(document, "amal", "entity", "GPE", 13, 18))
    found["write"] = "made"
except ProjectReadOnly as error:
    found["write"] = str(error)
project.close()
found["export"] = cli.main(["export", str(path), "--format", "jsonl", "--out", str(scratch / "out.jsonl")])
found["exported"] = (scratch / "out.jsonl").read_text(encoding="utf-8").count("\n")
found["search"] = cli.main(["search", str(path), "روسيا"])
mine = Project.open(scratch / "mine.hashiya", create=True)
from tests.conftest import add_document
add_document(mine, "قال بوتين إن روسيا ستدعم كوريا الشمالية")
found["merged"] = merge_project(mine, path, "badr").added
mine.close()
print(json.dumps(found, ensure_ascii=False))
"""


def as_an_analyst() -> list[str]:
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: file modes cannot be made to apply")
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search,-fowner"]


def make_project(path: Path) -> None:
    project = Project.open(path, create=True)
    document = add_document(project, TEXT)
    project.add_annotation(Span(document, "omar", "entity", "PERS", 4, 9))
    project.close()


def run_child(path: Path, scratch: Path) -> dict:
    result = subprocess.run([*as_an_analyst(), sys.executable, "-c", CHILD, str(path), str(scratch)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_read_only_project_is_read_searched_exported_and_merged_from_but_never_written(tmp_path, what):
    folder = tmp_path / "shared"
    folder.mkdir()
    path = folder / "project.hashiya"
    make_project(path)
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    os.chmod(path if what == "file" else folder, 0o444 if what == "file" else 0o555)
    try:
        listing = sorted(os.listdir(folder))
        found = run_child(path, scratch)
        assert sorted(os.listdir(folder)) == listing, "nothing may be left beside a read-only project"
    finally:
        os.chmod(folder, 0o755)
        os.chmod(path, 0o644)
    assert found["read_only"] is True
    assert ("its folder" in found["reason"]) == (what == "folder")
    assert found["spans"] == ["PERS"] and found["hits"] == ["روسيا"]
    assert "read-only" in found["write"] and str(path) in found["write"]
    assert found["export"] == 0 and found["exported"] == 1 and found["search"] == 0
    assert found["merged"] == 1
    reopened = Project.open(path)
    assert [s.label for s in reopened.annotations(reopened.document_ids()[0])] == ["PERS"]
    reopened.close()


def test_opening_read_only_by_choice_refuses_every_kind_of_write(project_path):
    make_project(project_path)
    project = Project.open(project_path, read_only="it is open for editing in another window")
    document = project.document_ids()[0]
    writes = [lambda: project.add_annotation(Span(document, "amal", "entity", "GPE", 13, 18)),
              lambda: project.set_status(document, "amal", "done"),
              lambda: project.set_info("note", "x"),
              lambda: project.annotator_id("someone new")]
    for write in writes:
        with pytest.raises(ProjectReadOnly, match="open for editing in another window"):
            write()
    project.close()
    assert [p.name for p in project_path.parent.iterdir() if p.suffix != ".jsonl"] == [project_path.name]


def test_merging_leaves_nothing_beside_the_other_analysts_file(tmp_path):
    mine = Project.create(tmp_path / "mine.hashiya")
    add_document(mine, TEXT)
    other_folder = tmp_path / "from omar"
    other_folder.mkdir()
    make_project(other_folder / "omar.hashiya")
    report = merge_project(mine, other_folder / "omar.hashiya", "amal")
    mine.close()
    assert report.added == 1
    assert os.listdir(other_folder) == ["omar.hashiya"]


def test_a_read_only_project_already_indexed_lists_its_boilerplate_suggestions(tmp_path):
    from app import boilerplate_index, duplicates
    from app.importer import import_paths

    path = tmp_path / "indexed.hashiya"
    project = Project.create(path)
    import_paths(project, SEED_ARTICLES, "amal")
    duplicates.update_index(project)
    boilerplate_index.update_index(project)
    expected = boilerplate_index.all_suggestions(project, None)
    project.close()
    read_only = Project.open(path, read_only="it was opened to read")
    assert duplicates.update_index(read_only) == 0 and boilerplate_index.update_index(read_only) == 0
    assert boilerplate_index.all_suggestions(read_only, None) == expected and expected
    read_only.close()
