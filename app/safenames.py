"""File and folder names made from names other people chose: analysts and documents.

Those names come from other people's files (a merged project, JSONL, Label Studio, brat), so `../../x`,
`CON`, a name with a NUL or 300 Arabic letters all arrive here. Every such name becomes a path only through
`safe_component` (one file or folder name) and `SafeNames` (unique relative paths within one export), and
every write goes through `ExportFolder.path`, which refuses a path that would leave the export folder.

A safe component: Arabic and other letters kept as they are; `/`, `\\`, control characters and the
characters Windows forbids (`<>:"|?*`) become `_`; the invisible bidi controls (RLM, LRM, embeddings,
isolates, which can reorder how a file name reads) and zero-width spaces are dropped; a leading dot (a
hidden file, `..`) and a trailing dot or space (Windows drops those) become `_`; a Windows device name
(CON, NUL, COM1, …) gets `_` before it; and the whole is at most 255 UTF-8 bytes, with room kept for the
suffix and a collision counter, cut between two letters, never inside a character or before a letter's
harakat. Names that a case-blind disk (Windows, macOS) would confuse get `-2`, `-3`… Whenever a name had
to change, the export folder gets `names.json`, mapping each renamed file to the original name.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from itertools import count
from pathlib import Path, PurePosixPath
from typing import Iterable

from app.i18n import _, ngettext, number

INDEX_FILE = "names.json"  # in an export folder where a name had to change: {written file: original name}
MAX_COMPONENT_BYTES = 255  # of one file or folder name, as ext4, APFS and NTFS (in UTF-16 units) allow
COUNTER_ROOM = 8  # bytes kept for "-2" … "-9999999"
MAX_FOLDERS = 8  # sub-folders kept from a document name; a deeper name is written as one flat file name
MAX_RELATIVE_BYTES = 1024  # a longer relative path is flattened too (paths are limited to 4096 bytes)

_FORBIDDEN = re.compile('[\x00-\x1f\x7f-\x9f<>:"|?*/\\\\\u2028\u2029\ud800-\udfff]')
_INVISIBLE = re.compile("[\u061c\u200b\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                    *(f"{port}{digit}" for port in ("COM", "LPT") for digit in "0123456789¹²³")}
_ZWJ = "\u200d"


def safe_component(name: str, room: int = 0) -> str:
    """`name` as one file or folder name any disk accepts, at most MAX_COMPONENT_BYTES - `room` bytes
    (see the module's docstring). Ordinary names come back unchanged."""
    part = _FORBIDDEN.sub("_", _INVISIBLE.sub("", name))
    device = part.split(".")[0].strip().upper() in _WINDOWS_DEVICES
    part = cut_to_bytes(part, MAX_COMPONENT_BYTES - room - device)
    if device:
        part = "_" + part
    if part.startswith("."):  # hidden on Unix and skipped by importers; also makes "." and ".." harmless
        part = "_" + part[1:]
    if part.endswith((".", " ")):  # Windows drops them, so "a." and "a" would be one file
        part = part[:-1] + "_"
    return part or "_"


def cut_to_bytes(text: str, limit: int) -> str:
    """The longest start of `text` of at most `limit` UTF-8 bytes that ends between two letters: not inside
    a character, not between a letter and its harakat, not inside an emoji joined by ZWJ."""
    if len(text.encode("utf-8")) <= limit:
        return text
    size, end = 0, 0
    for end, char in enumerate(text):
        size += len(char.encode("utf-8", "surrogatepass"))
        if size > limit:
            break
    while end > 0 and _joins_previous(text, end):
        end -= 1
    return text[:end]


def _joins_previous(text: str, index: int) -> bool:
    """Whether text[index] belongs to the letter (or emoji) before it."""
    char = text[index]
    return (unicodedata.category(char) in ("Mn", "Mc", "Me") or char == _ZWJ or text[index - 1] == _ZWJ
            or "\U0001f3fb" <= char <= "\U0001f3ff")  # a skin-tone modifier


def _key(path: str) -> str:
    """How a case-blind, normalising disk (Windows, macOS) tells names apart."""
    return unicodedata.normalize("NFC", path).casefold()


class SafeNames:
    """Unique, safe relative paths for the names of one export folder, claimed in order.

    `reserved`: files the export writes itself (brat's annotation.conf); the index file is always reserved.
    `folders`: a `/` or `\\` in a name is a sub-folder (document names) rather than part of the name
    (analysts). `renamed` maps each written file whose name had to change to the original name."""

    def __init__(self, reserved: Iterable[str] = (), folders: bool = True) -> None:
        self.files = {_key(name) for name in (*reserved, INDEX_FILE)}
        self.folders: set[str] = set()
        self.keep_folders = folders
        self.renamed: dict[str, str] = {}

    def claim(self, name: str, suffixes: tuple[str, ...] = ("",), strip: str = "") -> str:
        """The relative path (POSIX, without suffix) for `name`: `path + suffix` is a new file for each of
        `suffixes` (brat writes a .txt and a .ann). `strip`: an ending taken off first, so that a document
        `a.txt` is written `a.txt`, not `a.txt.txt`."""
        natural = name[:-len(strip)] if strip and name.lower().endswith(strip.lower()) else name
        room = COUNTER_ROOM + max(len(suffix.encode("utf-8")) for suffix in suffixes)
        parts = self._parts(natural, room)
        folders = ["/".join(parts[:depth]) for depth in range(1, len(parts))]
        if any(_key(folder) in self.files for folder in folders):
            parts, folders = [safe_component("_".join(parts), room)], []  # a file already has that folder's name
        for attempt in count(1):
            stem = "/".join([*parts[:-1], parts[-1] if attempt == 1 else f"{parts[-1]}-{attempt}"])
            keys = {_key(stem + suffix) for suffix in suffixes}
            if not any(key in self.files or key in self.folders for key in keys):
                break
        self.files |= keys
        self.folders |= {_key(folder) for folder in folders}
        if stem != natural:
            self.renamed[stem + suffixes[0]] = name
        return stem

    def _parts(self, natural: str, room: int) -> list[str]:
        if not self.keep_folders:
            return [safe_component(natural, room)]
        raw = [part for part in re.split(r"[\\/]+", natural) if part not in ("", ".")] or ["document"]
        parts = [safe_component(part) for part in raw[:-1]] + [safe_component(raw[-1], room)]
        if len(parts) > MAX_FOLDERS + 1 or len("/".join(parts).encode("utf-8")) > MAX_RELATIVE_BYTES:
            parts = [safe_component("_".join(parts), room)]
        return parts

    def write_index(self, folder: ExportFolder) -> Path | None:
        """names.json in `folder` when any name had to change: {written file: original name}."""
        if not self.renamed:
            return None
        path = folder.path(INDEX_FILE)
        path.write_text(json.dumps(dict(sorted(self.renamed.items())), ensure_ascii=False, indent=1) + "\n",
                        encoding="utf-8")
        return path


def renamed_note(count: int) -> str:
    """The end of an export's summary that says how many names had to change ("" for none)."""
    if not count:
        return ""
    return ngettext("; {count} name(s) changed into safe file names, listed in {file}",
                    "; {count} name(s) changed into safe file names, listed in {file}", count).format(
        count=number(count), file=INDEX_FILE)


class OutsideFolder(OSError):
    """A write would have landed outside the export folder; nothing was written there."""


class ExportFolder:
    """The folder an export is being built in; `path(relative)` is where a file of it goes."""

    def __init__(self, root: str | os.PathLike) -> None:
        self.root = Path(root).resolve()
        self._checked: set[Path] = set()  # folders already made and found inside

    def path(self, relative: str) -> Path:
        """root / `relative`, its folders made; raises OutsideFolder if that would be anywhere but inside
        root (`..`, an absolute path, a symbolic link on the way)."""
        pure = PurePosixPath(relative)
        if pure.is_absolute() or not pure.parts or ".." in pure.parts or "\\" in relative:
            raise OutsideFolder(0, _("would be written outside the export folder"), f"{self.root}/{relative}")
        target = self.root.joinpath(*pure.parts)
        parent = target.parent
        if parent not in self._checked:
            self._inside(parent, target)  # before making folders, which a link could send elsewhere
            parent.mkdir(parents=True, exist_ok=True)
            self._inside(parent, target)
            self._checked.add(parent)
        if target.is_symlink():
            raise OutsideFolder(0, _("would be written outside the export folder"), str(target))
        return target

    def _inside(self, folder: Path, target: Path) -> None:
        if not folder.resolve().is_relative_to(self.root):
            raise OutsideFolder(0, _("would be written outside the export folder"), str(target))
