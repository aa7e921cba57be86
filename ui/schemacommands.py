"""Label-schema edits as undo steps, on the same undo stack as the span edits.

Sharing the stack keeps history consistent: a span added as PERS before a rename
to PERSON is undone only after the rename is, so it is PERS again by then.

Each request first makes the change (so a refusal, e.g. a key clash, raises to
the caller and nothing is pushed), then pushes a command whose first redo is
skipped because the change is already made.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from app import schema
from app.i18n import _, ngettext, number
from app.project import LabelDef, Project
from ui.commands import WRITE_ERRORS

def isolated(name: str) -> str:
    """A label name inside a message: first-strong isolates keep a name in the other script from reordering it."""
    return f"\u2068{name}\u2069"


# What can stop a later undo or redo: the project changed meanwhile (e.g. by an import), or a write failed.
STEP_ERRORS = (schema.SchemaError, *WRITE_ERRORS)


class SchemaEditor(QObject):
    """The one place schema edits go through; outlives any dialog (undo works after it closes)."""

    schemaChanged = Signal(str)  # the layer that changed
    failed = Signal(str)  # an undo or redo that could not be made, for the analyst

    def __init__(self, project: Project, undo_stack: QUndoStack, parent: QObject | None = None):
        super().__init__(parent)
        self.project = project
        self.undo_stack = undo_stack

    @classmethod
    def of(cls, owner) -> "SchemaEditor":
        """The schema editor for an object with .project and .undo_stack (made once per stack)."""
        if isinstance(owner, SchemaEditor):
            return owner
        found = owner.undo_stack.findChild(SchemaEditor)
        # Parented to the stack: it must live as long as the commands that call it.
        return found or cls(owner.project, owner.undo_stack, owner.undo_stack)

    # ---- requests (raise schema.SchemaError or a write error; nothing is pushed then) ----
    def add(self, label: LabelDef) -> LabelDef:
        stored = schema.add_label(self.project, label)
        position = schema.label_position(self.project, stored.layer, stored.name)
        return self._push(AddLabel(self, stored, position), [stored.layer], stored)

    def rename(self, layer: str, old: str, new: str) -> int:
        new = new.strip()
        count = schema.rename_label(self.project, layer, old, new)
        if new == old:
            return 0
        return self._push(RenameLabel(self, layer, old, new), [layer], count)

    def change(self, layer: str, name: str, *, color: str | None = None, shortcut: str | None = None,
               description: str | None = None) -> LabelDef:
        before = schema.get_label(self.project, layer, name)
        after = schema.update_label(self.project, layer, name, color=color, shortcut=shortcut,
                                    description=description)
        if after == before:
            return after
        return self._push(ChangeLabel(self, before, after), [layer], after)

    def delete(self, layer: str, name: str) -> int:
        """Delete the label and its annotations; returns how many annotations went."""
        label = schema.get_label(self.project, layer, name)
        position = schema.label_position(self.project, layer, name)
        spans = schema.delete_label(self.project, layer, name)
        return self._push(DeleteLabel(self, label, position, spans), [layer], len(spans))

    def move(self, layer: str, name: str, step: int) -> int:
        """Move a label up (step < 0) or down; a move past either end is not made."""
        here = schema.label_position(self.project, layer, name)
        there = max(0, min(here + step, len(schema.labels(self.project, layer)) - 1))
        if there == here:
            return here
        schema.move_label(self.project, layer, name, there - here)
        return self._push(MoveLabel(self, layer, name, there - here), [layer], there)

    def load(self, path: str | Path) -> schema.SchemaLoadReport:
        """Load a schema file (SchemaFileError if it is not valid); a refused load (conflicts) pushes nothing."""
        wanted = schema.read_schema(path)
        before = {layer: schema.labels(self.project, layer) for layer in wanted}
        report = schema.replace_schema(self.project, wanted, source=str(path))
        if report.applied:
            self._push(ReplaceSchema(self, before, wanted, Path(path).name), list(wanted), report)
        return report

    # ---- plumbing ----------------------------------------------------------
    def _push(self, command: QUndoCommand, layers: list[str], result):
        self.undo_stack.push(command)
        for layer in layers:
            self.schemaChanged.emit(layer)
        return result


class _SchemaCommand(QUndoCommand):
    """First redo is skipped (the request already made the change); later ones are reported if refused."""

    def __init__(self, editor: SchemaEditor, text: str, layers: list[str]):
        super().__init__(text)
        self.editor, self.layers = editor, layers
        self._made = True

    def redo(self) -> None:
        if self._made:
            self._made = False
            return
        self._attempt(self.apply)

    def undo(self) -> None:
        self._attempt(self.revert)

    def _attempt(self, step) -> None:
        try:
            step()
        except STEP_ERRORS as error:
            self.setObsolete(True)
            self.editor.failed.emit(_("“{step}” could not be undone or redone: {error}").format(step=self.text(),
                                                                                     error=error))
        finally:
            for layer in self.layers:
                self.editor.schemaChanged.emit(layer)

    @property
    def project(self) -> Project:
        return self.editor.project

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError


class AddLabel(_SchemaCommand):
    def __init__(self, editor: SchemaEditor, label: LabelDef, position: int):
        super().__init__(editor, _("Add {label}").format(label=isolated(label.name)), [label.layer])
        self.label, self.position = label, position

    def apply(self) -> None:
        schema.restore_label(self.project, self.label, self.position)

    def revert(self) -> None:
        # Annotations made since (in another window, or imported) are not deleted by an undo.
        used = schema.usage_count(self.project, self.label.layer, self.label.name)
        if used:
            raise schema.SchemaError(ngettext("{label} is now used by {n} annotation.",
                                              "{label} is now used by {n} annotations.", used).format(
                label=isolated(self.label.name), n=number(used)))
        schema.delete_label(self.project, self.label.layer, self.label.name)


class RenameLabel(_SchemaCommand):
    def __init__(self, editor: SchemaEditor, layer: str, old: str, new: str):
        super().__init__(editor, _("Rename {old} → {new}").format(old=isolated(old), new=isolated(new)), [layer])
        self.layer, self.old, self.new = layer, old, new

    def apply(self) -> None:
        schema.rename_label(self.project, self.layer, self.old, self.new)

    def revert(self) -> None:
        schema.rename_label(self.project, self.layer, self.new, self.old)


class ChangeLabel(_SchemaCommand):
    """Colour, key or description."""

    def __init__(self, editor: SchemaEditor, before: LabelDef, after: LabelDef):
        super().__init__(editor, _("Change {label}").format(label=isolated(before.name)), [before.layer])
        self.before, self.after = before, after

    def apply(self) -> None:
        self._set(self.after)

    def revert(self) -> None:
        self._set(self.before)

    def _set(self, label: LabelDef) -> None:
        schema.update_label(self.project, label.layer, label.name, color=label.color,
                            shortcut=label.shortcut or "", description=label.description)


class DeleteLabel(_SchemaCommand):
    def __init__(self, editor: SchemaEditor, label: LabelDef, position: int, spans: list):
        super().__init__(editor, _("Delete {label}").format(label=isolated(label.name)), [label.layer])
        self.label, self.position, self.spans = label, position, spans

    def apply(self) -> None:
        self.spans = schema.delete_label(self.project, self.label.layer, self.label.name)

    def revert(self) -> None:
        schema.restore_label(self.project, self.label, self.position, self.spans)


class MoveLabel(_SchemaCommand):
    def __init__(self, editor: SchemaEditor, layer: str, name: str, step: int):
        text = _("Move {label} up") if step < 0 else _("Move {label} down")
        super().__init__(editor, text.format(label=isolated(name)), [layer])
        self.layer, self.name, self.step = layer, name, step

    def apply(self) -> None:
        schema.move_label(self.project, self.layer, self.name, self.step)

    def revert(self) -> None:
        schema.move_label(self.project, self.layer, self.name, -self.step)


class ReplaceSchema(_SchemaCommand):
    """Loading a schema file; undone by putting the previous labels of those layers back."""

    def __init__(self, editor: SchemaEditor, before: dict, after: dict, source: str):
        super().__init__(editor, _("Load schema {file}").format(file=source), list(after))
        self.before, self.after = before, after

    def apply(self) -> None:
        self._replace(self.after)

    def revert(self) -> None:
        self._replace(self.before)

    def _replace(self, labels: dict) -> None:
        report = schema.replace_schema(self.project, labels)
        if not report.applied:
            raise schema.SchemaError("; ".join(str(conflict) for conflict in report.conflicts))
