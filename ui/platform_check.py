"""Can the Qt GUI start here?  Checked before PySide6 is imported.

When Qt cannot open its platform plugin it prints a long, confusing message
and aborts the process.  This module finds the two common causes first and
explains them in plain words:

* there is no display to open a window on (a headless shell, ssh, CI), and
* the xcb platform plugin cannot load because system libraries are missing
  (the PySide6 wheels bundle Qt but not libxcb-* and friends).

It must not import PySide6 (or anything from the project): its whole point is
to run before Qt is loaded.  Its messages are translated by app.i18n when the
`hashiya` command has loaded it (and chosen the language) already.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Callable, Mapping

# Shared libraries, outside the wheel, that the xcb platform plugin needs,
# with the Debian/Ubuntu package that ships each one.  This is the DT_NEEDED
# closure of PySide6/Qt/plugins/platforms/libqxcb.so (via libQt6XcbQpa,
# libQt6Gui, libQt6DBus and libQt6Core) in PySide6-Essentials 6.11.3, minus
# glibc, libstdc++ and libgcc.  scripts/ensure-system-deps checks a superset
# of this list (it also covers the offscreen plugin and the xcb GL
# integrations); tests/test_platform_check.py keeps the two in step.
XCB_LIBRARIES: tuple[tuple[str, str], ...] = (
    ("libEGL.so.1", "libegl1"),
    ("libGL.so.1", "libgl1"),
    ("libX11.so.6", "libx11-6"),
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libdbus-1.so.3", "libdbus-1-3"),
    ("libfontconfig.so.1", "libfontconfig1"),
    ("libfreetype.so.6", "libfreetype6"),
    ("libglib-2.0.so.0", "libglib2.0-0"),
    ("libgthread-2.0.so.0", "libglib2.0-0"),
    ("libxkbcommon.so.0", "libxkbcommon0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),
    ("libxcb.so.1", "libxcb1"),
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-image.so.0", "libxcb-image0"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-randr.so.0", "libxcb-randr0"),
    ("libxcb-render.so.0", "libxcb-render0"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxcb-shape.so.0", "libxcb-shape0"),
    ("libxcb-shm.so.0", "libxcb-shm0"),
    ("libxcb-sync.so.1", "libxcb-sync1"),
    ("libxcb-util.so.1", "libxcb-util1"),
    ("libxcb-xfixes.so.0", "libxcb-xfixes0"),
    ("libxcb-xkb.so.1", "libxcb-xkb1"),
    ("libz.so.1", "zlib1g"),
    ("libzstd.so.1", "libzstd1"),
)


def _(message: str) -> str:
    """The message in the interface language: app.i18n's, if the command has loaded it (not imported here)."""
    i18n = sys.modules.get("app.i18n")
    return message if i18n is None else i18n._(message)


def _load_library(soname: str) -> object:
    """Load a shared library by soname; raises OSError if it cannot."""
    return ctypes.CDLL(soname)


def missing_xcb_libraries(
    loader: Callable[[str], object] | None = None,
) -> list[tuple[str, str]]:
    """(soname, debian_package) for each library the xcb plugin needs that cannot be loaded."""
    load = _load_library if loader is None else loader
    missing: list[tuple[str, str]] = []
    for soname, package in XCB_LIBRARIES:
        try:
            load(soname)
        except OSError:
            missing.append((soname, package))
    return missing


def apt_install_command(packages: list[str] | tuple[str, ...]) -> str:
    """The `sudo apt-get install` command for *packages*, each named once, in order."""
    unique = list(dict.fromkeys(packages))
    return "sudo apt-get install --no-install-recommends " + " ".join(unique)


def _requested_platforms(environ: Mapping[str, str]) -> list[str]:
    """Plugin names from QT_QPA_PLATFORM ("wayland;xcb", "xcb:opt=1", ...), lower-cased."""
    value = environ.get("QT_QPA_PLATFORM", "")
    names = []
    for entry in value.split(";"):
        name = entry.split(":", 1)[0].strip().lower()
        if name:
            names.append(name)
    return names


def _no_display_message(requested_xcb: bool, environ: Mapping[str, str]) -> str:
    if requested_xcb and environ.get("WAYLAND_DISPLAY"):
        why = _(
            "QT_QPA_PLATFORM=xcb needs an X11 display, but DISPLAY is not set "
            "(only WAYLAND_DISPLAY is)."
        )
    else:
        why = _("Neither DISPLAY nor WAYLAND_DISPLAY is set.")
    return _(
        "Hashiya cannot open a window: no display was found.\n"
        "{why}\n"
        "Either:\n"
        "  - run it from a graphical desktop session (X11 or Wayland), or\n"
        "  - set QT_QPA_PLATFORM=offscreen for a headless run (nothing is shown), or\n"
        "  - run it under a virtual X server: xvfb-run -a <command>\n"
        "    (sudo apt-get install xvfb)."
    ).format(why=why)


def _missing_libraries_message(missing: list[tuple[str, str]]) -> str:
    lines = [
        _("Hashiya cannot start: the Qt xcb platform plugin needs system libraries "
          "that are not installed:"),
    ]
    lines += ["  " + _("{library}  (package {package})").format(library=soname, package=package)
              for soname, package in missing]
    lines.append(
        _("Install them with:\n"
          "  {command}\n"
          "(or set QT_QPA_PLATFORM=offscreen for a headless run).").format(
            command=apt_install_command([package for _soname, package in missing]))
    )
    return "\n".join(lines)


def platform_problem(
    environ: Mapping[str, str] = os.environ,
    *,
    loader: Callable[[str], object] | None = None,
) -> str | None:
    """A multi-line explanation of why the Qt GUI cannot start here, or None if it can.

    Only the cases this module can judge are reported: no display at all, and
    the xcb plugin with no X display or with missing libraries.  Any other
    platform named in QT_QPA_PLATFORM (offscreen, minimal, wayland, vnc, ...)
    is left to Qt.
    """
    requested = _requested_platforms(environ)
    has_x11 = bool(environ.get("DISPLAY"))
    has_wayland = bool(environ.get("WAYLAND_DISPLAY"))

    if not requested:
        # Qt chooses: wayland first on a Wayland session, else xcb.
        if not has_x11 and not has_wayland:
            return _no_display_message(False, environ)
        if has_wayland or environ.get("XDG_SESSION_TYPE", "").lower() == "wayland":
            return None  # wayland is tried first; xcb is only the fallback.
    elif any(name != "xcb" for name in requested):
        return None
    elif not has_x11:
        return _no_display_message(True, environ)

    missing = missing_xcb_libraries(loader)
    if missing:
        return _missing_libraries_message(missing)
    return None
