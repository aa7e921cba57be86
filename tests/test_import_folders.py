"""A folder import skips and reports every entry it cannot read, and imports the rest: unreadable sub-folders,
links to nothing, links in a loop, named pipes and devices, files it may not read, files gone between the
listing and the reading. The one-unit formats (brat and XMI folders) refuse the input naming the entry, and
never hang on a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.formats import FORMATS, import_as
from app.importer import Importer, import_paths

ROOT = Path(__file__).resolve().parent.parent


def folder_with_bad_entries(root: Path) -> Path:
    """good files around one bad entry of each kind (no permissions involved)."""
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_text("نص أول", encoding="utf-8")
    (root / "sub" / "z.txt").write_text("نص أخير", encoding="utf-8")
    (root.parent / "outside.txt").write_text("نص يقرأ من رابط", encoding="utf-8")
    (root / "b-link.txt").symlink_to(root.parent / "outside.txt")  # a link to a regular file: read
    (root / "c-dangling.txt").symlink_to(root / "nowhere.txt")
    (root / "d-loop.txt").symlink_to(root / "d-loop.txt")
    os.mkfifo(root / "e-pipe.txt")
    (root / "f-folder-link.txt").symlink_to(root / "sub", target_is_directory=True)  # a linked folder: skipped
    (root / "g-loop").symlink_to(root / "g-loop")  # not importable by its name: not listed
    return root


def test_a_folder_with_bad_entries_imports_the_rest_and_names_each_bad_one(project, tmp_path):
    root = folder_with_bad_entries(tmp_path / "corpus")
    report = import_paths(project, [root], "amal")
    assert report.imported == ["a.txt", "b-link.txt", "sub/z.txt"]
    reasons = {Path(name).name: reason for name, reason in report.rejected}
    assert set(reasons) == {"c-dangling.txt", "d-loop.txt", "e-pipe.txt"}
    assert "link to nothing" in reasons["c-dangling.txt"]
    assert "loop" in reasons["d-loop.txt"]
    assert "named pipe" in reasons["e-pipe.txt"]


def test_a_named_pipe_given_by_name_is_refused_not_waited_on(project, tmp_path):
    os.mkfifo(tmp_path / "pipe.jsonl")
    (tmp_path / "ok.txt").write_text("نص", encoding="utf-8")
    report = import_paths(project, [tmp_path / "pipe.jsonl", tmp_path / "ok.txt"], "amal")
    assert report.imported == ["ok.txt"]
    [(name, reason)] = report.rejected
    assert name.endswith("pipe.jsonl") and "is a named pipe (FIFO), not a regular file" in reason


def test_a_device_is_refused(project):
    report = import_paths(project, ["/dev/zero"], "amal")
    [(name, reason)] = report.rejected
    assert name == "/dev/zero" and "character device" in reason


def test_a_file_that_vanishes_between_listing_and_reading_is_reported(project, tmp_path):
    for name in ("1.txt", "2.txt", "3.txt"):
        (tmp_path / name).write_text(f"نص {name}", encoding="utf-8")

    def delete_the_second(done, _total):
        if done == 1:
            (tmp_path / "2.txt").unlink()

    report = Importer(project, "amal", progress=delete_the_second).run([tmp_path])
    assert report.imported == ["1.txt", "3.txt"]
    [(name, reason)] = report.rejected
    assert name.endswith("2.txt") and "No such file" in reason


def test_a_file_whose_name_is_not_utf8_is_reported_printably(project, tmp_path):
    folder = tmp_path / "names"
    folder.mkdir()
    (folder / "ok.txt").write_text("نص", encoding="utf-8")
    with open(os.path.join(os.fsencode(folder), b"bad-\xff.txt"), "wb") as handle:
        handle.write("نص آخر".encode("utf-8"))
    report = import_paths(project, [folder], "amal")
    assert report.imported == ["ok.txt"]
    [(_, reason)] = report.rejected
    assert reason == "its name is not UTF-8 (the byte 0xff at character 4): rename the file"
    lines = report.summary_lines()
    assert any("bad-\\udcff.txt" in line for line in lines)  # shown as an escape
    for line in lines:
        line.encode("utf-8")


# ---- permissions: chmod 000 denies nothing to root -------------------------------------------------------
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, PR_CAPBSET_DROP = 1, 2, 24


def _denial_works(path: Path) -> bool:
    try:
        path.read_bytes()
    except PermissionError:
        return True
    return False


def _without_root_file_access() -> None:
    """In the child before exec: drop the two capabilities that let root read whatever chmod says, so the
    import meets the permissions as any user would (Linux; needs CAP_SETPCAP, which root normally has)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_unreadable_folders_and_files_are_reported_and_the_rest_imports(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "locked").mkdir(parents=True)
    (corpus / "a.txt").write_text("نص أول", encoding="utf-8")
    (corpus / "locked" / "inside.txt").write_text("نص مخفي", encoding="utf-8")
    (corpus / "secret.txt").write_text("نص سري", encoding="utf-8")
    (corpus / "z.txt").write_text("نص أخير", encoding="utf-8")
    os.chmod(corpus / "locked", 0)
    os.chmod(corpus / "secret.txt", 0)
    try:
        options = {}
        if not _denial_works(corpus / "secret.txt"):  # root: run the import without root's file access
            if not sys.platform.startswith("linux"):
                pytest.skip("running as root, and dropping root's file access is done here on Linux only")
            options = {"preexec_fn": _without_root_file_access}
        command = [sys.executable, "-m", "app", "import", str(tmp_path / "p.hashiya"), str(corpus),
                   "--annotator", "amal"]
        try:
            done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120, **options)
        except subprocess.SubprocessError as error:  # the capabilities could not be dropped
            pytest.skip(f"running as root, and root's file access cannot be dropped here ({error})")
        assert done.returncode == 1, done.stderr
        assert "imported 2 document(s)" in done.stdout
        assert "rejected 2 file(s)" in done.stdout
        assert "locked: the folder cannot be read (Permission denied)" in done.stdout
        assert "secret.txt: cannot be read (Permission denied)" in done.stdout
    finally:
        os.chmod(corpus / "locked", 0o755)
        os.chmod(corpus / "secret.txt", 0o644)


# ---- the formats whose folder is one input ------------------------------------------------------------------
@pytest.mark.parametrize("format_name, suffix", [("brat", ".ann"), ("xmi", ".xmi")])
@pytest.mark.parametrize("bad", ["pipe", "dangling", "loop"])
def test_a_bad_entry_refuses_a_brat_or_xmi_folder_naming_it(project, tmp_path, format_name, suffix, bad):
    folder = tmp_path / "input"
    folder.mkdir()
    entry = folder / f"a{suffix}"
    {"pipe": lambda: os.mkfifo(entry), "dangling": lambda: entry.symlink_to(folder / "gone"),
     "loop": lambda: entry.symlink_to(entry)}[bad]()
    (folder / "a.txt").write_text("نص", encoding="utf-8")
    (folder / "b.txt").write_text("نص آخر", encoding="utf-8")
    (folder / f"b{suffix}").write_text("", encoding="utf-8")
    report = import_as(project, FORMATS[format_name], folder, "amal")
    [(name, reason)] = report.rejected
    assert name == str(folder) and reason.startswith(f"a{suffix} ")
    expected = {"pipe": "named pipe", "dangling": ("link to nothing" if format_name == "brat" else "No such file"),
                "loop": ("in a loop" if format_name == "brat" else "Too many levels of symbolic links")}
    assert expected[bad] in reason
    assert project.document_ids() == []


@pytest.mark.parametrize("format_name, file_name", [
    ("doccano", "in.jsonl"), ("label-studio", "in.json"), ("conll", "in.conll"), ("brat", "in.ann"),
    ("xmi", "in.xmi"), ("xmi", "in.zip")])
def test_a_named_pipe_given_to_any_format_is_refused_not_waited_on(project, tmp_path, format_name, file_name):
    pipe = tmp_path / file_name
    os.mkfifo(pipe)
    if format_name == "brat":
        (tmp_path / "in.txt").write_text("نص", encoding="utf-8")
    [(name, reason)] = import_as(project, FORMATS[format_name], pipe, "amal").rejected
    assert name == str(pipe) and "is a named pipe (FIFO), not a regular file" in reason
    assert project.document_ids() == []
