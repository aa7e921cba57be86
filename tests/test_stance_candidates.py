"""Stance candidates (app.stance_candidates): reported words about a schema target, with the holder guessed,
and the polarity learnt from the analyst's stances. Texts are written for the tests."""

from __future__ import annotations

import pytest

from app import stance_candidates as sc
from app.project import Span
from tests.conftest import add_document

TARGETS = ["روسيا", "الولايات المتحدة"]
TEXT = ("وقال وزير الخارجية سامي حداد إن بلاده تدعم الحوار مع لروسيا في كل الملفات. "
        "وشهدت العاصمة أمطارًا غزيرة أمس. "
        "وكتب المحلل في مقاله: «الولايات المتحدة تخسر نفوذها في المنطقة». "
        "وزار الوفد روسيا الأسبوع الماضي.")


def _entities(doc: int) -> list[Span]:
    start = TEXT.index("سامي حداد")
    return [Span(doc, "amal", "entity", "PERS", start, start + len("سامي حداد"))]


def test_a_candidate_is_a_reported_or_quoted_sentence_naming_a_target_with_its_holder_guessed():
    found = sc.candidates(TEXT, _entities(1), TARGETS)
    shown = [(TEXT[c.start:c.end][:12], c.target, c.cue) for c in found]
    assert shown == [(TEXT[:12], "روسيا", "verb"), ("وكتب المحلل ", "الولايات المتحدة", "quote")]
    assert found[0].holder is not None and TEXT[found[0].holder.start:found[0].holder.end] == "سامي حداد"
    assert found[0].holder_ref(TEXT)["text"] == "سامي حداد" and found[0].target_ref() == {"target": "روسيا"}
    # No verb or quote ("وزار الوفد روسيا"), no target (the weather): not candidates.
    assert all("أمطار" not in TEXT[c.start:c.end] and "وزار" not in TEXT[c.start:c.end] for c in found)
    # A sentence the analyst already took a stance on is left out.
    assert len(sc.candidates(TEXT, [], TARGETS, taken=[(found[0].start + 3, found[0].start + 9)])) == 1


def _stances(project, doc, polarities: list[str], first: int = 0) -> None:
    spans = []
    for n, polarity in enumerate(polarities, start=first):
        word = {"FAVOR": "تدعم وترحب", "AGAINST": "ترفض وتدين", "NEUTRAL": "تتابع وتراقب"}[polarity]
        text = f"جملة {n} {word} الموقف"
        start = project.document_text(doc).index(text)
        spans.append(Span(doc, "amal", "stance", polarity, start, start + len(text),
                          attrs={"holder": {}, "target": {"target": "روسيا"}}))
    project.add_annotations(spans)


def test_polarity_is_learnt_from_the_analysts_stances_scored_held_out_stored_and_switchable(project):
    polarities = ["FAVOR", "AGAINST", "NEUTRAL"] * 6
    body = "\n".join(f"جملة {n} {dict(FAVOR='تدعم وترحب', AGAINST='ترفض وتدين', NEUTRAL='تتابع وتراقب')[p]} الموقف"
                     for n, p in enumerate(polarities))
    doc = add_document(project, body, "s.txt")
    _stances(project, doc, polarities[:4])
    with pytest.raises(sc.NotEnoughStances, match="at least 12"):
        sc.learn_polarity(project, "amal")
    _stances(project, doc, polarities[4:], first=4)
    model = sc.learn_polarity(project, "amal")
    assert model.about["stances"] == 18 and model.about["held_out"] > 0 and model.about["accuracy"] == 1.0
    assert "Held out: 2, right: 100%" in sc.describe_polarity(model.about)
    polarity, confidence = model.guess("إن بلاده ترفض وتدين هذا")
    assert polarity == "AGAINST" and 0.5 < confidence <= 1
    assert sc.stored_polarity(project) is None
    sc.store_polarity(project, model)
    again = sc.stored_polarity(project)
    assert again is not None and again.guess("تدعم وترحب") == model.guess("تدعم وترحب")
    found = sc.candidates("وقال الوزير إن بلاده تدعم وترحب بالحوار مع روسيا.", [], TARGETS, model=again)
    assert found[0].polarity == "FAVOR" and found[0].confidence > 0.5
    project.set_info(sc.USE_KEY, "no")
    assert sc.stored_polarity(project) is None


def test_a_dismissed_candidate_is_remembered_for_that_analyst(project):
    doc = add_document(project, TEXT, "t.txt")
    first = sc.candidates(TEXT, [], TARGETS)[0]
    sc.dismiss(project, doc, first, "amal")
    assert sc.dismissed(project, doc, "amal") == [(first.start, first.end)] and sc.dismissed(project, doc, "badr") == []
    left = sc.candidates(TEXT, [], TARGETS, taken=sc.dismissed(project, doc, "amal"))
    assert first not in left and len(left) == 1
    sc.undismiss(project, doc, first, "amal")
    assert sc.dismissed(project, doc, "amal") == []
