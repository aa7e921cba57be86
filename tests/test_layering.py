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


def test_the_window_does_not_load_numpy_until_documents_are_compared():
    # numpy costs ~60 ms of start-up and ~18 MiB: only comparing documents (app.minhash) needs it.
    script = "import sys, ui.mainwindow, app.duplicates; print('numpy' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.stdout.strip() == "False", result.stderr
