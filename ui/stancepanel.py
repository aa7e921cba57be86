"""The stance panel: opens next to the selected evidence, driven from the keyboard.

Target first (type-ahead over the project's targets and the document's entities),
holder pre-filled with the guessed speaker, one key per polarity (F, A, N — with
Alt from any field), Enter saves, Esc cancels.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPoint, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup, QComboBox, QCompleter, QFormLayout, QFrame, QHBoxLayout, QLabel, QLineEdit, QPushButton,
    QWidget,
)

from app import stance
from app.project import Span
from ui.textpane import key_letter

POLARITY_KEYS = {"F": "FAVOR", "A": "AGAINST", "N": "NEUTRAL"}
POLARITY_COLORS = {"FAVOR": "#2e7d32", "AGAINST": "#c62828", "NEUTRAL": "#616161"}


@dataclass(frozen=True)
class StanceChoice:
    """What the analyst settled on in the panel."""

    holder: dict
    target: dict
    polarity: str
    note: str


class StancePanel(QFrame):
    saved = Signal(object)  # StanceChoice
    cancelled = Signal()

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.setFrameShape(QFrame.StyledPanel)
        self.setAutoFillBackground(True)
        self.setObjectName("stancePanel")
        self.setStyleSheet("#stancePanel { background: palette(window); border: 1px solid palette(dark);"
                           " border-radius: 4px; }")
        self._targets: dict[str, dict] = {}
        self._holders: dict[str, dict] = {}
        self._build()
        self.hide()

    def _build(self) -> None:
        layout = QFormLayout(self)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.target = QLineEdit(placeholderText="type a target…")
        self._completions = QStringListModel(self)
        completer = QCompleter(self._completions, self)
        completer.setFilterMode(Qt.MatchContains)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        self.target.setCompleter(completer)
        # The popup receives Enter itself: it must take the match and move on to the polarity.
        completer.popup().installEventFilter(self)
        self.holder = QComboBox()
        self.holder.setEditable(True)
        self.holder.setInsertPolicy(QComboBox.NoInsert)
        self.buttons = QButtonGroup(self)
        row = QHBoxLayout()
        for key, polarity in zip("FAN", ("FAVOR", "AGAINST", "NEUTRAL")):
            button = QPushButton(f"{key}  {polarity}")
            button.setCheckable(True)
            button.setProperty("polarity", polarity)
            button.setStyleSheet(f"QPushButton:checked {{ background: {POLARITY_COLORS[polarity]}; color: white; }}")
            self.buttons.addButton(button)
            row.addWidget(button)
        self.note = QLineEdit(placeholderText="optional note")
        self.message = QLabel()
        self.message.setStyleSheet("color: #c62828;")
        layout.addRow(self.title)
        layout.addRow("Target:", self.target)
        layout.addRow("Holder:", self.holder)
        layout.addRow("Polarity:", row)
        layout.addRow("Note:", self.note)
        layout.addRow(self.message)
        for widget in (self.target, self.holder, self.holder.lineEdit(), self.note, *self.buttons.buttons()):
            widget.installEventFilter(self)

    # ---- opening -----------------------------------------------------------
    def open_for(self, evidence: str, text: str, entities: list[Span], targets: list[str],
                 guessed: Span | None, at: QPoint, current: Span | None = None) -> None:
        """Show the panel for new evidence, or to edit `current` (a stored span stance)."""
        excerpt = evidence if len(evidence) <= 80 else evidence[:77] + "…"
        self.title.setText(f"Stance on: \u2068{excerpt}\u2069")
        self._fill_targets(text, entities, targets)
        self._fill_holders(text, entities, guessed)
        self.message.setText("" if targets else
                             "No stance targets yet: add them in Edit → Label schema… (Ctrl+Shift+L), "
                             "or pick one of the document's entities.")
        self.note.setText("")
        self.target.setText("")
        self._set_polarity(None)
        if current is not None:
            self._show_current(current)
        self.adjustSize()
        self.move(self._clamped(at))
        self.show()
        self.raise_()
        self.target.setFocus()

    def _fill_targets(self, text: str, entities: list[Span], targets: list[str]) -> None:
        self._targets = {name: stance.list_target_ref(name) for name in targets}
        for span in entities:
            self._targets.setdefault(_entity_choice(span, text), stance.entity_ref(span, text))
        self._completions.setStringList(list(self._targets))

    def _fill_holders(self, text: str, entities: list[Span], guessed: Span | None) -> None:
        # Likely holders first, then every other entity: the schema may name its types otherwise.
        ranked = sorted(entities, key=lambda s: (s.label not in stance.HOLDER_LABELS, s.start))
        ordered = ([guessed] if guessed else []) + [s for s in ranked if s != guessed]
        self._holders = {_entity_choice(s, text): stance.entity_ref(s, text) for s in ordered}
        self._holders[stance.describe(stance.article_ref())] = stance.article_ref()
        self.holder.clear()
        self.holder.addItems(list(self._holders))
        self.holder.setCurrentIndex(0 if guessed else len(self._holders) - 1)

    def _show_current(self, current: Span) -> None:
        attrs = current.attrs
        self.target.setText(self._choice_for(self._targets, attrs.get("target", {})))
        self._completions.setStringList(list(self._targets))
        holder = self._choice_for(self._holders, attrs.get("holder", {}))
        if self.holder.findText(holder) < 0:
            self.holder.addItem(holder)
        self.holder.setCurrentText(holder)
        self.note.setText(attrs.get("note", ""))
        self._set_polarity(current.label)

    @staticmethod
    def _choice_for(choices: dict[str, dict], reference: dict) -> str:
        """The choice showing `reference`; a reference no longer offered (its entity was deleted
        or changed) becomes a choice of its own, so saving an edit keeps it as it was."""
        for shown, candidate in choices.items():
            if _same_reference(candidate, reference):
                return shown
        if not reference:
            return ""
        shown = stance.describe(reference)
        if "start" in reference:
            shown = f"{shown} · {reference['start']}–{reference['end']} (as stored)"
        choices[shown] = reference
        return shown

    def _clamped(self, at: QPoint) -> QPoint:
        parent = self.parentWidget().rect()
        x = min(max(at.x(), 0), max(parent.width() - self.width(), 0))
        y = min(max(at.y(), 0), max(parent.height() - self.height(), 0))
        return QPoint(x, y)

    # ---- keys ----------------------------------------------------------------
    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.ShortcutOverride and self._is_polarity_key(watched, event):
            event.accept()  # Alt+F is the panel's, not the File menu's
            return True
        if event.type() == QEvent.KeyPress:
            if watched is self.target.completer().popup():
                return self._handle_popup_key(event)
            if self._handle_key(watched, event):
                return True
        return super().eventFilter(watched, event)

    def _is_polarity_key(self, watched, event) -> bool:
        in_text_field = isinstance(watched, (QLineEdit, QComboBox))
        letter = key_letter(event)
        return letter in POLARITY_KEYS and bool(event.modifiers() & Qt.AltModifier or not in_text_field)

    def _handle_popup_key(self, event) -> bool:
        if event.key() not in (Qt.Key_Return, Qt.Key_Enter):
            return False
        popup = self.target.completer().popup()
        index = popup.currentIndex()
        model = self.target.completer().completionModel()
        if not index.isValid() and model.rowCount():
            index = model.index(0, 0)  # Enter without choosing takes the first match
        if index.isValid():
            self.target.setText(index.data())
        popup.hide()
        self._after_target()
        return True

    def _after_target(self) -> None:
        if self.polarity() is None:
            self.buttons.buttons()[0].setFocus()  # next: one key for the polarity
        else:
            self.holder.setFocus()

    def _handle_key(self, watched, event) -> bool:
        key = event.key()
        if self._is_polarity_key(watched, event):
            self._set_polarity(POLARITY_KEYS[key_letter(event)])
            return True
        if key == Qt.Key_Escape:
            self.hide()
            self.cancelled.emit()
            return True
        if key in (Qt.Key_Return, Qt.Key_Enter):
            if watched is self.target and self.polarity() is None:
                self._after_target()
                return True
            self.save()
            return True
        return False

    def _set_polarity(self, polarity: str | None) -> None:
        self.buttons.setExclusive(False)
        for button in self.buttons.buttons():
            button.setChecked(button.property("polarity") == polarity)
        self.buttons.setExclusive(True)

    def polarity(self) -> str | None:
        checked = self.buttons.checkedButton()
        return checked.property("polarity") if checked else None

    # ---- saving ----------------------------------------------------------------
    def choice(self) -> StanceChoice | str:
        """The analyst's choice, or a sentence saying what is missing."""
        target_text = self.target.text().strip()
        if target_text not in self._targets:
            return "Choose a target from the list (type to search)." if target_text else "Choose a target."
        holder_text = self.holder.currentText().strip()
        if not holder_text:
            return "Name a holder, or choose “the article”."
        holder = self._holders.get(holder_text) or stance.free_text_ref(holder_text)
        if self.polarity() is None:
            return "Choose a polarity: F favour, A against, N neutral."
        return StanceChoice(holder, self._targets[target_text], self.polarity(), self.note.text())

    def save(self) -> None:
        result = self.choice()
        if isinstance(result, str):
            self.message.setText(result)
            return
        self.hide()
        self.saved.emit(result)


def _entity_choice(span: Span, text: str) -> str:
    return f"{text[span.start:span.end]} · {span.label} {span.start}–{span.end}"


def _same_reference(a: dict, b: dict) -> bool:
    keys = ("start", "end") if "start" in b else ("target",) if "target" in b else ("text", "article")
    return all(a.get(k) == b.get(k) for k in keys)
