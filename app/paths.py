"""Where Hashiya keeps the user's data (its own bundled files are package data: app.packagedata)."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_SUFFIX = ".hashiya"


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable)
    base = Path(value) if value else Path.home() / fallback
    return base / "hashiya"


def data_dir() -> Path:
    """Projects created by the app itself (the demo project) live here."""
    return _xdg("XDG_DATA_HOME", ".local/share")


def config_dir() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config")


def state_dir() -> Path:
    """What the app keeps about its own running (the log of unexpected errors): not data, not settings."""
    return _xdg("XDG_STATE_HOME", ".local/state")


def demo_project_path() -> Path:
    return data_dir() / f"demo{PROJECT_SUFFIX}"


def is_server_address(location) -> bool:
    """Whether `location` (a command-line word, a recent-projects entry) is a server project's URL, not a
    file path. Only postgresql URLs are; `C:\\x` and a file called `postgres` stay paths."""
    return not isinstance(location, Path) and str(location).split("://", 1)[0].lower() in (
        "postgresql", "postgres", "postgresql+psycopg")
