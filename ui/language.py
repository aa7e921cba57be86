"""The interface language on the Qt side: Qt's own catalogue, the layout direction, the digits.

Hashiya's messages come from app.i18n (gettext). Qt translates its own strings (standard buttons, file
and colour dialogs, the context menus of text fields, key names in menus) from its catalogue
qtbase_<lang>.qm, shipped in the PySide6 wheel: installed here beside ours. In Arabic the whole window is
mirrored by the application's layout direction; the reading pane keeps each paragraph's own direction
(ui.textpane).
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication

from app import i18n
from app.i18n import N_, _

QT_CATALOGUES = ("qtbase",)
# The locale Qt formats numbers with (spin boxes, Qt's own dialogs): Egyptian Arabic writes ١٬٢٣٤٫٥, the
# Emirates' Arabic 1,234.5 (as app.i18n.number does), so an Arabic interface may have either digits.
QT_LOCALES = {
    (i18n.ENGLISH, i18n.WESTERN): QLocale(QLocale.English, QLocale.UnitedStates),
    (i18n.ENGLISH, i18n.ARABIC_INDIC): QLocale(QLocale.Arabic, QLocale.Egypt),
    (i18n.ARABIC, i18n.WESTERN): QLocale(QLocale.Arabic, QLocale.UnitedArabEmirates),
    (i18n.ARABIC, i18n.ARABIC_INDIC): QLocale(QLocale.Arabic, QLocale.Egypt),
}


# Qt's own strings that its Arabic catalogue (qtbase_ar.qm) leaves in English, by Qt's context: translated
# from Hashiya's catalogue instead. Found by tests/test_arabic_interface.py, which opens Qt's dialogs.
QT_GAPS = {
    ("QFileDialog", "&Look in:"): N_("&Look in:"),
    ("QFileDialog", "Files of &type:"): N_("Files of &type:"),
}


class GapTranslator(QTranslator):
    """Asked before Qt's own catalogue (the last installed is asked first): answers only QT_GAPS."""

    def translate(self, context, source, disambiguation=None, n=-1):
        message = QT_GAPS.get((context, source))
        return _(message) if message is not None else None

    def isEmpty(self) -> bool:
        return False


class _Installed:
    translators: list[QTranslator] = []


def qt_translations_folder() -> str:
    return QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)


def apply_language(app: QApplication, language: str, digits: str = i18n.WESTERN) -> None:
    """Everything from now on in `language` with `digits`; windows made before keep their texts."""
    i18n.set_language(language)
    i18n.set_digits(digits)
    for translator in _Installed.translators:
        app.removeTranslator(translator)
    _Installed.translators = []
    if language != i18n.ENGLISH:
        for catalogue in QT_CATALOGUES:
            translator = QTranslator(app)
            if translator.load(f"{catalogue}_{language}", qt_translations_folder()):
                app.installTranslator(translator)
                _Installed.translators.append(translator)
        gaps = GapTranslator(app)
        app.installTranslator(gaps)
        _Installed.translators.append(gaps)
    app.setLayoutDirection(Qt.RightToLeft if i18n.is_right_to_left() else Qt.LeftToRight)
    QLocale.setDefault(QT_LOCALES[(language, i18n.digits())])
