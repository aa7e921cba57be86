"""Starting the desktop app: which project, which analyst, then the window."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app import i18n, packagedata, paths, schema, settings
from app.i18n import _
from app.importer import import_paths
from app.packagedata import MissingResource
from app.paths import is_server_address
from app.project import Project, ProjectError
from ui.platform_check import platform_problem


def parse_args(argv: list[str]) -> argparse.Namespace:
    # Reached by `hashiya -h` too, before Qt is imported: the help lists the headless commands as well.
    from app import version_line
    from app.cli import add_language_option, commands_help, project_location

    parser = argparse.ArgumentParser(
        prog="hashiya",
        description=_("Annotate Arabic news text: opens the window on a project, or runs one of the commands below."),
        epilog=commands_help(), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("project", nargs="?", type=project_location,
                        help=_("project file to open, or a server project's postgresql://user@host/database "
                               "(default: the last one, or the demo corpus on first run)"))
    parser.add_argument("--version", action="version", version=version_line(),
                        help=_("show program's version number and exit"))
    add_language_option(parser)
    parser.add_argument("--analyst", help=_("the analyst's name for this run only (the saved name, asked once on "
                                            "first run, is kept; switch it for good from the status bar)"))
    return parser.parse_args(argv)


def ensure_demo_project() -> Path:
    """First run: a project in the user's data folder with the demo articles imported.

    It is made under a temporary name and renamed when complete: if making it fails (a missing demo
    article, a full disk), no empty demo project is left for every later run to open.
    """
    path = paths.demo_project_path()
    if path.exists():
        return path
    partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        project = Project.create(partial, labels=i18n.language())  # Arabic label names in an Arabic interface
        try:
            import_paths(project, packagedata.demo_articles(), annotator=settings.default_analyst())
            # The demo corpus's stance targets; a new project of one's own starts with none.
            for target in schema.read_schema(packagedata.demo_schema()).get(schema.STANCE_TARGET, []):
                schema.add_label(project, target)
        finally:
            project.close()
        try:
            os.link(partial, path)  # never over a demo another first run (a double launch) has just made
        except FileExistsError:
            pass
    finally:
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm"), Path(f"{partial}-journal")):
            leftover.unlink(missing_ok=True)
    return path


def choose_project_path(requested):
    if isinstance(requested, str):  # a server project's address
        return requested
    if requested is not None:
        # Absolute from here on (`..` and links resolved, as the recent list stores it): the window, its file
        # watcher and the recent list must not depend on the folder Hashiya was started from.
        return requested.resolve()
    last = settings.load().get("last_project")
    if isinstance(last, str) and is_server_address(last):
        return last
    if isinstance(last, str) and Path(last).exists():
        return Path(last)
    return ensure_demo_project()


def choose_analyst(requested: str | None) -> str | None:
    """--analyst names the analyst for this run only: a colleague at the same machine, or a one-off session,
    must not change who later runs annotate as. Otherwise the saved name, or the one the welcome question
    asks for, which is saved for next time."""
    if requested and requested.strip():
        return requested.strip()
    saved = settings.load().get("analyst")
    if isinstance(saved, str) and saved.strip():
        return saved.strip()
    name = ask_analyst(None)
    if name:
        settings.update(analyst=name)
    return name


def ask_analyst(current: str | None) -> str | None:
    from PySide6.QtWidgets import QInputDialog

    name, ok = QInputDialog.getText(None, _("Welcome to Hashiya"),
                                    _("Your name (every annotation you make is saved under it):"),
                                    text=current or settings.default_analyst())
    return name.strip() if ok and name.strip() else None


def configure_qt(environ=os.environ) -> None:
    """Qt settings of the app, made before a QApplication exists.

    Qt's raster engine hands every fill taller than 95 lines (a scroll bar, a list's background) to a
    thread pool and waits for it. On the two-core laptops analysts use, waking those threads costs more
    than the fill: 0.4 to 1 ms of the frame that shows a new span (issue 13, `make bench` row 3). Qt only
    checks that the variable is set, so a value set beforehand is kept, whatever it is.
    """
    environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


DESKTOP_FILE_NAME = "hashiya"  # packaging/linux/hashiya.desktop


def name_desktop(app) -> None:
    """Names the app the way packaging/linux/hashiya.desktop expects, so the desktop shows its icon and
    groups its windows under it. On X11, Qt makes WM_CLASS from the name of the command (`hashiya`) and the
    application name: "hashiya", "Hashiya", which the entry's StartupWMClass matches. The desktop file name
    is Wayland's app id, and on X11 Qt's _GTK_APPLICATION_ID and _KDE_NET_WM_DESKTOP_FILE; left unset, Qt
    takes the interpreter's name (python3) for them."""
    app.setApplicationName("Hashiya")
    app.setDesktopFileName(DESKTOP_FILE_NAME)


def run_gui(argv: list[str]) -> int:
    args = parse_args(argv)
    problem = platform_problem(os.environ)
    if problem:
        print(f"hashiya: {problem}", file=sys.stderr)
        return 3
    configure_qt()
    from PySide6.QtWidgets import QApplication

    from ui.crash import install_crash_dialog
    from ui.icon import app_icon
    from ui.language import apply_language

    app = QApplication.instance() or QApplication([sys.argv[0]])
    apply_language(app, i18n.language(), i18n.digits())  # as ui.launch chose them for this run
    name_desktop(app)
    app.setWindowIcon(app_icon())
    reporter = install_crash_dialog()
    reporter.starting = True  # until the event loop runs, an unexpected error's dialog waits for the analyst
    try:
        started = _start_window(args)
    finally:
        reporter.starting = False
    return started if isinstance(started, int) else app.exec()


def _start_window(args: argparse.Namespace) -> int | object:
    """The window on the chosen project, shown; or the exit status when there is none to show."""
    from PySide6.QtWidgets import QMessageBox

    from ui import smoke
    from ui.fonts import load_bundled_fonts
    from ui.mainwindow import MainWindow
    from ui.projectfile import open_for_window

    try:
        load_bundled_fonts()
        path = choose_project_path(args.project)
    except MissingResource as error:  # an incomplete installation: said as such, not as an unexpected error
        print(f"hashiya: {error}", file=sys.stderr)
        QMessageBox.critical(None, _("Hashiya cannot start"), str(error))
        return 2
    try:
        create = isinstance(path, Path) and args.project is not None and not path.exists()
        opened = open_for_window(path, create=create, parent=None)
    except ProjectError as error:
        QMessageBox.critical(None, _("Cannot open project"), str(error))
        print(f"hashiya: {error}", file=sys.stderr)
        return 2
    if opened is None:  # open in another window, which was brought forward (or the analyst cancelled)
        return 0
    from app import team

    analyst = team.analyst_for(opened.project, None) or choose_analyst(args.analyst)
    if not analyst:
        opened.project.close()
        if opened.lock is not None:
            opened.lock.release()
        return 1
    settings.remember_project(path if opened.project.is_file else opened.project.location)
    window = MainWindow(opened.project, analyst, opened.lock)
    window.show()
    if smoke.wanted():
        smoke.quit_after_first_frame(window)
    return window
