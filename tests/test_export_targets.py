"""An export goes where the analyst pointed, whatever kind of file that is: through a link (the link stays
a link), into a pipe or a terminal (/dev/stdout), never replacing them with a file of its own."""

import json
import os
import stat
import threading

from app.cli import main
from app.importer import import_paths
from tests.conftest import SEED_ARTICLES


def exported(project, out) -> int:
    return main(["export", str(project.path), "--format", "jsonl", "--out", str(out)])


def test_an_export_through_a_link_replaces_the_file_the_link_leads_to(project, tmp_path):
    import_paths(project, SEED_ARTICLES[:2], "amal")
    real = tmp_path / "shared" / "gold.jsonl"
    real.parent.mkdir()
    real.write_text("old\n", encoding="utf-8")
    link = tmp_path / "gold.jsonl"
    link.symlink_to(real)
    assert exported(project, link) == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert len(real.read_text(encoding="utf-8").splitlines()) == 2
    assert sorted(p.name for p in tmp_path.iterdir() if "test.hashiya" not in p.name) == ["gold.jsonl", "shared"]


def test_an_export_into_a_pipe_is_written_to_the_pipe(project, tmp_path):
    """/dev/stdout is a link to the process's standard output; a pipe stands for it here."""
    import_paths(project, SEED_ARTICLES[:3], "amal")
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "stdout"
    link.symlink_to(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    assert exported(project, link) == 0
    reader.join(30)
    assert [json.loads(line)["name"] for line in received[0].splitlines()] == [p.name for p in SEED_ARTICLES[:3]]
    assert link.is_symlink() and stat.S_ISFIFO(fifo.stat().st_mode)
