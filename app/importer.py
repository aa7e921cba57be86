"""Importing documents (and their annotations) into a project.

Each input file is one unit: it is validated completely before anything is
written, so a bad file is reported and never half-imported. Good files are
written in batches, one transaction per batch.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_left
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from sqlalchemy import String, insert, select, type_coerce
from sqlalchemy.exc import SQLAlchemyError

from app import searchindex
from app.models import Annotation, Annotator, Document
from app.project import Project, Span, new_uid, now_iso
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

    def __post_init__(self) -> None:
        self.sha256 = hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class ImportReport:
    imported: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    annotations_added: int = 0
    skipped_annotations: int = 0  # their id is already used by an annotation of another document
    conflicting_doc_stances: int = 0  # the annotator already has a document stance for that target
    # What an input in another tool's format carried that a project cannot hold (app.formats), one line each.
    unrepresented: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.rejected

    def add(self, other: "ImportReport") -> None:
        """Count `other` (a batch, or another input) in this report."""
        for name in ("imported", "duplicates", "rejected", "unrepresented"):
            getattr(self, name).extend(getattr(other, name))
        for name in ("annotations_added", "skipped_annotations", "conflicting_doc_stances"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def summary_lines(self) -> list[str]:
        lines = [
            f"imported {len(self.imported)} document(s), {self.annotations_added} annotation(s)",
            f"skipped {len(self.duplicates)} already in the project (same text)",
        ]
        if self.skipped_annotations:
            lines.append(f"skipped {self.skipped_annotations} annotation(s) whose id another document already uses")
        if self.conflicting_doc_stances:
            lines.append(f"kept the stored document stance where {self.conflicting_doc_stances} imported one(s) "
                         "gave the same annotator and target another value")
        if self.unrepresented:
            lines.append(f"could not represent {len(self.unrepresented)} thing(s) the input carried:")
            lines += [f"  {line}" for line in self.unrepresented]
        if self.rejected:
            lines.append(f"rejected {len(self.rejected)} file(s):")
            lines += [f"  {name}: {reason}" for name, reason in self.rejected]
        return lines


# ---- finding input files ---------------------------------------------------
def expand_inputs(paths: Iterable[str | os.PathLike]) -> Iterator[tuple[Path, str]]:
    """Yield (file, display name); folders are walked recursively in sorted order."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child, name in _walk(str(path), ""):
                yield Path(child), name
        else:
            yield path, path.name


def _walk(folder: str, relative: str) -> Iterator[tuple[str, str]]:
    """Importable files under `folder`, depth first, each folder's entries sorted by name (the order
    sorted() gives their paths); hidden files and folders and symlinked folders are skipped.

    os.scandir rather than Path.rglob: sorting and relativising Path objects cost more than reading
    a 4 KB file."""
    with os.scandir(folder) as listing:
        entries = sorted(listing, key=lambda entry: entry.name)
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            yield from _walk(entry.path, f"{relative}{entry.name}/")
        elif entry.is_file() and os.path.splitext(entry.name)[1].lower() in IMPORTABLE_SUFFIXES:
            yield entry.path, relative + entry.name


# ---- parsing one file --------------------------------------------------------
def parse_file(path: Path, name: str, default_annotator: str) -> list[ParsedDocument]:
    """Read and validate one input file; raises BadInput with the reason."""
    try:
        data = path.read_bytes()
    except IsADirectoryError as error:
        raise BadInput("is a folder with nothing importable") from error
    except OSError as error:
        raise BadInput(f"cannot be read ({error.strerror or error})") from error
    if path.suffix.lower() in JSONL_SUFFIXES:
        return parse_jsonl(_decode_json_lines(data), name, str(path), default_annotator)
    try:
        text, encoding = decode_document(data)
    except DecodeError as error:
        raise BadInput(str(error)) from error
    meta = {} if encoding in ("utf-8", "utf-8-sig") else {"encoding": encoding}
    return [ParsedDocument(name, str(path), normalise_newlines(text), meta, [])]


def _decode_json_lines(data: bytes) -> str:
    """JSON text is UTF-8 by definition: no guessing (a U+0085 in a text is not a hint of cp1256)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(f"is not UTF-8 (byte {error.start}); JSONL files must be UTF-8") from None


def parse_jsonl(text: str, name: str, path: str | None, default_annotator: str) -> list[ParsedDocument]:
    documents = []
    # Only \n ends a record: U+2028, U+2029 and U+0085 may stand unescaped inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            documents.append(_parse_jsonl_record(line, f"{name}:{number}", path, default_annotator))
        except BadInput as error:
            raise BadInput(f"line {number}: {error}") from None
        except (RecursionError, MemoryError):
            raise BadInput(f"line {number}: the JSON is nested too deeply to read") from None
    if not documents:
        raise BadInput("the file is empty")
    return documents


def json_object(line: str) -> dict[str, Any]:
    """One JSONL record, which must be a JSON object."""
    try:
        record = json.loads(line)
    except ValueError as error:
        raise BadInput(f"not valid JSON ({error})") from None
    if not isinstance(record, dict):
        raise BadInput("each line must be a JSON object")
    return record


def _parse_jsonl_record(line: str, fallback_name: str, path: str | None, default_annotator: str) -> ParsedDocument:
    record = json_object(line)
    raw_text = record.get("text")
    if not isinstance(raw_text, str) or not raw_text.strip():
        raise BadInput('"text" is missing or empty')
    name = record.get("name", fallback_name)
    meta = record.get("meta", {})
    if not isinstance(name, str) or not isinstance(meta, dict):
        raise BadInput('"name" must be a string and "meta" an object')
    _check_storable(raw_text, '"text"')
    _check_storable(name, '"name"')
    text, shift = _normalise_with_offset_map(raw_text)
    retext = normalise_newlines if "\r" in raw_text else (lambda quoted: quoted)
    annotations = [shift_offsets(a, shift, retext) for a in _annotations_of(record, default_annotator)]
    for index, annotation in enumerate(annotations, start=1):
        _check_annotation(annotation, text, index)
    _check_one_doc_stance_per_target(annotations)
    return ParsedDocument(name, path, text, meta, annotations)


def _annotations_of(record: dict, default_annotator: str) -> list[dict[str, Any]]:
    """Our own list of objects, or doccano's [[start, end, LABEL], ...] form."""
    found: list[dict[str, Any]] = []
    listed = record.get("annotations", [])
    if not isinstance(listed, list):
        raise BadInput('"annotations" must be a list')
    for item in listed:
        if not isinstance(item, dict):
            raise BadInput('each entry of "annotations" must be an object')
        found.append({"annotator": default_annotator, "layer": "entity", "attrs": {}, **item})
    doccano = record.get("label", [])
    if not isinstance(doccano, list):
        raise BadInput('"label" must be a list of [start, end, LABEL]')
    for item in doccano:
        if not (isinstance(item, list) and len(item) == 3):
            raise BadInput(f'"label" entry {item!r} is not [start, end, LABEL]')
        found.append({"annotator": default_annotator, "layer": "entity", "attrs": {},
                      "start": item[0], "end": item[1], "label": item[2]})
    return found


def _check_storable(value: str, what: str) -> None:
    """Lone surrogates (from "\\ud83d" escapes) cannot be stored as UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput(f"{what} contains an unpaired surrogate escape, which is not a character") from None


def check_documents(documents: list[ParsedDocument]) -> None:
    """What parse_jsonl checks of each record, for documents another format's parser built (app.formats)."""
    if not documents:
        raise BadInput("the file has no documents")
    for document in documents:
        try:
            _check_storable(document.text, "the text")
            _check_storable(document.name, "the name")
            if not document.text.strip():
                raise BadInput("the text is empty")
            for index, annotation in enumerate(document.annotations, start=1):
                _check_annotation(annotation, document.text, index)
            _check_one_doc_stance_per_target(document.annotations)
        except BadInput as error:
            raise BadInput(f"{document.name}: {error}") from None


def _check_annotation(annotation: dict, text: str, index: int) -> None:
    where = f"annotation {index}"
    for key in ("annotator", "layer", "label"):
        if not isinstance(annotation.get(key), str) or not annotation[key]:
            raise BadInput(f'{where}: "{key}" must be a non-empty string')
        _check_storable(annotation[key], f'{where}: "{key}"')
    if not isinstance(annotation.get("provenance", "imported"), str):
        raise BadInput(f'{where}: "provenance" must be a string')
    if not isinstance(annotation.get("attrs"), dict):
        raise BadInput(f'{where}: "attrs" must be an object')
    if "id" in annotation and not (isinstance(annotation["id"], str) and 0 < len(annotation["id"]) <= 36):
        raise BadInput(f'{where}: "id" must be a string of at most 36 characters')
    start, end = annotation.get("start"), annotation.get("end")
    try:
        if annotation["layer"] == DOC_STANCE_LAYER:
            check_doc_stance(annotation["label"], start, end, annotation["attrs"])
        if not (annotation["layer"] in UNANCHORED_LAYERS and start is None and end is None):
            _check_offsets(start, end, len(text), where)
        if annotation["layer"] == STANCE_LAYER:
            check_stance(annotation["label"], annotation["attrs"], text)
    except StanceFormatError as error:
        raise BadInput(f"{where}: {error}") from None


def _check_offsets(start, end, length: int, where: str) -> None:
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise BadInput(f'{where}: "start" and "end" must be integers')
    if not 0 <= start < end <= length:
        raise BadInput(f"{where}: offsets {start}–{end} fall outside the text (length {length})")


def _check_one_doc_stance_per_target(annotations: list[dict]) -> None:
    """At most one document stance per (document, annotator, target)."""
    first: dict[tuple[str, str], int] = {}
    for index, annotation in enumerate(annotations, start=1):
        if annotation["layer"] != DOC_STANCE_LAYER:
            continue
        key = (annotation["annotator"], annotation["attrs"]["target"])
        if key in first:
            raise BadInput(f"annotation {index}: a second doc_stance by {key[0]} for the target {key[1]!r} "
                           f"(the first is annotation {first[key]})")
        first[key] = index


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
        files = list(expand_inputs(paths))
        if not files:
            self.report.rejected.append((", ".join(map(str, paths)) or "(nothing)", "no .txt or .jsonl files found"))
        for done, (path, name) in enumerate(files, start=1):
            if self.cancelled():
                self._flush()
                raise ImportCancelled(self.report)
            self._take(path, name)
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
                    self.report.rejected.append((unit[0], f"could not be stored: {error.orig or error}"))
        self._pending.clear()
        self._pending_documents = 0
        self._pending_chars = 0

    def _write_batch(self, units: list[tuple[str, list[ParsedDocument]]]) -> None:
        """One transaction; the report and the known hashes change only once it has committed."""
        # Resolved first: creating an annotator inside the batch would need a second writer.
        for name in {a["annotator"] for _, docs in units for d in docs for a in d.annotations}:
            self.project.annotator_id(name)
        documents = [document for _, docs in units for document in docs]
        outcome = ImportReport()
        known = dict(self._known)
        with self.project.session.begin() as session:
            fresh = self._insert_new_documents(session, documents, known, outcome)
            self._insert_annotations(session, documents, fresh, known, outcome)
        self._known = known
        self.report.add(outcome)

    def _insert_new_documents(self, session, documents: list[ParsedDocument], known: dict[str, int],
                              outcome: ImportReport) -> set[str]:
        """One executemany for the batch; returns the hashes that were new."""
        fresh: dict[str, ParsedDocument] = {}
        for document in documents:
            if document.sha256 in known or document.sha256 in fresh:
                outcome.duplicates.append(document.name)
            else:
                fresh[document.sha256] = document
                outcome.imported.append(document.name)
        if fresh:
            stamp = now_iso()
            session.execute(insert(Document), [
                {"name": d.name, "path": d.path, "text": d.text, "sha256": d.sha256, "meta": d.meta,
                 "imported_at": stamp}
                for d in fresh.values()
            ])
            hashes = list(fresh)
            for chunk in range(0, len(hashes), LOOKUP_CHUNK):
                found = session.execute(select(Document.sha256, Document.id)
                                        .where(Document.sha256.in_(hashes[chunk:chunk + LOOKUP_CHUNK])))
                known.update({sha: doc_id for sha, doc_id in found})
            # In the same transaction: a document is searchable the moment it is imported.
            searchindex.add_documents(session.connection().connection.driver_connection,
                                      [(known[sha], document.text) for sha, document in fresh.items()])
        return set(fresh)

    def _insert_annotations(self, session, documents: list[ParsedDocument], fresh: set[str],
                            known: dict[str, int], outcome: ImportReport) -> None:
        seen: dict[str, set] = {}  # identities already stored, per document
        rows = []
        for document in documents:
            if not document.annotations:
                continue
            document_id = known[document.sha256]
            if document.sha256 not in seen:
                seen[document.sha256] = set() if document.sha256 in fresh else _present_annotations(session, document_id)
            present = seen[document.sha256]
            for annotation in document.annotations:
                if _identity(annotation) in present:
                    continue
                if annotation["layer"] == DOC_STANCE_LAYER and _identity({**annotation, "id": None}) in present:
                    # At most one document stance per (annotator, target): the stored one stays.
                    outcome.conflicting_doc_stances += 1
                    continue
                row = self._annotation_row(document_id, annotation)
                present.update({("id", row["uid"]), _identity({**annotation, "id": None})})
                rows.append(row)
        rows = _drop_ids_used_elsewhere(session, rows, outcome)
        if rows:
            session.execute(insert(Annotation), rows)
            outcome.annotations_added += len(rows)

    def _annotation_row(self, document_id: int, annotation: dict) -> dict:
        stamp = now_iso()
        span = Span(
            document_id=document_id, annotator=annotation["annotator"], layer=annotation["layer"],
            label=annotation["label"], start=annotation.get("start"), end=annotation.get("end"),
            attrs=annotation["attrs"], provenance=annotation.get("provenance", "imported"),
            uid=annotation.get("id") or new_uid(), created_at=stamp, updated_at=stamp,
        )
        return self.project._row_for(span)


def _drop_ids_used_elsewhere(session, rows: list[dict], outcome: ImportReport) -> list[dict]:
    """An id already stored for another document is a conflict: the annotation is skipped and counted."""
    uids = [row["uid"] for row in rows]
    taken: set[str] = set()
    for chunk in range(0, len(uids), LOOKUP_CHUNK):
        taken |= set(session.scalars(select(Annotation.uid).where(Annotation.uid.in_(uids[chunk:chunk + LOOKUP_CHUNK]))))
    kept = [row for row in rows if row["uid"] not in taken]
    outcome.skipped_annotations += len(rows) - len(kept)
    return kept


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
        attrs = json.loads(raw_attrs) if layer in STANCE_LAYERS and raw_attrs else {}
        present.add(("id", uid))
        present.add(("content", annotator, *content_key(layer, label, start, end, attrs)))
    return present


def import_paths(project: Project, paths: Iterable[str | os.PathLike], annotator: str, **callbacks) -> ImportReport:
    return Importer(project, annotator, **callbacks).run(paths)
