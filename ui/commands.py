"""One QUndoCommand per edit; each calls the project (which commits) through the editor."""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from app.project import Span


def _describe(spans: list[Span]) -> str:
    return spans[0].label if len(spans) == 1 else f"{len(spans)} spans"


class AddSpans(QUndoCommand):
    def __init__(self, editor, spans: list[Span]):
        super().__init__(f"Add {_describe(spans)}")
        self.editor, self.spans = editor, spans

    def redo(self) -> None:
        self.spans = self.editor.apply_add(self.spans)

    def undo(self) -> None:
        self.editor.apply_remove(self.spans)


class RemoveSpans(QUndoCommand):
    def __init__(self, editor, spans: list[Span]):
        super().__init__(f"Delete {_describe(spans)}")
        self.editor, self.spans = editor, spans

    def redo(self) -> None:
        self.editor.apply_remove(self.spans)

    def undo(self) -> None:
        self.spans = self.editor.apply_add(self.spans)


class ChangeSpan(QUndoCommand):
    """Relabel or move the edges of one span."""

    def __init__(self, editor, before: Span, after: Span, text: str):
        super().__init__(text)
        self.editor, self.before, self.after = editor, before, after

    def redo(self) -> None:
        self.after = self.editor.apply_change(self.before, self.after)

    def undo(self) -> None:
        self.before = self.editor.apply_change(self.after, self.before)
