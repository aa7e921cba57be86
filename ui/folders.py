"""Where file dialogs open: the folder last used for that kind of file, else Documents, else home.

Never the current directory: under `make run` that is the checkout. Kept per kind (exports, imports,
projects, …) in the settings file, so an export does not send the next import dialog to the export folder.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QStandardPaths

from app import settings

SETTINGS_KEY = "last_folders"  # {kind: folder}
EXPORT, IMPORT, IMPORT_TOOL, GAZETTEER, ANALYST_WORK, PROJECT = (
    "export", "import", "import_tool", "gazetteer", "analyst_work", "project")


def start_folder(kind: str) -> Path:
    last = _saved().get(kind)
    if isinstance(last, str) and Path(last).is_dir():
        return Path(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def remember(kind: str, chosen: str | Path) -> None:
    """`chosen`: the file or folder picked; the next dialog of this kind opens in the folder holding it."""
    folder = str(Path(chosen).parent)
    try:
        settings.update(**{SETTINGS_KEY: {**_saved(), kind: folder}})
    except OSError as error:  # a convenience: the chosen file is used all the same
        print(f"hashiya: the last {kind} folder was not saved to {settings.settings_path()}: {error}",
              file=sys.stderr)


def _saved() -> dict:
    saved = settings.load().get(SETTINGS_KEY)
    return saved if isinstance(saved, dict) else {}
