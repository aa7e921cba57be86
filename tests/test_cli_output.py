"""What `hashiya` prints: `hashiya -h` lists every command without loading Qt, and text columns carry bidi
isolates only for a terminal (a pipe gets the text as it is)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import SUBCOMMAND_HELP, SUBCOMMANDS
from app.importer import import_paths
from app.project import Project
from tests.conftest import SEED_ARTICLES

ROOT = Path(__file__).resolve().parent.parent
ISOLATES = ("\u2068", "\u2069")

HELP_CHILD = """
import json, sys
from ui.launch import main
from tests.conftest import SEED_ARTICLES
try:
    main(sys.argv[1:])
except SystemExit as stop:
    code = stop.code
print(json.dumps([code, sorted(m for m in sys.modules if m.startswith(("PySide6", "shiboken6")))]))
"""


@pytest.mark.parametrize("flag", ["--help", "-h"])
def test_help_lists_the_window_options_and_every_command_without_loading_qt(flag):
    result = subprocess.run([sys.executable, "-c", HELP_CHILD, flag], capture_output=True, text=True, cwd=ROOT,
                            timeout=60, env={**os.environ, "COLUMNS": "100"})
    *shown, last = result.stdout.strip().splitlines()
    assert json.loads(last) == [0, []], result.stderr
    text = "\n".join(shown)
    assert "--analyst" in text and "project" in text
    listed = {line.split()[0]: line for line in shown if line.startswith("  ") and line.split()[0] in SUBCOMMANDS}
    assert sorted(listed) == sorted(SUBCOMMANDS)
    joined = " ".join(" ".join(line.split()) for line in shown)
    for name, help_text in SUBCOMMAND_HELP.items():
        assert f"{name} {help_text}" in joined  # the whole line of help, wrapped


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "demo.hashiya"
    project = Project.create(path)
    import_paths(project, SEED_ARTICLES, "amal")
    project.close()
    return path


def command(demo: Path, name: str) -> list[str]:
    return [sys.executable, "-m", "app", name, str(demo), *(["بوتين"] if name == "search" else [])]


@pytest.mark.parametrize("name", ["search", "boilerplate"])
def test_a_pipe_gets_plain_text(demo, name):
    result = subprocess.run(command(demo, name), capture_output=True, text=True, encoding="utf-8", cwd=ROOT,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout and not any(mark in result.stdout for mark in ISOLATES)
    if name == "search":
        project = Project.open(demo)
        texts = {project.document_name(i): project.document_text(i) for i in project.document_ids()}
        project.close()
        for line in result.stdout.splitlines():
            document, start, end, text = line.split("\t")
            assert texts[document][int(start):int(end)] == text  # the column is the text itself


@pytest.mark.parametrize("name", ["search", "boilerplate"])
def test_a_terminal_gets_the_text_between_isolates(demo, name):
    leader, follower = os.openpty()
    child = subprocess.Popen(command(demo, name), stdout=follower, stderr=subprocess.DEVNULL, cwd=ROOT)
    os.close(follower)
    received = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        received += chunk
    os.close(leader)
    assert child.wait(timeout=120) == 0
    lines = [line for line in received.decode("utf-8").replace("\r\n", "\n").splitlines() if line]
    texts = [line.split("\t")[-1] for line in lines]  # the matched text, or the boilerplate line's preview
    assert texts and all(text.startswith("\u2068") and text.endswith("\u2069") for text in texts)
