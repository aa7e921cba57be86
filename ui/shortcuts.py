"""Shortcuts with the Arabic keyboard layout on: Ctrl+I is the key marked I, whichever layout types it.

Qt matches a shortcut by the character the key types. With the Arabic layout active, Ctrl and the key
marked I types ه: on X11 and Wayland Qt also tries the Latin letter of another configured layout, but not
everywhere, and not when the Arabic layout is the only one. A key press with Ctrl or Alt whose character
is Arabic that no shortcut and no widget took reaches the window, whose filter looks the Latin letter up
(the Arabic 101 layout, resources/keyboard_arabic.json, as the label keys do) and triggers the window's
action with that shortcut. So the shortcuts the menus show are the ones that work, in both layouts.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QKeyCombination, QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from ui.textpane import latin_key

MODIFIERS = Qt.ControlModifier | Qt.AltModifier | Qt.ShiftModifier | Qt.MetaModifier


def latin_sequence(event) -> QKeySequence | None:
    """The shortcut the key press would be on the Latin layout, or None when it is not an Arabic key with
    Ctrl or Alt held."""
    modifiers = event.modifiers() & MODIFIERS
    if not modifiers & (Qt.ControlModifier | Qt.AltModifier):
        return None
    character = chr(event.key()) if 0x0600 <= event.key() <= 0x06FF else event.text()[:1]
    if not character or not "\u0600" <= character <= "\u06ff":
        return None
    letter = latin_key(character)
    if len(letter) != 1 or not letter.isascii() or not letter.isalnum():
        return None
    return QKeySequence(QKeyCombination(Qt.KeyboardModifier(modifiers.value), Qt.Key(ord(letter))))


def action_for(window: QWidget, sequence: QKeySequence) -> QAction | None:
    for action in window.findChildren(QAction):
        if action.isEnabled() and any(shortcut.matches(sequence) == QKeySequence.ExactMatch
                                      for shortcut in action.shortcuts()):
            return action
    return None


class ArabicLayoutShortcuts(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.KeyPress or not isinstance(watched, QWidget):
            return False
        sequence = latin_sequence(event)
        if sequence is None:
            return False
        action = action_for(watched.window(), sequence)
        if action is None:
            return False
        action.trigger()
        return True


def install(window: QWidget) -> None:
    """The window's shortcuts work with the Arabic layout. A filter on the window alone, not the application:
    one on the application would run Python for every event of every widget (each paint, each move)."""
    window.installEventFilter(ArabicLayoutShortcuts(window))
