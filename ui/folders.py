"""Where file dialogs open: the folder last used for that kind of file, else Documents, else home.

Never the current directory: under `make run` that is the checkout. Kept per kind (exports, imports,
projects, …) in the settings file, so an export does not send the next import dialog to the export folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from app import settings
from app.i18n import _

SETTINGS_KEY = "last_folders"  # {kind: folder}
EXPORT, IMPORT, IMPORT_TOOL, GAZETTEER, ANALYST_WORK, PROJECT, SCHEMA, REPORT = (
    "export", "import", "import_tool", "gazetteer", "analyst_work", "project", "schema", "report")


def start_folder(kind: str) -> Path:
    last = _saved().get(kind)
    if isinstance(last, str) and Path(last).is_dir():
        return Path(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def opens_in(kind: str, name: str = "") -> str:
    """Where a file dialog of this kind opens, with a file name already typed if given."""
    folder = start_folder(kind)
    return str(folder / name if name else folder)


def remember_choice(kind: str, chosen: list[str] | str) -> bool:
    """Remember where the analyst went for this kind of file (a dialog's answer: a path, a list of
    paths, or empty when cancelled); whether anything was chosen."""
    paths = [chosen] if isinstance(chosen, str) else chosen
    paths = [path for path in paths if path]
    if paths:
        remember(kind, paths[0])
    return bool(paths)


def remember(kind: str, chosen: str | Path) -> None:
    """`chosen`: the file or folder picked; the next dialog of this kind opens in the folder holding it."""
    folder = str(Path(chosen).parent)
    try:
        settings.update(**{SETTINGS_KEY: {**_saved(), kind: folder}})
    except OSError as error:  # a convenience: the chosen file is used all the same
        print(_("hashiya: the last {kind} folder was not saved to {path}: {error}").format(
            kind=kind, path=settings.settings_path(), error=error), file=sys.stderr)


def _saved() -> dict:
    saved = settings.load().get(SETTINGS_KEY)
    return saved if isinstance(saved, dict) else {}
