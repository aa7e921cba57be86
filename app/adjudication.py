"""Comparing two analysts' work and adjudicating it into a gold layer.

The gold layer is the annotations of the reserved annotator GOLD. Adjudication only ever writes there:
the analysts' own annotations are read, never changed. Each gold annotation says where it came from in
`provenance` ("agreed": pre-filled because both analysts agree; "adjudicated": one analyst's version
chosen; "edited": made or changed by the adjudicator) and in `attrs["adjudication"]` (`from`: whose
versions, `by`: the adjudicator, `at`: when).

A **disagreement** is a group of overlapping spans of one layer (both analysts' spans, linked by overlap)
in which the two analysts' spans differ. Its kind: "label" (same extents, other labels), "boundary"
(overlapping, other extents), "only_a", "only_b". Document stances disagree per target; span stances are
matched as in app.agreement (overlapping evidence, same holder and target), and a matched pair with other
polarities is a "polarity" disagreement. A disagreement is settled once gold holds an annotation there,
or the adjudicator rejected both versions (kept as a Rejection row of layer "adjudication").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

from sqlalchemy import delete, insert, select

from app.agreement import reference_key, shared_documents, stance_pairs
from app.models import Rejection
from app.project import Project, Span, new_uid, now_iso

GOLD = "gold"
SPAN_LAYERS = ("entity", "boilerplate")
REVIEW_LAYERS = (*SPAN_LAYERS, "stance", "doc_stance")
MARKER_LAYER = "adjudication"  # Rejection rows recording "neither version" decisions
Choice = Literal["a", "b", "reject"]
# How each span of the two analysts stands against the other's (the compare view's colours).
AGREED, LABEL, BOUNDARY, ONLY_A, ONLY_B, POLARITY = "agreed", "label", "boundary", "only_a", "only_b", "polarity"


@dataclass(frozen=True)
class Disagreement:
    document_id: int
    layer: str
    start: int | None  # the extent of the group (None for a document stance)
    end: int | None
    kind: str
    a: tuple[Span, ...]
    b: tuple[Span, ...]
    target: str = ""   # document stances: the target

    @property
    def key(self) -> tuple:
        return self.document_id, self.layer, self.start, self.end, self.target


# ---- comparing ------------------------------------------------------------------------------------------
def span_groups(first: list[Span], second: list[Span]) -> list[tuple[list[Span], list[Span]]]:
    """Both analysts' spans in groups linked by overlap, in text order: (A's spans, B's spans) each."""
    spans = sorted([*first, *second], key=lambda s: (s.start, s.end))
    groups: list[list[Span]] = []
    reach = -1  # the end of the current group
    for span in spans:
        if groups and span.start < reach:
            groups[-1].append(span)
            reach = max(reach, span.end)
        else:
            groups.append([span])
            reach = span.end
    first_ids = {s.uid for s in first}
    return [([s for s in group if s.uid in first_ids], [s for s in group if s.uid not in first_ids])
            for group in groups]


def group_kind(mine: list[Span], theirs: list[Span]) -> str:
    if not theirs:
        return ONLY_A
    if not mine:
        return ONLY_B
    extents = lambda spans: sorted((s.start, s.end) for s in spans)  # noqa: E731
    labelled = lambda spans: sorted((s.start, s.end, s.label) for s in spans)  # noqa: E731
    if labelled(mine) == labelled(theirs):
        return AGREED
    return LABEL if extents(mine) == extents(theirs) else BOUNDARY


def span_statuses(first: list[Span], second: list[Span]) -> dict[str, str]:
    """uid → how the span stands (AGREED, LABEL, BOUNDARY, ONLY_A, ONLY_B) for one layer of one document."""
    statuses = {}
    for mine, theirs in span_groups(first, second):
        kind = group_kind(mine, theirs)
        statuses.update({span.uid: kind for span in [*mine, *theirs]})
    return statuses


def stance_statuses(first: list[Span], second: list[Span]) -> dict[str, str]:
    pairs = stance_pairs(first, second)
    statuses = {s.uid: ONLY_A for s in first} | {s.uid: ONLY_B for s in second}
    for a, b in pairs:
        statuses[a.uid] = statuses[b.uid] = AGREED if a.label == b.label else POLARITY
    return statuses


def disagreements(project: Project, document_id: int, first: str, second: str,
                  layers: Iterable[str] = REVIEW_LAYERS) -> list[Disagreement]:
    """Every disagreement of the two analysts on a document (settled or not), in layer and text order."""
    spans = project.annotations(document_id)
    found: list[Disagreement] = []
    for layer in layers:
        mine = [s for s in spans if s.annotator == first and s.layer == layer]
        theirs = [s for s in spans if s.annotator == second and s.layer == layer]
        if layer in SPAN_LAYERS:
            found += _span_disagreements(document_id, layer, mine, theirs)
        elif layer == "stance":
            found += _stance_disagreements(document_id, mine, theirs)
        elif layer == "doc_stance":
            found += _doc_stance_disagreements(document_id, mine, theirs)
    return found


def _span_disagreements(document_id: int, layer: str, first: list[Span], second: list[Span]) -> list[Disagreement]:
    found = []
    for mine, theirs in span_groups(first, second):
        kind = group_kind(mine, theirs)
        if kind != AGREED:
            both = [*mine, *theirs]
            found.append(Disagreement(document_id, layer, min(s.start for s in both), max(s.end for s in both),
                                      kind, tuple(mine), tuple(theirs)))
    return found


def _stance_disagreements(document_id: int, first: list[Span], second: list[Span]) -> list[Disagreement]:
    pairs = stance_pairs(first, second)
    paired = {s.uid for pair in pairs for s in pair}
    found = [Disagreement(document_id, "stance", min(a.start, b.start), max(a.end, b.end), POLARITY, (a,), (b,))
             for a, b in pairs if a.label != b.label]
    found += [Disagreement(document_id, "stance", s.start, s.end, ONLY_A, (s,), ()) for s in first if s.uid not in paired]
    found += [Disagreement(document_id, "stance", s.start, s.end, ONLY_B, (), (s,)) for s in second if s.uid not in paired]
    return sorted(found, key=lambda d: (d.start, d.end))


def _doc_stance_disagreements(document_id: int, first: list[Span], second: list[Span]) -> list[Disagreement]:
    mine = {s.attrs.get("target", ""): s for s in first}
    theirs = {s.attrs.get("target", ""): s for s in second}
    found = []
    for target in sorted(set(mine) | set(theirs)):
        a, b = mine.get(target), theirs.get(target)
        if a is not None and b is not None and a.label == b.label:
            continue
        kind = LABEL if a is not None and b is not None else (ONLY_A if b is None else ONLY_B)
        found.append(Disagreement(document_id, "doc_stance", None, None, kind,
                                  (a,) if a else (), (b,) if b else (), target))
    return found


# ---- what is settled ------------------------------------------------------------------------------------
def pending(project: Project, document_id: int, first: str, second: str) -> list[Disagreement]:
    """The disagreements of a document the gold layer does not settle yet."""
    gold = project.annotations(document_id, GOLD)
    markers = _markers(project, document_id)
    return [d for d in disagreements(project, document_id, first, second) if not _settled(d, gold, markers)]


def remaining(project: Project, first: str, second: str) -> dict[int, int]:
    """Pending disagreements per document both analysts worked on (documents with none left out)."""
    counts = {}
    for document_id in shared_documents(project, [first, second]):
        left = len(pending(project, document_id, first, second))
        if left:
            counts[document_id] = left
    return counts


def _settled(disagreement: Disagreement, gold: list[Span], markers: list[tuple]) -> bool:
    d = disagreement
    if d.layer == "doc_stance":
        return any(g.layer == "doc_stance" and g.attrs.get("target", "") == d.target for g in gold) or \
            (d.layer, None, None, d.target) in markers
    if any(m[0] == d.layer and m[1] is not None and m[1] < d.end and d.start < m[2] for m in markers):
        return True
    if d.layer == "stance":
        who = {_who(s) for s in (*d.a, *d.b)}
        return any(g.layer == "stance" and g.start < d.end and d.start < g.end and _who(g) in who for g in gold)
    return any(g.layer == d.layer and g.start < d.end and d.start < g.end for g in gold)


def _who(span: Span) -> tuple:
    return reference_key(span.attrs.get("holder")), reference_key(span.attrs.get("target"))


def _markers(project: Project, document_id: int) -> list[tuple]:
    with project.session() as session:
        return [tuple(row) for row in session.execute(
            select(Rejection.label, Rejection.start, Rejection.end, Rejection.form)
            .where(Rejection.layer == MARKER_LAYER, Rejection.document_id == document_id))]


# ---- writing gold -----------------------------------------------------------------------------------------
def gold_copy(span: Span, sources: list[str], adjudicator: str, provenance: str) -> Span:
    """`span` as a gold annotation (a new uid), recording where it came from, who decided and when."""
    attrs = {**span.attrs, "adjudication": {"from": sources, "by": adjudicator, "at": now_iso()}}
    return Span(span.document_id, GOLD, span.layer, span.label, span.start, span.end, attrs=attrs,
                provenance=provenance, uid=new_uid())


def resolve(project: Project, disagreement: Disagreement, choice: Choice, adjudicator: str,
            first: str, second: str) -> list[Span]:
    """Settle a disagreement: A's version, B's version, or neither. Returns the gold spans written
    (undo: `unresolve`). One transaction either way."""
    if choice == "reject":
        _add_marker(project, disagreement, adjudicator)
        return []
    chosen = disagreement.a if choice == "a" else disagreement.b
    name = first if choice == "a" else second
    gold = [gold_copy(_with_gold_references(project, span), [name], adjudicator, "adjudicated") for span in chosen]
    if not gold:  # "only B" settled with A's (empty) version: the same as neither
        _add_marker(project, disagreement, adjudicator)
        return []
    return project.add_annotations(gold)


def unresolve(project: Project, disagreement: Disagreement, written: list[Span]) -> None:
    """Undo of `resolve`: remove the gold spans it wrote, or its "neither" marker."""
    if written:
        project.delete_annotations(span.uid for span in written)
        return
    d = disagreement
    with project.session.begin() as session:
        session.execute(delete(Rejection).where(
            Rejection.layer == MARKER_LAYER, Rejection.document_id == d.document_id, Rejection.label == d.layer,
            Rejection.start.is_(None) if d.start is None else Rejection.start == d.start,
            Rejection.end.is_(None) if d.end is None else Rejection.end == d.end, Rejection.form == d.target))


def _add_marker(project: Project, d: Disagreement, adjudicator: str) -> None:
    with project.session.begin() as session:
        session.execute(insert(Rejection).values(
            annotator_id=project._ensure_annotator(session, adjudicator), layer=MARKER_LAYER, label=d.layer,
            form=d.target, document_id=d.document_id, start=d.start, end=d.end, created_at=now_iso()))


def _with_gold_references(project: Project, span: Span) -> Span:
    if span.layer != "stance":
        return span
    return _retargeted(span, {(g.start, g.end): g.uid for g in project.annotations(span.document_id, GOLD, "entity")})


def _retargeted(span: Span, gold_entities: dict[tuple[int, int], str]) -> Span:
    """A stance's holder or target that is an entity points at the gold entity with the same offsets, if
    there is one (else it keeps the offsets and text, without an analyst's id)."""
    attrs = dict(span.attrs)
    for role in ("holder", "target"):
        reference = attrs.get(role)
        if isinstance(reference, dict) and "start" in reference:
            reference = {key: value for key, value in reference.items() if key != "id"}
            if (reference["start"], reference["end"]) in gold_entities:
                reference["id"] = gold_entities[reference["start"], reference["end"]]
            attrs[role] = reference
    return span.with_changes(attrs=attrs)


def prefill_agreed(project: Project, first: str, second: str, adjudicator: str,
                   documents: Iterable[int] | None = None) -> list[Span]:
    """Gold gets everything both analysts agree on that it does not hold yet (provenance "agreed"),
    in one transaction; returns what was added (undo: delete them)."""
    documents = shared_documents(project, [first, second]) if documents is None else documents
    added: list[Span] = []
    for document_id in documents:
        spans = project.annotations(document_id)
        gold = {(s.layer, s.start, s.end, s.label) for s in spans if s.annotator == GOLD}
        gold_targets = {s.attrs.get("target") for s in spans if s.annotator == GOLD and s.layer == "doc_stance"}
        for layer in SPAN_LAYERS:
            mine = [s for s in spans if s.annotator == first and s.layer == layer]
            theirs = [s for s in spans if s.annotator == second and s.layer == layer]
            for group_a, group_b in span_groups(mine, theirs):
                if group_kind(group_a, group_b) == AGREED:
                    added += [gold_copy(s, [first, second], adjudicator, "agreed") for s in group_a
                              if (layer, s.start, s.end, s.label) not in gold]
        gold_stances = [s for s in spans if s.annotator == GOLD and s.layer == "stance"]
        gold_entities = {(g.start, g.end): g.uid for g in [*spans, *added]
                         if g.annotator == GOLD and g.layer == "entity" and g.document_id == document_id}
        for a, b in stance_pairs([s for s in spans if s.annotator == first and s.layer == "stance"],
                                 [s for s in spans if s.annotator == second and s.layer == "stance"]):
            if a.label == b.label and not any(g.start < a.end and a.start < g.end and _who(g) == _who(a)
                                              for g in gold_stances):
                added.append(gold_copy(_retargeted(a, gold_entities), [first, second], adjudicator, "agreed"))
        mine = {s.attrs.get("target"): s for s in spans if s.annotator == first and s.layer == "doc_stance"}
        for s in spans:
            if s.annotator == second and s.layer == "doc_stance":
                a = mine.get(s.attrs.get("target"))
                if a is not None and a.label == s.label and s.attrs.get("target") not in gold_targets:
                    added.append(gold_copy(a, [first, second], adjudicator, "agreed"))
    return project.add_annotations(added)
