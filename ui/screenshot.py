"""Render the main window on the demo corpus to a PNG (for the README), at the size of a 1366×768 laptop
screen, optionally with a panel open:

    QT_QPA_PLATFORM=offscreen python -m ui.screenshot docs/screenshot.png [corpus|proposals|boilerplate|guidelines]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from app import packagedata
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


def render(out: Path, panel: str | None = None) -> None:
    saved = os.environ.get("XDG_CONFIG_HOME")
    with tempfile.TemporaryDirectory() as folder:
        # The analyst's own settings (a saved window layout) neither shape the picture nor are overwritten.
        os.environ["XDG_CONFIG_HOME"] = folder
        try:
            _render(out, panel, Path(folder))
        finally:
            if saved is None:
                del os.environ["XDG_CONFIG_HOME"]
            else:
                os.environ["XDG_CONFIG_HOME"] = saved


def _render(out: Path, panel: str | None, folder: Path) -> None:
    configure_qt()
    from PySide6.QtWidgets import QApplication

    from ui.fonts import load_bundled_fonts
    from ui.mainwindow import MainWindow

    app = QApplication.instance() or QApplication([])
    load_bundled_fonts()
    project = Project.create(folder / "demo.hashiya")
    import_paths(project, packagedata.demo_articles(), "Amal")
    window = MainWindow(project, "Amal")
    window.resize(1366, 768)
    window.show()
    text = window.editor.text
    for needle, label, n in EXAMPLES:
        start = nth(text, needle, n)
        window.pane.select_range(start, start + len(needle))
        window.apply_label(label)
    window.pane.clear_selection()
    window.set_status("in_progress")
    if panel:
        _open_panel(window, panel)
        while any(worker.running() for worker in (window.corpus_search, window.suggestions)) \
                or window.boilerplate.background.running():
            app.processEvents()
            time.sleep(0.02)
    app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    window.close()


def _open_panel(window, panel: str) -> None:
    if panel == "corpus":
        window.search_corpus()
        window.corpus_search.query.setText("روسيا")
        window.corpus_search.run()
    elif panel == "proposals":
        text = window.editor.text
        russia = next(span for span in window.editor.layer_spans("entity") if text[span.start:span.end] == "روسيا")
        window.pane.set_selected_span(russia.uid)
        window.propose_occurrences()
    elif panel == "boilerplate":
        window.review_boilerplate()
    elif panel == "guidelines":
        window.show_guidelines()
    else:
        raise SystemExit(f"screenshot: no panel {panel!r} (corpus, proposals, boilerplate, guidelines)")


if __name__ == "__main__":
    render(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshot.png"), sys.argv[2] if len(sys.argv) > 2 else None)
