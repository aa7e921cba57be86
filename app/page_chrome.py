"""Chrome on one page alone: which lines of a scraped page are not its article, without repetition.

Repetition across a site (app.boilerplate_index) finds chrome that recurs verbatim; on real pages half of
what an analyst marks never recurs: tickers of other stories' headlines, menus, widgets (weather, rates,
font size), mastheads, the page's own date stamp, reader comments, teasers of other stories — and sites
with a single page in the corpus have no repetition at all. Pages arrive as text, so the signals are
those of boilerplate removal on text blocks (jusText, boilerpipe): a line's length in words, its share
of function words, whether it ends like a sentence, its digits, Latin and punctuation, link-like shapes
(bullets, " | ", time stamps); and above all its context: where the article body is (the longest run of
prose lines), its title above it (which shares the body's words: topic coherence), and what stands
around each line (a run of headline-like lines sharing nothing with the body is a ticker).

Each line's features (`FEATURES`) go through the model shipped in `resources/page_chrome_model.json`
(trained on labelled real pages by benchmarks/train_page_chrome.py, with what it learnt from and how it
scored held out), in two logistic stages: each line alone, then each line with its neighbours' first
scores (a short line among chrome is chrome). A model learnt from a project's own decisions
(app.boilerplate_learning) adds what the analyst taught it.
Runs of chrome lines become blocks with a kind and a reason an analyst can read. The cue words are data
(`resources/page_chrome.json`); lines and words are the boilerplate engine's (app.boilerplate), folded by
the project's one matching engine.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Protocol

from app import packagedata
from app.boilerplate import Block, Line, is_dateline, split_lines
from app.i18n import N_
from app.logistic import Model
from app.normalize import fold

FEATURES = (
    "words_1", "words_2_3", "words_4_8", "words_9_15", "words_16_plus", "function_share", "sentence_end",
    "digit_share", "latin_share", "punct_share", "time_stamp", "dateline", "hijri", "bullet", "separators",
    "section_share", "masthead", "widget", "only_digits", "ticker_heading", "comment_cue", "teaser_cue",
    "prose", "headline_like", "before_title", "is_title", "between_title_and_body", "in_body", "after_body",
    "no_body", "body_overlap", "headline_run", "short_run", "next_to_prose", "lines_to_body", "position",
    "after_chrome_heading", "after_cue_line", "before_cue_line", "ticker_run", "foreign_prose", "led_by_heading",
)
PROSE_WORDS = 12
SHORT_WORDS = 12  # longer lines are searched for no cue phrase
HEADLINE_WORDS = (4, 25)
TITLE_LOOKUP = 8  # lines above the body searched for its title
RUN_CAP = 8

# Why a block is suggested: stored in English (data), worded for the analyst by
# app.boilerplate_index.describe_reason.
TICKER_ABOVE_REASON = N_("ticker: headlines of other stories above the title")
TICKER_BELOW_REASON = N_("headlines of other stories after the article")
MENU_REASON = N_("section names of the site's menu, one or a few per line")
MASTHEAD_REASON = N_("the site's masthead (its name, its editors)")
DATESTAMP_REASON = N_("the page's date stamp, not the article's")
WIDGET_REASON = N_("a widget (weather, rates, font size, sharing, counters)")
COMMENTS_REASON = N_("reader comments after the article")
TEASER_REASON = N_("another story's lead after the article")
OTHER_REASON = N_("short lines of the page's chrome, away from the article")
LEARNED_REASON = N_("learned from your decisions on this site")
REASONS = (TICKER_ABOVE_REASON, TICKER_BELOW_REASON, MENU_REASON, MASTHEAD_REASON, DATESTAMP_REASON, WIDGET_REASON,
           COMMENTS_REASON, TEASER_REASON, OTHER_REASON, LEARNED_REASON)
# The category a kind of chrome is suggested as (resources/labels.json's boilerplate categories).
CATEGORIES = {"ticker": "related_links", "ticker_below": "related_links", "teaser": "related_links",
              "menu": "navigation", "masthead": "navigation", "datestamp": "navigation", "widget": "share_social",
              "comments": "comment_form", "other": "other", "learned": "other"}

_SENTENCE_END = re.compile(r"[.!?؟…:»\"”')\]]\s*$")
_TIME = re.compile(r"(?<!\d)\d{1,2}:\d{2}(?!\d)")
_BULLET = re.compile(r"^\s*[•·*\-–—►▪●■◄»>|]")
_SEPARATORS = re.compile(r"\s[|•·»«/]\s|\s\|\s*$|^[^\s,،]+(?:[,،][^\s,،]+(?:\s[^\s,،]+)?){3,}$")
_ONLY_DIGITS = re.compile(r"^[\d\s.,:/%°+\-–٪٫٬]+$")


@dataclass(frozen=True)
class Cues:
    function_words: frozenset[str]
    section_words: frozenset[str]
    masthead: tuple[str, ...]
    ticker_headings: frozenset[str]
    widget_words: frozenset[str]
    comment_phrases: frozenset[str]
    teaser_phrases: tuple[str, ...]
    hijri_words: frozenset[str]


@functools.cache
def cues() -> Cues:
    data = packagedata.resource_json("page_chrome.json")

    def words(key: str) -> frozenset[str]:
        return frozenset(" ".join(fold(w).split()) for w in data[key])
    return Cues(words("function_words"), words("section_words"), tuple(sorted(words("masthead_phrases"))),
                words("ticker_headings"), words("widget_words"), words("comment_phrases"),
                tuple(sorted(words("teaser_phrases"))), words("hijri_words"))


# The second stage reads each line with its neighbours' first-stage scores: a short line among chrome is
# chrome, a line of prose between two paragraphs is article (a cheap cousin of a CRF over a page's lines).
CONTEXT_FEATURES = ("line_score", "previous_score", "next_score", "nearest_max", "nearest_mean")
NEAREST = 2  # lines each side


@dataclass(frozen=True)
class PageModel:
    """The page-alone model: a logistic model of each line's FEATURES, then one of the same features with
    the CONTEXT_FEATURES of its neighbours' first scores; `threshold` applies to the second."""

    lines: Model
    context: Model
    threshold: float
    about: dict

    def scores(self, rows: list[list[float]]) -> list[float]:
        first_order = _positions(self.lines.features, FEATURES)
        first = [self.lines.probability([row[j] for j in first_order]) for row in rows]
        second_order = _positions(self.context.features, FEATURES + CONTEXT_FEATURES)
        return [self.context.probability([extended[j] for j in second_order])
                for extended in (row + around for row, around in zip(rows, context_rows(first)))]

    def to_json(self) -> dict:
        return {"lines": self.lines.to_json(), "context": self.context.to_json(), "threshold": self.threshold,
                "about": self.about}

    @classmethod
    def from_json(cls, data: dict) -> "PageModel":
        lines, context = Model.from_json(data["lines"]), Model.from_json(data["context"])
        known = set(FEATURES + CONTEXT_FEATURES)
        if not set(lines.features) <= set(FEATURES) or not set(context.features) <= known:
            raise ValueError("the page model names features this version does not compute")
        return cls(lines, context, float(data["threshold"]), dict(data.get("about") or {}))


def context_rows(scores: list[float]) -> list[list[float]]:
    """CONTEXT_FEATURES of each line from the first-stage scores of the page's lines (0.5 past its edges)."""
    rows = []
    for i, score in enumerate(scores):
        near = [scores[j] for j in range(max(0, i - NEAREST), min(len(scores), i + NEAREST + 1)) if j != i] or [0.5]
        rows.append([score, scores[i - 1] if i > 0 else 0.5, scores[i + 1] if i + 1 < len(scores) else 0.5,
                     max(near), sum(near) / len(near)])
    return rows


@functools.cache
def _positions(wanted: tuple[str, ...], names: tuple[str, ...]) -> tuple[int, ...]:
    """Where each of a model's features stands in a row of `names` (once per model)."""
    return tuple(names.index(name) for name in wanted)


@functools.cache
def shipped_model() -> PageModel:
    return PageModel.from_json(packagedata.resource_json("page_chrome_model.json"))


@dataclass(frozen=True)
class Page:
    """A page's lines with what the classifier needs of them: features per line, and where the body is."""

    lines: list[Line]
    rows: list[list[float]]
    kinds: list[str]
    body: tuple[int, int] | None  # first and last prose line of the article body
    title: int | None
    zones: list[str]  # each line's place: before (the title), title, between (title and body), body, after, none


def read_page(text: str, lines: list[Line] | None = None) -> Page:
    lines = split_lines(text) if lines is None else lines
    c = cues()
    raw = [text[line.start:line.end] for line in lines]
    # A paragraph longer than LONG_LINE_CHARS has no words in the index (too long to be chrome), so it adds
    # nothing to the body's vocabulary. Giving it its words was tried and measured worse on the dev set
    # (leave-site-out 0.870/0.678 -> 0.861/0.626): the shorter lines around the article carry its topic.
    words = [line.words for line in lines]
    counts = [len(w) if w else line.word_count for w, line in zip(words, lines)]
    function_share = [sum(word in c.function_words for word in w) / len(w) if w else 0.0 for w in words]
    sentence_end = [bool(_SENTENCE_END.search(r)) for r in raw]
    prose = [n >= PROSE_WORDS and (end or share >= 0.15) or n >= 2 * PROSE_WORDS
             for n, end, share in zip(counts, sentence_end, function_share)]
    keys = [" ".join(w) for w in words]
    headings = [key in c.ticker_headings or key in c.comment_phrases for key in keys]
    body = _body(prose, counts, raw, headings)
    if body:
        body = _trim_foreign_tail(body, prose, words, c)
    vocabulary = _vocabulary(words[body[0]:body[1] + 1], c) if body else set()
    headline_like = [HEADLINE_WORDS[0] <= n <= HEADLINE_WORDS[1] and not end and not is_dateline(line)
                     for n, end, line in zip(counts, sentence_end, lines)]
    overlap = [_overlap(w, vocabulary, c) for w in words]
    title = _title(body, overlap, counts) if body else None
    kinds, rows, zones = [], [], []
    headline_runs = _runs([h and not p for h, p in zip(headline_like, prose)])
    short_runs = _runs([0 < n <= 3 for n in counts])
    heading_seen = False
    cue_line = [len(w) <= SHORT_WORDS and (key in c.ticker_headings or any(key.startswith(p) for p in c.masthead)
                                          or bool(w) and sum(word in c.section_words for word in w) / len(w) >= 0.5)
                for key, w in zip(keys, words)]
    led = _led_by_heading(keys, headline_like, prose, raw, c, body, title)
    for i, line in enumerate(lines):
        r, n = raw[i], counts[i]
        digits, latin, punct = _shares(r)
        key = keys[i]
        short = n <= SHORT_WORDS  # the cues are short lines: a paragraph is not searched for them
        widget = short and _widget(words[i], r, c)
        masthead = n <= 6 and any(key.startswith(phrase) for phrase in c.masthead)
        ticker_heading = key in c.ticker_headings
        # A one-word cue must be the whole line ("ردود" but not "ردود الفعل"); a longer one may start it.
        comment = n <= 6 and (key in c.comment_phrases or any(key.startswith(p + " ") for p in c.comment_phrases
                                                               if " " in p))
        teaser = short and (key in c.teaser_phrases or any(p in key for p in c.teaser_phrases if " " in p))
        hijri = any(word in c.hijri_words for word in words[i]) and digits > 0
        zone = _zone(i, body, title)
        zones.append(zone)
        heading_seen = heading_seen or (zone == "after" and (ticker_heading or comment))
        row = [
            n == 1, 2 <= n <= 3, 4 <= n <= 8, 9 <= n <= 15, n >= 16, function_share[i], sentence_end[i],
            digits, latin, punct, bool(_TIME.search(r)), is_dateline(line), hijri, bool(_BULLET.match(r)),
            bool(_SEPARATORS.search(r)),
            sum(word in c.section_words for word in words[i]) / n if words[i] else 0.0,
            masthead, widget, bool(_ONLY_DIGITS.match(r)), ticker_heading, comment, teaser,
            prose[i], headline_like[i], zone == "before", i == title, zone == "between", zone == "body",
            zone == "after", body is None, overlap[i], min(headline_runs[i], RUN_CAP) / RUN_CAP,
            min(short_runs[i], RUN_CAP) / RUN_CAP,
            (i > 0 and prose[i - 1]) + (i + 1 < len(lines) and prose[i + 1]),
            min(_distance(i, body), 10) / 10 if body else 1.0, i / max(len(lines) - 1, 1),
            heading_seen and zone == "after",
            i > 0 and cue_line[i - 1], i + 1 < len(lines) and cue_line[i + 1],
            # Compounds of the above that say "another story": a run of headlines sharing nothing with the
            # body, and prose outside the body sharing little with it.
            headline_like[i] and overlap[i] < 0.2 and headline_runs[i] >= 2 and zone != "body",
            prose[i] and zone in ("after", "before") and overlap[i] < 0.2,
            led[i],
        ]
        rows.append([float(value) for value in row])
        after_masthead = i > 0 and kinds and kinds[-1] == "masthead" and 0 < n <= 4 and not prose[i]
        kinds.append(_kind(zone, widget, masthead or after_masthead, ticker_heading, comment, teaser, headline_like[i], overlap[i],
                           prose[i], is_dateline(line) or hijri or bool(_TIME.search(r)) and n <= 8,
                           row[15], short_runs[i], heading_seen))
    return Page(lines, rows, kinds, body, title, zones)


# A line a cue names (a masthead, a widget, a ticker or comments heading, a teaser link) needs less of the
# model's confidence than one only its shape and place speak for.
CUED = tuple(FEATURES.index(name) for name in ("masthead", "widget", "ticker_heading", "comment_cue", "teaser_cue",
                                               "led_by_heading"))
CUED_THRESHOLD = 0.5
LED = FEATURES.index("led_by_heading")


# Features a model learnt from a project's decisions may add, computed from what the analyst decided on the
# line's site (app.boilerplate_learning); the learnt model reads them beside the shipped model's score.
SITE_FEATURES = ("decided_chrome_on_site", "decided_article_on_site", "site_chrome_words", "site_chrome_in_zone")
SHIPPED_SCORE = "shipped_model"
LEARNED_KIND = "learned"  # a line that is chrome because the analyst decided the same line so on its site


class SiteKnowledge(Protocol):
    """What an analyst decided on a page's site (app.boilerplate_learning.SiteDecisions)."""

    def rows(self, page: Page) -> list[list[float]]: ...  # SITE_FEATURES of each line

    def category(self, line: Line) -> str | None: ...  # the category the analyst gave the same line


def learned_row(names: tuple[str, ...], row: list[float], score: float, site_row: list[float]) -> list[float]:
    """The values a learnt model reads, by name: a line's FEATURES, the shipped model's score, SITE_FEATURES."""
    named = dict(zip(FEATURES, row))
    named[SHIPPED_SCORE] = score
    named.update(zip(SITE_FEATURES, site_row))
    return [named[name] for name in names]


@dataclass(frozen=True)
class Verdict:
    line: Line
    chrome: bool
    kind: str
    category: str


def classify(text: str, learned: Model | None = None, lines: list[Line] | None = None,
             site: SiteKnowledge | None = None) -> list[Verdict]:
    """Each non-blank line, whether it is chrome, and the kind and category of chrome it would be.
    `learned`: a model learnt from the analyst's decisions, reading SHIPPED_SCORE and SITE_FEATURES (from
    `site`); it adds to what the shipped model finds."""
    page = read_page(text, lines)
    shipped = shipped_model()
    scores = shipped.scores(page.rows)
    extra = site.rows(page) if learned is not None and site is not None else None
    result = []
    for i, (line, row, kind) in enumerate(zip(page.lines, page.rows, page.kinds)):
        cued = any(row[j] for j in CUED)
        chrome = scores[i] >= (min(CUED_THRESHOLD, shipped.threshold) if cued else shipped.threshold)
        category = CATEGORIES[kind]
        if extra is not None:
            # A model learnt from a few hundred decisions adds what the analyst taught it to what the shipped
            # model finds; it does not take away from it.
            taught = learned.probability(learned_row(learned.features, row, scores[i], extra[i])) >= learned.threshold
            if taught and extra[i][0]:
                kind, category = LEARNED_KIND, site.category(line) or CATEGORIES[LEARNED_KIND]
            chrome = chrome or taught
        # Headlines listed under "أهم الأخبار" above the title are a ticker whatever the model makes of them
        # (the dev set holds few; the heading says what they are).
        result.append(Verdict(line, chrome or bool(row[LED]), kind, category))
    return result


def chrome_blocks(text: str, learned: Model | None = None, lines: list[Line] | None = None,
                  covered: set[int] = frozenset(), site: SiteKnowledge | None = None) -> list[Block]:
    """Runs of chrome lines of one kind and category as blocks (lines in `covered`, found otherwise, left out)."""
    blocks: list[Block] = []
    run: list[tuple[int, Verdict]] = []

    def close() -> None:
        if run:
            first = run[0][1]
            blocks.append(Block(first.line.start, run[-1][1].line.end, first.category, _reason(first.kind, run),
                                tuple(index for index, _verdict in run)))
            run.clear()

    for index, verdict in enumerate(classify(text, learned, lines, site)):
        if not verdict.chrome or index in covered:
            close()
            continue
        if run and (run[-1][0] != index - 1 or (run[-1][1].kind, run[-1][1].category) != (verdict.kind, verdict.category)):
            close()
        run.append((index, verdict))
    close()
    return blocks


def _reason(kind: str, run: list) -> str:
    return {"ticker": TICKER_ABOVE_REASON, "ticker_below": TICKER_BELOW_REASON, "menu": MENU_REASON,
            "masthead": MASTHEAD_REASON, "datestamp": DATESTAMP_REASON, "widget": WIDGET_REASON,
            "comments": COMMENTS_REASON, "teaser": TEASER_REASON, LEARNED_KIND: LEARNED_REASON}.get(kind, OTHER_REASON)


HEADING_REACH = 2  # lines above the body searched for its byline when the page shows no title


def article_heading_lines(text: str) -> list[tuple[int, int]]:
    """The lines between the article's title and its body (or just above the body, where the page shows no
    title) that share at least half their words with the body: its byline, a caption naming its people.
    They are article text even where the site repeats the same words elsewhere (a writer's name in the
    staff box, under "رئيس التحرير")."""
    page = read_page(text)
    overlap = FEATURES.index("body_overlap")
    return [(line.start, line.end) for i, (line, row) in enumerate(zip(page.lines, page.rows))
            if row[overlap] >= 0.5 and (page.zones[i] == "between" or page.title is None and page.zones[i] == "before"
                                        and page.body[0] - i <= HEADING_REACH)]


# ---- the page's structure ---------------------------------------------------------------------------
def _body(prose: list[bool], counts: list[int], raw: list[str], headings: list[bool]) -> tuple[int, int] | None:
    """The run of prose lines (short lines between them allowed: subheadings, captions) with the most
    prose text: the article body. A heading such as "أهم الأخبار" or "التعليقات" ends it."""
    best, best_size = None, 0
    start = last = None
    size, gap = 0, 0
    for i, is_prose in enumerate(prose):
        if headings[i]:
            start, size, gap = None, 0, 0
            continue
        if is_prose:
            if start is None:
                start, size = i, 0
            last, size, gap = i, size + len(raw[i]), 0
            if size > best_size:
                best, best_size = (start, last), size
        elif start is not None:
            gap += 1
            if gap > 2 or counts[i] > PROSE_WORDS:
                start, size, gap = None, 0, 0
    return best


def _led_by_heading(keys: list[str], headline_like: list[bool], prose: list[bool], raw: list[str], c: Cues,
                    body: tuple[int, int] | None, title: int | None) -> list[bool]:
    """The headlines listed under a heading such as "أهم الأخبار" or "الأكثر قراءة": the lines after it that
    read like headlines (or are bulleted), up to the first that does not, the title or the body. One line
    alone under such a heading is not a list: it is often the article's own title ("آخر الأخبار" above it)."""
    led = [False] * len(keys)
    listing = False
    for i, key in enumerate(keys):
        if key in c.ticker_headings:
            listing = True
            continue
        stop = i == title or (body is not None and body[0] <= i <= body[1]) or prose[i]
        if listing and not stop and (headline_like[i] or _BULLET.match(raw[i])):
            led[i] = True
        else:
            listing = False
    lengths = _runs(led)
    return [flag and length >= 2 for flag, length in zip(led, lengths)]


def _trim_foreign_tail(body: tuple[int, int], prose: list[bool], words: list[tuple[str, ...]],
                      c: Cues) -> tuple[int, int]:
    """The body without the prose lines at its end that share little with the rest of it: the leads of
    other stories listed after the article (one story's paragraphs share its names and words)."""
    start, end = body
    while end > start:
        rest = _vocabulary(words[start:end], c)
        if _overlap(words[end], rest, c) >= 0.2:
            break
        end -= 1
        while end > start and not prose[end]:
            end -= 1
    return start, end


def _vocabulary(words: list[tuple[str, ...]], c: Cues) -> set[str]:
    return {word for line in words for word in line if len(word) > 2 and word not in c.function_words}


def _overlap(words: tuple[str, ...], vocabulary: set[str], c: Cues) -> float:
    content = [word for word in words if len(word) > 2 and word not in c.function_words]
    return sum(word in vocabulary for word in content) / len(content) if content else 0.0


def _title(body: tuple[int, int], overlap: list[float], counts: list[int]) -> int | None:
    """The line above the body that reads like its headline: 4 to 30 words sharing the most with the body
    (a caption or a byline, nearer the body, shares a name or two)."""
    best, best_score = None, 0.0
    for i in range(body[0] - 1, max(-1, body[0] - 1 - TITLE_LOOKUP), -1):
        if 4 <= counts[i] <= 30 and overlap[i] >= 0.25:
            score = overlap[i] * min(counts[i], 12)
            if score > best_score:
                best, best_score = i, score
    return best


def _zone(i: int, body: tuple[int, int] | None, title: int | None) -> str:
    if body is None:
        return "none"
    if body[0] <= i <= body[1]:
        return "body"
    if i > body[1]:
        return "after"
    if title is not None and title < i:
        return "between"
    if title is not None and i == title:
        return "title"
    return "before"


def _distance(i: int, body: tuple[int, int] | None) -> int:
    if body is None:
        return 10
    return 0 if body[0] <= i <= body[1] else min(abs(i - body[0]), abs(i - body[1]))


def _runs(flags: list[bool]) -> list[int]:
    """For each position, the length of the run of true flags it is in (0 when false)."""
    lengths = [0] * len(flags)
    i = 0
    while i < len(flags):
        if not flags[i]:
            i += 1
            continue
        j = i
        while j < len(flags) and flags[j]:
            j += 1
        for k in range(i, j):
            lengths[k] = j - i
        i = j
    return lengths


_DIGIT, _LATIN, _PUNCT, _SPACE = (re.compile(p) for p in (r"\d", r"[A-Za-z]", r"[^\w\s]", r"\s"))
SHARE_CHARS = 200  # the shares of a long line are read off its start (a paragraph's are low anyway)


def _shares(raw: str) -> tuple[float, float, float]:
    """Digits, Latin letters and punctuation among a line's visible characters (regular expressions count
    at C speed: a Python loop over every character cost half of a page's classification)."""
    raw = raw[:SHARE_CHARS]
    visible = len(raw) - len(_SPACE.findall(raw)) or 1
    return (len(_DIGIT.findall(raw)) / visible, len(_LATIN.findall(raw)) / visible,
            len(_PUNCT.findall(raw)) / visible)


def _widget(words: tuple[str, ...], raw: str, c: Cues) -> bool:
    if "°" in raw or "℃" in raw:
        return True
    key = " ".join(words)
    hits = sum(word in c.widget_words for word in words) + (key in c.widget_words)
    return bool(hits) and (len(words) <= 4 or any(ch.isdigit() for ch in raw) and len(words) <= 8)


def _kind(zone: str, widget: bool, masthead: bool, ticker_heading: bool, comment: bool, teaser: bool,
          headline_like: bool, overlap: float, prose: bool, date: bool, section_share: float, short_run: int,
          heading_seen: bool) -> str:
    if widget:
        return "widget"
    if masthead:
        return "masthead"
    if comment or (zone == "after" and heading_seen and prose and overlap < 0.3 and not ticker_heading):
        return "comments" if comment else "teaser"
    if date and not ticker_heading:
        return "datestamp"
    if ticker_heading or (headline_like and overlap < 0.25):
        return "ticker_below" if zone == "after" else "ticker"
    if section_share >= 0.5 or short_run >= 3:
        return "menu"
    if teaser or (zone == "after" and prose and overlap < 0.3):
        return "teaser"
    return "other"
