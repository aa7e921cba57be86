"""Folding Arabic text for matching, with a map from the folded text back to the original offsets.

The original text is never changed: `normalize` returns the folded copy next to it, and every offset
that leaves this module is a code-point offset into the original (end-exclusive).

Folding is one `str.translate` over a per-`Folds` table. Most folds are one character to one
character (أ → ا), which keeps offsets; only deletions (harakat, tatweel, invisible controls) and
expansions (ligatures such as ﻻ → لا, ß → ss) move them. The index map therefore only records where
the shift between folded and original offsets changes: a text with nothing deleted or expanded
carries a one-entry map (the identity) and maps in O(1); otherwise a lookup is a binary search.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from array import array
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Callable

TATWEEL = "\u0640"

# Ranges are inclusive code-point pairs.
HARAKAT = ((0x064B, 0x065F), (0x0670, 0x0670), (0x06D6, 0x06ED), (0x0610, 0x061A))
INVISIBLE = ((0x200B, 0x200F), (0x202A, 0x202E), (0x2066, 0x2069), (0x061C, 0x061C), (0x00AD, 0x00AD),
             (0xFEFF, 0xFEFF), (0x2060, 0x2060))  # 0x200B–0x200F: ZWSP, ZWNJ, ZWJ, LRM, RLM; 0x2060 word joiner
PRESENTATION = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF))
ALEF = {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا"}
ALEF_MAQSURA = {"ى": "ي"}
TEH_MARBUTA = {"ة": "ه"}
WAW_HAMZA = {"ؤ": "و"}
YEH_HAMZA = {"ئ": "ي"}
PERSIAN = {"\u06A9": "ك", "\u06CC": "ي"}  # keheh ک, Farsi yeh ی
DIGITS = {chr(base + n): str(n) for base in (0x0660, 0x06F0) for n in range(10)}  # Arabic-Indic, Persian
# Every cased letter of current Unicode lies below this (Adlam ends at U+1E94B); scanning all of
# Unicode would cost ~0.1 s at first use for nothing.
_CASED_LIMIT = 0x20000


@dataclass(frozen=True)
class Folds:
    """Which spelling differences to ignore. All on by default."""

    harakat: bool = True       # tashkeel, tanween, shadda, sukun, superscript alef, Quranic marks: removed
    tatweel: bool = True       # ـ removed
    alef: bool = True          # أ إ آ ٱ → ا
    alef_maqsura: bool = True  # ى → ي
    teh_marbuta: bool = True   # ة → ه
    waw_hamza: bool = True     # ؤ → و
    yeh_hamza: bool = True     # ئ → ي
    persian: bool = True       # ک → ك, ی → ي
    digits: bool = True        # ٠–٩ and ۰–۹ → 0–9
    invisible: bool = True     # bidi controls, ZWJ/ZWNJ, ZWSP, soft hyphen, BOM, word joiner: removed
    presentation: bool = True  # Arabic presentation forms (ﻻ, ﺏ …) → their letters (NFKC of that char only)
    casefold: bool = True      # Latin (and any cased script) case-insensitive


DEFAULT_FOLDS = Folds()
# The words of a folded text: runs of letters and digits (one definition for matching, boilerplate
# lines and near-duplicate shingles).
WORDS = re.compile(r"[^\W_]+")


class NormalizedText:
    """A text, its folded form, and the map between their offsets."""

    __slots__ = ("original", "folded", "folds", "_starts", "_origins", "_absorbed", "_expanded")

    def __init__(self, original: str, folded: str, folds: Folds,
                 starts: array, origins: array, absorbed: frozenset[str], expanded: bool = True):
        self.original = original
        self.folded = folded
        self.folds = folds
        # Segment k: folded offsets from starts[k] on map to origins[k] + (offset - starts[k]).
        self._starts = starts
        self._origins = origins
        self._absorbed = absorbed
        self._expanded = expanded  # False: no character folded to two or more, every boundary is one

    def __repr__(self) -> str:
        return f"NormalizedText({self.original[:20]!r}…, {len(self.original)} chars)"

    def to_original(self, index: int) -> int:
        """Original offset of the folded character at `index` (len(folded) maps past trailing deletions)."""
        k = bisect_right(self._starts, index) - 1
        return self._origins[k] + index - self._starts[k]

    def is_char_boundary(self, index: int) -> bool:
        """False when folded characters index-1 and index come from one original character (ﻻ → لا)."""
        if not self._expanded or index <= 0 or index >= len(self.folded):
            return True
        return self.to_original(index - 1) != self.to_original(index)

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        """Folded [start, end) → original [start, end).

        The end is extended over the harakat and tatweel that follow the last letter in the original,
        so a hit on كثيرا covers كثيرًا's tanween. A span that starts or ends inside an expanded
        character (half of ﻻ) covers that whole character.
        """
        if not 0 <= start <= end <= len(self.folded):
            raise ValueError(f"span {start}–{end} outside the folded text (length {len(self.folded)})")
        if start == end:
            offset = self.to_original(start)
            return offset, offset
        original_end = self.to_original(end - 1) + 1
        while original_end < len(self.original) and self.original[original_end] in self._absorbed:
            original_end += 1
        return self.to_original(start), original_end

    def to_folded(self, offset: int) -> int:
        """Folded offset of the first folded character at or after original `offset`."""
        k = bisect_right(self._origins, offset) - 1
        while k > 0 and self._origins[k - 1] == self._origins[k]:
            k -= 1  # the characters of one expansion share an origin: take the first
        segment_end = self._starts[k + 1] if k + 1 < len(self._starts) else len(self.folded)
        return min(self._starts[k] + offset - self._origins[k], segment_end)

    def span_to_folded(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) → folded [start, end) (e.g. to search only inside an annotation)."""
        if not 0 <= start <= end <= len(self.original):
            raise ValueError(f"span {start}–{end} outside the text (length {len(self.original)})")
        return self.to_folded(start), self.to_folded(end)


def fold(text: str, folds: Folds = DEFAULT_FOLDS) -> str:
    """The folded form only (for queries, and for the search index)."""
    return _fold(text, folds, _tables(folds))


def normalize(text: str, folds: Folds = DEFAULT_FOLDS) -> NormalizedText:
    tables = _tables(folds)
    folded = _fold(text, folds, tables)
    expanded = tables.expanding is not None and tables.expanding.search(text) is not None
    if expanded:
        starts, origins = _map_with_expansions(text, tables)
    else:
        starts, origins = _map_deletions_only(text, tables)
    return NormalizedText(text, folded, folds, starts, origins, tables.absorbed, expanded)


def _fold(text: str, folds: Folds, tables: _Tables) -> str:
    if folds == DEFAULT_FOLDS:
        try:
            return default_byte_fold().apply(text)
        except UnicodeEncodeError:  # a character outside ASCII and COMMON_CHARACTERS
            pass
    return _translate(text, tables)


def _translate(text: str, tables: _Tables) -> str:
    """text.translate(tables.table), about four times faster on ordinary text.

    str.translate looks every character up in a dict. Here the deletions are one regex pass, the
    handful of 1:1 letter folds are str.replace calls, and case folding is str.casefold — the same
    result (a property test checks it) as long as no character needs the table's own expansion
    (presentation forms such as ﻻ), in which case the table is used.
    """
    if tables.needs_table is not None and tables.needs_table.search(text):
        return text.translate(tables.table)
    if tables.deleting is not None:
        text = tables.deleting.sub("", text)
    for source, target in tables.letters:
        if source in text:
            text = text.replace(source, target)
    return text.casefold() if tables.casefold else text


# Characters of ordinary Arabic text besides ASCII: letters, harakat, digits, common punctuation
# and spaces, invisible controls. A text made only of these is folded at C speed by ByteFold.
COMMON_CHARACTERS = "".join(map(chr, [
    *range(0x0621, 0x0656), *range(0x0660, 0x0672), 0x067E, 0x0686, 0x0698, 0x06A4, 0x06A9, 0x06AF, 0x06CC,
    *range(0x06F0, 0x06FA), 0x00A0, 0x00AB, 0x00BB, 0x00AD, 0x060C, 0x061B, 0x061C, 0x061F, 0x06D4,
    *range(0x200B, 0x2010), 0x2013, 0x2014, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2026,
    *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF,
    0x00A9, 0x00AE, 0x00B0, 0x00B7, 0x00D7, 0x00F7, 0x20AC, 0x2122,  # © ® ° · × ÷ € ™
]))
_UNUSED = "\ufffe"  # a non-character: what byte values outside the repertoire decode to


class ByteFold:
    """A per-character fold of texts made of ASCII and COMMON_CHARACTERS, in three C calls.

    Each such character gets a byte of its own (a bijective charmap codec: encoding is fast, and
    raises UnicodeEncodeError on any other character, for the caller's general path). Folding is then
    one bytes.translate mapping each byte to the byte of the character's folded form, or deleting it;
    decoding gives the text back. About 8 µs per 4 KB document, against ~40 µs for the regex passes.
    `target(char)` must give, for every character of the repertoire, "" or one repertoire character.
    """

    def __init__(self, target: Callable[[str], str]) -> None:
        used = "".join(map(chr, range(128))) + COMMON_CHARACTERS
        if len(used) > 256:
            raise ValueError("ASCII and COMMON_CHARACTERS must fit in one byte each")
        self.decoding = used.ljust(256, _UNUSED)
        self.encoding = codecs.charmap_build(self.decoding)
        folded = [target(char) for char in used]
        if any(len(into) > 1 or (into and into not in used) for into in folded):
            raise ValueError("a character folds to something outside ASCII and COMMON_CHARACTERS")
        self.table = bytes(used.index(into) if into else 0 for into in folded).ljust(256, b"\0")
        self.deleted = bytes(byte for byte, into in enumerate(folded) if not into)

    def apply(self, text: str) -> str:
        return self.apply_encoded(self.encode(text))

    def encode(self, text: str) -> bytes:
        """The text's bytes for apply_encoded (equal for every ByteFold: one encoding serves several folds)."""
        return codecs.charmap_encode(text, "strict", self.encoding)[0]

    def apply_encoded(self, encoded: bytes) -> str:
        return codecs.charmap_decode(encoded.translate(self.table, self.deleted), "strict", self.decoding)[0]


@lru_cache(maxsize=1)
def default_byte_fold() -> ByteFold:
    tables = _tables(DEFAULT_FOLDS)
    return ByteFold(lambda char: _translate(char, tables))


# --- the index map ---------------------------------------------------------------------------------


def _map_deletions_only(text: str, tables: _Tables) -> tuple[array, array]:
    """Segments for a text whose folding only deletes or replaces 1:1, built at C speed.

    re.split with a capturing group alternates kept and deleted parts; after deleted part k the
    folded offset is the total length of the kept parts so far and the original offset is the
    total length of all parts so far.
    """
    if tables.deleting is None:
        return array("i", [0]), array("i", [0])
    parts = tables.deleting.split(text)
    if len(parts) == 1:
        return array("i", [0]), array("i", [0])  # identity
    lengths = list(map(len, parts))
    kept_totals = list(accumulate(lengths[0::2]))
    all_totals = list(accumulate(lengths))
    starts = array("i", [0])
    starts.extend(kept_totals[:-1])
    origins = array("i", [0])
    origins.extend(all_totals[1::2])
    return starts, origins


def _map_with_expansions(text: str, tables: _Tables) -> tuple[array, array]:
    """General case: each character an expansion produces gets its own segment pointing at its source."""
    table = tables.table
    starts, origins = array("i", [0]), array("i", [0])

    def add(folded_at: int, original_at: int) -> None:
        if starts[-1] == folded_at:
            origins[-1] = original_at  # a later segment at the same folded offset wins
        else:
            starts.append(folded_at)
            origins.append(original_at)

    shift = 0  # folded offset minus original offset inside the current 1:1 stretch
    for run in tables.irregular.finditer(text):
        folded_at, original_at = run.start() + shift, run.start()
        for char in run.group():
            for _ in table[ord(char)]:
                add(folded_at, original_at)
                folded_at += 1
            original_at += 1
        add(folded_at, original_at)
        shift = folded_at - original_at
    return starts, origins


# --- the fold tables -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tables:
    table: dict[int, str]              # for str.translate; "" deletes
    deleting: re.Pattern | None        # runs of deleted characters, one capturing group (for re.split)
    expanding: re.Pattern | None       # one character folded to two or more
    irregular: re.Pattern | None       # runs of deleted or expanded characters
    absorbed: frozenset[str]           # deleted marks and tatweel a span's end takes along
    letters: tuple[tuple[str, str], ...]  # the 1:1 folds that are not case folding (أ → ا)
    casefold: bool                     # whether str.casefold gives the table's case folds
    needs_table: re.Pattern | None     # characters only the table folds right (presentation forms)


@lru_cache(maxsize=None)
def _tables(folds: Folds) -> _Tables:
    table = _one_to_one_table(folds)
    if folds.presentation:
        table.update(_presentation_table(table))
    deleted = [cp for cp, value in table.items() if value == ""]
    expanded = [cp for cp, value in table.items() if len(value) > 1]
    absorbed = frozenset(chr(cp) for cp in deleted if _is_mark_like(chr(cp)))
    cased = _casefold_table() if folds.casefold else {}
    # Presentation forms (hundreds of them, rare in text) go to the table rather than str.replace.
    special = [cp for cp, value in table.items()
               if value and cased.get(cp) != value and (len(value) > 1 or _in_ranges(cp, PRESENTATION))]
    letters = tuple((chr(cp), value) for cp, value in table.items()
                    if len(value) == 1 and cased.get(cp) != value and not _in_ranges(cp, PRESENTATION))
    return _Tables(
        table=table,
        deleting=re.compile(f"({_char_class(deleted)}+)") if deleted else None,
        expanding=re.compile(_char_class(expanded)) if expanded else None,
        irregular=re.compile(_char_class(deleted + expanded) + "+") if deleted or expanded else None,
        absorbed=absorbed,
        letters=letters,
        casefold=folds.casefold,
        needs_table=re.compile(_char_class(special)) if special else None,
    )


def _one_to_one_table(folds: Folds) -> dict[int, str]:
    """Every fold except presentation forms: deletions, 1:1 letters, and casefold (which may expand)."""
    table: dict[int, str] = dict(_casefold_table()) if folds.casefold else {}
    letters = {"alef": ALEF, "alef_maqsura": ALEF_MAQSURA, "teh_marbuta": TEH_MARBUTA,
               "waw_hamza": WAW_HAMZA, "yeh_hamza": YEH_HAMZA, "persian": PERSIAN, "digits": DIGITS}
    for name, mapping in letters.items():
        if getattr(folds, name):
            table.update({ord(source): target for source, target in mapping.items()})
    deletions = {"harakat": HARAKAT, "tatweel": ((ord(TATWEEL), ord(TATWEEL)),), "invisible": INVISIBLE}
    for name, ranges in deletions.items():
        if getattr(folds, name):
            table.update({cp: "" for low, high in ranges for cp in range(low, high + 1)})
    return table


def _presentation_table(base: dict[int, str]) -> dict[int, str]:
    """Presentation forms → NFKC of that character, then the other folds (ﻷ → لأ → لا)."""
    found = {}
    for low, high in PRESENTATION:
        for cp in range(low, high + 1):
            if cp in base:
                continue  # U+FEFF is the BOM: the invisible fold decides
            expanded = unicodedata.normalize("NFKC", chr(cp))
            if expanded == chr(cp):
                continue
            # Spacing forms of harakat (ﹰ, ﱞ) decompose to a space plus marks; the space is an
            # artefact of the compatibility mapping, not a word break in the text.
            if expanded.startswith(" ") and all(unicodedata.category(c) == "Mn" for c in expanded[1:]):
                expanded = expanded[1:]
            found[cp] = expanded.translate(base)
    return found


def _in_ranges(cp: int, ranges) -> bool:
    return any(low <= cp <= high for low, high in ranges)


def _is_mark_like(char: str) -> bool:
    """Harakat, tatweel and their spacing presentation forms (ﹰ) — not invisible controls or symbols (۞)."""
    expanded = unicodedata.normalize("NFKC", char).strip()
    return bool(expanded) and all(unicodedata.category(c) == "Mn" or c == TATWEEL for c in expanded)


@lru_cache(maxsize=1)
def _casefold_table() -> dict[int, str]:
    found = {}
    for cp in range(_CASED_LIMIT):
        char = chr(cp)
        folded = char.casefold()
        if folded != char:
            found[cp] = folded
    return found


def _char_class(code_points: list[int]) -> str:
    """A regex character class for the given code points, as ranges."""
    pieces = []
    for low, high in _ranges(sorted(set(code_points))):
        pieces.append(re.escape(chr(low)) if low == high else f"{re.escape(chr(low))}-{re.escape(chr(high))}")
    return "[" + "".join(pieces) + "]"


def _ranges(sorted_points: list[int]):
    low = high = sorted_points[0]
    for cp in sorted_points[1:]:
        if cp == high + 1:
            high = cp
            continue
        yield low, high
        low = high = cp
    yield low, high
