"""Killing the process at any moment loses nothing that was reported done."""

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from app.project import Project
from tests.conftest import add_document, child_until

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import sys
from app.project import Project, Span
project = Project.open(sys.argv[1])
document = project.document_ids()[0]
for index in range(1_000_000):
    span = project.add_annotation(Span(document, "amal", "entity", "PERS", index % 50, index % 50 + 3))
    if index % 7 == 3:
        project.update_annotation(span, label="ORG")
        print("changed", span.uid, flush=True)
    else:
        print("added", span.uid, flush=True)
"""


def test_sigkill_loses_no_edit_reported_done(project, project_path):
    add_document(project, "قال الرئيس الروسي فلاديمير بوتين إن روسيا ستدعم كوريا الشمالية دائما")
    project.close()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(project_path)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    reported = []
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline and len(reported) < 3000:
        reported.append(child.stdout.readline().split())
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    assert len(reported) > 50, "the child made too few edits to test anything"

    connection = sqlite3.connect(project_path)
    assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    labels = dict(connection.execute("SELECT uid, label FROM annotations").fetchall())
    connection.close()
    for verb, uid in reported:
        assert uid in labels
        if verb == "changed":
            assert labels[uid] == "ORG"
    reopened = Project.open(project_path)
    assert len(reopened.annotations(reopened.document_ids()[0])) >= len(reported)
    reopened.close()


# ---- the file moved or deleted while the process writes ------------------------------------------------------
CHILD_ON_A_MOVING_FILE = """
import sys
from app.project import Project, ProjectFileMoved, Span
project = Project.open(sys.argv[1])
document = project.document_ids()[0]
for index in range(1_000_000):
    try:
        span = project.add_annotation(Span(document, "amal", "entity", "PERS", index % 50, index % 50 + 3))
    except ProjectFileMoved:
        print("refused", "-", flush=True)
        continue
    print("added", span.uid, flush=True)
"""


def _edit_until_refused(project_path: Path, disturb) -> list[list[str]]:
    """Run the child, `disturb` the file after 200 reported edits, SIGKILL the child once it has refused
    a few; the lines it printed."""
    child = subprocess.Popen([sys.executable, "-c", CHILD_ON_A_MOVING_FILE, str(project_path)], cwd=ROOT,
                             stdout=subprocess.PIPE, text=True)
    reported, refused = [], 0
    deadline = time.monotonic() + 30
    while refused < 5 and time.monotonic() < deadline:
        line = child.stdout.readline().split()
        if not line:
            break
        reported.append(line)
        refused += line[0] == "refused"
        if len(reported) == 200:
            disturb()
    child.send_signal(signal.SIGKILL)
    child.wait()
    child.stdout.close()
    assert refused == 5, "the child went on writing after the file was moved"
    return reported


def _stored_uids(path: Path) -> set[str]:
    connection = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return {uid for (uid,) in connection.execute("SELECT uid FROM annotations")}
    finally:
        connection.close()


def test_sigkill_after_a_move_leaves_every_edit_reported_done_in_the_moved_file(project, project_path):
    add_document(project, "قال الرئيس الروسي فلاديمير بوتين إن روسيا ستدعم كوريا الشمالية دائما")
    project.close()
    moved = project_path.with_name("moved by the analyst.hashiya")
    reported = _edit_until_refused(project_path, lambda: project_path.rename(moved))
    added = [uid for verb, uid in reported if verb == "added"]
    first_refusal = next(index for index, (verb, _) in enumerate(reported) if verb == "refused")
    assert all(verb == "refused" for verb, _ in reported[first_refusal:]), "an edit was reported done after a refusal"
    assert set(added) <= _stored_uids(moved)
    assert not project_path.exists(), "no new project may appear where the file was"


def test_sigkill_after_a_delete_reports_nothing_done_after_it_and_creates_nothing(project, project_path):
    add_document(project, "قال الرئيس الروسي فلاديمير بوتين إن روسيا ستدعم كوريا الشمالية دائما")
    project.close()
    reported = _edit_until_refused(project_path, project_path.unlink)
    first_refusal = next(index for index, (verb, _) in enumerate(reported) if verb == "refused")
    assert first_refusal >= 199  # what was done before the delete was reported; nothing after it
    assert all(verb == "refused" for verb, _ in reported[first_refusal:])
    assert not project_path.exists()
    wal = project_path.with_name(project_path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "edits left in an orphaned WAL"


# ---- an export of other people's names, killed mid-way ----------------------------------------------------------
STALLED_EXPORT = """
import sys, time
from app import cli, exporter
written = []
real = exporter.json_line
def stall_after_one(record):
    written.append(record)
    if len(written) == 4:  # a few lines in, with analysts' files already made in the folder
        print("stalled", flush=True)
        time.sleep(120)
    return real(record)
exporter.json_line = stall_after_one
sys.exit(cli.main(sys.argv[1:]))
"""

HOSTILE_ANALYSTS = ["../../x", "a/b", "..", ".hidden", "/etc/passwd", "x\\\\..\\\\y"]


def test_sigkill_during_an_export_of_hostile_analyst_names_writes_nothing_outside_and_is_cleaned_next_time(
        project, project_path, tmp_path):
    from app.cli import main as cli
    from app.project import Span

    document = add_document(project, "قال الرئيس الروسي فلاديمير بوتين إن روسيا ستدعم كوريا الشمالية دائما")
    for name in HOSTILE_ANALYSTS:
        project.add_annotation(Span(document, name, "entity", "PERS", 11, 18))
    project.close()
    place = tmp_path / "exports" / "deep"
    place.mkdir(parents=True)

    def everything() -> set[Path]:  # but the project's own working files
        return {path for path in tmp_path.rglob("*") if not path.name.startswith(project_path.name)}

    before = everything()
    out = place / "by analyst"
    with child_until(STALLED_EXPORT, "export", str(project_path), "--format", "doccano", "--out", str(out),
                     ready="stalled"):
        pass  # killed mid-export
    made = everything() - before
    assert made and all(place in path.parents for path in made), "a killed export wrote outside its folder"

    assert cli(["export", str(project_path), "--format", "doccano", "--out", str(out)]) == 0
    made = everything() - before
    assert all(path == out or out in path.parents for path in made), sorted(map(str, made))
    assert len(list(out.glob("*.jsonl"))) == len(HOSTILE_ANALYSTS)
