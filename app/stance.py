"""Stances: references to holders and targets (see docs/stance-format.md) and the holder guess."""

from __future__ import annotations

import functools
from typing import Any, Iterable

from app import packagedata
from app.i18n import N_, _
from app.matching import find_all
from app.normalize import fold, normalize
from app.project import Span

ARTICLE = N_("the article")  # stored in English (the reference's text); shown as _(ARTICLE)
# Preferred when the schema has these default types; any entity can hold a stance, so a
# project whose types are named otherwise (PERSON, PER, …) still gets a guess.
HOLDER_LABELS = ("PERS", "ORG", "GPE", "NORP")
PREFERRED_HOLDERS = ("PERS", "ORG")  # people and organisations speak; places less often
NEVER_HOLDERS = ("DATE", "EVENT")
SEARCH_BACK = 300  # characters before the evidence in which a reporting verb is looked for
PRONOUN_BACK = 600  # "وأضاف:" with no named subject: the last speaker within this distance


# ---- references ----------------------------------------------------------
def entity_ref(span: Span, text: str) -> dict[str, Any]:
    return {"start": span.start, "end": span.end, "text": text[span.start:span.end], "id": span.uid}


def article_ref() -> dict[str, Any]:
    return {"text": ARTICLE, "article": True}


def free_text_ref(words: str) -> dict[str, Any]:
    return {"text": words.strip()}


def list_target_ref(name: str) -> dict[str, Any]:
    return {"target": name}


def describe(reference: dict[str, Any] | None) -> str:
    """How a holder or target reads in lists: its text or target name (the article, in the interface's
    language)."""
    if not reference:
        return ""
    if reference.get("article") is True and reference.get("text") == ARTICLE:
        return _(ARTICLE)
    return reference.get("target") or reference.get("text", "")


def stance_attrs(holder: dict, target: dict, note: str = "") -> dict[str, Any]:
    attrs: dict[str, Any] = {"holder": holder, "target": target}
    if note.strip():
        attrs["note"] = note.strip()
    return attrs


def doc_stance_target(span: Span) -> str:
    return span.attrs.get("target", "")


# ---- the holder guess --------------------------------------------------------
@functools.cache
def _verb_queries() -> tuple[str, ...]:
    """Each reporting verb bare and behind و or ف (وقال، فأضاف), as whole words for the matching engine."""
    verbs = packagedata.resource_json("reporting_verbs.json")["verbs"]
    return tuple(prefix + verb for verb in verbs for prefix in ("", "و", "ف"))


def _reporting_verbs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the reporting verbs in text[start:end], in text order (harakat, hamza forms and
    tatweel ignored by the engine; a verb inside a longer word is not one)."""
    window = normalize(text[start:end])
    return sorted((start + match.start, start + match.end)
                  for query in _verb_queries() for match in find_all(window, query, clitics=False))


def guess_holder(text: str, evidence_start: int, entities: Iterable[Span]) -> Span | None:
    """The entity that most plausibly holds the stance whose evidence starts at `evidence_start`.

    Arabic news reports in verb-subject order ("وقال بوتين إن …"): the first
    person or organisation after the nearest reporting verb before the evidence.
    Failing that, the subject before the verb ("بوتين قال"), or, for a verb
    with no named subject ("وأضاف:"), the last speaker mentioned before it.
    """
    entities = [e for e in entities if e.start is not None and e.label not in NEVER_HOLDERS]
    candidates = [e for e in entities if e.label in HOLDER_LABELS] or entities
    floor = max(0, evidence_start - SEARCH_BACK, text.rfind("\n\n", 0, evidence_start) + 1)
    verbs = _reporting_verbs(text, floor, evidence_start)
    if not verbs:
        return _best(_ending_before(candidates, evidence_start, floor), last=True)
    verb_start, verb_end = verbs[-1]
    after_verb = [e for e in candidates if verb_end <= e.start and e.end <= evidence_start]
    return (
        _best(after_verb, last=False)
        or _named_elsewhere(text, text[verb_end:evidence_start], candidates)
        or _best(_ending_before(candidates, verb_start, verb_start - PRONOUN_BACK), last=True)
    )


def _named_elsewhere(text: str, segment: str, candidates: list[Span]) -> Span | None:
    """"وقال بوتين إن …" where this mention is not annotated but بوتين (or فلاديمير بوتين) is, elsewhere.

    The entity whose last word appears first after the verb wins; the fuller name on a tie.
    """
    tokens = fold(segment).split()
    ranked = []
    for entity in candidates:
        name = fold(text[entity.start:entity.end]).split()
        if name and name[-1] in tokens:
            ranked.append((tokens.index(name[-1]), -len(name), entity.start, entity))
    return min(ranked, key=lambda item: item[:3])[3] if ranked else None


def _ending_before(spans: list[Span], limit: int, floor: int) -> list[Span]:
    return [e for e in spans if floor <= e.start and e.end <= limit]


def _best(spans: list[Span], last: bool) -> Span | None:
    """Nearest span (first after a verb, or last before a point), people and organisations first."""
    if not spans:
        return None
    preferred = [s for s in spans if s.label in PREFERRED_HOLDERS] or spans
    # Among spans starting at the same place the longest (outermost) one is the name.
    ordered = sorted(preferred, key=lambda s: (s.start, -(s.end - s.start)))
    if not last:
        return ordered[0]
    return max(preferred, key=lambda s: (s.end, s.end - s.start))
