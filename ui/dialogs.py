"""Questions the window asks with a few labelled answers, in one place (tests answer them by patching
`choose`)."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

ROLES = {"accept": QMessageBox.AcceptRole, "action": QMessageBox.ActionRole, "reject": QMessageBox.RejectRole}


def choose(parent: QWidget | None, title: str, text: str, informative: str,
           answers: list[tuple[str, str, str]], default: str, disabled: tuple[str, ...] = (),
           icon: QMessageBox.Icon = QMessageBox.Warning) -> str:
    """A modal box with one button per answer (key, label, role: accept/action/reject); returns the key
    clicked, or the reject answer's key when the box is closed."""
    box = QMessageBox(icon, title, text, QMessageBox.NoButton, parent)
    box.setInformativeText(informative)
    buttons = {}
    for key, label, role in answers:
        buttons[key] = box.addButton(label, ROLES[role])
        buttons[key].setEnabled(key not in disabled)
    box.setDefaultButton(buttons[default])
    box.exec()
    clicked = box.clickedButton()
    rejected = next(key for key, _, role in answers if role == "reject")
    return next((key for key, button in buttons.items() if button is clicked), rejected)
