"""The annotation guidelines: read them rendered, or edit the Markdown source.

The text lives in the project file (app/schema.guidelines), so every analyst of
a project reads the same rules. Saving commits at once, like every other edit.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QHBoxLayout, QMessageBox, QPlainTextEdit, QPushButton, QStackedWidget, QTextBrowser, QVBoxLayout, QWidget,
)

from app import schema
from app.i18n import _
from app.project import Project
from ui.commands import WRITE_ERRORS
from ui.fonts import READING_FAMILIES

POINT_SIZE = 11.0


class GuidelinesPanel(QWidget):
    guidelinesChanged = Signal()

    def __init__(self, project: Project, parent=None):
        super().__init__(parent)
        self.project = project
        self.browser = QTextBrowser()
        self.browser.setOpenExternalLinks(True)
        self.source = QPlainTextEdit()
        self.source.setTabChangesFocus(True)
        for widget in (self.browser, self.source):
            widget.setFont(_guidelines_font())
        self.pages = QStackedWidget()
        self.pages.addWidget(self.browser)
        self.pages.addWidget(self.source)
        self.edit_button = QPushButton(_("Edit"))
        self.edit_button.setCheckable(True)
        self.edit_button.setToolTip(_("Edit the guidelines (Markdown); saved in the project file"))
        self.save_button = QPushButton(_("Save"))
        self.cancel_button = QPushButton(_("Cancel"))
        self._lay_out()
        self.edit_button.toggled.connect(self._set_editing)
        self.save_button.clicked.connect(self.save)
        self.cancel_button.clicked.connect(self.cancel)
        self.show_guidelines()
        self._set_editing(False)

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.edit_button)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.pages)

    # ---- reading and editing -----------------------------------------------
    def show_guidelines(self) -> None:
        # Each block takes its direction from its own text: Arabic paragraphs read right to left.
        self.browser.setMarkdown(schema.guidelines(self.project))

    def editing(self) -> bool:
        return self.pages.currentWidget() is self.source

    def start_editing(self) -> None:
        self.edit_button.setChecked(True)

    def save(self) -> bool:
        try:
            schema.set_guidelines(self.project, self.source.toPlainText())
        except WRITE_ERRORS as error:
            self.show_problem(_("The guidelines could not be saved to {path}; your text is still in the editor."
                                "\n\n{error}").format(path=self.project.location, error=error))
            return False
        self.show_guidelines()
        self.edit_button.setChecked(False)
        self.guidelinesChanged.emit()
        return True

    def cancel(self) -> None:
        self.edit_button.setChecked(False)

    def show_problem(self, text: str) -> None:
        QMessageBox.warning(self, _("Guidelines not saved"), text)

    def _set_editing(self, on: bool) -> None:
        if on:
            # The stored source, not the rendering: Markdown round-trips through QTextDocument lossily.
            self.source.setPlainText(schema.guidelines(self.project))
            self.source.setFocus()
        self.pages.setCurrentWidget(self.source if on else self.browser)
        self.save_button.setVisible(on)
        self.cancel_button.setVisible(on)


def _guidelines_font() -> QFont:
    font = QFont()
    font.setFamilies(READING_FAMILIES)
    font.setPointSizeF(POINT_SIZE)
    return font
