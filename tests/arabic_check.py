"""What an Arabic reader sees of a widget: every visible text, and which of it is still English."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSpinBox, QComboBox, QDockWidget,
                               QGroupBox, QLabel, QLineEdit, QMenu, QMenuBar, QPlainTextEdit, QTabBar,
                               QTextEdit, QWidget)

# Names that are the same in an Arabic interface: products, formats, measures, and what the user's data
# holds (label names, file names, analysts) which each test adds.
PROPER_NAMES = (
    "GNU General Public License", "SIL Open Font License, Version 1.1", "GPL-3.0-or-later", "Noto Emoji",
    "English",  # the language menu names each language in itself
    "Hashiya", "JSONL", "JSON", "CoNLL", "BIO", "IOB", "spaCy", "DocBin", "INCEpTION", "XMI", "UIMA", "CAS",
    "Label Studio", "doccano", "brat", "CSV", "TSV", "TXT", "SQLite", "PostgreSQL", "PySide6", "Qt", "Python",
    "SQLAlchemy", "pyarabic", "Noto Naskh Arabic", "Noto Sans", "Noto", "OFL", "GPL", "Google Play", "App Store",
    "UTF-8", "MinHash", "Cohen", "Krippendorff", "Fleiss", "F1", "GNU", "Linux", "GitHub", "Ctrl", "Shift",
    "Alt", "PgDown", "PgUp", "Del", "Backspace", "Esc", "F1", "Enter", "ann", "txt", "json", "jsonl", "conll",
    "hashiya", "xmi", "zip", "csv", "tsv", "Markdown", "spacy", "PERS", "LOC", "ORG", "GPE", "NORP", "EVENT", "DATE", "MISC",
)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
TAGS = re.compile(r"<[^>]+>|&[a-z]+;")


def visible_texts(root: QWidget) -> list[tuple[str, str]]:
    """(where, text) for every text the widget and its visible children show, menus and headers too."""
    found: list[tuple[str, str]] = []

    def add(widget, kind: str, text: str | None) -> None:
        if isinstance(text, str) and text.strip():
            found.append((f"{type(widget).__name__} {widget.objectName() or ''} {kind}".strip(), text))

    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        if widget is not root and not widget.isVisibleTo(root) and not isinstance(widget, QMenu):
            continue
        if widget.isWindow() or isinstance(widget, QDockWidget):
            add(widget, "title", widget.windowTitle())
        add(widget, "tooltip", widget.toolTip())
        if isinstance(widget, QLabel):
            add(widget, "text", widget.text())
        elif isinstance(widget, QAbstractButton):
            add(widget, "text", widget.text())
        elif isinstance(widget, QGroupBox):
            add(widget, "title", widget.title())
        elif isinstance(widget, QLineEdit):
            add(widget, "placeholder", widget.placeholderText())
        elif isinstance(widget, (QTextEdit, QPlainTextEdit)):
            add(widget, "placeholder", widget.placeholderText())
        elif isinstance(widget, QAbstractSpinBox):
            add(widget, "special", getattr(widget, "specialValueText", lambda: "")())
            add(widget, "suffix", getattr(widget, "suffix", lambda: "")())
        elif isinstance(widget, QComboBox):
            for index in range(widget.count()):
                add(widget, f"item {index}", widget.itemText(index))
        elif isinstance(widget, QTabBar):
            for index in range(widget.count()):
                add(widget, f"tab {index}", widget.tabText(index))
                add(widget, f"tab tooltip {index}", widget.tabToolTip(index))
        elif isinstance(widget, (QMenu, QMenuBar)):
            for action in widget.actions():
                add(widget, "action", action.text())
                add(widget, "action tooltip", action.toolTip() if action.toolTip() != action.text().replace("&", "")
                    else "")
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model = widget.model()
            for column in range(model.columnCount()):
                add(widget, f"column {column}", model.headerData(column, Qt.Horizontal, Qt.DisplayRole))
                add(widget, f"column tooltip {column}", model.headerData(column, Qt.Horizontal, Qt.ToolTipRole))
    return found


def english(texts: list[tuple[str, str]], allowed: tuple[str, ...] = ()) -> list[tuple[str, str]]:
    """The texts that still hold an English word, once proper names and the user's own names are removed."""
    names = sorted({*PROPER_NAMES, *allowed}, key=len, reverse=True)
    left = []
    for where, text in texts:
        stripped = TAGS.sub(" ", str(text))
        stripped = re.sub(r"(/[\w.\-]+)+", " ", stripped)  # paths
        stripped = re.sub(r"\S+\.(hashiya|txt|jsonl|json|ann|conll|xmi|csv|zip|md|spacy)\b", " ", stripped)  # files
        for name in names:
            stripped = stripped.replace(name, " ")
        if LATIN_WORD.search(stripped):
            left.append((where, text))
    return left


def top_level_direction_problems(widgets: list[QWidget]) -> list[str]:
    return [f"{type(w).__name__} {w.windowTitle()!r}" for w in widgets if w.layoutDirection() != Qt.RightToLeft]
