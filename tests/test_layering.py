"""app/ never imports Qt, and the headless commands load no Qt at all."""

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "ui")


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_app_package_never_imports_qt_or_ui():
    offenders = {
        str(path.relative_to(ROOT)): sorted(m for m in imported_modules(path) if m.split(".")[0] in FORBIDDEN)
        for path in (ROOT / "app").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_headless_commands_load_no_qt(tmp_path):
    source = tmp_path / "a.txt"
    source.write_text("قال بوتين إن روسيا", encoding="utf-8")
    project, out, other = tmp_path / "p.hashiya", tmp_path / "out.jsonl", tmp_path / "other.hashiya"
    script = (
        "import sys, json\n"
        "from ui.launch import main\n"
        f"codes = [main(['import', {str(project)!r}, {str(source)!r}]),"
        f" main(['export', {str(project)!r}, '--format', 'jsonl', '--out', {str(out)!r}]),"
        f" main(['search', {str(project)!r}, 'روسيا']), main(['boilerplate', {str(project)!r}]),"
        f" main(['duplicates', {str(project)!r}]), main(['import', {str(other)!r}, {str(source)!r}]),"
        f" main(['merge', {str(project)!r}, {str(other)!r}])]\n"
        "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6')))\n"
        "print(json.dumps({'codes': codes, 'qt': qt}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"codes": [0] * 7, "qt": []}
    assert out.exists()


def test_nothing_hashiya_runs_needs_numpy(tmp_path):
    # numpy (and its OpenBLAS) is not a dependency: near-duplicates (app.minhash) are plain Python, and
    # the spaCy export, whose spaCy brings numpy along, imports it only when it runs.
    source = tmp_path / "a.txt"
    source.write_text("\n".join(["قال الرئيس في مؤتمر صحفي عقده اليوم في العاصمة إن المحادثات ستستمر"] * 3),
                      encoding="utf-8")
    project = tmp_path / "p.hashiya"
    script = (
        "import sys, pkgutil, importlib, json\n"
        "sys.modules['numpy'] = None\n"  # any import of numpy fails
        "import app, app.formats, ui\n"
        "for package in (app, app.formats, ui):\n"
        "    for module in pkgutil.iter_modules(package.__path__, package.__name__ + '.'):\n"
        "        if not module.name.endswith('__main__'):\n"
        "            importlib.import_module(module.name)\n"
        "from ui.launch import main\n"
        f"codes = [main(['import', {str(project)!r}, {str(source)!r}]), main(['duplicates', {str(project)!r}])]\n"
        "print(json.dumps(codes))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"},
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[0, 0]"
