"""The interface language on the Qt side: Qt's own catalogue, the layout direction, the digits.

Hashiya's messages come from app.i18n (gettext). Qt translates its own strings (standard buttons, file
and colour dialogs, the context menus of text fields, key names in menus) from its catalogue
qtbase_<lang>.qm, shipped in the PySide6 wheel: installed here beside ours. In Arabic the whole window is
mirrored by the application's layout direction; the reading pane keeps each paragraph's own direction
(ui.textpane).
"""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QProxyStyle, QStyle, QStyleOptionMenuItem

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


class RightToLeftStyle(QProxyStyle):
    """The platform's style, but the underline of a menu's or button's access letter (&ملف) is not drawn in a
    right-to-left interface: it sits where Arabic writes a kasra or a hamza below (ال&التزام read as
    الإلتزام). The Alt+letter keys work all the same. Only styleHint is overridden: a Python override of
    drawControl would run for every control painted (0.5 ms of a window's repaint, measured)."""

    def styleHint(self, hint, option=None, widget=None, returnData=None) -> int:
        if hint == QStyle.SH_UnderlineShortcut and QApplication.layoutDirection() == Qt.RightToLeft:
            return 0
        return super().styleHint(hint, option, widget, returnData)


class MenuShortcutStyle(RightToLeftStyle):
    """For menus only: a right-to-left menu lays its shortcut column out right to left too, so "Ctrl++" read
    "++Ctrl" and "Ctrl+-" "-Ctrl+": each shortcut is drawn as a left-to-right isolate, as it is typed."""

    def drawControl(self, element, option, painter, widget=None) -> None:
        if element == QStyle.CE_MenuItem and option.direction == Qt.RightToLeft and "\t" in option.text:
            option = QStyleOptionMenuItem(option)
            label, shortcut = option.text.split("\t", 1)
            option.text = f"{label}\t\u2066{shortcut}\u2069"
        super().drawControl(element, option, painter, widget)


def use_right_to_left_style(app: QApplication) -> None:
    if not isinstance(app.style(), RightToLeftStyle):
        app.setStyle(RightToLeftStyle(app.style().name()))


class _MenuStyle:
    style: MenuShortcutStyle | None = None


def isolate_menu_shortcuts(menus) -> None:
    """Gives `menus` (a window's QMenus) the style that draws their shortcuts left to right; one shared
    instance, kept here, since a widget does not own the style it is given."""
    if _MenuStyle.style is None:
        _MenuStyle.style = MenuShortcutStyle(QApplication.style().name())
    for menu in menus:
        menu.setStyle(_MenuStyle.style)


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
    if i18n.is_right_to_left():
        use_right_to_left_style(app)
    QLocale.setDefault(QT_LOCALES[(language, i18n.digits())])
