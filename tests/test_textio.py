import codecs
import gzip
import random
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.textio import DecodeError, decode_document, normalise_newlines

NEWS = (
    "وقال بوتين إن روسيا ستدعم كوريا الشمالية دائما في دفاعها عن سيادتها.\n"
    "نثمن كثيرًا دعمكم المنتظم والدائم للسياسة الروسية\n"
    "Get News Fast\n"
)
# cp1256-only punctuation and letters: Arabic comma, guillemets, dashes, Persian گ.
NEWS_CP1256 = NEWS + "وذكرت «سانا» – نقلًا عن مصادر، أن گروه الإنقاذ وصل؟\n"
ARABIC_LETTERS = [chr(c) for c in range(0x0621, 0x064B)]
HARAKAT = [chr(c) for c in range(0x064B, 0x0653)]
ASCII_LETTERS = list(string.ascii_letters)
# U+063B-U+063F are in neither legacy code page.
LEGACY_LETTERS = [c for c in ARABIC_LETTERS if not "\u063b" <= c <= "\u063f"]


def random_bytes(seed: int, count: int) -> bytes:
    return random.Random(seed).randbytes(count)


def random_printable_bytes(seed: int, count: int) -> bytes:
    """No NULs or C0 controls, so only the plausibility scoring can refuse them."""
    generator = random.Random(seed)
    return bytes(generator.randrange(0x20, 0x100) for _ in range(count))


def test_cp1256_decodes_to_the_original():
    assert decode_document(NEWS_CP1256.encode("cp1256")) == (NEWS_CP1256, "cp1256")


def test_iso_8859_6_decodes_to_the_original():
    data = NEWS.encode("iso8859-6")
    assert decode_document(data) == (NEWS, "iso8859-6")


def test_iso_8859_6_is_not_mistaken_for_cp1256_mojibake():
    # Every byte decodes under cp1256 too, as à/ç/è-studded words.
    data = NEWS.encode("iso8859-6")
    assert "è" in data.decode("cp1256")
    assert decode_document(data)[0] == NEWS


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_bom(codec):
    bom = codecs.BOM_UTF16_LE if codec == "utf-16-le" else codecs.BOM_UTF16_BE
    assert decode_document(bom + NEWS.encode(codec)) == (NEWS, codec)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(codec):
    assert decode_document(NEWS.encode(codec)) == (NEWS, codec)


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_latin_only_utf16_without_bom(codec):
    assert decode_document("Get News Fast".encode(codec)) == ("Get News Fast", codec)


@pytest.mark.parametrize("codec", ["utf-32-le", "utf-32-be"])
def test_utf32_with_bom(codec):
    bom = codecs.BOM_UTF32_LE if codec == "utf-32-le" else codecs.BOM_UTF32_BE
    assert decode_document(bom + NEWS.encode(codec)) == (NEWS, codec)


def test_utf8_bom_is_removed():
    data = codecs.BOM_UTF8 + NEWS.encode("utf-8")
    assert decode_document(data) == (NEWS, "utf-8-sig")


def test_utf8_with_emoji_and_harakat():
    text = "بِسْمِ اللَّهِ 😀 قالَ الرَّئِيسُ\nGet News Fast"
    assert decode_document(text.encode("utf-8")) == (text, "utf-8")


def test_decoding_leaves_newlines_and_spaces_alone():
    text = " \u00a0وقال\r\nبوتين\rروسيا\u2029 "
    assert decode_document(text.encode("utf-8")) == (text, "utf-8")


def test_legacy_decoding_leaves_newlines_and_spaces_alone():
    text = " \u00a0وقال\r\nبوتين في\rروسيا "
    assert decode_document(text.encode("cp1256")) == (text, "cp1256")


def test_normalise_newlines_turns_crlf_and_lone_cr_into_lf():
    assert normalise_newlines("أ\r\nب\rج\nد\r\n\r") == "أ\nب\nج\nد\n\n"


def test_normalise_newlines_keeps_nbsp_and_paragraph_separator():
    text = "وقال\u00a0بوتين\u2029روسيا\u2028 \t\f"
    assert normalise_newlines(text) == text


@pytest.mark.parametrize(
    "data",
    [
        NEWS.encode("utf-8")[:40] + b"\xff\xfe\x00" + NEWS.encode("utf-8")[40:],
        NEWS.encode("utf-8")[:41] + b"\xff" + NEWS.encode("utf-8")[41:],
        random_bytes(seed=1, count=4096),
        bytes(b or 1 for b in random_bytes(seed=2, count=4096)),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + random_bytes(seed=4, count=500),
        gzip.compress(NEWS.encode("utf-8") * 20, mtime=0),
        b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + random_bytes(seed=5, count=300),
        b"hello \x1b[31mworld\x1b[0m",
        b"\x00" * 16,
    ],
    ids=[
        "utf8-with-ff-fe-nul",
        "utf8-with-ff",
        "random",
        "random-without-nul",
        "png",
        "gzip",
        "zip",
        "escape-codes",
        "nuls",
    ],
)
def test_undecodable_bytes_raise(data):
    with pytest.raises(DecodeError):
        decode_document(data)


@pytest.mark.parametrize("seed", range(20))
def test_random_printable_bytes_raise(seed):
    with pytest.raises(DecodeError, match="cannot tell"):
        decode_document(random_printable_bytes(seed, count=64))


def test_nul_bytes_are_reported_as_binary():
    with pytest.raises(DecodeError, match="binary"):
        decode_document(random_bytes(seed=1, count=4096))


def test_a_bom_over_invalid_bytes_raises():
    with pytest.raises(DecodeError, match="byte-order mark"):
        decode_document(codecs.BOM_UTF8 + b"\xff\xfe abc")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b" \n\t\r\n ",
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 + b"\n  \n",
        codecs.BOM_UTF16_LE + " \n".encode("utf-16-le"),
        " \n \t".encode("utf-16-le"),
        "\u00a0 \n".encode("utf-8"),
    ],
)
def test_empty_or_blank_files_raise(data):
    with pytest.raises(DecodeError, match="empty"):
        decode_document(data)


SHORT_TEXTS = [
    "روسيا",
    "نعم",
    "في",
    "بعد",
    "أعلنت",
    "غزة",
    "وهي",
    "قال بوتين",
    "الأنباء الرسمية",
    "دعمكم المنتظم",
    "ب",
]


@pytest.mark.parametrize("codec", ["cp1256", "iso8859-6"])
@pytest.mark.parametrize("text", SHORT_TEXTS)
def test_short_legacy_text_decodes_exactly_or_raises(codec, text):
    try:
        decoded, _ = decode_document(text.encode(codec))
    except DecodeError as error:
        assert "encoding" in str(error)
    else:
        assert decoded == text


def test_some_short_texts_are_decoded_rather_than_refused():
    assert decode_document("روسيا".encode("cp1256")) == ("روسيا", "cp1256")
    assert decode_document("روسيا".encode("iso8859-6")) == ("روسيا", "iso8859-6")


@pytest.mark.parametrize("codec", ["cp1256", "iso8859-6"])
def test_text_both_code_pages_encode_alike_is_decoded(codec):
    # ء to ض share their bytes, so either reading is the same text.
    text = "حرب سبت"
    assert decode_document(text.encode(codec))[0] == text


def test_punctuation_without_words_is_refused():
    soup = "…–—‘’“”‹›…«»·".encode("cp1256")
    with pytest.raises(DecodeError, match="cannot tell"):
        decode_document(soup)


def test_one_byte_repeated_is_refused():
    # 0x8E is cp1256's ژ: plausible as a letter, not as a 400-letter word.
    with pytest.raises(DecodeError, match="cannot tell"):
        decode_document(b"\x8e" * 400)


def test_ambiguous_short_text_is_refused_not_guessed():
    # 'نعم' in ISO-8859-6 reads as the real-looking 'وعه' in cp1256.
    with pytest.raises(DecodeError, match="cannot tell"):
        decode_document("نعم".encode("iso8859-6"))


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(ARABIC_LETTERS + HARAKAT + ASCII_LETTERS + [" ", "\n"])
    )
)
def test_utf8_round_trips(text):
    if text.strip():
        assert decode_document(text.encode("utf-8"))[0] == text


@settings(max_examples=300, deadline=None)
@given(
    codec=st.sampled_from(["cp1256", "iso8859-6"]),
    text=st.text(alphabet=st.sampled_from(LEGACY_LETTERS + [" ", "\n", ".", "1"])),
)
def test_legacy_arabic_never_decodes_to_mojibake(codec, text):
    try:
        decoded, _ = decode_document(text.encode(codec))
    except DecodeError:
        return
    assert decoded == text
