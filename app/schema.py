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

from app import i18n, packagedata
from app.i18n import N_, _, ngettext, number
from app.fsutil import atomic_write
from app.models import Annotation, Annotator, Label
from app.project import LabelDef, Project, Span, now_iso
from app.stance_format import DOC_STANCE_LAYER, STANCE_LAYER
from app.store import JsonStringAt, stored_json

ENTITY, STANCE_TARGET, BOILERPLATE = "entity", "stance_target", "boilerplate"
LAYERS = (ENTITY, STANCE_TARGET, BOILERPLATE)
#: Keys the reading pane keeps for itself, with what they do.
RESERVED_KEYS = {"S": N_("make a stance"), "B": N_("mark boilerplate")}
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
        message = (_("The key {key} is reserved to {holder}.").format(key=key, holder=_(holder)) if reserved
                   else _("The key {key} is already used by {holder}.").format(key=key, holder=holder))
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
        return ngettext("{name} ({layer}) is used by {count} annotation",
                        "{name} ({layer}) is used by {count} annotations", self.count).format(
            name=self.name, layer=self.layer, count=number(self.count))


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
            return _("{source} was not loaded: it leaves out labels that annotations use.\n{listed}\n"
                     "Add them to the file (or delete them in this project first); nothing was changed.").format(
                source=self.source, listed=listed)
        added, removed, updated = len(self.added), len(self.removed), len(self.updated)
        return _("Loaded {source}: {added}, {removed}, {changed}.").format(
            source=self.source,
            added=ngettext("{n} added", "{n} added", added).format(n=number(added)),
            removed=ngettext("{n} removed", "{n} removed", removed).format(n=number(removed)),
            changed=ngettext("{n} changed", "{n} changed", updated).format(n=number(updated)))


# ---- reading ---------------------------------------------------------------
def labels(project: Project, layer: str) -> list[LabelDef]:
    return project.labels(layer)


def get_label(project: Project, layer: str, name: str) -> LabelDef:
    found = next((label for label in project.labels(layer) if label.name == name), None)
    if found is None:
        raise UnknownLabel(_no_such_label(layer, name))
    return found


def label_position(project: Project, layer: str, name: str) -> int:
    """Where the label stands in its layer's order (0 = first)."""
    names = [label.name for label in project.labels(layer)]
    if name not in names:
        raise UnknownLabel(_no_such_label(layer, name))
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
            raise SchemaError(_used_outside_schema(layer, new, taken))
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
            raise UnknownLabel(_no_such_label(layer, name))
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
        raise SchemaError(_("A key is one letter A–Z or one digit 0–9 (not “{key}”).").format(key=key))
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
        raise SchemaFileError(_("{path}: choose a file name ending in .json or .toml.").format(path=path))
    with atomic_write(path) as handle:
        handle.write(content)


def read_schema(path: str | Path) -> dict[str, list[LabelDef]]:
    """Parse and check a schema file; SchemaFileError names the file and the problem."""
    path = Path(path)
    try:
        raw = path.read_bytes().decode("utf-8")
    except OSError as error:
        raise SchemaFileError(_("{path}: cannot be read ({reason}).").format(
            path=path, reason=error.strerror or error)) from error
    except UnicodeDecodeError as error:
        raise SchemaFileError(_("{path}: is not UTF-8 text.").format(path=path)) from error
    return _checked_schema(_parse(path, raw), path)


def load_schema(project: Project, path: str | Path) -> SchemaLoadReport:
    """Replace the project's schema for the layers in the file, unless that would orphan annotations."""
    return replace_schema(project, read_schema(path), source=str(path))


def replace_schema(project: Project, schema: dict[str, list[LabelDef]], source: str | None = None) -> SchemaLoadReport:
    """Make each given layer exactly the given labels, in that order; refused (report.conflicts) if
    annotations use a label that would go. One transaction: all layers or none. `source`: how the
    report names where the schema came from ("the schema" when not given)."""
    report = SchemaLoadReport(_("the schema") if source is None else source)
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
# The guidelines a project shows until someone edits them, in the interface's language.
DEFAULT_GUIDELINES = {"en": "guidelines.md", "ar": "guidelines_ar.md"}


def default_guidelines(language: str | None = None) -> str:
    return packagedata.resource_text(DEFAULT_GUIDELINES[language or i18n.language()])


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
            and_(Annotation.layer == STANCE_LAYER, _target_at(STANCE_LAYER) == name),
            and_(Annotation.layer == DOC_STANCE_LAYER, _target_at(DOC_STANCE_LAYER) == name),
        )
    return and_(Annotation.layer == layer, Annotation.label == name)


# Where a stance names its target in its attributes: a span stance under target.target, a document stance
# under target. Only a string there names a listed target (a span target is an object).
TARGET_KEYS = {STANCE_LAYER: ("target", "target"), DOC_STANCE_LAYER: ("target",)}


def _target_at(layer: str):
    return JsonStringAt(Annotation.attrs, *TARGET_KEYS[layer])


def _count_uses(session: Session, layer: str, name: str) -> int:
    return session.scalar(select(func.count()).select_from(Annotation).where(_uses(layer, name)))


def _usage_counts(session: Session, layer: str) -> dict[str, int]:
    if layer != STANCE_TARGET:
        query = (select(Annotation.label, func.count()).where(Annotation.layer == layer)
                 .group_by(Annotation.label))
        return dict(session.execute(query).all())
    counts: dict[str, int] = {}
    for stance_layer in (STANCE_LAYER, DOC_STANCE_LAYER):
        name = _target_at(stance_layer)
        query = (select(name, func.count()).where(Annotation.layer == stance_layer, name.is_not(None))
                 .group_by(name))
        for target, count in session.execute(query):
            counts[target] = counts.get(target, 0) + count
    return counts


def _rename_uses(session: Session, layer: str, old: str, new: str) -> int:
    stamp = now_iso()
    if layer != STANCE_TARGET:
        result = session.execute(update(Annotation).where(_uses(layer, old)).values(label=new, updated_at=stamp),
                                 execution_options=_NO_ORM_SYNC)
        return result.rowcount
    changed = 0
    for stance_layer in (STANCE_LAYER, DOC_STANCE_LAYER):
        # Read, changed here, written back: the same on both databases (their JSON-editing functions differ).
        found = session.execute(select(Annotation.id, Annotation.attrs).where(
            Annotation.layer == stance_layer, _target_at(stance_layer) == old)).all()
        for annotation_id, attrs in found:
            *path, last = TARGET_KEYS[stance_layer]
            inner = attrs
            for key in path:
                inner = inner[key]
            inner[last] = new
            session.execute(update(Annotation).where(Annotation.id == annotation_id)
                            .values(attrs=attrs, updated_at=stamp), execution_options=_NO_ORM_SYNC)
        changed += len(found)
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
    return [Span(*row[:6], stored_json(row[6]) or {}, *row[7:]) for row in session.execute(query)]


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
        raise UnknownLabel(_no_such_label(layer, name))
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
        raise SchemaError(_name_taken(layer, name))


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
        raise SchemaError(_("A label needs a name."))
    return name


def _checked_color(color: str) -> str:
    if not isinstance(color, str) or not _COLOR.fullmatch(color.strip()):
        raise SchemaError(_("A colour is written #rrggbb (not “{color}”).").format(color=color))
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
            raise SchemaFileError(_("{path}: is nested too deeply to be a schema file.").format(path=path)) from None
        except json.JSONDecodeError as error:
            raise SchemaFileError(_("{path}: is not valid JSON (line {line}, column {column}: {reason}).").format(
                path=path, line=number(error.lineno), column=number(error.colno), reason=error.msg)) from error
    if suffix == ".toml":
        try:
            return tomllib.loads(raw)
        except tomllib.TOMLDecodeError as error:
            raise SchemaFileError(_("{path}: is not valid TOML ({reason}).").format(path=path, reason=error)) from error
    raise SchemaFileError(_("{path}: a schema file is .json or .toml.").format(path=path))


def _checked_schema(data: Any, path: Path) -> dict[str, list[LabelDef]]:
    if not isinstance(data, dict):
        raise SchemaFileError(_("{path}: expected a table of layers ({layers}).").format(
            path=path, layers=", ".join(LAYERS)))
    schema = {}
    for layer, items in data.items():
        if layer.startswith("_"):  # "_comment" keys: JSON has no comments
            continue
        if layer not in LAYERS:
            raise SchemaFileError(_("{path}: unknown layer “{layer}” (expected {layers}).").format(
                path=path, layer=layer, layers=", ".join(LAYERS)))
        if not isinstance(items, list):
            raise SchemaFileError(_("{path}: {layer} must be a list of labels.").format(path=path, layer=layer))
        schema[layer] = _checked_layer(path, layer, items)
    if not schema:
        raise SchemaFileError(_("{path}: holds no layer ({layers}).").format(path=path, layers=", ".join(LAYERS)))
    return schema


def _checked_layer(path: Path, layer: str, items: list) -> list[LabelDef]:
    found: list[LabelDef] = []
    for position, item in enumerate(items, start=1):
        where = {"path": path, "layer": layer, "entry": number(position)}
        if not isinstance(item, dict):
            raise SchemaFileError(_("{path}: {layer} entry {entry} is not a table of {fields}.").format(
                **where, fields=", ".join(FIELDS)))
        unknown = sorted(set(item) - set(FIELDS))
        if unknown:
            raise SchemaFileError(ngettext(
                "{path}: {layer} entry {entry} has unknown field(s) {unknown} (expected {fields}).",
                "{path}: {layer} entry {entry} has unknown field(s) {unknown} (expected {fields}).",
                len(unknown)).format(**where, unknown=", ".join(unknown), fields=", ".join(FIELDS)))
        label = _checked_item(where, layer, item)
        _check_against(path, layer, label, found)
        found.append(label)
    return found


def _checked_item(where: dict, layer: str, item: dict) -> LabelDef:
    """`where`: the path, layer and entry number the messages name."""
    name = item.get("name")
    if not isinstance(name, str) or not name.strip():
        raise SchemaFileError(_("{path}: {layer} entry {entry} has no name.").format(**where))
    for key in ("color", "shortcut", "description"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise SchemaFileError(_("{path}: {layer} entry {entry} ({name}): {key} must be text.").format(
                **where, name=name, key=key))
    try:
        return _cleaned(LabelDef(layer, name, item.get("color") or DEFAULT_COLOR, item.get("shortcut"),
                                 item.get("description") or ""))
    except SchemaError as error:
        raise SchemaFileError(_("{path}: {layer} entry {entry} ({name}): {problem}").format(
            **where, name=name, problem=error)) from error


def _check_against(path: Path, layer: str, label: LabelDef, earlier: list[LabelDef]) -> None:
    if any(other.name == label.name for other in earlier):
        raise SchemaFileError(_("{path}: {layer} lists {name} twice.").format(path=path, layer=layer, name=label.name))
    key = label.shortcut
    clash = None
    if key in RESERVED_KEYS:
        clash = ShortcutClash(key, RESERVED_KEYS[key], reserved=True)
    elif key and any(other.shortcut == key for other in earlier):
        clash = ShortcutClash(key, next(other.name for other in earlier if other.shortcut == key))
    if clash:
        raise SchemaFileError(_("{path}: {layer} {name}: {problem}").format(
            path=path, layer=layer, name=label.name, problem=clash))


# ---- wording -------------------------------------------------------------------------
LAYER_WORDS = {ENTITY: N_("entity type"), STANCE_TARGET: N_("stance target"), BOILERPLATE: N_("boilerplate category")}


def layer_word(layer: str) -> str:
    """What one label of the layer is called, in the interface's language: "entity type", "stance target", …"""
    if layer in LAYER_WORDS:
        return _(LAYER_WORDS[layer])
    return _("{layer} label").format(layer=layer)


def _vowel(layer: str) -> bool:
    """Whether English writes "an" before "<layer> label" (a layer outside LAYERS, from a merged project)."""
    return layer[:1] in tuple("aeiou")


def _no_such_label(layer: str, name: str) -> str:
    if layer == ENTITY:
        message = _("There is no entity type called {name}.")
    elif layer == STANCE_TARGET:
        message = _("There is no stance target called {name}.")
    elif layer == BOILERPLATE:
        message = _("There is no boilerplate category called {name}.")
    else:
        message = _("There is no {layer} label called {name}.")
    return message.format(name=name, layer=layer)


def _name_taken(layer: str, name: str) -> str:
    if layer == ENTITY:
        message = _("There is already an entity type called {name}.")
    elif layer == STANCE_TARGET:
        message = _("There is already a stance target called {name}.")
    elif layer == BOILERPLATE:
        message = _("There is already a boilerplate category called {name}.")
    elif _vowel(layer):
        message = _("There is already an {layer} label called {name}.")
    else:
        message = _("There is already a {layer} label called {name}.")
    return message.format(name=name, layer=layer)


def _used_outside_schema(layer: str, name: str, count: int) -> str:
    """Renaming to a name that annotations use although the schema lacks it."""
    if layer == ENTITY:
        message = ngettext("{name} is already used by {count} annotation without being in the schema; "
                           "add it as an entity type instead.",
                           "{name} is already used by {count} annotations without being in the schema; "
                           "add it as an entity type instead.", count)
    elif layer == STANCE_TARGET:
        message = ngettext("{name} is already used by {count} annotation without being in the schema; "
                           "add it as a stance target instead.",
                           "{name} is already used by {count} annotations without being in the schema; "
                           "add it as a stance target instead.", count)
    elif layer == BOILERPLATE:
        message = ngettext("{name} is already used by {count} annotation without being in the schema; "
                           "add it as a boilerplate category instead.",
                           "{name} is already used by {count} annotations without being in the schema; "
                           "add it as a boilerplate category instead.", count)
    elif _vowel(layer):
        message = ngettext("{name} is already used by {count} annotation without being in the schema; "
                           "add it as an {layer} label instead.",
                           "{name} is already used by {count} annotations without being in the schema; "
                           "add it as an {layer} label instead.", count)
    else:
        message = ngettext("{name} is already used by {count} annotation without being in the schema; "
                           "add it as a {layer} label instead.",
                           "{name} is already used by {count} annotations without being in the schema; "
                           "add it as a {layer} label instead.", count)
    return message.format(name=name, count=number(count), layer=layer)


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
