"""Tests for ui.platform_check: no Qt, fake environments and a fake library loader."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ui import platform_check  # noqa: E402
from ui.platform_check import (  # noqa: E402
    XCB_LIBRARIES,
    missing_xcb_libraries,
    platform_problem,
)


class FakeLoader:
    """Stands in for ctypes.CDLL: raises OSError for the sonames in *absent*."""

    def __init__(self, absent=()):
        self.absent = set(absent)
        self.calls: list[str] = []

    def __call__(self, soname):
        self.calls.append(soname)
        if soname in self.absent:
            raise OSError(f"{soname}: cannot open shared object file")
        return object()


@pytest.fixture
def all_present(monkeypatch):
    loader = FakeLoader()
    monkeypatch.setattr(platform_check, "_load_library", loader)
    return loader


@pytest.fixture
def icccm_keysyms_absent(monkeypatch):
    loader = FakeLoader({"libxcb-icccm.so.4", "libxcb-keysyms.so.1"})
    monkeypatch.setattr(platform_check, "_load_library", loader)
    return loader


# --- missing_xcb_libraries ------------------------------------------------


def test_nothing_missing_when_everything_loads(all_present):
    assert missing_xcb_libraries() == []
    assert all_present.calls == [soname for soname, _ in XCB_LIBRARIES]


def test_reports_exactly_the_libraries_that_fail_to_load(icccm_keysyms_absent):
    assert missing_xcb_libraries() == [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ]


def test_explicit_loader_argument_wins_over_default(all_present):
    loader = FakeLoader({"libxcb-cursor.so.0"})
    assert missing_xcb_libraries(loader) == [("libxcb-cursor.so.0", "libxcb-cursor0")]
    assert all_present.calls == []


def test_covers_the_libraries_qt_xcb_is_known_to_need():
    table = dict(XCB_LIBRARIES)
    expected = {
        "libEGL.so.1": "libegl1",
        "libGL.so.1": "libgl1",
        "libfontconfig.so.1": "libfontconfig1",
        "libxkbcommon.so.0": "libxkbcommon0",
        "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
        "libglib-2.0.so.0": "libglib2.0-0",
        "libdbus-1.so.3": "libdbus-1-3",
        "libxcb-cursor.so.0": "libxcb-cursor0",
        "libxcb-icccm.so.4": "libxcb-icccm4",
        "libxcb-keysyms.so.1": "libxcb-keysyms1",
        "libxcb-shape.so.0": "libxcb-shape0",
        "libxcb-render-util.so.0": "libxcb-render-util0",
        "libxcb-image.so.0": "libxcb-image0",
    }
    for soname, package in expected.items():
        assert table.get(soname) == package, soname


def test_real_loader_loads_libc_and_rejects_unknown_library():
    platform_check._load_library("libc.so.6")
    with pytest.raises(OSError):
        platform_check._load_library("libhashiya-no-such-library.so.0")


def test_script_checks_every_library_the_module_checks():
    script = (ROOT / "scripts" / "ensure-system-deps").read_text(encoding="utf-8")
    pairs = set(re.findall(r"^\s+(lib[\w.+-]+\.so\.\d+):([a-z0-9.+-]+)$", script, re.M))
    assert pairs, "no soname:package entries found in scripts/ensure-system-deps"
    assert set(XCB_LIBRARIES) <= pairs


# --- platform_problem: no display ------------------------------------------


@pytest.mark.parametrize("platform", [None, "", "xcb", "XCB", "xcb:nograb"])
def test_no_display_at_all(platform, all_present):
    environ = {} if platform is None else {"QT_QPA_PLATFORM": platform}
    message = platform_problem(environ)
    assert message is not None
    assert "no display" in message
    assert "QT_QPA_PLATFORM=offscreen" in message
    assert "xvfb-run" in message
    assert "\n" in message


def test_xcb_with_only_wayland_display_is_a_problem(all_present):
    message = platform_problem({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"})
    assert message is not None
    assert "DISPLAY is not set" in message


@pytest.mark.parametrize("platform", ["offscreen", "minimal", "wayland", "wayland;xcb", "vnc"])
def test_other_platforms_are_left_to_qt(platform, icccm_keysyms_absent):
    assert platform_problem({"QT_QPA_PLATFORM": platform}) is None
    assert icccm_keysyms_absent.calls == []


# --- platform_problem: display present ---------------------------------------


@pytest.mark.parametrize(
    "environ",
    [
        {"DISPLAY": ":0"},
        {"DISPLAY": ":0", "QT_QPA_PLATFORM": "xcb"},
        {"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"},
    ],
)
def test_fine_with_x_display_and_all_libraries(environ, all_present):
    assert platform_problem(environ) is None
    assert all_present.calls  # the libraries were actually checked


@pytest.mark.parametrize(
    "environ",
    [
        {"DISPLAY": ":0"},
        {"DISPLAY": ":1", "QT_QPA_PLATFORM": "xcb"},
        {"DISPLAY": ":1", "QT_QPA_PLATFORM": " xcb "},
    ],
)
def test_missing_libraries_give_the_apt_command(environ, icccm_keysyms_absent):
    message = platform_problem(environ)
    assert message is not None
    assert "libxcb-icccm.so.4" in message
    assert "libxcb-keysyms.so.1" in message
    assert "sudo apt-get install --no-install-recommends libxcb-icccm4 libxcb-keysyms1" in message
    assert "libxcb-cursor" not in message


def test_install_command_names_each_package_once(monkeypatch):
    loader = FakeLoader({"libglib-2.0.so.0", "libgthread-2.0.so.0"})
    message = platform_problem({"DISPLAY": ":0"}, loader=loader)
    assert message is not None
    command = next(line for line in message.splitlines() if "apt-get install" in line)
    assert command.split().count("libglib2.0-0") == 1


@pytest.mark.parametrize(
    "environ",
    [
        {"WAYLAND_DISPLAY": "wayland-0"},
        {"WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"},
        {"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"},
    ],
)
def test_wayland_session_does_not_depend_on_xcb_libraries(environ, icccm_keysyms_absent):
    assert platform_problem(environ) is None


def test_empty_display_counts_as_unset(all_present):
    assert platform_problem({"DISPLAY": "", "WAYLAND_DISPLAY": ""}) is not None


def test_default_environ_is_os_environ(monkeypatch, all_present):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert platform_problem() is not None
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert platform_problem() is None


# --- module hygiene ---------------------------------------------------------


def test_module_does_not_import_qt():
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); import ui.platform_check; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6', 'shiboken6', 'app'} or (m.startswith('ui.') and m != 'ui.platform_check')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(ROOT)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == "[]"
