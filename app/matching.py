"""Finding a word or phrase in Arabic text the way a reader would: one engine for find-in-document,
corpus search, propagation and gazetteers.

Matching runs on the folded text (app.normalize) and maps every hit back to original offsets.
- Whole words: a hit starts and ends at word boundaries of the folded text (word characters are
  those of app.words.is_word_char: letters, marks, digits, tatweel, joiners). روسيا is not found
  inside روسيات or بيلاروسيا; it is found in روسياً because folding drops the tanween.
- Phrases: the words of a query match across any run of whitespace holding at most one newline,
  so a phrase may wrap onto the next line but never crosses a paragraph break (a blank line).
- Proclitics: with clitics=True a query also matches behind an attached proclitic (PROCLITICS).
  Only what precedes the query's own first letter is split off, so لبنان and واشنطن are always
  matched whole. When a query starting with the article follows ل, the article's alef is dropped in
  writing (ل + الفيروس → للفيروس); the hit then starts at the article's ل (لفيروس, prefix ل).
- Similar spellings (similar=True): see `spelling_distance`.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import Iterable
from functools import lru_cache

from app.normalize import DEFAULT_FOLDS, WORDS, Folds, NormalizedText, fold, normalize
from app.words import is_word_char

# Attached proclitics, as they appear after folding: conjunctions و ف, prepositions ب ل ك, the
# article ال, and their combinations. لل is ل + ال with the alef dropped. Longest first, so the
# regex tries وبال before و.
PROCLITICS: tuple[str, ...] = tuple(sorted((
    "و", "ف", "ب", "ل", "ك",
    "ال",
    "وب", "ول", "وك", "فب", "فل", "فك",
    "وال", "فال", "بال", "كال", "لل",
    "وبال", "وكال", "فبال", "فكال", "ولل", "فلل",
), key=len, reverse=True))
_LONGEST_PREFIX = max(map(len, PROCLITICS))
# Proclitics ending in the preposition ل, after which the article loses its alef (للفيروس).
LAM_PROCLITICS: tuple[str, ...] = ("ول", "فل", "ل")

# Letters that transliterations of foreign names swap (on the folded form): g as ج غ ق ك گ ڨ,
# j/y as ج ي (Jong / Yong), p as ب پ, v as ف ڤ. Swapping within a group costs half an edit.
TRANSLITERATION_GROUPS: tuple[str, ...] = ("جغقكگڨ", "جي", "بپ", "فڤ")
SWAP_COST = 0.5
# Only query words this long get an edit budget of one; shorter words must match exactly, or كيم
# would find قيم.
SIMILAR_MIN_LENGTH = 4

# Whitespace between the words of a phrase: any run with at most one newline.
_GAP = r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)"
# Cheap pre-filters for the regex; the exact boundary test is _at_word_boundaries.
_NOT_AFTER_WORD = r"(?<![^\W_])"
_NOT_BEFORE_WORD = r"(?![^\W_])"


@dataclass(frozen=True)
class Match:
    start: int  # original code-point offsets of the proposed span (without the prefix unless keep_prefix)
    end: int
    text: str   # original[start:end]
    kind: str   # "exact" or "similar"
    prefix: str = ""  # the attached proclitic as written in the original (harakat included), "" if none


def find_all(text: str | NormalizedText, query: str, *, clitics: bool = True, keep_prefix: bool = False,
             similar: bool = False, folds: Folds | None = None,
             variants: list[list[str]] | None = None) -> list[Match]:
    """Every occurrence of `query` in `text`, sorted by start, never overlapping.

    `folds` defaults to Folds() for a str and to the text's own folds for a NormalizedText (reuse
    one for many queries); passing folds that differ from a NormalizedText's is an error.
    With `similar`, the spellings tried for each query word are those of the text's own words
    (`similar_variants`); a search over many documents passes `variants` worked out once from the
    whole corpus's words instead.
    """
    normalized = _normalized(text, folds)
    words = fold(query, normalized.folds).split()
    if not words:
        return []
    exact = _scan(normalized, [[word] for word in words], words, clitics, keep_prefix, "exact")
    if not similar:
        return exact
    if variants is None:
        variants = similar_variants(set(WORDS.findall(normalized.folded)), words, clitics)
    if variants is None:
        return exact
    close = _scan(normalized, variants, words, clitics, keep_prefix, "similar")
    return _merge(exact, close)


def spelling_distance(a: str, b: str) -> float:
    """How far apart two folded words are as spellings of one name.

    A swap within a TRANSLITERATION_GROUPS group costs SWAP_COST; any other substitution, insertion
    or deletion costs 1, except at the end of the word, where it is grammar rather than spelling
    (روسي، روسية are adjectives of روسيا; روسيات a plural) and is not counted as a variant at all.
    Exact up to a distance of 1; anything further returns 2. (Two words of equal length can only
    differ by substitutions within that budget: an insertion plus a deletion already costs 2.)
    """
    if len(a) == len(b):
        cost = 0.0
        for position, (x, y) in enumerate(zip(a, b)):
            if x != y:
                swap = _swappable(x, y)
                cost += SWAP_COST if swap else 1
                if cost > 1 or (not swap and position == len(a) - 1):
                    return 2
        return cost
    if abs(len(a) - len(b)) == 1:
        shorter, longer = sorted((a, b), key=len)
        i = next((i for i, (x, y) in enumerate(zip(shorter, longer)) if x != y), len(shorter))
        at_end = i >= len(shorter)
        return 1 if not at_end and shorter[i:] == longer[i + 1:] else 2
    return 2


# --- scanning --------------------------------------------------------------------------------------


def _normalized(text: str | NormalizedText, folds: Folds | None) -> NormalizedText:
    if isinstance(text, NormalizedText):
        if folds is not None and folds != text.folds:
            raise ValueError("folds differ from those the NormalizedText was built with")
        return text
    return normalize(text, folds or DEFAULT_FOLDS)


def _scan(normalized: NormalizedText, alternatives: list[list[str]], query_words: list[str],
          clitics: bool, keep_prefix: bool, kind: str) -> list[Match]:
    """Matches of a phrase whose word i may be any of alternatives[i]."""
    folded = normalized.folded
    if not _may_occur(folded, alternatives, clitics):
        return []
    pattern = _pattern(tuple(map(tuple, alternatives)), clitics, tuple(query_words))
    cores = _Cores(tuple(alternatives[0]) + tuple(_lam_contractions(alternatives[0])), folded)
    found, position = [], 0
    while hit := _search(pattern, cores, folded, position):
        match = None
        if _at_word_boundaries(folded, *hit.span()):
            match = _to_match(normalized, hit, keep_prefix, kind)
        if match is None:
            position = hit.start() + 1  # a later start may still match
            continue
        found.append(match)
        position = max(hit.end(), hit.start() + 1)
    return found


def _search(pattern: re.Pattern, cores: _Cores, folded: str, position: int) -> re.Match | None:
    """pattern.search(folded, position), several times faster on long texts.

    Every match holds one of the cores (the first word, or its ل-contraction) at most
    len(PROCLITICS[0]) characters after its start. So find the next core with str.find (memchr
    speed) and try the pattern only at the few starts that can reach it, leftmost first, as
    search would; a core no match reaches is stepped over.
    """
    while (core := cores.first_from(position)) >= 0:
        for start in range(max(position, core - _LONGEST_PREFIX), core + 1):
            if hit := pattern.match(folded, start):
                return hit
        position = core + 1
    return None


class _Cores:
    """Where the next occurrence of any of some words starts, remembering each word's next one so a
    long text is read once per word rather than once per hit."""

    def __init__(self, words: tuple[str, ...], text: str):
        self.text = text
        self.next = {word: text.find(word) for word in set(words)}

    def first_from(self, position: int) -> int:
        """The leftmost start of any word at or after `position`, -1 if none."""
        for word, at in self.next.items():
            if 0 <= at < position:
                self.next[word] = self.text.find(word, position)
        return min((at for at in self.next.values() if at >= 0), default=-1)


def _may_occur(folded: str, alternatives: list[list[str]], clitics: bool) -> bool:
    """Fast substring test (the usual answer when searching many documents): every word must occur."""
    first = alternatives[0] + (_lam_contractions(alternatives[0]) if clitics else [])
    return (any(word in folded for word in first)
            and all(any(word in folded for word in words) for words in alternatives[1:]))


@lru_cache(maxsize=256)  # one query is scanned over thousands of documents
def _pattern(alternatives: tuple[tuple[str, ...], ...], clitics: bool, query_words: tuple[str, ...]) -> re.Pattern:
    rest = "".join(_GAP + _either(words) for words in alternatives[1:])
    body = f"(?P<core>{_either(alternatives[0])}{rest})"
    if clitics and is_word_char(query_words[0][0]):
        # Behind a prefix the word keeps the query's first letter (see _close_cores).
        first_letter = re.escape(query_words[0][0])
        body = f"(?:(?P<prefix>{_either(PROCLITICS)})(?={first_letter}))?{body}"
        contracted = _lam_contractions(list(alternatives[0]))
        if contracted:
            body += f"|(?P<lam>{_either(LAM_PROCLITICS)})(?P<lamcore>{_either(contracted)}{rest})"
    before = _NOT_AFTER_WORD if is_word_char(query_words[0][0]) else ""
    after = _NOT_BEFORE_WORD if is_word_char(query_words[-1][-1]) else ""
    return re.compile(f"{before}(?:{body}){after}")


def _lam_contractions(words: list[str]) -> list[str]:
    """الفيروس → لفيروس: how the word is written after the preposition ل."""
    return ["ل" + word[2:] for word in words if word.startswith("ال") and len(word) > 2]


def _either(words) -> str:
    # Longest first: of two alternatives that both fit, the regex must try the longer one.
    return "(?:" + "|".join(re.escape(word) for word in sorted(set(words), key=lambda w: (-len(w), w))) + ")"


def _at_word_boundaries(folded: str, start: int, end: int) -> bool:
    """Like regex \\b, with app.words' notion of a word character (marks and joiners included)."""
    def boundary(at: int) -> bool:
        return at in (0, len(folded)) or not (is_word_char(folded[at - 1]) and is_word_char(folded[at]))
    return boundary(start) and boundary(end)


def _to_match(normalized: NormalizedText, hit: re.Match, keep_prefix: bool, kind: str) -> Match | None:
    """The hit as original offsets; None when an edge falls inside one original character.

    That happens only with expansions: الله inside ﷺ (صلى الله عليه وسلم), or a prefix ل and a word
    starting with ا sharing one ﻻ. Part of a character cannot be annotated, so such hits are skipped.
    """
    core = "core" if hit.group("core") is not None else "lamcore"
    prefix_group = "prefix" if core == "core" else "lam"
    has_prefix = bool(hit.re.groupindex.get(prefix_group)) and bool(hit.group(prefix_group))
    edges = (hit.start(), hit.start(core), hit.end(core))
    if not all(normalized.is_char_boundary(edge) for edge in edges):
        return None
    start, end = normalized.span_to_original(hit.start(core), hit.end(core))
    prefix = normalized.original[normalized.to_original(hit.start()):start] if has_prefix else ""
    if keep_prefix:
        start -= len(prefix)
    return Match(start, end, normalized.original[start:end], kind, prefix)


# --- similar spellings -----------------------------------------------------------------------------


def similar_variants(vocabulary: Iterable[str], words: list[str], clitics: bool) -> list[list[str]] | None:
    """For each folded query word, the words of `vocabulary` within its budget (the word itself included).

    Each vocabulary word is compared once, after a length filter. For the first query word a leading
    proclitic of the vocabulary word is set aside first (وبيونج → بيونج), so the phrase scan treats it
    like any other prefix. None when no query word is long enough to vary.
    """
    if all(len(word) < SIMILAR_MIN_LENGTH for word in words):
        return None
    vocabulary = list(vocabulary)
    variants = []
    for index, word in enumerate(words):
        found = {word}
        if len(word) >= SIMILAR_MIN_LENGTH:
            for candidate in vocabulary:
                found.update(_close_cores(candidate, word, clitics and index == 0))
        variants.append(sorted(found))
    return variants


def _close_cores(candidate: str, word: str, strip_clitic: bool) -> list[str]:
    """The candidate, or the candidate without a leading proclitic, when within one edit of `word`."""
    extra = len(candidate) - len(word)
    longest_extra = 1 + (len(PROCLITICS[0]) if strip_clitic else 0)
    if not -1 <= extra <= longest_extra:
        return []
    cores = [candidate]
    if strip_clitic:
        # Only prefixes that leave a core of about the right length. Behind a prefix the first
        # letter must not change: بيونغ is ب + يونغ, a one-swap variant of جونغ, but not Jong.
        cores += [candidate[size:] for size in range(max(1, extra - 1), extra + 2)
                  if candidate[:size] in _PROCLITIC_SET and candidate[size:size + 1] == word[0]]
    return [core for core in cores if spelling_distance(core, word) <= 1]


_PROCLITIC_SET = frozenset(PROCLITICS)


def _swappable(x: str, y: str) -> bool:
    return any(x in group and y in group for group in TRANSLITERATION_GROUPS)


def _merge(exact: list[Match], close: list[Match]) -> list[Match]:
    """Exact hits, plus the similar ones that overlap none of them, sorted by start."""
    starts = [hit.start for hit in exact]

    def overlaps_exact(match: Match) -> bool:
        # Exact hits are sorted and disjoint, so of those starting before match.end the last one
        # reaches furthest.
        before = bisect_left(starts, match.end)
        return before > 0 and exact[before - 1].end > match.start

    kept = [match for match in close if not overlaps_exact(match)]
    return sorted(exact + kept, key=lambda match: match.start)
