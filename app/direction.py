"""Which way a paragraph reads, where Unicode's first-strong rule gets news text wrong.

Qt gives each paragraph the direction of its first strongly directional character (UAX #9, P2). Flags
(regional indicators, U+1F1E6–U+1F1FF) and other enclosed letters are symbols whose bidirectional class is
L, so an Arabic tweet quoted as "🇸🇦 قال الوزير…" would be laid out left to right, its words in the wrong
order across line breaks. A paragraph reads the way its first *letter* reads; symbols never decide.
"""

from __future__ import annotations

import re
import unicodedata

# Characters of class L that are symbols (category So): enclosed alphanumerics and regional indicators,
# with a few stray ones in the miscellaneous symbols. Nothing else can make a paragraph wrongly LTR.
_LEFT_TO_RIGHT_SYMBOLS = re.compile("[\u2600-\u26ff\U0001f100-\U0001f2ff]")
_PARAGRAPH_BREAK = re.compile("[\n\u2029]")


def first_letter_direction(paragraph: str) -> str | None:
    """'rtl' or 'ltr' from the paragraph's first strongly directional letter; None when it has none."""
    for character in paragraph:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L" and not unicodedata.category(character).startswith("S"):
            return "ltr"
    return None


def first_strong_direction(paragraph: str) -> str | None:
    """What the plain first-strong rule (Qt's) gives."""
    for character in paragraph:
        kind = unicodedata.bidirectional(character)
        if kind in ("R", "AL"):
            return "rtl"
        if kind == "L":
            return "ltr"
    return None


def direction_corrections(text: str) -> list[tuple[int, str]]:
    """(paragraph index, direction) for each paragraph the first-strong rule lays out the wrong way.

    Paragraphs are the text's lines, as the reading pane makes them. Almost every document has none of
    those symbols, and then costs one regular-expression search.
    """
    if not _LEFT_TO_RIGHT_SYMBOLS.search(text):
        return []
    corrections = []
    for index, paragraph in enumerate(_PARAGRAPH_BREAK.split(text)):
        if not _LEFT_TO_RIGHT_SYMBOLS.search(paragraph):
            continue
        wanted = first_letter_direction(paragraph)
        if wanted is not None and wanted != first_strong_direction(paragraph):
            corrections.append((index, wanted))
    return corrections
