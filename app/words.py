"""Word boundaries and span adjustments for Arabic text (no normalisation here)."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

TATWEEL = "\u0640"
JOINERS = "\u200c\u200d"
# One-letter proclitics; ال is handled on its own. Removal is always the analyst's choice.
PROCLITICS = "وفبلك"


def is_word_char(char: str) -> bool:
    """Letters, combining marks (harakat), digits, tatweel and joiners belong to a word."""
    if char in TATWEEL or char in JOINERS:
        return True
    return unicodedata.category(char)[0] in "LMN"


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Trim spaces/punctuation at the edges, then widen to whole words.

    Returns (start, start) when the selection holds no word character.
    """
    while start < end and not is_word_char(text[start]):
        start += 1
    while end > start and not is_word_char(text[end - 1]):
        end -= 1
    if start == end:
        return start, start
    while start > 0 and is_word_char(text[start - 1]):
        start -= 1
    while end < len(text) and is_word_char(text[end]):
        end += 1
    return start, end


def _skip_marks(text: str, index: int, end: int) -> int:
    while index < end and unicodedata.category(text[index]) == "Mn":
        index += 1
    return index


def trim_leading_clitic(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop one leading proclitic (و ف ب ل ك, or the article ال) with its harakat.

    A span is never trimmed to fewer than two letters, so a two-letter word stays whole.
    """
    if text.startswith("ال", start) and _letters(text, start + 2, end) >= 2:
        return _skip_marks(text, start + 2, end), end
    if start < end and text[start] in PROCLITICS:
        after = _skip_marks(text, start + 1, end)
        if _letters(text, after, end) >= 2:
            return after, end
    return start, end


def _letters(text: str, start: int, end: int) -> int:
    return sum(1 for char in text[start:end] if unicodedata.category(char).startswith("L"))


def grow(start: int, end: int, length: int, edge: str, amount: int) -> tuple[int, int]:
    """Move one edge of a span by `amount` characters (negative shrinks); never empty, never outside the text."""
    if edge == "start":
        start = min(max(0, start - amount), end - 1)
    else:
        end = max(min(length, end + amount), start + 1)
    return start, end


def word_spans(text: str) -> list[tuple[int, int]]:
    """Every word of the text as (start, end): maximal runs of is_word_char characters."""
    return [match.span() for match in _word_run().finditer(text)]


@functools.cache
def _word_run() -> re.Pattern:
    """is_word_char as one regex: [^\\W_] is letters and numbers; marks, tatweel and joiners are added
    as a class built from the Unicode tables (once)."""
    extra = sorted([code for code in range(sys.maxunicode + 1)
                    if unicodedata.category(chr(code))[0] == "M" and not re.match(r"[^\W_]", chr(code))]
                   + [ord(TATWEEL), *map(ord, JOINERS)])
    ranges, first = [], extra[0]  # as ranges: a class of 2,000 single characters makes the regex slow
    for previous, code in zip(extra, [*extra[1:], None]):
        if code != previous + 1:
            ranges.append(re.escape(chr(first)) + ("-" + re.escape(chr(previous)) if previous > first else ""))
            first = code
    return re.compile(f"(?:[^\\W_]|[{''.join(ranges)}])+")
