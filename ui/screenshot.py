"""Render the main window on the demo corpus to a PNG (for the README), at the size of a 1366×768 laptop
screen, optionally with a panel or dialog open, in English or in Arabic:

    QT_QPA_PLATFORM=offscreen python -m ui.screenshot docs/screenshot.png [corpus|proposals|boilerplate|guidelines|review|export] [--language ar]

In Arabic the demo project starts from the Arabic label preset (شخص، مكان، …), as a new project made in
the Arabic interface does, and the digits are Arabic-Indic.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from app import i18n, packagedata
from app.importer import import_paths
from app.project import Project, Span, default_labels
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


def render(out: Path, panel: str | None = None, language: str = i18n.ENGLISH) -> None:
    saved = os.environ.get("XDG_CONFIG_HOME")
    with tempfile.TemporaryDirectory() as folder:
        # The analyst's own settings (a saved window layout) neither shape the picture nor are overwritten.
        os.environ["XDG_CONFIG_HOME"] = folder
        try:
            _render(out, panel, Path(folder), language)
        finally:
            if saved is None:
                del os.environ["XDG_CONFIG_HOME"]
            else:
                os.environ["XDG_CONFIG_HOME"] = saved


def label_names(language: str) -> dict[str, str]:
    """The English preset's entity label → the same label in `language`'s preset (matched by position)."""
    english = [label.name for label in default_labels("en") if label.layer == "entity"]
    chosen = [label.name for label in default_labels(language) if label.layer == "entity"]
    return dict(zip(english, chosen))


def _render(out: Path, panel: str | None, folder: Path, language: str) -> None:
    configure_qt()
    from PySide6.QtWidgets import QApplication

    from ui.fonts import load_bundled_fonts
    from ui.language import apply_language
    from ui.mainwindow import MainWindow

    app = QApplication.instance() or QApplication([])
    apply_language(app, language, i18n.ARABIC_INDIC if language == i18n.ARABIC else i18n.WESTERN)
    load_bundled_fonts()
    project = Project.create(folder / "demo.hashiya", labels=language)
    import_paths(project, packagedata.demo_articles(), "Amal")
    if panel == "review":
        _second_analyst(project, label_names(language))
    window = MainWindow(project, "Amal")
    window.resize(1366, 768)
    window.show()
    text = window.editor.text
    names = label_names(language)
    for needle, label, n in EXAMPLES:
        start = nth(text, needle, n)
        window.pane.select_range(start, start + len(needle))
        window.apply_label(names[label])
    window.pane.clear_selection()
    window.set_status("in_progress")
    if panel:
        _open_panel(window, panel)
        while any(worker.running() for worker in (window.corpus_search, window.suggestions)) \
                or window.boilerplate.background.running():
            app.processEvents()
            time.sleep(0.02)
        for _ in range(25):  # the review panel counts what is left in a worker of its own
            app.processEvents()
            time.sleep(0.02)
    app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    if panel == "export":
        from ui.exporting import ExportDialog

        dialog = ExportDialog(window, project, "Amal")
        dialog.format.setCurrentIndex(dialog.format.findData("conll"))  # the format with every option shown
        dialog.resize(640, dialog.sizeHint().height())
        dialog.show()
        app.processEvents()
        dialog.grab().save(str(out))
        dialog.close()
    else:
        window.grab().save(str(out))
    window.close()


def _second_analyst(project: Project, names: dict[str, str]) -> None:
    """Badr's annotations of the first article, differing from Amal's on two of them, for the review panel."""
    doc = project.document_ids()[0]
    text = project.document_text(doc)
    for needle, label, n in EXAMPLES:
        if needle == "روسيا":
            label = "ORG"  # a label conflict
        if needle == "الأربعاء":
            continue  # Amal marked it, Badr did not
        start = nth(text, needle, n)
        project.add_annotation(Span(doc, "Badr", "entity", names[label], start, start + len(needle)))


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
    elif panel == "review":
        window.start_review("Amal", "Badr")
    elif panel != "export":
        raise SystemExit(f"screenshot: no panel {panel!r} (corpus, proposals, boilerplate, guidelines, review, export)")


def main(argv: list[str]) -> None:
    language, argv = i18n.take_language_option(argv)
    render(Path(argv[0] if argv else "docs/screenshot.png"), argv[1] if len(argv) > 1 else None,
           language or i18n.ENGLISH)


if __name__ == "__main__":
    main(sys.argv[1:])
