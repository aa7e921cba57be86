"""The files Hashiya reads at run time, found as package data wherever it is installed.

In the checkout they live in `resources/` and `seeds/`; installed (wheel, editable install or frozen
bundle) they are the packages `app.resources` and `app.seeds` (pyproject.toml maps one onto the other), so
`importlib.resources` finds them from any working directory. A missing file is reported by its name and
where it was looked for, never as an unexpected error.
"""

from __future__ import annotations

import json
import os
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from app.i18n import _

RESOURCES_PACKAGE = "app.resources"
SEEDS_PACKAGE = "app.seeds"


class MissingResource(Exception):
    """A file that belongs to Hashiya itself is not where the installation should have put it."""

    def __init__(self, package: str, name: str, where: str) -> None:
        self.package, self.name = package, name
        folder = package.split(".")[-1]
        super().__init__(_("Hashiya's own file {folder}/{name} is missing from this installation (looked in "
                           "{where}). The installation is incomplete: install Hashiya again.").format(
            folder=folder, name=name, where=where))


def _folder(package: str, name: str = "") -> Traversable:
    try:
        return resources.files(package)
    except ModuleNotFoundError:
        raise MissingResource(package, name, _("the installed Python packages")) from None


def _entry(package: str, name: str) -> Traversable:
    folder = _folder(package, name)
    entry = folder
    for part in name.split("/"):  # one part at a time: Python 3.11's MultiplexedPath takes only one
        entry = entry.joinpath(part)
    if not entry.is_file():
        raise MissingResource(package, name, str(folder))
    return entry


def resource_text(name: str) -> str:
    """A text file of resources/, e.g. "guidelines.md" or "fonts/OFL.txt"."""
    return _entry(RESOURCES_PACKAGE, name).read_text(encoding="utf-8")


def resource_json(name: str):
    return json.loads(resource_text(name))


def resource_bytes(name: str) -> bytes:
    return _entry(RESOURCES_PACKAGE, name).read_bytes()


def resource_file(name: str) -> Path:
    """A file of resources/ as a path on disk (for a reader that wants a path, e.g. Qt's font loader)."""
    return _on_disk(_entry(RESOURCES_PACKAGE, name), RESOURCES_PACKAGE)


def resource_names(folder: str, suffix: str) -> list[str]:
    """Names (relative to resources/) of the files in one of its folders that end with `suffix`, sorted."""
    directory = _folder(RESOURCES_PACKAGE).joinpath(folder)
    if not directory.is_dir():
        raise MissingResource(RESOURCES_PACKAGE, folder + "/", str(_folder(RESOURCES_PACKAGE)))
    return sorted(f"{folder}/{entry.name}" for entry in directory.iterdir()
                  if entry.is_file() and entry.name.endswith(suffix))


def demo_articles() -> list[Path]:
    """The demo corpus's articles, as files on disk (the importer reads paths)."""
    folder = _folder(SEEDS_PACKAGE, "*.txt")
    articles = sorted((entry for entry in folder.iterdir() if entry.name.endswith(".txt")), key=lambda e: e.name)
    if not articles:
        raise MissingResource(SEEDS_PACKAGE, "*.txt", str(folder))
    return [_on_disk(entry) for entry in articles]


def demo_schema() -> Path:
    return _on_disk(_entry(SEEDS_PACKAGE, "schema.json"))


def _on_disk(entry: Traversable, package: str = SEEDS_PACKAGE) -> Path:
    # Installed from a wheel, in a frozen bundle or a checkout, package data is a real file: a Path, or a
    # bundler's own object that is path-like (Nuitka's). A zipped install (zipapp, egg) would give neither;
    # Hashiya is not shipped that way.
    if isinstance(entry, os.PathLike):
        return Path(os.fspath(entry))
    raise MissingResource(package, entry.name, _("a zipped installation, which Hashiya does not support"))
