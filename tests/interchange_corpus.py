"""The corpus every interchange-format test exports and reads back (app/formats).

It holds what other tools get wrong: emoji (astral characters, a flag of two) before Arabic, harakat and a
shadda, tatweel and a right-to-left mark inside words, a Latin line, nested and crossing spans, entities with
an attached clitic left outside the span (لروسيا, وواشنطن), boilerplate, span and document stances, a second
analyst, and a document with no annotations at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.project import Project, Span
from tests.conftest import add_document, occurrence

EMOJI_TEXT = (
    "😀🇸🇦 قال الرئيسُ فلاديمير بوتين إنّ بلاده لن تتراجع لروسيا وحلفائها.\n"
    "Reuters — Moscow, 3 March 2025 🌍\n"
    "وأضاف مُحَمَّد بن سلمان أن جامعة القاهرة الجديدة وواشنطن تراقبان الوضع.\n"
    "اقرأ أيضاً: مقالات مشابهة\n"
    "شارك المقال"
)
TATWEEL_TEXT = "أعلنت الأمم المتحدة أن بـوتـين زار \u200fدمشق\u200f اليوم.\nلا تعليق حتى الآن."
PLAIN_TEXT = "خبر بلا أي تعليق توضيحي."

ANALYST, SECOND = "amal", "badr"


@dataclass
class Corpus:
    documents: dict[str, int]  # name → id
    texts: dict[str, str]


def _entity(document_id: int, text: str, needle: str, label: str, analyst: str = ANALYST, nth: int = 0,
            layer: str = "entity") -> Span:
    start, end = occurrence(text, needle, nth)
    return Span(document_id, analyst, layer, label, start, end, provenance="manual")


def build(project: Project) -> Corpus:
    """Fill an empty project with the interchange corpus; returns its documents' ids and texts."""
    ids = {
        "emoji.txt": add_document(project, EMOJI_TEXT, "emoji.txt"),
        "tatweel.txt": add_document(project, TATWEEL_TEXT, "tatweel.txt"),
        "plain.txt": add_document(project, PLAIN_TEXT, "plain.txt"),
    }
    e, t = ids["emoji.txt"], ids["tatweel.txt"]
    putin = _entity(e, EMOJI_TEXT, "فلاديمير بوتين", "PERS")
    spans = [
        putin,
        _entity(e, EMOJI_TEXT, "روسيا", "GPE"),  # its ل stays outside: a clitic-prefixed entity
        _entity(e, EMOJI_TEXT, "Reuters", "ORG"),
        _entity(e, EMOJI_TEXT, "Moscow", "GPE"),
        _entity(e, EMOJI_TEXT, "مُحَمَّد بن سلمان", "PERS"),
        _entity(e, EMOJI_TEXT, "جامعة القاهرة", "ORG"),
        _entity(e, EMOJI_TEXT, "القاهرة", "LOC"),  # nested inside the university
        _entity(e, EMOJI_TEXT, "القاهرة الجديدة", "GPE"),  # crosses the university's end
        _entity(e, EMOJI_TEXT, "واشنطن", "GPE"),  # the conjunction و stays outside
        _entity(e, EMOJI_TEXT, "اقرأ أيضاً: مقالات مشابهة", "related_links", layer="boilerplate"),
        _entity(e, EMOJI_TEXT, "شارك المقال", "share_social", layer="boilerplate"),
        _entity(t, TATWEEL_TEXT, "الأمم المتحدة", "ORG"),
        _entity(t, TATWEEL_TEXT, "بـوتـين", "PERS"),
        _entity(t, TATWEEL_TEXT, "دمشق", "GPE"),
        # The second analyst: agrees on one span, labels another differently, adds a third.
        _entity(e, EMOJI_TEXT, "فلاديمير بوتين", "PERS", SECOND),
        _entity(e, EMOJI_TEXT, "جامعة القاهرة الجديدة", "ORG", SECOND),
        _entity(t, TATWEEL_TEXT, "دمشق", "LOC", SECOND),
    ]
    evidence_start, evidence_end = occurrence(EMOJI_TEXT, "لن تتراجع لروسيا")
    spans.append(Span(e, ANALYST, "stance", "FAVOR", evidence_start, evidence_end, attrs={
        "holder": {"start": putin.start, "end": putin.end, "text": "فلاديمير بوتين", "id": putin.uid},
        "target": {"target": "روسيا"}, "note": "تصريح مباشر"}))
    spans.append(Span(e, ANALYST, "doc_stance", "FAVOR", None, None, attrs={"target": "روسيا"}))
    spans.append(Span(e, SECOND, "doc_stance", "NEUTRAL", None, None, attrs={"target": "روسيا"}))
    spans.append(Span(t, ANALYST, "doc_stance", "NONE", None, None, attrs={"target": "الأمم المتحدة"}))
    project.add_annotations(spans)
    return Corpus(ids, {"emoji.txt": EMOJI_TEXT, "tatweel.txt": TATWEEL_TEXT, "plain.txt": PLAIN_TEXT})


def stored(project: Project, analyst: str | None = None, layers: tuple[str, ...] | None = None) -> list[tuple]:
    """Every annotation as (document name, analyst, layer, label, start, end, surface text), sorted: what a
    round trip through a format that carries offsets must give back unchanged."""
    found = []
    for document_id in project.document_ids():
        name, text = project.document_name(document_id), project.document_text(document_id)
        for span in project.annotations(document_id, analyst):
            if layers is None or span.layer in layers:
                surface = text[span.start:span.end] if span.start is not None else None
                found.append((name, span.annotator, span.layer, span.label, span.start, span.end, surface))
    return sorted(found, key=repr)
