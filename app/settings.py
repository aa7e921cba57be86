"""Per-user settings (analyst name, last project), kept as a small JSON file."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

from app import paths
from app.paths import is_server_address
from app.fsutil import atomic_write


def settings_path() -> Path:
    return paths.config_dir() / "settings.json"


def load() -> dict:
    try:
        with open(settings_path(), encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(data: dict) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(path) as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)


def update(**changes) -> dict:
    data = load()
    data.update(changes)
    save(data)
    return data


def default_analyst() -> str:
    """The analyst for headless commands: the saved name, else the login name."""
    name = load().get("analyst")
    if isinstance(name, str) and name.strip():
        return name.strip()
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "analyst"


# ---- recently opened projects ----------------------------------------------------------------------------------
RECENT_PROJECTS = "recent_projects"
RECENT_LIMIT = 8


def recent_projects() -> list[Path]:
    """The project files opened last, newest first (what a hand-edited settings file holds that is not a path
    is skipped). Files that are gone are kept: a disk that is not mounted now may be later."""
    stored = load().get(RECENT_PROJECTS)
    if not isinstance(stored, list):
        return []
    return [entry if is_server_address(entry) else Path(entry) for entry in stored
            if isinstance(entry, str) and (is_server_address(entry) or Path(entry).is_absolute())]


def remember_project(path) -> None:
    """`path` was opened: it is the last project (opened on the next start) and first among the recent ones.
    A server project is kept as its address (never with a password: app.pgstore refuses those)."""
    absolute = path if is_server_address(path) else str(Path(path).resolve())
    recent = [absolute] + [str(entry) for entry in recent_projects() if str(entry) != absolute]
    update(last_project=absolute, **{RECENT_PROJECTS: recent[:RECENT_LIMIT]})


def clear_recent_projects() -> None:
    update(**{RECENT_PROJECTS: []})
