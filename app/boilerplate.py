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
import operator
import re
import zlib
from dataclasses import dataclass, field
from typing import NamedTuple

from app import packagedata
from app.i18n import N_, pgettext
from app.normalize import WORDS, ByteFold, default_byte_fold, fold

# What may stand before a cue at the start of a line: spaces, bullets, dashes, quotes.
_LEAD_CHARS = " \t\u00a0•·*-–—>|«\"'"
_LEAD = r"^[\s•·*\-–—>|«\"']*"
_JOIN = r"[\W_]+"
_SEPARATOR_AFTER = r"[^\S\n]*[:：\-–|]"
# A line this long has more words than any cue allows (counting them would be wasted time).
LONG_LINE_CHARS = 600
_LONG = 10_000
# A chrome block is made of short lines; a line with more words is article text unless a
# 'contains' cue says otherwise.
SHORT_LINE_WORDS = 8
# "اقرأ أيضا: عنوان" — a single related link — has at most this many words.
TAIL_LINK_WORDS = 30
# Lines longer than this are article paragraphs to the repetition count (long chrome, such as a cookie
# notice, is found by its cue phrases); they get no fingerprint.
REPEAT_MAX_WORDS = 40
# Short lines between two cue lines of one category join them (the lines of an app banner).
MAX_GAP_LINES = 4

# Why a block is suggested. Stored in English, as data (the index's cue rows, a decided span's attrs), and
# joined with ", " when lines join; app.boilerplate_index.describe_reason words them for the analyst.
CUE_REASON = N_('cue "{phrase}"')
MENU_ITEM_REASON = N_('cue "{phrase}" (a menu item above the article)')
TAIL_REASON = N_('"{phrase}" opens a list of other articles, to the end of the document')
MENU_REASON = N_("a menu of section names")
MARKUP_REASON = N_("markup left over by the scraper")
REASON_SEPARATOR = ", "


class Line(NamedTuple):  # a tuple: a document has dozens, and an index run reads 100,000 documents
    start: int  # first non-space character
    end: int    # after the last non-space character
    words: tuple[str, ...]  # the folded words (empty for a line too long to be chrome)
    folded: str

    @property
    def word_count(self) -> int:
        return len(self.words) if self.words or len(self.folded) <= LONG_LINE_CHARS else _LONG


@dataclass(frozen=True)
class Block:
    """A run of lines suggested as boilerplate of one category."""

    start: int
    end: int
    category: str
    reason: str          # e.g. 'cue "اقرأ أيضا" opens the related links to the end'
    lines: tuple[int, ...] = field(default=(), compare=False)  # indexes into split_lines()
    tail: bool = False   # runs from a heading such as مقالات مشابهة to the end of the document


@dataclass(frozen=True)
class _Cue:
    """One entry of the cue file: its phrases as one regex (the first phrase that fits wins)."""

    category: str
    mode: str
    phrases: tuple[str, ...]
    pattern: re.Pattern
    max_words: int
    keys: frozenset[str] = frozenset()  # words a line must hold (first word; any word for contains)
    symbols: frozenset[str] = frozenset()  # or the character it starts with (©)
    quoted: bool = True  # the reason quotes the phrase; else the "phrase" describes a shape (a menu)

    def reason(self, phrase: str) -> str:
        return CUE_REASON.format(phrase=phrase) if self.quoted else phrase

    def match(self, line: Line) -> str | None:
        """The phrase this line fits, if any (`_entries_to_try` has checked its key words)."""
        if line.word_count > self.max_words:
            return None
        found = self.pattern.search(line.folded)
        return self.phrases[int(found.lastgroup[1:])] if found else None


def split_lines(text: str) -> list[Line]:
    """The non-blank lines of a text with their offsets (spaces at either end left out).

    The text is folded once: folding never touches a newline, so the folded text splits into the
    same lines.
    """
    lines: list[Line] = []
    append, new, position = lines.append, tuple.__new__, 0  # locals: this loop runs for every line indexed
    for raw, folded, spaced in zip(text.split("\n"), *(form.split("\n") for form in _folded_and_word_form(text))):
        size = len(raw)
        if raw and not raw.isspace():
            folded = folded.strip()
            words = tuple(spaced.split()) if len(folded) <= LONG_LINE_CHARS else ()
            append(new(Line, (position + size - len(raw.lstrip()), position + len(raw.rstrip()), words, folded)))
        position += size + 1
    return lines


def word_form(text: str) -> str:
    """The folded text with every character that is not part of a word made a space (newlines kept),
    so str.split() gives its words."""
    try:
        return _word_fold().apply(text)
    except UnicodeEncodeError:  # a character outside ASCII and COMMON_CHARACTERS
        return "\n".join(" ".join(WORDS.findall(line)) for line in fold(text).split("\n"))


def _folded_and_word_form(text: str) -> tuple[str, str]:
    """fold(text) and word_form(text), from one encoding of the text when it can be byte-folded."""
    try:
        encoded = default_byte_fold().encode(text)
    except UnicodeEncodeError:  # a character outside ASCII and COMMON_CHARACTERS
        return fold(text), word_form(text)
    return default_byte_fold().apply_encoded(encoded), _word_fold().apply_encoded(encoded)


@functools.cache
def _word_fold() -> ByteFold:
    def target(char: str) -> str:
        folded = fold(char)
        if char == "\n" or not folded:
            return folded
        return folded if WORDS.fullmatch(folded) else " "
    return ByteFold(target)


def cue_blocks(text: str, lines: list[Line] | None = None, article_above: bool = False,
               facts: list[LineFacts] | None = None) -> list[Block]:
    """Boilerplate blocks a document's own cue phrases point at, in text order.

    `article_above`: the text is a stretch cut from below an article (a related-links heading at its
    top opens a tail, rather than being a menu item). `facts`: line_facts() of each line, if known."""
    lines = split_lines(text) if lines is None else lines
    facts = line_facts(lines) if facts is None else facts
    tagged: dict[int, tuple[str, str]] = {}
    seen_article = article_above  # a related-links heading above any article text is a menu item
    for index, line in enumerate(lines):
        found = facts[index].cue
        if found is None:
            seen_article = seen_article or line.word_count > SHORT_LINE_WORDS
            continue
        cue, phrase = found
        if cue.mode == "tail" and _label_only(phrase, line) and not seen_article:
            tagged[index] = ("navigation", MENU_ITEM_REASON.format(phrase=phrase))
            continue
        if cue.mode == "tail" and _label_only(phrase, line):
            # Only the phrase: a heading over a list. "اقرأ أيضا: عنوان" is one link, not a tail.
            reason = TAIL_REASON.format(phrase=phrase)
            tail = Block(line.start, lines[-1].end, cue.category, reason, tuple(range(index, len(lines))), True)
            return _merge(_runs(lines, tagged), tail)
        tagged[index] = (cue.category, cue.reason(phrase))
        if cue.mode == "start" and _label_only(phrase, line) and index + 1 < len(lines) \
                and lines[index + 1].word_count <= SHORT_LINE_WORDS:
            tagged.setdefault(index + 1, tagged[index])  # "المصادر:" with the source on the next line
    return _runs(lines, tagged)


class LineFacts(NamedTuple):
    cue: tuple[_Cue, str] | None  # the first cue entry the line fits, and the phrase
    fingerprint: int | None       # of its folded words (equal lines, equal fingerprints); None: too long
    dateline: bool                # is_dateline()


def line_facts(lines: list[Line]) -> list[LineFacts]:
    """What each line's text alone says (not its place). Decided once per distinct short line: a
    site's chrome lines recur on every page, so most lines of a corpus are found in the cache."""
    facts = list(map(_FACTS.get, map(_FOLDED, lines)))
    for index in [index for index, known in enumerate(facts) if known is None]:
        line = lines[index]
        facts[index] = _facts(line)
        if len(line.folded) <= CACHED_LINE_CHARS:
            if len(_FACTS) >= CACHED_LINES:
                _FACTS.clear()  # cheaper than LRU bookkeeping; the recurring lines are back after a few pages
            _FACTS[line.folded] = facts[index]
    return facts


_FOLDED = operator.itemgetter(3)  # Line.folded, at C speed
def forget_line_facts() -> None:
    """Empty the cache of line facts (an index run fills it; the window need not keep it)."""
    _FACTS.clear()


# Bounded: at most CACHED_LINES × ~1 KB. Article lines (mostly seen once) pass through it too, and
# lines longer than CACHED_LINE_CHARS are not kept.
CACHED_LINES = 1 << 15
CACHED_LINE_CHARS = 300
_FACTS: dict[str, LineFacts] = {}


def _facts(line: Line) -> LineFacts:
    cue = _first_cue(line) if _may_hold_a_cue(line, _cue_keys()) else None
    words = line.words
    if not words or len(words) > REPEAT_MAX_WORDS:  # fingerprint() inlined: one call per new line
        print_ = fingerprint(line_key(line)) if line.word_count <= REPEAT_MAX_WORDS else None
    else:
        data = " ".join(words).encode()
        print_ = (zlib.crc32(data) << 32) | zlib.adler32(data)
        if print_ >= _SIGN:
            print_ -= _WRAP
    return tuple.__new__(LineFacts, (cue, print_, is_dateline(line)))


_SIGN, _WRAP = 1 << 63, 1 << 64


def line_key(line: Line) -> str:
    """The text a line's fingerprint is taken of: its folded words, one space apart."""
    return " ".join(line.words) if line.words else " ".join(line.folded.split())


def fingerprint(key: str) -> int:
    """A stable 64-bit signed fingerprint (Python's hash() changes from run to run): CRC-32 and
    Adler-32 side by side, both C-fast; an index run takes one per line of 100,000 documents."""
    data = key.encode("utf-8")
    value = (zlib.crc32(data) << 32) | zlib.adler32(data)
    return value - (1 << 64) if value >= 1 << 63 else value


def _label_only(phrase: str, line: Line) -> bool:
    return line.word_count == _phrase_words(phrase)


@functools.cache
def _phrase_words(phrase: str) -> int:
    return len(WORDS.findall(fold(phrase)))


def _runs(lines: list[Line], tagged: dict[int, tuple[str, str]]) -> list[Block]:
    """Cue lines as blocks; the short lines between two cue lines of one category join them."""
    if not tagged:
        return []
    indexes = sorted(tagged)
    joined = dict(tagged)
    for here, there in zip(indexes, indexes[1:]):
        gap = range(here + 1, there)
        if (tagged[here][0] == tagged[there][0] and len(gap) <= MAX_GAP_LINES
                and all(lines[i].word_count <= SHORT_LINE_WORDS for i in gap)):
            joined.update({i: tagged[here] for i in gap})
    blocks: list[Block] = []
    for index in sorted(joined):
        category, reason = joined[index]
        previous = blocks[-1] if blocks else None
        if previous and previous.category == category and previous.lines[-1] == index - 1:
            reasons = previous.reason if reason in previous.reason else previous.reason + REASON_SEPARATOR + reason
            blocks[-1] = Block(previous.start, lines[index].end, category, reasons, previous.lines + (index,))
        else:
            blocks.append(Block(lines[index].start, lines[index].end, category, reason, (index,)))
    return blocks


def _merge(blocks: list[Block], tail: Block) -> list[Block]:
    return [block for block in blocks if block.end <= tail.start] + [tail]


def _first_cue(line: Line) -> tuple[_Cue, str] | None:
    cues = _cues()
    for number in _entries_to_try(line):
        phrase = cues[number].match(line)
        if phrase is not None:
            return cues[number], phrase
    if line.word_count <= 3 and _MARKUP.search(line.folded):
        return _MARKUP_CUE, _MARKUP_CUE.phrases[0]
    if _is_menu(line):
        return _MENU_CUE, _MENU_CUE.phrases[0]
    return None


def _is_menu(line: Line) -> bool:
    """Section names strung together: "الوطن | سياسة | اقتصاد | رياضة" (at least MENU_ITEMS short items)."""
    items = [item for item in _MENU_SPLIT.split(line.folded) if item.strip()]
    return len(items) >= MENU_ITEMS and all(len(WORDS.findall(item)) <= 3 for item in items)


MENU_ITEMS = 4
_MENU_SPLIT = re.compile(r"\s[|•·/»]\s")


# HTML the scraper left behind on a line of its own ("ص>", "&nbsp;", "</p>").
# A tag's remains may be all there is: "ص>" is "<p>" with its "<" lost and p typed on an Arabic layout.
_MARKUP = re.compile(r"</?[^\W\d_]*>|<[^\W\d_]+|&(?:nbsp|amp|quot|lt|gt|#\d+);|^/?[^\W\d_]{1,4}/?>$")


def _may_hold_a_cue(line: Line, keys: _Keys) -> bool:
    """A quick test on words before any cue regex runs (most lines are article text): the line
    starts with the first word of a line/start/tail phrase, holds the longest word of a 'contains'
    phrase, is short enough to be leftover markup, or may be a menu."""
    if not line.words and len(line.folded) > LONG_LINE_CHARS:
        return False
    return (len(line.words) <= 3 or line.words[0] in keys.by_first_word
            or not keys.by_word.keys().isdisjoint(line.words)
            or line.folded.lstrip(_LEAD_CHARS)[:1] in keys.by_symbol
            or "|" in line.folded or "•" in line.folded or "·" in line.folded)  # a menu


@dataclass(frozen=True)
class _Keys:
    """Key word → the cue entries holding it, in file order."""

    by_first_word: dict[str, tuple[int, ...]]  # line, start and tail entries: a line's first word
    by_word: dict[str, tuple[int, ...]]        # contains entries: any word of the line
    by_symbol: dict[str, tuple[int, ...]]      # phrases without words (©): a line's first character


def _entries_to_try(line: Line) -> list[int]:
    """The cue entries whose key words the line holds, in the file's order (the first that fits wins)."""
    keys = _cue_keys()
    found = set(keys.by_first_word.get(line.words[0], ())) if line.words else set()
    for word in keys.by_word.keys() & set(line.words):
        found.update(keys.by_word[word])
    found.update(keys.by_symbol.get(line.folded.lstrip(_LEAD_CHARS)[:1], ()))
    return sorted(found)


@functools.cache
def _cue_keys() -> _Keys:
    cues = _cues()
    by_first_word: dict[str, list[int]] = {}
    by_word: dict[str, list[int]] = {}
    by_symbol: dict[str, list[int]] = {}
    for number, cue in enumerate(cues):
        for key in cue.keys:
            (by_word if cue.mode == "contains" else by_first_word).setdefault(key, []).append(number)
        for symbol in cue.symbols:
            by_symbol.setdefault(symbol, []).append(number)
    return _Keys(*({key: tuple(entries) for key, entries in table.items()}
                   for table in (by_first_word, by_word, by_symbol)))


_MENU_CUE = _Cue("navigation", "line", (MENU_REASON,), re.compile("$^"), 30, quoted=False)
_MARKUP_CUE = _Cue("other", "line", (MARKUP_REASON,), re.compile("$^"), 3, quoted=False)


@functools.cache
def _cues() -> tuple[_Cue, ...]:
    """The cue file, compiled: one regex per entry, in the file's order (the first entry that fits
    a line decides)."""
    entries = packagedata.resource_json("boilerplate_cues.json")["cues"]
    return tuple(_compile(entry) for entry in entries)


def _compile(entry: dict) -> _Cue:
    mode, phrases = entry["match"], tuple(entry["phrases"])
    alternatives, longest = [], 0
    for number, phrase in enumerate(phrases):
        words = WORDS.findall(fold(phrase))
        body = _JOIN.join(map(re.escape, words)) if words else re.escape(fold(phrase).strip())
        alternatives.append(f"(?P<p{number}>{body}){_suffix(mode, words)}")
        longest = max(longest, len(words) + (1 if len(words) >= 2 else 0))
    either = "(?:" + "|".join(alternatives) + ")"
    if mode == "contains":
        pattern = rf"(?<![^\W_]){either}"
    else:
        pattern = _LEAD + either
    default = TAIL_LINK_WORDS if mode == "tail" else longest
    keys, symbols = set(), set()
    for phrase in phrases:
        words = WORDS.findall(fold(phrase))
        if not words:
            symbols.add(fold(phrase).strip()[:1])
        else:
            keys.add(max(words, key=len) if mode == "contains" else words[0])
    return _Cue(entry["category"], mode, phrases, re.compile(pattern), entry.get("max_words", default),
                frozenset(keys), frozenset(symbols))


def _suffix(mode: str, words: list[str]) -> str:
    """What must follow a phrase for the mode (a line cue may carry one more word if it has two)."""
    if mode == "contains":
        return r"(?![^\W_])"
    if mode == "start":
        return _SEPARATOR_AFTER if words else ""  # a credit or tag line: "المصدر: …"; "© …"
    if mode == "tail":  # the heading alone, or the heading with one link after a separator
        return rf"(?:[\W_]*$|{_SEPARATOR_AFTER})"
    extra = rf"(?:{_JOIN}[^\W_]+)?" if len(words) >= 2 else ""
    return rf"{extra}[\W_]*$"


# The boilerplate categories a new project starts with (resources/labels.json): their names are the
# detector's vocabulary, so they stay as they are in every language, and are shown translated.
BUILT_IN_CATEGORIES = ("cookie_consent", "related_links", "app_promo", "share_social", "comment_form", "navigation",
                       "newsletter", "footer", "tags", "source_credit", "other")
CATEGORY_CONTEXT = "boilerplate category"


def category_title(name: str) -> str:
    """A category as the interface shows it: a built-in one in the interface's language (in English, its
    name), one the project added as it is named."""
    return pgettext(CATEGORY_CONTEXT, name) if name in BUILT_IN_CATEGORIES else name


def _category_titles_for_extraction() -> tuple[str, ...]:  # never called: marks them for the catalogue
    return (
        pgettext("boilerplate category", "cookie_consent"),
        pgettext("boilerplate category", "related_links"),
        pgettext("boilerplate category", "app_promo"),
        pgettext("boilerplate category", "share_social"),
        pgettext("boilerplate category", "comment_form"),
        pgettext("boilerplate category", "navigation"),
        pgettext("boilerplate category", "newsletter"),
        pgettext("boilerplate category", "footer"),
        pgettext("boilerplate category", "tags"),
        pgettext("boilerplate category", "source_credit"),
        pgettext("boilerplate category", "other"),
    )


def guess_category(text: str) -> str:
    """The category the cue phrases of a marked stretch point at (its first cue), else "other"."""
    blocks = cue_blocks(text, article_above=True)
    return blocks[0].category if blocks else "other"


def is_dateline(line: Line) -> bool:
    """A line of numbers and date words only ("20 مارس 2024", "2024-06-19 | 02:33", "السبت 16 نوفمبر"):
    every article of a day carries the same one, so repetition says nothing about it."""
    words = line.words
    if not words or len(words) > DATELINE_WORDS:
        return False
    dates = _date_words()
    return any(word.isdigit() for word in words) and all(word.isdigit() or word in dates for word in words)


DATELINE_WORDS = 12


@functools.cache
def _date_words() -> frozenset[str]:
    return frozenset(fold(word) for word in packagedata.resource_json("boilerplate_cues.json")["date_words"])


def fit_category(category: str, categories: list[str]) -> str:
    """`category` if the schema has it, else "other", else the schema's first (a schema may have dropped
    or renamed a default category the cue file still names)."""
    if category in categories or not categories:
        return category
    return "other" if "other" in categories else categories[0]
