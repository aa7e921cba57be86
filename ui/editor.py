"""The editing session: which project, analyst and document are open, and every edit.

Views never write to the project themselves: they ask the editor, which pushes
an undo command; the command's redo/undo call back into `apply_*`, which
commits through the project first and only then updates the views.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QColor, QUndoStack

from app import boilerplate, stance, words
from app.adjudication import GOLD
from app.i18n import _
from app.project import LabelDef, Project, ProjectFileMoved, Span, is_busy, now_iso
from app.stance_format import DOC_STANCE_LAYER, STANCE_LAYER
from ui.stancepanel import POLARITY_COLORS


class Editor(QObject):
    documentOpened = Signal(int)
    spansAdded = Signal(list)
    spansRemoved = Signal(set)
    spanSelected = Signal(object)  # Span or None
    documentChanged = Signal(int)  # its status changed
    # (document id, spans added, spans removed): an edit of any document's spans, committed. Carries the
    # change itself, so views adjust what they show of it without reading the project again.
    spansStored = Signal(int, list, list)
    message = Signal(str)
    writeFailed = Signal(str)
    fileLost = Signal(object)  # ProjectFileMoved: the project file is no longer where it was opened

    def __init__(self, project: Project, analyst: str, parent=None):
        super().__init__(parent)
        self.project = project
        self.analyst = analyst
        self.undo_stack = QUndoStack(self)
        self.labels: list[LabelDef] = project.labels("entity")
        self.targets: list[str] = [label.name for label in project.labels("stance_target")]
        self.document_id: int | None = None
        self.text = ""
        self.current: dict[str, Span] = {}  # the analyst's spans of every layer in the open document
        self.snap_to_words = True
        self.adjudicator: str | None = None  # in review mode (analyst GOLD): who edits the gold layer
        self._write_failed = False
        # Asked when another window held the project too long: True to try the edit again. The window sets
        # it; without a window (tests of the editor alone) an edit is not retried.
        self.retry_when_busy = lambda error, what: False

    # ---- state -----------------------------------------------------------
    def colors(self) -> dict[str, QColor]:
        colors = {name: QColor(color) for name, color in POLARITY_COLORS.items()}
        colors.update({label.name: QColor(label.color) for label in self.labels})
        return colors

    def reload_schema(self) -> None:
        """Re-read labels, targets and the open document's spans (after a schema edit or an import)."""
        self.labels = self.project.labels("entity")
        self.targets = [label.name for label in self.project.labels("stance_target")]
        if self.document_id is not None:
            current, self.document_id = self.document_id, None
            self.open_document(current)

    def layer_spans(self, layer: str) -> list[Span]:
        return sorted((s for s in self.current.values() if s.layer == layer),
                      key=lambda s: (s.start or 0, s.end or 0, s.uid))

    def label_for_key(self, key: str) -> LabelDef | None:
        return next((label for label in self.labels if (label.shortcut or "").upper() == key), None)

    def open_document(self, document_id: int) -> bool:
        """Show a document; returns False when it was already the open one."""
        if document_id == self.document_id:
            return False
        self.document_id = document_id
        self.text = self.project.document_text(document_id)
        self.current = {s.uid: s for s in self.project.annotations(document_id, annotator=self.analyst)}
        self.documentOpened.emit(document_id)
        return True

    def spans(self) -> list[Span]:
        """The analyst's spans of every layer in the open document."""
        return list(self.current.values())

    def set_analyst(self, name: str) -> None:
        self.analyst = name
        self.undo_stack.clear()  # another analyst's edits are not this one's to undo
        if self.document_id is not None:
            current, self.document_id = self.document_id, None
            self.open_document(current)

    def as_gold_edit(self, span: Span) -> Span:
        """In review mode, what the adjudicator makes or changes by hand in the gold layer is "edited",
        with who and when (app.adjudication); elsewhere the span as it is."""
        if self.analyst != GOLD or self.adjudicator is None:
            return span
        adjudication = {"from": [], **span.attrs.get("adjudication", {}), "by": self.adjudicator, "at": now_iso()}
        return span.with_changes(provenance="edited", attrs={**span.attrs, "adjudication": adjudication})

    # ---- requests from the views -----------------------------------------
    def create_span(self, start: int, end: int, label: str, exact: bool = False) -> Span | None:
        """`exact`: the range came from the matching engine (find, proposals): never snapped."""
        if self.document_id is None:
            return None
        if self.snap_to_words and not exact:
            start, end = words.snap_to_words(self.text, start, end)
        if start >= end:
            self.message.emit(_("Nothing to annotate: the selection holds no word."))
            return None
        span = Span(self.document_id, self.analyst, "entity", label, start, end)
        self._write_failed = False
        self.undo_stack.push(_commands().AddSpans(self, [self.as_gold_edit(span)]))  # Qt deletes it at once if it failed
        return None if self._write_failed else span

    # ---- boilerplate ----------------------------------------------------------
    def mark_boilerplate(self, start: int, end: int, category: str | None = None) -> Span | None:
        """Mark [start, end) as boilerplate (spaces at the edges left out); the category is the one its
        cue phrases suggest when not given, else "other"."""
        if self.document_id is None:
            return None
        while start < end and self.text[start].isspace():
            start += 1
        while end > start and self.text[end - 1].isspace():
            end -= 1
        if start >= end:
            self.message.emit(_("Nothing to mark: the selection is empty."))
            return None
        categories = [label.name for label in self.project.labels("boilerplate")]
        category = boilerplate.fit_category(category or boilerplate.guess_category(self.text[start:end]), categories)
        span = Span(self.document_id, self.analyst, "boilerplate", category, start, end)
        self._write_failed = False
        self.undo_stack.push(_commands().AddSpans(self, [self.as_gold_edit(span)]))
        return None if self._write_failed else span

    # ---- stances -------------------------------------------------------------
    def guess_holder(self, evidence_start: int) -> Span | None:
        return stance.guess_holder(self.text, evidence_start, self.layer_spans("entity"))

    def create_stance(self, start: int, end: int, holder: dict, target: dict, polarity: str, note: str) -> Span | None:
        if self.document_id is None or start >= end:
            return None
        span = Span(self.document_id, self.analyst, STANCE_LAYER, polarity, start, end,
                    attrs=stance.stance_attrs(holder, target, note))
        self._write_failed = False
        self.undo_stack.push(_commands().AddSpans(self, [self.as_gold_edit(span)]))
        return None if self._write_failed else span

    def update_stance(self, span: Span, holder: dict, target: dict, polarity: str, note: str) -> None:
        changed = span.with_changes(label=polarity, attrs=stance.stance_attrs(holder, target, note))
        if changed != span:
            self.undo_stack.push(_commands().ChangeSpan(self, span, self.as_gold_edit(changed), _("Edit stance")))

    def doc_stance(self, target: str) -> Span | None:
        return next((s for s in self.layer_spans(DOC_STANCE_LAYER) if stance.doc_stance_target(s) == target), None)

    def set_doc_stance(self, target: str, polarity: str | None) -> None:
        """Set (or, with None, clear) the article's overall stance towards `target`: one undo step."""
        if self.document_id is None:
            return
        existing = self.doc_stance(target)
        commands = _commands()
        if polarity is None:
            if existing is not None:
                self.undo_stack.push(commands.RemoveSpans(self, [existing]))
        elif existing is None:
            span = Span(self.document_id, self.analyst, DOC_STANCE_LAYER, polarity, None, None,
                        attrs={"target": target})
            self.undo_stack.push(commands.AddSpans(self, [self.as_gold_edit(span)]))
        elif existing.label != polarity:
            self.undo_stack.push(commands.ChangeSpan(self, existing, self.as_gold_edit(existing.with_changes(label=polarity)),
                                                     _("Document stance on {target}: {polarity}").format(
                                                         target=target, polarity=polarity)))

    def add_batch(self, spans: list[Span], description: str) -> None:
        """Many spans (maybe in many documents) as one undo step."""
        if spans:
            command = _commands().AddSpans(self, [self.as_gold_edit(span) for span in spans])
            command.setText(description)
            self.undo_stack.push(command)

    def relabel(self, span: Span, label: str) -> None:
        if span.label != label:
            self.undo_stack.push(_commands().ChangeSpan(self, span, self.as_gold_edit(span.with_changes(label=label)),
                                                        _("Relabel {old} → {new}").format(old=span.label, new=label)))

    def move_edges(self, span: Span, start: int, end: int, description: str) -> None:
        if (start, end) != (span.start, span.end):
            self.undo_stack.push(_commands().ChangeSpan(self, span, self.as_gold_edit(span.with_changes(start=start, end=end)),
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

    def ask_to_retry(self, error: Exception, what: str) -> bool:
        return self.retry_when_busy(error, what)

    def report_write_error(self, error: Exception) -> None:
        self._write_failed = True
        if isinstance(error, ProjectFileMoved):
            self.fileLost.emit(error)
            return
        if is_busy(error):
            self.message.emit(_("Not saved: {name} was busy in another window, and the edit was dropped.").format(
                name=self.project.name))
            return
        reason = getattr(error, "orig", None) or error  # SQLite's own words, not the SQL statement
        self.writeFailed.emit(
            _("The edit could not be saved to {path}, so it was not made.").format(path=self.project.location) + f"\n\n{reason}"
        )

    # ---- called by undo commands (commit first, then show) ----------------
    # A document opened here is read from the project after the commit, so it already shows
    # the edit: the incremental signals are sent only when the document was open already.
    def apply_add(self, spans: list[Span]) -> list[Span]:
        stored = self.project.add_annotations(spans)
        if not self.open_document(stored[0].document_id):
            here = [s for s in stored if s.document_id == self.document_id]  # a batch may span documents
            self.current.update({s.uid: s for s in here})
            self.spansAdded.emit(here)
        for document_id, added in _by_document(stored).items():
            self.spansStored.emit(document_id, added, [])
        return stored

    def apply_remove(self, spans: list[Span]) -> None:
        self.project.delete_annotations(s.uid for s in spans)
        if not self.open_document(spans[0].document_id):
            for span in spans:
                self.current.pop(span.uid, None)
            self.spansRemoved.emit({s.uid for s in spans})
        for document_id, removed in _by_document(spans).items():
            self.spansStored.emit(document_id, [], removed)

    def apply_change(self, before: Span, after: Span) -> Span:
        stored = self.project.update_annotation(before, label=after.label, start=after.start, end=after.end,
                                                attrs=after.attrs, provenance=after.provenance)
        if not self.open_document(stored.document_id):
            self.current[stored.uid] = stored
            self.spansRemoved.emit({before.uid})
            self.spansAdded.emit([stored])
        self.spansStored.emit(stored.document_id, [stored], [before])
        if stored.start is not None:  # a document stance has no place in the text to select
            self.spanSelected.emit(stored)
        return stored


def _by_document(spans: list[Span]) -> dict[int, list[Span]]:
    grouped: dict[int, list[Span]] = {}
    for span in spans:
        grouped.setdefault(span.document_id, []).append(span)
    return grouped


def _commands():
    # Imported late: commands and editor refer to each other.
    from ui import commands

    return commands
