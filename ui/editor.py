"""The editing session: which project, analyst and document are open, and every edit.

Views never write to the project themselves: they ask the editor, which pushes
an undo command; the command's redo/undo call back into `apply_*`, which
commits through the project first and only then updates the views.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QUndoStack

from app import words
from app.project import LabelDef, Project, Span


class Editor(QObject):
    documentOpened = Signal(int)
    spansAdded = Signal(list)
    spansRemoved = Signal(set)
    spanSelected = Signal(object)  # Span or None
    documentChanged = Signal(int)  # its status or span count changed
    message = Signal(str)
    writeFailed = Signal(str)

    def __init__(self, project: Project, analyst: str, parent=None):
        super().__init__(parent)
        self.project = project
        self.analyst = analyst
        self.undo_stack = QUndoStack(self)
        self.labels: list[LabelDef] = project.labels("entity")
        self.document_id: int | None = None
        self.text = ""
        self.snap_to_words = True
        self._write_failed = False

    # ---- state -----------------------------------------------------------
    def colors(self) -> dict[str, QColor]:
        return {label.name: QColor(label.color) for label in self.labels}

    def label_for_key(self, key: str) -> LabelDef | None:
        return next((label for label in self.labels if (label.shortcut or "").upper() == key), None)

    def open_document(self, document_id: int) -> bool:
        """Show a document; returns False when it was already the open one."""
        if document_id == self.document_id:
            return False
        self.document_id = document_id
        self.text = self.project.document_text(document_id)
        self.documentOpened.emit(document_id)
        return True

    def spans(self) -> list[Span]:
        if self.document_id is None:
            return []
        return self.project.annotations(self.document_id, annotator=self.analyst, layer="entity")

    def set_analyst(self, name: str) -> None:
        self.analyst = name
        self.undo_stack.clear()  # another analyst's edits are not this one's to undo
        if self.document_id is not None:
            current, self.document_id = self.document_id, None
            self.open_document(current)

    # ---- requests from the views -----------------------------------------
    def create_span(self, start: int, end: int, label: str) -> Span | None:
        if self.document_id is None:
            return None
        if self.snap_to_words:
            start, end = words.snap_to_words(self.text, start, end)
        if start >= end:
            self.message.emit("Nothing to annotate: the selection holds no word.")
            return None
        span = Span(self.document_id, self.analyst, "entity", label, start, end)
        self._write_failed = False
        self.undo_stack.push(_commands().AddSpans(self, [span]))  # Qt deletes it at once if it failed
        return None if self._write_failed else span

    def relabel(self, span: Span, label: str) -> None:
        if span.label != label:
            self.undo_stack.push(_commands().ChangeSpan(self, span, span.with_changes(label=label),
                                                        f"Relabel {span.label} → {label}"))

    def move_edges(self, span: Span, start: int, end: int, description: str) -> None:
        if (start, end) != (span.start, span.end):
            self.undo_stack.push(_commands().ChangeSpan(self, span, span.with_changes(start=start, end=end),
                                                        description))

    def delete(self, spans: list[Span]) -> None:
        if spans:
            self.undo_stack.push(_commands().RemoveSpans(self, spans))

    def set_status(self, status: str) -> bool:
        if self.document_id is None:
            return False
        try:
            self.project.set_status(self.document_id, self.analyst, status)
        except _commands().WRITE_ERRORS as error:
            self.report_write_error(error)
            return False
        finally:
            self.documentChanged.emit(self.document_id)
        return True

    def status(self) -> str:
        return "new" if self.document_id is None else self.project.status(self.document_id, self.analyst)

    def report_write_error(self, error: Exception) -> None:
        self._write_failed = True
        self.writeFailed.emit(
            f"The edit could not be saved to {self.project.path}, so it was not made.\n\n{error}"
        )

    # ---- called by undo commands (commit first, then show) ----------------
    # A document opened here is read from the project after the commit, so it already shows
    # the edit: the incremental signals are sent only when the document was open already.
    def apply_add(self, spans: list[Span]) -> list[Span]:
        stored = self.project.add_annotations(spans)
        if not self.open_document(stored[0].document_id):
            self.spansAdded.emit(stored)
        self.documentChanged.emit(stored[0].document_id)
        return stored

    def apply_remove(self, spans: list[Span]) -> None:
        self.project.delete_annotations(s.uid for s in spans)
        if not self.open_document(spans[0].document_id):
            self.spansRemoved.emit({s.uid for s in spans})
        self.documentChanged.emit(spans[0].document_id)

    def apply_change(self, before: Span, after: Span) -> Span:
        stored = self.project.update_annotation(before, label=after.label, start=after.start, end=after.end)
        if not self.open_document(stored.document_id):
            self.spansRemoved.emit({before.uid})
            self.spansAdded.emit([stored])
        self.spanSelected.emit(stored)
        return stored


def _commands():
    # Imported late: commands and editor refer to each other.
    from ui import commands

    return commands
