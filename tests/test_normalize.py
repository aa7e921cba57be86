"""Folding Arabic text and mapping folded offsets back to the original."""

from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.normalize import (COMMON_CHARACTERS, Folds, NormalizedText, _map_deletions_only, _map_with_expansions, _tables, fold,
                           normalize)

# Pieces of random texts: every kind of character the folds treat, and some that they leave alone.
LETTERS = list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي") + list("أإآٱىةؤئ")
MARKS = list("\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u06e1\u0610")
PRESENTATION = list("ﻻﻷﻵﻹﺏﺎﻟﻠ\ufe70\ufc5e")  # lam-alef ligatures, letter forms, spacing harakat
EMOJI = ["😀", "👍🏽", "🇸🇦"]  # astral, with a skin-tone modifier, a flag pair
INVISIBLE = list("\u200c\u200d\u200e\u200f\u202b\u202c\u2067\u2069\u061c\u00ad\u200b\ufeff")
PERSIAN = list("کیپگ")
DIGITS = list("٠١٢٣٩۴۵۰")
OTHER = [" ", " ", " ", "\n", "\u0640", "،", ".", "a", "B", "ß", "İ"]
WORDS = ["روسيا", "لروسيا", "كثيرًا", "ال", "و", "لل", "بالفيروس", "کوریا", "الشمالیة"]
PIECES = LETTERS + MARKS + PRESENTATION + EMOJI + INVISIBLE + PERSIAN + DIGITS + OTHER + WORDS

texts = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
all_folds = st.builds(Folds, **{f.name: st.booleans() for f in fields(Folds)})


@pytest.mark.parametrize("name, source, folded", [
    ("harakat", "كَثِيرًا", "كثيرا"),
    ("harakat", "هٰذا", "هذا"),            # superscript alef
    ("harakat", "الرَّحِيمِ ۖ", "الرحيم "),  # Quranic pause mark
    ("tatweel", "كثيــرا", "كثيرا"),
    ("alef", "أإآٱ", "اااا"),
    ("alef_maqsura", "مصطفى", "مصطفي"),
    ("teh_marbuta", "الشمالية", "الشماليه"),
    ("waw_hamza", "مؤتمر", "موتمر"),
    ("yeh_hamza", "رئيس", "رييس"),
    ("persian", "کوریا", "كوريا"),
    ("digits", "٢٠٢٤ ۱۴۰۳", "2024 1403"),
    ("invisible", "روس\u200cيا\u200f \u202bب\u202c\u00ad\ufeff\u2066x\u2069\u061c\u200b\u200d", "روسيا بx"),
    ("presentation", "ﻻ ﻷ ﺏﺎﺏ ﷲ", "لا لا باب الله"),
    ("casefold", "Straße USA", "strasse usa"),
])
def test_each_fold_applies_by_default_and_can_be_turned_off(name, source, folded):
    assert fold(source) == folded
    # Other folds may still touch the text (harakat inside a presentation form), but this one must not
    # apply on its own: with every fold off except this one, the text changes only when it is on.
    only = Folds(**{f.name: f.name == name for f in fields(Folds)})
    none = Folds(**{f.name: False for f in fields(Folds)})
    assert fold(source, only) != source
    assert fold(source, none) == source


def test_spacing_harakat_forms_do_not_become_spaces():
    assert fold("ب\ufe70") == "ب"
    assert fold("ب\ufe70", Folds(harakat=False)) == "ب\u064b"


def test_a_hit_on_the_bare_word_covers_its_tanween():
    text = "نثمن كثيرًا دعمكم"
    normalized = normalize(text)
    start = normalized.folded.index("كثيرا")
    s, e = normalized.span_to_original(start, start + len("كثيرا"))
    assert text[s:e] == "كثيرًا"


def test_span_end_takes_harakat_and_tatweel_but_not_invisible_marks():
    text = "روسياـً\u200f، x"
    normalized = normalize(text)
    assert text[slice(*normalized.span_to_original(0, 5))] == "روسياـً"
    text = "روسيا\u200fً"  # a mark after a bidi control is not this letter's
    assert text[slice(*normalize(text).span_to_original(0, 5))] == "روسيا"


def test_a_span_inside_a_ligature_covers_the_whole_character():
    text = "ﻻ بأس"
    normalized = normalize(text)
    assert normalized.folded == "لا باس"
    assert normalized.span_to_original(0, 1) == (0, 1)
    assert normalized.span_to_original(1, 2) == (0, 1)
    assert normalized.span_to_original(3, 6) == (2, 5)
    assert not normalized.is_char_boundary(1)
    assert normalized.is_char_boundary(2)


def test_offsets_count_code_points_past_emoji():
    text = "😀👍🏽 روسيا"
    normalized = normalize(text)
    start = normalized.folded.index("روسيا")
    assert normalized.span_to_original(start, start + 5) == (4, 9)  # 😀, 👍, 🏽, space


def test_original_to_folded():
    text = "كَثِيرًا ﻻ"
    normalized = normalize(text)  # folded: كثيرا لا
    assert normalized.span_to_folded(0, 8) == (0, 5)
    assert normalized.span_to_folded(9, 10) == (6, 8)
    assert normalized.to_folded(1) == 1  # a deleted fatha: the next folded character
    with pytest.raises(ValueError):
        normalized.span_to_folded(0, 99)


def test_spans_outside_the_folded_text_are_refused():
    with pytest.raises(ValueError):
        normalize("abc").span_to_original(2, 4)
    with pytest.raises(ValueError):
        normalize("abc").span_to_original(2, 1)


def test_the_original_is_kept_as_given():
    text = "كَثِيرًا ﻻ\u200f"
    assert normalize(text).original is text


@settings(max_examples=300)
@given(texts, all_folds)
def test_folded_view_equals_fold(text, folds):
    assert normalize(text, folds).folded == fold(text, folds)


@settings(max_examples=300)
@given(st.one_of(texts, st.text(max_size=40)), all_folds)
def test_fast_fold_equals_the_translation_table(text, folds):
    # fold() skips str.translate on ordinary text (regex deletions, str.replace, str.casefold);
    # it must give exactly what the table gives, for any text and any combination of folds.
    assert fold(text, folds) == text.translate(_tables(folds).table)


@settings(max_examples=500)
@given(st.text(alphabet=st.sampled_from(COMMON_CHARACTERS + "".join(map(chr, range(128)))), max_size=60))
def test_byte_fold_of_common_text_equals_the_translation_table(text):
    assert fold(text) == text.translate(_tables(Folds()).table)
    assert normalize(text).folded == fold(text)


def test_fast_fold_is_taken_for_ordinary_text_and_the_table_for_presentation_forms(monkeypatch):
    calls = []
    real = str.translate

    class Spy(str):
        def translate(self, table):
            calls.append(self)
            return real(self, table)

    fold(Spy("كَثِيرًا ASCII ß"))
    assert calls == []
    fold(Spy("ﻻ"))
    assert calls == ["ﻻ"]


@settings(max_examples=300)
@given(texts, all_folds)
def test_fold_is_idempotent(text, folds):
    once = fold(text, folds)
    assert fold(once, folds) == once


@settings(max_examples=300)
@given(texts, st.data())
def test_every_folded_span_maps_to_a_valid_original_span_that_folds_to_contain_it(text, data):
    normalized = normalize(text)
    size = len(normalized.folded)
    start = data.draw(st.integers(0, size))
    end = data.draw(st.integers(start, size))
    s, e = normalized.span_to_original(start, end)
    assert 0 <= s <= e <= len(text)
    assert normalized.folded[start:end] in fold(text[s:e])
    if normalized.is_char_boundary(start) and normalized.is_char_boundary(end):
        assert fold(text[s:e]) == normalized.folded[start:end]


@settings(max_examples=300)
@given(texts)
def test_original_and_folded_offsets_round_trip(text):
    normalized = normalize(text)
    for index in range(len(normalized.folded) + 1):
        if normalized.is_char_boundary(index):
            assert normalized.to_folded(normalized.to_original(index)) == index
    offsets = [normalized.to_folded(offset) for offset in range(len(text) + 1)]
    assert offsets == sorted(offsets) and offsets[-1] == len(normalized.folded)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(LETTERS + MARKS + INVISIBLE + [" ", "\n", "\u0640", "a"]), max_size=60).map("".join))
def test_fast_and_general_index_maps_agree(text):
    """The C-speed map for texts without expansions must equal the general one."""
    tables = _tables(Folds())
    assert tables.expanding.search(text) is None
    fast = NormalizedText(text, fold(text), Folds(), *_map_deletions_only(text, tables), tables.absorbed)
    general = NormalizedText(text, fold(text), Folds(), *_map_with_expansions(text, tables), tables.absorbed)
    size = len(fast.folded)
    assert [fast.to_original(i) for i in range(size + 1)] == [general.to_original(i) for i in range(size + 1)]


def test_with_every_fold_off_the_map_is_the_identity():
    text = "كَثِيرًا ﻻ\u200f 😀 ٢"
    normalized = normalize(text, Folds(**{f.name: False for f in fields(Folds)}))
    assert normalized.folded == text
    assert [normalized.to_original(i) for i in range(len(text) + 1)] == list(range(len(text) + 1))
