"""Importing documents (and their annotations) into a project.

Each input file is one unit: it is validated completely before anything is
written, so a bad file is reported and never half-imported. Good files are
written in batches, one transaction per batch; whatever a batch needs (its
analysts among them) is created inside that transaction, so a rolled-back
batch leaves nothing behind.
"""

from __future__ import annotations

import errno
import hashlib
from bisect import bisect_left
import json
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Callable, Iterable, Iterator

from sqlalchemy import String, insert, select, type_coerce, update
from sqlalchemy.exc import SQLAlchemyError

from app import searchindex
from app.i18n import _, ngettext, number
from app.models import Annotation, Annotator, Document, DocumentStatus
from app.project import STATUSES, Project, Span, new_uid, now_iso
from app.store import driver_of, stored_json, upsert
from app.stance_format import (DOC_STANCE_LAYER, STANCE_LAYER, STANCE_LAYERS, StanceFormatError, check_doc_stance,
                               check_stance, content_key, map_reference_offsets)
from app.textio import DecodeError, decode_document, normalise_newlines

TEXT_SUFFIXES = {".txt", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
IMPORTABLE_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES
# Documents per transaction: fewer commits (each an fsync) import faster; a cap on the characters
# held keeps a folder of big files from filling memory before it is written.
BATCH_SIZE = 1000
BATCH_CHARS = 16_000_000
LOOKUP_CHUNK = 500  # bound parameters per IN (...): stock SQLite builds allow 32,766
# Layers that carry character offsets; document-level layers have none.
UNANCHORED_LAYERS = {DOC_STANCE_LAYER}
# How deep "meta" and annotation "attrs" may nest: every export writes them back (json, msgpack for spaCy,
# whose packer stops at 512 levels), so what is stored must stay well inside what every writer takes.
MAX_NESTING = 100
# What a name (a document's, an analyst's, a label) may not hold: C0 controls (tab and line breaks too: a name
# is one line of a report, a file name, a table cell), DEL and C1 controls.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")
# A document name's control characters are replaced by this (and the import says so).
REPLACEMENT = "\ufffd"
# An import never moves a document's status backwards for an analyst.
STATUS_ORDER = {status: rank for rank, status in enumerate(STATUSES)}
# Lines a summary lists per kind of finding before "… and N more".
LISTED = 20


class ImportCancelled(Exception):
    pass


class BadInput(ValueError):
    """A whole input file is rejected; the message says why."""


@dataclass
class ParsedDocument:
    name: str
    path: str | None
    text: str
    meta: dict[str, Any]
    annotations: list[dict[str, Any]]
    sha256: str = ""
    # Where the document is in its input ("line 3", "task 7 (a.txt)", "news/a.ann"; "" for a whole .txt file),
    # and, when the format knows better than "annotation N", where each annotation is ("line 4: T2").
    where: str = ""
    places: list[str] = field(default_factory=list)
    # Each analyst's status on the document, as the input gives it (JSONL's "status").
    statuses: dict[str, str] = field(default_factory=dict)
    # False when the metadata describes the file rather than the text (a .txt file's encoding): then it is
    # not merged into a document already stored with the same text.
    merge_meta: bool = True
    renamed_from: str = ""  # the name as the input gave it, when check_documents had to replace characters
    text_storable: bool = field(default=True, init=False)  # set with the hash: the text encodes as UTF-8

    def __post_init__(self) -> None:
        # A parser may build a document whose text check_documents then refuses (a "\ud83d" escape): the hash
        # must not fail first. The text is encoded once: whether that worked strictly is the storable check.
        try:
            encoded, self.text_storable = self.text.encode("utf-8"), True
        except UnicodeEncodeError:
            encoded, self.text_storable = self.text.encode("utf-8", "surrogatepass"), False
        self.sha256 = hashlib.sha256(encoded).hexdigest()

    def within(self, index: int) -> str:
        """Where annotation `index` (from 1) is in the document."""
        if len(self.places) == len(self.annotations):
            return self.places[index - 1]
        return _("annotation {index}").format(index=number(index))

    def place(self, index: int) -> str:
        """Where annotation `index` (from 1) is in the input."""
        return _("{where}, {within}").format(where=self.where, within=self.within(index)) if self.where \
            else self.within(index)


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    annotations_added: int = 0
    skipped_annotations: int = 0  # their id is already used by an annotation of another document
    skipped_ids: list[str] = field(default_factory=list)  # one line for each of those: where, the id, which document
    already_present: int = 0  # the document has them already (same id, or same analyst, layer, label, place)
    conflicting_doc_stances: int = 0  # the annotator already has a document stance for that target
    # What an input in another tool's format carried that a project cannot hold (app.formats), one line each.
    unrepresented: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)  # documents whose name had control characters replaced
    meta_documents: int = 0  # documents already stored that received metadata keys
    meta_keys_added: int = 0
    meta_conflicts: list[str] = field(default_factory=list)  # keys whose stored value was kept, one line each
    statuses_set: int = 0  # statuses the input gave, stored
    statuses_kept: list[str] = field(default_factory=list)  # the input's status would have lowered the stored one
    marked_in_progress: int = 0  # (document, analyst) pairs moved from new to in progress by imported annotations

    @property
    def ok(self) -> bool:
        return not self.rejected

    def add(self, other: "ImportReport") -> None:
        """Count `other` (a batch, or another input) in this report."""
        for name in ("imported", "duplicates", "rejected", "unrepresented", "skipped_ids", "renamed",
                     "meta_conflicts", "statuses_kept"):
            getattr(self, name).extend(getattr(other, name))
        for name in ("annotations_added", "skipped_annotations", "already_present", "conflicting_doc_stances",
                     "meta_documents", "meta_keys_added", "statuses_set", "marked_in_progress"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary_lines(self) -> list[str]:
        annotations = _count(ngettext("{n} annotation(s)", "{n} annotation(s)", self.annotations_added),
                             self.annotations_added)
        lines = [
            _count(ngettext("imported {n} document(s), {annotations}", "imported {n} document(s), {annotations}",
                            len(self.imported)), len(self.imported), annotations=annotations),
            _count(ngettext("skipped {n} already in the project (same text)",
                            "skipped {n} already in the project (same text)", len(self.duplicates)),
                   len(self.duplicates)),
        ]
        if self.already_present:
            lines.append(_count(ngettext(
                "skipped {n} annotation(s) the project already had (same id, or the same analyst, layer, label and "
                "offsets)",
                "skipped {n} annotation(s) the project already had (same id, or the same analyst, layer, label and "
                "offsets)", self.already_present), self.already_present))
        if self.skipped_annotations:
            lines.append(_count(ngettext("skipped {n} annotation(s) whose id another document already uses:",
                                         "skipped {n} annotation(s) whose id another document already uses:",
                                         self.skipped_annotations), self.skipped_annotations))
            lines += _listed(self.skipped_ids, self.skipped_annotations)
        if self.conflicting_doc_stances:
            lines.append(_count(ngettext(
                "kept the stored document stance where {n} imported one(s) gave the same annotator and target "
                "another value",
                "kept the stored document stance where {n} imported one(s) gave the same annotator and target "
                "another value", self.conflicting_doc_stances), self.conflicting_doc_stances))
        if self.renamed:
            lines.append(_count(ngettext(
                "renamed {n} document(s) whose name held control characters (each replaced by U+FFFD {replacement}):",
                "renamed {n} document(s) whose name held control characters (each replaced by U+FFFD {replacement}):",
                len(self.renamed)), len(self.renamed), replacement=REPLACEMENT))
            lines += _listed(self.renamed)
        if self.meta_documents:
            keys = _count(ngettext("{n} metadata key(s)", "{n} metadata key(s)", self.meta_keys_added),
                          self.meta_keys_added)
            lines.append(_count(ngettext("added {keys} to {n} document(s) already in the project (same text)",
                                         "added {keys} to {n} document(s) already in the project (same text)",
                                         self.meta_documents), self.meta_documents, keys=keys))
        if self.meta_conflicts:
            lines.append(_count(ngettext("kept the stored value of {n} metadata key(s) the input gave another value:",
                                         "kept the stored value of {n} metadata key(s) the input gave another value:",
                                         len(self.meta_conflicts)), len(self.meta_conflicts)))
            lines += _listed(self.meta_conflicts)
        if self.statuses_set:
            lines.append(_count(ngettext("set {n} document status(es) the input gave",
                                         "set {n} document status(es) the input gave", self.statuses_set),
                                self.statuses_set))
        if self.statuses_kept:
            lines.append(_count(ngettext(
                "kept {n} stored status(es) further along than the input's (an import never moves a status back):",
                "kept {n} stored status(es) further along than the input's (an import never moves a status back):",
                len(self.statuses_kept)), len(self.statuses_kept)))
            lines += _listed(self.statuses_kept)
        if self.marked_in_progress:
            lines.append(_count(ngettext(
                "marked {n} document status(es) in progress: the analyst's annotations were imported and the "
                "document was new to them",
                "marked {n} document status(es) in progress: the analyst's annotations were imported and the "
                "document was new to them", self.marked_in_progress), self.marked_in_progress))
        if self.unrepresented:
            lines.append(_count(ngettext("could not represent {n} thing(s) the input carried:",
                                         "could not represent {n} thing(s) the input carried:",
                                         len(self.unrepresented)), len(self.unrepresented)))
            lines += [f"  {line}" for line in self.unrepresented]
        if self.rejected:
            lines.append(_count(ngettext("rejected {n} file(s):", "rejected {n} file(s):", len(self.rejected)),
                                len(self.rejected)))
            lines += ["  " + _("{name}: {reason}").format(name=name, reason=reason) for name, reason in self.rejected]
        return [printable(line) for line in lines]


def _count(message: str, count: int, **values) -> str:
    """A message chosen by ngettext for `count`, with `count` as its {n} (in the interface's digits)."""
    return message.format(n=number(count), **values)


def _listed(lines: list[str], total: int | None = None) -> list[str]:
    """The first LISTED lines, indented, then how many more there are."""
    more = (len(lines) if total is None else total) - min(len(lines), LISTED)
    return [f"  {line}" for line in lines[:LISTED]] + (
        ["  " + _count(ngettext("… and {n} more", "… and {n} more", more), more)] if more > 0 else [])


_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(text: str) -> str:
    """`text` safe to print or show: control characters and unpaired surrogates (from a file name that is not
    UTF-8) written as escapes, so a report line stays one line and a terminal cannot choke on it."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda match: f"\\x{ord(match.group()):02x}" if ord(match.group()) < 0x100
                            else f"\\u{ord(match.group()):04x}", text)


# ---- finding input files ---------------------------------------------------
def expand_inputs(paths: Iterable[str | os.PathLike]) -> Iterator[tuple[Path, str, str | None]]:
    """Yield (file, display name, problem) for each input file; folders are walked recursively in sorted
    order. `problem` is None for a file to read, else why the entry cannot be (it is reported, and the walk
    goes on)."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from _walk(str(path), "")
        else:
            yield path, path.name, None


def _walk(folder: str, relative: str) -> Iterator[tuple[Path, str, str | None]]:
    """Importable files under `folder`, depth first, each folder's entries sorted by name (the order
    sorted() gives their paths); hidden files and folders and symlinked folders are skipped, a symlinked
    file is read when it leads to a regular file. An entry that cannot be listed or read is yielded with the
    reason, never raised: one bad entry must not stop the others importing.

    os.scandir rather than Path.rglob: sorting and relativising Path objects cost more than reading
    a 4 KB file."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        yield Path(folder), relative or folder, _("the folder cannot be read ({error})").format(
            error=error.strerror or error)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(entry.path, f"{relative}{entry.name}/")
                continue
            if os.path.splitext(entry.name)[1].lower() not in IMPORTABLE_SUFFIXES:
                continue
            problem = entry_problem(entry)
        except OSError as error:
            problem = cannot_be_read(error)
        if problem != SKIP:
            yield Path(entry.path), relative + entry.name, problem


SKIP = "skip"  # a symlinked folder: never walked (no loops, no copies), and nothing to report


def cannot_be_read(error: OSError) -> str:
    """What is wrong with an input that could not be opened or read, after its name."""
    return _("cannot be read ({error})").format(error=error.strerror or error)


def entry_problem(entry: os.DirEntry) -> str | None:
    """None for a regular file (or a symlink to one), SKIP for a symlinked folder, else what is wrong."""
    if not entry.is_symlink():
        if entry.is_file(follow_symlinks=False):
            return None
        return not_a_regular_file(entry.stat(follow_symlinks=False))
    try:
        target = os.stat(entry.path)
    except FileNotFoundError:
        return _("is a symbolic link to nothing (its target does not exist)")
    except OSError as error:
        if error.errno == errno.ELOOP:
            return _("is a symbolic link in a loop (it leads back to itself)")
        raise
    if stat.S_ISDIR(target.st_mode):
        return SKIP
    if stat.S_ISREG(target.st_mode):
        return None
    mode = target.st_mode
    # One whole message per kind of file, so that a translation can agree with it.
    for test, message in ((stat.S_ISFIFO, _("is a symbolic link to a named pipe (FIFO), not to a regular file")),
                          (stat.S_ISSOCK, _("is a symbolic link to a socket, not to a regular file")),
                          (stat.S_ISCHR, _("is a symbolic link to a character device, not to a regular file")),
                          (stat.S_ISBLK, _("is a symbolic link to a block device, not to a regular file"))):
        if test(mode):
            return message
    return _("is a symbolic link to a special file, not to a regular file")


def not_a_regular_file(status: os.stat_result) -> str:
    """Why an entry that is not a regular file (nor a symbolic link to one) is not read."""
    mode = status.st_mode
    for test, message in ((stat.S_ISFIFO, _("is a named pipe (FIFO), not a regular file")),
                          (stat.S_ISSOCK, _("is a socket, not a regular file")),
                          (stat.S_ISCHR, _("is a character device, not a regular file")),
                          (stat.S_ISBLK, _("is a block device, not a regular file")),
                          (stat.S_ISDIR, _("is a folder, not a regular file"))):
        if test(mode):
            return message
    return _("is a special file, not a regular file")


def open_regular_file(path: str | os.PathLike) -> BinaryIO:
    """A regular file opened for reading (a symlink is followed); BadInput for anything else: a named pipe
    would block the import for ever and a device (/dev/zero) never ends. Opened without waiting for a writer
    and checked on the open handle, so a file swapped for a pipe after the folder was listed is caught too."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as error:
        raise BadInput(cannot_be_read(error)) from None
    handle = os.fdopen(descriptor, "rb")
    status = os.fstat(descriptor)
    if not stat.S_ISREG(status.st_mode):
        handle.close()
        raise BadInput(not_a_regular_file(status))
    return handle


def read_regular_file(path: str | os.PathLike) -> bytes:
    """The bytes of a regular file; BadInput naming the problem otherwise (see open_regular_file)."""
    with open_regular_file(path) as handle:
        try:
            return handle.read()
        except OSError as error:
            raise BadInput(cannot_be_read(error)) from None


# ---- parsing one file --------------------------------------------------------
def parse_file(path: Path, name: str, default_annotator: str) -> list[ParsedDocument]:
    """Read and validate one input file; raises BadInput with the reason."""
    data = read_regular_file(path)
    try:
        name.encode("utf-8")
    except UnicodeEncodeError as error:  # os.fsdecode turned a byte that is not UTF-8 into a lone surrogate
        raise BadInput(_("its name is not UTF-8 (the byte 0x{byte} at character {position}): rename the file").format(
            byte=f"{ord(name[error.start]) & 0xff:02x}", position=number(error.start))) from None
    if path.suffix.lower() in JSONL_SUFFIXES:
        return parse_jsonl(_decode_json_lines(data), name, str(path), default_annotator)
    try:
        text, encoding = decode_document(data)
    except DecodeError as error:
        raise BadInput(str(error)) from None
    meta = {} if encoding in ("utf-8", "utf-8-sig") else {"encoding": encoding}
    documents = [ParsedDocument(name, str(path), normalise_newlines(text), meta, [], merge_meta=False)]
    check_documents(documents)
    return documents


def _decode_json_lines(data: bytes) -> str:
    """JSON text is UTF-8 by definition: no guessing (a U+0085 in a text is not a hint of cp1256)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(_("is not UTF-8 (byte {position}); JSONL files must be UTF-8").format(
            position=number(error.start))) from None


def parse_jsonl(text: str, name: str, path: str | None, default_annotator: str) -> list[ParsedDocument]:
    documents = []
    # Only \n ends a record: U+2028, U+2029 and U+0085 may stand unescaped inside JSON strings.
    for row, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            document = _parse_jsonl_record(line, f"{name}:{row}", path, default_annotator)
        except BadInput as error:
            raise BadInput(on_line(row, error)) from None
        except (RecursionError, MemoryError):
            raise BadInput(on_line(row, _("the JSON is nested too deeply to read"))) from None
        document.where = line_number(row)
        documents.append(document)
    if not documents:
        raise BadInput(_("the file is empty"))
    check_documents(documents)
    return documents


def line_number(line: int) -> str:
    """Where something is in a file read line by line: "line 3"."""
    return _("line {number}").format(number=number(line))


def on_line(line: int, problem) -> str:
    """`problem` (a message) said of line `line` of a file: "line 3: …"."""
    return _("line {number}: {problem}").format(number=number(line), problem=problem)


def json_object(line: str) -> dict[str, Any]:
    """One JSONL record, which must be a JSON object."""
    try:
        record = json.loads(line)
    except ValueError as error:
        raise BadInput(_("not valid JSON ({error})").format(error=error)) from None
    if not isinstance(record, dict):
        raise BadInput(_("each line must be a JSON object"))
    return record


def _parse_jsonl_record(line: str, fallback_name: str, path: str | None, default_annotator: str) -> ParsedDocument:
    """The record's shape; what its values may hold is check_documents' job."""
    record = json_object(line)
    raw_text = record.get("text")
    if not isinstance(raw_text, str) or not raw_text.strip():
        raise BadInput(_('"text" is missing or empty'))
    name = record.get("name", fallback_name)
    meta = record.get("meta", {})
    if not isinstance(name, str) or not isinstance(meta, dict):
        raise BadInput(_('"name" must be a string and "meta" an object'))
    statuses = record.get("status", {})
    if not isinstance(statuses, dict):
        raise BadInput(_('"status" must be an object: {"analyst": "new" | "in_progress" | "done", …}'))
    text, shift = _normalise_with_offset_map(raw_text)
    retext = normalise_newlines if "\r" in raw_text else (lambda quoted: quoted)
    annotations = [shift_offsets(a, shift, retext) for a in _annotations_of(record, default_annotator)]
    return ParsedDocument(name, path, text, meta, annotations, statuses=statuses)


def _annotations_of(record: dict, default_annotator: str) -> list[dict[str, Any]]:
    """Our own list of objects, or doccano's [[start, end, LABEL], ...] form."""
    found: list[dict[str, Any]] = []
    listed = record.get("annotations", [])
    if not isinstance(listed, list):
        raise BadInput(_('"annotations" must be a list'))
    for item in listed:
        if not isinstance(item, dict):
            raise BadInput(_('each entry of "annotations" must be an object'))
        found.append({"annotator": default_annotator, "layer": "entity", "attrs": {}, **item})
    doccano = record.get("label", [])
    if not isinstance(doccano, list):
        raise BadInput(_('"label" must be a list of [start, end, LABEL]'))
    for item in doccano:
        if not (isinstance(item, list) and len(item) == 3):
            raise BadInput(_('"label" entry {entry} is not [start, end, LABEL]').format(entry=repr(item)))
        found.append({"annotator": default_annotator, "layer": "entity", "attrs": {},
                      "start": item[0], "end": item[1], "label": item[2]})
    return found


# ---- what may be stored ---------------------------------------------------------
# Whatever an import stores, every export must be able to write back: UTF-8 (so no unpaired surrogate, which
# a "\ud83d" escape in JSON gives), names that are one line and hold no control character (they become file
# names, table cells and report lines), JSON nested within what every writer takes.
def _check_storable(value: str, what: str) -> None:
    """Lone surrogates (from "\\ud83d" escapes) cannot be stored as UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        raise BadInput(_("{what} contains an unpaired surrogate escape ({escape} at character {position}), which is "
                         "not a character").format(what=what, escape=f"\\u{ord(value[error.start]):04x}",
                                                   position=number(error.start))) from None


def _check_name(value: str, what: str) -> None:
    """An analyst's name or a label: storable, and without control characters (refused, not replaced: a
    name others match on must not change)."""
    _check_storable(value, what)
    found = CONTROL_CHARACTERS.search(value)
    if found:
        raise BadInput(_("{what} {name} holds the control character {character} at character {position}, which a "
                         "name cannot").format(what=what, name=repr(printable(value)),
                                               character=f"U+{ord(found.group()):04X}", position=number(found.start())))


def _check_json(value: Any, what: str) -> None:
    """Every string of a JSON value (object keys included) storable, nesting at most MAX_NESTING deep.
    Walked with a stack, not recursion: the input decides the depth."""
    pending = [(value, what, 0)]
    while pending:
        item, where, depth = pending.pop()
        if isinstance(item, str):
            _check_storable(item, where)
        elif isinstance(item, (dict, list)):
            if depth >= MAX_NESTING:
                raise BadInput(ngettext("{where} is nested more than {n} levels deep",
                                        "{where} is nested more than {n} levels deep", MAX_NESTING).format(
                    where=where, n=number(MAX_NESTING)))
            if isinstance(item, dict):
                for key, child in item.items():
                    _check_storable(key, _("a key of {where}").format(where=where))
                    pending.append((child, f"{where}.{key}", depth + 1))
            else:
                pending += [(child, f"{where}[{index}]", depth + 1) for index, child in enumerate(item)]


def _check_statuses(statuses: dict, what: str = '"status"') -> None:
    for analyst, status in statuses.items():
        _check_name(analyst, _("{what}: the analyst").format(what=what))
        if not analyst.strip():
            raise BadInput(_("{what}: an analyst's name must not be empty").format(what=what))
        if not isinstance(status, str) or status not in STATUSES:
            raise BadInput(_("{what}: the status of {analyst} must be one of {statuses}, not {value}").format(
                what=what, analyst=repr(analyst), statuses=", ".join(STATUSES),
                value=json.dumps(status, ensure_ascii=False)[:60]))


def check_documents(documents: list[ParsedDocument]) -> None:
    """Everything an import checks before it writes, for the documents of one input in any format (the JSONL
    import and every parser of app.formats): texts, names, metadata, statuses and annotations storable and
    well formed, and no annotation id given to two annotations. A document name's control characters are
    replaced by REPLACEMENT (its `renamed_from` keeps the original); anything else wrong raises BadInput
    naming where."""
    if not documents:
        raise BadInput(_("the file has no documents"))
    given: dict[str, tuple[ParsedDocument, int]] = {}  # annotation id → where it is first given
    for document in documents:
        try:
            _check_document(document)
        except BadInput as error:
            raise BadInput(_("{where}: {problem}").format(where=document.where, problem=error) if document.where
                           else str(error)) from None
        for index, annotation in enumerate(document.annotations, start=1):
            uid = annotation.get("id")
            if uid is None:
                continue
            if uid not in given:
                given[uid] = (document, index)
                continue
            first, first_index = given[uid]
            # The same annotation of the same text given again (a document repeated in the input) is no
            # conflict: the import counts it as already there.
            if _what_it_names(first, first.annotations[first_index - 1]) != _what_it_names(document, annotation):
                raise BadInput(_("{where}: the id {id} is given already to {first}, another annotation (an id names "
                                 "one annotation)").format(where=document.place(index), id=repr(uid),
                                                           first=first.place(first_index)))


def _what_it_names(document: ParsedDocument, annotation: dict) -> tuple:
    return document.sha256, *_identity({**annotation, "id": None}), _json_text(annotation["attrs"])


def _check_document(document: ParsedDocument) -> None:
    if not document.text_storable:
        _check_storable(document.text, _("the text"))  # raises, naming the character
    if not document.text.strip():
        raise BadInput(_("the text is empty"))
    _check_storable(document.name, _("the name"))
    if CONTROL_CHARACTERS.search(document.name):
        document.renamed_from = document.name
        document.name = CONTROL_CHARACTERS.sub(REPLACEMENT, document.name)
    if not isinstance(document.meta, dict):
        raise BadInput(_('"meta" must be an object'))
    _check_json(document.meta, "meta")
    _check_statuses(document.statuses)
    for index, annotation in enumerate(document.annotations, start=1):
        _check_annotation(annotation, document.text, document.within(index))
    _check_one_doc_stance_per_target(document)


def _check_annotation(annotation: dict, text: str, where: str) -> None:
    for key in ("annotator", "layer", "label"):
        if not isinstance(annotation.get(key), str) or not annotation[key]:
            raise BadInput(_('{where}: "{key}" must be a non-empty string').format(where=where, key=key))
    if not isinstance(annotation.get("provenance", "imported"), str):
        raise BadInput(_('{where}: "provenance" must be a string').format(where=where))
    if not isinstance(annotation.get("attrs"), dict):
        raise BadInput(_('{where}: "attrs" must be an object').format(where=where))
    if "id" in annotation and not (isinstance(annotation["id"], str) and 0 < len(annotation["id"]) <= 36):
        raise BadInput(ngettext('{where}: "id" must be a string of at most {n} characters',
                                '{where}: "id" must be a string of at most {n} characters', 36).format(
            where=where, n=number(36)))
    _check_annotation_strings(annotation, where)
    start, end = annotation.get("start"), annotation.get("end")
    try:
        if annotation["layer"] == DOC_STANCE_LAYER:
            check_doc_stance(annotation["label"], start, end, annotation["attrs"])
        if not (annotation["layer"] in UNANCHORED_LAYERS and start is None and end is None):
            _check_offsets(start, end, len(text), where)
        if annotation["layer"] == STANCE_LAYER:
            check_stance(annotation["label"], annotation["attrs"], text)
    except StanceFormatError as error:
        raise BadInput(_("{where}: {problem}").format(where=where, problem=error)) from None


def _check_annotation_strings(annotation: dict, where: str) -> None:
    """Names without control characters, every string storable. One pass over the names joined, as an import
    may check a million annotations; which one is at fault is worked out only when one is."""
    names = annotation["annotator"] + annotation["layer"] + annotation["label"]
    others = annotation.get("provenance", "") + annotation.get("id", "")
    if CONTROL_CHARACTERS.search(names) or not (names + others).isascii():
        for key in ("annotator", "layer", "label"):
            _check_name(annotation[key], f'{where}: "{key}"')
        for key in ("provenance", "id"):
            _check_storable(annotation.get(key, ""), f'{where}: "{key}"')
    if annotation["attrs"]:
        _check_json(annotation["attrs"], f"{where}: attrs")


def _check_offsets(start, end, length: int, where: str) -> None:
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise BadInput(_('{where}: "start" and "end" must be integers').format(where=where))
    if not 0 <= start < end <= length:
        raise BadInput(outside_the_text(where, start, end, length))


def outside_the_text(where: str, start: int, end: int, length: int) -> str:
    return _("{where}: offsets {start}–{end} fall outside the text (length {length})").format(
        where=where, start=number(start), end=number(end), length=number(length))


def _check_one_doc_stance_per_target(document: ParsedDocument) -> None:
    """At most one document stance per (document, annotator, target)."""
    first: dict[tuple[str, str], str] = {}
    for index, annotation in enumerate(document.annotations, start=1):
        if annotation["layer"] != DOC_STANCE_LAYER:
            continue
        key = (annotation["annotator"], annotation["attrs"]["target"])
        where = document.within(index)
        if key in first:
            raise BadInput(_("{where}: a second doc_stance by {analyst} for the target {target} (the first is "
                             "{first})").format(where=where, analyst=key[0], target=repr(key[1]), first=first[key]))
        first[key] = where


def _normalise_with_offset_map(text: str) -> tuple[str, Callable[[int], int]]:
    """Normalise line endings and return how old offsets move (CRLF loses its CR)."""
    if "\r" not in text:
        return text, lambda offset: offset
    removed = [i for i in range(len(text) - 1) if text[i] == "\r" and text[i + 1] == "\n"]

    def shift(offset: int) -> int:
        return offset - bisect_left(removed, offset)

    return normalise_newlines(text), shift


def shift_offsets(annotation: dict, shift: Callable[[int], int],
                  retext: Callable[[str], str] = lambda quoted: quoted) -> dict:
    """Offsets moved as the text's line endings were normalised; so are a stance's holder and target
    (their quoted text normalised by `retext`, as the document's was)."""
    moved = dict(annotation)
    for key in ("start", "end"):
        if isinstance(moved.get(key), int) and not isinstance(moved.get(key), bool):
            moved[key] = shift(moved[key])
    if moved.get("layer") == STANCE_LAYER and isinstance(moved.get("attrs"), dict):
        moved["attrs"] = map_reference_offsets(moved["attrs"], shift, retext)
    return moved


# ---- writing -----------------------------------------------------------------
class Importer:
    """Imports files into a project, reporting progress and honouring cancel."""

    def __init__(self, project: Project, annotator: str,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None):
        self.project = project
        self.annotator = annotator
        self.progress = progress or (lambda done, total: None)
        self.cancelled = cancelled or (lambda: False)
        self.report = ImportReport()
        self._known = project.known_hashes()
        self._pending: list[tuple[str, list[ParsedDocument]]] = []
        self._pending_documents = 0
        self._pending_chars = 0

    def run(self, paths: Iterable[str | os.PathLike]) -> ImportReport:
        paths = list(paths)
        files = list(expand_inputs(paths))
        if not files:
            self.report.rejected.append((", ".join(map(str, paths)) or _("(nothing)"),
                                         _("no .txt or .jsonl files found")))
        for done, (path, name, problem) in enumerate(files, start=1):
            if self.cancelled():
                self._flush()
                raise ImportCancelled(self.report)
            if problem is None:
                self._take(path, name)
            else:
                self.report.rejected.append((str(path), problem))
            if self._pending_documents >= BATCH_SIZE or self._pending_chars >= BATCH_CHARS:
                self._flush()
            self.progress(done, len(files))
        self._flush()
        return self.report

    def run_parsed(self, name: str, documents: list[ParsedDocument], unrepresented: list[str]) -> ImportReport:
        """Write documents another format's parser read and checked (app.formats): one transaction."""
        self._pending.append((name, documents))
        self._flush()
        if self.report.ok:
            self.report.unrepresented += unrepresented
        return self.report

    def _take(self, path: Path, name: str) -> None:
        try:
            documents = parse_file(path, name, self.annotator)
        except BadInput as error:
            self.report.rejected.append((str(path), str(error)))
            return
        self._pending.append((name, documents))
        self._pending_documents += len(documents)
        self._pending_chars += sum(len(document.text) for document in documents)

    def _flush(self) -> None:
        if not self._pending:
            return
        try:
            self._write_batch(self._pending)
        except SQLAlchemyError:
            # Unexpected refusal by the database: write file by file so only the culprit is rejected.
            for unit in self._pending:
                try:
                    self._write_batch([unit])
                except SQLAlchemyError as error:
                    self.report.rejected.append((unit[0], _("could not be stored: {error}").format(
                        error=error.orig or error)))
        self._pending.clear()
        self._pending_documents = 0
        self._pending_chars = 0

    def _write_batch(self, units: list[tuple[str, list[ParsedDocument]]]) -> None:
        """One transaction, analysts included: a batch that fails leaves nothing behind. The report and the
        known hashes change only once it has committed."""
        outcome = ImportReport()
        known = dict(self._known)
        with self.project.session.begin(serial=True) as session:
            analysts = _analyst_ids(session, units)
            fresh = _insert_new_documents(session, units, known, outcome)
            self._insert_annotations(session, units, fresh, known, analysts, outcome)
            _store_statuses(session, units, known, analysts, outcome)
        self._known = known
        self.report.add(outcome)

    def _insert_annotations(self, session, units: list[tuple[str, list[ParsedDocument]]], fresh: set[str],
                            known: dict[str, int], analysts: dict[str, int], outcome: ImportReport) -> None:
        """Every annotation of the batch is added or counted: already present, a second document stance for a
        target, or an id another document has (listed with where it came from)."""
        seen: dict[str, set] = {}  # identities already stored, per document
        given: dict[str, str] = {}  # id → the name of the document this batch gives it to
        candidates: list[tuple[dict, str]] = []  # (row, where it came from)
        for unit, documents in units:
            for document in documents:
                if not document.annotations:
                    continue
                document_id = known[document.sha256]
                if document.sha256 not in seen:
                    seen[document.sha256] = (set() if document.sha256 in fresh
                                             else _present_annotations(session, document_id))
                present = seen[document.sha256]
                for index, annotation in enumerate(document.annotations, start=1):
                    if _identity(annotation) in present:
                        outcome.already_present += 1
                        continue
                    content = _identity({**annotation, "id": None})
                    if annotation["layer"] == DOC_STANCE_LAYER and content in present:
                        # At most one document stance per (annotator, target): the stored one stays.
                        outcome.conflicting_doc_stances += 1
                        continue
                    row = self._annotation_row(document_id, annotation, analysts)
                    place = f"{unit} {document.place(index)}"
                    if row["uid"] in given:  # another input of this batch gave it to another document
                        outcome.skipped_annotations += 1
                        outcome.skipped_ids.append(_id_taken(place, row["uid"], given[row["uid"]]))
                        continue
                    given[row["uid"]] = document.name
                    present.update({("id", row["uid"]), content})
                    candidates.append((row, place))
        rows = _drop_ids_used_elsewhere(session, candidates, outcome)
        if rows:
            session.execute(insert(Annotation), rows)
            outcome.annotations_added += len(rows)

    def _annotation_row(self, document_id: int, annotation: dict, analysts: dict[str, int]) -> dict:
        stamp = now_iso()
        span = Span(
            document_id=document_id, annotator=annotation["annotator"], layer=annotation["layer"],
            label=annotation["label"], start=annotation.get("start"), end=annotation.get("end"),
            attrs=annotation["attrs"], provenance=annotation.get("provenance", "imported"),
            uid=annotation.get("id") or new_uid(), created_at=stamp, updated_at=stamp,
        )
        return self.project._row_for(span, analysts[span.annotator])


def _analyst_ids(session, units: list[tuple[str, list[ParsedDocument]]]) -> dict[str, int]:
    """The id of every analyst the batch names (annotations and statuses), created in the batch's own
    transaction: if the batch is rolled back, so are they."""
    names = {annotation["annotator"] for _, documents in units for document in documents
             for annotation in document.annotations}
    names |= {name for _, documents in units for document in documents for name in document.statuses}
    return {name: Project._ensure_annotator(session, name) for name in sorted(names)}


def _insert_new_documents(session, units: list[tuple[str, list[ParsedDocument]]], known: dict[str, int],
                          outcome: ImportReport) -> set[str]:
    """One executemany for the batch; returns the hashes that were new. A text already there (stored, or
    earlier in the batch) is not added again, but its metadata is merged into the stored document's."""
    fresh: dict[str, ParsedDocument] = {}
    metas: dict[str, dict] = {}  # the metadata to insert, per new hash (a copy: merging must not change the input)
    repeats: list[tuple[str, ParsedDocument]] = []  # (input, document) of texts stored before this batch
    enriched: set[str] = set()  # new hashes whose metadata a repeat of the text added to
    for unit, documents in units:
        for document in documents:
            if document.sha256 in known:
                outcome.duplicates.append(document.name)
                if document.merge_meta and document.meta:
                    repeats.append((unit, document))
            elif document.sha256 in fresh:
                outcome.duplicates.append(document.name)
                if document.merge_meta and _merge_meta(metas[document.sha256], document.meta,
                                                       f"{unit} {document.where}".strip(),
                                                       fresh[document.sha256].name, outcome):
                    enriched.add(document.sha256)
            else:
                fresh[document.sha256] = document
                metas[document.sha256] = dict(document.meta)
                outcome.imported.append(document.name)
                if document.renamed_from:
                    outcome.renamed.append(f"{unit} {document.where}".strip()
                                           + f": {printable(document.renamed_from)!r} → {document.name!r}")
    outcome.meta_documents += len(enriched)
    _merge_into_stored(session, repeats, known, outcome)
    if fresh:
        stamp = now_iso()
        session.execute(insert(Document), [
            {"name": d.name, "path": d.path, "text": d.text, "sha256": sha, "meta": metas[sha], "imported_at": stamp}
            for sha, d in fresh.items()
        ])
        hashes = list(fresh)
        for chunk in range(0, len(hashes), LOOKUP_CHUNK):
            found = session.execute(select(Document.sha256, Document.id)
                                    .where(Document.sha256.in_(hashes[chunk:chunk + LOOKUP_CHUNK])))
            known.update({sha: doc_id for sha, doc_id in found})
        # In the same transaction: a document is searchable the moment it is imported.
        searchindex.add_documents(driver_of(session),
                                  [(known[sha], document.text) for sha, document in fresh.items()])
    return set(fresh)


def _merge_into_stored(session, repeats: list[tuple[str, ParsedDocument]], known: dict[str, int],
                       outcome: ImportReport) -> None:
    """Metadata keys the stored documents lack, added in this transaction; a key the input gives another
    value keeps the stored one and is reported."""
    if not repeats:
        return
    ids = sorted({known[document.sha256] for _, document in repeats})
    stored: dict[int, tuple[str, dict]] = {}
    for chunk in range(0, len(ids), LOOKUP_CHUNK):
        rows = session.execute(select(Document.id, Document.name, Document.meta)
                               .where(Document.id.in_(ids[chunk:chunk + LOOKUP_CHUNK])))
        stored.update({doc_id: (name, dict(meta or {})) for doc_id, name, meta in rows})
    changed: set[int] = set()
    for unit, document in repeats:
        doc_id = known[document.sha256]
        name, meta = stored[doc_id]
        if _merge_meta(meta, document.meta, f"{unit} {document.where}".strip(), name, outcome):
            changed.add(doc_id)
    if changed:
        session.execute(update(Document), [{"id": doc_id, "meta": stored[doc_id][1]} for doc_id in sorted(changed)])
        outcome.meta_documents += len(changed)


def _merge_meta(meta: dict, incoming: dict, where: str, name: str, outcome: ImportReport) -> bool:
    """Add to `meta` the keys of `incoming` it lacks; report keys whose values differ. Whether any was added."""
    added = 0
    for key, value in incoming.items():
        if key not in meta:
            meta[key] = value
            added += 1
        elif _json_text(meta[key]) != _json_text(value):
            outcome.meta_conflicts.append(_("{where}: the key {key} of document {document} (kept {kept}, not "
                                            "{given})").format(where=where, key=repr(key), document=repr(name),
                                                               kept=_json_text(meta[key])[:40],
                                                               given=_json_text(value)[:40]))
    outcome.meta_keys_added += added
    return added > 0


def _json_text(value: Any) -> str:
    """How two JSON values are compared: as JSON (true and 1 differ, as do 1 and 1.0)."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _store_statuses(session, units: list[tuple[str, list[ParsedDocument]]], known: dict[str, int],
                    analysts: dict[str, int], outcome: ImportReport) -> None:
    """The statuses the input gives (never moving one back), then in progress for each analyst whose
    annotations a document received and who had no status on it, as annotating in the window does."""
    given: dict[tuple[int, int], tuple[str, str]] = {}  # (document, analyst) → (status, where)
    worked: set[tuple[int, int]] = set()
    for unit, documents in units:
        for document in documents:
            doc_id = known[document.sha256]
            for name, status in document.statuses.items():
                key = (doc_id, analysts[name])
                if key not in given or STATUS_ORDER[status] > STATUS_ORDER[given[key][0]]:
                    given[key] = (status, f"{unit} {document.where}".strip() + f": {name}")
            worked |= {(doc_id, analysts[annotation["annotator"]]) for annotation in document.annotations}
    if not given and not worked:
        return
    stored = _stored_statuses(session, sorted({doc_id for doc_id, _ in given.keys() | worked}))
    stamp = now_iso()
    rows = []
    for key, (status, where) in given.items():
        before = stored.get(key)
        if before is None or STATUS_ORDER[status] > STATUS_ORDER[before]:
            rows.append({"document_id": key[0], "annotator_id": key[1], "status": status, "updated_at": stamp})
            stored[key] = status
        elif STATUS_ORDER[status] < STATUS_ORDER[before]:
            outcome.statuses_kept.append(_("{where} is {stored}, the input says {given}").format(
                where=where, stored=before, given=status))
    outcome.statuses_set += len(rows)
    marked = [{"document_id": doc_id, "annotator_id": analyst, "status": "in_progress", "updated_at": stamp}
              for doc_id, analyst in sorted(worked) if (doc_id, analyst) not in stored]
    outcome.marked_in_progress += len(marked)
    if rows or marked:
        session.execute(upsert(session, DocumentStatus, ["document_id", "annotator_id"], ["status", "updated_at"]),
                        rows + marked)


def _stored_statuses(session, document_ids: list[int]) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    for chunk in range(0, len(document_ids), LOOKUP_CHUNK):
        rows = session.execute(select(DocumentStatus.document_id, DocumentStatus.annotator_id, DocumentStatus.status)
                               .where(DocumentStatus.document_id.in_(document_ids[chunk:chunk + LOOKUP_CHUNK])))
        found.update({(doc_id, analyst): status for doc_id, analyst, status in rows})
    return found


def _drop_ids_used_elsewhere(session, candidates: list[tuple[dict, str]], outcome: ImportReport) -> list[dict]:
    """An id already stored for another document is a conflict: the annotation is skipped, counted and listed
    with where it came from and which document has the id."""
    uids = [row["uid"] for row, _ in candidates]
    taken: dict[str, str] = {}
    for chunk in range(0, len(uids), LOOKUP_CHUNK):
        taken.update(session.execute(
            select(Annotation.uid, Document.name).join(Document, Document.id == Annotation.document_id)
            .where(Annotation.uid.in_(uids[chunk:chunk + LOOKUP_CHUNK]))).all())
    kept = []
    for row, place in candidates:
        if row["uid"] in taken:
            outcome.skipped_annotations += 1
            outcome.skipped_ids.append(_id_taken(place, row["uid"], taken[row["uid"]]))
        else:
            kept.append(row)
    return kept


def _id_taken(place: str, uid: str, document: str) -> str:
    return _("{where} (id {id}): document {document} has it").format(where=place, id=repr(uid),
                                                                       document=repr(document))


def _identity(annotation: dict) -> tuple:
    """How a re-imported annotation is recognised: by its id, else by what it says
    (for stances that includes holder and target; see stance_format.content_key)."""
    if annotation.get("id"):
        return ("id", annotation["id"])
    return ("content", annotation["annotator"], *content_key(
        annotation["layer"], annotation["label"], annotation.get("start"), annotation.get("end"),
        annotation.get("attrs") or {}))


def _present_annotations(session, document_id: int) -> set:
    rows = session.execute(
        select(Annotation.uid, Annotator.name, Annotation.layer, Annotation.label, Annotation.start, Annotation.end,
               type_coerce(Annotation.attrs, String))
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .where(Annotation.document_id == document_id)
    )
    present: set = set()
    for uid, annotator, layer, label, start, end, raw_attrs in rows:
        # Only stances are told apart by their attributes: skip the JSON parser for the rest.
        attrs = stored_json(raw_attrs) if layer in STANCE_LAYERS and raw_attrs else {}
        present.add(("id", uid))
        present.add(("content", annotator, *content_key(layer, label, start, end, attrs)))
    return present


def import_paths(project: Project, paths: Iterable[str | os.PathLike], annotator: str, **callbacks) -> ImportReport:
    return Importer(project, annotator, **callbacks).run(paths)
