"""Inter-annotator agreement: span F1, token-level Cohen's kappa and Krippendorff's alpha, document and
span stances, and Fleiss' kappa for three or more analysts. Definitions: docs/agreement.md.

Plain Python: the coefficients are computed from counts here and checked in the tests against
scikit-learn, the krippendorff package and statsmodels. A coefficient that is undefined (every rating in
one category, or nothing to compare) is None, never a made-up 0 or 1.
"""

from __future__ import annotations

import csv
import json
import os
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations
from statistics import fmean
from typing import Any, Hashable, Iterable, Sequence

from sqlalchemy import select

from app.i18n import ngettext, number
from app.models import Annotation, Annotator, DocumentStatus
from app.normalize import fold
from app.project import Project, Span
from app.words import word_spans

SPAN_LAYERS = ("entity", "boilerplate")
OUTSIDE = "O"  # the label of a token no span covers


# ---- coefficients ------------------------------------------------------------------------------------
def cohen_kappa(first: Sequence[Hashable], second: Sequence[Hashable]) -> float | None:
    """Cohen's kappa of two raters over the same items; None when chance agreement is 1."""
    if len(first) != len(second):
        raise ValueError("both raters must rate the same items")
    total = len(first)
    if not total:
        return None
    observed = sum(a == b for a, b in zip(first, second)) / total
    first_counts, second_counts = Counter(first), Counter(second)
    expected = sum(first_counts[c] * second_counts[c] for c in first_counts) / (total * total)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def krippendorff_alpha(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Krippendorff's alpha, nominal, from units of ratings (None: that rater gave none).

    Units with fewer than two ratings are not pairable and do not count. None when there is nothing
    pairable or every pairable rating is in one category (no expected disagreement)."""
    coincidences: Counter = Counter()  # (c, k) → o_ck
    # Equal units contribute alike: a million word tokens hold a few dozen distinct label combinations.
    for unit, times in Counter(map(tuple, units)).items():
        values = Counter(value for value in unit if value is not None)
        pairable = sum(values.values())
        if pairable < 2:
            continue
        for c, n_c in values.items():
            for k, n_k in values.items():
                coincidences[c, k] += times * n_c * (n_k - (c == k)) / (pairable - 1)
    return _alpha_from_coincidences(coincidences)


def _alpha_from_coincidences(coincidences: Counter) -> float | None:
    margins: Counter = Counter()
    for (c, _k), count in coincidences.items():
        margins[c] += count
    total = sum(margins.values())
    if total <= 1:
        return None
    observed = sum(count for (c, k), count in coincidences.items() if c != k)
    expected = (total * total - sum(n * n for n in margins.values())) / (total - 1)
    return None if expected == 0 else 1 - observed / expected


def fleiss_kappa(units: Iterable[Sequence[Hashable]]) -> float | None:
    """Fleiss' kappa: every unit rated by the same number (≥ 2) of raters. None when undefined."""
    table = [Counter(unit) for unit in units]
    if not table:
        return None
    raters = sum(table[0].values())
    if raters < 2 or any(sum(row.values()) != raters for row in table):
        raise ValueError("Fleiss' kappa needs every unit rated by the same number (at least two) of raters")
    items = len(table)
    totals: Counter = Counter()
    for row in table:
        totals.update(row)
    observed = fmean((sum(n * n for n in row.values()) - raters) / (raters * (raters - 1)) for row in table)
    expected = sum((count / (items * raters)) ** 2 for count in totals.values())
    return None if expected == 1 else (observed - expected) / (1 - expected)


# ---- spans ----------------------------------------------------------------------------------------------
def exact_matches(first: list[Span], second: list[Span]) -> int:
    """Spans in both with the same start, end and label (counted as multisets)."""
    key = lambda s: (s.start, s.end, s.label)  # noqa: E731
    return sum((Counter(map(key, first)) & Counter(map(key, second))).values())


def overlap_pairs(first: list[Span], second: list[Span]) -> list[tuple[Span, Span]]:
    """One-to-one pairs of overlapping spans with the same label, the largest overlaps first."""
    candidates = sorted(
        ((min(a.end, b.end) - max(a.start, b.start), i, j)
         for i, a in enumerate(first) for j, b in enumerate(second)
         if a.label == b.label and a.start < b.end and b.start < a.end),
        key=lambda item: (-item[0], item[1], item[2]))
    used_first, used_second, pairs = set(), set(), []
    for _overlap, i, j in candidates:
        if i not in used_first and j not in used_second:
            used_first.add(i)
            used_second.add(j)
            pairs.append((first[i], second[j]))
    return pairs


def f1(matched: int, first: int, second: int) -> float | None:
    """2·matched / (|A| + |B|): precision and recall of either side against the other; None if both empty."""
    return None if first + second == 0 else 2 * matched / (first + second)


def token_labels(text: str, spans: list[Span], words: list[tuple[int, int]] | None = None) -> list[str]:
    """Each word's label: that of the shortest span overlapping it, or OUTSIDE. Overlapping, not covering:
    a span may leave out an attached و or ال (وبوتين → بوتين). Nested spans: the innermost wins; equal
    lengths: the first label by name."""
    words = word_spans(text) if words is None else words
    labels = [OUTSIDE] * len(words)
    lengths: list[int | None] = [None] * len(words)
    ends = [end for _, end in words]
    for span in spans:
        length = span.end - span.start
        for index in range(bisect_right(ends, span.start), len(words)):
            if words[index][0] >= span.end:
                break
            if lengths[index] is None or (length, span.label) < (lengths[index], labels[index]):
                labels[index], lengths[index] = span.label, length
    return labels


# ---- two analysts over a project ------------------------------------------------------------------------
@dataclass
class LabelAgreement:
    f1_exact: float | None
    f1_overlap: float | None
    support_a: int
    support_b: int


@dataclass
class DocumentAgreement:
    document_id: int
    f1_exact: float | None
    kappa_token: float | None
    spans_a: int
    spans_b: int


@dataclass
class LayerAgreement:
    layer: str
    f1_exact: float | None = None
    f1_overlap: float | None = None
    kappa_token: float | None = None
    alpha_token: float | None = None
    per_label: dict[str, LabelAgreement] = field(default_factory=dict)
    documents: list[DocumentAgreement] = field(default_factory=list)
    confusion: dict[tuple[str, str], int] = field(default_factory=dict)  # (A's token label, B's) → tokens

    @property
    def mean_f1_exact(self) -> float | None:
        return _mean(d.f1_exact for d in self.documents)

    @property
    def mean_kappa_token(self) -> float | None:
        return _mean(d.kappa_token for d in self.documents)

    def as_json(self) -> dict[str, Any]:
        return {
            "f1_exact": self.f1_exact, "f1_overlap": self.f1_overlap,
            "kappa_token": self.kappa_token, "alpha_token": self.alpha_token,
            "per_label": {label: scores.__dict__ for label, scores in sorted(self.per_label.items())},
            "documents": len(self.documents),
            "mean_f1_exact": self.mean_f1_exact, "mean_kappa_token": self.mean_kappa_token,
        }


def _mean(values: Iterable[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return fmean(known) if known else None


def shared_documents(project: Project, annotators: Sequence[str]) -> list[int]:
    """Documents every one of `annotators` has worked on (status in progress or done; an analyst's first
    annotation on a document sets it, in the window or by an import, and merging brings it along)."""
    with project.session() as session:
        rows = session.execute(
            select(DocumentStatus.document_id, Annotator.name)
            .join(Annotator, Annotator.id == DocumentStatus.annotator_id)
            .where(Annotator.name.in_(list(annotators)), DocumentStatus.status != "new")).all()
    worked: dict[int, set[str]] = {}
    for document_id, name in rows:
        worked.setdefault(document_id, set()).add(name)
    return sorted(document_id for document_id, names in worked.items() if names >= set(annotators))


def annotated_but_not_marked(project: Project, annotators: Sequence[str],
                             shared: Sequence[int] | None = None) -> list[int]:
    """Documents every one of `annotators` has annotations on that are not among those they all worked on
    (`shared`, by shared_documents): someone has not marked it in progress or done, so it is left out."""
    with project.session() as session:
        rows = session.execute(
            select(Annotation.document_id, Annotator.name).distinct()
            .join(Annotator, Annotator.id == Annotation.annotator_id)
            .where(Annotator.name.in_(list(annotators)))).all()
    annotated: dict[int, set[str]] = {}
    for document_id, name in rows:
        annotated.setdefault(document_id, set()).add(name)
    shared = set(shared_documents(project, annotators) if shared is None else shared)
    return sorted(document_id for document_id, names in annotated.items()
                  if names >= set(annotators) and document_id not in shared)


def not_marked_note(first: str, second: str, count: int) -> str:
    """What the reports say about documents left out because they are not marked (empty when none are)."""
    if not count:
        return ""
    return ngettext(
        "{count} document(s) have annotations by both {first} and {second} but are not marked in progress or "
        "done by both, so they are not compared: mark them in the window (Ctrl+2 in progress, Ctrl+3 done) "
        'or import them with a "status" per analyst (JSONL)',
        "{count} document(s) have annotations by both {first} and {second} but are not marked in progress or "
        "done by both, so they are not compared: mark them in the window (Ctrl+2 in progress, Ctrl+3 done) "
        'or import them with a "status" per analyst (JSONL)', count).format(count=number(count), first=first,
                                                                            second=second)


def compare_layer(project: Project, first: str, second: str, layer: str,
                  documents: Sequence[int] | None = None) -> LayerAgreement:
    """Span F1 (exact and overlap, per label and pooled) and token kappa and alpha for one span layer,
    over the documents both analysts worked on (or `documents`)."""
    documents = shared_documents(project, [first, second]) if documents is None else documents
    result = LayerAgreement(layer)
    exact = overlap = count_a = count_b = 0
    per_label: dict[str, list[int]] = {}  # label → [exact, overlap, support a, support b]
    tokens_a: list[str] = []
    tokens_b: list[str] = []
    for document_id in documents:
        spans = project.annotations(document_id, layer=layer)
        mine = [s for s in spans if s.annotator == first and s.start is not None]
        theirs = [s for s in spans if s.annotator == second and s.start is not None]
        text = project.document_text(document_id)
        words = word_spans(text)
        labels_a, labels_b = token_labels(text, mine, words), token_labels(text, theirs, words)
        tokens_a += labels_a
        tokens_b += labels_b
        document_exact = exact_matches(mine, theirs)
        exact += document_exact
        overlap += len(overlap_pairs(mine, theirs))
        count_a, count_b = count_a + len(mine), count_b + len(theirs)
        for label in {s.label for s in mine} | {s.label for s in theirs}:
            a = [s for s in mine if s.label == label]
            b = [s for s in theirs if s.label == label]
            scores = per_label.setdefault(label, [0, 0, 0, 0])
            scores[0] += exact_matches(a, b)
            scores[1] += len(overlap_pairs(a, b))
            scores[2] += len(a)
            scores[3] += len(b)
        result.documents.append(DocumentAgreement(
            document_id, f1(document_exact, len(mine), len(theirs)), cohen_kappa(labels_a, labels_b),
            len(mine), len(theirs)))
    result.f1_exact, result.f1_overlap = f1(exact, count_a, count_b), f1(overlap, count_a, count_b)
    result.kappa_token = cohen_kappa(tokens_a, tokens_b)
    result.alpha_token = krippendorff_alpha(zip(tokens_a, tokens_b))
    result.per_label = {label: LabelAgreement(f1(e, a, b), f1(o, a, b), a, b)
                        for label, (e, o, a, b) in per_label.items()}
    result.confusion = dict(Counter(zip(tokens_a, tokens_b)))
    return result


def compare_doc_stances(project: Project, first: str, second: str,
                        documents: Sequence[int] | None = None) -> dict[str, Any]:
    """Document stances per (document, target): kappa over the items both rated, alpha with the items
    only one rated as missing (unpairable), overall and per target."""
    documents = shared_documents(project, [first, second]) if documents is None else documents
    ratings: dict[tuple[int, str], dict[str, str]] = {}
    for document_id in documents:
        for span in project.annotations(document_id, layer="doc_stance"):
            if span.annotator in (first, second):
                ratings.setdefault((document_id, span.attrs.get("target", "")), {})[span.annotator] = span.label

    def scores(items: list[dict[str, str]]) -> dict[str, Any]:
        both = [item for item in items if len(item) == 2]
        return {"kappa": cohen_kappa([i[first] for i in both], [i[second] for i in both]),
                "alpha": krippendorff_alpha([[i.get(first), i.get(second)] for i in items]), "n": len(both)}

    targets = sorted({target for _, target in ratings})
    return {**scores(list(ratings.values())),
            "per_target": {t: scores([r for (_, target), r in ratings.items() if target == t]) for t in targets}}


def reference_key(reference: dict[str, Any] | None) -> tuple:
    """How holders and targets are told apart: the article, a target of the list, or the folded words
    of an entity or free text (two analysts may mark the same holder at different mentions)."""
    if not reference:
        return ("none",)
    if reference.get("article"):
        return ("article",)
    if reference.get("target"):
        return ("target", reference["target"])
    return ("text", " ".join(fold(reference.get("text", "")).split()))


def compare_stances(project: Project, first: str, second: str,
                    documents: Sequence[int] | None = None) -> dict[str, Any]:
    """Span stances matched one to one by overlapping evidence with the same holder and target; the
    polarity agreement is the share of matched pairs with the same polarity."""
    documents = shared_documents(project, [first, second]) if documents is None else documents
    matched = same = only_a = only_b = 0
    for document_id in documents:
        stances = project.annotations(document_id, layer="stance")
        pairs = stance_pairs([s for s in stances if s.annotator == first], [s for s in stances if s.annotator == second])
        matched += len(pairs)
        same += sum(a.label == b.label for a, b in pairs)
        only_a += sum(s.annotator == first for s in stances) - len(pairs)
        only_b += sum(s.annotator == second for s in stances) - len(pairs)
    return {"matched": matched, "polarity_agreement": same / matched if matched else None,
            "only_a": only_a, "only_b": only_b}


def stance_pairs(first: list[Span], second: list[Span]) -> list[tuple[Span, Span]]:
    """One-to-one pairs of span stances whose evidence overlaps, with the same holder and target."""
    def who(span: Span) -> tuple:
        return reference_key(span.attrs.get("holder")), reference_key(span.attrs.get("target"))

    relabelled_a = [s.with_changes(label=repr(who(s))) for s in first]
    relabelled_b = [s.with_changes(label=repr(who(s))) for s in second]
    by_uid = {s.uid: s for s in [*first, *second]}
    return [(by_uid[a.uid], by_uid[b.uid]) for a, b in overlap_pairs(relabelled_a, relabelled_b)]


@dataclass
class Agreement:
    """Two analysts compared on every layer (what the dashboard shows and the report files hold)."""

    first: str
    second: str
    documents: list[int]
    layers: dict[str, LayerAgreement]
    doc_stance: dict[str, Any]
    stance: dict[str, Any]
    # Documents both annotated that are not compared, as neither marked them in progress or done.
    not_marked: list[int] = field(default_factory=list)

    @property
    def not_marked_note(self) -> str:
        return not_marked_note(self.first, self.second, len(self.not_marked))

    def as_json(self) -> dict[str, Any]:
        """What `hashiya agreement --json` prints (keys in docs/agreement.md)."""
        report: dict[str, Any] = {"annotators": [self.first, self.second], "documents": len(self.documents),
                                  "documents_not_marked": len(self.not_marked)}
        report.update({layer: result.as_json() for layer, result in self.layers.items()})
        report["doc_stance"], report["stance"] = self.doc_stance, self.stance
        return report


def compare(project: Project, first: str, second: str) -> Agreement:
    documents = shared_documents(project, [first, second])
    return Agreement(first, second, documents,
                     {layer: compare_layer(project, first, second, layer, documents) for layer in SPAN_LAYERS},
                     compare_doc_stances(project, first, second, documents),
                     compare_stances(project, first, second, documents),
                     annotated_but_not_marked(project, [first, second], documents))


def agreement_report(project: Project, first: str, second: str) -> dict[str, Any]:
    """Everything `hashiya agreement --json` prints (keys in docs/agreement.md)."""
    return compare(project, first, second).as_json()


REPORT_COLUMNS = ("scope", "layer", "item", "f1_exact", "f1_overlap", "kappa", "alpha", "polarity_agreement",
                  "support_a", "support_b", "n")


def report_rows(agreement: Agreement, names: dict[int, str]) -> list[list]:
    """The agreement as a table (the dashboard's CSV report): overall, per label and per document for each
    span layer, then document stances overall and per target, then span stances. `names`: document names."""
    rows: list[list] = []
    for layer, result in agreement.layers.items():
        rows.append(["overall", layer, "", result.f1_exact, result.f1_overlap, result.kappa_token,
                     result.alpha_token, None, None, None, len(result.documents)])
        for label, scores in sorted(result.per_label.items()):
            rows.append(["label", layer, label, scores.f1_exact, scores.f1_overlap, None, None, None,
                         scores.support_a, scores.support_b, None])
        for document in result.documents:
            rows.append(["document", layer, names.get(document.document_id, str(document.document_id)),
                         document.f1_exact, None, document.kappa_token, None, None, document.spans_a,
                         document.spans_b, None])
    stances = agreement.doc_stance
    rows.append(["overall", "doc_stance", "", None, None, stances["kappa"], stances["alpha"], None, None, None,
                 stances["n"]])
    for target, scores in stances["per_target"].items():
        rows.append(["target", "doc_stance", target, None, None, scores["kappa"], scores["alpha"], None, None, None,
                     scores["n"]])
    spans = agreement.stance
    rows.append(["overall", "stance", "", None, None, None, None, spans["polarity_agreement"], spans["only_a"],
                 spans["only_b"], spans["matched"]])
    return rows


def save_report(agreement: Agreement, names: dict[int, str], path: str | os.PathLike) -> None:
    """A .json file (the --json report plus per-document figures) or else CSV, written atomically."""
    from app.exporter import spreadsheet_text
    from app.fsutil import atomic_write

    if str(path).lower().endswith(".json"):
        report = agreement.as_json()
        for layer, result in agreement.layers.items():
            report[layer]["per_document"] = [{**document.__dict__, "document": names.get(document.document_id)}
                                              for document in result.documents]
        with atomic_write(path) as handle:
            handle.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
        return
    with atomic_write(path, encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(REPORT_COLUMNS)
        for row in report_rows(agreement, names):
            writer.writerow(["" if value is None else spreadsheet_text(value) if isinstance(value, str)
                             else round(value, 6) if isinstance(value, float) else value for value in row])


# ---- three or more analysts ---------------------------------------------------------------------------
def many_raters(project: Project, annotators: Sequence[str], layer: str = "entity") -> dict[str, Any]:
    """Token labels of a span layer by three or more analysts: Fleiss' kappa over the documents all of
    them worked on; Krippendorff's alpha over the documents at least two worked on, the others' ratings
    missing. Pairwise exact F1 for each pair over the documents both worked on."""
    every = shared_documents(project, annotators)
    some = sorted({d for pair in combinations(annotators, 2) for d in shared_documents(project, pair)})
    worked = {name: set(shared_documents(project, [name])) for name in annotators}
    units_all, units_some = [], []
    for document_id in some:
        text = project.document_text(document_id)
        words = word_spans(text)
        spans = project.annotations(document_id, layer=layer)
        columns = [token_labels(text, [s for s in spans if s.annotator == name and s.start is not None], words)
                   if document_id in worked[name] else [None] * len(words) for name in annotators]
        rows = list(zip(*columns))
        units_some += rows
        if document_id in every:
            units_all += rows
    return {"annotators": list(annotators), "documents_all": len(every), "documents_some": len(some),
            "fleiss_kappa": fleiss_kappa(units_all) if units_all else None,
            "alpha_token": krippendorff_alpha(units_some),
            "pairwise_f1_exact": {f"{a} / {b}": compare_layer(project, a, b, layer).f1_exact
                                  for a, b in combinations(annotators, 2)}}
