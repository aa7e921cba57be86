"""Names from other people's files (analysts, documents) become file and folder names only through
app.safenames: nothing is written outside the chosen folder, every name is one a disk accepts, and
whatever had to change is listed in the export's names.json."""

from __future__ import annotations

import json
import os
import re
import unicodedata
from pathlib import Path

import pytest
from spacy.tokens import DocBin
from spacy.vocab import Vocab

from app.exporter import export_text_clean
from app.formats import FORMATS, export_as, import_as
from app.formats.xmi import xml_safe
from app.project import Project, Span
from app.safenames import (INDEX_FILE, MAX_COMPONENT_BYTES, ExportFolder, OutsideFolder, SafeNames,
                           safe_component)
from tests.conftest import add_document

LONG_ARABIC = "مراسل" * 60  # 300 characters, 600 bytes
HOSTILE = ["../../x", "a/b", "..", ".hidden", "CON", "con.txt", "COM1", LONG_ARABIC, "Amal", "amal", "x\x00y",
           "\u200famal\u200f", "😀 emoji", "a\\b", 'what?<"*>|:', "trailing. ", "نص/../../مقال"]
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10))}
PER_ANALYST = [name for name, fmt in FORMATS.items() if fmt.per_analyst]


def assert_safe_component(part: str) -> None:
    assert part not in ("", ".", "..")
    assert not re.search('[\x00-\x1f\x7f<>:"|?*/\\\\]', part), part
    assert not part.startswith(".") and not part.endswith((".", " ")), part
    assert part.split(".")[0].strip().upper() not in WINDOWS_DEVICES, part
    assert len(part.encode("utf-8")) <= MAX_COMPONENT_BYTES, part
    assert not re.search("[\u200e\u200f\u202a-\u202e\u2066-\u2069]", part), part  # no invisible reordering


@pytest.mark.parametrize("name", HOSTILE)
def test_every_hostile_name_becomes_one_safe_component(name):
    assert_safe_component(safe_component(name))
    assert_safe_component(safe_component(name, room=40))
    assert len(safe_component(name, room=40).encode("utf-8")) <= MAX_COMPONENT_BYTES - 40


def test_ordinary_names_are_kept_as_they_are():
    for name in ["amal", "عمرو", "Badr Al-Din", "001_4afbc71c9bfeecdd.txt", "تقرير (2)", "😀"]:
        assert safe_component(name) == name


def test_a_long_name_is_cut_by_bytes_at_a_letter_never_inside_one_or_before_its_harakat():
    vowelled = "بِسْمِ اللَّهِ " * 40  # letters each followed by one or two harakat
    for name in (vowelled, LONG_ARABIC, "👩‍👩‍👧" * 40, "e\u0301" * 200):
        for room in (0, 7, 30):
            cut = safe_component(name, room=room)
            assert len(cut.encode("utf-8")) <= MAX_COMPONENT_BYTES - room
            assert name.startswith(cut.rstrip("_")) and len(cut) > 10
            rest = name[len(cut):]
            # The next character starts a letter of its own: not a haraka, not a joiner, not after a joiner.
            assert not unicodedata.combining(rest[0]) and rest[0] != "\u200d" and cut[-1] != "\u200d"


def test_names_that_differ_only_in_case_or_invisible_marks_get_a_counter():
    names = SafeNames()
    written = [names.claim(name, (".jsonl",)) for name in ["amal", "Amal", "AMAL", "\u200famal\u200f"]]
    assert written == ["amal", "Amal-2", "AMAL-3", "amal-4"]
    assert names.renamed == {"Amal-2.jsonl": "Amal", "AMAL-3.jsonl": "AMAL", "amal-4.jsonl": "\u200famal\u200f"}


def test_a_folder_never_takes_a_files_name_and_deep_names_are_flattened():
    names = SafeNames()
    assert names.claim("sub.txt", (".txt",), strip=".txt") == "sub"
    assert names.claim("sub.txt/inner.txt", (".txt",), strip=".txt") == "sub.txt_inner"  # a file took "sub.txt"
    assert names.claim("sub/inner.txt", (".txt",), strip=".txt") == "sub/inner"
    assert names.claim("sub", (".txt",), strip=".txt") == "sub-2"  # sub.txt is taken by the first
    deep = names.claim("/".join(["ق"] * 100), (".txt",))
    assert "/" not in deep and len(deep.encode("utf-8")) <= MAX_COMPONENT_BYTES
    assert names.renamed["sub-2.txt"] == "sub"


def test_the_export_folder_refuses_a_path_that_leaves_it(tmp_path):
    (tmp_path / "outside").mkdir()
    (tmp_path / "export").mkdir()
    (tmp_path / "export" / "link").symlink_to(tmp_path / "outside")
    folder = ExportFolder(tmp_path / "export")
    for relative in ["../x.txt", "a/../../x.txt", "/etc/x.txt", "link/x.txt"]:
        with pytest.raises(OutsideFolder, match="outside"):
            folder.path(relative)
    assert folder.path("a/b.txt") == (tmp_path / "export" / "a" / "b.txt").resolve()
    assert not list((tmp_path / "outside").iterdir())


# ---- every export that names files after analysts or documents --------------------------------------------
def everything_under(root: Path) -> set[Path]:
    """Every file and folder under `root` but the project's own (its -wal and -shm come and go)."""
    return {Path(folder, name) for folder, folders, files in os.walk(root) for name in folders + files
            if not name.startswith("test.hashiya")}


def label_for(number: int) -> str:
    return f"WHO{number:02d}"


def labels_in(fmt_name: str, path: Path) -> set[str]:
    """The WHOnn labels an export file or folder holds, read as the format stores them."""
    if fmt_name == "spacy":
        docs = DocBin().from_disk(path).get_docs(Vocab())
        return {span.label_ for doc in docs for span in doc.spans["entity"]}
    # The labels of the annotations themselves, not brat's annotation.conf or XMI's type system.
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.suffix in (".ann", ".xmi")]
    return {match for file in files for match in re.findall(r"WHO\d\d", file.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("fmt_name", PER_ANALYST)
def test_per_analyst_exports_stay_inside_the_folder_and_carry_each_analysts_work(project, tmp_path, fmt_name):
    fmt = FORMATS[fmt_name]
    document = add_document(project, "زار بوتين دمشق أمس")
    for number, analyst in enumerate(HOSTILE):
        project.add_annotation(Span(document, analyst, "entity", label_for(number), 4, 9))
    chosen = tmp_path / "deep" / "er"
    chosen.mkdir(parents=True)
    before = everything_under(tmp_path)
    outcome = export_as(project, fmt, chosen / "out", layer="entity")
    assert outcome.per_analyst_folder and sorted(outcome.analysts) == sorted(HOSTILE)
    out = chosen / "out"
    assert all(out in (path, *path.parents) for path in everything_under(tmp_path) - before)  # nothing elsewhere
    renamed = json.loads((out / INDEX_FILE).read_text(encoding="utf-8"))
    exports = sorted(entry for entry in os.listdir(out) if entry != INDEX_FILE)
    assert len(exports) == len(HOSTILE)
    for entry in exports:
        assert_safe_component(entry)
        analyst = renamed.get(entry, entry.removesuffix(fmt.suffix) if fmt.suffix else entry)
        assert labels_in(fmt_name, out / entry) == {label_for(HOSTILE.index(analyst))}, entry
    # Sorted, "Amal" comes first and keeps its name; "amal" and "\u200famal\u200f" then get a counter.
    assert set(renamed.values()) == set(HOSTILE) - {"Amal", "😀 emoji"}
    assert f"{len(renamed)} name(s) changed into safe file names, listed in names.json" in outcome.summary(("entity",))


@pytest.mark.parametrize("fmt_name", ["text-clean", "brat", "xmi"])
def test_document_files_stay_inside_the_folder_and_hold_the_documents_they_are_listed_for(project, tmp_path,
                                                                                          fmt_name):
    texts = {name: f"نص الوثيقة رقم {number}" for number, name in enumerate(HOSTILE)}
    for name, text in texts.items():
        add_document(project, text, name)
    chosen = tmp_path / "deep" / "er"
    chosen.mkdir(parents=True)
    before = everything_under(tmp_path)
    out = chosen / "out"
    if fmt_name == "text-clean":
        report = export_text_clean(project, out)
    else:
        report = export_as(project, FORMATS[fmt_name], out, annotator="tester").report
    assert all(out in (path, *path.parents) for path in everything_under(tmp_path) - before)
    renamed = json.loads((out / INDEX_FILE).read_text(encoding="utf-8"))
    assert report.renamed == len(renamed) > 0
    suffix = {"text-clean": ".txt", "brat": ".txt", "xmi": ".xmi"}[fmt_name]
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob(f"*{suffix}"))
    assert len(files) == len(HOSTILE)
    for relative in files:
        for part in relative.split("/"):
            assert_safe_component(part)
        if fmt_name == "xmi":
            other = Project.create(tmp_path / f"{len(os.listdir(tmp_path))}.hashiya")
            import_as(other, FORMATS["xmi"], out / relative, "someone")
            [document_id] = other.document_ids()
            name, text = other.document_name(document_id), other.document_text(document_id)
            other.close()
            # The title inside the file is the document's name (with U+FFFD for what XML cannot carry).
            original = renamed.get(relative, name)
            assert xml_safe(original) == name
            name = original
        else:
            name = renamed.get(relative, relative.removesuffix(".txt") + ".txt")
            name = name if name in texts else name.removesuffix(".txt")
            text = (out / relative).read_text(encoding="utf-8").rstrip("\n")
        assert texts[name] == text, relative
