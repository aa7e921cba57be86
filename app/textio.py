"""Turning the raw bytes of an imported .txt file into text.

Arabic news files arrive as UTF-8, UTF-16 or one of the two legacy Arabic
code pages, cp1256 and ISO-8859-6. The legacy pages overlap so much that the
wrong one usually still decodes, so a guess is accepted only when it reads as
plausible text and clearly beats every other reading. Refusing a file is
better than importing mojibake that annotators would then label.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from app.i18n import N_, _

# Why a file is refused, in English (the language of the catalogue): DecodeError carries the translation.
EMPTY = N_("the file is empty")
BINARY = N_("looks like a binary file (contains NUL bytes)")
CONTROLS = N_("looks like a binary file (contains control characters)")
UNSURE = N_(
    "cannot tell its text encoding with confidence "
    "(tried UTF-8, cp1256, ISO-8859-6, UTF-16)"
)

# (byte-order mark, reported name, codec for the bytes after the mark).
# UTF-32 LE comes first because its mark starts with the UTF-16 LE one.
BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16-be"),
)
GUESSED_ENCODINGS = ("cp1256", "iso8859-6", "utf-16-le", "utf-16-be")

MIN_SCORE = 0.9
MIN_SCORE_LEAD = 0.1
# Bad characters the runner-up must have beyond twice the winner's: one
# mangled word or misplaced mark is decisive even in a two-word file.
MIN_EVIDENCE_LEAD = 3
MISPLACED_HARAKA_WEIGHT = 3

STRAY_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
NEWLINE = re.compile("\r\n?")

ARABIC_LETTER = (
    "\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5"
    "\u06ee\u06ef\u06fa-\u06fc\u06ff\u0750-\u077f"
)
HARAKA = "\u064b-\u0652"
SHADDA = "\u0651"
# Tatweel, madda, hamza above/below and dagger alef can all carry a haraka
# (the latter three in decomposed text).
HARAKA_BEARER = re.compile(f"[{ARABIC_LETTER}\u0640\u0653-\u0655\u0670]")
PLAUSIBLE = re.compile(
    "[\\s!-~"
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f"  # Latin letters, without × ÷
    "\u0370-\u04ff"  # Greek and Cyrillic, for names in UTF-16 files
    "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"
    "\u00a3\u00a9\u00ab\u00ae\u00b0\u00b1\u00b7\u00bb\u20ac"
    "\u2010-\u2015\u2018-\u201f\u2022\u2026\u2032\u2033\u2039\u203a"  # –’“•…
    "\u200b-\u200f\u202a-\u202e\u2066-\u2069"  # zero-width and bidi controls
    "\U0001f300-\U0001faff"  # emoji
    "]"
)
NON_SPACE = re.compile(r"\S")
WORD_CHAR = re.compile(f"[^\\W_]|[{HARAKA}]")
TOKEN = re.compile(r"\S+")
# An Arabic letter touching a Latin one (× and ÷ included) is what each
# legacy code page's Arabic turns into when read as the other, or as Latin-1.
LATIN = "A-Za-z\u00c0-\u024f"
ARABIC_TOUCHING_LATIN = re.compile(
    f"[{ARABIC_LETTER}][{LATIN}]|[{LATIN}][{ARABIC_LETTER}]"
)
# Accented letters with no plain Latin letter beside them spell no European
# word; they are ISO-8859-6 Arabic read as cp1256.
LONE_ACCENTED_RUN = re.compile(r"(?<![A-Za-z])[\u00c0-\u024f]{2,}(?![A-Za-z])")
# The longest Arabic words have about fifteen letters; far longer runs are
# one byte repeated or other non-text.
OVERLONG_ARABIC_WORD = re.compile(
    f"(?:[{ARABIC_LETTER}][{HARAKA}\u0653-\u0655\u0670]*){{25,}}"
)
HARAKA_RUN = re.compile(f"(.?)([{HARAKA}]+)", re.DOTALL)
# Tanween ends a word; only fathatan may still be followed by its alef.
MID_WORD_TANWEEN = re.compile(
    f"[\u064c\u064d][{ARABIC_LETTER}]|\u064b(?![\u0627\u0649])[{ARABIC_LETTER}]"
)


class DecodeError(ValueError):
    """Raised with a human-readable reason (no file name; the caller adds it),
    e.g. 'looks like a binary file (contains NUL bytes)', 'the file is empty',
    'cannot tell its text encoding with confidence (tried UTF-8, cp1256,
    ISO-8859-6, UTF-16)', in the interface's language."""


@dataclass(frozen=True)
class Reading:
    encoding: str
    text: str
    bad_chars: int
    score: float


def decode_document(data: bytes) -> tuple[str, str]:
    """Return (text, encoding_name) for the raw bytes of an imported .txt file."""
    if not data.strip():
        raise DecodeError(_(EMPTY))
    text, encoding = (
        decode_with_byte_order_mark(data) or decode_utf8(data) or guess_encoding(data)
    )
    if not text.strip():
        raise DecodeError(_(EMPTY))
    return text, encoding


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF. Nothing else changes (NBSP, U+2029 etc. stay)."""
    return NEWLINE.sub("\n", text) if "\r" in text else text


def decode_with_byte_order_mark(data: bytes) -> tuple[str, str] | None:
    marked = [entry for entry in BYTE_ORDER_MARKS if data.startswith(entry[0])]
    for mark, name, codec in marked:
        text = strict_decode(data[len(mark):], codec)
        if text is not None:
            return reject_controls(text), name
    if marked:
        name = marked[0][2].upper()
        raise DecodeError(_("it starts with a {encoding} byte-order mark but is not {encoding}").format(encoding=name))
    return None


def decode_utf8(data: bytes) -> tuple[str, str] | None:
    text = strict_decode(data, "utf-8")
    # Control characters here mean UTF-16 without a mark (or binary), not UTF-8.
    if text is None or STRAY_CONTROL.search(text):
        return None
    return text, "utf-8"


def guess_encoding(data: bytes) -> tuple[str, str]:
    readings = sorted(plausible_readings(data), key=lambda r: r.score, reverse=True)
    runner_up = readings[1] if len(readings) > 1 else None
    if not readings or not is_clear_winner(readings[0], runner_up):
        raise DecodeError(_(reason_for_refusal(data)))
    best = readings[0]
    return best.text, best.encoding


def plausible_readings(data: bytes) -> list[Reading]:
    readings: list[Reading] = []
    for encoding in GUESSED_ENCODINGS:
        text = strict_decode(data, encoding)
        if text is None or STRAY_CONTROL.search(text):
            continue
        # Bytes both Arabic code pages map alike are no ambiguity.
        if any(reading.text == text for reading in readings):
            continue
        if not text.strip():
            raise DecodeError(_(EMPTY))
        readings.append(read_as(encoding, text))
    return readings


def reason_for_refusal(data: bytes) -> str:
    """Why `data` is refused: one of the constants above, in English."""
    if b"\x00" in data:
        return BINARY
    if strict_decode(data, "utf-8") is not None:
        return CONTROLS
    return UNSURE


def is_clear_winner(best: Reading, runner_up: Reading | None) -> bool:
    if best.score < MIN_SCORE:
        return False
    if runner_up is None:
        return True
    return (
        best.score - runner_up.score >= MIN_SCORE_LEAD
        or runner_up.bad_chars >= 2 * best.bad_chars + MIN_EVIDENCE_LEAD
    )


def read_as(encoding: str, text: str) -> Reading:
    bad_chars = count_implausible(text) + count_mixed_word_chars(text)
    bad_chars += sum(map(len, LONE_ACCENTED_RUN.findall(text)))
    bad_chars += sum(map(len, OVERLONG_ARABIC_WORD.findall(text)))
    bad_chars += MISPLACED_HARAKA_WEIGHT * count_misplaced_harakat(text)
    visible = max(1, len(NON_SPACE.findall(text)))
    # Text is mostly words; random bytes in cp1256 are mostly ‹’·— and the like.
    bad_chars += max(0, visible - 2 * len(WORD_CHAR.findall(text)))
    return Reading(encoding, text, bad_chars, max(0.0, 1 - bad_chars / visible))


def count_implausible(text: str) -> int:
    return len(text) - len(PLAUSIBLE.findall(text))


def count_mixed_word_chars(text: str) -> int:
    return sum(
        len(word) for word in TOKEN.findall(text) if ARABIC_TOUCHING_LATIN.search(word)
    )


def count_misplaced_harakat(text: str) -> int:
    """Harakat where Arabic spelling never puts them: what cp1256 bytes read
    as ISO-8859-6 produce, since cp1256's ي and ى are harakat there."""
    misplaced = len(MID_WORD_TANWEEN.findall(text))
    for bearer, harakat in HARAKA_RUN.findall(text):
        if not HARAKA_BEARER.fullmatch(bearer):
            misplaced += len(harakat)
        elif len(harakat) > 2 or (len(harakat) == 2 and SHADDA not in harakat):
            misplaced += len(harakat) - 1
    return misplaced


def reject_controls(text: str) -> str:
    if "\x00" in text:
        raise DecodeError(_(BINARY))
    if STRAY_CONTROL.search(text):
        raise DecodeError(_(CONTROLS))
    return text


def strict_decode(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        return None
