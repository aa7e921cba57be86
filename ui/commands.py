"""One QUndoCommand per edit; each calls the project (which commits) through the editor."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand
from sqlalchemy.exc import SQLAlchemyError

from app.i18n import _, ngettext, number
from app.project import ProjectError, Span
from app.store import can_retry

# What can go wrong writing the project file: disk full, file removed or read-only, lock timeout,
# the file moved or opened read-only (ProjectError, from the store's checks before a write),
# or the annotation is no longer there (KeyError from Project.update_annotation).
WRITE_ERRORS = (SQLAlchemyError, OSError, KeyError, ProjectError)


class _EditCommand(QUndoCommand):
    """An edit that, if the project cannot be written, is dropped from the stack and reported.

    When another window held the project for longer than a write waits, or the server could not be
    reached, the analyst is asked whether to try again: the edit is kept until they say."""

    def _attempt(self, step, fallback=None):
        while True:
            try:
                return step()
            except WRITE_ERRORS as error:
                if can_retry(error) and self.editor.ask_to_retry(error, self.text()):
                    continue
                self.setObsolete(True)
                self.editor.report_write_error(error)
                return fallback


def _adding(spans: list[Span]) -> str:
    """The undo text of adding `spans`: the label of one, the count of many."""
    if len(spans) == 1:
        return _("Add {label}").format(label=spans[0].label)
    return ngettext("Add {n} span", "Add {n} spans", len(spans)).format(n=number(len(spans)))


def _deleting(spans: list[Span]) -> str:
    if len(spans) == 1:
        return _("Delete {label}").format(label=spans[0].label)
    return ngettext("Delete {n} span", "Delete {n} spans", len(spans)).format(n=number(len(spans)))


class AddSpans(_EditCommand):
    def __init__(self, editor, spans: list[Span]):
        super().__init__(_adding(spans))
        self.editor, self.spans = editor, spans

    def redo(self) -> None:
        # Keep the stored version (with its creation time) for the next redo.
        self.spans = self._attempt(lambda: self.editor.apply_add(self.spans), self.spans)

    def undo(self) -> None:
        self._attempt(lambda: self.editor.apply_remove(self.spans))


class RemoveSpans(_EditCommand):
    def __init__(self, editor, spans: list[Span]):
        super().__init__(_deleting(spans))
        self.editor, self.spans = editor, spans

    def redo(self) -> None:
        self._attempt(lambda: self.editor.apply_remove(self.spans))

    def undo(self) -> None:
        self.spans = self._attempt(lambda: self.editor.apply_add(self.spans), self.spans)


class ChangeSpan(_EditCommand):
    """Relabel or move the edges of one span."""

    def __init__(self, editor, before: Span, after: Span, text: str):
        super().__init__(text)
        self.editor, self.before, self.after = editor, before, after

    def redo(self) -> None:
        self.after = self._attempt(lambda: self.editor.apply_change(self.before, self.after), self.after)

    def undo(self) -> None:
        self.before = self._attempt(lambda: self.editor.apply_change(self.after, self.before), self.before)
