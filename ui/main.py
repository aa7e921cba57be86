"""Starting the desktop app: which project, which analyst, then the window."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from app import paths, schema, settings
from app.importer import import_paths
from app.project import Project, ProjectError
from ui.platform_check import platform_problem


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="hashiya",
        description="Annotate Arabic news text. Headless commands: hashiya import|export … (see hashiya import -h).",
    )
    parser.add_argument("project", nargs="?", type=Path,
                        help="project file to open (default: the last one, or the demo corpus on first run)")
    parser.add_argument("--analyst", help="your name, saved for next time (asked once if not given)")
    return parser.parse_args(argv)


def ensure_demo_project() -> Path:
    """First run: a project in the user's data folder with the demo articles imported."""
    path = paths.demo_project_path()
    if not path.exists():
        project = Project.create(path)
        try:
            import_paths(project, [paths.SEEDS], annotator=settings.default_analyst())
            # The demo corpus's stance targets; a new project of one's own starts with none.
            for target in schema.read_schema(paths.SEEDS / "schema.json").get(schema.STANCE_TARGET, []):
                schema.add_label(project, target)
        finally:
            project.close()
    return path


def choose_project_path(requested: Path | None) -> Path:
    if requested is not None:
        return requested
    last = settings.load().get("last_project")
    if isinstance(last, str) and Path(last).exists():
        return Path(last)
    return ensure_demo_project()


def ask_analyst(current: str | None) -> str | None:
    from PySide6.QtWidgets import QInputDialog

    name, ok = QInputDialog.getText(None, "Welcome to Hashiya",
                                    "Your name (every annotation you make is saved under it):",
                                    text=current or settings.default_analyst())
    return name.strip() if ok and name.strip() else None


def install_crash_dialog() -> None:
    """Unexpected errors are shown to the analyst; saved work is safe (every edit is already committed)."""
    import traceback

    from PySide6.QtWidgets import QMessageBox

    def show(kind, value, trace) -> None:
        details = "".join(traceback.format_exception(kind, value, trace))
        print(details, file=sys.stderr)
        box = QMessageBox(QMessageBox.Critical, "Hashiya: unexpected error",
                          f"Something went wrong: {value}\n\nEverything shown as done is saved in the project "
                          "file. Please report this error with the details below.")
        box.setDetailedText(details)
        box.exec()

    sys.excepthook = show


def configure_qt(environ=os.environ) -> None:
    """Qt settings of the app, made before a QApplication exists.

    Qt's raster engine hands every fill taller than 95 lines (a scroll bar, a list's background) to a
    thread pool and waits for it. On the two-core laptops analysts use, waking those threads costs more
    than the fill: 0.4 to 1 ms of the frame that shows a new span (issue 13, `make bench` row 3). Qt only
    checks that the variable is set, so a value set beforehand is kept, whatever it is.
    """
    environ.setdefault("QT_NO_GUI_THREADPOOL", "1")


def run_gui(argv: list[str]) -> int:
    args = parse_args(argv)
    problem = platform_problem(os.environ)
    if problem:
        print(f"hashiya: {problem}", file=sys.stderr)
        return 3
    configure_qt()
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.fonts import load_bundled_fonts
    from ui.mainwindow import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Hashiya")
    install_crash_dialog()
    load_bundled_fonts()
    path = choose_project_path(args.project)
    try:
        project = Project.open(path, create=args.project is not None and not path.exists())
    except ProjectError as error:
        QMessageBox.critical(None, "Cannot open project", str(error))
        print(f"hashiya: {error}", file=sys.stderr)
        return 2
    analyst = args.analyst or settings.load().get("analyst") or ask_analyst(None)
    if not analyst:
        project.close()
        return 1
    settings.update(analyst=analyst, last_project=str(path.resolve()))
    window = MainWindow(project, analyst)
    window.show()
    return app.exec()
