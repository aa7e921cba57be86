"""Generates Hashiya's icons: the SVGs (the word حاشية as outlines, so no font is needed to show them) and
the PNGs of the hicolor theme that the Linux package installs.

    QT_QPA_PLATFORM=offscreen python packaging/icon/make_icon.py [--preview preview.png]

Qt lays the word out (QPainterPath.addText shapes Arabic: joined letters, right to left) in the bundled
Noto Naskh Arabic Bold, and the outline is written into the SVG as a path. The PNGs are rendered from the
SVGs with QtSvg. Sizes up to SMALL_MAX use simplified drawings (only the letter ح), since the whole word
is a grey smudge at 16 and 24 pixels.

Writes:
    resources/icons/hashiya.svg, hashiya-small.svg        the window icon (package data)
    packaging/icons/hicolor/scalable/apps/hashiya.svg
    packaging/icons/hicolor/<N>x<N>/apps/hashiya.png
    packaging/icons/hicolor/scalable/mimetypes/application-x-hashiya.svg
    packaging/icons/hicolor/<N>x<N>/mimetypes/application-x-hashiya.png
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FONT = ROOT / "resources" / "fonts" / "NotoNaskhArabic-Bold.ttf"
RESOURCE_ICONS = ROOT / "resources" / "icons"
HICOLOR = ROOT / "packaging" / "icons" / "hicolor"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
SMALL_MAX = 24  # this size and below: the simplified drawings
APP_NAME = "hashiya"
MIME_ICON = "application-x-hashiya"
WORD = "حاشية"
LETTER = "ح"

# Palette: deep teal frame, paper, ink, and a saffron margin.
TEAL = "#0d5466"
TEAL_DARK = "#083947"
PAPER = "#fdf7e9"
INK = "#1b2630"
SAFFRON = "#eba13a"
SAFFRON_LIGHT = "#f8dca8"
FOLD = "#e6dcc4"
LINE = "#c9bfa6"


def _qt():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QFontDatabase, QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication([sys.argv[0]])
    font_id = QFontDatabase.addApplicationFont(str(FONT))
    families = QFontDatabase.applicationFontFamilies(font_id)
    if not families:
        raise SystemExit(f"cannot load {FONT}")
    return app, families[0]


def text_outline(family: str, text: str, box: tuple[float, float, float, float],
                 align: str = "center") -> str:
    """The SVG path data of `text`, scaled to fit the box (x, y, width, height), centred in it."""
    from PySide6.QtGui import QFont, QPainterPath, QTransform

    font = QFont(family)
    font.setPixelSize(1000)
    path = QPainterPath()
    path.addText(0, 0, font, text)
    bounds = path.boundingRect()
    x, y, width, height = box
    scale = min(width / bounds.width(), height / bounds.height())
    dx = x + (width - bounds.width() * scale) / 2 - bounds.x() * scale
    dy = y + (height - bounds.height() * scale) / 2 - bounds.y() * scale
    if align == "bottom":
        dy = y + height - bounds.bottom() * scale
    path = QTransform(scale, 0, 0, scale, dx, dy).map(path)
    return path_data(path)


def path_data(path) -> str:
    from PySide6.QtGui import QPainterPath

    def num(value: float) -> str:
        text = f"{value:.2f}".rstrip("0").rstrip(".")
        return "0" if text == "-0" else text

    parts: list[str] = []
    i, count = 0, path.elementCount()
    while i < count:
        element = path.elementAt(i)
        kind = element.type
        if kind == QPainterPath.ElementType.MoveToElement:
            parts.append(f"M{num(element.x)} {num(element.y)}")
            i += 1
        elif kind == QPainterPath.ElementType.LineToElement:
            parts.append(f"L{num(element.x)} {num(element.y)}")
            i += 1
        elif kind == QPainterPath.ElementType.CurveToElement:
            c2, end = path.elementAt(i + 1), path.elementAt(i + 2)
            parts.append(f"C{num(element.x)} {num(element.y)} {num(c2.x)} {num(c2.y)} "
                         f"{num(end.x)} {num(end.y)}")
            i += 3
        else:  # a stray CurveToDataElement: cannot happen after a CurveToElement was consumed
            raise ValueError(f"unexpected path element {kind}")
    return "".join(parts)


def svg(title: str, body: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256" viewBox="0 0 256 256">\n'
            f"  <title>{title}</title>\n{body}</svg>\n")


def app_svg(family: str) -> str:
    """The word on a page whose right-hand margin (where a حاشية is written) is marked in saffron."""
    word = text_outline(family, WORD, (28, 70, 178, 120))
    return svg("Hashiya", f"""\
  <rect x="8" y="8" width="240" height="240" rx="48" fill="{TEAL}"/>
  <rect x="8" y="8" width="240" height="240" rx="48" fill="none" stroke="{TEAL_DARK}" stroke-width="4"/>
  <rect x="18" y="30" width="220" height="196" rx="16" fill="{PAPER}"/>
  <path d="M216 30H222A16 16 0 0 1 238 46V210A16 16 0 0 1 222 226H216Z" fill="{SAFFRON_LIGHT}"/>
  <rect x="214" y="30" width="5" height="196" fill="{SAFFRON}"/>
  <rect x="221" y="56" width="12" height="6" rx="3" fill="{TEAL}"/>
  <rect x="221" y="70" width="9" height="6" rx="3" fill="{TEAL}"/>
  <path fill="{INK}" stroke="{INK}" stroke-width="4" stroke-linejoin="round" d="{word}"/>
""")


def app_small_svg(family: str) -> str:
    """16 and 24 pixels: the letter ح alone, on the same page and margin."""
    letter = text_outline(family, LETTER, (36, 52, 144, 172))
    return svg("Hashiya", f"""\
  <rect x="0" y="0" width="256" height="256" rx="48" fill="{TEAL}"/>
  <rect x="16" y="16" width="224" height="224" rx="24" fill="{PAPER}"/>
  <path d="M192 16H216A24 24 0 0 1 240 40V216A24 24 0 0 1 216 240H192Z" fill="{SAFFRON}"/>
  <path fill="{INK}" stroke="{INK}" stroke-width="6" stroke-linejoin="round" d="{letter}"/>
""")


def mime_svg(family: str) -> str:
    """A project file: a sheet with a folded corner, lines of text, the saffron margin and the word."""
    word = text_outline(family, WORD, (44, 118, 140, 80))
    return svg("Hashiya project", f"""\
  <path d="M32 12H172L224 64V236A8 8 0 0 1 216 244H40A8 8 0 0 1 32 236Z" fill="{PAPER}" stroke="{TEAL}"
        stroke-width="8" stroke-linejoin="round"/>
  <path d="M172 12V56A8 8 0 0 0 180 64H224Z" fill="{FOLD}" stroke="{TEAL}" stroke-width="8"
        stroke-linejoin="round"/>
  <rect x="195" y="68" width="25" height="172" fill="{SAFFRON_LIGHT}"/>
  <rect x="190" y="64" width="5" height="176" fill="{SAFFRON}"/>
  <rect x="64" y="40" width="96" height="9" rx="4.5" fill="{LINE}"/>
  <rect x="48" y="64" width="130" height="9" rx="4.5" fill="{LINE}"/>
  <rect x="48" y="88" width="130" height="9" rx="4.5" fill="{LINE}"/>
  <rect x="48" y="212" width="130" height="9" rx="4.5" fill="{LINE}"/>
  <rect x="201" y="88" width="13" height="6" rx="3" fill="{TEAL}"/>
  <rect x="201" y="100" width="9" height="6" rx="3" fill="{TEAL}"/>
  <path fill="{INK}" stroke="{INK}" stroke-width="4" stroke-linejoin="round" d="{word}"/>
""")


def mime_small_svg(family: str) -> str:
    letter = text_outline(family, LETTER, (60, 84, 100, 132))
    return svg("Hashiya project", f"""\
  <path d="M40 8H168L224 64V240A8 8 0 0 1 216 248H48A8 8 0 0 1 40 240Z" fill="{PAPER}" stroke="{TEAL}"
        stroke-width="16" stroke-linejoin="round"/>
  <path d="M168 8V64H224Z" fill="{TEAL}" stroke="{TEAL}" stroke-width="16" stroke-linejoin="round"/>
  <rect x="176" y="80" width="40" height="160" fill="{SAFFRON}"/>
  <path fill="{INK}" stroke="{INK}" stroke-width="6" stroke-linejoin="round" d="{letter}"/>
""")


def render(svg_text: str, size: int):
    from PySide6.QtCore import QByteArray
    from PySide6.QtSvg import QSvgRenderer

    from ui.icon import rendered

    renderer = QSvgRenderer(QByteArray(svg_text.encode("utf-8")))
    if not renderer.isValid():
        raise SystemExit("QtSvg cannot read the generated SVG")
    return rendered(renderer, size)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def preview(images: dict[tuple[str, int], object], target: Path) -> None:
    """Every rendered size on a light and on a dark panel, at 1:1 (and the small ones also enlarged 4×)."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QColor, QImage, QPainter

    shown = [size for size in SIZES if size <= 256]
    width = sum(shown) + 12 * (len(shown) + 1) + 4 * (16 + 24 + 32 + 48) + 12 * 4
    row = 256 + 24
    sheet = QImage(width, row * 4, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(sheet)
    for band, (kind, background) in enumerate([("apps", "#f4f4f4"), ("apps", "#2b2b2b"),
                                                ("mimetypes", "#f4f4f4"), ("mimetypes", "#2b2b2b")]):
        painter.fillRect(0, band * row, width, row, QColor(background))
        x = 12
        for size in shown:
            painter.drawImage(x, band * row + 12, images[(kind, size)])
            x += size + 12
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        for size in (16, 24, 32, 48):
            painter.drawImage(QRect(x, band * row + 12, size * 4, size * 4), images[(kind, size)])
            x += size * 4 + 12
    painter.end()
    sheet.save(str(target))


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preview", type=Path, help="also write a sheet of every size on light and dark")
    args = parser.parse_args(argv)
    _app, family = _qt()

    drawings = {
        "apps": (APP_NAME, app_svg(family), app_small_svg(family)),
        "mimetypes": (MIME_ICON, mime_svg(family), mime_small_svg(family)),
    }
    write(RESOURCE_ICONS / "hashiya.svg", drawings["apps"][1])
    write(RESOURCE_ICONS / "hashiya-small.svg", drawings["apps"][2])
    images = {}
    for kind, (name, large, small) in drawings.items():
        write(HICOLOR / "scalable" / kind / f"{name}.svg", large)
        for size in SIZES:
            image = render(small if size <= SMALL_MAX else large, size)
            target = HICOLOR / f"{size}x{size}" / kind / f"{name}.png"
            target.parent.mkdir(parents=True, exist_ok=True)
            if not image.save(str(target)):
                raise SystemExit(f"cannot write {target}")
            images[(kind, size)] = image
    if args.preview:
        preview(images, args.preview)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
