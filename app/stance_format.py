"""Stance annotations as stored and exchanged (see docs/stance-format.md).

No Qt here: this module is used by the importer, the exporter and the UI alike.
The checks raise StanceFormatError with a message that names the offending
field; the importer prefixes it with the line and annotation.
"""

from __future__ import annotations

from typing import Any

from app.i18n import N_, _, ngettext, number

STANCE_LAYER = "stance"
DOC_STANCE_LAYER = "doc_stance"
STANCE_LAYERS = (STANCE_LAYER, DOC_STANCE_LAYER)

#: Polarities of a span stance.
POLARITIES = ("FAVOR", "AGAINST", "NEUTRAL")
#: Polarities of a document stance; NONE means "not addressed", chosen explicitly.
DOC_POLARITIES = POLARITIES + ("NONE",)

# The shapes a holder or a target reference may take, by their keys.
SPAN, ARTICLE, FREE_TEXT, LIST_TARGET = "entity span", "the article", "free text", "target from the list"
HOLDER_SHAPES = (SPAN, ARTICLE, FREE_TEXT)
TARGET_SHAPES = (LIST_TARGET, SPAN)
_SHAPE_FORMS = {  # shown in messages, as _(…)
    SPAN: N_('{"start", "end", "text"} (an entity span)'),
    ARTICLE: N_('{"text", "article": true} (the article)'),
    FREE_TEXT: N_('{"text"} (free text)'),
    LIST_TARGET: N_('{"target": NAME} (a target from the list)'),
}
MAX_ID_CHARS = 36


class StanceFormatError(ValueError):
    """A stance annotation does not follow docs/stance-format.md."""


def reference_shape(reference: Any) -> str | None:
    """Which shape a holder/target reference has, judged by its keys; None if it has none of them."""
    if not isinstance(reference, dict):
        return None
    keys = set(reference)
    if {"start", "end", "text"} <= keys <= {"start", "end", "text", "id"}:
        return SPAN
    return {frozenset({"text", "article"}): ARTICLE, frozenset({"text"}): FREE_TEXT,
            frozenset({"target"}): LIST_TARGET}.get(frozenset(keys))


def check_stance(label: Any, attrs: dict, text: str) -> None:
    """A span stance ("stance" layer); its own evidence offsets are checked like any span's."""
    if label not in POLARITIES:
        raise StanceFormatError(_('"label" of a stance must be {values}, not {label}').format(
            values=_one_of(POLARITIES), label=repr(label)))
    check_reference("holder", attrs.get("holder"), text, HOLDER_SHAPES)
    check_reference("target", attrs.get("target"), text, TARGET_SHAPES)
    _check_note(attrs)


def check_doc_stance(label: Any, start: Any, end: Any, attrs: dict) -> None:
    """A document stance ("doc_stance" layer): about the whole document, so no offsets."""
    if start is not None or end is not None:
        raise StanceFormatError(_('a doc_stance is about the whole document: it has no "start" or "end"'))
    if label not in DOC_POLARITIES:
        raise StanceFormatError(_('"label" of a doc_stance must be {values}, not {label}').format(
            values=_one_of(DOC_POLARITIES), label=repr(label)))
    target = attrs.get("target")
    if not isinstance(target, str) or not target.strip():
        raise StanceFormatError(_('"attrs.target" of a doc_stance must be a non-empty string (the target\'s name)'))
    _check_string(target, '"attrs.target"')
    _check_note(attrs)


def check_reference(role: str, reference: Any, text: str, allowed: tuple[str, ...]) -> None:
    field = f'"attrs.{role}"'
    if reference is None:
        raise StanceFormatError(_("{field} is missing").format(field=field))
    shape = reference_shape(reference)
    if shape not in allowed:
        forms = _any_of([_(_SHAPE_FORMS[s]) for s in allowed])
        found = (_("keys {keys}").format(keys=sorted(reference)) if isinstance(reference, dict)
                 else repr(reference))
        raise StanceFormatError(_("{field} must be {forms}; got {found}").format(field=field, forms=forms, found=found))
    if shape == SPAN:
        _check_span_reference(field, reference, text)
    elif shape == LIST_TARGET:
        _check_nonempty(reference["target"], f'{field} "target"')
    else:
        _check_nonempty(reference["text"], f'{field} "text"')
        if shape == ARTICLE and reference["article"] is not True:
            raise StanceFormatError(_('{field} "article" must be true').format(field=field))


def _check_span_reference(field: str, reference: dict, text: str) -> None:
    start, end, quoted = reference["start"], reference["end"], reference["text"]
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
        raise StanceFormatError(_('{field} "start" and "end" must be integers').format(field=field))
    if not 0 <= start < end <= len(text):
        raise StanceFormatError(_("{field} offsets {start}–{end} fall outside the text (length {length})").format(
            field=field, start=number(start), end=number(end), length=number(len(text))))
    if not isinstance(quoted, str):
        raise StanceFormatError(_('{field} "text" must be a string').format(field=field))
    if quoted != text[start:end]:
        message = _('{field} "text" {quoted} is not the text at {start}–{end}, which is {actual}')
        raise StanceFormatError(message.format(field=field, quoted=repr(quoted), start=number(start),
                                               end=number(end), actual=repr(text[start:end])))
    if "id" in reference and not (isinstance(reference["id"], str) and 0 < len(reference["id"]) <= MAX_ID_CHARS):
        raise StanceFormatError(ngettext('{field} "id" must be a string of at most {count} character',
                                         '{field} "id" must be a string of at most {count} characters',
                                         MAX_ID_CHARS).format(field=field, count=number(MAX_ID_CHARS)))


def _check_note(attrs: dict) -> None:
    if "note" in attrs:
        if not isinstance(attrs["note"], str):
            raise StanceFormatError(_('"attrs.note" must be a string'))
        _check_string(attrs["note"], '"attrs.note"')


def _check_nonempty(value: Any, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise StanceFormatError(_("{what} must be a non-empty string").format(what=what))
    _check_string(value, what)


def _check_string(value: str, what: str) -> None:
    """Lone surrogates (from "\\ud83d" escapes) cannot be written back out as UTF-8."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise StanceFormatError(_("{what} contains an unpaired surrogate escape, which is not a character").format(
            what=what)) from None


def _one_of(values: tuple[str, ...]) -> str:
    """"A, B or C" (one value: "A")."""
    if len(values) == 1:
        return values[0]
    return _("{items} or {last}").format(items=", ".join(values[:-1]), last=values[-1])


def _any_of(forms: list[str]) -> str:
    """"A or B", "A or B or C": the shapes a reference may take."""
    if len(forms) == 2:
        return _("{first} or {second}").format(first=forms[0], second=forms[1])
    if len(forms) == 3:
        return _("{first} or {second} or {third}").format(first=forms[0], second=forms[1], third=forms[2])
    return " or ".join(forms)


# ---- identity and re-basing ------------------------------------------------------
def reference_key(reference: Any) -> tuple:
    """What a reference points at (an entity's id may differ between copies; its offsets do not)."""
    shape = reference_shape(reference)
    if shape == SPAN:
        return (SPAN, reference["start"], reference["end"])
    if shape == LIST_TARGET:
        return (LIST_TARGET, reference["target"])
    if shape in (ARTICLE, FREE_TEXT):
        return (shape, reference["text"])
    return ("other", repr(reference))


def content_key(layer: str, label: str, start: int | None, end: int | None, attrs: dict) -> tuple:
    """What a stance says, for recognising it again on re-import when it carries no id.

    A span stance: polarity, evidence, holder and target (not the note). A
    document stance: its target only, as there is at most one per
    (document, annotator, target).
    """
    if layer == DOC_STANCE_LAYER:
        return (layer, attrs.get("target"))
    if layer == STANCE_LAYER:
        return (layer, label, start, end, reference_key(attrs.get("holder")), reference_key(attrs.get("target")))
    return (layer, label, start, end)


def map_reference_offsets(attrs: dict, move, retext) -> dict:
    """attrs with the holder's and target's offsets passed through `move` and their text through `retext`."""
    moved = dict(attrs)
    for role in ("holder", "target"):
        reference = attrs.get(role)
        if isinstance(reference, dict) and all(
                isinstance(reference.get(k), int) and not isinstance(reference.get(k), bool) for k in ("start", "end")):
            reference = {**reference, "start": move(reference["start"]), "end": move(reference["end"])}
            if isinstance(reference.get("text"), str):
                reference["text"] = retext(reference["text"])
            moved[role] = reference
    return moved
