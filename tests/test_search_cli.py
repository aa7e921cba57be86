"""`hashiya search`: the headless contract (keys, offsets into the stored text, exit codes)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main as cli
from app.importer import import_paths
from app.project import Project
from tests.conftest import SEED_ARTICLES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(tmp_path):
    path = tmp_path / "demo.hashiya"
    project = Project.create(path)
    import_paths(project, SEED_ARTICLES, "amal")
    texts = {project.document_rows([i], "x")[0].name: project.document_text(i) for i in project.document_ids()}
    project.close()
    return path, texts


def run_json(capsys, *args):
    assert cli(["search", *map(str, args), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_json_hits_are_code_point_spans_of_the_stored_text(demo, capsys):
    path, texts = demo
    hits = run_json(capsys, path, "روسيا")
    assert hits and all(set(hit) >= {"document", "start", "end", "text"} for hit in hits)
    for hit in hits:
        assert texts[hit["document"]][hit["start"]:hit["end"]] == hit["text"]
    # لروسيا: the proposed span is the name without the attached ل
    inside = [h for h in hits if texts[h["document"]][h["start"] - 1:h["start"]] == "ل"]
    assert inside and all(h["text"] == "روسيا" for h in inside)


def test_persian_letters_and_tanween_are_found(demo, capsys):
    path, texts = demo
    korea = run_json(capsys, path, "كوريا الشمالية")
    assert any("ک" in h["text"] or "ی" in h["text"] for h in korea)  # the Persian-letter spelling in 001
    thanks = run_json(capsys, path, "نثمن كثيرا")
    assert any("ً" in h["text"] for h in thanks)  # كثيرًا with tanween in 004


def test_similar_spellings_only_when_asked(demo, capsys):
    path, _ = demo
    exact = {h["text"] for h in run_json(capsys, path, "بيونغ يانغ")}
    similar = run_json(capsys, path, "بيونغ يانغ", "--similar")
    assert {h["text"] for h in similar if h["kind"] == "exact"} == exact
    assert any(h["kind"] == "similar" for h in similar)


def test_plain_output_and_no_hits(demo, capsys):
    path, _ = demo
    assert cli(["search", str(path), "كلمةغيرموجودة"]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "0 match(es)" in captured.err
    assert cli(["search", str(path), "بوتين"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines and all(len(line.split("\t")) == 4 for line in lines)


def test_search_loads_no_qt(demo):
    path, _ = demo
    script = ("import sys, json\nfrom ui.launch import main\n"
              f"code = main(['search', {str(path)!r}, 'بوتين', '--json'])\n"
              "print(json.dumps([code, sorted(m for m in sys.modules if m.startswith('PySide6'))]))\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [0, []]


def test_scope_inside_a_type_or_outside_annotations(demo):
    from app.project import Span
    from app.search import Scope, search_project

    path, texts = demo
    project = Project.open(path)
    document = project.document_ids()[0]
    text = project.document_text(document)
    first = text.index("بوتين")
    project.add_annotations([Span(document, "amal", "entity", "PERS", first, first + 5)])
    everywhere = [h for h in search_project(project, "بوتين") if h.document_id == document]
    inside = list(search_project(project, "بوتين", scope=Scope(inside_label="PERS")))
    outside = [h for h in search_project(project, "بوتين", scope=Scope(outside_annotations=True))
               if h.document_id == document]
    progress = []
    list(search_project(project, "بوتين", progress=lambda done, total: progress.append((done, total))))
    project.close()
    assert [(h.start, h.end) for h in inside] == [(first, first + 5)]
    assert len(outside) == len(everywhere) - 1 and all(h.start != first for h in outside)
    assert progress[-1] == (5, 5)


def test_json_output_is_exactly_what_json_dumps_gives(demo, capsys):
    from app.search import search_project

    path, _ = demo
    for query in ["روسيا", "الأرجنتين"]:
        assert cli(["search", str(path), query, "--json"]) == 0
        printed = capsys.readouterr().out
        project = Project.open(path)
        try:
            expected = json.dumps([hit.as_json() for hit in search_project(project, query)], ensure_ascii=False,
                                  indent=1)
        finally:
            project.close()
        assert printed == expected + "\n"


def test_a_closed_pipe_ends_the_search_quietly(tmp_path):
    path = tmp_path / "many.hashiya"
    project = Project.create(path)
    source = tmp_path / "long.txt"
    source.write_text("روسيا " * 20_000, encoding="utf-8")  # far more output than a pipe buffer holds
    import_paths(project, [source], "amal")
    project.close()
    reader = subprocess.run(
        f"{sys.executable} -m app.cli search {path} روسيا | head -n 1", shell=True, capture_output=True, text=True,
        cwd=ROOT, timeout=60)
    assert reader.stdout.count("\n") == 1 and "Broken pipe" not in reader.stderr and "Traceback" not in reader.stderr
