"""Agreement figures, cross-checked against scikit-learn, the krippendorff package and statsmodels."""

import json
import math
import random

import krippendorff
import numpy as np
import pytest
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters
from statsmodels.stats.inter_rater import fleiss_kappa as statsmodels_fleiss

from app.agreement import (OUTSIDE, agreement_report, cohen_kappa, compare_doc_stances, compare_layer,
                           compare_stances, fleiss_kappa, krippendorff_alpha, many_raters, token_labels)
from app.cli import main
from app.project import Span
from app.stance import article_ref, free_text_ref, list_target_ref, stance_attrs
from app.words import word_spans
from tests.conftest import add_document, occurrence

LABELS = ["PERS", "ORG", "GPE", OUTSIDE]


def reference_alpha(units):
    """The krippendorff package: coders × units, numbers, NaN for a missing rating."""
    codes = {label: number for number, label in enumerate(sorted({v for u in units for v in u if v is not None}))}
    data = np.array([[np.nan if v is None else codes[v] for v in coder] for coder in zip(*units)], dtype=float)
    return krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")


@pytest.mark.parametrize("seed", range(8))
def test_cohen_kappa_is_scikit_learns(seed):
    rng = random.Random(seed)
    first = [rng.choice(LABELS) for _ in range(rng.randint(5, 300))]
    second = [label if rng.random() < 0.7 else rng.choice(LABELS) for label in first]
    assert cohen_kappa(first, second) == pytest.approx(cohen_kappa_score(first, second))


def test_cohen_kappa_edge_cases():
    assert cohen_kappa(["A", "B", "A"], ["A", "B", "A"]) == pytest.approx(1.0) == cohen_kappa_score(
        ["A", "B", "A"], ["A", "B", "A"])
    only_one_side = (["A", "A", "B", "A"], ["A", "C", "B", "A"])  # C: a label only B used
    assert cohen_kappa(*only_one_side) == pytest.approx(cohen_kappa_score(*only_one_side))
    assert cohen_kappa(["O"] * 5, ["O"] * 5) is None  # one category throughout: kappa undefined
    assert cohen_kappa([], []) is None


@pytest.mark.parametrize("seed", range(8))
def test_krippendorff_alpha_is_the_packages_with_missing_ratings(seed):
    rng = random.Random(seed)
    coders = rng.randint(2, 5)
    units = []
    for _ in range(rng.randint(10, 200)):
        truth = rng.choice(LABELS)
        units.append([None if rng.random() < 0.2 else (truth if rng.random() < 0.75 else rng.choice(LABELS))
                      for _ in range(coders)])
    assert krippendorff_alpha(units) == pytest.approx(reference_alpha(units))


def test_krippendorff_alpha_edge_cases():
    assert krippendorff_alpha([["A", "A"], ["B", "B"]]) == pytest.approx(1.0) == pytest.approx(
        reference_alpha([["A", "A"], ["B", "B"]]))
    assert krippendorff_alpha([["A", "A"], ["A", "A"]]) is None  # no expected disagreement
    assert krippendorff_alpha([["A", None], [None, "B"]]) is None  # nothing pairable


@pytest.mark.parametrize("seed", range(6))
def test_fleiss_kappa_is_statsmodels(seed):
    rng = random.Random(seed)
    raters = rng.randint(3, 6)
    units = []
    for _ in range(rng.randint(10, 200)):
        truth = rng.choice(LABELS)
        units.append([truth if rng.random() < 0.7 else rng.choice(LABELS) for _ in range(raters)])
    table, _ = aggregate_raters(np.array([[LABELS.index(v) for v in unit] for unit in units]))
    assert fleiss_kappa(units) == pytest.approx(statsmodels_fleiss(table, method="fleiss"))
    with pytest.raises(ValueError):
        fleiss_kappa([["A", "B", "A"], ["A", "B"]])


# ---- over a project -----------------------------------------------------------------------------------
TEXT = "قال الرئيس فلاديمير بوتين في موسكو إن وزارة الخارجية الروسية تتابع الأمر، وأضاف بوتين 😀 أن روسيا مستعدة."


def find(word, nth=0):
    return occurrence(TEXT, word, nth)


def add(project, document, annotator, label, word, nth=0, layer="entity"):
    return project.add_annotation(Span(document, annotator, layer, label, *find(word, nth)))


@pytest.fixture
def doc(project):
    return add_document(project, TEXT, "a.txt")


def naive_token_labels(text, spans):
    """A word takes the label of the shortest span overlapping it (char by char, for the cross-check)."""
    labels = []
    for start, end in word_spans(text):
        over = [s for s in spans if s.start < end and start < s.end]
        labels.append(min(over, key=lambda s: (s.end - s.start, s.label)).label if over else OUTSIDE)
    return labels


def test_token_labels_take_the_innermost_span_and_spans_that_leave_out_a_clitic(project, doc):
    outer = Span(doc, "a", "entity", "ORG", *find("وزارة الخارجية الروسية"))
    inner = Span(doc, "a", "entity", "GPE", *find("الروسية"))
    clitic = Span(doc, "a", "entity", "PERS", find("وأضاف بوتين")[0] + 6, find("وأضاف بوتين")[1])
    spans = [outer, inner, clitic, Span(doc, "a", "entity", "PERS", *find("روسيا"))]
    labels = token_labels(TEXT, spans)
    words = [TEXT[s:e] for s, e in word_spans(TEXT)]
    assert dict(zip(words, labels))["وزارة"] == "ORG" and dict(zip(words, labels))["الروسية"] == "GPE"
    assert labels == naive_token_labels(TEXT, spans)


def test_two_analysts_span_f1_and_token_figures(project, doc):
    # Agreed: بوتين PERS (first), موسكو GPE. Boundary: A has فلاديمير بوتين. Label: وزارة… ORG vs GPE.
    # Only A: روسيا. Only B: the second بوتين. Nested in A: الروسية GPE inside the ministry.
    for word, label in [("فلاديمير بوتين", "PERS"), ("موسكو", "GPE"), ("وزارة الخارجية الروسية", "ORG"),
                        ("الروسية", "GPE"), ("روسيا", "GPE")]:
        add(project, doc, "amal", label, word)
    for word, label, nth in [("بوتين", "PERS", 0), ("موسكو", "GPE", 0), ("وزارة الخارجية الروسية", "GPE", 0),
                             ("بوتين", "PERS", 1)]:
        add(project, doc, "badr", label, word, nth)
    result = compare_layer(project, "amal", "badr", "entity")
    assert [d.document_id for d in result.documents] == [doc]
    assert result.f1_exact == pytest.approx(2 * 1 / (5 + 4))  # only موسكو is exact
    # Overlap, same label, one to one: بوتين, موسكو, and الروسية GPE with the ministry GPE.
    assert result.f1_overlap == pytest.approx(2 * 3 / (5 + 4))
    assert result.per_label["PERS"].__dict__ == {"f1_exact": 0.0, "f1_overlap": pytest.approx(2 / 3),
                                                 "support_a": 1, "support_b": 2}
    assert result.per_label["ORG"].support_b == 0 and result.per_label["ORG"].f1_exact == 0.0
    spans = project.annotations(doc, layer="entity")
    a = naive_token_labels(TEXT, [s for s in spans if s.annotator == "amal"])
    b = naive_token_labels(TEXT, [s for s in spans if s.annotator == "badr"])
    assert result.kappa_token == pytest.approx(cohen_kappa_score(a, b))
    assert result.alpha_token == pytest.approx(reference_alpha(list(zip(a, b))))
    assert sum(result.confusion.values()) == len(word_spans(TEXT)) and result.confusion[("ORG", "GPE")] == 2


def test_perfect_agreement_and_one_side_empty(project, doc):
    other = add_document(project, "نص آخر عن بكين", "b.txt")
    for name in ("amal", "badr"):
        add(project, doc, name, "GPE", "موسكو")
    project.set_status(other, "amal", "done")
    project.set_status(other, "badr", "done")
    project.add_annotation(Span(other, "amal", "entity", "GPE", 11, 14))  # only amal marks بكين
    result = compare_layer(project, "amal", "badr", "entity")
    by_document = {d.document_id: d for d in result.documents}
    assert by_document[doc].f1_exact == 1.0 and by_document[doc].kappa_token == pytest.approx(1.0)
    assert by_document[other].f1_exact == 0.0 and by_document[other].spans_b == 0
    assert by_document[other].kappa_token == pytest.approx(cohen_kappa_score(["O", "O", "O", "GPE"], ["O"] * 4))
    assert result.mean_f1_exact == pytest.approx(0.5)
    empty = compare_layer(project, "amal", "badr", "boilerplate")
    assert (empty.f1_exact, empty.kappa_token, empty.alpha_token) == (None, None, None)


def test_only_documents_both_worked_on_count(project, doc):
    other = add_document(project, "نص آخر عن بكين", "b.txt")
    add(project, doc, "amal", "GPE", "موسكو")
    add(project, doc, "badr", "GPE", "موسكو")
    project.add_annotation(Span(other, "amal", "entity", "GPE", 11, 14))  # badr never opened b.txt
    assert [d.document_id for d in compare_layer(project, "amal", "badr", "entity").documents] == [doc]


def test_document_stances_per_target_against_the_references(project):
    rng = random.Random(4)
    ratings = {"amal": [], "badr": []}
    for number in range(30):
        document = add_document(project, f"نص رقم {number}", f"{number}.txt")
        for target in ("روسيا", "أوكرانيا"):
            truth = rng.choice(["FAVOR", "AGAINST", "NEUTRAL", "NONE"])
            for name in ("amal", "badr"):
                project.set_status(document, name, "in_progress")
                if rng.random() < 0.15:
                    ratings[name].append(None)  # not annotated yet
                    continue
                label = truth if rng.random() < 0.7 else rng.choice(["FAVOR", "AGAINST", "NEUTRAL", "NONE"])
                ratings[name].append(label)
                project.add_annotation(Span(document, name, "doc_stance", label, None, None, attrs={"target": target}))
    result = compare_doc_stances(project, "amal", "badr")
    both = [(a, b) for a, b in zip(ratings["amal"], ratings["badr"]) if a and b]
    assert result["n"] == len(both)
    assert result["kappa"] == pytest.approx(cohen_kappa_score(*zip(*both)))
    assert result["alpha"] == pytest.approx(reference_alpha(list(zip(ratings["amal"], ratings["badr"]))))
    russia = [(a, b) for i, (a, b) in enumerate(zip(ratings["amal"], ratings["badr"])) if i % 2 == 0 and a and b]
    assert result["per_target"]["روسيا"]["kappa"] == pytest.approx(cohen_kappa_score(*zip(*russia)))


def test_span_stances_match_by_evidence_holder_and_target(project, doc):
    putin_a = add(project, doc, "amal", "PERS", "بوتين")
    putin_b = add(project, doc, "badr", "PERS", "بوتين", 1)  # the same man, at his other mention

    def stance(name, polarity, words, holder, target):
        return project.add_annotation(Span(doc, name, "stance", polarity, *find(words),
                                           attrs=stance_attrs(holder, target)))

    holder_a = {"start": putin_a.start, "end": putin_a.end, "text": "بوتين", "id": putin_a.uid}
    holder_b = {"start": putin_b.start, "end": putin_b.end, "text": "بوتين", "id": putin_b.uid}
    stance("amal", "FAVOR", "أن روسيا مستعدة", holder_a, list_target_ref("روسيا"))
    stance("badr", "AGAINST", "روسيا مستعدة", holder_b, list_target_ref("روسيا"))  # matched, polarity differs
    stance("amal", "NEUTRAL", "في موسكو", article_ref(), list_target_ref("روسيا"))
    stance("badr", "NEUTRAL", "في موسكو", free_text_ref("مسؤول"), list_target_ref("روسيا"))  # other holder
    assert compare_stances(project, "amal", "badr") == {"matched": 1, "polarity_agreement": 0.0,
                                                        "only_a": 1, "only_b": 1}


def test_three_analysts_fleiss_and_alpha(project, doc):
    names = ["amal", "badr", "carim"]
    for name, words in zip(names, [["موسكو", "بوتين"], ["موسكو"], ["موسكو", "روسيا"]]):
        for word in words:
            add(project, doc, name, "GPE" if word != "بوتين" else "PERS", word)
    result = many_raters(project, names)
    spans = project.annotations(doc, layer="entity")
    columns = [naive_token_labels(TEXT, [s for s in spans if s.annotator == n]) for n in names]
    units = list(zip(*columns))
    table, _ = aggregate_raters(np.array([[LABELS.index(v) for v in unit] for unit in units]))
    assert result["fleiss_kappa"] == pytest.approx(statsmodels_fleiss(table))
    assert result["alpha_token"] == pytest.approx(reference_alpha(units))
    assert set(result["pairwise_f1_exact"]) == {"amal / badr", "amal / carim", "badr / carim"}


def test_headless_agreement_json_has_the_documented_keys(project, doc, capsys):
    add(project, doc, "amal", "GPE", "موسكو")
    add(project, doc, "badr", "GPE", "موسكو")
    project.add_annotation(Span(doc, "amal", "doc_stance", "FAVOR", None, None, attrs={"target": "روسيا"}))
    project.add_annotation(Span(doc, "badr", "doc_stance", "FAVOR", None, None, attrs={"target": "روسيا"}))
    assert agreement_report(project, "amal", "badr")["entity"]["f1_exact"] == 1.0
    path = project.location  # a file, or a server's URL: the command takes either
    project.close()
    assert main(["agreement", str(path), "--annotators", "amal", "badr", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for layer in ("entity", "boilerplate"):
        assert {"f1_exact", "f1_overlap", "kappa_token", "alpha_token", "per_label"} <= set(report[layer])
    assert set(report["entity"]["per_label"]["GPE"]) == {"f1_exact", "f1_overlap", "support_a", "support_b"}
    assert {"kappa", "alpha", "n"} <= set(report["doc_stance"]) and report["doc_stance"]["n"] == 1
    assert {"matched", "polarity_agreement"} <= set(report["stance"])
    assert report["boilerplate"]["f1_exact"] is None  # nothing to compare: null, not a made-up score
    assert main(["agreement", str(path), "--annotators", "amal", "nobody"]) == 1
    assert "nobody" in capsys.readouterr().err
    assert not math.isnan(report["entity"]["kappa_token"] or 0)


@pytest.fixture
def project(either_project):
    """Every test here runs on a project file and on a project on the test server (issue 18)."""
    return either_project
