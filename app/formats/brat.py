"""brat standoff (https://brat.nlplab.org/standoff.html): a folder of `<name>.txt` + `<name>.ann` pairs.

Export writes one analyst's work (the registry splits a project by analyst):
- `<name>.txt`: the document's stored text byte for byte (UTF-8, LF). The file name is the document's name
  made safe by app.safenames: folders kept, `..`, leading dots and characters Windows refuses replaced by
  `_`, a `.txt` ending not doubled, `-2`, `-3`… added where names would clash (compared as a case-blind disk
  would), and `names.json` listing the names that had to change;
- `<name>.ann`: its annotations (brat needs the two to share a stem);
- `annotation.conf` and `visual.conf`, so brat opens the collection without errors: every entity type and
  boilerplate category of the project's schema (and any other label used), the Stance type, its Holder and
  Target relations and Polarity attribute, overlaps allowed, the schema's colours and readable labels.

Offsets are code points into the .txt, which is what brat's Python server counts (an emoji is one).

The mapping, both ways:
- entity span → `T` whose type is the label;
- boilerplate span → `T` of type `Boilerplate-<category>` (listed under an unselectable `!Boilerplate`);
- span stance → `T` of type `Stance` over the evidence, `A… Polarity T… FAVOR`, and `R… Holder Arg1:<stance>
  Arg2:<entity>` / `R… Target …` when the holder / target is an entity span that is itself in the .ann.
  What brat cannot hold (a free-text holder, "the article", a target from the list, the note, an entity span
  that is not exported) goes in the stance's `#… AnnotatorNotes` note, as a JSON object of those attributes;
- the attributes of any other annotation (an adjudication record, a detector's reason) go the same way, in a
  JSON note on its T;
- document stances are left out: brat has nothing document-level (every annotation needs a span of text).
  The registry (app.formats.FORMATS) does not offer that layer for brat, so `--layer doc_stance` is refused.

brat type names may hold only [A-Za-z0-9_-]. Any other label (Arabic, a space), or one that would read as a
name of this mapping (`Stance`, `Boilerplate…`, `x--…`), is written `x--` followed by the label with each
other character as `-<hex code point>-` (شخص → `x---634--62e--635-`); visual.conf shows the label itself and
import reverses it.

A T line holds one line, so a span crossing line breaks is written as one fragment per line with the breaks
left out (`T3\tBoilerplate-other 40 52;53 60\t<line 1> <line 2>`: the fragments' texts joined by a space, as
brat quotes them); a span that begins or ends with a break gets an empty fragment there, so both ends survive.
Import joins fragments whose gaps hold only line breaks.

Import (`parse`) reads a folder (recursively, hidden files skipped) or one .ann (or .txt) with its pair
beside it. A .ann without its .txt is refused; a .txt without .ann is a document with no annotations. Files
are UTF-8 (a BOM is allowed: brat counts it as a character, so offsets are moved past it). Each T line's
quoted text must be the .txt's text at its offsets, else the input is refused naming the .ann file and line
(offsets counted in UTF-16 units or bytes, or a .txt re-saved with other line ends, do this). A CRLF .txt is
stored with LF; offsets that count each CR (brat on a CRLF file) and offsets that count a line end as one
character are both recognised by the quotes, and moved. Types outside the mapping become entity labels. Not
representable, and reported by file, kind and type with a count: events (with their trigger T lines),
relations other than a stance's Holder and Target, attributes other than its Polarity, normalizations,
equivalences, notes other than a stance's or a JSON object of attributes, T lines with real gaps (a covering
span would claim text nobody marked) and stances lacking a polarity, holder or target. brat's ids (T1…)
are not Hashiya ids: none are carried, and a re-import recognises annotations by their content.
"""

from __future__ import annotations

import json
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import count
from pathlib import Path
from typing import Callable

from app.exporter import json_line
from app.formats.common import (BOILERPLATE, ENTITY, SPAN_LAYERS, STANCE_LAYER, BadInput, Cancelled, ExportDocument,
                                ExportReport, ParsedDocument, ParsedImport, Progress, atomic_folder, export_documents)
from app.i18n import N_, _, ngettext, number
from app.importer import (SKIP, _normalise_with_offset_map, cannot_be_read, entry_problem, line_number, on_line,
                          read_regular_file)
from app.project import Project
from app.safenames import ExportFolder, SafeNames
from app.stance_format import POLARITIES, StanceFormatError, check_stance, map_reference_offsets
from app.textio import DecodeError, normalise_newlines, reject_controls

STANCE_TYPE = "Stance"
BOILERPLATE_TYPE = "Boilerplate"
BOILERPLATE_PREFIX = "Boilerplate-"
POLARITY, HOLDER, TARGET, NOTES = "Polarity", "Holder", "Target", "AnnotatorNotes"
RELATION_ROLES = {HOLDER: "holder", TARGET: "target"}
ESCAPE = "x--"
# What splits a line for brat's reader (str.splitlines): a T line's quoted text must hold none of them.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
CONF_FILES = ("annotation.conf", "visual.conf")

_STORABLE = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPED = re.compile(r"(?:[A-Za-z0-9_]|-[0-9a-f]{1,6}-)+")
_HEX = re.compile(r"-([0-9a-f]{1,6})-")
_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


# ---- type names ------------------------------------------------------------------------------------------
def brat_name(label: str, reserved: bool = False) -> str:
    """`label` as a brat type name (only [A-Za-z0-9_-] is stored): itself when it already is one, else escaped
    so that label_of gives it back. `reserved` forces the escape (a label that would read as a mapping name)."""
    if _STORABLE.fullmatch(label) and not label.startswith(ESCAPE) and not reserved:
        return label
    return ESCAPE + "".join(char if char.isascii() and (char.isalnum() or char == "_") else f"-{ord(char):x}-"
                            for char in label)


def label_of(name: str) -> str:
    """The label a brat type name stands for (brat_name reversed; a foreign name is its own label)."""
    body = name[len(ESCAPE):]
    if not name.startswith(ESCAPE) or not _ESCAPED.fullmatch(body):
        return name
    codes = [int(code, 16) for code in _HEX.findall(body)]
    if any(code > 0x10FFFF or 0xD800 <= code <= 0xDFFF for code in codes):  # not characters
        return name
    return _HEX.sub(lambda match: chr(int(match[1], 16)), body)


def entity_type(label: str) -> str:
    clashes = label in (STANCE_TYPE, BOILERPLATE_TYPE) or label.startswith(BOILERPLATE_PREFIX)
    return brat_name(label, reserved=clashes)


def boilerplate_type(category: str) -> str:
    return BOILERPLATE_PREFIX + brat_name(category)


def brat_type(annotation: dict) -> str:
    if annotation["layer"] == STANCE_LAYER:
        return STANCE_TYPE
    if annotation["layer"] == BOILERPLATE:
        return boilerplate_type(annotation["label"])
    return entity_type(annotation["label"])


def layer_and_label(type_name: str) -> tuple[str, str]:
    """Which layer and label a T type stands for (a stance's label is its polarity, read elsewhere)."""
    if type_name == STANCE_TYPE:
        return STANCE_LAYER, ""
    if type_name.startswith(BOILERPLATE_PREFIX) and len(type_name) > len(BOILERPLATE_PREFIX):
        return BOILERPLATE, label_of(type_name[len(BOILERPLATE_PREFIX):])
    return ENTITY, label_of(type_name)


# ---- export ----------------------------------------------------------------------------------------------
def export(project: Project, out: Path, annotator: str | None, layers: tuple[str, ...],
           progress: Progress | None, cancelled: Cancelled | None) -> ExportReport:
    """Write the folder `out`: every document's .txt and .ann, annotation.conf and visual.conf (see above)."""
    span_layers = tuple(layer for layer in layers if layer in SPAN_LAYERS)
    report = ExportReport()
    used: dict[str, set[str]] = {ENTITY: set(), BOILERPLATE: set()}
    with atomic_folder(out) as building:
        folder, names = ExportFolder(building), SafeNames(reserved=CONF_FILES)
        for document in export_documents(project, annotator, span_layers, progress, cancelled):
            stem = names.claim(document.name, (".txt", ".ann"), strip=".txt")
            folder.path(f"{stem}.txt").write_bytes(document.text.encode("utf-8"))
            folder.path(f"{stem}.ann").write_bytes(ann_text(document).encode("utf-8"))
            report.documents += 1
            report.annotations += len(document.annotations)
            for item in document.annotations:
                used.get(item["layer"], set()).add(item["label"])
        folder.path("annotation.conf").write_bytes(annotation_conf(project, used).encode("utf-8"))
        folder.path("visual.conf").write_bytes(visual_conf(project, used).encode("utf-8"))
        names.write_index(folder)
    report.renamed = len(names.renamed)
    return report


def ann_text(document: ExportDocument) -> str:
    """The .ann of one document: its T lines in export order, then each one's attribute, relations and note."""
    text, items = document.text, document.annotations
    ids = [f"T{number}" for number in range(1, len(items) + 1)]
    lines = [textbound_line(tid, brat_type(item), text, item["start"], item["end"]) for tid, item in zip(ids, items)]
    entities: dict[tuple[int, int], list[tuple[str, str]]] = defaultdict(list)
    for tid, item in zip(ids, items):
        if item["layer"] == ENTITY:
            entities[item["start"], item["end"]].append((item["id"], tid))
    counters = {"A": count(1), "R": count(1), "#": count(1)}
    for tid, item in zip(ids, items):
        lines += extra_lines(tid, item, entities, counters)
    return "".join(f"{line}\n" for line in lines)


def fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The span start–end cut at every line break, the breaks left out (empty pieces kept, so a span that
    begins or ends with a break keeps its ends and consecutive breaks stay countable)."""
    pieces, piece_start = [], start
    for index in range(start, end):
        if text[index] in LINE_BREAKS:
            pieces.append((piece_start, index))
            piece_start = index + 1
    pieces.append((piece_start, end))
    return pieces


def textbound_line(tid: str, type_name: str, text: str, start: int, end: int) -> str:
    pieces = fragments(text, start, end)
    offsets = ";".join(f"{a} {b}" for a, b in pieces)
    return f"{tid}\t{type_name} {offsets}\t{' '.join(text[a:b] for a, b in pieces)}"


def extra_lines(tid: str, item: dict, entities: dict, counters: dict) -> list[str]:
    """A stance's Polarity and Holder/Target relations, and any annotation's other attributes as a JSON note."""
    rest = dict(item["attrs"])
    lines = []
    if item["layer"] == STANCE_LAYER:
        lines.append(f"A{next(counters['A'])}\t{POLARITY} {tid} {item['label']}")
        for relation, role in RELATION_ROLES.items():
            entity = entity_tid(rest.get(role), entities)
            if entity is not None:
                lines.append(f"R{next(counters['R'])}\t{relation} Arg1:{tid} Arg2:{entity}")
                del rest[role]
    if rest:
        lines.append(f"#{next(counters['#'])}\t{NOTES} {tid}\t{json_line(rest)}")
    return lines


def entity_tid(reference, entities: dict) -> str | None:
    """The T id of the entity a holder/target span points at: the one with its id, else one with its offsets."""
    if not isinstance(reference, dict) or "start" not in reference:
        return None
    candidates = entities.get((reference["start"], reference["end"]), [])
    same = [tid for uid, tid in candidates if uid == reference.get("id")]
    return (same or [tid for _, tid in candidates] or [None])[0]


def schema_labels(project: Project, layer: str, used: set[str]) -> list[str]:
    listed = [label.name for label in project.labels(layer)]
    return listed + sorted(used - set(listed))


def annotation_conf(project: Project, used: dict[str, set[str]]) -> str:
    entities = [entity_type(label) for label in schema_labels(project, ENTITY, used[ENTITY])]
    categories = [boilerplate_type(label) for label in schema_labels(project, BOILERPLATE, used[BOILERPLATE])]
    holders = "|".join(entities) or "<ANY>"
    return "\n".join([
        "# Written by Hashiya: entity types, boilerplate categories (Boilerplate-…) and stances (see visual.conf",
        "# for the labels as the analysts wrote them).",
        "[entities]", *entities, STANCE_TYPE, f"!{BOILERPLATE_TYPE}", *(f"\t{name}" for name in categories), "",
        "[relations]",
        f"{HOLDER}\tArg1:{STANCE_TYPE}, Arg2:{holders}",
        f"{TARGET}\tArg1:{STANCE_TYPE}, Arg2:{holders}",
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>", "",
        "[events]", "",
        "[attributes]",
        f"{POLARITY}\tArg:{STANCE_TYPE}, Value:{'|'.join(POLARITIES)}", "",
    ])


def visual_conf(project: Project, used: dict[str, set[str]]) -> str:
    labels, drawing = [], []
    for layer, type_of in ((ENTITY, entity_type), (BOILERPLATE, boilerplate_type)):
        colors = {label.name: label.color for label in project.labels(layer)}
        for label in schema_labels(project, layer, used[layer]):
            shown = _shown(label)
            # The full form, then the abbreviation brat falls back on where space is short.
            forms = [shown] if layer == ENTITY else [f"Boilerplate: {shown}", shown]
            labels.append(" | ".join([type_of(label), *forms]))
            if _COLOR.fullmatch(colors.get(label) or ""):
                drawing.append(f"{type_of(label)}\tbgColor:{colors[label]}")
    return "\n".join([
        "[labels]", *labels, f"{STANCE_TYPE} | {STANCE_TYPE}", "",
        "[drawing]",
        "SPAN_DEFAULT\tfgColor:black, bgColor:lightgreen, borderColor:darken",
        "ARC_DEFAULT\tcolor:black, arrowHead:triangle-5",
        *drawing,
        f"{STANCE_TYPE}\tbgColor:#ffe08a",
        f"{POLARITY}\tglyph:{'|'.join(f'({value})' for value in POLARITIES)}", "",
    ])


def _shown(label: str) -> str:
    """A label as visual.conf can show it: '|' separates its forms and a line holds one entry."""
    return " ".join(label.replace("|", "¦").split()) or "_"


# ---- import ----------------------------------------------------------------------------------------------
@dataclass
class AnnLine:
    """One line of a .ann file, as far as this reader needs it."""

    number: int
    id: str
    kind: str  # T, R, A (also M), #, E, N or *
    type: str
    target: str = ""  # the annotation an attribute, note or normalization is about
    value: str | None = None  # an attribute's value (None: a binary one), a note's text
    args: dict[str, str] = field(default_factory=dict)  # a relation's arguments by role; an event's trigger
    fragments: list[tuple[int, int]] = field(default_factory=list)
    quoted: str = ""


@dataclass
class View:
    """The .txt as a brat file's offsets may count it, and how its offsets move into the stored text."""

    text: str
    to_stored: Callable[[int], int]


def parse(path: Path, default_annotator: str) -> ParsedImport:
    documents, unrepresented = [], []
    for name, ann, txt in pairs(path):
        document, leftovers = read_pair(name, ann, txt, path if path.is_dir() else path.parent, default_annotator)
        documents.append(document)
        unrepresented += leftovers
    return ParsedImport(documents, unrepresented)


def pairs(path: Path) -> list[tuple[str, Path | None, Path]]:
    """(document name, .ann or None, .txt) for each document of the input."""
    path.stat()  # a missing input is an OSError, which the caller reports as unreadable
    if path.is_dir():
        found = list(_walk(path, ""))
        if not found:
            raise BadInput(_("holds no brat .txt/.ann files"))
        return found
    suffix = path.suffix.lower()
    if suffix not in (".ann", ".txt"):
        raise BadInput(_("is neither a brat .ann file nor a folder of .txt/.ann pairs"))
    txt, ann = path.with_suffix(".txt"), path.with_suffix(".ann")
    if not txt.is_file():
        raise BadInput(_no_txt_beside(path.name, txt.name))
    # An .ann that is there but not a regular file (a pipe, a link to nothing) is read, and refused, rather
    # than taken for a document without annotations.
    return [(txt.name, ann if ann.exists() or ann.is_symlink() else None, txt)]


def _walk(folder: Path, relative: str):
    """Depth first, each folder's entries sorted; hidden entries and symlinked folders skipped, a symlinked
    file read when it leads to a regular file. The input is one unit: a .txt or .ann that cannot be read
    (a link to nothing or in a loop, a named pipe, …) or a sub-folder that cannot be listed refuses it."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        raise BadInput(_("{folder}: the folder cannot be read ({error})").format(
            folder=relative or ".", error=error.strerror or error)) from None
    files = {}
    for entry in entries:
        if entry.name.startswith("."):
            continue
        stem, suffix = os.path.splitext(entry.name)
        try:
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(Path(entry.path), f"{relative}{entry.name}/")
                continue
            if suffix.lower() not in (".ann", ".txt"):
                continue
            problem = entry_problem(entry)
        except OSError as error:
            problem = cannot_be_read(error)
        if problem is None:
            files.setdefault(stem, {})[suffix.lower()] = Path(entry.path)
        elif problem != SKIP:
            raise BadInput(f"{relative}{entry.name} {problem}")
    for stem, pair in sorted(files.items()):
        if ".txt" not in pair:
            raise BadInput(_no_txt_beside(f"{relative}{pair['.ann'].name}", f"{stem}.txt"))
        yield f"{relative}{pair['.txt'].name}", pair.get(".ann"), pair[".txt"]


def _no_txt_beside(ann: str, txt: str) -> str:
    return _("{ann} has no {txt} beside it: brat keeps the text in a .txt of the same name").format(ann=ann, txt=txt)


def read_pair(name: str, ann: Path | None, txt: Path, root: Path, annotator: str) -> tuple[ParsedDocument, list[str]]:
    raw_text = reject_text_controls(decode(_read(txt, root), txt.relative_to(root).as_posix()), txt, root)
    stored, views = text_views(raw_text)
    if ann is None:
        return ParsedDocument(name, str(txt), stored, {}, [], where=txt.relative_to(root).as_posix()), []
    where = ann.relative_to(root).as_posix()
    try:
        lines = read_ann(decode(_read(ann, root), where).removeprefix("\ufeff"))
        view = matching_view(views, lines)
        annotations, places, leftovers = AnnReader(lines, view, stored, annotator).read()
    except BadInput as error:
        raise BadInput(f"{where} {error}") from None
    return (ParsedDocument(name, str(txt), stored, {}, annotations, where=where, places=places),
            [f"{where}: {line}" for line in leftovers])


def _read(path: Path, root: Path) -> bytes:
    try:
        return read_regular_file(path)
    except BadInput as error:
        raise BadInput(f"{path.relative_to(root).as_posix()} {error}") from None


def decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadInput(_("{file} is not UTF-8 (byte {position}); brat files are UTF-8").format(
            file=where, position=number(error.start))) from None


def reject_text_controls(text: str, txt: Path, root: Path) -> str:
    try:
        return reject_controls(text)
    except DecodeError as error:
        raise BadInput(f"{txt.relative_to(root).as_posix()} {error}") from None


def text_views(decoded: str) -> tuple[str, list[View]]:
    """The text to store (no BOM, LF line ends) and the readings a .ann's offsets may count: the file as it is
    (a BOM and every CR counted, as brat's server does) and, for a file with CRs, each line end as one character."""
    bom = 1 if decoded.startswith("\ufeff") else 0
    stored, crlf_shift = _normalise_with_offset_map(decoded[bom:])
    views = [View(decoded, lambda offset: crlf_shift(max(offset - bom, 0)))]
    if "\r" in decoded:
        views.append(View(normalise_newlines(decoded), lambda offset: max(offset - bom, 0)))
    return stored, views


def matching_view(views: list[View], lines: list[AnnLine]) -> View:
    """The first reading of the .txt in which every T line's quoted text is the text at its offsets."""
    textbounds = [line for line in lines if line.kind == "T"]
    problems = [next(filter(None, (quote_problem(view.text, line) for line in textbounds)), None) for view in views]
    if problems[0] is None:
        return views[0]
    for view, problem in zip(views[1:], problems[1:]):
        if problem is None:
            return view
    raise BadInput(_("{problem} (the offsets must count characters — code points — of the .txt as saved)").format(
        problem=problems[0]))


def quote_problem(text: str, line: AnnLine) -> str | None:
    where = on_line(line.number, line.id)
    offsets = ";".join(f"{a} {b}" for a, b in line.fragments)
    if any(end > len(text) for _start, end in line.fragments):
        return ngettext("{where} offsets {offsets} run past the end of the .txt ({n} characters)",
                        "{where} offsets {offsets} run past the end of the .txt ({n} characters)", len(text)).format(
            where=where, offsets=offsets, n=number(len(text)))
    pieces = [text[a:b] for a, b in line.fragments]
    for expected in (" ".join(pieces), "".join(pieces)):  # brat before v1.3 joined fragments without a space
        if line.quoted.startswith(expected) and not line.quoted[len(expected):].strip():
            return None
    return _("{where} quotes {quoted} but the .txt has {text} at offsets {offsets}").format(
        where=where, quoted=repr(line.quoted), text=repr(" ".join(pieces)), offsets=offsets)


# ---- reading .ann lines ----------------------------------------------------------------------------------
_OFFSETS = re.compile(r"\d+ \d+(?:;\d+ \d+)*")


def read_ann(content: str) -> list[AnnLine]:
    lines, seen = [], {}
    for row, raw in enumerate(content.split("\n"), start=1):
        raw = raw.removesuffix("\r")
        if not raw.strip():
            continue
        line = read_line(raw, row)
        if line.id != "*" and line.id in seen:
            raise BadInput(on_line(row, _("the id {id} is used already on line {line}").format(
                id=line.id, line=number(seen[line.id]))))
        seen[line.id] = row
        lines.append(line)
    for line in lines:
        for reference in (line.target, *(line.args.values() if line.kind == "R" else ())):
            if reference and reference not in seen:
                raise BadInput(on_line(line.number, _("{id} refers to {reference}, which the file does not define")
                                       .format(id=line.id, reference=reference)))
    return lines


def read_line(raw: str, number: int) -> AnnLine:
    ident, tab, rest = raw.partition("\t")
    if not tab:
        raise BadInput(on_line(number, _("not a brat annotation (no tab after the id {id})").format(id=repr(ident))))
    kind = "*" if ident == "*" else ("A" if ident[:1] == "M" else ident[:1])
    reader = _LINE_READERS.get(kind)
    if reader is None or (kind != "*" and not re.fullmatch(r"[A-Za-z]+[0-9]+\S*|#[A-Za-z]*[0-9]+\S*", ident)):
        raise BadInput(on_line(number, _("{id} is not a brat annotation id (T, R, E, A, M, N, # or *)").format(
            id=repr(ident))))
    head, tab, tail = rest.partition("\t")
    line = reader(AnnLine(number, ident, kind, ""), head.split(" "), tail if tab else None)
    if line is None or not line.type:
        raise BadInput(on_line(number, _("{id} does not read as a brat {form}").format(
            id=ident, form=_(_KIND_FORMS[kind]))))
    return line


def _textbound(line: AnnLine, words: list[str], tail: str | None) -> AnnLine | None:
    offsets = " ".join(words[1:]).strip()
    if not _OFFSETS.fullmatch(offsets) or tail is None:
        return None
    line.type, line.quoted = words[0], tail
    line.fragments = [(int(a), int(b)) for a, b in (piece.split() for piece in offsets.split(";"))]
    if any(a > b for a, b in line.fragments):
        raise BadInput(on_line(line.number, _("{id} has a fragment that ends before it starts").format(id=line.id)))
    return line


def _relation(line: AnnLine, words: list[str], tail: str | None) -> AnnLine | None:
    args = [word.split(":", 1) for word in words[1:] if word]
    if len(args) != 2 or any(len(arg) != 2 for arg in args):
        return None
    line.type, line.args = words[0], dict(args)
    return line


def _attribute(line: AnnLine, words: list[str], tail: str | None) -> AnnLine | None:
    if len(words) < 2:
        return None
    line.type, line.target = words[0], words[1]
    line.value = " ".join(words[2:]) or None
    return line


def _note(line: AnnLine, words: list[str], tail: str | None) -> AnnLine | None:
    if len(words) != 2:
        return None
    line.type, line.target, line.value = words[0], words[1], tail or ""
    return line


def _event(line: AnnLine, words: list[str], tail: str | None) -> AnnLine | None:
    event_type, _colon, trigger = words[0].partition(":")
    line.type, line.args = event_type, {"trigger": trigger}
    return line


def _normalization(line: AnnLine, words: list[str], tail: str | None) -> AnnLine | None:
    if len(words) < 3:
        return None
    line.type, line.target = words[0], words[1]
    return line


def _equivalence(line: AnnLine, words: list[str], tail: str | None) -> AnnLine | None:
    line.type = words[0]
    return line


_LINE_READERS = {"T": _textbound, "R": _relation, "A": _attribute, "#": _note, "E": _event, "N": _normalization,
                 "*": _equivalence}
_KIND_FORMS = {  # translated where shown
    "T": N_("text-bound line (ID<tab>TYPE START END[;START END…]<tab>TEXT)"),
    "R": N_("relation line (ID<tab>TYPE Arg1:ID Arg2:ID)"),
    "A": N_("attribute line (ID<tab>TYPE ID [VALUE])"),
    "#": N_("note line (ID<tab>TYPE ID<tab>TEXT)"),
    "E": N_("event line (ID<tab>TYPE:TRIGGER [ROLE:ID…])"),
    "N": N_("normalization line (ID<tab>TYPE ID DB:ENTRY<tab>TEXT)"),
    "*": N_("equivalence line (*<tab>TYPE ID ID…)"),
}

# ---- from brat annotations to Hashiya's --------------------------------------------------------------------
_WHY = {  # translated where shown
    "event": N_("events are not imported, nor the text-bounds that trigger them"),
    "relation": N_("relations other than a stance's Holder and Target are not imported"),
    "attribute": N_("attributes other than a stance's Polarity are not imported"),
    "normalization": N_("normalizations are not imported"),
    "equivalence": N_("equivalence sets are not imported"),
    "note": N_("notes are imported on stances, or when they hold a JSON object of attributes"),
    "discontinuous text-bound": N_("a span with gaps cannot be stored, and its covering span would claim unmarked "
                                   "text"),
    "empty text-bound": N_("a span must cover at least one character"),
    "incomplete stance": N_("a stance needs a Polarity, a holder and a target"),
}


def _leftovers_line(kind: str, count: int) -> str:
    """"{n} event(s) of type {type} ({ids})" for each kind of _WHY: one whole message per kind."""
    if kind == "event":
        return ngettext("{n} event(s) of type {type} ({ids})", "{n} event(s) of type {type} ({ids})", count)
    if kind == "relation":
        return ngettext("{n} relation(s) of type {type} ({ids})", "{n} relation(s) of type {type} ({ids})", count)
    if kind == "attribute":
        return ngettext("{n} attribute(s) of type {type} ({ids})", "{n} attribute(s) of type {type} ({ids})", count)
    if kind == "normalization":
        return ngettext("{n} normalization(s) of type {type} ({ids})", "{n} normalization(s) of type {type} ({ids})",
                        count)
    if kind == "equivalence":
        return ngettext("{n} equivalence(s) of type {type} ({ids})", "{n} equivalence(s) of type {type} ({ids})",
                        count)
    if kind == "note":
        return ngettext("{n} note(s) of type {type} ({ids})", "{n} note(s) of type {type} ({ids})", count)
    if kind == "discontinuous text-bound":
        return ngettext("{n} discontinuous text-bound(s) of type {type} ({ids})",
                        "{n} discontinuous text-bound(s) of type {type} ({ids})", count)
    if kind == "empty text-bound":
        return ngettext("{n} empty text-bound(s) of type {type} ({ids})",
                        "{n} empty text-bound(s) of type {type} ({ids})", count)
    return ngettext("{n} incomplete stance(s) of type {type} ({ids})",
                    "{n} incomplete stance(s) of type {type} ({ids})", count)


_LEFTOVER_KINDS = {"R": "relation", "A": "attribute", "#": "note", "E": "event", "N": "normalization",
                   "*": "equivalence"}


class AnnReader:
    """Turns one .ann's lines (checked against `view`) into annotations on the stored text, and lines
    saying what it held that a project cannot."""

    def __init__(self, lines: list[AnnLine], view: View, stored: str, annotator: str):
        self.lines, self.view, self.stored, self.annotator = lines, view, stored, annotator
        self.leftovers: dict[tuple[str, str], list[str]] = defaultdict(list)
        self.about: dict[str, list[AnnLine]] = defaultdict(list)  # attributes and notes by target id
        self.relations_from: dict[str, list[AnnLine]] = defaultdict(list)
        for line in lines:
            if line.kind in ("A", "#"):
                self.about[line.target].append(line)
            elif line.kind == "R":
                self.relations_from[line.args.get("Arg1", "")].append(line)
        self.used: set[str] = set()  # ids of attribute, relation and note lines taken into an annotation
        triggers = {line.args["trigger"] for line in lines if line.kind == "E"}
        self.spans = {line.id: self.span(line) for line in lines if line.kind == "T" and line.id not in triggers}

    def read(self) -> tuple[list[dict], list[str], list[str]]:
        """The annotations, where each is (its T line), and what could not be represented."""
        annotations, places = [], []
        for line in self.lines:
            if line.kind == "T" and isinstance(self.spans.get(line.id), tuple):
                annotation = self.annotation(line, *self.spans[line.id])
                if annotation is not None:
                    annotations.append(annotation)
                    places.append(on_line(line.number, line.id))
        self.note_the_rest()
        return annotations, places, self.report()

    def span(self, line: AnnLine) -> tuple[int, int] | str:
        """(start, end) in the stored text, or why the T line has none: fragments separated only by line
        breaks are one span (that is how a span crossing lines is written)."""
        pieces = sorted(line.fragments)
        for (_start, end), (start, _end) in zip(pieces, pieces[1:]):
            if start < end or not set(self.view.text[end:start]) <= LINE_BREAKS:
                return "discontinuous text-bound"
        start, end = self.view.to_stored(pieces[0][0]), self.view.to_stored(pieces[-1][1])
        return (start, end) if start < end else "empty text-bound"

    def annotation(self, line: AnnLine, start: int, end: int) -> dict | None:
        layer, label = layer_and_label(line.type)
        attrs, free_note, noted_on = self.noted_attributes(line, layer)
        if layer == STANCE_LAYER:
            return self.stance(line, start, end, attrs, free_note, noted_on)
        return self.item(layer, label, start, end, attrs)

    def item(self, layer: str, label: str, start: int, end: int, attrs: dict) -> dict:
        return {"annotator": self.annotator, "layer": layer, "label": label, "start": start, "end": end,
                "attrs": attrs, "provenance": "imported"}

    def noted_attributes(self, line: AnnLine, layer: str) -> tuple[dict, str | None, AnnLine]:
        """The attributes a JSON note on the T carries, a stance's note in free text, and the line they are on."""
        notes = [note for note in self.about[line.id] if note.kind == "#"]
        if len(notes) > 1 and layer == STANCE_LAYER:
            raise BadInput(on_line(notes[1].number, _("{id} has a second note (line {line})").format(
                id=line.id, line=number(notes[0].number))))
        for note in notes:
            try:
                value = json.loads(note.value or "")
            except ValueError:
                value = None
            if isinstance(value, dict) and len(notes) == 1:
                self.used.add(note.id)
                return value, None, note
            if layer == STANCE_LAYER and note.value and note.value.strip():
                self.used.add(note.id)
                return {}, note.value.strip(), note
        return {}, None, line

    def stance(self, line: AnnLine, start: int, end: int, attrs: dict, free_note: str | None,
               noted_on: AnnLine) -> dict | None:
        attrs = map_reference_offsets(attrs, self.view.to_stored, normalise_newlines)
        if free_note is not None:
            attrs["note"] = free_note
        attrs.update(self.related(line))
        polarity = self.polarity(line)
        missing = [what for what, present in ((_("no Polarity"), polarity in POLARITIES),
                                              (_("no holder"), "holder" in attrs),
                                              (_("no target"), "target" in attrs)) if not present]
        if missing:
            self.leftovers["incomplete stance", _("Stance ({missing})").format(missing=", ".join(missing))].append(
                line.id)
            return None
        try:
            check_stance(polarity, attrs, self.stored)
        except StanceFormatError as error:
            where = line.id if noted_on is line else _("{id} (the note on {stance})").format(id=noted_on.id,
                                                                                              stance=line.id)
            raise BadInput(on_line(noted_on.number, _("{where}: {problem}").format(where=where, problem=error))) \
                from None
        return self.item(STANCE_LAYER, polarity, start, end, attrs)

    def polarity(self, line: AnnLine) -> str | None:
        polarities = [attribute for attribute in self.about[line.id]
                      if attribute.kind == "A" and attribute.type == POLARITY]
        if len(polarities) > 1:
            raise BadInput(on_line(polarities[1].number, _("{id} has a second {attribute}").format(
                id=line.id, attribute=POLARITY)))
        self.used.update(attribute.id for attribute in polarities)
        return polarities[0].value if polarities else None

    def related(self, line: AnnLine) -> dict:
        """The stance's holder and target given by its Holder and Target relations, as entity span references."""
        found: dict[str, dict] = {}
        for relation in self.relations_from[line.id]:
            role = RELATION_ROLES.get(relation.type)
            if role is None:
                continue
            if role in found:
                raise BadInput(on_line(relation.number, _("{id} has a second {type} relation").format(
                    id=line.id, type=relation.type)))
            self.used.add(relation.id)
            span = self.spans.get(relation.args.get("Arg2", ""))
            if isinstance(span, tuple):
                found[role] = {"start": span[0], "end": span[1], "text": self.stored[span[0]:span[1]]}
        return found

    def note_the_rest(self) -> None:
        """Everything not taken into an annotation, by kind and type (an event's trigger goes with the event;
        the relations, attribute and note of a stance that could not be imported go with that stance)."""
        for line in self.lines:
            if line.id in self.used:
                continue
            ident = line_number(line.number) if line.kind == "*" else line.id
            if line.kind in _LEFTOVER_KINDS:
                self.leftovers[_LEFTOVER_KINDS[line.kind], line.type].append(ident)
            elif line.kind == "T" and isinstance(self.spans.get(line.id), str):
                self.leftovers[self.spans[line.id], line.type].append(ident)

    def report(self) -> list[str]:
        return [_("{what} — {why}").format(
                    what=_leftovers_line(kind, len(ids)).format(n=number(len(ids)), type=label_of(type_name),
                                                                ids=_listed(ids)),
                    why=_(_WHY[kind]))
                for (kind, type_name), ids in self.leftovers.items()]


def _listed(ids: list[str], most: int = 5) -> str:
    if len(ids) <= most:
        return ", ".join(ids)
    more = len(ids) - most
    return ngettext("{ids} and {n} more", "{ids} and {n} more", more).format(ids=", ".join(ids[:most]), n=number(more))
