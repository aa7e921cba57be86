"""The icon and the Linux desktop integration files: the window icon loads, the hicolor PNGs have the sizes
their folders say, and hashiya.desktop, hashiya-mime.xml and the app agree on names."""

from __future__ import annotations

import configparser
import struct
import tomllib
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from app import packagedata
from app.migrations import APPLICATION_ID

ROOT = Path(__file__).resolve().parent.parent
LINUX = ROOT / "packaging" / "linux"
HICOLOR = ROOT / "packaging" / "icons" / "hicolor"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICONS = [("apps", "hashiya"), ("mimetypes", "application-x-hashiya")]
MIME_NS = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
SVG_NS = "{http://www.w3.org/2000/svg}"


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR", path
    return struct.unpack(">II", data[16:24])


def desktop_entry() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # keys are case-sensitive, and Name[ar] is a key of its own
    parser.read(LINUX / "hashiya.desktop", encoding="utf-8")
    return parser["Desktop Entry"]


def mime_type() -> ElementTree.Element:
    root = ElementTree.parse(LINUX / "hashiya-mime.xml").getroot()
    (definition,) = root.findall("m:mime-type", MIME_NS)
    return definition


def test_window_icon_loads_at_48_pixels(qapp):
    from ui.icon import app_icon

    icon = app_icon()
    assert not icon.isNull()
    pixmap = icon.pixmap(48, 48)
    assert not pixmap.isNull() and pixmap.width() == 48
    image = pixmap.toImage()
    # Opaque in the middle (the page), transparent in the corner (outside the rounded square).
    assert image.pixelColor(24, 24).alpha() == 255
    assert image.pixelColor(0, 0).alpha() == 0


def test_window_icon_missing_is_no_icon(qapp, monkeypatch):
    from ui.icon import app_icon

    def missing(name):
        raise packagedata.MissingResource(packagedata.RESOURCES_PACKAGE, name, "nowhere")

    monkeypatch.setattr(packagedata, "resource_bytes", missing)
    assert app_icon().isNull()


def test_icons_are_package_data():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert "app.resources.icons" in setuptools["packages"]
    assert "*.svg" in setuptools["package-data"]["app.resources.icons"]
    for name in ("hashiya.svg", "hashiya-small.svg"):
        assert (ROOT / "resources" / "icons" / name).is_file()
    # The theme's scalable icon is the window's, not a copy that drifted.
    assert ((HICOLOR / "scalable" / "apps" / "hashiya.svg").read_bytes()
            == (ROOT / "resources" / "icons" / "hashiya.svg").read_bytes())


@pytest.mark.parametrize("kind, name", ICONS)
def test_hicolor_pngs_have_their_sizes(kind, name):
    for size in SIZES:
        assert png_size(HICOLOR / f"{size}x{size}" / kind / f"{name}.png") == (size, size)


@pytest.mark.parametrize("svg", [HICOLOR / "scalable" / kind / f"{name}.svg" for kind, name in ICONS]
                         + [ROOT / "resources" / "icons" / "hashiya-small.svg"], ids=lambda path: path.name)
def test_svgs_need_no_font(svg):
    root = ElementTree.parse(svg).getroot()
    assert root.tag == f"{SVG_NS}svg" and root.get("viewBox") == "0 0 256 256"
    tags = {element.tag.removeprefix(SVG_NS) for element in root.iter()}
    assert "path" in tags and not tags & {"text", "tspan", "filter", "image", "style"}
    assert "font" not in svg.read_text(encoding="utf-8")


def test_desktop_entry():
    entry = desktop_entry()
    text = (LINUX / "hashiya.desktop").read_text(encoding="utf-8")
    assert "MimeType=application/x-hashiya;\n" in text
    assert entry["Icon"] == "hashiya"
    assert entry["Exec"] == "hashiya %f"
    assert entry["Name[ar]"] == "حاشية"
    for key in ("GenericName[ar]", "Comment[ar]"):
        assert entry[key].strip()
    assert (HICOLOR / "scalable" / "apps" / f"{entry['Icon']}.svg").is_file()


def test_desktop_entry_matches_the_running_app(qapp):
    """StartupWMClass is the class half of the WM_CLASS Qt sets on X11 (the application name), and the
    desktop file name (Wayland's app id) names the entry."""
    from ui.main import name_desktop

    before = qapp.applicationName(), qapp.desktopFileName()
    try:
        name_desktop(qapp)
        assert desktop_entry()["StartupWMClass"] == qapp.applicationName()
        assert (LINUX / f"{qapp.desktopFileName()}.desktop").is_file()
    finally:
        qapp.setApplicationName(before[0])
        qapp.setDesktopFileName(before[1])


def test_mime_definition():
    definition = mime_type()
    assert definition.get("type") == "application/x-hashiya"
    assert desktop_entry()["MimeType"] == definition.get("type") + ";"
    globs = definition.findall("m:glob", MIME_NS)
    assert [glob.get("pattern") for glob in globs] == ["*.hashiya"]
    assert int(globs[0].get("weight")) > 50
    assert definition.find("m:sub-class-of", MIME_NS).get("type") == "application/vnd.sqlite3"
    comments = {comment.get("{http://www.w3.org/XML/1998/namespace}lang"): comment.text
                for comment in definition.findall("m:comment", MIME_NS)}
    assert comments[None] and comments["ar"]
    icon = definition.find("m:generic-icon", MIME_NS).get("name")
    assert (HICOLOR / "scalable" / "mimetypes" / f"{icon}.svg").is_file()
    # The magic is the project file's own header: SQLite's, then Hashiya's application id at byte 68.
    (magic,) = definition.findall("m:magic", MIME_NS)
    sqlite = magic.find("m:match", MIME_NS)
    assert (sqlite.get("offset"), sqlite.get("value")) == ("0", "SQLite format 3\\000")
    application = sqlite.find("m:match", MIME_NS)
    assert application.get("offset") == "68"
    assert application.get("value").encode("ascii") == APPLICATION_ID.to_bytes(4, "big")


def test_magic_matches_a_real_project(project_path, project):
    header = project_path.read_bytes()[:72]
    assert header[:16] == b"SQLite format 3\x00"
    assert header[68:72] == b"HSYA"
