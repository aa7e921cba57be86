"""Edit → Preferences: the analyst's name, the interface language and digits, the reading size, snapping.

Saved in the settings file (app.settings); the window applies them (MainWindow.edit_preferences). The
language and the digits need the window made again: it is reopened on the same project when the analyst
agrees, with nothing lost (every annotation is already committed).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit,
                               QSpinBox, QVBoxLayout, QWidget)

from app import i18n, settings
from app.adjudication import GOLD
from app.i18n import _
from ui.fonts import READING_POINT_SIZE

# Each language by its own name: someone who cannot read the current interface still finds theirs.
LANGUAGE_NAMES = {i18n.ENGLISH: "English", i18n.ARABIC: "العربية"}
FONT_SIZES = (8, 48)  # points, as View → Zoom allows


@dataclass(frozen=True)
class Preferences:
    analyst: str
    language: str
    digits: str
    reading_size: int
    snap_to_words: bool


def saved_preferences(analyst: str) -> Preferences:
    """What the settings file holds, with the defaults a first run has (`analyst` is the window's)."""
    stored = settings.load()
    size = stored.get("reading_size")
    return Preferences(
        analyst=analyst,
        language=stored.get("language") if stored.get("language") in i18n.LANGUAGES else i18n.language(),
        digits=stored.get("digits") if stored.get("digits") in i18n.DIGIT_STYLES else i18n.digits(),
        reading_size=size if isinstance(size, int) and FONT_SIZES[0] <= size <= FONT_SIZES[1]
        else round(READING_POINT_SIZE),
        snap_to_words=stored.get("snap_to_words") is not False,
    )


def save_preferences(chosen: Preferences) -> None:
    settings.update(analyst=chosen.analyst, language=chosen.language, digits=chosen.digits,
                    reading_size=chosen.reading_size, snap_to_words=chosen.snap_to_words)


def reading_size() -> float:
    """The reading pane's size at the start of a window: the one chosen in Preferences."""
    return float(saved_preferences("").reading_size)


def snap_default() -> bool:
    return saved_preferences("").snap_to_words


class PreferencesDialog(QDialog):
    def __init__(self, current: Preferences, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("Preferences"))
        self.analyst = QLineEdit(current.analyst)
        self.analyst.setToolTip(_("Every annotation you make is saved under this name."))
        self.language = QComboBox()
        for code, name in LANGUAGE_NAMES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(self.language.findData(current.language))
        self.digits = QComboBox()
        self.digits.addItem(_("Western (0–9)"), i18n.WESTERN)
        self.digits.addItem(_("Arabic-Indic (٠–٩)"), i18n.ARABIC_INDIC)
        self.digits.setCurrentIndex(self.digits.findData(current.digits))
        self.reading_size = QSpinBox()
        self.reading_size.setRange(*FONT_SIZES)
        self.reading_size.setValue(current.reading_size)
        self.reading_size.setSuffix(_(" pt"))
        self.snap = QCheckBox(_("Snap selections to whole words"))
        self.snap.setChecked(current.snap_to_words)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #a33;")
        self.problem.setWordWrap(True)
        self.problem.hide()

        form = QFormLayout()
        form.addRow(_("Your name:"), self.analyst)
        form.addRow(_("Interface language:"), self.language)
        form.addRow(_("Digits:"), self.digits)
        form.addRow(_("Reading text size:"), self.reading_size)
        form.addRow("", self.snap)
        note = QLabel(_("Exports always write Western digits and code-point offsets, whatever is chosen here."))
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self._accept_if_valid)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)

    def chosen(self) -> Preferences:
        return Preferences(self.analyst.text().strip(), self.language.currentData(), self.digits.currentData(),
                           self.reading_size.value(), self.snap.isChecked())

    def _accept_if_valid(self) -> None:
        name = self.analyst.text().strip()
        if not name:
            return self._say(_("Your name cannot be empty: every annotation is saved under it."))
        if name == GOLD:
            return self._say(_("“{name}” is the adjudicated layer's name: choose another.").format(name=GOLD))
        self.accept()

    def _say(self, problem: str) -> None:
        self.problem.setText(problem)
        self.problem.show()
        self.analyst.setFocus()
