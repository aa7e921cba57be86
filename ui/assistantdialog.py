"""Span → Entity assistant…: what the entity recommender learnt, how it did on held-out documents beside the
string matcher (per label, learning curve, confusions), learning again in the background, and switching its
suggestions off (app.assistant)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractScrollArea, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QHBoxLayout, QHeaderView,
    QLabel, QLineEdit, QProgressBar, QPushButton, QSizePolicy, QTableWidget, QTableWidgetItem, QVBoxLayout,
)

from app import assistant, external_recommender
from app.adjudication import GOLD
from app.i18n import _, ngettext, number
from app.project import Project, ProjectError, ProjectReadOnly
from app.recommender import Cancelled
from ui.workers import Background, Worker

CONFUSIONS_SHOWN = 6


class LearnEntitiesWorker(Worker):
    """Learns entities from `source`'s finished documents (app.assistant.learn); storing is the caller's."""

    progressed = Signal(int, int)
    finished = Signal(object, str)  # the learnt model (None when refused or cancelled), what to say

    def __init__(self, project: Project, source: str):
        super().__init__()
        self._project, self._source = project, source

    def run(self) -> None:
        try:
            learnt = assistant.learn(self._project, self._source, self.is_cancelled, self.progressed.emit)
        except assistant.NotEnoughDocuments as refused:
            self.finished.emit(None, str(refused))
        except Cancelled:
            self.finished.emit(None, _("Learning cancelled; the model in use is unchanged."))
        else:
            self.finished.emit(learnt, "")


class RankWorker(Worker):
    """Orders the documents the analyst has not finished, most useful first (app.assistant.ranked_documents)."""

    progressed = Signal(int, int)
    finished = Signal(list, bool)  # document ids, cancelled

    def __init__(self, project: Project, learnt, analyst: str, order: str):
        super().__init__()
        self._args = (project, learnt, analyst, order)

    def run(self) -> None:
        try:
            ranked = assistant.ranked_documents(*self._args, self.is_cancelled, self.progressed.emit)
        except Cancelled:
            self.finished.emit([], True)
            return
        self.finished.emit(ranked, False)


class ServerWorker(Worker):
    """Asks the team's model server who it is, or sends it the finished documents (app.external_recommender)."""

    finished = Signal(str)  # what to tell the analyst

    def __init__(self, project: Project, url: str, source: str | None, labels: list[str]):
        super().__init__()
        self._project, self._url, self._source, self._labels = project, url, source, labels

    def run(self) -> None:
        try:
            if self._source is None:
                about = external_recommender.describe_server(self._url)
                self.finished.emit(_("{url} answers: {name}.").format(url=self._url, name=str(about.get("name", "?"))[:200]))
                return
            documents = assistant.training_documents(self._project, self._source)
            external_recommender.train(self._url, [(document_id, self._project.document_name(document_id), example)
                                                   for document_id, example in documents], self._labels)
            self.finished.emit(ngettext("Sent {n} finished document to {url}.", "Sent {n} finished documents to {url}.",
                                        len(documents)).format(n=number(len(documents)), url=self._url))
        except external_recommender.ServerError as error:
            self.finished.emit(str(error))


def store_learnt(project: Project, learnt) -> str:
    """Store a learnt model; what to tell the analyst."""
    try:
        assistant.store(project, learnt)
    except ProjectError as refused:  # read-only, moved, busy: said, not a crash
        return _("Learnt, but not stored: {reason}").format(reason=refused)
    return assistant.describe(learnt.about)


class EntityAssistantDialog(QDialog):
    learnt = Signal()  # a new model was stored

    def __init__(self, project: Project, analyst: str, labels: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Entity assistant"))
        self._project = project
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.quiet = QLabel()
        self.quiet.setWordWrap(True)
        self.table = QTableWidget(0, 6)
        self.table.setHorizontalHeaderLabels([_("Label"), _("Spans held out"), _("Precision"), _("Recall"), _("F1"),
                                              _("String matcher F1")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.table.setSizeAdjustPolicy(QAbstractScrollArea.AdjustToContents)  # as tall as its rows
        self.table.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        self.curve = QLabel()
        self.curve.setWordWrap(True)
        self.confusion = QLabel()
        self.confusion.setWordWrap(True)
        self.source = QComboBox()
        self.source.addItem(_("My finished documents ({analyst})").format(analyst=analyst), analyst)
        self.source.addItem(_("The gold layer"), GOLD)
        self.learn_button = QPushButton(_("&Learn now"))
        self.learn_button.clicked.connect(self.learn)
        self.cancel_button = QPushButton(_("Cancel"))
        self.cancel_button.clicked.connect(lambda: self.background.cancel())
        self.cancel_button.hide()
        self.progress = QProgressBar()
        self.progress.hide()
        self.use = QCheckBox(_("&Suggest entities with this model"))
        self.use.toggled.connect(self._use_toggled)
        self.quiet_below = QDoubleSpinBox()
        self.quiet_below.setRange(0.0, 1.0)
        self.quiet_below.setSingleStep(0.05)
        self.quiet_below.setDecimals(2)
        self.quiet_below.setValue(assistant.quiet_below(project))
        self.quiet_below.valueChanged.connect(self._quiet_below_changed)
        # A team's own model over HTTP (docs/recommender-api.md).
        self.server_url = QLineEdit(assistant.server(project))
        self.server_url.setPlaceholderText("http://127.0.0.1:8765/")
        self.server_url.setLayoutDirection(Qt.LeftToRight)
        self.server_test = QPushButton(_("&Test"))
        self.server_test.clicked.connect(lambda: self._ask_server(None))
        self.server_send = QPushButton(_("Send &finished documents"))
        self.server_send.clicked.connect(lambda: self._ask_server(self.source.currentData()))
        self.use_server = QCheckBox(_("Suggest with the &model server instead"))
        self.use_server.setChecked(assistant.suggestions_from(project) == "server")
        self.use_server.toggled.connect(self._use_server_toggled)
        self.server_said = QLabel()
        self.server_said.setWordWrap(True)
        self._labels = labels
        learn_row = QHBoxLayout()
        learn_row.addWidget(QLabel(_("Learn from:")))
        learn_row.addWidget(self.source, 1)
        learn_row.addWidget(self.learn_button)
        learn_row.addWidget(self.cancel_button)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.summary, self.quiet, self.table, self.curve, self.confusion):
            layout.addWidget(widget)
        layout.addStretch(1)
        layout.addLayout(learn_row)
        layout.addWidget(self.progress)
        use_row = QHBoxLayout()
        use_row.addWidget(self.use)
        use_row.addStretch(1)
        use_row.addWidget(QLabel(_("Quiet below held-out F1:")))
        use_row.addWidget(self.quiet_below)
        layout.addLayout(use_row)
        server_row = QHBoxLayout()
        server_row.addWidget(QLabel(_("Model server:")))
        server_row.addWidget(self.server_url, 1)
        server_row.addWidget(self.server_test)
        server_row.addWidget(self.server_send)
        layout.addLayout(server_row)
        layout.addWidget(self.use_server)
        layout.addWidget(self.server_said)
        layout.addWidget(buttons)
        self.background = Background(self, failed=self._failed)
        self.server_background = Background(self, failed=self.server_said.setText)
        self.resize(640, 520)
        self.show_model(assistant.stored(project))

    # ---- showing -----------------------------------------------------------------
    def show_model(self, learnt) -> None:
        about = learnt.about if learnt else {}
        self.summary.setText(assistant.describe(about) if learnt else _(
            "Nothing learnt yet. The assistant learns entities from the documents you marked done and proposes "
            "them in the others; press Learn now."))
        reason = assistant.quiet_reason(about, assistant.quiet_below(self._project)) if learnt else None
        self.quiet.setText(reason or "")
        self.quiet.setVisible(bool(reason))
        self._fill_table(about.get("scores"), about.get("baseline"))
        curve = about.get("curve") or []
        self.curve.setText(_("Learning curve (F1 held out, string matcher in brackets): {points}").format(
            points=" · ".join(_("{documents}: {f1} ({baseline})").format(
                documents=ngettext("{n} document", "{n} documents", point["documents"]).format(
                    n=number(point["documents"])), f1=number(point["f1"], decimals=2),
                baseline=number(point["baseline_f1"], decimals=2)) for point in curve)) if curve else "")
        confused = sorted(about.get("confusion") or [], key=lambda row: -row[2])[:CONFUSIONS_SHOWN]
        self.confusion.setText(_("Most frequent mistakes (held out; — is none): {mistakes}").format(
            mistakes=" · ".join(f"\u2068{gold} → {said}\u2069 {number(count)}" for gold, said, count in confused))
            if confused else "")
        self.use.blockSignals(True)
        self.use.setChecked(bool(learnt) and assistant.used(self._project))
        self.use.setEnabled(bool(learnt))
        self.use.blockSignals(False)

    def _fill_table(self, scores: dict | None, baseline: dict | None) -> None:
        scores, baseline = scores or {}, baseline or {}
        labels = sorted(scores.get("support", {}))
        self.table.setRowCount(len(labels) + bool(labels))
        for row, label in enumerate([*labels, "all"] if labels else []):
            support = scores["support"].get(label) if label != "all" else sum(scores["support"].values())
            mine, theirs = scores.get(label, {}), baseline.get(label, {})
            cells = [label if label != "all" else _("All labels"), number(support)] + [
                number(mine.get(key, 0.0), decimals=2) for key in ("precision", "recall", "f1")] + [
                number(theirs.get("f1", 0.0), decimals=2)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setTextAlignment(Qt.AlignCenter)
                self.table.setItem(row, column, item)
        self.table.setVisible(bool(labels))

    # ---- learning -----------------------------------------------------------------
    def learn(self) -> None:
        if self.background.running():
            return
        self.learn_button.setEnabled(False)
        self.cancel_button.show()
        self.progress.setValue(0)
        self.progress.show()
        self.summary.setText(_("Learning in the background…"))

        def connect(worker: LearnEntitiesWorker) -> None:
            worker.progressed.connect(self._progressed)
            worker.finished.connect(self._finished)

        self.background.start(LearnEntitiesWorker(self._project, self.source.currentData()), connect)

    def running(self) -> bool:
        return self.background.running()

    def _progressed(self, done: int, total: int) -> None:
        self.progress.setMaximum(total)
        self.progress.setValue(done)

    def _finished(self, learnt, message: str) -> None:
        if not self.background.finish(self.sender()):
            return
        self._idle()
        if learnt is None:
            self.show_model(assistant.stored(self._project))
            self.summary.setText(message)
            return
        said = store_learnt(self._project, learnt)
        self.show_model(learnt)
        self.summary.setText(said)
        self.learnt.emit()

    def _failed(self, message: str) -> None:
        self._idle()
        self.summary.setText(message)

    def _idle(self) -> None:
        self.learn_button.setEnabled(True)
        self.cancel_button.hide()
        self.progress.hide()

    def _quiet_below_changed(self, value: float) -> None:
        try:
            assistant.set_quiet_below(self._project, value)
        except ProjectReadOnly as refused:
            return self.summary.setText(str(refused))
        self.show_model(assistant.stored(self._project))

    def _use_toggled(self, on: bool) -> None:
        try:
            assistant.use(self._project, on)
        except ProjectReadOnly as refused:
            self.summary.setText(str(refused))

    # ---- the model server ------------------------------------------------------------
    def _ask_server(self, source: str | None) -> None:
        """Test the server (source None), or send it `source`'s finished documents, in the background."""
        if self.server_background.running():
            return
        self.server_said.setText(_("Asking {url}…").format(url=self.server_url.text().strip()))

        def connect(worker: ServerWorker) -> None:
            worker.finished.connect(self._server_answered)

        self.server_background.start(ServerWorker(self._project, self.server_url.text().strip(), source,
                                                  self._labels), connect)

    def _server_answered(self, message: str) -> None:
        if self.server_background.finish(self.sender()):
            self.server_said.setText(message)

    def _use_server_toggled(self, on: bool) -> None:
        try:
            assistant.use_server(self._project, self.server_url.text(), on)
        except (external_recommender.ServerError, ProjectReadOnly) as refused:
            self.server_said.setText(str(refused))
            self.use_server.blockSignals(True)
            self.use_server.setChecked(False)
            self.use_server.blockSignals(False)

    def done(self, result: int) -> None:
        self.background.stop_and_wait()
        self.server_background.stop_and_wait()
        super().done(result)
