"""A project path is a path: characters that mean something in a URL are plain characters of a name."""

import json
import os

import pytest

from app import cli
from app.merge import merge_project
from app.project import Project, Span
from tests.conftest import add_document

# Each one once broke the path (cut at ? or #, or decoded %41 as A) when it was written into a URL.
AWKWARD = ["what?", "issue #3", "100% done", "a&b", "x;y", "k=v", "c++", "two  spaces", "مشروع الأخبار",
           "\u200fعربي\u200f", "%41", "?mode=ro", "a#b?c=d&e"]


def tree(root):
    return sorted(str(path.relative_to(root)) for path in root.rglob("*"))


@pytest.mark.parametrize("name", AWKWARD)
def test_a_project_in_an_awkwardly_named_folder_is_created_reopened_and_nothing_strays(tmp_path, name):
    folder = tmp_path / name
    path = folder / f"{name}.hashiya"
    project = Project.open(path, create=True)
    document = add_document(project, "قال بوتين إن روسيا ستدعم كوريا الشمالية")
    project.add_annotation(Span(document, "amal", "entity", "PERS", 4, 9))
    project.close()
    assert tree(tmp_path) == [name, f"{name}/{name}.hashiya"]

    reopened = Project.open(path)
    assert [s.label for s in reopened.annotations(document)] == ["PERS"]
    reopened.close()
    assert tree(tmp_path) == [name, f"{name}/{name}.hashiya"]


@pytest.mark.parametrize("name", ["what?", "issue #3", "100% done", "\u200fعربي\u200f"])
def test_the_commands_work_on_an_awkwardly_named_project(tmp_path, name, capsys):
    folder = tmp_path / name
    folder.mkdir()
    text = folder / "doc.txt"
    text.write_text("قال بوتين إن روسيا ستدعم كوريا الشمالية", encoding="utf-8")
    path = folder / f"{name}.hashiya"
    assert cli.main(["import", str(path), str(text)]) == 0
    out = folder / f"{name}.jsonl"
    assert cli.main(["export", str(path), "--format", "jsonl", "--out", str(out)]) == 0
    assert json.loads(out.read_text(encoding="utf-8").splitlines()[0])["name"] == "doc.txt"
    assert cli.main(["search", str(path), "روسيا"]) == 0
    assert sorted(os.listdir(folder)) == sorted(["doc.txt", f"{name}.hashiya", f"{name}.jsonl"])


def test_merging_from_an_awkwardly_named_file_reads_it(tmp_path):
    mine = Project.create(tmp_path / "mine.hashiya")
    other_path = tmp_path / "other #2?" / "what?.hashiya"
    other = Project.open(other_path, create=True)
    for project in (mine, other):
        add_document(project, "قال بوتين إن روسيا ستدعم كوريا الشمالية")
    other.add_annotation(Span(other.document_ids()[0], "omar", "entity", "GPE", 13, 18))
    other.close()
    report = merge_project(mine, other_path, "amal")
    assert report.added == 1
    mine.close()
