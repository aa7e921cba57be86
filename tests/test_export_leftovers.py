"""A killed export's temporary files and folders are Hashiya's own by name and are removed by the next export
to the same place, unless their process still runs; a failed write names the path the analyst chose."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import fsutil
from app.cli import main as cli
from app.fsutil import HOST_TAG, TEMP_MARK
from app.project import Project, Span
from tests.conftest import add_document, child_until

ROOT = Path(__file__).resolve().parent.parent

# Runs `hashiya export …` with one step of the writer made to wait, says so, and waits to be killed.
STALLING_CHILD = """
import sys, time
from app import cli, exporter
stalled = getattr(exporter, sys.argv[1])
def stall(*args, **kwargs):
    print("stalled", flush=True)
    time.sleep(120)
setattr(exporter, sys.argv[1], stall)
sys.exit(cli.main(sys.argv[2:]))
"""


def temporaries(folder: Path) -> list[str]:
    return sorted(name for name in os.listdir(folder) if TEMP_MARK in name)


@pytest.fixture
def saved(project, project_path):
    for number in range(3):
        document = add_document(project, f"زار بوتين دمشق للمرة {number}", f"{number}.txt")
        project.add_annotation(Span(document, "amal", "entity", "PERS", 4, 9))
        project.add_annotation(Span(document, "badr", "entity", "LOC", 10, 14))
    project.close()
    return project_path


def kill_mid_export(project_path: Path, stall: str, *export_args: str) -> int:
    with child_until(STALLING_CHILD, stall, "export", str(project_path), *export_args, ready="stalled") as child:
        return child.pid  # killed on leaving


@pytest.mark.parametrize("fmt, out, stall", [
    ("jsonl", "out.jsonl", "json_line"),  # a temporary file
    ("text-clean", "clean", "without_spans"),  # a temporary folder
    ("doccano", "by-analyst", "json_line"),  # a folder per analyst, with a temporary file inside
])
def test_a_killed_exports_leftovers_are_removed_by_the_next_export_there(saved, tmp_path, capsys, fmt, out, stall):
    pid = kill_mid_export(saved, stall, "--format", fmt, "--out", str(tmp_path / out))
    [leftover] = temporaries(tmp_path)
    assert leftover.startswith(f".{out}{TEMP_MARK}{HOST_TAG}-{pid}-") and not (tmp_path / out).exists()
    assert cli(["export", str(saved), "--format", fmt, "--out", str(tmp_path / out)]) == 0
    assert temporaries(tmp_path) == [] and (tmp_path / out).exists()
    assert "wrote" in capsys.readouterr().out


def test_leftovers_of_a_live_process_or_another_computer_are_kept(saved, tmp_path):
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    try:
        names = {"live": f".out.jsonl{TEMP_MARK}{HOST_TAG}-{live.pid}-abcd1234.tmp",
                 "dead": f".out.jsonl{TEMP_MARK}{HOST_TAG}-{gone.pid}-abcd1234.tmp",
                 "elsewhere": f".out.jsonl{TEMP_MARK}{'0' * 6 if HOST_TAG != '0' * 6 else '1' * 6}-{gone.pid}-x.tmp",
                 "dead folder": f".clean{TEMP_MARK}{HOST_TAG}-{gone.pid}-abcd1234",
                 "not ours": f".out.jsonl.{gone.pid}.tmp"}
        for kind, name in names.items():
            if kind == "dead folder":
                (tmp_path / name / "sub").mkdir(parents=True)
            else:
                (tmp_path / name).write_text("half", encoding="utf-8")
        assert cli(["export", str(saved), "--format", "jsonl", "--out", str(tmp_path / "out.jsonl")]) == 0
        kept = sorted(name for name in os.listdir(tmp_path) if name.startswith("."))
        assert kept == sorted([names["live"], names["elsewhere"], names["not ours"]])
    finally:
        live.kill()
        live.wait()


def test_a_long_name_still_gets_a_temporary_that_fits(saved, tmp_path):
    out = tmp_path / ("تصدير" * 24 + ".jsonl")  # 246 bytes: with the marker and pid it would not fit
    assert cli(["export", str(saved), "--format", "jsonl", "--out", str(out)]) == 0
    assert out.exists() and temporaries(tmp_path) == []


# ---- write errors name the path the analyst chose --------------------------------------------------------
def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as the kernel reports it: no file name


@pytest.mark.parametrize("fmt, out", [("jsonl", "out.jsonl"), ("stance-csv", "out.csv"), ("doccano", "by-analyst"),
                                      ("conll", "one.conll")])
def test_a_full_disk_is_reported_naming_the_chosen_path(saved, tmp_path, capsys, monkeypatch, fmt, out):
    monkeypatch.setattr(fsutil.os, "fsync", disk_full)
    extra = ["--annotator", "amal"] if fmt == "conll" else []
    assert cli(["export", str(saved), "--format", fmt, "--out", str(tmp_path / out), *extra]) == 1
    error = capsys.readouterr().err
    assert error.startswith(f"hashiya: cannot write {tmp_path / out}") and "No space left on device" in error
    assert TEMP_MARK not in error and ": :" not in error
    assert not (tmp_path / out).exists() and temporaries(tmp_path) == []


# `hashiya` in a process that may write no file past 200 KB: a write past it fails with EFBIG, no file named.
LIMITED_CHILD = """
import resource, signal, sys
from app.cli import main
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("fmt, out", [("jsonl", "out.jsonl"), ("text-clean", "clean"), ("brat", "brat")])
def test_a_real_write_failure_names_the_chosen_path(project, project_path, tmp_path, fmt, out):
    document = add_document(project, "خبر طويل جدا. " * 30_000)  # 420 KB of text: past the limit
    project.add_annotation(Span(document, "amal", "entity", "PERS", 0, 3))
    project.close()
    result = subprocess.run([sys.executable, "-c", LIMITED_CHILD, "export", str(project_path), "--format", fmt,
                             "--out", str(tmp_path / out)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert result.stderr.startswith(f"hashiya: cannot write {tmp_path / out}"), result.stderr
    assert "File too large" in result.stderr and TEMP_MARK not in result.stderr
    assert not (tmp_path / out).exists() and temporaries(tmp_path) == []


def test_the_windows_export_message_names_the_chosen_path(qtbot, saved, tmp_path, monkeypatch):
    from ui.exporting import ExportRequest, ExportWorker

    monkeypatch.setattr(fsutil.os, "fsync", disk_full)
    project = Project.open(saved)
    try:
        for request in (ExportRequest("jsonl", tmp_path / "out.jsonl", None),
                        ExportRequest("doccano", tmp_path / "by-analyst", None, folder=True)):
            worker = ExportWorker(project, request)
            with qtbot.waitSignal(worker.finished) as blocker:
                worker.run()
            written, message = blocker.args
            assert not written and message.startswith(f"Cannot write {request.out}")
            assert "No space left on device. Nothing was written." in message and TEMP_MARK not in message
    finally:
        project.close()
