"""The assistant in a project (issue 17): entity suggestions learnt from the analysts' own annotations.

What it learns from: the entity spans of the documents an analyst marked done (or the gold layer's, where
adjudication put any). Before the model is stored it is scored honestly: trained on 80% of those documents
and scored on the other 20% (held out, chosen by a stable hash of the document), per label, beside the
string matcher on the same split (app.recommender.string_matcher: the baseline), with a learning curve and
a confusion table; then it is trained on them all. It is stored in the project (learned_models) with its
training date, what it learnt from and those scores, so a reopened project proposes at once. Below
QUIET_F1 it stays quiet and says why. Its predictions are proposals (app.propagation.Proposal, kind
"predicted", with a score); accepted ones become the analyst's spans with provenance "predicted".
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from app import external_recommender
from app.adjudication import GOLD
from app.i18n import _, ngettext, number
from app.models import Annotation, Annotator, Document, DocumentStatus, LearnedModel, Rejection
from app.normalize import fold
from app.project import Project, now_iso, put_info
from app.propagation import Proposal, _labelled_places, _rejected_places
from app.recommender import Cancelled, Entity, EntityModel, Example, Gazetteer, evaluate, train

ENTITY_MODEL = "entity_recommender"  # its row in learned_models
USE_KEY = "entity_recommender_used"  # project_info: "yes" / "no"
SERVER_KEY = "entity_server_url"  # project_info: a team's model server (docs/recommender-api.md)
FROM_KEY = "entity_suggestions_from"  # project_info: "learnt" (this project's model) or "server"
MIN_DOCUMENTS = 5  # documents with entity spans before anything is learnt
HELD_OUT = 5  # one document in HELD_OUT is held out for the scores
QUIET_F1 = 0.5  # by default, below this held-out F1 the recommender proposes nothing
QUIET_KEY = "entity_quiet_below"  # project_info: the F1 the team chose instead
AUTO_RETRAIN = 5  # documents finished since the model was learnt before it learns again by itself
CURVE = (0.25, 0.5, 1.0)  # shares of the training documents for the learning curve


class NotEnoughDocuments(Exception):
    """Too few documents to learn from; the message says how many more are needed."""


@dataclass(frozen=True)
class Learnt:
    model: EntityModel
    about: dict


def training_documents(project: Project, source: str) -> list[tuple[int, Example]]:
    """(document id, its text and entity spans) of what `source` finished: an analyst's done documents,
    or the documents where the gold layer holds entity spans."""
    with project.session() as session:
        annotator_id = session.scalar(select(Annotator.id).where(Annotator.name == source))
        if annotator_id is None:
            return []
        if source == GOLD:
            ids = session.scalars(select(Annotation.document_id).where(
                Annotation.annotator_id == annotator_id, Annotation.layer == "entity").distinct())
        else:
            ids = session.scalars(select(DocumentStatus.document_id).where(
                DocumentStatus.annotator_id == annotator_id, DocumentStatus.status == "done"))
        ids = sorted(ids)
        spans: dict[int, list[tuple[int, int, str]]] = {document_id: [] for document_id in ids}
        for document_id, start, end, label in session.execute(
                select(Annotation.document_id, Annotation.start, Annotation.end, Annotation.label).where(
                    Annotation.annotator_id == annotator_id, Annotation.layer == "entity",
                    Annotation.start.is_not(None), Annotation.document_id.in_(ids))):
            spans[document_id].append((start, end, label))
        texts = dict(session.execute(select(Document.id, Document.text).where(Document.id.in_(ids))).all())
    return [(document_id, Example(texts[document_id], spans[document_id])) for document_id in ids]


def due(project: Project, about: dict) -> bool:
    """Whether AUTO_RETRAIN documents were finished by the model's source since it learnt."""
    source = about.get("source")
    if not isinstance(source, str):
        return False
    with project.session() as session:
        annotator_id = session.scalar(select(Annotator.id).where(Annotator.name == source))
        if annotator_id is None:
            return False
        if source == GOLD:
            count = session.scalar(select(func.count(Annotation.document_id.distinct())).where(
                Annotation.annotator_id == annotator_id, Annotation.layer == "entity"))
        else:
            count = session.scalar(select(func.count()).select_from(DocumentStatus).where(
                DocumentStatus.annotator_id == annotator_id, DocumentStatus.status == "done"))
    return count >= about.get("documents", 0) + AUTO_RETRAIN


def held_out(document_id: int) -> bool:
    """One document in HELD_OUT, the same ones from run to run (a stable hash, not Python's)."""
    return zlib.crc32(str(document_id).encode()) % HELD_OUT == 0


def learn(project: Project, source: str, cancelled: Callable[[], bool] = lambda: False,
          progress: Callable[[int, int], None] = lambda done, total: None) -> Learnt:
    """Score on the held-out documents (with a learning curve and the baseline), then train on them all.
    Raises NotEnoughDocuments or app.recommender.Cancelled."""
    documents = training_documents(project, source)
    with_spans = [(document_id, example) for document_id, example in documents if example.spans]
    if len(with_spans) < MIN_DOCUMENTS:
        raise NotEnoughDocuments(_(
            "Too few finished documents to learn entities from yet: {have} with entity spans; at least {least} "
            "are needed (mark documents done when their entities are annotated).").format(
            have=number(len(with_spans)), least=number(MIN_DOCUMENTS)))
    held = {document_id for document_id, _example in documents if held_out(document_id)}
    if not held:  # a few documents may all hash outside the one-in-five: hold one out all the same
        held = {min((document_id for document_id, _example in documents),
                    key=lambda document_id: zlib.crc32(str(document_id).encode()))}
    training = [example for document_id, example in documents if document_id not in held]
    testing = [example for document_id, example in documents if document_id in held]
    steps = len(CURVE) + 1
    scores = curve = baseline = confusion = None
    if testing and training:
        curve = []
        for step, share in enumerate(CURVE):
            part = training[:max(1, round(len(training) * share))]
            model = train(part, cancelled, _step(progress, step, steps))
            learnt, matcher = evaluate(part, testing, model)
            curve.append({"documents": len(part), "f1": round(learnt.of()[2], 3),
                          "baseline_f1": round(matcher.of()[2], 3)})
        scores, baseline = learnt.as_dict(), matcher.as_dict()
        confusion = [[gold, said, count] for (gold, said), count in sorted(learnt.confusion.items()) if gold != said]
    model = train([example for _id, example in documents], cancelled, _step(progress, steps - 1, steps))
    about = {
        "source": source, "trained_at": now_iso(), "documents": len(documents),
        "spans": sum(len(example.spans) for _id, example in documents),
        "labels": model.labels(), "held_out_documents": len(testing),
        "scores": scores, "baseline": baseline, "curve": curve, "confusion": confusion,
    }
    return Learnt(model, about)


def _step(progress: Callable[[int, int], None], step: int, steps: int) -> Callable[[int, int], None]:
    """Progress of one training among `steps`, as progress of them all (in thousandths)."""
    return lambda done, total: progress(int(1000 * (step + done / max(total, 1)) / steps), 1000)


def store(project: Project, learnt: Learnt) -> None:
    """Keep the model in the project and use it from now on (one transaction)."""
    with project.session.begin() as session:
        session.merge(LearnedModel(name=ENTITY_MODEL, data=learnt.model.data,
                                   about={**learnt.about, "gazetteer": _gazetteer_rows(learnt.model.gazetteer),
                                          "sha256": hashlib.sha256(learnt.model.data).hexdigest()},
                                   trained_at=learnt.about["trained_at"]))
        put_info(session, USE_KEY, "yes")


def stored(project: Project) -> Learnt | None:
    with project.session() as session:
        row = session.get(LearnedModel, ENTITY_MODEL)
        if row is None:
            return None
        about = dict(row.about or {})
        data = row.data
    if about.get("sha256") != hashlib.sha256(data).hexdigest():
        return None  # damaged, or written by hand: crfsuite would crash on it, so it is never opened
    try:
        gazetteer = Gazetteer({tuple(words): label for words, label in about.pop("gazetteer", [])})
        model = EntityModel(data, gazetteer, about)
    except (ValueError, TypeError):
        return None
    return Learnt(model, about)


def forget(project: Project) -> None:
    with project.session.begin() as session:
        session.execute(delete(LearnedModel).where(LearnedModel.name == ENTITY_MODEL))


def use(project: Project, on: bool) -> None:
    project.set_info(USE_KEY, "yes" if on else "no")


def used(project: Project) -> bool:
    return project.info(USE_KEY) == "yes"


def server(project: Project) -> str:
    return project.info(SERVER_KEY) or ""


def suggestions_from(project: Project) -> str:
    return "server" if project.info(FROM_KEY) == "server" and server(project) else "learnt"


def use_server(project: Project, url: str, on: bool) -> None:
    """Suggest with the model server at `url` (checked), or with the model learnt here."""
    if on:
        url = external_recommender.check_url(url)
    with project.session.begin() as session:
        put_info(session, SERVER_KEY, url.strip())
        put_info(session, FROM_KEY, "server" if on else "learnt")


def quiet_below(project: Project) -> float:
    """The held-out F1 below which the recommender stays quiet (the project's choice, or QUIET_F1)."""
    try:
        return min(max(float(project.info(QUIET_KEY, str(QUIET_F1))), 0.0), 1.0)
    except ValueError:
        return QUIET_F1


def set_quiet_below(project: Project, f1: float) -> None:
    project.set_info(QUIET_KEY, f"{min(max(f1, 0.0), 1.0):.2f}")


def quiet_reason(about: dict, least: float = QUIET_F1) -> str | None:
    """Why the recommender proposes nothing (held-out F1 below `least`), or None when it speaks."""
    scores = about.get("scores")
    if not scores:
        return _("Not scored yet: too few finished documents to hold some out. It proposes nothing until it "
                 "can be scored.")
    f1 = scores["all"]["f1"]
    if f1 < least:
        return _("Quiet: on held-out documents it scored F1 {f1}, below {least}. Finish more documents and "
                 "learn again.").format(f1=number(f1, decimals=2), least=number(least, decimals=2))
    return None


def describe(about: dict) -> str:
    """What the model learnt from and how it did, for the analyst."""
    documents = ngettext("{n} document", "{n} documents", about.get("documents", 0)).format(
        n=number(about.get("documents", 0)))
    learnt = ngettext("Learnt from {spans} span in {documents}", "Learnt from {spans} spans in {documents}",
                      about.get("spans", 0)).format(spans=number(about.get("spans", 0)), documents=documents)
    scores, baseline = about.get("scores"), about.get("baseline")
    if not scores:
        return _("{learnt}; not scored yet.").format(learnt=learnt)
    held = about.get("held_out_documents", 0)
    return ngettext("{learnt}; on {held} held-out document: F1 {f1} (precision {precision}, recall {recall}); "
                    "the string matcher: F1 {baseline}.",
                    "{learnt}; on {held} held-out documents: F1 {f1} (precision {precision}, recall {recall}); "
                    "the string matcher: F1 {baseline}.", held).format(
        learnt=learnt, held=number(held),
        f1=number(scores["all"]["f1"], decimals=2), precision=number(scores["all"]["precision"], decimals=2),
        recall=number(scores["all"]["recall"], decimals=2), baseline=number(baseline["all"]["f1"], decimals=2))


def _gazetteer_rows(gazetteer: Gazetteer) -> list:
    return [[list(words), label] for words, label in sorted(gazetteer.names.items())]


# ---- proposals ---------------------------------------------------------------------------------------------
Predictor = Callable[[int, str, str], list[Entity]]  # (document id, name, text) → entities


def learnt_predictor(learnt: Learnt) -> Predictor:
    return lambda _document_id, _name, text: learnt.model.predict(text)


def server_predictor(url: str, labels: list[str], problems: list[str]) -> Predictor:
    """The team's model server (app.external_recommender); what it answered that did not fit goes to
    `problems`, with the document's name."""
    def predict(document_id: int, name: str, text: str) -> list[Entity]:
        answer = external_recommender.predict(url, document_id, name, text, labels)
        if answer.problems:
            problems.append(f"{name}: {answer.summary()}")
        return answer.entities
    return predict


def proposals(project: Project, predict: Predictor | Learnt, document_ids: list[int], annotator: str,
              cancelled: Callable[[], bool] = lambda: False) -> list[Proposal]:
    """The entities `predict` finds in these documents (the learnt model, or a model server), less what the
    analyst already labelled there (any span over them) and what they rejected."""
    if isinstance(predict, Learnt):
        predict = learnt_predictor(predict)
    names = {}
    texts = {}
    with project.session() as session:
        for document_id, name, text in session.execute(
                select(Document.id, Document.name, Document.text).where(Document.id.in_(document_ids))):
            names[document_id], texts[document_id] = name, text
    labelled = _labelled_places(project, list(texts), annotator, "entity")
    rejected = _rejected_places(project, list(texts), "entity", annotator)
    rejected_forms = _rejected_everywhere(project, annotator)
    found: list[Proposal] = []
    for document_id in document_ids:
        if cancelled():
            raise Cancelled()
        text = texts.get(document_id)
        if text is None:
            continue
        spans = labelled.get(document_id, ())
        for entity in predict(document_id, names[document_id], text):
            if any(start < entity.end and entity.start < end for _label, start, end in spans):
                continue  # the analyst has a span there already
            if (document_id, entity.start, entity.end, entity.label) in rejected:
                continue
            if (fold(text[entity.start:entity.end]), entity.label) in rejected_forms:
                continue  # the analyst's "reject all": never this name with this label
            found.append(Proposal(document_id, names[document_id], entity.start, entity.end,
                                  text[entity.start:entity.end], entity.label, "predicted",
                                  score=round(entity.score, 3)))
    return found


def _rejected_everywhere(project: Project, annotator: str) -> set[tuple[str, str]]:
    """(folded form, label) pairs the analyst rejected everywhere."""
    with project.session() as session:
        annotator_id = session.scalar(select(Annotator.id).where(Annotator.name == annotator))
        if annotator_id is None:
            return set()
        return {(form, label) for form, label in session.execute(select(Rejection.form, Rejection.label).where(
            Rejection.annotator_id == annotator_id, Rejection.layer == "entity", Rejection.document_id.is_(None)))}


# ---- the most useful document next ------------------------------------------------------------------------
ORDERS = ("uncertain", "unknown")  # least sure first; most names it does not know, per 1,000 characters


def ranked_documents(project: Project, learnt: Learnt, annotator: str, order: str,
                     cancelled: Callable[[], bool] = lambda: False,
                     progress: Callable[[int, int], None] = lambda done, total: None) -> list[int]:
    """The documents `annotator` has not finished, most useful first: where the model is least sure
    ("uncertain", as INCEpTION's active learning and Prodigy's prefer_uncertain), or densest in names it
    does not know ("unknown"). Raises app.recommender.Cancelled."""
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}")
    with project.session() as session:
        annotator_id = session.scalar(select(Annotator.id).where(Annotator.name == annotator))
        finished = set() if annotator_id is None else set(session.scalars(select(DocumentStatus.document_id).where(
            DocumentStatus.annotator_id == annotator_id, DocumentStatus.status == "done")))
        ids = [document_id for document_id in session.scalars(select(Document.id).order_by(Document.id))
               if document_id not in finished]
    scores: dict[int, float] = {}
    for start in range(0, len(ids), RANK_BATCH):
        with project.session() as session:
            batch = session.execute(select(Document.id, Document.text).where(
                Document.id.in_(ids[start:start + RANK_BATCH]))).all()
        for document_id, text in batch:
            if cancelled():
                raise Cancelled()
            _found, unsure, unknown = learnt.model.reading(text)
            scores[document_id] = unsure if order == "uncertain" else unknown * 1000 / max(len(text), 1)
        progress(min(start + RANK_BATCH, len(ids)), len(ids))
    # A document deleted while this ran was not scored: only those that were are ranked.
    return sorted(scores, key=lambda document_id: (-scores[document_id], document_id))


RANK_BATCH = 50
