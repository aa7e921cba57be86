"""Import of .txt/folders/JSONL and the JSONL export, through the API and the CLI."""

import json
import os
import random
import sqlite3

import pytest

from app.cli import main as cli
from app.exporter import export_jsonl
from app.importer import import_paths
from app.project import Project, Span

ARABIC = "وقال بوتين إن روسيا ستدعم كوريا الشمالية دائما في دفاعها عن سيادتها.\nGet News Fast"


def texts(project):
    return [project.document_text(i) for i in project.document_ids()]


def test_text_files_in_arabic_encodings_import_exactly(project, tmp_path):
    files = {
        "a_cp1256.txt": ARABIC.encode("cp1256"),
        "b_utf16.txt": ARABIC.encode("utf-16"),
        "c_utf8bom.txt": b"\xef\xbb\xbf" + ARABIC.encode("utf-8"),
        "d_crlf.txt": ARABIC.replace("\n", "\r\n").encode("utf-8") + b"\r\n",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    report = import_paths(project, sorted(tmp_path / n for n in files), "amal")
    # The first three decode to the same text, so two of them are known duplicates.
    assert report.ok and report.imported == ["a_cp1256.txt", "d_crlf.txt"]
    assert report.duplicates == ["b_utf16.txt", "c_utf8bom.txt"]
    assert texts(project) == [ARABIC, ARABIC + "\n"]


def test_iso_8859_6_file_imports_exactly(project, tmp_path):
    text = "قال بوتين ان روسيا ستدعم كوريا الشمالية"
    (tmp_path / "iso.txt").write_bytes(text.encode("iso8859_6"))
    report = import_paths(project, [tmp_path / "iso.txt"], "amal")
    assert report.ok, report.rejected
    assert texts(project) == [text]


def test_nothing_but_line_endings_changes(project, tmp_path):
    text = "\u00a0نص\u2029مع\u200fعلامات\u0640\tو😀\r\nسطر\rآخر  "
    (tmp_path / "x.txt").write_text(text, encoding="utf-8", newline="")
    import_paths(project, [tmp_path / "x.txt"], "amal")
    assert texts(project) == [text.replace("\r\n", "\n").replace("\r", "\n")]


def test_folders_are_walked_recursively_in_sorted_order(project, tmp_path):
    root = tmp_path / "corpus"
    for relative in ["b/2.txt", "a/1.txt", "c.txt", "b/10.txt", ".hidden/x.txt", "notes.md", "a.b/3.TXT",
                     "a.txt", "b/.x.txt", "d/e/f.jsonl"]:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        text = f"نص {relative}"
        path.write_text(json.dumps({"text": text}) if relative.endswith(".jsonl") else text, encoding="utf-8")
    (root / "link").symlink_to(root / "b")  # a symlinked folder is not walked (no loops, no copies)
    report = import_paths(project, [root], "amal")
    # Path order: a folder's files come before a sibling named like it plus more ("a/…" < "a.b/…").
    assert report.imported == ["a/1.txt", "a.b/3.TXT", "a.txt", "b/10.txt", "b/2.txt", "c.txt", "d/e/f.jsonl:1"]


def test_bad_files_are_reported_by_name_and_the_rest_imports(project, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("نص سليم", encoding="utf-8")
    noise = random.Random(2)
    bad = {
        "empty.txt": b"",
        "binary.txt": b"\x00\x01\x02\x03PK\x03\x04" + bytes(noise.randrange(256) for _ in range(300)),
        "garbage.txt": bytes(noise.randrange(128, 256) for _ in range(400)),
    }
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
    report = import_paths(project, [tmp_path / n for n in bad] + [good, tmp_path / "missing.txt"], "amal")
    assert report.imported == ["good.txt"]
    rejected = {os.path.basename(name): reason for name, reason in report.rejected}
    assert set(rejected) == {"empty.txt", "binary.txt", "garbage.txt", "missing.txt"}
    assert "empty" in rejected["empty.txt"] and "cannot be read" in rejected["missing.txt"]


def write_jsonl(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")


def test_jsonl_with_annotations_and_doccano_labels(project, tmp_path):
    text = "قال بوتين إن روسيا"
    source = tmp_path / "in.jsonl"
    write_jsonl(source, [
        {"name": "one", "text": text, "meta": {"url": "https://example.org/a"},
         "annotations": [{"annotator": "huda", "layer": "entity", "label": "PERS", "start": 4, "end": 9,
                          "attrs": {"note": "x"}}]},
        {"name": "two", "text": text + " اليوم", "label": [[13, 18, "GPE"]]},
    ])
    report = import_paths(project, [source], "amal")
    assert report.ok and report.annotations_added == 2
    first, second = project.document_ids()
    [pers] = project.annotations(first)
    assert (pers.annotator, pers.label, pers.attrs, text[pers.start:pers.end]) == ("huda", "PERS", {"note": "x"}, "بوتين")
    [gpe] = project.annotations(second)
    assert (gpe.annotator, gpe.label, (text + " اليوم")[gpe.start:gpe.end]) == ("amal", "GPE", "روسيا")


def test_jsonl_crlf_text_keeps_annotation_on_the_same_words(project, tmp_path):
    text = "سطر أول\r\nقال بوتين"
    start = text.index("بوتين")
    write_jsonl(tmp_path / "in.jsonl", [{"name": "crlf", "text": text,
                                          "annotations": [{"label": "PERS", "start": start, "end": start + 5}]}])
    import_paths(project, [tmp_path / "in.jsonl"], "amal")
    stored = texts(project)[0]
    [span] = project.annotations(project.document_ids()[0])
    assert "\r" not in stored and stored[span.start:span.end] == "بوتين"


@pytest.mark.parametrize("annotation, reason", [
    ({"label": "PERS", "start": 3, "end": 99}, "fall outside the text"),
    ({"label": "PERS", "start": -1, "end": 2}, "fall outside the text"),
    ({"label": "PERS", "start": 4, "end": 4}, "fall outside the text"),
    ({"label": "PERS", "start": "4", "end": 6}, "must be integers"),
    ({"label": "", "start": 1, "end": 2}, '"label" must be a non-empty string'),
])
def test_a_bad_annotation_rejects_the_whole_file_and_changes_nothing(project, tmp_path, annotation, reason):
    write_jsonl(tmp_path / "in.jsonl", [
        {"name": "fine", "text": "نص سليم تماما"},
        {"name": "broken", "text": "نص آخر", "annotations": [annotation]},
    ])
    report = import_paths(project, [tmp_path / "in.jsonl"], "amal")
    [(name, message)] = report.rejected
    assert name.endswith("in.jsonl") and "line 2" in message and reason in message
    assert project.document_ids() == []


def test_same_text_twice_is_not_duplicated(project, tmp_path):
    (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
    (tmp_path / "b.txt").write_text("نص", encoding="utf-8")
    first = import_paths(project, [tmp_path / "a.txt"], "amal")
    second = import_paths(project, [tmp_path / "a.txt", tmp_path / "b.txt"], "amal")
    assert (first.imported, second.imported, second.duplicates) == (["a.txt"], [], ["a.txt", "b.txt"])
    assert len(project.document_ids()) == 1


def exported(project, tmp_path, name="out.jsonl", **options):
    out = tmp_path / name
    export_jsonl(project, out, **options)
    return out.read_text(encoding="utf-8")


def test_export_import_export_gives_the_same_file(project, tmp_path):
    text = "😀 بِسْمِ اللَّهِ، قال بوتين إن روسيا\nGet News Fast"
    write_jsonl(tmp_path / "in.jsonl", [{"name": "emoji", "text": text, "meta": {"site": "x"}, "label": [[2, 8, "MISC"]]}])
    import_paths(project, [tmp_path / "in.jsonl"], "amal")
    doc = project.document_ids()[0]
    start = text.index("بوتين")
    project.add_annotations([Span(doc, "huda", "entity", "PERS", start, start + 5),
                             Span(doc, "amal", "entity", "GPE", start + 9, start + 14)])
    first = exported(project, tmp_path, "first.jsonl")

    copy = Project.create(tmp_path / "copy.hashiya")
    import_paths(copy, [tmp_path / "first.jsonl"], "someone")
    assert exported(copy, tmp_path, "second.jsonl") == first
    copy.close()

    record = json.loads(first)
    assert record["text"] == text
    assert [text[a["start"]:a["end"]] for a in record["annotations"]] == ["بِسْمِ", "بوتين", "روسيا"]


def test_export_for_one_annotator(project, tmp_path):
    doc = project.known_hashes() and None
    (tmp_path / "a.txt").write_text("قال بوتين", encoding="utf-8")
    import_paths(project, [tmp_path / "a.txt"], "amal")
    doc = project.document_ids()[0]
    project.add_annotations([Span(doc, "amal", "entity", "PERS", 4, 9), Span(doc, "huda", "entity", "ORG", 4, 9)])
    record = json.loads(exported(project, tmp_path, annotator="huda"))
    assert [(a["annotator"], a["label"]) for a in record["annotations"]] == [("huda", "ORG")]


def test_failed_export_leaves_no_file(project, tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
    import_paths(project, [tmp_path / "a.txt"], "amal")
    out = tmp_path / "out.jsonl"
    out.write_text("previous export\n", encoding="utf-8")

    def explode(*_args, **_kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("app.exporter.json.dumps", explode)
    with pytest.raises(RuntimeError):
        export_jsonl(project, out)
    assert out.read_text(encoding="utf-8") == "previous export\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_cli_import_creates_project_and_exit_status_reflects_rejections(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("نص سليم", encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"")
    project = tmp_path / "new.hashiya"
    assert cli(["import", str(project), str(tmp_path / "a.txt"), "--annotator", "amal"]) == 0
    assert cli(["import", str(project), str(tmp_path / "a.txt")]) == 0  # a known duplicate is fine
    assert cli(["import", str(project), str(tmp_path / "bad.txt")]) == 1
    output = capsys.readouterr().out
    assert "bad.txt: the file is empty" in output and "skipped 1 already in the project" in output


def test_cli_refuses_a_file_that_is_not_a_project(tmp_path, capsys):
    notes = tmp_path / "notes.txt"
    notes.write_text("not a project", encoding="utf-8")
    assert cli(["export", str(notes), "--format", "jsonl", "--out", str(tmp_path / "o.jsonl")]) == 2
    assert "is not a Hashiya project" in capsys.readouterr().err
    assert notes.read_text(encoding="utf-8") == "not a project"


def test_importing_leaves_an_intact_database(project_path, tmp_path):
    project = Project.create(project_path)  # a file: SQLite's own check reads it
    for index in range(30):
        (tmp_path / f"{index:02}.txt").write_text(f"نص رقم {index}", encoding="utf-8")
    import_paths(project, [tmp_path], "amal")
    project.close()
    connection = sqlite3.connect(project_path)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert connection.execute("SELECT count(*) FROM documents").fetchone() == (30,)
    connection.close()


def test_reimporting_annotated_documents_adds_only_new_annotations(project, tmp_path):
    text = "قال بوتين إن روسيا"
    record = {"name": "a", "text": text, "annotations": [
        {"label": "PERS", "start": 4, "end": 9}, {"id": "fixed-id", "label": "GPE", "start": 13, "end": 18}]}
    write_jsonl(tmp_path / "twice.jsonl", [record, record])  # the same document twice in one batch
    first = import_paths(project, [tmp_path / "twice.jsonl"], "amal")
    assert (first.imported, first.duplicates, first.annotations_added) == (["a"], ["a"], 2)

    export_jsonl(project, tmp_path / "out.jsonl")
    again = import_paths(project, [tmp_path / "out.jsonl", tmp_path / "twice.jsonl"], "amal")
    assert again.annotations_added == 0

    extra = {**record, "annotations": [{"label": "ORG", "start": 4, "end": 9}]}
    write_jsonl(tmp_path / "extra.jsonl", [extra])
    assert import_paths(project, [tmp_path / "extra.jsonl"], "amal").annotations_added == 1
    labels = sorted(s.label for s in project.annotations(project.document_ids()[0]))
    assert labels == ["GPE", "ORG", "PERS"]


def test_line_and_paragraph_separators_survive_export_and_import(project, tmp_path):
    text = "سطر\u2028سطر\u2029فقرة\u0085نهاية"
    write_jsonl(tmp_path / "in.jsonl", [{"name": "seps", "text": text, "label": [[0, 3, "MISC"]]}])
    assert import_paths(project, [tmp_path / "in.jsonl"], "amal").ok
    first = exported(project, tmp_path, "first.jsonl")
    assert first.count("\n") == 1 and "\\u2028" in first
    copy = Project.create(tmp_path / "copy.hashiya")
    report = import_paths(copy, [tmp_path / "first.jsonl"], "amal")
    assert report.ok and texts(copy) == [text]
    assert exported(copy, tmp_path, "second.jsonl") == first
    copy.close()


@pytest.mark.parametrize("line, reason", [
    ('{"name": "x", "text": "\\ud83d نص"}', "unpaired surrogate"),
    ('{"name": "x", "text": "نص", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    ('{"name": "x", "text": "نص طويل", "annotations": [{"label": "A", "start": 0, "end": 2, "provenance": ["m"]}]}',
     '"provenance" must be a string'),
])
def test_input_that_would_fail_later_is_rejected_up_front(project, tmp_path, line, reason):
    (tmp_path / "bad.jsonl").write_text(line + "\n", encoding="utf-8")
    (tmp_path / "good.txt").write_text("نص سليم", encoding="utf-8")
    report = import_paths(project, [tmp_path / "bad.jsonl", tmp_path / "good.txt"], "amal")
    assert report.imported == ["good.txt"]
    [(name, message)] = report.rejected
    assert name.endswith("bad.jsonl") and reason in message


def test_an_annotation_id_used_by_another_document_is_skipped_and_reported(project, tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [{"name": "a", "text": "نص أول", "annotations": [
        {"id": "shared", "label": "PERS", "start": 0, "end": 2}]}])
    write_jsonl(tmp_path / "b.jsonl", [{"name": "b", "text": "نص ثان", "annotations": [
        {"id": "shared", "label": "ORG", "start": 0, "end": 2}, {"label": "GPE", "start": 3, "end": 6}]}])
    import_paths(project, [tmp_path / "a.jsonl"], "amal")
    report = import_paths(project, [tmp_path / "b.jsonl"], "amal")
    assert report.imported == ["b"] and report.annotations_added == 1 and report.skipped_annotations == 1
    assert any("already uses" in line for line in report.summary_lines())


def test_jsonl_that_is_not_utf8_is_rejected_not_guessed(project, tmp_path):
    (tmp_path / "cp.jsonl").write_bytes(json.dumps({"name": "x", "text": "قال بوتين"}, ensure_ascii=False)
                                        .encode("cp1256") + b"\n")
    [(_, message)] = import_paths(project, [tmp_path / "cp.jsonl"], "amal").rejected
    assert "must be UTF-8" in message


def test_cli_export_to_a_missing_folder_names_it(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("نص", encoding="utf-8")
    project = tmp_path / "p.hashiya"
    cli(["import", str(project), str(tmp_path / "a.txt")])
    assert cli(["export", str(project), "--format", "jsonl", "--out", str(tmp_path / "nope" / "o.jsonl")]) == 1
    assert "the folder" in capsys.readouterr().err
    assert cli(["export", str(project), "--format", "jsonl", "--out", str(tmp_path)]) == 1
    assert "is a folder" in capsys.readouterr().err


def test_exports_get_ordinary_file_permissions(project, tmp_path):
    old = os.umask(0o022)
    try:
        export_jsonl(project, tmp_path / "out.jsonl")
    finally:
        os.umask(old)
    assert (tmp_path / "out.jsonl").stat().st_mode & 0o777 == 0o644


def test_big_files_are_written_in_batches_bounded_by_size(project, tmp_path, monkeypatch):
    from app import importer

    for name in "abc":
        (tmp_path / f"{name}.txt").write_text(f"نص طويل بعض الشيء {name}", encoding="utf-8")
    monkeypatch.setattr(importer, "BATCH_CHARS", 10)
    batches = []
    real = importer.Importer._write_batch
    monkeypatch.setattr(importer.Importer, "_write_batch",
                        lambda self, units: (batches.append(len(units)), real(self, units))[1])
    report = import_paths(project, [tmp_path], "amal")
    assert len(report.imported) == 3 and batches == [1, 1, 1]
    monkeypatch.setattr(importer, "BATCH_CHARS", 10_000)
    for name in "def":
        (tmp_path / f"{name}.txt").write_text(f"نص آخر {name}", encoding="utf-8")
    batches.clear()
    import_paths(project, [tmp_path], "amal")
    assert batches == [6]  # three known duplicates and three new ones, one transaction


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
