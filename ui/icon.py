"""Hashiya's icon on its windows (the title bar, the task switcher), drawn from the SVGs of
resources/icons.

The same drawings are installed in the hicolor icon theme by the Linux package (packaging/icons); this is
the icon of a window the desktop cannot match to hashiya.desktop, and of every run from a checkout. Sizes
up to SMALL_MAX use the simplified drawing (the letter ح alone): the whole word is a smudge there.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QImage, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from app import packagedata

ICON = "icons/hashiya.svg"
SMALL_ICON = "icons/hashiya-small.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256)
SMALL_MAX = 24


def app_icon() -> QIcon:
    """The application icon at every size a desktop asks for; an empty icon if its files are missing
    (a window without an icon is no reason not to start)."""
    icon = QIcon()
    try:
        large = QSvgRenderer(QByteArray(packagedata.resource_bytes(ICON)))
        small = QSvgRenderer(QByteArray(packagedata.resource_bytes(SMALL_ICON)))
    except packagedata.MissingResource:
        return icon
    if not (large.isValid() and small.isValid()):
        return icon
    for size in SIZES:
        icon.addPixmap(QPixmap.fromImage(rendered(small if size <= SMALL_MAX else large, size)))
    return icon


def rendered(renderer: QSvgRenderer, size: int) -> QImage:
    """The drawing at size × size pixels on a transparent square (also packaging/icon/make_icon.py's PNGs)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image
