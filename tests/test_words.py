"""Word snapping and span edge commands on Arabic text."""

import pytest

from app.words import grow, snap_to_words, trim_leading_clitic

TEXT = "وقال بوتينُ إن روسيا، لروسيا."


def span_text(text, bounds):
    return text[bounds[0]:bounds[1]]


@pytest.mark.parametrize("start, end, expected", [
    (6, 8, "بوتينُ"),       # inside the word, harakat included
    (4, 12, "بوتينُ"),      # leading and trailing spaces trimmed
    (15, 21, "روسيا"),      # the Arabic comma is not part of the word
    (22, 24, "لروسيا"),     # snapping never removes a clitic by itself
])
def test_snap_to_whole_words(start, end, expected):
    assert span_text(TEXT, snap_to_words(TEXT, start, end)) == expected


def test_snap_of_punctuation_only_is_empty():
    start, end = snap_to_words(TEXT, 20, 22)  # "، "
    assert start == end


@pytest.mark.parametrize("word, expected", [
    ("لروسيا", "روسيا"),
    ("والرئيس", "الرئيس"),
    ("الرئيس", "رئيس"),
    ("بِالفيروس", "الفيروس"),   # the harakat of the clitic go with it
    ("لبنان", "بنان"),          # only because the analyst asked: nothing is stripped automatically
    ("لم", "لم"),               # never trimmed below two letters
])
def test_trim_leading_clitic(word, expected):
    assert span_text(word, trim_leading_clitic(word, 0, len(word))) == expected


def test_grow_and_shrink_stay_inside_text_and_non_empty():
    assert grow(2, 5, 10, "start", 1) == (1, 5)
    assert grow(0, 5, 10, "start", 1) == (0, 5)
    assert grow(2, 5, 10, "end", -1) == (2, 4)
    assert grow(2, 3, 10, "end", -1) == (2, 3)
    assert grow(2, 10, 10, "end", 1) == (2, 10)
    assert grow(4, 5, 10, "start", -1) == (4, 5)


def test_word_spans_cut_where_is_word_char_says_for_every_code_point():
    import sys

    from app.words import _word_run, is_word_char, word_spans

    pattern = _word_run()
    disagree = [code for code in range(sys.maxunicode + 1) if not 0xD800 <= code < 0xE000
                and bool(pattern.fullmatch(chr(code))) != is_word_char(chr(code))]
    assert disagree == []
    text = "قالَ بوتين: «روسيا» 2024 😀 لا_بأس"
    assert [text[s:e] for s, e in word_spans(text)] == ["قالَ", "بوتين", "روسيا", "2024", "لا", "بأس"]
