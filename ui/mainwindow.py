"""The main window: document list, reading pane, label palette, annotation list."""

from __future__ import annotations


import base64
import html
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication, QComboBox, QDialog, QDockWidget, QFileDialog, QFrame, QHBoxLayout, QHeaderView, QInputDialog, QLabel,
    QLineEdit, QMainWindow, QMenu, QMessageBox, QScrollArea, QSplitter, QTableView, QTabWidget, QToolButton, QVBoxLayout,
    QWidget,
)

from app import assignment, assistant, i18n, propagation, settings, stance_candidates, team, words
from app.i18n import N_, _, ngettext, number, pgettext
from app.adjudication import GOLD
from app.dropped import plan_drop
from app.gazetteer import GazetteerError, read_gazetteer
from app.project import Project, ProjectError, ProjectFileMoved
from app.paths import is_server_address
from app.safenames import safe_component
from app.store import ProjectUnreachable
from app.windowlock import WindowLock
from ui import assigning, dialogs, shortcuts
from ui.assigning import AssignDialog, AssignDocuments
from ui.liveprogress import LiveProgress
from ui.about import AboutDialog
from ui.assistantdialog import EntityAssistantDialog, LearnEntitiesWorker, RankWorker, store_learnt
from ui.editor import Editor
from ui import folders
from ui.fonts import reading_font
from ui.importing import ImportRunner, tool_filters
from ui.dashboard import AgreementDashboard
from ui.exporting import ExportDialog, ExportRequest, ExportRunner, ask_destination, check_destination
from ui.merging import MergeRunner
from ui.review import ChooseAnalysts, ReviewPanel, analysts_to_compare
from ui.models import STATUS_TEXT, AnnotationListModel, DocumentListModel, select_row, table_view
from ui.boilerplatepanel import BoilerplatePanel
from ui.similarpanel import SimilarPanel
from ui.corpussearch import CorpusSearchPanel
from ui.findbar import FindBar
from ui.guidelines import GuidelinesPanel
from ui.language import apply_language, isolate_menu_shortcuts
from ui.palette import LabelPalette
from ui.preferences import PreferencesDialog, reading_size, save_preferences, saved_preferences, snap_default
from ui.projectfile import ProjectGuard, WindowPresence, open_for_window
from ui.schemacommands import SchemaEditor
from ui.schemadialog import SchemaDialog
from ui.suggestions import SuggestionsPanel
from ui.stancelists import DocStanceModel, DocStanceView, StanceListModel, stance_proxy
from ui.stancepanel import StancePanel
from ui.stancecandidates import StanceCandidatesPanel
from ui.textpane import TextPane
from ui.workers import Background

STATUS_ORDER = ("new", "in_progress", "done")
# Layout for a 1366×768 laptop screen: a bottom panel opens at this share of the window's height (a side
# panel at the width share) the first time; after that the analyst's own sizes are kept, and remembered.
DOCK_SHARE = {Qt.BottomDockWidgetArea: 0.36, Qt.TopDockWidgetArea: 0.36,
              Qt.LeftDockWidgetArea: 0.24, Qt.RightDockWidgetArea: 0.24}
PREFERRED_SIZE = (1280, 800)  # shrunk to the screen: a 1366×768 laptop gets a window that fits
FRAME_ALLOWANCE = 40  # the window manager's title bar and frame, outside the window's own size
LAYOUT_VERSION = 1  # bump when the panels change: a layout saved by an older window is then ignored
SAVED_GEOMETRY, SAVED_STATE = "window_geometry", "window_state"  # settings keys (base64 of Qt's bytes)
PALETTE_MAX_HEIGHT = 200  # about six rows of label buttons; a longer schema scrolls (the keys work anyway)
SIDE_TABS_MIN_HEIGHT = 160  # the span list's header and a few rows


# The document list's orders (ui.models.DocumentListModel.set_order; app.assistant.ORDERS).
DOCUMENT_ORDERS = ((N_("Corpus order"), "corpus"), (N_("Least sure first (assistant)"), "uncertain"),
                   (N_("Most unknown names first (assistant)"), "unknown"), (N_("My queue (assigned to me)"), "queue"))


class MainWindow(QMainWindow):
    def __init__(self, project: Project, analyst: str, lock: WindowLock | None = None):
        super().__init__()
        self.editor = Editor(project, analyst, self)
        self.presence = WindowPresence(project.path, lock, self)  # the project's lock, held until closing
        self.guard = ProjectGuard(project, self)  # the file moved or deleted; writes waiting for another window
        self.member = team.member(project)  # (name, kind) on a team server; None for a file
        # Others' work as it is committed, on a server (a file has one window writing it).
        self.live = None if project.is_file else LiveProgress(project, self)
        self._read_only_explained = False
        self._import_runner: ImportRunner | None = None
        self._merge_runner: MergeRunner | None = None
        self._export_runner: ExportRunner | None = None
        self._stance_evidence: tuple[int, int] = (0, 0)
        self._stance_editing = None
        self._engine_selection: tuple[int, int] | None = None
        self._sized_areas: set = set()  # dock areas whose size is the analyst's (or was given its share)
        self._learnt_entities = None  # the entity recommender as stored (app.assistant), loaded when first used
        self._entity_learning = Background(self, failed=lambda message: self.statusBar().showMessage(message, 8000))
        self._ranking = Background(self, failed=self._ranking_failed)
        self._build_views()
        self._build_actions()
        shortcuts.install(self)  # every shortcut with the Arabic keyboard layout too
        if i18n.is_right_to_left():
            isolate_menu_shortcuts(self.menuBar().findChildren(QMenu))
        self._connect()
        self.setAcceptDrops(True)  # a project file dropped on the window opens; documents are imported
        self._restore_layout()
        self._update_title()
        self._open_first_document()
        # The pending boilerplate counts of the document list, as they were when the project was last open.
        QTimer.singleShot(0, self, lambda: self.isVisible() and self.boilerplate.list_indexed())  # not once closed

    # ---- construction ----------------------------------------------------
    def _bottom_dock(self, title: str, name: str, panel: QWidget, tabbed_with: QDockWidget | None = None,
                     features=None) -> QDockWidget:
        """A panel below the text, hidden until asked for, tabbed with `tabbed_with`; `name` keeps its place
        in the saved layout."""
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(panel)
        if features is not None:
            dock.setFeatures(features)
        self.addDockWidget(Qt.BottomDockWidgetArea, dock)
        if tabbed_with is not None:
            self.tabifyDockWidget(tabbed_with, dock)
        dock.hide()
        return dock

    def _build_views(self) -> None:
        editor = self.editor
        self.documents = DocumentListModel(editor.project, editor.analyst, self)
        self.document_filter = QLineEdit(placeholderText=_("Filter documents by name"))
        self.document_filter.setClearButtonEnabled(True)
        self.document_order = QComboBox()
        for text, key in DOCUMENT_ORDERS:
            self.document_order.addItem(_(text), key)
        self.document_order.setToolTip(_("The order of the list, which Next document follows"))
        # Its longest entry must not widen the document column (a small screen's window would not fit).
        self.document_order.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.document_order.setMinimumContentsLength(6)
        self.document_view = self._table(self.documents)
        _fit_columns(self.document_view, stretch=0)

        self.pane = TextPane()
        self.pane.setFont(reading_font(reading_size()))
        self.document_title = QLabel()
        self.document_title.setStyleSheet("font-weight: bold;")
        self.document_title.setMinimumWidth(80)  # a long name is cut (its tooltip has it whole), never widens the window
        self.status_box = QComboBox()
        self.status_box.addItems([_(STATUS_TEXT[s]) for s in STATUS_ORDER])
        self.status_box.setToolTip(_("Your progress on this document"))

        self.palette = LabelPalette()
        self.palette.set_labels(editor.labels)
        self.annotations = AnnotationListModel(self)
        self.annotation_view = self._table(self.annotations)
        _fit_columns(self.annotation_view, stretch=1, elide=Qt.ElideRight)

        self.stances = StanceListModel(self)
        self.stance_view = self._table(stance_proxy(self.stances, self))
        self.stance_view.setSortingEnabled(True)
        self.stance_view.sortByColumn(-1, Qt.AscendingOrder)  # text order until a header is clicked
        _fit_columns(self.stance_view, stretch=3, elide=Qt.ElideRight, model=self.stances)
        self.doc_stances = DocStanceModel(self)
        self.doc_stance_view = DocStanceView(self.doc_stances)
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.annotation_view, _("Spans"))
        self.side_tabs.addTab(self.stance_view, _("Stances"))
        self.doc_stance_hint = QLabel()
        self.doc_stance_hint.setWordWrap(True)
        self.side_tabs.addTab(_column(self.doc_stance_hint, self.doc_stance_view), _("Document stance"))
        self.similar = SimilarPanel(self.editor)
        self.side_tabs.addTab(self.similar, _("Similar"))
        self.side_tabs.setMinimumHeight(SIDE_TABS_MIN_HEIGHT)  # below its contents' own: a small window fits

        splitter = QSplitter(Qt.Horizontal)
        splitter.addWidget(_column(self.document_filter, self.document_order, self.document_view))
        self.find_bar = FindBar()
        splitter.addWidget(_column(_row(self.document_title, QLabel(_("Status:")), self.status_box), self.find_bar,
                                   self.pane))
        self.palette_area = QScrollArea()
        self.palette_area.setWidget(self.palette)
        self.palette_area.setWidgetResizable(True)
        self.palette_area.setFrameShape(QFrame.NoFrame)
        self.palette_area.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self._fit_palette()
        labels_column = _column(QLabel(_("Labels")), self.palette_area, self.side_tabs)
        labels_column.layout().setStretchFactor(self.side_tabs, 1)
        splitter.addWidget(labels_column)
        # The list: name, status, spans and boilerplate columns (and, on a team's server, who else is on each).
        team_room = 140 if self.documents.team else 0
        splitter.setSizes([340 + team_room, 660 - team_room, 300])
        splitter.setStretchFactor(1, 1)
        self.setCentralWidget(splitter)

        self.stance_panel = StancePanel(self)
        self.guidelines = GuidelinesPanel(self.editor.project)
        self.guidelines_dock = QDockWidget(_("Guidelines"), self)
        self.guidelines_dock.setObjectName("guidelines")
        self.guidelines_dock.setWidget(self.guidelines)
        self.addDockWidget(Qt.RightDockWidgetArea, self.guidelines_dock)
        self.guidelines_dock.hide()
        self.schema_editor = SchemaEditor.of(self.editor)  # the instance the dialog uses too
        self.corpus_search = CorpusSearchPanel(self.editor.project, [l.name for l in self.editor.labels],
                                               self.editor.analyst)
        self.corpus_dock = self._bottom_dock(_("Search the corpus"), "corpusSearch", self.corpus_search)
        self.suggestions = SuggestionsPanel(self.editor.project, settings.load().get("propagation_scope", "document"))
        self.suggestions_dock = self._bottom_dock(_("Other occurrences"), "suggestions", self.suggestions,
                                                  self.corpus_dock)
        self.boilerplate = BoilerplatePanel(self.editor.project, self.editor,
                                            [label.name for label in self.editor.project.labels("boilerplate")])
        self.boilerplate_dock = self._bottom_dock(_("Boilerplate"), "boilerplate", self.boilerplate,
                                                  self.suggestions_dock)
        self.review = ReviewPanel(self.editor)
        # No close button: review mode (the main pane writing gold) ends with Review → Stop reviewing only.
        self.review_dock = self._bottom_dock(_("Review"), "review", self.review, self.boilerplate_dock,
                                             QDockWidget.DockWidgetMovable | QDockWidget.DockWidgetFloatable)
        self.stance_candidates = StanceCandidatesPanel(self.editor.project, self.editor.analyst)
        self.candidates_dock = self._bottom_dock(_("Stance candidates"), "stanceCandidates", self.stance_candidates,
                                                 self.review_dock)
        self._reviewer: str | None = None  # the analyst, while review mode writes the gold layer
        self.dashboard: AgreementDashboard | None = None

        self.analyst_button = QToolButton()
        self.analyst_button.setToolTip(_("Switch analyst"))
        if self.member is not None:  # on a team server the login is the analyst: the server takes nothing else
            self.analyst_button.setEnabled(False)
            self.analyst_button.setToolTip(_("On the team's server you annotate as the person you log in as."))
        self.selection_info = QLabel()
        # Read-only, or not saving because the file moved: said in the window itself, not only its title.
        self.file_state = QLabel()
        self.file_state.setStyleSheet("color: #a33; font-weight: bold;")
        self.statusBar().addPermanentWidget(self.file_state)
        self.statusBar().addPermanentWidget(self.selection_info)
        self.statusBar().addPermanentWidget(self.analyst_button)

    @staticmethod
    def _table(model) -> QTableView:
        return table_view(model)

    def _action(self, menu, text: str, slot, shortcut=None, checkable=False) -> QAction:
        action = QAction(text, self)
        if shortcut:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        menu.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu(_("&File"))
        self._action(file, _("&Import documents…"), self.import_files, "Ctrl+I")
        self._action(file, _("Import a &folder…"), self.import_folder, "Ctrl+Shift+I")
        self._action(file, _("Import from another &tool…"), self.import_from_tool)
        self._action(file, _("Propose from a &gazetteer…"), self.propose_from_gazetteer)
        self._action(file, _("&Add an analyst's work…"), self.add_analyst_work)
        file.addSeparator()
        self._action(file, _("&Export…"), self.export, "Ctrl+E")
        file.addSeparator()
        self._action(file, _("Save a &copy of the project as…"), self.save_copy_as)
        self._action(file, _("&Open project…"), self.open_project, QKeySequence.Open)
        self._action(file, _("Open a project on a &server…"), self.open_server_project)
        self.recent_menu = file.addMenu(_("Open &recent"))
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)  # the files' existence is checked then
        self._action(file, _("&New project…"), self.new_project, QKeySequence.New)
        file.addSeparator()
        self._action(file, _("&Quit"), self.close, QKeySequence.Quit)

        edit = bar.addMenu(_("&Edit"))
        undo = self.editor.undo_stack.createUndoAction(self, _("&Undo"))
        undo.setShortcut(QKeySequence.Undo)
        redo = self.editor.undo_stack.createRedoAction(self, _("&Redo"))
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit.addActions([undo, redo])
        edit.addSeparator()
        self.snap_action = self._action(edit, _("&Snap selections to whole words"), self._toggle_snap,
                                        "Ctrl+Shift+W", checkable=True)
        self.snap_action.setChecked(snap_default())
        self.editor.snap_to_words = self.snap_action.isChecked()
        self._action(edit, _("Switch &analyst…"), self.switch_analyst)
        self._action(edit, _("&Preferences…"), self.edit_preferences, "Ctrl+Shift+P")
        edit.addSeparator()
        self._action(edit, _("Label &schema…"), self.edit_schema, "Ctrl+Shift+L")

        span = bar.addMenu(_("&Span"))
        self.delete_action = self._action(span, _("&Delete span"), self.delete_selected_span,
                                          [QKeySequence.Delete, "Backspace"])
        self.delete_action.setShortcutContext(Qt.WidgetWithChildrenShortcut)
        self.pane.addAction(self.delete_action)
        self.annotation_view.addAction(self.delete_action)
        self.stance_view.addAction(self.delete_action)
        self._action(span, _("&Trim leading clitic (و ف ب ل ك ال)"), self.trim_clitic, "Ctrl+T")
        self._action(span, _("Annotate &all occurrences…"), self.propose_occurrences, "Ctrl+Shift+A")
        self._action(span, _("Suggest &entities (assistant)"), self.suggest_entities, "Ctrl+Shift+E")
        self._action(span, _("Entity assista&nt…"), self.show_entity_assistant)
        span.addSeparator()
        # In a right-to-left paragraph the start of a span is its right edge.
        self._action(span, _("Extend at start"), lambda: self.move_edge("start", 1), "Alt+Right")
        self._action(span, _("Shrink at start"), lambda: self.move_edge("start", -1), "Alt+Left")
        self._action(span, _("Extend at end"), lambda: self.move_edge("end", 1), "Alt+Shift+Left")
        self._action(span, _("Shrink at end"), lambda: self.move_edge("end", -1), "Alt+Shift+Right")

        stance = bar.addMenu(_("S&tance"))
        self.stance_action = self._action(stance, _("Make a &stance from the selection…"), self.open_stance_panel, "S")
        self.stance_action.setShortcutContext(Qt.WidgetShortcut)
        self.pane.addAction(self.stance_action)
        self._action(stance, _("&Edit the selected stance…"), self.edit_selected_stance)
        self._action(stance, _("Find stance &candidates"), self.find_stance_candidates, "Ctrl+Shift+K")

        boilerplate = bar.addMenu(_("&Boilerplate"))
        self.boilerplate_action = self._action(boilerplate, _("&Mark the selection or line as boilerplate"),
                                               self.mark_boilerplate, "B")
        self.boilerplate_action.setShortcutContext(Qt.WidgetShortcut)
        self.pane.addAction(self.boilerplate_action)
        self._action(boilerplate, _("Mark from this line to the &end of the document"), self.mark_boilerplate_to_end,
                     "Ctrl+B")
        boilerplate.addSeparator()
        self._action(boilerplate, _("&Review suggestions…"), self.review_boilerplate, "Ctrl+Shift+B")

        review = bar.addMenu(_("&Review"))
        self._action(review, _("&Compare analysts…"), self.choose_analysts_to_compare, "Ctrl+Shift+R")
        self._action(review, _("&Agreement…"), self.show_agreement, "Ctrl+Shift+G")
        self.stop_review_action = self._action(review, _("&Stop reviewing"), self.stop_review)
        self.stop_review_action.setEnabled(False)

        team_menu = bar.addMenu(_("&Team"))
        self.assign_action = self._action(team_menu, _("&Assign documents…"), self.assign_documents)
        self.assign_action.setEnabled(self.member is None or self.member[1] == "admin")
        self._action(team_menu, _("My &queue"), lambda: self._show_order("queue", then_order=True))

        document = bar.addMenu(_("&Document"))
        for position, status in enumerate(STATUS_ORDER, start=1):
            self._action(document, _("Mark as {status}").format(status=_(STATUS_TEXT[status])),
                         lambda _checked=False, s=status: self.set_status(s), f"Ctrl+{position}")
        document.addSeparator()
        self._action(document, _("&Next document"), lambda: self.step_document(1), "Ctrl+PgDown")
        self._action(document, _("&Previous document"), lambda: self.step_document(-1), "Ctrl+PgUp")

        self._action(edit, _("&Find in document…"), self.find_in_document, QKeySequence.Find)
        self._action(edit, _("Search the &corpus…"), self.search_corpus, "Ctrl+Shift+F")

        view = bar.addMenu(_("&View"))
        self._action(view, _("Zoom &in"), lambda: self.pane.zoom(1), [QKeySequence.ZoomIn, "Ctrl+="])
        self._action(view, _("Zoom &out"), lambda: self.pane.zoom(-1), QKeySequence.ZoomOut)
        self._action(view, _("&Reset zoom"), self._reset_zoom, "Ctrl+0")
        view.addSeparator()
        self._action(view, _("&Guidelines"), self.show_guidelines, "F1")

        help_menu = bar.addMenu(_("&Help"))
        self._action(help_menu, _("&About Hashiya"), self.show_about)

    def _connect(self) -> None:
        editor = self.editor
        self.document_filter.textChanged.connect(self.documents.set_filter)
        self.document_order.currentIndexChanged.connect(lambda _index: self.order_documents())
        self.documents.modelReset.connect(self._restore_current_document)
        self.document_view.selectionModel().currentRowChanged.connect(self._document_row_changed)
        self.annotation_view.clicked.connect(self._annotation_clicked)
        self.annotation_view.activated.connect(self._annotation_clicked)
        self.stance_view.clicked.connect(self._stance_clicked)
        self.stance_view.selectionModel().currentRowChanged.connect(
            lambda current, _previous: current.isValid() and self._stance_clicked(current))
        # An undo may remove or change the stance the panel is editing: close it.
        self.editor.undo_stack.indexChanged.connect(lambda _index: self.stance_panel.hide())
        self.stance_view.doubleClicked.connect(lambda _index: self.edit_selected_stance())
        self.stance_panel.saved.connect(self._stance_saved)
        self.find_bar.matchesChanged.connect(self._find_matches_changed)
        self.find_bar.closed.connect(self.pane.setFocus)
        self.corpus_search.hitActivated.connect(self._show_hit)
        editor.documentOpened.connect(lambda document_id: self.review_dock.isVisible()
                                      and self.review.show_document(document_id))
        self.review.goldChanged.connect(self._gold_changed)
        # A gold span made or changed by hand in the main pane may settle a disagreement.
        editor.spansStored.connect(lambda document_id, _added, _removed: self._gold_edited(document_id))
        editor.documentChanged.connect(self._gold_edited)
        self.stance_candidates.taken.connect(self._take_stance_candidate)
        self.stance_candidates.dismissed.connect(self._dismiss_stance_candidate)
        self.stance_candidates.candidateActivated.connect(lambda c: self.pane.select_range(c.start, c.end))
        # The list follows the open document, shown or not (a hidden list shown again must not be another's).
        editor.documentOpened.connect(lambda _document_id: self.find_stance_candidates(show=False))
        self.suggestions.accepted.connect(self._accept_proposals)
        self.suggestions.rejected.connect(self._reject_proposals)
        self.suggestions.proposalActivated.connect(self._show_hit)
        self.suggestions.pendingChanged.connect(self._show_pending)
        self.boilerplate.pendingChanged.connect(self._show_pending)
        self.boilerplate.pendingChanged.connect(self.similar.refresh)  # its refresh compared new documents
        self.similar.documentActivated.connect(self.editor.open_document)
        self.similar.sharedFound.connect(self.pane.set_shared)
        self.boilerplate.pendingChanged.connect(
            lambda: self.documents.set_pending(self.boilerplate.model.pending_by_document()))
        self.suggestions.scope.currentIndexChanged.connect(
            lambda _index: settings.update(propagation_scope=self.suggestions.scope_key()))
        self.stance_panel.cancelled.connect(self.pane.setFocus)
        self.doc_stance_view.polarityChosen.connect(self.editor.set_doc_stance)
        self.pane.labelKey.connect(self._label_key)
        self.pane.spanClicked.connect(self._span_clicked)
        self.pane.selectionChanged.connect(self._update_selection_info)
        self.palette.labelChosen.connect(self.apply_label)
        self.status_box.activated.connect(lambda index: self.set_status(STATUS_ORDER[index]))
        self.analyst_button.clicked.connect(self.switch_analyst)
        editor.documentOpened.connect(self._show_document)
        editor.spansAdded.connect(self._spans_added)
        editor.spansRemoved.connect(self._spans_removed)
        editor.spanSelected.connect(self._select_span)
        editor.documentChanged.connect(self._document_changed)
        editor.spansStored.connect(self._spans_stored)
        editor.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.schema_editor.schemaChanged.connect(self._schema_changed)
        self.schema_editor.failed.connect(lambda text: self.statusBar().showMessage(text, 8000))
        editor.writeFailed.connect(self._write_failed)
        editor.fileLost.connect(self._project_file_lost)
        editor.retry_when_busy = self._ask_to_retry
        if self.live is not None:
            self.live.documentsChanged.connect(self._others_changed)
            self.live.connectionChanged.connect(self._server_connection)
        self.guard.fileLost.connect(self._project_file_lost)
        self.guard.waitingChanged.connect(self._show_waiting)
        self.presence.raiseRequested.connect(self.come_forward)

    # ---- documents -------------------------------------------------------
    def _open_first_document(self) -> None:
        if self.documents.rowCount():
            select_row(self.document_view, 0)
        else:
            self.statusBar().showMessage(_("This project has no documents yet: use File → Import."))

    def _document_row_changed(self, current, _previous) -> None:
        if current.isValid():
            self.editor.open_document(self.documents.document_id(current.row()))

    def _show_document(self, document_id: int) -> None:
        editor = self.editor
        spans = editor.spans()
        self.stance_panel.hide()
        self.find_bar.set_text(editor.text)
        self.pane.show_document(editor.text, [s for s in spans if s.start is not None], editor.colors())
        self.annotations.set_document(editor.text, spans)
        self._refresh_stance_views()
        self._show_pending()
        self.document_title.setText(editor.project.document_name(document_id))
        self.document_title.setToolTip(self.document_title.text())
        self.status_box.setCurrentIndex(STATUS_ORDER.index(editor.status()))
        row = self.documents.row_of(document_id)
        if row is not None and self.document_view.currentIndex().row() != row:
            self.document_view.selectionModel().setCurrentIndex(
                self.documents.index(row, 0), QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
        self._update_title()
        self.pane.setFocus()

    def _others_changed(self, document_ids: set) -> None:
        """Someone (another window, another analyst) changed work or progress on these documents: their rows
        show it (statuses, counts, who is on them)."""
        for document_id in document_ids:
            self.documents.refresh_document(document_id)
        if self.editor.document_id in document_ids:
            self.status_box.setCurrentIndex(STATUS_ORDER.index(self.editor.status()))

    def _server_connection(self, connected: bool, reason: str) -> None:
        if connected:
            self.file_state.setText("")
            self.file_state.setToolTip("")
            self.statusBar().showMessage(_("Connected to the server again."), 8000)
            return
        self.file_state.setText(_("Server not answering"))
        self.file_state.setToolTip(reason)
        self.statusBar().showMessage(_("The server is not answering ({reason}). An edit that cannot be saved is "
                                       "kept until you choose to try it again.").format(reason=reason), 15000)

    def assign_documents(self) -> None:
        """Team → Assign documents…: analysts in turn, N per document; one undo step."""
        project = self.editor.project
        selected = [self.documents.document_id(index.row()) for index in self.document_view.selectionModel().selectedRows()]
        dialog = AssignDialog(project.annotators(), selected, self)
        if dialog.exec() != QDialog.Accepted:
            return
        try:
            pairs = assigning.pairs_for(project, dialog.chosen_analysts(), dialog.per_document.value(),
                                        dialog.chosen_scope(), selected)
        except assignment.AssignmentError as refused:
            QMessageBox.warning(self, _("Assign documents"), str(refused))
            return
        if not pairs:
            self.statusBar().showMessage(_("Nothing to assign: every document chosen has its analysts."), 8000)
            return
        command = AssignDocuments(self.editor, pairs, self.editor.analyst, self._assignments_changed)
        self.editor.undo_stack.push(command)
        documents = len({document for document, _ in command.written})
        self.statusBar().showMessage(ngettext("{n} document assigned.", "{n} documents assigned.", documents).format(
            n=number(documents)), 8000)

    def _assignments_changed(self, document_ids: set) -> None:
        if self.document_order.currentData() == "queue":
            self.order_documents()
        for document_id in document_ids:
            self.documents.refresh_document(document_id)

    def _document_changed(self, document_id: int) -> None:
        self.documents.refresh_document(document_id)
        if document_id == self.editor.document_id:
            self.status_box.setCurrentIndex(STATUS_ORDER.index(self.editor.status()))

    def _spans_stored(self, document_id: int, added: list, removed: list) -> None:
        """The document list adjusts the row from the change: no query, whatever the number of spans."""
        self.documents.count_spans(document_id, added, removed)
        # Only a document still new can change status with its spans (its first one starts it).
        if (document_id == self.editor.document_id and added
                and STATUS_ORDER[self.status_box.currentIndex()] == "new"):
            self.status_box.setCurrentIndex(STATUS_ORDER.index(self.editor.status()))

    def _gold_edited(self, document_id: int) -> None:
        if self._reviewer is not None and document_id == self.review.document_id:
            self.review.gold_edited()

    def _restore_current_document(self) -> None:
        """A reset (filter, import, analyst switch) must not lose the open document's row."""
        row = None if self.editor.document_id is None else self.documents.row_of(self.editor.document_id)
        if row is not None:
            self.document_view.selectionModel().setCurrentIndex(
                self.documents.index(row, 0), QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)

    def step_document(self, step: int) -> None:
        row = self.document_view.currentIndex().row() + step
        if 0 <= row < self.documents.rowCount():
            select_row(self.document_view, row)

    def set_status(self, status: str) -> None:
        if self.editor.set_status(status):
            self.statusBar().showMessage(_("Marked as {status}.").format(status=_(STATUS_TEXT[status])), 3000)
            if status == "done":
                self._learn_entities_when_due()

    # ---- annotating --------------------------------------------------------
    def _label_key(self, key: str) -> None:
        if key == "S":  # reaches here only through the Arabic layout (س); Latin S is the action's
            return self.open_stance_panel()
        label = self.editor.label_for_key(key)
        if label is not None:
            self.apply_label(label.name)
        elif key == "B":  # a project made before B was reserved may have given it to a label
            self.mark_boilerplate()

    def mark_boilerplate(self) -> None:
        """B: the selection, or else the line under the cursor, becomes boilerplate."""
        selection = self.pane.selection_range()
        start, end = selection or self._line_at(self.pane.cursor_offset())
        if self.editor.mark_boilerplate(start, end) is not None:
            self.pane.clear_selection()

    def mark_boilerplate_to_end(self) -> None:
        """Ctrl+B: from the start of the cursor's line to the end of the document (a related-links tail)."""
        if self.editor.document_id is None:
            return
        start, _end = self._line_at(self.pane.cursor_offset())
        if self.editor.mark_boilerplate(start, len(self.editor.text)) is not None:
            self.pane.clear_selection()

    def _line_at(self, offset: int) -> tuple[int, int]:
        text = self.editor.text
        start = text.rfind("\n", 0, offset) + 1
        end = text.find("\n", offset)
        return start, len(text) if end < 0 else end

    def apply_label(self, label: str) -> None:
        """A label key or palette click: annotate the selection, or relabel the selected span."""
        selection = self.pane.selection_range()
        if selection:
            # A match of the engine (find, corpus search) is already a word without its clitic
            # (لروسيا → روسيا): snapping would glue the clitic back on.
            match = self.find_bar.current_match()
            exact = selection in ((match.start, match.end) if match else None, self._engine_selection)
            span = self.editor.create_span(*selection, label, exact=exact)
            if span is not None:
                self._select_span(span)  # also puts the cursor at its start: the selection is gone
            return
        selected = self.pane.selected_span()
        if selected is not None and selected.layer == "entity":
            self.editor.relabel(selected, label)
        else:
            self.statusBar().showMessage(_("Select some text (or click a span) first."), 4000)

    def _spans_added(self, spans) -> None:
        self.pane.add_spans(spans)
        self.annotations.add_spans(spans)
        self._refresh_stance_views(spans)

    def _spans_removed(self, uids) -> None:
        self.pane.remove_spans(uids)
        self.annotations.remove_spans(uids)
        self._refresh_stance_views()

    def _refresh_stance_views(self, changed=()) -> None:
        """Stance lists are short: they are rebuilt from the editor's spans."""
        if changed and all(s.layer == "entity" for s in changed):
            return
        self.stances.set_spans(self.editor.text, self.editor.layer_spans("stance"))
        if self.pane.selected_span() is None:
            self.pane.set_reference_spans([])  # the stance whose holder/target were outlined is gone
        self.doc_stance_hint.setText(
            _("The article's overall stance per target\n(F favour · A against · N neutral · X not addressed · "
              "Del clears)") if self.editor.targets else
            _("No stance targets yet: add them in Edit → Label schema… (Ctrl+Shift+L)."))
        row = self.doc_stance_view.currentIndex().row()  # keys act on the current row: keep it
        self.doc_stances.set_state(self.editor.targets, self.editor.layer_spans("doc_stance"))
        if 0 <= row < self.doc_stances.rowCount():
            self.doc_stance_view.setCurrentIndex(self.doc_stances.index(row, 0))

    # ---- stances ---------------------------------------------------------------
    def open_stance_panel(self) -> None:
        selection = self.pane.selection_range()
        if not selection:
            selected = self.pane.selected_span()
            if selected is not None and selected.layer == "stance":
                return self.edit_selected_stance()
            return self.statusBar().showMessage(_("Select the evidence (a quote or clause) first, then press S."), 5000)
        start, end = words.snap_to_words(self.editor.text, *selection) if self.editor.snap_to_words else selection
        if start >= end:
            return self.statusBar().showMessage(_("The selection holds no words."), 4000)
        self._stance_evidence, self._stance_editing = (start, end), None
        self._open_panel(start, end, current=None)

    def edit_selected_stance(self) -> None:
        span = self._stance_in_list() if self.stance_view.hasFocus() else self.pane.selected_span()
        if span is None or span.layer != "stance":
            return self.statusBar().showMessage(_("Select a stance in the Stances list first."), 4000)
        self._stance_evidence, self._stance_editing = (span.start, span.end), span
        self._open_panel(span.start, span.end, current=span)

    def _open_panel(self, start: int, end: int, current) -> None:
        editor = self.editor
        cursor = self.pane.textCursor()
        cursor.setPosition(self.pane._map.to_qt(end))
        anchor = self.pane.viewport().mapTo(self, self.pane.cursorRect(cursor).bottomLeft())
        self.stance_panel.open_for(editor.text[start:end], editor.text, editor.layer_spans("entity"),
                                   editor.targets, editor.guess_holder(start), anchor, current=current)

    # ---- stance candidates (app.stance_candidates) -------------------------------------
    def find_stance_candidates(self, show: bool = True) -> None:
        """Ctrl+Shift+K: the open document's sentences reporting words about a target, not yet decided."""
        editor = self.editor
        if editor.document_id is None or not editor.targets:
            self.stance_candidates.show_candidates(editor.document_id, editor.text or "", [])
            if show and editor.document_id is not None:
                self.statusBar().showMessage(_("No stance targets yet: add them in Edit → Label schema… "
                                               "(Ctrl+Shift+L)."), 6000)
            return
        if not show and not self.candidates_dock.isVisible() and not self.stance_candidates.model.rowCount():
            return  # never asked for: nothing to keep up to date
        taken = [(s.start, s.end) for s in editor.layer_spans("stance")]
        taken += stance_candidates.dismissed(editor.project, editor.document_id, editor.analyst)
        found = stance_candidates.candidates(editor.text, editor.layer_spans("entity"), editor.targets, taken,
                                             self.stance_candidates.polarity_model())
        self.stance_candidates.show_candidates(editor.document_id, editor.text, found)
        if show:
            self.show_panel(self.candidates_dock, self.stance_candidates.view)

    def _take_stance_candidate(self, candidate, polarity: str) -> None:
        editor = self.editor
        if self.stance_candidates.document_id != editor.document_id:
            return self.find_stance_candidates(show=False)  # the list was of another document
        if editor.create_stance(candidate.start, candidate.end, candidate.holder_ref(editor.text),
                                candidate.target_ref(), polarity, "") is not None:
            self.statusBar().showMessage(_("Stance saved: {polarity}.").format(polarity=polarity), 4000)
        else:
            self.find_stance_candidates(show=False)  # not saved (said why): the candidate is listed again

    def _dismiss_stance_candidate(self, candidate) -> None:
        if self.stance_candidates.document_id != self.editor.document_id:
            return self.find_stance_candidates(show=False)
        try:
            stance_candidates.dismiss(self.editor.project, self.editor.document_id, candidate, self.editor.analyst)
        except ProjectError as refused:
            self.statusBar().showMessage(str(refused), 6000)
            self.find_stance_candidates(show=False)

    def _stance_saved(self, choice) -> None:
        if self._stance_editing is not None:
            self.editor.update_stance(self._stance_editing, choice.holder, choice.target, choice.polarity, choice.note)
        else:
            created = self.editor.create_stance(*self._stance_evidence, choice.holder, choice.target,
                                                choice.polarity, choice.note)
            if created is not None:
                self.pane.clear_selection()
                self.statusBar().showMessage(_("Stance saved: {polarity}.").format(polarity=choice.polarity), 4000)
        self.pane.setFocus()

    def _stance_clicked(self, index) -> None:
        span = self.stance_view.model().data(index, Qt.UserRole)
        self.pane.set_selected_span(span.uid)
        references = [ref for ref in (span.attrs.get("holder", {}), span.attrs.get("target", {})) if "start" in ref]
        self.pane.set_reference_spans([(ref["start"], ref["end"]) for ref in references])
        self.pane.select_range(span.start, span.start)

    def _span_clicked(self, span) -> None:
        self.pane.set_reference_spans([])
        self._select_span(span, scroll=False)

    def _select_span(self, span, scroll: bool = True) -> None:
        self.pane.set_selected_span(span.uid if span else None)
        if span is None:
            self.annotation_view.clearSelection()
            return
        row = self.annotations.row_of(span)
        if row is not None:
            select_row(self.annotation_view, row)
        if scroll:
            self.pane.select_range(span.start, span.start)
        text = self.editor.text[span.start:span.end]
        # First-strong isolate keeps the Arabic excerpt from reordering the rest of the line.
        self.statusBar().showMessage(_("{label}: {text} — characters {start}–{end}").format(
            label=span.label, text="\u2068" + text + "\u2069", start=number(span.start), end=number(span.end)), 5000)

    def _annotation_clicked(self, index) -> None:
        self._select_span(self.annotations.span_at(index.row()))
        self.pane.setFocus()

    def delete_selected_span(self) -> None:
        span = self._stance_in_list() if self.stance_view.hasFocus() else self.pane.selected_span()
        if span is not None:
            self.editor.delete([span])

    def _stance_in_list(self):
        index = self.stance_view.currentIndex()
        return self.stance_view.model().data(index, Qt.UserRole) if index.isValid() else None

    def trim_clitic(self) -> None:
        span = self.pane.selected_span()
        if span is None:
            return self.statusBar().showMessage(_("Click a span first."), 4000)
        start, end = words.trim_leading_clitic(self.editor.text, span.start, span.end)
        if start == span.start:
            return self.statusBar().showMessage(_("No leading clitic to trim."), 4000)
        self.editor.move_edges(span, start, end, _("Trim clitic"))

    def move_edge(self, edge: str, amount: int) -> None:
        span = self.pane.selected_span()
        if span is None:
            return self.statusBar().showMessage(_("Click a span first."), 4000)
        start, end = words.grow(span.start, span.end, len(self.editor.text), edge, amount)
        # The undo step's name, a noun in Edit → Undo …; the menu's is a command.
        description = {("start", True): pgettext("undo", "Extend at start"),
                       ("start", False): pgettext("undo", "Shrink at start"),
                       ("end", True): pgettext("undo", "Extend at end"),
                       ("end", False): pgettext("undo", "Shrink at end")}[edge, amount > 0]
        self.editor.move_edges(span, start, end, description)

    def find_in_document(self) -> None:
        selection = self.pane.selection_range()
        short = selection and selection[1] - selection[0] <= 60 and "\n" not in self.editor.text[slice(*selection)]
        self.find_bar.open_bar(self.editor.text[slice(*selection)] if short else "")

    # ---- annotate all occurrences -----------------------------------------------------
    def propose_occurrences(self) -> None:
        span = self.pane.selected_span()
        if span is None or span.layer != "entity":
            return self.statusBar().showMessage(_("Click a span first: its other occurrences are proposed."), 5000)
        scope = None if self.suggestions.scope_key() == "corpus" else [self.editor.document_id]
        form = self.editor.text[span.start:span.end]
        self._start_proposals([(form, span.label)], scope, _("Other occurrences of {form} as {label}").format(
            form="\u2068" + form + "\u2069", label=span.label))

    def _start_proposals(self, pairs, scope, title: str) -> None:
        self.show_panel(self.suggestions_dock, self.suggestions.view)
        self.suggestions.start(pairs, self.editor.analyst, scope, title)

    def propose_from_gazetteer(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Propose from a gazetteer"),
                                                    folders.opens_in(folders.GAZETTEER),
                                                    _("Name lists (*.txt *.csv)") + ";;" + _("All files (*)"))
        if folders.remember_choice(folders.GAZETTEER, path):
            self.run_gazetteer(Path(path))

    def run_gazetteer(self, path: Path, label: str | None = None) -> None:
        """A list of names (one per line, or CSV name,label): propose all their occurrences in the corpus."""
        known = {l.name for l in self.editor.labels}
        if label is None and path.suffix.lower() != ".csv":
            label, ok = QInputDialog.getItem(self, _("Gazetteer"), _("Label for the names in {file}:").format(file=path.name),
                                             sorted(known), 0, False)
            if not ok:
                return
        try:
            gazetteer = read_gazetteer(path, known, label)
        except GazetteerError as error:
            return QMessageBox.warning(self, _("Gazetteer"), str(error))
        if gazetteer.problems:
            skipped = len(gazetteer.problems)
            self.statusBar().showMessage(ngettext("{file}: skipped {n} line(s): {problem}",
                                                  "{file}: skipped {n} line(s): {problem}", skipped).format(
                file=path.name, n=number(skipped), problem=gazetteer.problems[0]), 8000)
        names = len(gazetteer.pairs)
        self._start_proposals(gazetteer.pairs, None, ngettext("{n} name(s) from {file}", "{n} name(s) from {file}",
                                                              names).format(n=number(names), file=path.name))

    def _accept_proposals(self, proposals: list) -> None:
        spans = [p.as_span(self.editor.analyst) for p in proposals]
        if proposals[0].kind == "predicted":
            description = ngettext("Accept {n} suggested entity", "Accept {n} suggested entities", len(spans))
        else:
            description = ngettext("Annotate all: {label} ×{n}", "Annotate all: {label} ×{n}", len(spans))
        self.editor.add_batch(spans, description.format(label=proposals[0].label, n=number(len(spans))))

    def _reject_proposals(self, proposals: list, everywhere: bool) -> None:
        project, analyst = self.editor.project, self.editor.analyst
        try:
            propagation.reject(project, proposals, analyst)
            if everywhere:
                propagation.reject_everywhere(project, [(p.form or p.text, p.label) for p in proposals], analyst)
        except ProjectError as refused:  # read-only, moved: said; the proposals are not remembered
            return self.statusBar().showMessage(str(refused), 6000)
        self.statusBar().showMessage(ngettext("Rejected {n}; they will not be proposed again.",
                                              "Rejected {n}; they will not be proposed again.",
                                              len(proposals)).format(n=number(len(proposals))), 4000)

    # ---- the entity assistant (app.assistant) ---------------------------------------------
    def _entity_recommender(self):
        """The stored model, read once (until it learns again); none yet is asked again next time."""
        if self._learnt_entities is None:
            self._learnt_entities = assistant.stored(self.editor.project)
        return self._learnt_entities

    def suggest_entities(self) -> None:
        """Ctrl+Shift+E: the recommender's entities in this document (or the corpus, by the panel's scope);
        the team's model server's when the assistant is set to it."""
        project = self.editor.project
        if self.editor.document_id is None:
            return
        scope = project.document_ids() if self.suggestions.scope_key() == "corpus" else [self.editor.document_id]
        if assistant.suggestions_from(project) == "server":
            url, problems = assistant.server(project), []
            predict = assistant.server_predictor(url, [label.name for label in self.editor.labels], problems)
            self.show_panel(self.suggestions_dock, self.suggestions.view)
            return self.suggestions.start_predicted(predict, self.editor.analyst, scope, _(
                "Entities the model server at {url} proposes").format(url=url), problems)
        learnt = self._entity_recommender()
        if learnt is None:
            return self.statusBar().showMessage(_("Nothing learnt yet: Span → Entity assistant… learns entities "
                                                  "from your finished documents."), 6000)
        if not assistant.used(project):
            return self.statusBar().showMessage(_("Entity suggestions are switched off (Span → Entity "
                                                  "assistant…)."), 6000)
        reason = assistant.quiet_reason(learnt.about, assistant.quiet_below(project))
        if reason:
            return self.statusBar().showMessage(reason, 8000)
        self.show_panel(self.suggestions_dock, self.suggestions.view)
        self.suggestions.start_predicted(learnt, self.editor.analyst, scope, _("Entities the assistant proposes"))

    def show_entity_assistant(self) -> None:
        dialog = EntityAssistantDialog(self.editor.project, self.editor.analyst,
                                       [label.name for label in self.editor.labels], self)
        dialog.learnt.connect(self._forget_entity_recommender)
        dialog.finished.connect(lambda _result: (self._forget_entity_recommender(), dialog.deleteLater()))
        dialog.open()

    def _forget_entity_recommender(self) -> None:
        self._learnt_entities = None  # read again from the project when next used

    def order_documents(self) -> None:
        """The document list in the order chosen above it: the corpus's, or the assistant's most useful first
        (ranked in the background)."""
        order = self.document_order.currentData()
        self._ranking.stop_and_wait()
        if order == "queue":
            mine = assignment.queue(self.editor.project, self.editor.analyst)
            self.documents.set_order(None)
            self.documents.set_only(mine)
            self.statusBar().showMessage(ngettext("{n} document assigned to you.", "{n} documents assigned to you.",
                                                 len(mine)).format(n=number(len(mine))), 6000)
            return
        self.documents.set_only(None)
        if order == "corpus":
            return self.documents.set_order(None)
        learnt = self._entity_recommender()
        reason = (_("Nothing learnt yet: Span → Entity assistant… learns entities from your finished documents.")
                  if learnt is None else assistant.quiet_reason(learnt.about, assistant.quiet_below(self.editor.project)))
        if reason:
            self.statusBar().showMessage(reason, 8000)
            return self._show_order("corpus")

        def connect(worker: RankWorker) -> None:
            worker.progressed.connect(self._ranking_progress)  # a method: called on this (the GUI) thread
            worker.finished.connect(self._documents_ranked)

        self._ranking.start(RankWorker(self.editor.project, learnt, self.editor.analyst, order), connect)

    def _ranking_progress(self, done: int, total: int) -> None:
        self.statusBar().showMessage(_("Ordering the documents: {done} of {total}…").format(
            done=number(done), total=number(total)))

    def _documents_ranked(self, ranked: list, cancelled: bool) -> None:
        if not self._ranking.finish(self.sender()) or cancelled:
            return
        current = self.editor.document_id
        self.documents.set_order(ranked)
        if current is not None and self.documents.row_of(current) is not None:
            select_row(self.document_view, self.documents.row_of(current))
        self.statusBar().showMessage(ngettext("{n} document to finish, most useful first.",
                                              "{n} documents to finish, most useful first.",
                                              len(ranked)).format(n=number(len(ranked))), 6000)

    def _ranking_failed(self, message: str) -> None:
        self.statusBar().showMessage(message, 8000)
        self._show_order("corpus")

    def _show_order(self, key: str, then_order: bool = False) -> None:
        self.document_order.blockSignals(True)
        self.document_order.setCurrentIndex(self.document_order.findData(key))
        self.document_order.blockSignals(False)
        if then_order:
            self.order_documents()
        elif key == "corpus":
            self.documents.set_only(None)
            self.documents.set_order(None)

    def _learn_entities_when_due(self) -> None:
        """Learn again in the background once enough documents were finished since the model learnt."""
        learnt = self._entity_recommender()
        project = self.editor.project
        if learnt is None or project.read_only or self._entity_learning.running() or not assistant.used(project) \
                or not assistant.due(project, learnt.about):
            return

        def connect(worker: LearnEntitiesWorker) -> None:
            worker.finished.connect(self._entities_learnt)

        self._entity_learning.start(LearnEntitiesWorker(project, learnt.about["source"]), connect)
        self.statusBar().showMessage(_("Learning entities again in the background…"), 4000)

    def _entities_learnt(self, learnt, message: str) -> None:
        if not self._entity_learning.finish(self.sender()):
            return
        if learnt is not None:
            message = store_learnt(self.editor.project, learnt)
            self._forget_entity_recommender()
        self.statusBar().showMessage(message, 8000)

    def _show_pending(self) -> None:
        if self.editor.document_id is not None:
            self.pane.set_pending_spans(self.suggestions.pending(self.editor.document_id))
            self.pane.set_pending_boilerplate(self.boilerplate.pending(self.editor.document_id))

    def review_boilerplate(self) -> None:
        """Show the boilerplate panel and bring its suggestions up to date (indexing new documents)."""
        self.show_panel(self.boilerplate_dock, self.boilerplate.view)
        self.boilerplate.refresh()

    # ---- review: compare two analysts, adjudicate into gold ---------------------------------
    def _analysts_to_compare(self, title: str) -> list[str] | None:
        names = analysts_to_compare(self.editor.project)
        if len(names) >= 2:
            return names
        QMessageBox.information(self, title, _("This project holds one analyst's work. Add another analyst's "
                                               "project with File → Add an analyst's work… first."))
        return None

    def choose_analysts_to_compare(self) -> None:
        names = self._analysts_to_compare(_("Compare analysts"))
        if names is None:
            return
        dialog = ChooseAnalysts(names, self)
        if dialog.exec() == QDialog.Accepted:
            first, second = dialog.names()
            if first == second:
                QMessageBox.information(self, _("Compare analysts"), _("Choose two different analysts."))
                return
            self.start_review(first, second)

    def start_review(self, first: str, second: str) -> None:
        """Review mode: the review dock compares `first` and `second`; the main pane shows and edits the
        gold layer (the analysts' own layers are only read)."""
        if self._reviewer is None:
            self._reviewer = self.editor.analyst
            self.editor.adjudicator = self._reviewer
            self._set_writing_layer(GOLD)
        self.show_panel(self.review_dock, self.review.view)
        self.review.start(first, second, self._reviewer)
        self.stop_review_action.setEnabled(True)

    def show_agreement(self) -> None:
        names = self._analysts_to_compare(_("Agreement"))
        if names is None:
            return
        if self.dashboard is None:
            self.dashboard = AgreementDashboard(self.editor.project, names, self)
            self.dashboard.compareDocument.connect(self._compare_document)
        self.dashboard.show()
        self.dashboard.raise_()
        self.dashboard.recompute()

    def _compare_document(self, document_id: int, first: str, second: str) -> None:
        self.editor.open_document(document_id)
        self.start_review(first, second)

    def stop_review(self) -> None:
        if self._reviewer is not None:
            reviewer, self._reviewer = self._reviewer, None
            self.editor.adjudicator = None
            self._set_writing_layer(reviewer)
        self.review_dock.hide()
        self.stop_review_action.setEnabled(False)

    def _set_writing_layer(self, name: str) -> None:
        self.editor.set_analyst(name)
        self.documents.set_annotator(name)
        self._update_title()

    def _gold_changed(self, document_id) -> None:
        if document_id is None or document_id == self.editor.document_id:
            self.editor.reload_schema()  # re-reads the open document's (gold) spans
        self.documents.reload()

    def search_corpus(self) -> None:
        selection = self.pane.selection_range()
        if selection and selection[1] - selection[0] <= 60:
            self.corpus_search.query.setText(self.editor.text[slice(*selection)])
        self.show_panel(self.corpus_dock, self.corpus_search.query)
        self.corpus_search.query.selectAll()

    def show_guidelines(self) -> None:
        guidelines = self.guidelines
        self.show_panel(self.guidelines_dock, guidelines.source if guidelines.editing() else guidelines.browser)

    def show_panel(self, dock: QDockWidget, focus: QWidget) -> None:
        """Every panel a shortcut asks for comes through here: shown, in front of the panels tabbed with it,
        and holding the keyboard. A panel opened as a background tab would take the analyst's typing into
        a field they cannot see."""
        area = self.dockWidgetArea(dock)
        opens_area = not dock.isFloating() and not any(
            other.isVisible() and not other.isFloating() and self.dockWidgetArea(other) == area
            for other in self.findChildren(QDockWidget))
        dock.show()
        dock.raise_()  # makes a tabified dock the current tab
        if dock.isFloating():
            dock.activateWindow()
        elif opens_area and area not in self._sized_areas:
            self._give_share(dock, area)
        focus.setFocus(Qt.ShortcutFocusReason)

    # ---- layout: fits a laptop screen, and the analyst's own is remembered ----------------------
    def _give_share(self, dock: QDockWidget, area) -> None:
        """The first opening of a dock area: its share of the window, not the panel's own size hint (the
        review panel's asked for more than half of a laptop screen)."""
        self._sized_areas.add(area)
        vertical = area in (Qt.BottomDockWidgetArea, Qt.TopDockWidgetArea)
        whole = self.height() if vertical else self.width()
        minimum = dock.minimumSizeHint().height() if vertical else dock.minimumSizeHint().width()
        self.resizeDocks([dock], [max(minimum, round(whole * DOCK_SHARE[area]))],
                         Qt.Vertical if vertical else Qt.Horizontal)

    def _fit_to_screen(self) -> None:
        available = self.screen().availableGeometry()
        self.resize(min(PREFERRED_SIZE[0], available.width()),
                    min(PREFERRED_SIZE[1], available.height() - FRAME_ALLOWANCE))

    def _restore_layout(self) -> None:
        """The window's size and place and its panels' as the analyst left them (saved on close); a saved
        layout that is corrupt or from another version is ignored."""
        saved = settings.load()
        geometry, state = _from_base64(saved.get(SAVED_GEOMETRY)), _from_base64(saved.get(SAVED_STATE))
        if geometry is None or not self.restoreGeometry(geometry):
            self._fit_to_screen()
        if state is not None and self.restoreState(state, LAYOUT_VERSION):
            # The areas that were open keep the analyst's sizes.
            self._sized_areas = {self.dockWidgetArea(dock) for dock in self.findChildren(QDockWidget)
                                 if not dock.isHidden() and not dock.isFloating()}
            self.review_dock.hide()  # review mode is not restored: Review → Compare analysts starts it
            if not self.boilerplate_dock.isHidden():
                self.boilerplate.refresh()  # as opening it does: its suggestions, with new documents indexed

    def save_layout(self) -> None:
        try:
            settings.update(**{SAVED_GEOMETRY: _to_base64(self.saveGeometry()),
                               SAVED_STATE: _to_base64(self.saveState(LAYOUT_VERSION))})
        except OSError as error:  # a convenience: losing it must not stop the window closing
            print(_("hashiya: the window layout was not saved to {path}: {error}").format(
                path=settings.settings_path(), error=error), file=sys.stderr)

    def _show_hit(self, hit) -> None:
        """Open the document at the match and select it, exactly as found (a label key annotates it)."""
        self.editor.open_document(hit.document_id)
        self.pane.select_range(hit.start, hit.end)
        self._engine_selection = (hit.start, hit.end)

    def _find_matches_changed(self, matches: list, current: int) -> None:
        self.pane.set_find_matches(matches, current)
        if current >= 0:  # the current match is the selection: a label key annotates it
            self.pane.select_range(*matches[current])

    def edit_schema(self) -> None:
        SchemaDialog(self.schema_editor, self).exec()  # modal: usage counts stay true while it is open

    def _schema_changed(self, _layer: str) -> None:
        """After a schema edit, its undo or redo: labels, colours, targets and renamed spans."""
        self.palette.set_labels(self.project_labels())
        self._fit_palette()
        self.corpus_search.set_labels([label.name for label in self.project_labels()])
        self.editor.reload_schema()  # reopens the document: renamed spans, new colours and targets

    def _fit_palette(self) -> None:
        """The palette is shown whole, up to PALETTE_MAX_HEIGHT; the span list below takes the rest."""
        height = min(self.palette.sizeHint().height(), PALETTE_MAX_HEIGHT)
        self.palette_area.setFixedHeight(height)

    def project_labels(self):
        return self.editor.project.labels("entity")

    def _toggle_snap(self, checked: bool) -> None:
        self.editor.snap_to_words = checked
        self.statusBar().showMessage(_("Selections snap to whole words.") if checked
                                     else _("Selections are taken exactly as made."), 3000)

    def _update_selection_info(self) -> None:
        selection = self.pane.selection_range()
        if selection:
            start, end = selection
            self.selection_info.setText(ngettext("selection {start}–{end} ({n} characters)",
                                                 "selection {start}–{end} ({n} characters)", end - start).format(
                start=number(start), end=number(end), n=number(end - start)))
        else:
            self.selection_info.clear()

    def _reset_zoom(self) -> None:
        self.pane.setFont(reading_font(reading_size()))

    # ---- analyst and project -----------------------------------------------
    def switch_analyst(self) -> None:
        name, ok = QInputDialog.getText(self, _("Analyst"), _("Your name (your annotations are saved under it):"),
                                        text=self.editor.analyst)
        if ok and name.strip() == GOLD:
            QMessageBox.information(self, _("Analyst"), _("“{gold}” is the adjudicated layer's name: choose another. "
                                                          "Review → Compare analysts… writes the gold layer.").format(
                gold=GOLD))
            return
        if ok and self._reviewer is not None:
            self.stop_review()
        if ok and name.strip() and name.strip() != self.editor.analyst:
            settings.update(analyst=name.strip())
            self._become(name.strip())

    def _become(self, name: str) -> None:
        """Annotate as `name` from now on (its layer in every list)."""
        self.editor.set_analyst(name)
        self.documents.set_annotator(name)
        self.corpus_search.set_analyst(name)
        self._update_title()

    # ---- preferences -----------------------------------------------------------------------------------------
    def edit_preferences(self) -> None:
        """Edit → Preferences: saved at once; the language and digits reopen the window when the analyst agrees."""
        dialog = PreferencesDialog(saved_preferences(self._reviewer or self.editor.analyst), self)
        if dialog.exec() != QDialog.Accepted:
            return
        chosen = dialog.chosen()
        save_preferences(chosen)
        if chosen.analyst != (self._reviewer or self.editor.analyst):
            self.stop_review()
            self._become(chosen.analyst)
        self.pane.setFont(reading_font(chosen.reading_size))
        self.snap_action.setChecked(chosen.snap_to_words)
        self.editor.snap_to_words = chosen.snap_to_words
        if (chosen.language, chosen.digits) == (i18n.language(), i18n.digits()):
            return
        answer = dialogs.choose(
            self, _("Preferences"), _("The window opens again to show the new language and digits."),
            _("Your work is saved: nothing is lost."),
            [("reopen", _("Reopen now"), "accept"), ("later", _("At the next start"), "reject")], "reopen",
            icon=QMessageBox.Question)
        if answer == "reopen":
            self.reopen(chosen.language, chosen.digits)

    def reopen(self, language: str, digits: str) -> None:
        """This window made again in `language` with `digits`, on the same open project and lock (texts are
        set when widgets are made, so a new window is the sure way to have every one of them in the new
        language). Every edit is already committed; the undo history stays with the old window."""
        self.stop_review()
        apply_language(QApplication.instance(), language, digits)
        lock = self.presence.hand_over()
        self._handed_over = True
        self.replacement = MainWindow(self.editor.project, self.editor.analyst, lock)
        self.replacement.resize(self.size())
        self.replacement.show()
        self.close()

    def _update_title(self) -> None:
        project = self.editor.project
        name = project.name
        if self.guard.lost is not None:
            name = _("{name} (not saving: the file was moved or deleted)").format(name=name)
            self.file_state.setText(_("Not saving: the project file was moved or deleted"))
            self.file_state.setToolTip(str(self.guard.lost))
        elif project.read_only:
            name = _("{name} (read-only)").format(name=name)
            self.file_state.setText(_("Read-only"))
            self.file_state.setToolTip(_("This project is open read-only: {reason}.").format(
                reason=project.read_only_reason))
        self.file_state.setVisible(bool(self.guard.lost is not None or project.read_only))
        if self._reviewer is not None:
            self.setWindowTitle(_("Hashiya — {name} — reviewing: the gold layer").format(name=name))
            self.analyst_button.setText(_("Adjudicator: {name} (writing gold)").format(name=self._reviewer))
            return
        self.setWindowTitle(_("Hashiya — {name}").format(name=name))
        self.analyst_button.setText(_("Analyst: {name}").format(name=self.editor.analyst))

    # ---- the project file: read-only, moved, busy --------------------------------------------
    def _write_failed(self, text: str) -> None:
        """A refused edit: explained in a box; in a read-only project once, then in the status bar."""
        if self.editor.project.read_only and self._read_only_explained:
            self.statusBar().showMessage(_("Read-only: {reason}. Nothing was changed.").format(
                reason=self.editor.project.read_only_reason), 8000)
            return
        self._read_only_explained = self.editor.project.read_only
        if self.editor.project.read_only:
            text += "\n\n" + _("File → Save a copy of the project as… makes a copy you can edit.")
        QMessageBox.warning(self, _("Not saved"), text)

    def _show_waiting(self, waiting: bool) -> None:
        if waiting:
            self.statusBar().showMessage(_("Waiting for another window to finish writing to {file}…").format(
                file=self.editor.project.name))
            self.statusBar().repaint()  # a write on this thread goes on waiting: paint now
        else:
            self.statusBar().clearMessage()

    def _ask_to_retry(self, error: Exception, what: str) -> bool:
        if isinstance(error, ProjectUnreachable):
            title, why = _("Server not answering"), _("The edit is kept here until you decide. Try again once the "
                                                      "server answers (the status bar says when), or drop this edit.")
        else:
            title, why = _("Project busy"), _("Another Hashiya window or program is writing to this project. Try "
                                              "again when it has finished, or drop this edit.")
        return dialogs.choose(self, title, _("“{what}” is not saved yet: {error}").format(what=what, error=error), why,
                              [("again", _("Try again"), "accept"), ("drop", _("Drop the edit"), "reject")],
                              "again") == "again"

    def _project_file_lost(self, error: ProjectFileMoved) -> None:
        """The file is no longer where it was opened: nothing more is written; offer to save it elsewhere."""
        first_time = self.guard.lost is None
        self.guard.lost = error
        self._update_title()
        if not first_time:
            self.statusBar().showMessage(_("Not saved: {error}").format(error=error), 10_000)
            return
        answers = [("save", _("Save the project as…"), "accept")]
        if error.now_at is not None:
            answers.append(("follow", _("Open it where it is now"), "action"))
        answers.append(("later", _("Not now"), "reject"))
        choice = dialogs.choose(self, _("Project file moved"), str(error),
                                _("Edits made since then, if any, were not saved. Everything else is still here and "
                                  "can be saved to a place you choose."), answers, "save")
        if choice == "save":
            self.save_copy_as(then_open=True)
        elif choice == "follow":
            self._switch_project(error.now_at, create=False)

    def save_copy_as(self, then_open: bool = False) -> None:
        """File → Save a copy of the project as…: everything committed, into a new project file."""
        project = self.editor.project
        stem = project.path.stem if project.is_file else project.store.url.database or "project"
        # A database's name is someone else's word: made a safe file name, with room for " (copy).hashiya".
        name = _("{name} (copy)").format(name=safe_component(stem, room=32)) + ".hashiya"
        suggested = folders.opens_in(folders.PROJECT, name)
        path, _filter = QFileDialog.getSaveFileName(self, _("Save a copy of the project"), suggested,
                                                    _("Hashiya projects (*.hashiya)"))
        if folders.remember_choice(folders.PROJECT, path):
            self.save_copy_to(Path(path), then_open or self.guard.lost is not None or self.editor.project.read_only)

    def save_copy_to(self, target: Path, then_open: bool) -> bool:
        if target.suffix != ".hashiya":
            target = target.with_name(target.name + ".hashiya")
        project = self.editor.project
        if project.is_file and target.resolve() == project.path.resolve() and self.guard.lost is None:
            QMessageBox.warning(self, _("Save a copy"), _("{path} is the project that is open.").format(path=target))
            return False
        try:
            self.editor.project.save_copy(target)
        except ProjectError as error:
            QMessageBox.warning(self, _("Save a copy"), str(error))
            return False
        self.statusBar().showMessage(_("Saved a copy of the project as {path}.").format(path=target), 8000)
        if then_open:
            self._switch_project(target, create=False)
        return True

    def come_forward(self) -> None:
        """Another window asked to open this project: show this one instead."""
        if self.isMinimized():
            self.showNormal()
        self.show()
        self.raise_()
        self.activateWindow()

    def import_files(self) -> None:
        files, _filter = QFileDialog.getOpenFileNames(self, _("Import documents"), folders.opens_in(folders.IMPORT),
                                                      _("Text and JSONL (*.txt *.jsonl *.ndjson)") + ";;"
                                                      + _("All files (*)"))
        if folders.remember_choice(folders.IMPORT, files):
            self._run_import(files)

    def import_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, _("Import a folder of documents"),
                                                  folders.opens_in(folders.IMPORT))
        if folders.remember_choice(folders.IMPORT, folder):
            self._run_import([folder])

    def import_from_tool(self) -> None:
        """doccano, Label Studio, CoNLL, brat or XMI files: the file type picked says which."""
        shown = tool_filters()  # the filters as the dialog shows them, each with its format
        files, chosen = QFileDialog.getOpenFileNames(self, _("Import from another tool"),
                                                     folders.opens_in(folders.IMPORT_TOOL), ";;".join(shown))
        if folders.remember_choice(folders.IMPORT_TOOL, files):
            self._run_import(files, shown[chosen])

    def _run_import(self, paths: list[str], format_name: str | None = None) -> None:
        if self._import_runner is not None:
            return QMessageBox.information(self, _("Import"), _("An import is already running."))
        self._import_runner = ImportRunner(self, self.editor.project, paths, self.editor.analyst, format_name)
        self._import_runner.done.connect(lambda _report: self._after_import())
        self._import_runner.start()

    def _after_import(self) -> None:
        self._import_runner = None
        self.documents.reload()
        if self.editor.document_id is None:
            self._open_first_document()
        else:  # an imported JSONL may have brought annotations for the open document
            self.editor.reload_schema()
        if self.boilerplate_dock.isVisible():  # index the new documents and list their suggestions
            self.boilerplate.refresh()

    def add_analyst_work(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Add an analyst's work"),
                                                    folders.opens_in(folders.ANALYST_WORK),
                                                    _("Hashiya projects (*.hashiya)") + ";;" + _("All files (*)"))
        if folders.remember_choice(folders.ANALYST_WORK, path):
            self.merge_from(path)

    def merge_from(self, path: str) -> None:
        """Add the annotations of another analyst's project file (documents matched by their text)."""
        if self._merge_runner is not None:
            return
        self._merge_runner = MergeRunner(self, self.editor.project, path, self.editor.analyst)
        self._merge_runner.done.connect(self._after_merge)
        self._merge_runner.start()

    def _after_merge(self, report) -> None:
        self._merge_runner = None
        if report is not None:
            self.documents.reload()
            self.editor.reload_schema()

    def export(self) -> None:
        """File → Export…: a format, whose work and which layer, then where; run on a worker."""
        if self._export_runner is not None:
            return QMessageBox.information(self, _("Export"), _("An export is already running."))
        dialog = ExportDialog(self, self.editor.project, self.editor.analyst)
        if dialog.exec() != QDialog.Accepted:
            return
        out = ask_destination(self, dialog)
        if out is not None:
            self.export_to(dialog.request(out))

    def export_to(self, request: ExportRequest) -> None:
        problem = check_destination(request)
        if problem:
            return QMessageBox.warning(self, _("Export"), _("{problem} Nothing was written.").format(problem=problem))
        self._export_runner = ExportRunner(self, self.editor.project, request)
        self._export_runner.done.connect(self._after_export)
        self._export_runner.start()

    def _after_export(self, written: bool, message: str) -> None:
        self._export_runner = None
        self.statusBar().showMessage(message, 10_000)

    def open_project(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, _("Open project"), folders.opens_in(folders.PROJECT),
                                                    _("Hashiya projects (*.hashiya)") + ";;" + _("All files (*)"))
        if folders.remember_choice(folders.PROJECT, path):
            self._switch_project(Path(path), create=False)

    def open_server_project(self) -> None:
        """File → Open a project on a server…: its postgresql:// address (the last one offered again)."""
        last = next((entry for entry in settings.recent_projects() if isinstance(entry, str)), "postgresql://")
        address, ok = QInputDialog.getText(
            self, _("Open a project on a server"),
            _("The project's address, postgresql://you@server/database (no password: the server's usual "
              "login, a ~/.pgpass line or a service file, is used):"), text=last)
        address = address.strip()
        if not ok or not address:
            return
        if not is_server_address(address):
            QMessageBox.warning(self, _("Open a project on a server"), _(
                "{url} is not a PostgreSQL address (postgresql://user@host/database).").format(url=address))
            return
        self._switch_project(address, create=False)

    def new_project(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(self, _("New project"),
                                                    folders.opens_in(folders.PROJECT, _("untitled") + ".hashiya"),
                                                    _("Hashiya projects (*.hashiya)"))
        if folders.remember_choice(folders.PROJECT, path):
            target = Path(path if path.endswith(".hashiya") else f"{path}.hashiya")
            if target.exists():
                return QMessageBox.warning(self, _("New project"),
                                           _("{path} already exists; open it instead.").format(path=target))
            labels = self._ask_label_preset()
            if labels is not None:
                self._switch_project(target, create=True, labels=labels)

    def _ask_label_preset(self) -> str | None:
        """English label names (PERS, LOC, ORG…) or Arabic ones (شخص، مكان، منظمة…); the interface's first."""
        answers = [("en", _("English labels (PERS, LOC, ORG…)"), "action"),
                   ("ar", _("Arabic labels (شخص، مكان، منظمة…)"), "action"), ("cancel", _("Cancel"), "reject")]
        if i18n.language() == i18n.ARABIC:
            answers[:2] = answers[1::-1]
        answer = dialogs.choose(self, _("New project"), _("Which labels does the new project start with?"),
                                _("Either can be changed later in Edit → Label schema."), answers,
                                default=i18n.language(), icon=QMessageBox.Question)
        return None if answer == "cancel" else answer

    def _switch_project(self, path: Path, create: bool, labels: str = "en") -> None:
        if not create and self.guard.lost is None and same_project(path, self.editor.project):
            # Opening it again would find this window's own lock and ask which window to use.
            self.statusBar().showMessage(_("{path} is the project open in this window.").format(path=path), 8000)
            return
        try:
            opened = open_for_window(path, create, self, labels)
        except ProjectError as error:
            QMessageBox.warning(self, _("Cannot open project"), str(error))
            return
        if opened is None:
            return
        settings.remember_project(path if opened.project.is_file else opened.project.location)
        # Kept referenced by the old window, which stays alive (hidden) until exit.
        analyst = team.analyst_for(opened.project, self.editor.analyst)
        self.replacement = MainWindow(opened.project, analyst, opened.lock)
        self.replacement.show()
        self.close()

    def _fill_recent_menu(self) -> None:
        """The recent projects but the open one; a file moved or deleted since is shown disabled, saying so (it
        stays in the list: a disk that is not mounted now may be later)."""
        menu = self.recent_menu
        menu.clear()
        entries = [path for path in settings.recent_projects() if not same_project(path, self.editor.project)]
        for position, path in enumerate(entries, start=1):
            found = isinstance(path, str) or path.is_file()  # a server is tried when chosen
            action = menu.addAction(recent_entry_text(position, path, found))
            # Escaped: a tooltip that looks like HTML is shown as HTML, and the name comes from someone's disk.
            action.setToolTip(html.escape(str(path) if found else _("Not found: {path}").format(path=path)))
            action.setEnabled(found)
            action.triggered.connect(lambda _=False, path=path: self._switch_project(path, create=False))
        if not entries:
            menu.addAction(_("No recent projects")).setEnabled(False)
        menu.addSeparator()
        clear = menu.addAction(_("&Clear list"))
        clear.triggered.connect(settings.clear_recent_projects)
        clear.setEnabled(bool(entries))

    def show_about(self) -> None:
        """Help → About Hashiya; `open`, not `exec`: the window goes on (and tests are not blocked)."""
        self.about_dialog = AboutDialog(self.editor.project, self)
        self.about_dialog.setAttribute(Qt.WA_DeleteOnClose)
        self.about_dialog.open()

    # ---- files dropped on the window --------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.setDropAction(Qt.CopyAction)
            event.accept()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        urls = event.mimeData().urls()
        drop = plan_drop([Path(url.toLocalFile()) for url in urls if url.isLocalFile()],
                         [url.toDisplayString() for url in urls if not url.isLocalFile()])
        if drop.action == "refuse":
            event.ignore()
            self.statusBar().showMessage(drop.reason, 15_000)
            return
        # Copy, never move: a file manager deletes the source of a move that was accepted.
        event.setDropAction(Qt.CopyAction)
        event.accept()
        # Acted on once the drop has returned: opening may ask questions and close this window, and the file
        # manager waits on the drag until dropEvent returns.
        if drop.action == "open":
            QTimer.singleShot(0, lambda: self._switch_project(drop.paths[0], create=False))
        else:
            QTimer.singleShot(0, lambda: self._run_import([str(path) for path in drop.paths]))

    def closeEvent(self, event) -> None:
        self.save_layout()
        if self._import_runner is not None:  # stop at the next file; what is committed stays
            self._import_runner.stop_and_wait()
        if self._merge_runner is not None:  # a cancelled merge writes nothing
            self._merge_runner.stop_and_wait()
        if self._export_runner is not None:  # a cancelled export leaves no file behind
            self._export_runner.stop_and_wait()
        self.corpus_search.stop_and_wait()
        self.suggestions.stop_and_wait()
        self._entity_learning.stop_and_wait()
        self._ranking.stop_and_wait()
        self.stance_candidates.stop_and_wait()
        self.boilerplate.stop_and_wait()
        self.similar.stop_and_wait()
        self.review.stop_and_wait()
        if self.dashboard is not None:
            self.dashboard.done(0)
        self.guard.stop()
        if self.live is not None:
            self.live.stop()
        if not getattr(self, "_handed_over", False):  # reopened: the new window has the project and the lock
            self.editor.project.close()
            self.presence.release()
        super().closeEvent(event)


def _fit_columns(view: QTableView, stretch: int, elide=Qt.ElideMiddle, model=None) -> None:
    """Fixed widths from the model's widest sample; ResizeToContents would sample a thousand rows per reset."""
    header = view.horizontalHeader()
    metrics = view.fontMetrics()
    model = model or view.model()
    for column, (title, widest) in enumerate(zip(model.COLUMNS, model.WIDEST)):
        if column == stretch:
            header.setSectionResizeMode(column, QHeaderView.Stretch)
            continue
        header.setSectionResizeMode(column, QHeaderView.Interactive)
        title, widest = (_(text) if text else text for text in (title, widest))  # as the header and cells show them
        header.resizeSection(column, max(metrics.horizontalAdvance(title), metrics.horizontalAdvance(widest)) + 18)
    view.setTextElideMode(elide)


def same_project(location, project) -> bool:
    """Whether `location` (a path, or a server URL as the recent list keeps it) is the open `project`."""
    if isinstance(location, str):
        return not project.is_file and location == project.location
    return project.is_file and location.resolve() == project.path.resolve()


def recent_entry_text(position: int, path, found: bool) -> str:
    """A recent project as a menu shows it: `&` doubled (else it marks a shortcut letter), the name and folder
    each in a first-strong isolate, so an Arabic name or a bidi control in it cannot reorder the rest."""
    def shown(text: str) -> str:
        flat = " ".join(text.replace("&", "&&").split("\t")).replace("\n", " ").replace("\r", " ")  # a tab starts the shortcut column
        return "\u2068" + flat + "\u2069"

    mnemonic = f"&{position}" if position < 10 else str(position)  # Western digits: the key pressed
    if isinstance(path, str):  # a project on a server: its address
        return f"{mnemonic}  {shown(path)}"
    entry = f"{mnemonic}  {shown(path.name)}  —  {shown(str(path.parent))}"
    return entry if found else _("{entry}  (not found)").format(entry=entry)


def _to_base64(data: QByteArray) -> str:
    return bytes(data.toBase64()).decode("ascii")


def _from_base64(text) -> QByteArray | None:
    """The bytes a settings entry holds, or None if it is missing or not base64 (a hand-edited file)."""
    if not isinstance(text, str):
        return None
    try:
        return QByteArray(base64.b64decode(text, validate=True))
    except ValueError:
        return None


def _column(*widgets) -> QWidget:
    holder = QWidget()
    layout = QVBoxLayout(holder)
    layout.setContentsMargins(4, 4, 4, 4)
    for widget in widgets:
        layout.addWidget(widget)
    return holder


def _row(*widgets) -> QWidget:
    holder = QWidget()
    layout = QHBoxLayout(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(widgets[0], 1)
    for widget in widgets[1:]:
        layout.addWidget(widget)
    return holder
