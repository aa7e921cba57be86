"""The bundled OFL fonts (Noto Naskh Arabic for reading, Noto Sans for Latin)."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase

from app import paths

READING_FAMILIES = ["Noto Naskh Arabic", "Noto Sans"]
READING_POINT_SIZE = 15.0


def load_bundled_fonts() -> None:
    for font_file in sorted((paths.RESOURCES / "fonts").glob("*.ttf")):
        QFontDatabase.addApplicationFont(str(font_file))


def reading_font() -> QFont:
    font = QFont()
    font.setFamilies(READING_FAMILIES)
    font.setPointSizeF(READING_POINT_SIZE)
    return font
