"""The label-schema dialog: entity types, stance targets and boilerplate categories.

Every change goes through a SchemaEditor (ui/schemacommands.py), so it is one step
on the window's undo stack. Questions to the analyst (names, colours, confirmations,
files) are methods of the dialog, so tests can answer them.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView, QColorDialog, QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QHeaderView,
    QInputDialog, QLabel, QMessageBox, QPushButton, QTabWidget, QTableView, QToolButton, QVBoxLayout, QWidget,
)

from app import schema
from app import i18n
from app.i18n import N_, _, ngettext, number
from app.project import LabelDef
from ui import folders
from ui.commands import WRITE_ERRORS
from ui.models import select_row
from ui.schemacommands import SchemaEditor, isolated

TABS = (
    (schema.ENTITY, N_("Entity types")),
    (schema.STANCE_TARGET, N_("Stance targets")),
    (schema.BOILERPLATE, N_("Boilerplate categories")),
)
# The title of the question asking for a new label's name, per layer.
NEW_LABEL_TITLES = {
    schema.ENTITY: N_("New entity type"),
    schema.STANCE_TARGET: N_("New stance target"),
    schema.BOILERPLATE: N_("New boilerplate category"),
}
# Colours offered to a new label: the first one its layer does not use yet.
NEW_COLORS = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4", "#f032e6", "#bfef45",
              "#fabed4", "#469990", "#dcbeff", "#9a6324", "#800000", "#aaffc3", "#808000", "#000075")
SCHEMA_FILES = N_("Schema files (*.json *.toml);;JSON (*.json);;TOML (*.toml)")
PROBLEMS = (schema.SchemaError, *WRITE_ERRORS)


class LabelTableModel(QAbstractTableModel):
    """One layer's labels in palette order, with how many annotations use each."""

    descriptionEdited = Signal(str, str)  # label name, new description

    def __init__(self, editor: SchemaEditor, layer: str, parent=None):
        super().__init__(parent)
        self.editor, self.layer = editor, layer
        with_key = layer == schema.ENTITY
        # English column names identify the columns; headerData shows them translated.
        self.columns = (N_("Name"), N_("Colour"), *((N_("Key"),) if with_key else ()), N_("Description"),
                        N_("Used by"))
        self.labels: list[LabelDef] = []
        self.counts: dict[str, int] = {}
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.labels = schema.labels(self.editor.project, self.layer)
        self.counts = schema.usage_counts(self.editor.project, self.layer)
        self.endResetModel()

    def name_at(self, row: int) -> str:
        return self.labels[row].name

    def row_of(self, name: str) -> int | None:
        return next((row for row, label in enumerate(self.labels) if label.name == name), None)

    # ---- Qt model API ----------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.labels)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return _(self.columns[section])
        return None

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        label, column = self.labels[index.row()], self.columns[index.column()]
        if role == Qt.DisplayRole and column == "Colour" and i18n.is_right_to_left():
            return f"\u2066{label.color}\u2069"  # left to right as typed: "#e6194b", not "e6194b#"
        if role in (Qt.DisplayRole, Qt.EditRole):
            return self._text(label, column)
        if role == Qt.DecorationRole and column == "Colour":
            return QColor(label.color)
        if role == Qt.ToolTipRole:
            return label.description or None
        if role == Qt.TextAlignmentRole and column == "Used by":
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def _text(self, label: LabelDef, column: str) -> str:
        return {
            "Name": label.name, "Colour": label.color, "Key": label.shortcut or "",
            "Description": label.description, "Used by": number(self.counts.get(label.name, 0)),
        }[column]

    def flags(self, index: QModelIndex):
        flags = super().flags(index)
        if index.isValid() and self.columns[index.column()] == "Description":
            flags |= Qt.ItemIsEditable  # double-click or F2 on the description edits it in place
        return flags

    def setData(self, index: QModelIndex, value, role=Qt.EditRole) -> bool:
        if role != Qt.EditRole or not index.isValid():
            return False
        # The dialog makes the change as an undo step; the model is reloaded from the project after it.
        self.descriptionEdited.emit(self.name_at(index.row()), str(value))
        return True


class LabelTab(QWidget):
    """A table of one layer's labels and the buttons that change them."""

    def __init__(self, editor: SchemaEditor, layer: str, parent=None):
        super().__init__(parent)
        self.layer = layer
        self.model = LabelTableModel(editor, layer, self)
        self.view = _table(self.model)
        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        # Keyed by the English text; each button shows it translated.
        names = [N_("Add…"), N_("Rename…"), N_("Change colour…"),
                 *([N_("Change key…")] if layer == schema.ENTITY else []),
                 N_("Delete…"), N_("Move up"), N_("Move down")]
        for name in names:
            self.buttons[name] = QPushButton(_(name))
            row.addWidget(self.buttons[name])
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addLayout(row)
        self.view.selectionModel().currentRowChanged.connect(lambda *_args: self.update_buttons())
        self.update_buttons()

    def current_name(self) -> str | None:
        row = self.view.currentIndex().row()
        return self.model.name_at(row) if 0 <= row < self.model.rowCount() else None

    def select(self, name: str | None, fallback_row: int = 0) -> None:
        row = self.model.row_of(name) if name is not None else None
        if row is None:
            row = min(fallback_row, self.model.rowCount() - 1)
        if row >= 0:
            select_row(self.view, row)
        self.update_buttons()

    def reload(self) -> None:
        """Re-read the layer, keeping the same label (or the same row) selected."""
        name, row = self.current_name(), self.view.currentIndex().row()
        self.model.reload()
        self.select(name, max(row, 0))

    def update_buttons(self) -> None:
        row = self.view.currentIndex().row()
        chosen = 0 <= row < self.model.rowCount()
        for name, button in self.buttons.items():
            button.setEnabled(name == "Add…" or chosen)
        self.buttons["Move up"].setEnabled(chosen and row > 0)
        self.buttons["Move down"].setEnabled(chosen and row < self.model.rowCount() - 1)


class SchemaDialog(QDialog):
    """Edit the label schema. `owner` has .project and .undo_stack (the Editor), or is a SchemaEditor."""

    schemaChanged = Signal(str)  # the layer that changed (also after an undo or redo)

    def __init__(self, owner, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Label schema"))
        self.resize(820, 520)
        self.editor = SchemaEditor.of(owner)
        self.project = self.editor.project
        self.tabs: dict[str, LabelTab] = {}
        self._build()
        self.editor.schemaChanged.connect(self._layer_changed)
        self.editor.failed.connect(self._step_failed)

    # ---- construction ------------------------------------------------------
    def _build(self) -> None:
        self.tab_widget = QTabWidget()
        for layer, title in TABS:
            tab = LabelTab(self.editor, layer)
            self.tabs[layer] = tab
            self.tab_widget.addTab(tab, _(title))
            self._connect_tab(tab)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.save_button = QPushButton(_("Save schema…"))
        self.load_button = QPushButton(_("Load schema…"))
        self.save_button.clicked.connect(self.save_schema)
        self.load_button.clicked.connect(self.load_schema)
        closing = QDialogButtonBox(QDialogButtonBox.Close)
        closing.rejected.connect(self.reject)

        bottom = QHBoxLayout()
        for widget in (*self._undo_buttons(), self.save_button, self.load_button):
            bottom.addWidget(widget)
        bottom.addStretch(1)
        bottom.addWidget(closing)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tab_widget)
        layout.addWidget(self.message)
        layout.addLayout(bottom)

    def _connect_tab(self, tab: LabelTab) -> None:
        layer, buttons = tab.layer, tab.buttons
        buttons["Add…"].clicked.connect(lambda: self.add_label(layer))
        buttons["Rename…"].clicked.connect(lambda: self.rename_label(layer))
        buttons["Change colour…"].clicked.connect(lambda: self.change_color(layer))
        if "Change key…" in buttons:
            buttons["Change key…"].clicked.connect(lambda: self.change_key(layer))
        buttons["Delete…"].clicked.connect(lambda: self.delete_label(layer))
        buttons["Move up"].clicked.connect(lambda: self.move_label(layer, -1))
        buttons["Move down"].clicked.connect(lambda: self.move_label(layer, 1))
        tab.model.descriptionEdited.connect(lambda name, text: self.change_description(layer, name, text))
        self._view_shortcut(tab.view, QKeySequence(Qt.Key_F2), lambda: self.rename_label(layer))
        self._view_shortcut(tab.view, QKeySequence.Delete, lambda: self.delete_label(layer))

    def _view_shortcut(self, view: QTableView, keys, slot) -> None:
        action = QAction(self)
        action.setShortcut(keys)
        action.setShortcutContext(Qt.WidgetShortcut)
        action.triggered.connect(slot)
        view.addAction(action)

    def _undo_buttons(self) -> list[QToolButton]:
        """Undo and redo work in the dialog too (it is modal: the window's shortcuts cannot reach it)."""
        stack = self.editor.undo_stack
        undo, redo = stack.createUndoAction(self, _("Undo")), stack.createRedoAction(self, _("Redo"))
        undo.setShortcut(QKeySequence.Undo)
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        buttons = []
        for action in (undo, redo):
            self.addAction(action)
            button = QToolButton()
            button.setDefaultAction(action)
            buttons.append(button)
        return buttons

    # ---- the analyst's requests ---------------------------------------------
    def add_label(self, layer: str) -> None:
        name = self.ask_text(_(NEW_LABEL_TITLES[layer]), _("Name:"))
        if not name:
            return
        key = schema.suggest_shortcut(self.project, layer, name) if layer == schema.ENTITY else None
        label = LabelDef(layer, name, self._free_color(layer), key)
        if self._attempt(_("Not added"), lambda: self.editor.add(label)) is not None:
            self.tabs[layer].select(name.strip())
            added = _("Added {label} (key {key}).") if key else _("Added {label}.")
            self.say(added.format(label=isolated(name.strip()), key=key))

    def rename_label(self, layer: str) -> None:
        old = self._chosen(layer)
        if old is None:
            return
        new = self.ask_text(_("Rename"), _("New name for {label}:").format(label=isolated(old)), old)
        if new is None or new.strip() == old:
            return
        count = self._attempt(_("Not renamed"), lambda: self.editor.rename(layer, old, new))
        if count is not None:
            self.tabs[layer].select(new.strip())
            self.say(ngettext("Renamed {old} → {new} in {n} annotation.",
                              "Renamed {old} → {new} in {n} annotations.", count).format(
                old=isolated(old), new=isolated(new.strip()), n=number(count)))

    def change_color(self, layer: str) -> None:
        name = self._chosen(layer)
        if name is None:
            return
        color = self.ask_color(schema.get_label(self.project, layer, name).color)
        if color:
            self._attempt(_("Colour not changed"), lambda: self.editor.change(layer, name, color=color))

    def change_key(self, layer: str) -> None:
        name = self._chosen(layer)
        if name is None:
            return
        current = schema.get_label(self.project, layer, name).shortcut or ""
        key = self.ask_text(_("Key for {label}").format(label=isolated(name)),
                            _("One letter A–Z or digit 0–9 (empty: no key):"), current)
        if key is None or key.strip().upper() == current:
            return
        if self._attempt(_("Key not changed"), lambda: self.editor.change(layer, name, shortcut=key)) is not None:
            said = _("{label} now has the key {key}.") if key.strip() else _("{label} has no key now.")
            self.say(said.format(label=isolated(name), key=key.strip().upper()))

    def change_description(self, layer: str, name: str, text: str) -> None:
        self._attempt(_("Description not changed"), lambda: self.editor.change(layer, name, description=text))

    def delete_label(self, layer: str) -> None:
        name = self._chosen(layer)
        if name is None:
            return
        count = schema.usage_count(self.project, layer, name)
        if count and not self.confirm_delete(name, count):
            return
        deleted = self._attempt(_("Not deleted"), lambda: self.editor.delete(layer, name))
        if deleted is not None:
            said = (ngettext("Deleted {label} and {n} annotation. Undo brings it back.",
                             "Deleted {label} and {n} annotations. Undo brings it back.", deleted) if deleted
                    else _("Deleted {label}. Undo brings it back."))
            self.say(said.format(label=isolated(name), n=number(deleted)))

    def move_label(self, layer: str, step: int) -> None:
        name = self._chosen(layer)
        if name is not None:
            self._attempt(_("Not moved"), lambda: self.editor.move(layer, name, step))
            self.tabs[layer].select(name)

    def save_schema(self) -> None:
        path = self.ask_save_path()
        if not path:
            return
        if self._attempt(_("Schema not saved"), lambda: schema.save_schema(self.project, path)) is not None:
            self.say(_("Saved the schema to {path}.").format(path=path))

    def load_schema(self) -> None:
        path = self.ask_load_path()
        if not path:
            return
        report = self._attempt(_("Schema not loaded"), lambda: self.editor.load(path))
        if report is None:
            return
        if report.applied:
            self.say(report.summary())
        else:
            self.show_problem(_("Schema not loaded"), report.summary())

    # ---- questions to the analyst (tests replace these) ------------------------
    def ask_text(self, title: str, prompt: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(self, title, prompt, text=text)
        return value if ok else None

    def ask_color(self, current: str) -> str | None:
        color = QColorDialog.getColor(QColor(current), self, _("Label colour"))
        return color.name() if color.isValid() else None

    def confirm_delete(self, name: str, count: int) -> bool:
        answer = QMessageBox.question(
            self, _("Delete label"),
            ngettext("{label} is used by {n} annotation. Delete the label and that annotation?\n\n"
                     "(Undo brings both back.)",
                     "{label} is used by {n} annotations. Delete the label and those annotations?\n\n"
                     "(Undo brings both back.)", count).format(label=isolated(name), n=number(count)),
            QMessageBox.Yes | QMessageBox.No, QMessageBox.No)
        return answer == QMessageBox.Yes

    def show_problem(self, title: str, text: str) -> None:
        QMessageBox.warning(self, title, text)

    def ask_save_path(self) -> str | None:
        path, _chosen_filter = QFileDialog.getSaveFileName(
            self, _("Save schema"), folders.opens_in(folders.SCHEMA, "schema.json"), _(SCHEMA_FILES))
        return path if folders.remember_choice(folders.SCHEMA, path) else None

    def ask_load_path(self) -> str | None:
        path, _chosen_filter = QFileDialog.getOpenFileName(self, _("Load schema"), folders.opens_in(folders.SCHEMA),
                                                           _(SCHEMA_FILES))
        return path if folders.remember_choice(folders.SCHEMA, path) else None

    def say(self, text: str) -> None:
        self.message.setText(text)

    # ---- plumbing -------------------------------------------------------------------
    def _attempt(self, title: str, step):
        """Run a request; a refusal (a key clash, a name taken) or a failed write is shown, not raised.

        Returns the request's result (True when it has none), or None when it was refused.
        """
        try:
            result = step()
        except PROBLEMS as error:
            self.show_problem(title, str(error))
            return None
        return True if result is None else result

    def _chosen(self, layer: str) -> str | None:
        name = self.tabs[layer].current_name()
        if name is None:
            self.say(_("Select a label first."))
        return name

    def _free_color(self, layer: str) -> str:
        used = {label.color for label in schema.labels(self.project, layer)}
        return next((color for color in NEW_COLORS if color not in used), NEW_COLORS[0])

    def _layer_changed(self, layer: str) -> None:
        if layer in self.tabs:
            self.tabs[layer].reload()
        self.schemaChanged.emit(layer)

    def _step_failed(self, text: str) -> None:
        if self.isVisible():
            self.show_problem(_("Undo"), text)

    def showEvent(self, event) -> None:
        # Annotations may have been made since the dialog was last open: counts are re-read.
        for tab in self.tabs.values():
            tab.reload()
        super().showEvent(event)


def _table(model: LabelTableModel) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectRows)
    view.setSelectionMode(QAbstractItemView.SingleSelection)
    view.setEditTriggers(QAbstractItemView.DoubleClicked)  # F2 renames (see _connect_tab)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    header = view.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeToContents)  # a schema has tens of rows, not thousands
    header.setSectionResizeMode(model.columns.index("Description"), QHeaderView.Stretch)
    return view
