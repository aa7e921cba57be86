"""Help → About Hashiya: the version, the licence and the fonts' licence (their texts on their own tabs), the open
project file and its format, and the software underneath."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QFormLayout, QLabel, QPlainTextEdit, QTabWidget, QVBoxLayout, QWidget,
)

from app import __version__, appinfo
from app.i18n import _, number
from app.packagedata import MissingResource
from app.project import Project
from ui.crash import qt_versions


class AboutDialog(QDialog):
    def __init__(self, project: Project, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(_("About Hashiya"))
        self.tabs = QTabWidget()
        self.tabs.addTab(self._summary(project), _("Hashiya"))
        self.licence = _text_view(*_licence())
        self.tabs.addTab(self.licence, _("Licence (GPL)"))
        self.font_licence = _text_view(*_font_licence())
        self.tabs.addTab(self.font_licence, _("Font licence (OFL)"))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(buttons)
        self.resize(620, 480)

    def _summary(self, project: Project) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        # The version as it is typed and reported (0.1.0), whatever the digits: "٠٫١٫٠" reads as a decimal.
        heading = _plain(_("Hashiya {version}").format(version=__version__))
        heading.setStyleSheet("font-size: 16pt; font-weight: bold;")
        form.addRow(heading)
        form.addRow(_plain(_("A workbench for annotating Arabic news text: entities, stances and boilerplate.")))
        form.addRow(_("Licence:"), _plain(_("{licence}. {summary} The full text is on the “Licence” tab.").format(
            licence=appinfo.LICENCE, summary=_(appinfo.LICENCE_SUMMARY))))
        form.addRow(_("Fonts:"), _plain(_("{fonts}, bundled under the {licence}; the notices are on the “Font "
                                          "licence” tab.").format(fonts=", ".join(appinfo.BUNDLED_FONTS),
                                                                  licence=appinfo.FONT_LICENCE)))
        if project.is_file:
            self.project_path = _plain(str(project.path.absolute()))
            form.addRow(_("Project file:"), self.project_path)
        else:
            self.project_path = _plain(project.location)
            form.addRow(_("Project on the server:"), self.project_path)
        self.schema_version = _plain(_format_of(project))
        form.addRow(_("Project format:"), self.schema_version)
        for name, version in appinfo.software(qt_versions()).items():
            if name != "Hashiya":
                form.addRow(_software_label(name), _plain(version))
        return page


def _software_label(name: str) -> str:
    """A row of the software underneath: its name (a product's, as it is), or "Platform", which is a word."""
    return _("Platform:") if name == "Platform" else f"{name}:"


def _licence() -> tuple[str, bool]:
    try:
        return appinfo.licence_text(), True
    except appinfo.MissingLicence as missing:
        return str(missing), False


def _font_licence() -> tuple[str, bool]:
    try:
        return appinfo.font_licence_text(), True
    except MissingResource as missing:
        return str(missing), False


def _text_view(text: str, found: bool) -> QPlainTextEdit:
    """A licence's text, read-only; what is missing, in the ordinary font, when it could not be read."""
    view = QPlainTextEdit(readOnly=True)
    if found:
        view.setFont(QFontDatabase.systemFont(QFontDatabase.FixedFont))
    view.setPlainText(text)
    return view


def _plain(text: str) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.PlainText)  # a path or a version is shown as it is, never as markup
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


def _format_of(project) -> str:
    try:
        version = number(project.schema_version())
    except Exception as error:  # noqa: BLE001 — the file gone or locked: About must still open
        return _("unknown (cannot read {path}: {error})").format(path=project.location, error=error)
    if project.read_only:
        return _("format {version} (open read-only)").format(version=version)
    return _("format {version}").format(version=version)
