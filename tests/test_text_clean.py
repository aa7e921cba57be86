"""`hashiya export --format text-clean`: each document's text without its accepted boilerplate."""

import json

from app.boilerplate_index import accept, all_suggestions, update_index
from app.cli import main as cli
from app.exporter import export_jsonl, export_text_clean, without_spans
from app.importer import import_paths
from app.project import Project, Span
from tests.conftest import SEEDS, SEED_ARTICLES, add_document


def test_spans_are_cut_out_and_the_blank_lines_they_leave_collapse():
    text = "عنوان\n\nنص المقال.\n\nاقرأ أيضا\nرابط\n\nزر الذهاب إلى الأعلى\n"
    tail = text.index("اقرأ أيضا")
    button = text.index("زر")
    spans = [{"start": tail, "end": tail + len("اقرأ أيضا\nرابط")}, {"start": button, "end": len(text) - 1}]
    assert without_spans(text, spans) == "عنوان\n\nنص المقال.\n"
    assert without_spans(text, []) == text
    assert without_spans("😀 مقدمة\nزائد", [{"start": 8, "end": 12}]) == "😀 مقدمة\n"


def test_the_demo_corpus_exports_its_articles_without_the_accepted_boilerplate(project, tmp_path):
    import_paths(project, SEED_ARTICLES, "amal")
    update_index(project)
    for suggestion in all_suggestions(project, "amal"):
        accept(project, [suggestion], "amal", suggestion.category)
    report = export_text_clean(project, tmp_path / "clean")
    files = sorted(p.name for p in (tmp_path / "clean").iterdir())
    assert report.documents == 5 and files == sorted(n.replace(".txt", "") + ".txt" for n in
                                                      (project.document_name(i) for i in project.document_ids()))
    cleaned = (tmp_path / "clean" / "002_0a3a32f9f9bdd6f2.txt").read_text(encoding="utf-8")
    assert "اترك تعليقاً" not in cleaned and "زر الذهاب إلى الأعلى" not in cleaned
    assert "كيم جونغ أون: العلاقات بين روسيا وكوريا الشمالية تدخل فترة من الازدهار" in cleaned
    article_001 = (tmp_path / "clean" / "001_4afbc71c9bfeecdd.txt").read_text(encoding="utf-8")
    last_article_line = (SEEDS / "001_4afbc71c9bfeecdd.txt").read_text(encoding="utf-8").split("\n")[9]
    assert article_001.endswith(last_article_line + "\n")  # المصدر, tags and both link lists are gone


def test_jsonl_export_carries_the_boilerplate_layer(project, tmp_path):
    document = add_document(project, "نص المقال.\nشارك القصة")
    project.add_annotation(Span(document, "amal", "boilerplate", "share_social", 11, 21, provenance="detected"))
    export_jsonl(project, tmp_path / "out.jsonl")
    [record] = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(a["layer"], a["label"], a["start"], a["end"], a["provenance"]) for a in record["annotations"]] == [
        ("boilerplate", "share_social", 11, 21, "detected")]


def test_names_stay_inside_the_folder_and_do_not_collide(project, tmp_path):
    for name, text in [("../escape.txt", "أ"), ("a/b.txt", "ب"), ("A/B.txt", "ج"), ("plain", "د")]:
        add_document(project, text, name)
    export_text_clean(project, tmp_path / "out")
    written = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*.txt"))
    assert written == ["A/B-2.txt", "__/escape.txt", "a/b.txt", "plain.txt"]
    assert not (tmp_path / "escape.txt").exists()
    renamed = json.loads((tmp_path / "out" / "names.json").read_text(encoding="utf-8"))
    assert renamed == {"A/B-2.txt": "A/B.txt", "__/escape.txt": "../escape.txt"}


def test_the_command_refuses_a_folder_with_files_and_leaves_it_alone(tmp_path, capsys):
    path = tmp_path / "p.hashiya"
    project = Project.create(path)
    add_document(project, "نص")
    project.close()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x", encoding="utf-8")
    assert cli(["export", str(path), "--format", "text-clean", "--out", str(busy)]) == 1
    assert "exists" in capsys.readouterr().err and [p.name for p in busy.iterdir()] == ["keep.txt"]
    assert cli(["export", str(path), "--format", "text-clean", "--out", str(tmp_path / "new")]) == 0
    assert "1 text file(s)" in capsys.readouterr().out
    assert [p.name for p in (tmp_path / "new").iterdir()] == ["doc.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".new.")]  # no building folder left
