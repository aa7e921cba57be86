"""Per-user settings (analyst name, last project), kept as a small JSON file."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

from app import paths
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
