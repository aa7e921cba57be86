"""Entity suggestions learnt from the project's own annotations (issue 17).

A conditional random field (python-crfsuite: a compiled library, no model to download) labels the words of
a text B-/I-/O. A word is first split from one attached conjunction or preposition (و ف ب ل ك and their
pairs, never the article: بالقاهرة is ب + القاهرة), so a span learnt from "روسيا" is proposed inside
"لروسيا" without the ل; the split is only a boundary the model may use: "لبنان" is ل + بنان, and the
analysts' spans teach it that both parts are the name (its features see the whole word). Nothing is
stripped from stored text; offsets are code points.

Features are those an Arabic reader uses: the folded form, the whole word it belongs to, character prefixes
and suffixes, shape (digits, Latin), neighbouring words, whether a name the project already knows starts
here (its labelled strings, as a gazetteer), and titles and reporting verbs before it (resources/
entity_cues.json, resources/reporting_verbs.json). What each adds was measured (benchmarks/bench_recommender.py).

The baseline every figure is compared with is the string matcher: the labelled strings found again by the
matching engine, as "annotate all occurrences" does.
"""

from __future__ import annotations

import functools
import os
import tempfile
import threading
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from app import packagedata
from app.matching import find_all
from app.normalize import fold, normalize
from app.words import word_spans

# Conjunctions and prepositions split off a word, longest first (the article stays with its noun).
SPLIT_PROCLITICS = ("وب", "ول", "وك", "فب", "فل", "فك", "و", "ف", "ب", "ل", "ك")
MIN_STEM = 2  # letters left after a split
MAX_SENTENCE = 120  # tokens; longer runs without a full stop are cut (a CRF's cost grows with them)
GAZETTEER_WORDS = 6  # the longest known name looked up, in tokens
SENTENCE_ENDS = ".!?؟؛;\n"


@dataclass(frozen=True)
class Token:
    start: int
    end: int
    folded: str  # the token's folded form
    word: str  # the folded whole word it is part of
    part: str  # "word" (not split), "prefix" (a split-off proclitic) or "stem"


def sentences(text: str) -> list[list[Token]]:
    """The text's tokens, in sentences (a full stop, a question mark or a line break ends one)."""
    result: list[list[Token]] = []
    current: list[Token] = []
    previous_end = 0
    for start, end in word_spans(text):
        if current and (any(char in SENTENCE_ENDS for char in text[previous_end:start])
                        or len(current) >= MAX_SENTENCE):
            result.append(current)
            current = []
        current += _tokens_of_word(text, start, end)
        previous_end = end
    if current:
        result.append(current)
    return result


def _tokens_of_word(text: str, start: int, end: int) -> list[Token]:
    word = fold(text[start:end])
    for prefix in SPLIT_PROCLITICS:
        if word.startswith(prefix) and len(word) - len(prefix) >= MIN_STEM:
            split = _after_letters(text, start, end, len(prefix))
            if start < split < end:
                return [Token(start, split, prefix, word, "prefix"), Token(split, end, word[len(prefix):], word, "stem")]
    return [Token(start, end, word, word, "word")]


def _after_letters(text: str, start: int, end: int, letters: int) -> int:
    """The offset after `letters` letters from `start` and the harakat that follow them."""
    index = start
    while index < end and letters:
        if unicodedata.category(text[index]).startswith("L"):
            letters -= 1
        index += 1
    while index < end and unicodedata.category(text[index]) == "Mn":
        index += 1
    return index


# ---- features ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cues:
    titles: frozenset[str]
    reporting: frozenset[str]
    place_heads: frozenset[str]
    organisation_heads: frozenset[str]


@functools.cache
def cues() -> Cues:
    data = packagedata.resource_json("entity_cues.json")
    verbs = packagedata.resource_json("reporting_verbs.json")["verbs"]

    def words(values: Iterable[str]) -> frozenset[str]:
        return frozenset(fold(value) for value in values)
    return Cues(words(data["titles"]), words(verbs), words(data["place_heads"]), words(data["organisation_heads"]))


class Gazetteer:
    """The project's labelled strings (folded, as token sequences) with the label they were given most."""

    def __init__(self, names: dict[tuple[str, ...], str]):
        self.names = names
        self.firsts = {name[0] for name in names}

    @classmethod
    def from_spans(cls, labelled: Iterable[tuple[str, str]]) -> "Gazetteer":
        """From (span text, label) pairs."""
        votes: dict[tuple[str, ...], Counter] = defaultdict(Counter)
        for text, label in labelled:
            key = tuple(token.folded for sentence in sentences(text) for token in sentence)
            if 0 < len(key) <= GAZETTEER_WORDS:
                votes[key][label] += 1
        return cls({key: counter.most_common(1)[0][0] for key, counter in votes.items()})

    def marks(self, tokens: list[Token]) -> list[str]:
        """For each token, "B-LABEL" where a known name starts, "I-LABEL" inside one (longest first), else ""."""
        marks = [""] * len(tokens)
        i = 0
        while i < len(tokens):
            found = 0
            if tokens[i].folded in self.firsts:
                for length in range(min(GAZETTEER_WORDS, len(tokens) - i), 0, -1):
                    label = self.names.get(tuple(token.folded for token in tokens[i:i + length]))
                    if label:
                        marks[i] = "B-" + label
                        for k in range(i + 1, i + length):
                            marks[k] = "I-" + label
                        found = length
                        break
            i += found or 1
        return marks


def features(tokens: list[Token], gazetteer: Gazetteer) -> list[list[str]]:
    """Each token's features, as crfsuite's attribute strings."""
    c = cues()
    marks = gazetteer.marks(tokens)
    rows = []
    for i, token in enumerate(tokens):
        form = token.folded
        row = [f"w={form}", f"word={token.word}", f"part={token.part}", f"p2={form[:2]}", f"p3={form[:3]}",
               f"s2={form[-2:]}", f"s3={form[-3:]}", f"len={min(len(form), 8)}", f"shape={_shape(form)}"]
        if marks[i]:
            row.append(f"gaz={marks[i]}")
        for offset in (-2, -1, 1, 2):
            j = i + offset
            if 0 <= j < len(tokens):
                other = tokens[j].folded
                row.append(f"w{offset:+d}={other}")
                if offset == -1:
                    row += [f"gaz-1={marks[j]}"] * bool(marks[j])
                    row += ["after_title"] * (other in c.titles)
                    row += ["after_reporting"] * (other in c.reporting)
                    row += ["after_place_head"] * (other in c.place_heads)
                    row += ["after_organisation_head"] * (other in c.organisation_heads)
                if offset == 1:
                    row += [f"gaz+1={marks[j]}"] * bool(marks[j])
            elif offset in (-1, 1):
                row.append("start" if offset < 0 else "end")
        row += ["is_title"] * (form in c.titles) + ["is_place_head"] * (form in c.place_heads)
        row += ["is_organisation_head"] * (form in c.organisation_heads)
        rows.append(row)
    return rows


def _shape(form: str) -> str:
    if any(char.isdigit() for char in form):
        return "digits"
    if any("a" <= char <= "z" for char in form):
        return "latin"
    return "arabic" if form else "other"


# ---- spans and labels -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Entity:
    start: int
    end: int
    label: str
    score: float = 1.0


def outermost(spans: Iterable[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The spans a flat labelling can hold: the longest where spans nest or overlap."""
    chosen: list[tuple[int, int, str]] = []
    for start, end, label in sorted(spans, key=lambda s: (s[0], -(s[1] - s[0]))):
        if not chosen or start >= chosen[-1][1]:
            chosen.append((start, end, label))
    return chosen


def bio(tokens: list[Token], spans: list[tuple[int, int, str]]) -> list[str]:
    """Each token's tag: B- where a span starts at it, I- inside, O elsewhere (a token counts as inside
    when it starts inside the span)."""
    tags = ["O"] * len(tokens)
    for start, end, label in spans:
        inside = [i for i, token in enumerate(tokens) if start <= token.start < end]
        for n, i in enumerate(inside):
            tags[i] = ("B-" if n == 0 else "I-") + label
    return tags


def entities(tokens: list[Token], tags: list[str], scores: list[float] | None = None) -> list[Entity]:
    """Runs of B-/I- tags as entities (an I- without its B- opens one), each scored by its least sure token."""
    found: list[Entity] = []
    run: list[int] = []
    label = ""

    def close() -> None:
        if run:
            score = min(scores[i] for i in run) if scores else 1.0
            found.append(Entity(tokens[run[0]].start, tokens[run[-1]].end, label, score))
            run.clear()

    for i, tag in enumerate(tags):
        kind, _, name = tag.partition("-")
        if kind == "B" or (kind == "I" and name != label):
            close()
            run.append(i)
            label = name
        elif kind == "I":
            run.append(i)
        else:
            close()
    close()
    return found


# ---- training and prediction ------------------------------------------------------------------------------
@dataclass
class Example:
    """A document the model learns from: its text and its entity spans (start, end, label)."""

    text: str
    spans: list[tuple[int, int, str]]


class Cancelled(Exception):
    pass


GAZETTEER_FOLDS = 5
TRAINING = {"c1": 0.05, "c2": 0.05, "max_iterations": 150, "feature.possible_transitions": True}


def gazetteer_of(examples: list[Example]) -> Gazetteer:
    return Gazetteer.from_spans((example.text[start:end], label) for example in examples
                                for start, end, label in example.spans)


def train(examples: list[Example], cancelled: Callable[[], bool] = lambda: False,
          progress: Callable[[int, int], None] = lambda done, total: None) -> "EntityModel":
    """A CRF trained on `examples`, with the gazetteer of their spans. Raises Cancelled."""
    import pycrfsuite

    gazetteer = gazetteer_of(examples)
    # A document learns from a gazetteer of the *other* documents' names: with its own, every name would be
    # known, and the model would learn to trust the gazetteer alone (and find no name it had not seen).
    fold_gazetteers = [gazetteer_of([example for n, example in enumerate(examples) if n % GAZETTEER_FOLDS != fold])
                       for fold in range(GAZETTEER_FOLDS)]
    total = TRAINING["max_iterations"]

    class Trainer(pycrfsuite.Trainer):
        """crfsuite's log read for its iterations (pycrfsuite parses it only when verbose), printed nowhere.
        An exception raised from here is swallowed by crfsuite's C callback, so the optimisation itself
        (seconds) runs to its end and cancelling is honoured around it."""

        appended = 0

        def on_iteration(self, log, info) -> None:
            progress(min(info.get("num", 0), total), total)

    for event in ("start", "featgen_progress", "featgen_end", "prepared", "prepare_error", "optimization_end", "end"):
        setattr(Trainer, f"on_{event}", lambda self, *args: None)
    trainer = Trainer(verbose=True)
    for number, example in enumerate(examples):
        if cancelled():
            raise Cancelled()
        spans = outermost(example.spans)
        known = fold_gazetteers[number % GAZETTEER_FOLDS]
        for tokens in sentences(example.text):
            trainer.append(features(tokens, known), bio(tokens, spans))
            trainer.appended += 1
    if not trainer.appended:
        return EntityModel(b"", gazetteer)  # no word to learn from: a model that finds nothing
    trainer.set_params(TRAINING)
    handle, path = tempfile.mkstemp(suffix=".crfsuite")
    os.close(handle)
    try:
        trainer.train(path)
        if cancelled():
            raise Cancelled()
        with open(path, "rb") as stored:
            data = stored.read()
    finally:
        os.unlink(path)
    return EntityModel(data, gazetteer)


CRF_MAGIC = b"lCRF"


def well_formed(data: bytes) -> bool:
    """Whether `data` is a whole crfsuite model: its header names its own size. crfsuite reads a damaged
    or cut model without checking and crashes the process, so nothing else is ever opened."""
    return len(data) >= 12 and data[:4] == CRF_MAGIC and int.from_bytes(data[4:8], "little") == len(data)


@dataclass
class EntityModel:
    data: bytes  # the CRF as crfsuite writes it (empty: nothing was learnt, nothing is found)
    gazetteer: Gazetteer
    about: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.data and not well_formed(self.data):
            raise ValueError("not a whole crfsuite model")

    @property
    def _tagger(self):
        """A crfsuite tagger of this thread's own: a tagger holds the state of its last sentence, so two
        workers (suggesting and ranking documents) must not share one."""
        local = self.__dict__.setdefault("_local", threading.local())
        if not hasattr(local, "tagger"):
            import pycrfsuite

            local.tagger = pycrfsuite.Tagger()
            local.tagger.open_inmemory(self.data)
        return local.tagger

    def labels(self) -> list[str]:
        if not self.data:
            return []
        return sorted({tag[2:] for tag in self._tagger.labels() if tag != "O"})

    def reading(self, text: str) -> tuple[list[Entity], float, int]:
        """The entities of `text`, how unsure the model is of the text (the mean over its sentences of one
        less the probability of the labelling chosen: least confidence) and how many entities it found
        that are no name it knows (not in its gazetteer)."""
        found, unsure, unknown, count = [], 0.0, 0, 0
        if not self.data:
            return [], 0.0, 0
        tagger = self._tagger
        for tokens in sentences(text):
            tags = tagger.tag(features(tokens, self.gazetteer))
            unsure += 1.0 - tagger.probability(tags)
            count += 1
            entities_here = entities(tokens, tags, [tagger.marginal(tag, i) for i, tag in enumerate(tags)])
            found += entities_here
            for entity in entities_here:
                words = tuple(t.folded for t in tokens if entity.start <= t.start < entity.end)
                unknown += words not in self.gazetteer.names
        return found, unsure / count if count else 0.0, unknown

    def predict(self, text: str) -> list[Entity]:
        """Entities in `text`, each with the model's confidence (its least sure token's marginal)."""
        found = []
        if not self.data:
            return found
        tagger = self._tagger
        for tokens in sentences(text):
            tags = tagger.tag(features(tokens, self.gazetteer))
            scores = [tagger.marginal(tag, i) for i, tag in enumerate(tags)]
            found += entities(tokens, tags, scores)
        return found


# ---- the baseline and the scores ---------------------------------------------------------------------------
def string_matcher(training: list[Example], text: str) -> list[Entity]:
    """The baseline: every labelled string of `training` found again in `text` by the matching engine
    (clitics split as annotate-all does), longest first, not overlapping."""
    names: dict[str, Counter] = defaultdict(Counter)
    for example in training:
        for start, end, label in example.spans:
            form = " ".join(fold(example.text[start:end]).split())
            if form:
                names[form][label] += 1
    normalized = normalize(text)
    matches = [(m.start, m.end, counter.most_common(1)[0][0]) for form, counter in names.items()
               for m in find_all(normalized, form)]
    return [Entity(start, end, label) for start, end, label in outermost(matches)]


@dataclass
class Scores:
    """Exact-span precision, recall and F1, per label and over all."""

    counts: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))  # tp, fp, fn
    confusion: Counter = field(default_factory=Counter)  # (gold label or "—", predicted label or "—") → spans

    def add(self, gold: list[tuple[int, int, str]], predicted: list[Entity]) -> None:
        wanted = {(start, end): label for start, end, label in gold}
        said = {(p.start, p.end): p.label for p in predicted}
        for place, label in said.items():
            right = wanted.get(place)
            self.counts[label][0 if right == label else 1] += 1
            self.confusion[(right or "—", label)] += 1
        for place, label in wanted.items():
            if said.get(place) != label:
                self.counts[label][2] += 1
            if place not in said:
                self.confusion[(label, "—")] += 1

    def of(self, label: str | None = None) -> tuple[float, float, float]:
        tp, fp, fn = (sum(counts[k] for counts in self.counts.values()) for k in range(3)) if label is None \
            else self.counts[label]
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    def as_dict(self) -> dict:
        labels = sorted(self.counts)
        return {"all": _rounded(self.of()), **{label: _rounded(self.of(label)) for label in labels},
                "support": {label: self.counts[label][0] + self.counts[label][2] for label in labels}}


def _rounded(values: tuple[float, float, float]) -> dict:
    return dict(zip(("precision", "recall", "f1"), (round(value, 3) for value in values)))


def evaluate(training: list[Example], testing: list[Example], model: EntityModel | None = None,
             cancelled: Callable[[], bool] = lambda: False) -> tuple[Scores, Scores]:
    """The model's scores and the string matcher's on `testing` (gold: its outermost spans)."""
    model = model or train(training, cancelled)
    learnt, baseline = Scores(), Scores()
    for example in testing:
        gold = outermost(example.spans)
        learnt.add(gold, model.predict(example.text))
        baseline.add(gold, string_matcher(training, example.text))
    return learnt, baseline
