"""Render the main window on the demo corpus to a PNG (for the README).

    QT_QPA_PLATFORM=offscreen python -m ui.screenshot docs/screenshot.png
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from app import paths
from app.importer import import_paths
from app.project import Project
from ui.main import configure_qt

# Demo annotations in article 000: (text, label), the n-th occurrence.
EXAMPLES = [
    ("فلاديمير بوتين", "PERS", 0), ("كيم جونغ أون", "PERS", 0), ("بيونغ يانغ", "GPE", 0),
    ("الرئيس الروسي", "NORP", 0), ("الكوري الشمالي", "NORP", 0), ("دار ضيافة كومسوسان", "LOC", 0),
    ("وكالة الأنباء الكورية الشمالية", "ORG", 0), ("الكورية الشمالية", "NORP", 0), ("روسيا", "GPE", 0),
    ("كوريا الشمالية", "GPE", 0), ("الأربعاء", "DATE", 0),
]


def nth(text: str, needle: str, n: int) -> int:
    index = -1
    for _ in range(n + 1):
        index = text.index(needle, index + 1)
    return index


def render(out: Path) -> None:
    configure_qt()
    from PySide6.QtWidgets import QApplication

    from ui.fonts import load_bundled_fonts
    from ui.mainwindow import MainWindow

    app = QApplication.instance() or QApplication([])
    load_bundled_fonts()
    with tempfile.TemporaryDirectory() as folder:
        project = Project.create(Path(folder) / "demo.hashiya")
        import_paths(project, [paths.SEEDS], "Amal")
        window = MainWindow(project, "Amal")
        window.resize(1360, 820)
        window.show()
        text = window.editor.text
        for needle, label, n in EXAMPLES:
            start = nth(text, needle, n)
            window.pane.select_range(start, start + len(needle))
            window.apply_label(label)
        window.pane.clear_selection()
        window.set_status("in_progress")
        app.processEvents()
        out.parent.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(out))
        window.close()


if __name__ == "__main__":
    render(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.png"))
