"""Review → Agreement…: how far two analysts agree, per label, as a confusion heat map, and per document
(worst first; activate a row to compare the analysts there). Computed off the GUI thread; saved as a CSV
or JSON report. The figures are app.agreement's (definitions in docs/agreement.md)."""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QHBoxLayout, QHeaderView, QLabel,
                               QMessageBox, QPushButton, QSizePolicy, QSplitter, QTableView, QVBoxLayout, QWidget)

from app.agreement import OUTSIDE, SPAN_LAYERS, Agreement, LayerAgreement, compare, save_report
from app.i18n import N_, _, ngettext, number
from app.project import Project
from ui import folders
from ui.models import DISPLAY, SHOWN, USER, RowsModel, table_view
from ui.workers import Background, Worker

LAYER_NAMES = {"entity": N_("Entities"), "boilerplate": N_("Boilerplate")}  # shown as _(LAYER_NAMES[layer])


def figure(value: float | None) -> str:
    return "—" if value is None else number(value, decimals=3)


class LabelModel(RowsModel):
    COLUMNS = (N_("Label"), N_("F1 exact"), N_("F1 overlap"), N_("A spans"), N_("B spans"))

    def data(self, index: QModelIndex, role=DISPLAY):
        if not index.isValid() or role not in SHOWN:
            return None
        label, scores = self._rows[index.row()]
        return [label, figure(scores.f1_exact), figure(scores.f1_overlap), number(scores.support_a),
                number(scores.support_b)][index.column()]


class DocumentModel(RowsModel):
    """Documents, worst agreement first (undefined figures last)."""

    COLUMNS = (N_("Document"), N_("F1 exact"), N_("Token kappa"), N_("A spans"), N_("B spans"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self.names: dict[int, str] = {}

    def data(self, index: QModelIndex, role=DISPLAY):
        if not index.isValid():
            return None
        document = self._rows[index.row()]
        if role == USER:
            return document.document_id
        if role not in SHOWN:
            return None
        return [self.names.get(document.document_id, ""), figure(document.f1_exact), figure(document.kappa_token),
                number(document.spans_a), number(document.spans_b)][index.column()]


def worst_first(result: LayerAgreement) -> list:
    return sorted(result.documents, key=lambda d: (d.f1_exact is None, d.f1_exact if d.f1_exact is not None else 0,
                                                   d.kappa_token if d.kappa_token is not None else 1))


class ConfusionMap(QWidget):
    """Token labels of A (rows) against B (columns): a heat map, darker for more words (log scale),
    the diagonal in green, the counts written in the cells."""

    CELL = 46
    MARGIN = 90

    def __init__(self, parent=None):
        super().__init__(parent)
        self.labels: list[str] = []
        self.counts: dict[tuple[str, str], int] = {}
        self.names = ("A", "B")
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def set_confusion(self, counts: dict[tuple[str, str], int], names: tuple[str, str]) -> None:
        self.counts, self.names = counts, names
        used = {label for pair in counts for label in pair}
        self.labels = sorted(used - {OUTSIDE}) + ([OUTSIDE] if OUTSIDE in used else [])
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        side = self.MARGIN + self.CELL * max(len(self.labels), 1) + 10
        return QSize(side, side)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        try:
            self._paint(painter)
        finally:
            painter.end()

    def _paint(self, painter: QPainter) -> None:
        if not self.labels:
            painter.drawText(self.rect(), Qt.AlignCenter, _("No words to compare."))
            return
        top = max(self.counts.values())
        size = min(self.CELL, (min(self.width(), self.height()) - self.MARGIN) // len(self.labels))
        left = upper = self.MARGIN
        painter.setPen(self.palette().text().color())
        painter.drawText(QRectF(left, 0, size * len(self.labels), 20), Qt.AlignCenter, f"{self.names[1]} →")
        painter.save()
        painter.translate(12, upper + size * len(self.labels) / 2)
        painter.rotate(-90)
        painter.drawText(QRectF(-100, -10, 200, 20), Qt.AlignCenter, f"{self.names[0]} →")
        painter.restore()
        for i, label in enumerate(self.labels):
            painter.drawText(QRectF(left + i * size, 20, size, upper - 24), Qt.AlignCenter | Qt.AlignBottom, label)
            painter.drawText(QRectF(20, upper + i * size, left - 26, size), Qt.AlignRight | Qt.AlignVCenter, label)
        for i, mine in enumerate(self.labels):
            for j, theirs in enumerate(self.labels):
                count = self.counts.get((mine, theirs), 0)
                strength = math.log1p(count) / math.log1p(top) if count else 0.0
                base = QColor("#2e7d32") if i == j else QColor("#c62828")
                color = QColor(base)
                color.setAlphaF(0.25 + 0.7 * strength if count else 0.06)  # a single word still shows
                cell = QRectF(left + j * size, upper + i * size, size, size)
                painter.fillRect(cell, color)
                painter.setPen(QPen(QColor("#9e9e9e"), 0.5))
                painter.drawRect(cell)
                painter.setPen(QColor("white") if strength > 0.6 else self.palette().text().color())
                painter.drawText(cell, Qt.AlignCenter, number(count) if count else "")


class AgreementWorker(Worker):
    finished = Signal(object, object)  # Agreement, {document id: name}

    def __init__(self, project: Project, first: str, second: str):
        super().__init__()
        self._project, self._first, self._second = project, first, second

    def run(self) -> None:
        agreement = compare(self._project, self._first, self._second)
        names = {document_id: self._project.document_name(document_id) for document_id in agreement.documents}
        self.finished.emit(agreement, names)


class AgreementDashboard(QDialog):
    """Non-modal: the analyst can keep it open while comparing documents."""

    compareDocument = Signal(int, str, str)  # document, analyst A, analyst B

    def __init__(self, project: Project, names: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle(_("Agreement"))
        self.project = project
        self.agreement: Agreement | None = None
        self.names: dict[int, str] = {}
        self._background = Background(self, failed=lambda message: self.summary.setText(message))
        self.first, self.second, self.layer = QComboBox(), QComboBox(), QComboBox()
        for combo in (self.first, self.second):
            combo.addItems(names)
        if len(names) > 1:
            self.second.setCurrentIndex(1)
        for layer in SPAN_LAYERS:
            self.layer.addItem(_(LAYER_NAMES[layer]), layer)
        self.first.currentIndexChanged.connect(lambda _i: self.recompute())
        self.second.currentIndexChanged.connect(lambda _i: self.recompute())
        self.layer.currentIndexChanged.connect(lambda _i: self._show())
        self.summary = QLabel(_("Comparing…"))
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.label_model, self.document_model = LabelModel(self), DocumentModel(self)
        self.label_view, self.document_view = self._table(self.label_model), self._table(self.document_model)
        self.document_view.activated.connect(self._compare_document)
        self.document_view.doubleClicked.connect(self._compare_document)
        self.confusion = ConfusionMap()
        self.save_button = QPushButton(_("Save report…"))
        self.save_button.clicked.connect(self.save)
        self.save_button.setEnabled(False)
        self.save_button.setAutoDefault(False)  # Enter in the document list compares, never saves
        self._build_layout()
        self.resize(1000, 720)

    @staticmethod
    def _table(model) -> QTableView:
        view = table_view(model)
        view.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        return view

    def _build_layout(self) -> None:
        top = QHBoxLayout()
        for text, widget in ((_("A:"), self.first), (_("B:"), self.second), (_("Layer:"), self.layer)):
            top.addWidget(QLabel(text))
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.save_button)
        upper = QSplitter(Qt.Horizontal)
        upper.addWidget(self.label_view)
        upper.addWidget(self.confusion)
        documents = QWidget()
        documents_layout = QVBoxLayout(documents)
        documents_layout.setContentsMargins(0, 0, 0, 0)
        documents_layout.addWidget(QLabel(_("Documents, worst agreement first (Enter or double-click: compare them)")))
        documents_layout.addWidget(self.document_view)
        split = QSplitter(Qt.Vertical)
        split.addWidget(upper)
        split.addWidget(documents)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)

    # ---- computing and showing ----------------------------------------------------------------------
    def recompute(self) -> None:
        first, second = self.first.currentText(), self.second.currentText()
        if self._background.running():
            self._background.stop_and_wait()
        if first == second:
            self.summary.setText(_("Choose two different analysts."))
            return
        self.summary.setText(_("Comparing {first} and {second}…").format(first=first, second=second))
        self.save_button.setEnabled(False)
        worker = AgreementWorker(self.project, first, second)
        self._background.start(worker, lambda w: w.finished.connect(self._computed))

    def _computed(self, agreement: Agreement, names: dict[int, str]) -> None:
        if not self._background.finish():
            return
        self.agreement, self.names = agreement, names
        self.save_button.setEnabled(True)
        self._show()

    def _show(self) -> None:
        agreement = self.agreement
        if agreement is None:
            return
        result = agreement.layers[self.layer.currentData()]
        stances, doc_stances = agreement.stance, agreement.doc_stance
        documents, rated, matched = len(agreement.documents), doc_stances["n"], stances["matched"]
        sentences = (
            # Rich text: the analysts' names come from other people's files, so they are escaped.
            ngettext("<b>{first}</b> and <b>{second}</b>, {n} document both worked on.",
                     "<b>{first}</b> and <b>{second}</b>, {n} documents both worked on.", documents).format(
                first=html.escape(agreement.first), second=html.escape(agreement.second), n=number(documents)),
            _("{layer}: F1 exact {f1_exact}, overlap {f1_overlap}; token kappa {kappa}, alpha {alpha}; "
              "per-document mean F1 {mean_f1}.").format(
                layer=_(LAYER_NAMES[result.layer]), f1_exact=figure(result.f1_exact),
                f1_overlap=figure(result.f1_overlap), kappa=figure(result.kappa_token),
                alpha=figure(result.alpha_token), mean_f1=figure(result.mean_f1_exact)),
            ngettext("Document stances: kappa {kappa}, alpha {alpha} ({n} rated by both).",
                     "Document stances: kappa {kappa}, alpha {alpha} ({n} rated by both).", rated).format(
                kappa=figure(doc_stances["kappa"]), alpha=figure(doc_stances["alpha"]), n=number(rated)),
            ngettext("Span stances: {n} matched, polarity agreement {agreement}.",
                     "Span stances: {n} matched, polarity agreement {agreement}.", matched).format(
                n=number(matched), agreement=figure(stances["polarity_agreement"])),
        )
        self.summary.setText(" ".join(sentences)
                             + (f"<br>{html.escape(agreement.not_marked_note)}." if agreement.not_marked else ""))
        self.label_model.set_rows(sorted(result.per_label.items()))
        self.document_model.names = self.names
        self.document_model.set_rows(worst_first(result))
        self.confusion.set_confusion(result.confusion, (agreement.first, agreement.second))

    def _compare_document(self, index: QModelIndex) -> None:
        if self.agreement is not None and index.isValid():
            self.compareDocument.emit(self.document_model.data(index, USER), self.agreement.first,
                                      self.agreement.second)

    def save(self) -> None:
        if self.agreement is None:
            return
        path, _chosen_filter = QFileDialog.getSaveFileName(self, _("Save the agreement report"),
                                                           folders.opens_in(folders.REPORT, "agreement.csv"),
                                                           _("CSV table (*.csv);;JSON (*.json)"))
        if folders.remember_choice(folders.REPORT, path):
            self.save_to(path)

    def save_to(self, path: str) -> None:
        try:
            save_report(self.agreement, self.names, path)
        except OSError as error:
            QMessageBox.warning(self, _("Save the agreement report"), f"{path}: {error.strerror or error}")

    def done(self, result: int) -> None:
        self._background.stop_and_wait()
        super().done(result)
