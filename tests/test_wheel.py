"""The wheel `pip wheel .` builds, installed into a fresh virtual environment outside the checkout and run
from another folder: everything it reads at run time must have come with it (package data)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT, SEED_ARTICLES

pytestmark = pytest.mark.slow


def run(command, **options):
    result = subprocess.run([str(part) for part in command], capture_output=True, text=True, encoding="utf-8",
                            timeout=600, **options)
    assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-4000:]}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", out, ROOT])
    (built,) = out.glob("hashiya-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """bin/ of a new virtual environment holding the wheel and its dependencies, nothing of the checkout."""
    venv = tmp_path_factory.mktemp("venv")
    run([sys.executable, "-m", "venv", venv])
    run([venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel])
    return venv / "bin"


def outside_environment(home: Path, **extra: str) -> dict[str, str]:
    environment = {name: value for name, value in os.environ.items() if not name.startswith(("PYTHON", "VIRTUAL_ENV"))}
    environment.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
                       XDG_STATE_HOME=str(home / "state"), **extra)
    return environment


def test_the_wheel_holds_every_module_and_data_file_of_the_checkout(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {str(path.relative_to(ROOT)) for folder in ("app", "ui") for path in (ROOT / folder).rglob("*.py")}
    expected |= {"app/resources/" + str(p.relative_to(ROOT / "resources")) for p in (ROOT / "resources").rglob("*")
                 if p.is_file() and "__pycache__" not in p.parts
                 and p.suffix not in (".po", ".pot")}  # the catalogue's sources: the app reads the compiled .mo
    expected |= {"app/seeds/" + p.name for p in (ROOT / "seeds").iterdir() if p.is_file()}
    assert expected - names == set()
    assert not any(name.startswith(("tests/", "benchmarks/", "packaging/")) for name in names)


def test_the_installed_wheel_imports_and_exports_from_another_folder(installed, tmp_path):
    home = tmp_path / "elsewhere"
    home.mkdir()
    corpus = home / "corpus"
    corpus.mkdir()
    (corpus / "flag.txt").write_text("🇸🇦 قال المتحدث 😀 إن المحادثات مستمرة\n", encoding="utf-8")
    (corpus / "beirut.txt").write_text("وصل الوزير إلى بيروت.\n", encoding="utf-8")
    environment = outside_environment(home)
    assert run([installed / "hashiya", "--version"], cwd=home, env=environment).stdout.startswith("hashiya ")
    project = home / "p.hashiya"
    run([installed / "hashiya", "import", project, corpus], cwd=home, env=environment)
    out = home / "out.jsonl"
    run([installed / "hashiya", "export", project, "--format", "jsonl", "--out", out], cwd=home, env=environment)
    texts = sorted(json.loads(line)["text"] for line in out.read_text(encoding="utf-8").splitlines())
    assert texts == sorted(p.read_text(encoding="utf-8") for p in corpus.iterdir())
    # The program came from the environment, not from the checkout.
    where = run([installed / "python", "-c", "import app, ui; print(app.__file__); print(ui.__file__)"],
                cwd=home, env=environment).stdout
    assert str(ROOT) not in where and "site-packages" in where


def test_the_installed_window_creates_the_demo_project_on_first_run(installed, tmp_path):
    home = tmp_path / "elsewhere"
    home.mkdir()
    environment = outside_environment(home, QT_QPA_PLATFORM="offscreen", HASHIYA_SMOKE_TEST="1")
    shown = run([installed / "hashiya", "--analyst", "Amal"], cwd=home, env=environment).stdout.split()
    assert shown[0] == "shown" and shown[2] == str(len(SEED_ARTICLES))
    assert Path(shown[3]) == home / "data" / "hashiya" / "demo.hashiya"
