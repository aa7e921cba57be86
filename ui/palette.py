"""The label palette: one button per entity type, showing its colour and key."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QWidget

from app.i18n import _
from app.project import LabelDef

# Two buttons a row: the labels are short ("PERS [P]"), and on a 768-pixel-high screen the height is
# better spent on the span list below.
COLUMNS = 2


class LabelPalette(QWidget):
    labelChosen = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(4, 4, 4, 4)
        self._layout.setSpacing(3)
        self.buttons: dict[str, QPushButton] = {}

    def set_labels(self, labels: list[LabelDef]) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.buttons.clear()
        for position, label in enumerate(labels):
            self._layout.addWidget(self._button(label), position // COLUMNS, position % COLUMNS)
        hint = QLabel(_("Select text, then press a key.\nClick a span to select it."))
        hint.setWordWrap(True)
        hint.setStyleSheet("color: palette(mid);")
        rows = (len(labels) + COLUMNS - 1) // COLUMNS
        self._layout.addWidget(hint, rows, 0, 1, COLUMNS)
        for row in range(self._layout.rowCount()):  # a longer list before may have left its stretch row
            self._layout.setRowStretch(row, 0)
        self._layout.setRowStretch(rows + 1, 1)

    def _button(self, label: LabelDef) -> QPushButton:
        key = f"  [{label.shortcut}]" if label.shortcut else ""
        button = QPushButton(f"{label.name}{key}")
        button.setToolTip(label.description)
        text_color = "#000000" if QColor(label.color).lightness() > 140 else "#ffffff"
        button.setStyleSheet(
            f"QPushButton {{ background: {label.color}; color: {text_color}; border-radius: 3px;"
            f" padding: 4px 8px; text-align: left; font-weight: bold; }}"
        )
        button.clicked.connect(lambda _=False, name=label.name: self.labelChosen.emit(name))
        self.buttons[label.name] = button
        return button
