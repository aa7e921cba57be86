"""The .deb of `make package`, unpacked and run as an analyst's machine would: no virtual environment, no
PYTHONPATH, a clean environment (`env -i`), HOME and XDG folders of its own.

Run by `make test-package` (after `make package`), which `.ci/run` runs after `make test`.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]
DIST = CHECKOUT / "dist"


def _builder():
    """packaging/build_package.py, loaded by path: this folder is not the PyPI package `packaging`."""
    spec = importlib.util.spec_from_file_location("build_package", CHECKOUT / "packaging" / "build_package.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILDER = _builder()
version, elf_files = BUILDER.read_version, BUILDER.elf_files


@pytest.fixture(scope="module")
def deb() -> Path:
    path = DIST / f"hashiya_{version()}_amd64.deb"
    assert path.is_file(), f"{path} is missing: run `make package` first"
    return path


@pytest.fixture(scope="module")
def root(deb, tmp_path_factory) -> Path:
    unpacked = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(unpacked)], check=True)
    return unpacked


@pytest.fixture
def home(tmp_path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


def clean_environment(home: Path, **extra: str) -> list[str]:
    """`env -i` with only what a desktop session gives a program, and the user's folders in `home`."""
    variables = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
                 "XDG_CONFIG_HOME": str(home / "config"), "XDG_STATE_HOME": str(home / "state"),
                 "LANG": "C.UTF-8", **extra}
    return ["env", "-i", *(f"{name}={value}" for name, value in variables.items())]


def run_bundled(root: Path, home: Path, *arguments: str, timeout: float = 120, **extra: str):
    program = root / "opt" / "hashiya" / "hashiya"
    return subprocess.run([*clean_environment(home, **extra), str(program), *arguments], capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout, cwd=home)


def test_the_control_file_declares_the_system_libraries(deb):
    control = subprocess.run(["dpkg-deb", "-f", str(deb)], capture_output=True, text=True, check=True).stdout
    fields = dict(re.findall(r"^([\w-]+): (.*)$", control, re.M))
    assert fields["Package"] == "hashiya" and fields["Version"] == version() and fields["Architecture"] == "amd64"
    depends = {part.split()[0] for part in fields["Depends"].split(", ")}
    # The packages the README lists for the xcb platform plugin (scripts/ensure-system-deps), libc at least.
    listed = set(re.findall(r"^\s+lib[\w.+-]+\.so[\w.]*:([\w.+-]+)$",
                            (CHECKOUT / "scripts" / "ensure-system-deps").read_text(), re.M))
    assert listed and listed <= depends, sorted(listed - depends)
    assert "libc6" in depends and "libstdc++6" in depends


def test_the_package_installs_a_desktop_citizen(root):
    link = root / "usr" / "bin" / "hashiya"
    assert link.is_symlink() and str(link.readlink()) == "/opt/hashiya/hashiya"
    desktop = (root / "usr/share/applications/hashiya.desktop").read_text(encoding="utf-8")
    assert "Exec=hashiya %f" in desktop and "MimeType=application/x-hashiya;" in desktop and "Icon=hashiya" in desktop
    mime = (root / "usr/share/mime/packages/hashiya.xml").read_text(encoding="utf-8")
    assert 'type="application/x-hashiya"' in mime and 'pattern="*.hashiya"' in mime
    for size in (16, 48, 256):
        assert (root / f"usr/share/icons/hicolor/{size}x{size}/apps/hashiya.png").is_file()
    assert (root / "usr/share/icons/hicolor/scalable/apps/hashiya.svg").is_file()
    assert (root / "usr/share/doc/hashiya/copyright").is_file()


def test_version_through_the_link_in_usr_bin(root, home, tmp_path):
    # /usr/bin/hashiya is a link; the bundle must find its own files beside the link's target.
    link = tmp_path / "bin" / "hashiya"
    link.parent.mkdir()
    link.symlink_to(root / "opt" / "hashiya" / "hashiya")
    result = subprocess.run([*clean_environment(home), str(link), "--version"], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0 and result.stdout.strip() == f"hashiya {version()}", result.stderr


def test_headless_import_and_export_load_no_qt(root, home):
    corpus = home / "corpus"
    corpus.mkdir()
    (corpus / "beirut.txt").write_text("وصل الوزير إلى بيروت صباح اليوم.\nThe minister arrived.\n", encoding="utf-8")
    (corpus / "emoji.txt").write_text("🇸🇦 قال المتحدث 😀 إن المحادثات مستمرة\n", encoding="utf-8")
    project = home / "مشروع #1.hashiya"
    imported = run_bundled(root, home, "import", str(project), str(corpus), LD_DEBUG="files")
    assert imported.returncode == 0, imported.stderr[-3000:]
    out = home / "out.jsonl"
    exported = run_bundled(root, home, "export", str(project), "--format", "jsonl", "--out", str(out),
                           LD_DEBUG="files")
    assert exported.returncode == 0, exported.stderr[-3000:]
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert sorted(record["text"] for record in records) == sorted(
        p.read_text(encoding="utf-8") for p in corpus.iterdir())
    # LD_DEBUG=files lists every shared object the process loaded: no Qt for the headless commands.
    for result in (imported, exported):
        assert "libQt6" not in result.stderr and "libpyside6" not in result.stderr


def test_the_window_creates_the_demo_project_on_first_run(root, home):
    result = run_bundled(root, home, "--analyst", "Amal", QT_QPA_PLATFORM="offscreen", HASHIYA_SMOKE_TEST="1")
    assert result.returncode == 0, result.stderr[-3000:]
    state, _seconds, documents, project = result.stdout.strip().split(" ", 3)
    assert state == "shown" and documents == "5"
    assert Path(project) == home / "data" / "hashiya" / "demo.hashiya"
    with sqlite3.connect(f"file:{project}?mode=ro", uri=True) as connection:
        assert connection.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
    settings = json.loads((home / "config" / "hashiya" / "settings.json").read_text(encoding="utf-8"))
    assert settings.get("analyst") != "Amal"  # --analyst is for this run only


def test_the_bundle_speaks_arabic_on_an_arabic_system(root, home):
    """The message catalogue is in the bundle (an Arabic locale's first run speaks Arabic, --language en
    overrides it), and so is Qt's own Arabic catalogue for its buttons and dialogs."""
    refused = run_bundled(root, home, "export", LANG="ar_EG.UTF-8")
    assert refused.returncode == 2 and "الوسائط التالية مطلوبة" in refused.stderr, refused.stderr[-2000:]
    english = run_bundled(root, home, "--language", "en", "export", LANG="ar_EG.UTF-8")
    assert "the following arguments are required" in english.stderr
    shown = run_bundled(root, home, "--language", "ar", "--analyst", "Amal", QT_QPA_PLATFORM="offscreen",
                        HASHIYA_SMOKE_TEST="1")
    assert shown.returncode == 0 and shown.stdout.startswith("shown "), shown.stderr[-3000:]
    assert list((root / "opt" / "hashiya").rglob("qtbase_ar.qm"))


def test_the_bundle_holds_the_entity_recommenders_crf_library(root):
    """python-crfsuite is imported only when the assistant learns or proposes: the bundle must carry it."""
    assert list((root / "opt" / "hashiya").rglob("_pycrfsuite*.so"))


def test_the_bundle_can_open_a_project_on_a_server(root):
    """psycopg's compiled part (with libpq) is loaded by name: the bundle must carry it, and SQLAlchemy's dialect."""
    bundle = root / "opt" / "hashiya"
    assert list(bundle.rglob("psycopg_binary/_psycopg*.so")) and list(bundle.rglob("libpq*.so*"))


def test_nothing_in_the_bundle_links_against_the_system_libpython(root):
    bundle = root / "opt" / "hashiya"
    elves = elf_files(bundle)
    assert len(elves) > 20
    for elf in elves:
        needed = subprocess.run(["readelf", "-d", str(elf)], capture_output=True, text=True).stdout
        for name in re.findall(r"\(NEEDED\)\s+Shared library: \[(libpython[^\]]*)\]", needed):
            assert list(bundle.rglob(name)), f"{elf} needs {name}, which the bundle does not hold"
        resolved = subprocess.run(["ldd", str(elf)], capture_output=True, text=True).stdout
        for line in resolved.splitlines():
            if "libpython" in line and "=>" in line:
                target = line.split("=>", 1)[1].split("(")[0].strip()
                assert target == "not found" or target.startswith(str(bundle)), f"{elf}: {line.strip()}"
    assert list(bundle.glob("_internal/libpython3*.so*")), "the bundle holds its own libpython"
