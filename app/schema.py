"""The label schema: entity types, stance targets and boilerplate categories.

Every write here is one transaction: a rename or a delete changes the label and
every annotation that uses it together, so a project is never half-renamed.
Schema files (JSON or TOML) carry the schema from one project to another.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import String, and_, delete, func, insert, or_, select, type_coerce, update
from sqlalchemy.orm import Session

from app import packagedata
from app.fsutil import atomic_write
from app.models import Annotation, Annotator, Label
from app.project import LabelDef, Project, Span, now_iso
from app.stance_format import DOC_STANCE_LAYER, STANCE_LAYER

ENTITY, STANCE_TARGET, BOILERPLATE = "entity", "stance_target", "boilerplate"
LAYERS = (ENTITY, STANCE_TARGET, BOILERPLATE)
#: Keys the reading pane keeps for itself, with what they do.
RESERVED_KEYS = {"S": "make a stance", "B": "mark boilerplate"}
FIELDS = ("name", "color", "shortcut", "description")
DEFAULT_COLOR = "#a9a9a9"
GUIDELINES_KEY = "guidelines"

_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
# Bulk statements on annotations: none are loaded in the session, so there is nothing to keep in step.
_NO_ORM_SYNC = {"synchronize_session": False}
_KEY = re.compile(r"[A-Z0-9]")


class SchemaError(ValueError):
    """A schema change that would break a rule; the message says which, for the analyst."""


class ShortcutClash(SchemaError):
    """The key is taken: by another label of the layer, or reserved (`holder` says by what)."""

    def __init__(self, key: str, holder: str, reserved: bool = False):
        self.key, self.holder, self.reserved = key, holder, reserved
        message = (f"The key {key} is reserved to {holder}." if reserved
                   else f"The key {key} is already used by {holder}.")
        super().__init__(message)


class UnknownLabel(SchemaError):
    """No label of that name in the layer (another window may have renamed or deleted it)."""


class SchemaFileError(SchemaError):
    """A schema file that cannot be read or is not valid; the message names the file."""


@dataclass(frozen=True)
class Conflict:
    """A label that annotations use but a schema file leaves out."""

    layer: str
    name: str
    count: int

    def __str__(self) -> str:
        return f"{self.name} ({self.layer}) is used by {_annotations(self.count)}"


@dataclass
class SchemaLoadReport:
    source: str
    conflicts: list[Conflict] = field(default_factory=list)
    added: list[tuple[str, str]] = field(default_factory=list)
    removed: list[tuple[str, str]] = field(default_factory=list)
    updated: list[tuple[str, str]] = field(default_factory=list)

    @property
    def applied(self) -> bool:
        return not self.conflicts

    def summary(self) -> str:
        if self.conflicts:
            listed = "\n".join(f"• {conflict}" for conflict in self.conflicts)
            return (f"{self.source} was not loaded: it leaves out labels that annotations use.\n{listed}\n"
                    "Add them to the file (or delete them in this project first); nothing was changed.")
        parts = [f"{len(self.added)} added", f"{len(self.removed)} removed", f"{len(self.updated)} changed"]
        return f"Loaded {self.source}: " + ", ".join(parts) + "."


# ---- reading ---------------------------------------------------------------
def labels(project: Project, layer: str) -> list[LabelDef]:
    return project.labels(layer)


def get_label(project: Project, layer: str, name: str) -> LabelDef:
    found = next((label for label in project.labels(layer) if label.name == name), None)
    if found is None:
        raise UnknownLabel(f"There is no {layer_word(layer)} called {name}.")
    return found


def label_position(project: Project, layer: str, name: str) -> int:
    """Where the label stands in its layer's order (0 = first)."""
    names = [label.name for label in project.labels(layer)]
    if name not in names:
        raise UnknownLabel(f"There is no {layer_word(layer)} called {name}.")
    return names.index(name)


def usage_count(project: Project, layer: str, name: str) -> int:
    with project.session() as session:
        return _count_uses(session, layer, name)


def usage_counts(project: Project, layer: str) -> dict[str, int]:
    """How many annotations use each name of the layer (names only annotations know included)."""
    with project.session() as session:
        return _usage_counts(session, layer)


# ---- editing ---------------------------------------------------------------
def add_label(project: Project, label: LabelDef) -> LabelDef:
    """Append a label to its layer; returns it as stored (name trimmed, key upper-case)."""
    label = _cleaned(label)
    with project.session.begin() as session:
        _check_name_free(session, label.layer, label.name)
        _check_shortcut(session, label.layer, label.shortcut)
        last = session.scalar(select(func.max(Label.position)).where(Label.layer == label.layer))
        session.execute(insert(Label).values(**_row(label), position=0 if last is None else last + 1))
    return label


def update_label(project: Project, layer: str, name: str, *, color: str | None = None,
                 shortcut: str | None = None, description: str | None = None) -> LabelDef:
    """Change what is given; None leaves a field as it is, shortcut="" removes the key."""
    with project.session.begin() as session:
        row = _label_row(session, layer, name)
        if color is not None:
            row.color = _checked_color(color)
        if shortcut is not None:
            row.shortcut = normalise_shortcut(shortcut)
            _check_shortcut(session, layer, row.shortcut, owner=name)
        if description is not None:
            row.description = description.strip()
        return _label_def(row)


def rename_label(project: Project, layer: str, old: str, new: str) -> int:
    """Rename the label and every annotation that uses it; returns how many annotations changed."""
    new = _checked_name(new)
    with project.session.begin() as session:
        row = _label_row(session, layer, old)
        if new == old:
            return 0
        _check_name_free(session, layer, new)
        # Otherwise renaming back (undo) could not tell the two groups of annotations apart.
        taken = _count_uses(session, layer, new)
        if taken:
            raise SchemaError(f"{new} is already used by {_annotations(taken)} without being in the "
                              f"schema; add it as {_with_article(layer)} instead.")
        row.name = new
        return _rename_uses(session, layer, old, new)


def delete_label(project: Project, layer: str, name: str) -> list[Span]:
    """Delete the label and the annotations that use it; returns them, so an undo can restore them."""
    with project.session.begin() as session:
        row = _label_row(session, layer, name)
        spans = _spans_using(session, layer, name)
        session.execute(delete(Annotation).where(_uses(layer, name)), execution_options=_NO_ORM_SYNC)
        session.delete(row)
    return spans


def restore_label(project: Project, label: LabelDef, position: int, spans: Iterable[Span] = ()) -> None:
    """Put a deleted label back at `position` with its annotations (same uids), in one transaction."""
    spans = list(spans)
    # Looked up first: creating an annotator is a write of its own.
    annotator_ids = {name: project.annotator_id(name) for name in {s.annotator for s in spans}}
    label = _cleaned(label)
    with project.session.begin() as session:
        _check_name_free(session, label.layer, label.name)
        _check_shortcut(session, label.layer, label.shortcut)
        session.execute(insert(Label).values(**_row(label), position=0))
        names = [n for n in _ordered_names(session, label.layer) if n != label.name]
        names.insert(max(0, min(position, len(names))), label.name)
        _renumber(session, label.layer, names)
        if spans:
            session.execute(insert(Annotation), [_annotation_row(s, annotator_ids[s.annotator]) for s in spans])


def move_label(project: Project, layer: str, name: str, step: int) -> int:
    """Move a label `step` places (negative: up); returns its new position."""
    with project.session.begin() as session:
        names = _ordered_names(session, layer)
        if name not in names:
            raise UnknownLabel(f"There is no {layer_word(layer)} called {name}.")
        target = max(0, min(names.index(name) + step, len(names) - 1))
        names.remove(name)
        names.insert(target, name)
        _renumber(session, layer, names)
    return target


# ---- shortcuts ---------------------------------------------------------------
def normalise_shortcut(key: str | None) -> str | None:
    """A key is one letter A–Z or digit 0–9, stored upper-case; empty means none."""
    key = (key or "").strip().upper()
    if not key:
        return None
    if not _KEY.fullmatch(key):
        raise SchemaError(f"A key is one letter A–Z or one digit 0–9 (not “{key}”).")
    return key


def suggest_shortcut(project: Project, layer: str, name: str) -> str | None:
    """The first letter or digit of the name that is still free in the layer, if any."""
    taken = {label.shortcut for label in project.labels(layer)} | set(RESERVED_KEYS)
    return next((char for char in name.upper() if _KEY.fullmatch(char) and char not in taken), None)


# ---- schema files ------------------------------------------------------------
def schema_to_dict(project: Project) -> dict[str, list[dict[str, Any]]]:
    """Every layer, in palette order: the form schema files hold."""
    with project.session() as session:
        present = set(session.scalars(select(Label.layer).distinct()))
    layers = [*LAYERS, *sorted(present - set(LAYERS))]
    return {layer: [_label_dict(label) for label in project.labels(layer)] for layer in layers}


def save_schema(project: Project, path: str | Path) -> None:
    path = Path(path)
    data = schema_to_dict(project)
    suffix = path.suffix.lower()
    if suffix == ".json":
        content = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    elif suffix == ".toml":
        content = to_toml(data)
    else:
        raise SchemaFileError(f"{path}: choose a file name ending in .json or .toml.")
    with atomic_write(path) as handle:
        handle.write(content)


def read_schema(path: str | Path) -> dict[str, list[LabelDef]]:
    """Parse and check a schema file; SchemaFileError names the file and the problem."""
    path = Path(path)
    try:
        raw = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise SchemaFileError(f"{path}: cannot be read ({error.strerror or error}).") from error
    except UnicodeDecodeError as error:
        raise SchemaFileError(f"{path}: is not UTF-8 text.") from error
    return _checked_schema(_parse(path, raw), path)


def load_schema(project: Project, path: str | Path) -> SchemaLoadReport:
    """Replace the project's schema for the layers in the file, unless that would orphan annotations."""
    return replace_schema(project, read_schema(path), source=str(path))


def replace_schema(project: Project, schema: dict[str, list[LabelDef]], source: str = "the schema") -> SchemaLoadReport:
    """Make each given layer exactly the given labels, in that order; refused (report.conflicts) if
    annotations use a label that would go. One transaction: all layers or none."""
    report = SchemaLoadReport(source)
    with project.session.begin() as session:
        report.conflicts = _conflicts(session, schema)
        if report.conflicts:
            return report
        for layer, wanted in schema.items():
            _replace_layer(session, layer, [_cleaned(label) for label in wanted], report)
    return report


def to_toml(schema: dict[str, list[dict[str, Any]]]) -> str:
    """A small TOML writer for schema files: an array of tables per layer (TOML has no null: no key, no line)."""
    lines = ["# Hashiya label schema: one table per label, in palette order."]
    # Plain keys must come before the first table header.
    lines += [f"{layer} = []" for layer, items in schema.items() if not items]
    for layer, items in schema.items():
        for item in items:
            lines += ["", f"[[{layer}]]"]
            lines += [f"{key} = {_toml_string(str(item[key]))}" for key in FIELDS if item.get(key) is not None]
    return "\n".join(lines) + "\n"


# ---- guidelines ----------------------------------------------------------------
def default_guidelines() -> str:
    return packagedata.resource_text("guidelines.md")


def guidelines(project: Project) -> str:
    stored = project.info(GUIDELINES_KEY)
    return default_guidelines() if stored is None else stored


def set_guidelines(project: Project, text: str) -> None:
    project.set_info(GUIDELINES_KEY, text)


# ---- which annotations use a label ----------------------------------------------
def _uses(layer: str, name: str):
    """The annotations that refer to `name` of `layer` (targets live in stance attributes)."""
    if layer == STANCE_TARGET:
        return or_(
            and_(Annotation.layer == STANCE_LAYER, _json_at(Annotation.attrs, "$.target.target") == name),
            and_(Annotation.layer == DOC_STANCE_LAYER, _json_at(Annotation.attrs, "$.target") == name),
        )
    return and_(Annotation.layer == layer, Annotation.label == name)


def _json_at(column, json_path: str):
    # type_coerce: hand SQLite the stored JSON text, not a value SQLAlchemy would serialise again.
    return func.json_extract(type_coerce(column, String), json_path)


def _count_uses(session: Session, layer: str, name: str) -> int:
    return session.scalar(select(func.count()).select_from(Annotation).where(_uses(layer, name)))


def _usage_counts(session: Session, layer: str) -> dict[str, int]:
    if layer != STANCE_TARGET:
        query = (select(Annotation.label, func.count()).where(Annotation.layer == layer)
                 .group_by(Annotation.label))
        return dict(session.execute(query).all())
    counts: dict[str, int] = {}
    for stance_layer, json_path in ((STANCE_LAYER, "$.target.target"), (DOC_STANCE_LAYER, "$.target")):
        name = _json_at(Annotation.attrs, json_path)
        query = (select(name, func.count()).where(Annotation.layer == stance_layer, name.is_not(None))
                 .group_by(name))
        for target, count in session.execute(query):
            if isinstance(target, str):  # a span target (an object) is not a list target
                counts[target] = counts.get(target, 0) + count
    return counts


def _rename_uses(session: Session, layer: str, old: str, new: str) -> int:
    stamp = now_iso()
    if layer != STANCE_TARGET:
        result = session.execute(update(Annotation).where(_uses(layer, old)).values(label=new, updated_at=stamp),
                                 execution_options=_NO_ORM_SYNC)
        return result.rowcount
    changed = 0
    for stance_layer, json_path in ((STANCE_LAYER, "$.target.target"), (DOC_STANCE_LAYER, "$.target")):
        attrs = type_coerce(Annotation.attrs, String)
        result = session.execute(
            update(Annotation)
            .where(Annotation.layer == stance_layer, _json_at(Annotation.attrs, json_path) == old)
            .values(attrs=type_coerce(func.json_set(attrs, json_path, new), String), updated_at=stamp),
            execution_options=_NO_ORM_SYNC,
        )
        changed += result.rowcount
    return changed


def _spans_using(session: Session, layer: str, name: str) -> list[Span]:
    query = (
        select(Annotation.document_id, Annotator.name, Annotation.layer, Annotation.label, Annotation.start,
               Annotation.end, type_coerce(Annotation.attrs, String), Annotation.provenance, Annotation.uid,
               Annotation.created_at, Annotation.updated_at)
        .join(Annotator, Annotator.id == Annotation.annotator_id)
        .where(_uses(layer, name))
        .order_by(Annotation.id)
    )
    return [Span(*row[:6], json.loads(row[6] or "{}"), *row[7:]) for row in session.execute(query)]


def _annotation_row(span: Span, annotator_id: int) -> dict[str, Any]:
    return {
        "uid": span.uid, "document_id": span.document_id, "annotator_id": annotator_id,
        "layer": span.layer, "label": span.label, "start": span.start, "end": span.end,
        "attrs": span.attrs, "provenance": span.provenance,
        "created_at": span.created_at or now_iso(), "updated_at": span.updated_at or now_iso(),
    }


# ---- label rows ------------------------------------------------------------------
def _label_row(session: Session, layer: str, name: str) -> Label:
    row = session.scalar(select(Label).where(Label.layer == layer, Label.name == name))
    if row is None:
        raise UnknownLabel(f"There is no {layer_word(layer)} called {name}.")
    return row


def _label_def(row: Label) -> LabelDef:
    return LabelDef(row.layer, row.name, row.color, row.shortcut, row.description)


def _row(label: LabelDef) -> dict[str, Any]:
    return {"layer": label.layer, "name": label.name, "color": label.color,
            "shortcut": label.shortcut, "description": label.description}


def _label_dict(label: LabelDef) -> dict[str, Any]:
    return {"name": label.name, "color": label.color, "shortcut": label.shortcut, "description": label.description}


def _ordered_names(session: Session, layer: str) -> list[str]:
    return list(session.scalars(select(Label.name).where(Label.layer == layer).order_by(Label.position, Label.id)))


def _renumber(session: Session, layer: str, names: list[str]) -> None:
    for position, name in enumerate(names):
        session.execute(update(Label).where(Label.layer == layer, Label.name == name).values(position=position))


def _check_name_free(session: Session, layer: str, name: str) -> None:
    if session.scalar(select(Label.id).where(Label.layer == layer, Label.name == name)) is not None:
        raise SchemaError(f"There is already {_with_article(layer)} called {name}.")


def _check_shortcut(session: Session, layer: str, key: str | None, owner: str | None = None) -> None:
    if key is None:
        return
    if key in RESERVED_KEYS:
        raise ShortcutClash(key, RESERVED_KEYS[key], reserved=True)
    holder = session.scalar(select(Label.name).where(Label.layer == layer, Label.shortcut == key,
                                                     Label.name != (owner or "")))
    if holder is not None:
        raise ShortcutClash(key, holder)


def _cleaned(label: LabelDef) -> LabelDef:
    return LabelDef(label.layer, _checked_name(label.name), _checked_color(label.color),
                    normalise_shortcut(label.shortcut), (label.description or "").strip())


def _checked_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise SchemaError("A label needs a name.")
    return name


def _checked_color(color: str) -> str:
    if not isinstance(color, str) or not _COLOR.fullmatch(color.strip()):
        raise SchemaError(f"A colour is written #rrggbb (not “{color}”).")
    return color.strip().lower()


def _replace_layer(session: Session, layer: str, wanted: list[LabelDef], report: SchemaLoadReport) -> None:
    existing = {row.name: row for row in session.scalars(select(Label).where(Label.layer == layer))}
    order = _ordered_names(session, layer)
    before = {name: (row.color, row.shortcut, row.description, order.index(name)) for name, row in existing.items()}
    names = {label.name for label in wanted}
    for name in [n for n in order if n not in names]:
        session.delete(existing.pop(name))
        report.removed.append((layer, name))
    # No uniqueness on keys in the table, so two labels may swap keys within the one transaction.
    for position, label in enumerate(wanted):
        row = existing.get(label.name)
        if row is None:
            session.add(Label(**_row(label), position=position))
            report.added.append((layer, label.name))
            continue
        if before[label.name] != (label.color, label.shortcut, label.description, position):
            report.updated.append((layer, label.name))
        row.color, row.shortcut, row.description, row.position = (
            label.color, label.shortcut, label.description, position)


def _conflicts(session: Session, schema: dict[str, list[LabelDef]]) -> list[Conflict]:
    conflicts = []
    for layer, wanted in schema.items():
        names = {label.name for label in wanted}
        conflicts += [Conflict(layer, name, count) for name, count in sorted(_usage_counts(session, layer).items())
                      if name not in names and count]
    return conflicts


# ---- parsing and checking schema files ---------------------------------------------
def _parse(path: Path, raw: str) -> Any:
    suffix = path.suffix.lower()
    if suffix == ".json":
        try:
            return json.loads(raw)
        except RecursionError:
            raise SchemaFileError(f"{path}: is nested too deeply to be a schema file.") from None
        except json.JSONDecodeError as error:
            raise SchemaFileError(f"{path}: is not valid JSON (line {error.lineno}, column {error.colno}: "
                                  f"{error.msg}).") from error
    if suffix == ".toml":
        try:
            return tomllib.loads(raw)
        except tomllib.TOMLDecodeError as error:
            raise SchemaFileError(f"{path}: is not valid TOML ({error}).") from error
    raise SchemaFileError(f"{path}: a schema file is .json or .toml.")


def _checked_schema(data: Any, path: Path) -> dict[str, list[LabelDef]]:
    if not isinstance(data, dict):
        raise SchemaFileError(f"{path}: expected a table of layers ({', '.join(LAYERS)}).")
    schema = {}
    for layer, items in data.items():
        if layer.startswith("_"):  # "_comment" keys: JSON has no comments
            continue
        if layer not in LAYERS:
            raise SchemaFileError(f"{path}: unknown layer “{layer}” (expected {', '.join(LAYERS)}).")
        if not isinstance(items, list):
            raise SchemaFileError(f"{path}: {layer} must be a list of labels.")
        schema[layer] = _checked_layer(path, layer, items)
    if not schema:
        raise SchemaFileError(f"{path}: holds no layer ({', '.join(LAYERS)}).")
    return schema


def _checked_layer(path: Path, layer: str, items: list) -> list[LabelDef]:
    found: list[LabelDef] = []
    for number, item in enumerate(items, start=1):
        where = f"{path}: {layer} entry {number}"
        if not isinstance(item, dict):
            raise SchemaFileError(f"{where} is not a table of {', '.join(FIELDS)}.")
        unknown = sorted(set(item) - set(FIELDS))
        if unknown:
            raise SchemaFileError(f"{where} has unknown field(s) {', '.join(unknown)} (expected {', '.join(FIELDS)}).")
        label = _checked_item(where, layer, item)
        _check_against(path, layer, label, found)
        found.append(label)
    return found


def _checked_item(where: str, layer: str, item: dict) -> LabelDef:
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SchemaFileError(f"{where} has no name.")
    for key in ("color", "shortcut", "description"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise SchemaFileError(f"{where} ({name}): {key} must be text.")
    try:
        return _cleaned(LabelDef(layer, name, item.get("color") or DEFAULT_COLOR, item.get("shortcut"),
                                 item.get("description") or ""))
    except SchemaError as error:
        raise SchemaFileError(f"{where} ({name}): {error}") from error


def _check_against(path: Path, layer: str, label: LabelDef, earlier: list[LabelDef]) -> None:
    if any(other.name == label.name for other in earlier):
        raise SchemaFileError(f"{path}: {layer} lists {label.name} twice.")
    key = label.shortcut
    clash = None
    if key in RESERVED_KEYS:
        clash = ShortcutClash(key, RESERVED_KEYS[key], reserved=True)
    elif key and any(other.shortcut == key for other in earlier):
        clash = ShortcutClash(key, next(other.name for other in earlier if other.shortcut == key))
    if clash:
        raise SchemaFileError(f"{path}: {layer} {label.name}: {clash}")


# ---- wording -------------------------------------------------------------------------
LAYER_WORDS = {ENTITY: "entity type", STANCE_TARGET: "stance target", BOILERPLATE: "boilerplate category"}


def layer_word(layer: str) -> str:
    """What one label of the layer is called: "entity type", "stance target", …"""
    return LAYER_WORDS.get(layer, f"{layer} label")


def _with_article(layer: str) -> str:
    word = layer_word(layer)
    return f"an {word}" if word[0] in "aeiou" else f"a {word}"


def _annotations(count: int) -> str:
    return f"{count} annotation" if count == 1 else f"{count} annotations"


def _toml_string(value: str) -> str:
    escapes = {"\\": "\\\\", '"': '\\"', "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    out = []
    for char in value:
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
