"""Spans as a spreadsheet: one row per span of the chosen layers (entity, boilerplate, stance evidence), every
analyst's, UTF-8 with a BOM so Excel and LibreOffice read the Arabic.

Columns (a contract: scripts and other tools rely on the names and their order):
    document    the document's name
    annotator   the analyst (the gold layer's name for adjudicated spans)
    layer       entity | boilerplate | stance
    label       the entity type, boilerplate category or stance polarity
    start, end  Python code-point offsets, end-exclusive, into the stored text: text == document[start:end]
    text        the span's surface
    provenance  manual | imported | edited | …
    id          the annotation's id
A stance row is its evidence span only; holder, target and note are in the stance-csv export.

Rows are ordered by document (project order), start, end, layer, label, annotator. A cell whose text starts
with = + - @ TAB or CR gets an apostrophe in front so a spreadsheet shows it instead of running it as a formula
(app.exporter.spreadsheet_text); offsets stay numbers. Nothing in the chosen layers: the header row alone.
"""

from __future__ import annotations

import csv
from pathlib import Path

from app.exporter import spreadsheet_text
from app.formats.common import Cancelled, ExportDocument, ExportReport, Progress, export_documents
from app.fsutil import atomic_write

COLUMNS = ("document", "annotator", "layer", "label", "start", "end", "text", "provenance", "id")


def export(project, out: Path, annotator: str | None, layers: tuple[str, ...], progress: Progress | None,
           cancelled: Cancelled | None) -> ExportReport:
    report = ExportReport()
    with atomic_write(out, encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for document in export_documents(project, annotator, layers, progress, cancelled):
            writer.writerows(_rows(document))
            report.documents += 1  # every document was looked at, as the other formats count them
            report.annotations += len(document.annotations)
    report.rows = report.annotations
    return report


def _rows(document: ExportDocument) -> list[list]:
    """export_documents already orders a document's spans by start, end, layer, label, annotator."""
    return [[spreadsheet_text(document.name), spreadsheet_text(item["annotator"]), item["layer"],
             spreadsheet_text(item["label"]), item["start"], item["end"],
             spreadsheet_text(document.text[item["start"]:item["end"]]), spreadsheet_text(item["provenance"]),
             spreadsheet_text(item["id"])]
            for item in document.annotations]
