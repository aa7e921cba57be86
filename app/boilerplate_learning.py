"""Learning boilerplate from an analyst's decisions (issue 16).

Every stretch the analyst marked as boilerplate (by hand, or by accepting a suggestion) is chrome they saw;
every suggestion they rejected is not; the rest of a document they marked done is article. Those lines,
with the shipped page model's score, a few of its page features (a run of headlines, above the title) and
what the analyst decided on the same site (the same line decided elsewhere on the site, the words of the
site's chrome, how much of what stands in the same place on its pages was chrome), train a logistic model
(app.logistic, in a worker: seconds). It is scored on documents held out from its training and shown with those figures,
stored in the project with what it learnt from, and used instead of the shipped model by the index's page
stage for the rest of the corpus, most of all the other pages of the same sites. The analyst can switch it
off; either way the page stage reads the pages again.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from app.boilerplate import Line, fingerprint, line_key, split_lines
from app.boilerplate_index import PAGE_WATERMARK, site_of
from app.i18n import _, ngettext, number
from app.logistic import Model, precision_recall, train
from app.models import Annotation, Annotator, BoilerplateCue, Document, DocumentStatus, ProjectInfo, Rejection
from app.page_chrome import FEATURES, SHIPPED_SCORE, SITE_FEATURES, Page, learned_row, read_page, shipped_model
from app.project import Project, now_iso, put_info

MODEL_KEY = "boilerplate_learned_model"  # project_info: the model, JSON, with what it learnt from
USE_KEY = "boilerplate_learned_model_used"  # "yes" / "no"
# What the shipped model says of the line, and what the analyst decided on its site: a few hundred decided
# lines cannot retrain forty features, but they can tell how far to trust the shipped model on these sites
# and what this site's own chrome is.
LEARNED_FEATURES = (SHIPPED_SCORE, *SITE_FEATURES, "headline_run", "before_title")
LEARNED_THRESHOLD = 0.5  # a model fit on the analyst's own decisions is calibrated on them
MIN_EXAMPLES = 5  # lines of each kind (boilerplate, article) before anything is learnt
HELD_OUT = 4  # one document in HELD_OUT is kept out of training, to score the model on


class NotEnoughDecisions(Exception):
    """Too few decided lines to learn from; the message says how many more are needed."""


@dataclass
class DecidedPage:
    document_id: int
    site: str
    text: str
    chrome: list[tuple[int, int, str]] = field(default_factory=list)  # the analyst's boilerplate spans, category
    article: list[tuple[int, int]] = field(default_factory=list)  # suggestions they rejected
    done: bool = False  # marked done: what is not boilerplate is article


@dataclass
class SiteDecisions:
    """What an analyst decided on one site, line by line, to say of a line of another page of it."""

    chrome: dict[int, set[int]] = field(default_factory=dict)   # line fingerprint → documents
    article: dict[int, set[int]] = field(default_factory=dict)
    categories: dict[int, Counter] = field(default_factory=dict)  # line fingerprint → categories given it
    words: Counter = field(default_factory=Counter)             # words of chrome lines, once per document
    words_of: dict[int, set[str]] = field(default_factory=dict)
    # Where on its pages the site's chrome stands: document → (zone, 1 chrome / 0 article) → lines. A site
    # whose lines above the title were all chrome on three pages has chrome there on the fourth, whatever it
    # says that day (the ticker's headlines change from page to page).
    zones_of: dict[int, Counter] = field(default_factory=dict)

    def rows(self, page: Page, document_id: int | None = None) -> list[list[float]]:
        """SITE_FEATURES of each line, from the decisions on other documents than `document_id`."""
        own = self.words_of.get(document_id, set())
        zones = Counter()
        for document, counts in self.zones_of.items():
            if document != document_id:
                zones.update(counts)
        result = []
        for line, zone in zip(page.lines, page.zones):
            key = fingerprint(line_key(line))
            chrome = bool(self.chrome.get(key, set()) - {document_id})
            article = bool(self.article.get(key, set()) - {document_id})
            words = [w for w in line.words if len(w) > 2]
            known = sum(self.words[w] - (w in own) > 0 for w in words) / len(words) if words else 0.0
            chrome_here, article_here = zones[(zone, 1)], zones[(zone, 0)]
            # Smoothed towards "no idea" (0.5) where the site's decided pages say little of this zone.
            in_zone = (chrome_here + 0.5) / (chrome_here + article_here + 1)
            result.append([float(chrome), float(article), known, in_zone])
        return result

    def category(self, line: Line) -> str | None:
        """The category the analyst gave this line most often on the site's other pages."""
        given = self.categories.get(fingerprint(line_key(line)))
        return given.most_common(1)[0][0] if given else None


def decided_pages(project: Project, analyst: str) -> list[DecidedPage]:
    """The documents where `analyst` decided something about boilerplate, with those decisions."""
    with project.session() as session:
        annotator_id = session.scalar(select(Annotator.id).where(Annotator.name == analyst))
        if annotator_id is None:
            return []
        pages: dict[int, DecidedPage] = {}

        def page(document_id: int) -> DecidedPage:
            if document_id not in pages:
                text, meta = session.execute(select(Document.text, Document.meta)
                                             .where(Document.id == document_id)).one()
                pages[document_id] = DecidedPage(document_id, site_of(meta or {}), text)
            return pages[document_id]

        for document_id, start, end, category in session.execute(
                select(Annotation.document_id, Annotation.start, Annotation.end, Annotation.label).where(
                    Annotation.annotator_id == annotator_id, Annotation.layer == "boilerplate",
                    Annotation.start.is_not(None))):
            page(document_id).chrome.append((start, end, category))
        rejected = {int(form) for form in session.scalars(select(Rejection.form).where(
            Rejection.annotator_id == annotator_id, Rejection.layer == "boilerplate")) if form.lstrip("-").isdigit()}
        if rejected:
            for document_id, start, end in session.execute(
                    select(BoilerplateCue.document_id, BoilerplateCue.start, BoilerplateCue.end)
                    .where(BoilerplateCue.fingerprint.in_(rejected))):
                page(document_id).article.append((start, end))
        for (document_id,) in session.execute(select(DocumentStatus.document_id).where(
                DocumentStatus.annotator_id == annotator_id, DocumentStatus.status == "done")):
            if document_id in pages:
                pages[document_id].done = True
    return [pages[key] for key in sorted(pages)]


def site_decisions(pages: list[DecidedPage]) -> dict[str, SiteDecisions]:
    sites: dict[str, SiteDecisions] = {}
    for page in pages:
        site = sites.setdefault(page.site, SiteDecisions())
        labelled = _labelled(page)
        zone_of = _zones(page.text) if labelled else {}
        for line, label, category in labelled:
            key = fingerprint(line_key(line))
            (site.chrome if label else site.article).setdefault(key, set()).add(page.document_id)
            site.zones_of.setdefault(page.document_id, Counter())[(zone_of.get(line.start), label)] += 1
            if label:
                site.categories.setdefault(key, Counter())[category] += 1
                site.words_of.setdefault(page.document_id, set()).update(w for w in line.words if len(w) > 2)
    for site in sites.values():  # each document's chrome words once
        site.words.update(w for words in site.words_of.values() for w in words)
    return sites


def _zones(text: str) -> dict[int, str]:
    """Each line's zone on its page (app.page_chrome.Page.zones), by where the line starts."""
    read = read_page(text)
    return dict(zip((line.start for line in read.lines), read.zones))


def _labelled(page: DecidedPage) -> list[tuple[Line, int, str]]:
    """The page's lines the analyst decided: 1 boilerplate (with its category), 0 article (undecided lines
    left out)."""
    result = []
    for line in split_lines(page.text):
        category = next((c for a, b, c in page.chrome if a <= line.start < b), None)
        if category is not None:
            result.append((line, 1, category))
        elif any(a <= line.start < b for a, b in page.article) or page.done:
            result.append((line, 0, ""))
    return result


def examples(pages: list[DecidedPage], sites: dict[str, SiteDecisions]) -> list[tuple[int, list[float], int]]:
    """(document, features, label) for every decided line; a line's site features leave its own document out."""
    found = []
    for page in pages:
        labelled = {line.start: label for line, label, _category in _labelled(page)}
        if not labelled:
            continue
        read = read_page(page.text)
        extra = sites[page.site].rows(read, page.document_id)
        for line, row, score, more in zip(read.lines, read.rows, shipped_model().scores(read.rows), extra):
            if line.start in labelled:
                found.append((page.document_id, learned_row(LEARNED_FEATURES, row, score, more), labelled[line.start]))
    return found


def learn(project: Project, analyst: str, cancelled: Callable[[], bool] = lambda: False) -> Model:
    """A model learnt from `analyst`'s decisions, scored on the documents held out of its training
    (one in HELD_OUT), then trained on them all. Raises NotEnoughDecisions."""
    pages = decided_pages(project, analyst)
    found = examples(pages, site_decisions(pages))
    chrome = sum(label for _doc, _row, label in found)
    article = len(found) - chrome
    if chrome < MIN_EXAMPLES or article < MIN_EXAMPLES:
        raise NotEnoughDecisions(_(
            "Too few decisions to learn from yet: {chrome} boilerplate lines and {article} article lines "
            "decided; at least {least} of each are needed (accept or reject suggestions, mark documents done)."
        ).format(chrome=number(chrome), article=number(article), least=number(MIN_EXAMPLES)))
    held = {page.document_id for index, page in enumerate(pages) if index % HELD_OUT == HELD_OUT - 1}
    threshold = LEARNED_THRESHOLD
    precision = recall = None
    training = [(row, label) for doc, row, label in found if doc not in held]
    testing = [(row, label) for doc, row, label in found if doc in held]
    if cancelled():
        raise NotEnoughDecisions(_("Learning cancelled."))
    if testing and len({label for _row, label in training}) == 2:
        model = train(LEARNED_FEATURES, [r for r, _l in training], [l for _r, l in training])
        predicted = [model.probability(row) >= threshold for row, _label in testing]
        precision, recall = precision_recall(predicted, [bool(label) for _row, label in testing])
    model = train(LEARNED_FEATURES, [row for _doc, row, _label in found], [label for _doc, _row, label in found])
    about = {
        "analyst": analyst, "trained_at": now_iso(), "lines": len(found), "boilerplate_lines": chrome,
        "documents": len({doc for doc, _row, _label in found}), "sites": len({page.site for page in pages}),
        "held_out_documents": len(held & {doc for doc, _row, _label in found}), "held_out_lines": len(testing),
        "precision": precision, "recall": recall,
    }
    return Model(model.features, model.means, model.scales, model.weights, model.bias, threshold, about)


def store(project: Project, model: Model) -> None:
    """Keeps the model in the project and uses it from now on (the page stage reads every page again)."""
    _write(project, {MODEL_KEY: json.dumps(model.to_json(), ensure_ascii=False), USE_KEY: "yes"})


def stored(project: Project) -> Model | None:
    raw = project.info(MODEL_KEY)
    if not raw:
        return None
    try:
        model = Model.from_json(json.loads(raw))
    except (ValueError, KeyError, TypeError):  # damaged: not used
        return None
    # A model written by a later version may read features this one does not compute: not used either.
    return model if set(model.features) <= set(FEATURES + (SHIPPED_SCORE,) + SITE_FEATURES) else None


def used(project: Project) -> bool:
    return project.info(USE_KEY) == "yes" and stored(project) is not None


def use(project: Project, on: bool) -> None:
    """Switch the learnt model on or off; what the page stage found is forgotten, to be read again."""
    _write(project, {USE_KEY: "yes" if on else "no"})


def _write(project: Project, info: dict[str, str]) -> None:
    """One transaction: the settings, and the page stage's blocks and watermark gone (found with the other
    model), so that the next index run reads every page with the model now in use."""
    with project.session.begin() as session:
        for key, value in info.items():
            put_info(session, key, value)
        session.execute(delete(BoilerplateCue).where(BoilerplateCue.source == "page"))
        session.execute(delete(ProjectInfo).where(ProjectInfo.key == PAGE_WATERMARK))


@dataclass(frozen=True)
class Learned:
    """The learnt model in use and the decisions its site features read."""

    model: Model
    sites: dict[str, SiteDecisions]

    def site(self, name: str) -> SiteDecisions:
        return self.sites.get(name) or SiteDecisions()  # a site nobody decided: nothing known of it


def active(project: Project) -> Learned | None:
    """The learnt model and the decisions its site features read, when it is switched on."""
    model = stored(project) if project.info(USE_KEY) == "yes" else None
    if model is None:
        return None
    analyst = model.about.get("analyst")
    return Learned(model, site_decisions(decided_pages(project, analyst)) if isinstance(analyst, str) else {})


def describe(model: Model) -> str:
    """What the model learnt from and how it scored, for the analyst."""
    about = model.about
    lines, documents = about.get("lines", 0), about.get("documents", 0)
    learnt = ngettext("Learnt from {lines} decided line in {documents}",
                      "Learnt from {lines} decided lines in {documents}", lines).format(
        lines=number(lines), documents=ngettext("{n} document", "{n} documents", documents).format(n=number(documents)))
    if about.get("precision") is None or about.get("recall") is None:
        return _("{learnt}; too few held-out decisions to score it yet.").format(learnt=learnt)
    return _("{learnt}; on {held} held-out documents: precision {precision}, recall {recall}.").format(
        learnt=learnt, held=number(about.get("held_out_documents", 0)),
        precision=number(about["precision"], decimals=2), recall=number(about["recall"], decimals=2))
