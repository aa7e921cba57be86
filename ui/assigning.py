"""Team → Assign documents… (issue 18): an admin gives documents to analysts, N per document in turn; one
undo step takes the whole assignment back."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import (QButtonGroup, QDialog, QDialogButtonBox, QFormLayout, QLabel, QListWidget,
                               QListWidgetItem, QRadioButton, QSpinBox, QVBoxLayout)

from app import assignment
from app.adjudication import GOLD
from app.i18n import _, ngettext, number
from ui.commands import WRITE_ERRORS

SCOPES = ("unassigned", "selected", "all")


class AssignDocuments(QUndoCommand):
    """Assign the (document, analyst) pairs; undo takes back exactly those this step wrote."""

    def __init__(self, editor, pairs: list[tuple[int, str]], by: str, changed):
        documents = len({document for document, _ in pairs})
        super().__init__(ngettext("Assign {n} document", "Assign {n} documents", documents).format(n=number(documents)))
        self.editor, self.pairs, self.by, self.changed = editor, pairs, by, changed
        self.written: list[tuple[int, str]] = []

    def redo(self) -> None:
        try:
            self.written = assignment.assign(self.editor.project, self.pairs, self.by)
        except WRITE_ERRORS as error:
            self.setObsolete(True)
            self.editor.report_write_error(error)
            return
        self.changed({document for document, _ in self.written})

    def undo(self) -> None:
        try:
            assignment.unassign(self.editor.project, self.written)
        except WRITE_ERRORS as error:
            self.setObsolete(True)
            self.editor.report_write_error(error)
            return
        self.changed({document for document, _ in self.written})


class AssignDialog(QDialog):
    """Which analysts, how many per document, which documents."""

    def __init__(self, analysts: list[str], selected: list[int], parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Assign documents"))
        self.analysts = QListWidget()
        for name in analysts:
            if name == GOLD:
                continue
            item = QListWidgetItem(name)
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked)
            self.analysts.addItem(item)
        self.per_document = QSpinBox(minimum=1, maximum=max(1, self.analysts.count()), value=1)
        self.per_document.setToolTip(_("Two or more: each document is annotated by that many analysts, for "
                                       "agreement and adjudication"))
        self.scope = QButtonGroup(self)
        scope_box = QVBoxLayout()
        for position, (key, text) in enumerate(zip(SCOPES, (
                _("Documents nobody has yet"),
                ngettext("The selected document", "The {n} selected documents", len(selected)).format(
                    n=number(len(selected))),
                _("Every document (up to that many analysts each)")))):
            button = QRadioButton(text)
            button.setEnabled(key != "selected" or bool(selected))
            self.scope.addButton(button, position)
            scope_box.addWidget(button)
        self.scope.button(0).setChecked(True)
        form = QFormLayout()
        form.addRow(_("Analysts, in turn:"), self.analysts)
        form.addRow(_("Analysts per document:"), self.per_document)
        form.addRow(_("Documents:"), scope_box)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText(_("Assign"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.note = QLabel(_("Each analyst sees their documents with the list's order set to “My queue”."))
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(buttons)

    def chosen_analysts(self) -> list[str]:
        return [self.analysts.item(row).text() for row in range(self.analysts.count())
                if self.analysts.item(row).checkState() == Qt.Checked]

    def chosen_scope(self) -> str:
        return SCOPES[self.scope.checkedId()]


def pairs_for(project, analysts: list[str], per_document: int, scope: str, selected: list[int]) -> list[tuple[int, str]]:
    """The (document, analyst) pairs the dialog's choice makes (app.assignment.round_robin)."""
    given = assignment.assigned(project)
    if scope == "selected":
        ids = selected
    elif scope == "unassigned":
        ids = [document for document in project.document_ids() if document not in given]
    else:
        ids = project.document_ids()
    return assignment.round_robin(ids, analysts, per_document, given)
