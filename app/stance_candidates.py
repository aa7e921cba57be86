"""Stance candidates (issue 17): sentences where a holder's words about a schema target are reported, and the
polarity learnt from the analyst's own stances.

A candidate is a sentence with a reporting verb (resources/reporting_verbs.json, as the holder guess uses)
or a quotation («…», "…", or a colon after a verb) that names one of the schema's stance targets — found by
the matching engine, so لروسيا and روسيا‎ with its spelling variants are found. Its holder is guessed as the
stance panel does (app.stance.guess_holder). Sentences the analyst already took a stance on, or dismissed,
are left out.

The polarity is learnt from the analyst's stances once there are MIN_STANCES of at least two polarities: a
multinomial naive Bayes over the evidence's folded words (a linear model, trained in milliseconds), scored on
one stance in five held out, stored in the project with what it learnt from, switchable off. Its guess is
pre-selected with its confidence; the analyst's key decides.
"""

from __future__ import annotations

import json
import math
import re
import zlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from app.i18n import _, ngettext, number
from app.matching import find_all
from app.models import Annotation, Annotator, Document, LearnedModel, Rejection
from app.normalize import fold, normalize
from app.project import Project, Span, now_iso, put_info
from app.stance import _reporting_verbs, entity_ref, guess_holder, list_target_ref
from app.stance_format import POLARITIES

POLARITY_MODEL = "stance_polarity"  # its row in learned_models
USE_KEY = "stance_polarity_used"  # project_info: "yes" / "no"
MIN_STANCES = 12  # stances before a polarity is guessed
HELD_OUT = 5  # one stance in HELD_OUT scores the model
MAX_SENTENCE = 600  # characters: a "sentence" longer than this (a paragraph without stops) is cut at it
_SENTENCE = re.compile(r"[^.!?؟\n]+[.!?؟]*")
_QUOTES = ("«", "»", "\"", "“", "”")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Candidate:
    start: int
    end: int
    target: str  # the schema's target name
    holder: Span | None  # the guessed holder (an entity of the document), if any
    cue: str  # "verb" or "quote"
    polarity: str | None = None  # the learnt guess, pre-selected
    confidence: float | None = None

    def holder_ref(self, text: str) -> dict:
        return entity_ref(self.holder, text) if self.holder else {}

    def target_ref(self) -> dict:
        return list_target_ref(self.target)


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, spaces trimmed."""
    found = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        while end - start > MAX_SENTENCE:
            found.append((start, start + MAX_SENTENCE))
            start += MAX_SENTENCE
        if end > start:
            found.append((start, end))
    return found


def candidates(text: str, entities: list[Span], targets: list[str], taken: Iterable[tuple[int, int]] = (),
               model: "PolarityModel | None" = None) -> list[Candidate]:
    """The document's stance candidates, in text order; sentences overlapping `taken` are left out."""
    taken = list(taken)
    normalized = normalize(text)
    mentions = sorted((match.start, match.end, target) for target in targets
                      for match in find_all(normalized, target))
    found = []
    for start, end in sentences(text):
        if any(a < end and start < b for a, b in taken):
            continue
        named = [target for a, b, target in mentions if start <= a and b <= end]
        if not named:
            continue
        cue = "verb" if _reporting_verbs(text, start, end) else "quote" if _quoted(text[start:end]) else None
        if cue is None:
            continue
        polarity, confidence = model.guess(text[start:end]) if model else (None, None)
        found.append(Candidate(start, end, named[0], guess_holder(text, end, entities), cue, polarity, confidence))
    return found


def _quoted(sentence: str) -> bool:
    return any(mark in sentence for mark in _QUOTES) or ":" in sentence


# ---- the polarity model ----------------------------------------------------------------------------------
def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@dataclass
class PolarityModel:
    """Multinomial naive Bayes over folded words: log priors and log likelihoods per polarity."""

    priors: dict[str, float]
    likelihoods: dict[str, dict[str, float]]
    unseen: dict[str, float]  # a word never seen with that polarity
    about: dict

    @classmethod
    def fit(cls, examples: list[tuple[str, str]]) -> "PolarityModel":
        counts = {polarity: Counter() for polarity in {p for _t, p in examples}}
        documents = Counter(polarity for _text, polarity in examples)
        for text, polarity in examples:
            counts[polarity].update(words(text))
        vocabulary = set().union(*counts.values())
        likelihoods, unseen = {}, {}
        for polarity, counter in counts.items():
            total = sum(counter.values()) + len(vocabulary) + 1
            likelihoods[polarity] = {word: math.log((counter[word] + 1) / total) for word in counter}
            unseen[polarity] = math.log(1 / total)
        priors = {polarity: math.log(n / len(examples)) for polarity, n in documents.items()}
        return cls(priors, likelihoods, unseen, {})

    def guess(self, text: str) -> tuple[str, float]:
        """The likeliest polarity and its posterior probability."""
        tokens = words(text)
        scores = {polarity: prior + sum(self.likelihoods[polarity].get(w, self.unseen[polarity]) for w in tokens)
                  for polarity, prior in self.priors.items()}
        best = max(scores, key=scores.get)
        top = scores[best]
        total = sum(math.exp(score - top) for score in scores.values())
        return best, 1 / total

    def to_json(self) -> dict:
        return {"priors": self.priors, "likelihoods": self.likelihoods, "unseen": self.unseen}

    @classmethod
    def from_json(cls, data: dict, about: dict) -> "PolarityModel":
        return cls(dict(data["priors"]), {k: dict(v) for k, v in data["likelihoods"].items()}, dict(data["unseen"]),
                   about)


class NotEnoughStances(Exception):
    pass


def stance_examples(project: Project, annotator: str) -> list[tuple[str, str, str]]:
    """(where, evidence text, polarity) of `annotator`'s span stances; `where` names the document and the
    evidence, so stances on several targets of one sentence fall on the same side of the held-out split."""
    with project.session() as session:
        annotator_id = session.scalar(select(Annotator.id).where(Annotator.name == annotator))
        if annotator_id is None:
            return []
        rows = session.execute(select(Annotation.document_id, Document.text, Annotation.start, Annotation.end,
                                      Annotation.label).join(Document, Document.id == Annotation.document_id).where(
            Annotation.annotator_id == annotator_id, Annotation.layer == "stance", Annotation.start.is_not(None))).all()
    return [(f"{document_id}:{start}:{end}", text[start:end], label)
            for document_id, text, start, end, label in rows if label in POLARITIES]


def learn_polarity(project: Project, annotator: str) -> PolarityModel:
    """Scored on one stance in HELD_OUT, then trained on all. Raises NotEnoughStances."""
    examples = stance_examples(project, annotator)
    polarities = Counter(polarity for _uid, _text, polarity in examples)
    if len(examples) < MIN_STANCES or len(polarities) < 2:
        raise NotEnoughStances(_(
            "Too few stances to learn polarity from yet: {have} of {polarities} polarities; at least {least} "
            "of two polarities are needed.").format(have=number(len(examples)), polarities=number(len(polarities)),
                                                     least=number(MIN_STANCES)))
    held = [(text, p) for uid, text, p in examples if zlib.crc32(uid.encode()) % HELD_OUT == 0]
    training = [(text, p) for uid, text, p in examples if zlib.crc32(uid.encode()) % HELD_OUT != 0]
    accuracy = baseline = None
    if held and len({p for _t, p in training}) >= 2:
        trial = PolarityModel.fit(training)
        accuracy = sum(trial.guess(text)[0] == p for text, p in held) / len(held)
        most = Counter(p for _t, p in training).most_common(1)[0][0]
        baseline = sum(p == most for _t, p in held) / len(held)
    model = PolarityModel.fit([(text, p) for _uid, text, p in examples])
    model.about = {"annotator": annotator, "trained_at": now_iso(), "stances": len(examples),
                   "polarities": dict(polarities), "held_out": len(held), "accuracy": accuracy,
                   "baseline_accuracy": baseline}
    return model


def store_polarity(project: Project, model: PolarityModel) -> None:
    with project.session.begin() as session:
        session.merge(LearnedModel(name=POLARITY_MODEL, data=json.dumps(model.to_json()).encode("utf-8"),
                                   about=model.about, trained_at=model.about["trained_at"]))
        put_info(session, USE_KEY, "yes")


def stored_polarity(project: Project) -> PolarityModel | None:
    """The stored model when it is switched on; None otherwise (or damaged)."""
    if project.info(USE_KEY) != "yes":
        return None
    with project.session() as session:
        row = session.get(LearnedModel, POLARITY_MODEL)
        if row is None:
            return None
        data, about = row.data, dict(row.about or {})
    try:
        return PolarityModel.from_json(json.loads(data.decode("utf-8")), about)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError):
        return None


def stored_model_about(project: Project) -> dict | None:
    """What the stored polarity model learnt from (switched on or not), or None."""
    with project.session() as session:
        row = session.get(LearnedModel, POLARITY_MODEL)
        return dict(row.about or {}) if row is not None else None


def describe_polarity(about: dict) -> str:
    stances = about.get("stances", 0)
    if about.get("accuracy") is None:
        return ngettext("Polarity learnt from {n} stance; too few held out to score it yet.",
                        "Polarity learnt from {n} stances; too few held out to score it yet.", stances).format(
            n=number(stances))
    # Worded so no "% " follows a number: "% o" would read to gettext tools as a printf conversion.
    return ngettext("Polarity learnt from {n} stance. Held out: {held}, right: {accuracy}%; always the "
                    "commonest polarity: {baseline}%.",
                    "Polarity learnt from {n} stances. Held out: {held}, right: {accuracy}%; always the "
                    "commonest polarity: {baseline}%.", stances).format(
        n=number(stances), accuracy=number(round(100 * about["accuracy"])), held=number(about.get("held_out", 0)),
        baseline=number(round(100 * about["baseline_accuracy"])))


# ---- dismissing ------------------------------------------------------------------------------------------
def dismiss(project: Project, document_id: int, candidate: Candidate, annotator: str) -> None:
    """Not a stance: this sentence is not proposed again to this analyst."""
    with project.session.begin() as session:
        session.execute(insert(Rejection).values(
            annotator_id=project._ensure_annotator(session, annotator), layer="stance", label=candidate.target,
            form=fold(candidate.target), document_id=document_id, start=candidate.start, end=candidate.end,
            created_at=now_iso()))


def undismiss(project: Project, document_id: int, candidate: Candidate, annotator: str) -> None:
    with project.session.begin() as session:
        session.execute(delete(Rejection).where(
            Rejection.layer == "stance", Rejection.document_id == document_id, Rejection.start == candidate.start,
            Rejection.end == candidate.end, Rejection.annotator_id == project._known_annotator_id(annotator)))


def dismissed(project: Project, document_id: int, annotator: str) -> list[tuple[int, int]]:
    with project.session() as session:
        annotator_id = session.scalar(select(Annotator.id).where(Annotator.name == annotator))
        if annotator_id is None:
            return []
        return [tuple(row) for row in session.execute(select(Rejection.start, Rejection.end).where(
            Rejection.layer == "stance", Rejection.document_id == document_id, Rejection.annotator_id == annotator_id))]
