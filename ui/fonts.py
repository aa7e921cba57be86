"""The bundled OFL fonts: Noto Naskh Arabic for reading, Noto Sans for Latin, Noto Emoji for emoji.

The reading pane uses READING_FAMILIES; lists, tables and labels use the application's default font.
Emoji go to Qt's emoji fonts in both (Qt picks them for emoji sequences whatever the widget's font):
a colour emoji font the system has, else the bundled monochrome Noto Emoji, so that 😀 and 🇸🇦 never
show as empty boxes on a machine without one.
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

from app import packagedata

READING_FAMILIES = ["Noto Naskh Arabic", "Noto Sans"]
READING_POINT_SIZE = 15.0
BUNDLED_EMOJI_FAMILY = "Noto Emoji"
# Colour emoji fonts of the common systems, preferred to the bundled monochrome one where present.
SYSTEM_EMOJI_FAMILIES = ("Noto Color Emoji", "Apple Color Emoji", "Segoe UI Emoji", "Twemoji", "JoyPixels")


def load_bundled_fonts() -> None:
    for name in packagedata.resource_names("fonts", ".ttf"):
        # By path, not by data: Qt maps the file instead of keeping a 2 MB copy read at every start.
        QFontDatabase.addApplicationFont(str(packagedata.resource_file(name)))
    system = [family for family in SYSTEM_EMOJI_FAMILIES if QFontDatabase.hasFamily(family)]
    QFontDatabase.setApplicationEmojiFontFamilies([*system, BUNDLED_EMOJI_FAMILY])


def reading_font(point_size: float = READING_POINT_SIZE) -> QFont:
    """The reading pane's font; its size is the one chosen in Preferences (ui.preferences.reading_size)."""
    font = QFont()
    font.setFamilies(READING_FAMILIES)
    font.setPointSizeF(point_size)
    return font
