"""The span table (csv): one row per span, code-point offsets, UTF-8 with a BOM, safe to open in a spreadsheet,
read back by pandas and by the csv module."""

import csv

import pandas as pd
import pytest

from app.formats import FORMATS, export_as
from app.formats.common import SPAN_LAYERS
from app.formats.span_csv import COLUMNS
from app.project import Span
from tests.conftest import add_document, occurrence
from tests.interchange_corpus import EMOJI_TEXT, build, stored

CSV = FORMATS["csv"]
FORMULA_TEXT = "-الحرب ليست حلا =SUM(1,2) قال @المتحدث."


def read_rows(path):
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_row_is_a_stored_span_with_its_surface(project, tmp_path):
    corpus = build(project)
    emoji = corpus.documents["emoji.txt"]
    project.add_annotations([Span(emoji, "amal", "entity", "DATE", *occurrence(EMOJI_TEXT, "2025 🌍"))])
    out = tmp_path / "spans.csv"
    outcome = export_as(project, CSV, out)
    assert out.read_bytes().startswith(b"\xef\xbb\xbfdocument,annotator,layer,")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        assert next(csv.reader(handle)) == list(COLUMNS)
    rows = read_rows(out)
    assert outcome.report.rows == outcome.report.annotations == len(rows)
    for row in rows:
        assert row["text"] == corpus.texts[row["document"]][int(row["start"]):int(row["end"])]
    exported = sorted((r["document"], r["annotator"], r["layer"], r["label"], int(r["start"]), int(r["end"]),
                       r["text"]) for r in rows)
    assert exported == sorted(stored(project, layers=SPAN_LAYERS))
    surfaces = {row["text"] for row in rows}
    assert {"2025 🌍", "مُحَمَّد بن سلمان", "بـوتـين"} <= surfaces and "\u200fدمشق\u200f" not in surfaces


def test_rows_are_ordered_by_document_start_end_layer_label_annotator(project, tmp_path):
    corpus = build(project)
    out = tmp_path / "spans.csv"
    export_as(project, CSV, out)
    order = list(corpus.documents)  # project order
    keys = [(order.index(r["document"]), int(r["start"]), int(r["end"]), r["layer"], r["label"], r["annotator"])
            for r in read_rows(out)]
    assert keys == sorted(keys)


def test_pandas_reads_numbers_and_arabic(project, tmp_path):
    corpus = build(project)
    out = tmp_path / "spans.csv"
    export_as(project, CSV, out, layer="boilerplate")
    frame = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert list(frame.columns) == list(COLUMNS)
    assert str(frame["start"].dtype) == "int64" and str(frame["end"].dtype) == "int64"
    assert set(frame["layer"]) == {"boilerplate"}
    for row in frame.itertuples():
        assert row.text == corpus.texts[row.document][row.start:row.end]
    assert list(frame["text"]) == ["اقرأ أيضاً: مقالات مشابهة", "شارك المقال"]


def test_formula_like_cells_are_prefixed_and_offsets_stay_numbers(project, tmp_path):
    document = add_document(project, FORMULA_TEXT, "=report.txt")
    project.add_annotations([
        Span(document, "amal", "entity", "-EVENT", *occurrence(FORMULA_TEXT, "-الحرب")),
        Span(document, "amal", "entity", "MISC", *occurrence(FORMULA_TEXT, "=SUM(1,2)")),
        Span(document, "amal", "entity", "PERS", *occurrence(FORMULA_TEXT, "@المتحدث")),
    ])
    out = tmp_path / "spans.csv"
    export_as(project, CSV, out)
    frame = pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False)
    assert list(frame["document"]) == ["'=report.txt"] * 3
    assert list(frame["label"]) == ["'-EVENT", "MISC", "PERS"]
    assert list(frame["text"]) == ["'-الحرب", "'=SUM(1,2)", "'@المتحدث"]
    assert [(row.start, row.end) for row in frame.itertuples()] == [
        occurrence(FORMULA_TEXT, needle) for needle in ("-الحرب", "=SUM(1,2)", "@المتحدث")]
    assert str(frame["start"].dtype) == "int64"


def test_an_empty_layer_writes_the_header_alone(project, tmp_path):
    add_document(project, "نص بلا تعليق", "plain.txt")
    out = tmp_path / "spans.csv"
    outcome = export_as(project, CSV, out, layer="stance")
    assert outcome.empty
    assert out.read_bytes() == ("\ufeff" + ",".join(COLUMNS) + "\r\n").encode("utf-8")
    assert pd.read_csv(out, encoding="utf-8-sig").empty


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
