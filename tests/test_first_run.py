"""`hashiya` with no argument: the demo corpus on first run, the last project afterwards."""

from app import paths, settings
from app.project import Project
from ui.main import choose_project_path, ensure_demo_project


def test_first_run_creates_the_demo_project_from_seeds():
    path = choose_project_path(None)
    assert path == paths.demo_project_path() and path.parent.name == "hashiya"
    project = Project.open(path)
    names = [project.document_rows([i], "x")[0].name for i in project.document_ids()]
    project.close()
    assert names == sorted(p.name for p in paths.SEEDS.glob("*.txt")) and len(names) == 5


def test_the_demo_is_imported_once(tmp_path):
    first = ensure_demo_project()
    stamp = first.stat().st_mtime_ns
    assert ensure_demo_project() == first and first.stat().st_mtime_ns == stamp


def test_the_last_project_is_reopened(tmp_path):
    last = tmp_path / "mine.hashiya"
    Project.create(last).close()
    settings.update(last_project=str(last))
    assert choose_project_path(None) == last
    last.unlink()
    assert choose_project_path(None) == paths.demo_project_path()  # gone: back to the demo
