"""Killing the process at any moment loses nothing that was reported done."""

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from app.project import Project
from tests.conftest import add_document

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
