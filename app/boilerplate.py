"""Boilerplate in scraped news text: the site's chrome around the article, found line by line.

Two signals, as plain text offers no markup:
- cue phrases (`resources/boilerplate_cues.json`): a line that *is* a chrome phrase ("زر الذهاب إلى
  الأعلى", "شارك القصة"), starts like a credit or tag line ("المصدر:", "كلمات دلالية:"), or holds a
  cookie or app-store wording; a line that only says "اقرأ أيضاً" or "مقالات مشابهة" opens a tail of
  related links that runs to the end of the document;
- repetition: a line found in many documents of the same site (app.boilerplate_index).

Cues are compared on the matching engine's folded text, so spelling variants (إقرأ أيضاً، اقرا ايضا)
need no list of their own. Every offset is a code point into the stored text; a block runs from the
first character of its first line to the last visible character of its last line.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field

from app import paths
from app.normalize import fold

# What may stand before a cue at the start of a line: spaces, bullets, dashes, quotes.
_LEAD = r"^[\s•·*\-–—>|«\"']*"
_JOIN = r"[\W_]+"
_SEPARATOR_AFTER = r"[^\S\n]*[:：\-–|]"
_WORDS = re.compile(r"[^\W_]+")
# A chrome block is made of short lines; a line with more words is article text unless a
# 'contains' cue says otherwise.
SHORT_LINE_WORDS = 8
# "اقرأ أيضا: عنوان" — a single related link — has at most this many words.
TAIL_LINK_WORDS = 30
# Short lines between two cue lines of one category join them (the lines of an app banner).
MAX_GAP_LINES = 4


@dataclass(frozen=True)
class Line:
    start: int  # first non-space character
    end: int    # after the last non-space character
    words: int
    folded: str


@dataclass(frozen=True)
class Block:
    """A run of lines suggested as boilerplate of one category."""

    start: int
    end: int
    category: str
    reason: str          # e.g. 'cue "اقرأ أيضا" opens the related links to the end'
    lines: tuple[int, ...] = field(default=(), compare=False)  # indexes into split_lines()


@dataclass(frozen=True)
class _Cue:
    category: str
    mode: str
    phrase: str
    pattern: re.Pattern
    max_words: int


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of a text with their offsets (spaces at either end left out)."""
    lines, position = [], 0
    for raw in text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = position + (len(raw) - len(raw.lstrip()))
            folded = fold(stripped)
            lines.append(Line(start, start + len(stripped), len(_WORDS.findall(folded)), folded))
        position += len(raw) + 1
    return lines


def cue_blocks(text: str, lines: list[Line] | None = None) -> list[Block]:
    """Boilerplate blocks a document's own cue phrases point at, in text order."""
    lines = split_lines(text) if lines is None else lines
    tagged: dict[int, tuple[str, str]] = {}
    for index, line in enumerate(lines):
        cue = _first_cue(line)
        if cue is None:
            continue
        if cue.mode == "tail" and _is_tail_opener(cue, line):
            reason = f'"{cue.phrase}" opens a list of other articles, to the end of the document'
            tail = Block(line.start, lines[-1].end, cue.category, reason, tuple(range(index, len(lines))))
            return _merge(_runs(lines, tagged), tail)
        tagged[index] = (cue.category, f'cue "{cue.phrase}"')
        if cue.mode == "start" and _label_only(cue, line) and index + 1 < len(lines) \
                and lines[index + 1].words <= SHORT_LINE_WORDS:
            tagged.setdefault(index + 1, tagged[index])  # "المصادر:" with the source on the next line
    return _runs(lines, tagged)


def _label_only(cue: _Cue, line: Line) -> bool:
    return line.words == len(_WORDS.findall(fold(cue.phrase)))


def _is_tail_opener(cue: _Cue, line: Line) -> bool:
    """Only the phrase (a heading over a list); "اقرأ أيضا: عنوان" is one link, not a tail."""
    return _label_only(cue, line)


def _runs(lines: list[Line], tagged: dict[int, tuple[str, str]]) -> list[Block]:
    """Cue lines as blocks; the short lines between two cue lines of one category join them."""
    indexes = sorted(tagged)
    joined = dict(tagged)
    for here, there in zip(indexes, indexes[1:]):
        gap = range(here + 1, there)
        if (tagged[here][0] == tagged[there][0] and len(gap) <= MAX_GAP_LINES
                and all(lines[i].words <= SHORT_LINE_WORDS for i in gap)):
            joined.update({i: tagged[here] for i in gap})
    blocks: list[Block] = []
    for index in sorted(joined):
        category, reason = joined[index]
        previous = blocks[-1] if blocks else None
        if previous and previous.category == category and previous.lines[-1] == index - 1:
            reasons = previous.reason if reason in previous.reason else f"{previous.reason}, {reason}"
            blocks[-1] = Block(previous.start, lines[index].end, category, reasons, previous.lines + (index,))
        else:
            blocks.append(Block(lines[index].start, lines[index].end, category, reason, (index,)))
    return blocks


def _merge(blocks: list[Block], tail: Block) -> list[Block]:
    return [block for block in blocks if block.end <= tail.start] + [tail]


def _first_cue(line: Line) -> _Cue | None:
    for cue in _cues():
        if line.words <= cue.max_words and cue.pattern.search(line.folded):
            return cue
    if line.words <= 3 and _MARKUP.search(line.folded):
        return _MARKUP_CUE
    return None


# HTML the scraper left behind on a line of its own ("ص>", "&nbsp;", "</p>").
# A tag's remains may be all there is: "ص>" is "<p>" with its "<" lost and p typed on an Arabic layout.
_MARKUP = re.compile(r"</?[^\W\d_]*>|<[^\W\d_]+|&(?:nbsp|amp|quot|lt|gt|#\d+);|^/?[^\W\d_]{1,4}/?>$")


_MARKUP_CUE = _Cue("other", "line", "markup left over by the scraper", re.compile("$^"), 3)


@functools.cache
def _cues() -> tuple[_Cue, ...]:
    """The cue list, compiled; order matters (the first cue that fits a line decides)."""
    with open(paths.RESOURCES / "boilerplate_cues.json", encoding="utf-8") as handle:
        entries = json.load(handle)["cues"]
    cues = []
    for entry in entries:
        mode = entry["match"]
        for phrase in entry["phrases"]:
            words = _WORDS.findall(fold(phrase))
            body = _JOIN.join(map(re.escape, words)) if words else re.escape(fold(phrase).strip())
            default = TAIL_LINK_WORDS if mode == "tail" else len(words) + (1 if len(words) >= 2 else 0)
            max_words = entry.get("max_words", default)
            cues.append(_Cue(entry["category"], mode, phrase, _pattern(mode, body, words), max_words))
    return tuple(cues)


def _pattern(mode: str, body: str, words: list[str]) -> re.Pattern:
    if mode == "contains":
        return re.compile(rf"(?<![^\W_]){body}(?![^\W_])")
    if mode == "start":
        after = "" if not words else _SEPARATOR_AFTER  # a credit or tag line: "المصدر: …", "© …"
        return re.compile(rf"{_LEAD}{body}{after}")
    if mode == "tail":  # the heading alone, or the heading with one link after a separator
        return re.compile(rf"{_LEAD}{body}(?:[\W_]*$|{_SEPARATOR_AFTER})")
    return re.compile(rf"{_LEAD}{body}(?:{_JOIN}[^\W_]+)?[\W_]*$")  # line
