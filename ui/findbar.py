"""Find in document (Ctrl+F): every match highlighted, next/previous, the current one selected.

Matching is the Arabic engine's (harakat, hamza forms, attached clitics …), so
typing كثيرا also finds كثيرًا. The current match is the text selection: a label
key annotates it at once.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget

from app.i18n import _, ngettext, number
from app.matching import Match, find_all
from app.normalize import NormalizedText, normalize

DEBOUNCE_MS = 150  # re-search when typing pauses, not on every key


class FindBar(QWidget):
    matchesChanged = Signal(list, int)  # [(start, end)], index of the current one (-1: none)
    closed = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.query = QLineEdit(placeholderText=_("Find in this document (harakat and hamza forms ignored)"))
        self.query.setClearButtonEnabled(True)
        self.similar = QCheckBox(_("Similar spellings"))
        self.count = QLabel()
        self.previous = QToolButton(text="▲", toolTip=_("Previous match (Shift+Enter, Shift+F3)"))
        self.next = QToolButton(text="▼", toolTip=_("Next match (Enter, F3)"))
        close = QToolButton(text="✕", toolTip=_("Close (Esc)"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.query, self.count, self.previous, self.next, self.similar, close):
            layout.addWidget(widget)
        layout.setStretch(0, 1)
        self._timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS, timeout=self.search)
        self.query.textChanged.connect(self._timer.start)
        self.similar.toggled.connect(self.search)
        self.previous.clicked.connect(lambda: self.step(-1))
        self.next.clicked.connect(lambda: self.step(1))
        close.clicked.connect(self.close_bar)
        self.query.installEventFilter(self)
        self._normalized: NormalizedText | None = None
        self._matches: list[Match] = []
        self._current = -1
        self._text = ""
        self.hide()

    # ---- the document ----------------------------------------------------------
    def set_text(self, text: str) -> None:
        """A new document: folded once, searched many times."""
        self._normalized = None
        self._text = text
        self._matches, self._current = [], -1  # offsets of the previous document mean nothing here
        if self.isVisible():
            self.search()

    def _folded(self) -> NormalizedText:
        if self._normalized is None:
            self._normalized = normalize(self._text)
        return self._normalized

    # ---- searching -----------------------------------------------------------------
    def open_bar(self, initial: str = "") -> None:
        self.show()
        if initial:
            self.query.setText(initial)
        self.query.setFocus()
        self.query.selectAll()
        self.search()

    def close_bar(self) -> None:
        """Hide the highlights but remember the current match: a label key may annotate it next."""
        self.hide()
        kept = self.current_match()
        self._matches, self._current = ([kept], 0) if kept else ([], -1)
        self.matchesChanged.emit([], -1)
        self.closed.emit()

    def search(self) -> None:
        self._timer.stop()
        query = self.query.text()
        self._matches = find_all(self._folded(), query, similar=self.similar.isChecked()) if query.strip() else []
        self._current = 0 if self._matches else -1
        self._announce()

    def step(self, direction: int) -> None:
        if self._timer.isActive():
            self.search()
        if self._matches:
            self._current = (self._current + direction) % len(self._matches)
            self._announce()

    def current_match(self) -> Match | None:
        return self._matches[self._current] if self._current >= 0 else None

    def _announce(self) -> None:
        if not self.query.text().strip():
            self.count.clear()
        elif not self._matches:
            self.count.setText(_("no match"))
        else:
            similar = sum(m.kind == "similar" for m in self._matches)
            current, total = number(self._current + 1), number(len(self._matches))
            if similar:
                self.count.setText(ngettext("{current} of {total} ({n} similar)", "{current} of {total} ({n} similar)",
                                            similar).format(current=current, total=total, n=number(similar)))
            else:
                self.count.setText(_("{current} of {total}").format(current=current, total=total))
        self.matchesChanged.emit([(m.start, m.end) for m in self._matches], self._current)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.query and event.type() == event.Type.KeyPress:
            if event.key() in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_F3):
                self.step(-1 if event.modifiers() & Qt.ShiftModifier else 1)
                return True
            if event.key() == Qt.Key_Escape:
                self.close_bar()
                return True
        return super().eventFilter(watched, event)
