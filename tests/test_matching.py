"""The matching engine: whole words, proclitics, spelling folds, similar spellings, offsets."""

import re
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from app.matching import LAM_PROCLITICS, PROCLITICS, Match, find_all, spelling_distance
from app.normalize import Folds, fold, normalize
from app.words import is_word_char
from tests.test_normalize import texts

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def seed(number: str) -> str:
    (path,) = SEEDS.glob(f"{number}_*.txt")
    return path.read_text(encoding="utf-8")


def spans(matches):
    return [(m.text, m.prefix) for m in matches]


# --- the demo corpus -------------------------------------------------------------------------------


def test_north_korea_finds_the_persian_letter_spelling_in_001():
    text = seed("001")
    assert "کوریا الشمالیة" in text  # keheh and Farsi yeh
    matches = find_all(text, "كوريا الشمالية")
    assert "کوریا الشمالیة" in [m.text for m in matches]
    assert all(m.kind == "exact" for m in matches)


def test_we_value_much_finds_the_tanween_form_in_004():
    text = seed("004")
    (match,) = find_all(text, "نثمن كثيرا")
    assert match.text == "نثمن كثيرًا"
    assert text[match.start:match.end] == "نثمن كثيرًا"


def test_russia_is_proposed_inside_lirusiya_without_the_lam():
    text = seed("001")
    behind_lam = [m for m in find_all(text, "روسيا") if m.prefix == "ل"]
    assert behind_lam
    for match in behind_lam:
        assert match.text == "روسيا"
        assert text[match.start - 1:match.end] == "لروسيا"
    # بيلاروسيا is another country, not روسيا behind a prefix.
    assert not any(text[m.start - 4:m.start] == "بيلا" for m in find_all(text, "روسيا"))


def test_pyongyang_spelt_with_jeem_only_under_similar_spellings():
    for number in ("002", "003"):
        text = seed(number)
        assert "بيونج يانج" in text
        assert "بيونج يانج" not in [m.text for m in find_all(text, "بيونغ يانغ")]
        similar = [m for m in find_all(text, "بيونغ يانغ", similar=True) if m.text == "بيونج يانج"]
        assert similar and all(m.kind == "similar" for m in similar)
    exact = find_all(seed("000"), "بيونغ يانغ", similar=True)
    assert exact and all(m.kind == "exact" and fold(m.text) == "بيونغ يانغ" for m in exact)


def test_similar_spellings_in_the_corpus_are_names_not_adjectives():
    found = {m.text for number in ("000", "001", "002", "003", "004")
             for m in find_all(seed(number), "روسيا", similar=True) if m.kind == "similar"}
    assert found == set()  # روسي، الروسية are grammar, not another spelling


# --- proclitics ------------------------------------------------------------------------------------

TEXT = "زار لبنان ثم ولبنان وواشنطن واشنطن لروسيا وروسيا بالفيروس للفيروس وللفيروس الفيروس وبوتين"


@pytest.mark.parametrize("query, expected", [
    ("لبنان", [("لبنان", ""), ("لبنان", "و")]),
    ("واشنطن", [("واشنطن", "و"), ("واشنطن", "")]),
    ("روسيا", [("روسيا", "ل"), ("روسيا", "و")]),
    ("بوتين", [("بوتين", "و")]),
    # ل + ال is written لل: the span keeps the article's ل.
    ("الفيروس", [("الفيروس", "ب"), ("لفيروس", "ل"), ("لفيروس", "ول"), ("الفيروس", "")]),
    ("فيروس", [("فيروس", "بال"), ("فيروس", "لل"), ("فيروس", "ولل"), ("فيروس", "ال")]),
])
def test_proclitics_are_set_aside_but_never_taken_from_the_query(query, expected):
    assert spans(find_all(TEXT, query)) == expected


def test_keep_prefix_proposes_the_whole_token():
    assert [m.text for m in find_all(TEXT, "لبنان", keep_prefix=True)] == ["لبنان", "ولبنان"]
    assert [m.text for m in find_all(TEXT, "الفيروس", keep_prefix=True)] == [
        "بالفيروس", "للفيروس", "وللفيروس", "الفيروس"]


def test_without_clitics_only_whole_words_match():
    assert spans(find_all(TEXT, "لبنان", clitics=False)) == [("لبنان", "")]
    assert find_all(TEXT, "روسيا", clitics=False) == []


def test_the_prefix_keeps_its_harakat():
    text = "مرَّ بِالفيروسِ"
    (match,) = find_all(text, "الفيروس")
    assert (match.prefix, match.text) == ("بِ", "الفيروسِ")
    (whole,) = find_all(text, "الفيروس", keep_prefix=True)
    assert whole.text == "بِالفيروسِ"


def test_proclitic_list_is_longest_first():
    assert list(PROCLITICS) == sorted(PROCLITICS, key=len, reverse=True)
    assert {"و", "ف", "ب", "ل", "ك", "ال", "وال", "فال", "بال", "كال", "لل", "وبال", "ولل"} <= set(PROCLITICS)


# --- words and phrases ------------------------------------------------------------------------------


@pytest.mark.parametrize("text, found", [
    ("روسيا", True),
    ("روسياً", True),          # tanween is folded away
    ("روسيـــا", True),        # tatweel
    ("روس\u200cيا", True),     # ZWNJ inside the word
    ("«روسيا»", True),
    ("روسيات", False),         # a following letter: another word
    ("بيلاروسيا", False),      # not a proclitic
    ("روسيا2", False),
    ("_روسيا_", True),         # underscore is not a word character (app.words)
    ("روسيا\u0301", False),    # a combining mark belongs to the word
])
def test_whole_words_only(text, found):
    assert bool(find_all(text, "روسيا")) is found


def test_a_rejected_candidate_does_not_hide_an_overlapping_match():
    text = "e\u0301روسيا روسيا روسيا"  # the first روسيا continues the word é (a combining accent)
    assert [(m.start, m.text) for m in find_all(text, "روسيا روسيا")] == [(8, "روسيا روسيا")]


def test_a_phrase_matches_across_spaces_and_one_line_break_but_not_a_paragraph_break():
    text = "كوريا  الشمالية، كوريا\nالشمالية، كوريا \u00a0 الشمالية، كوريا\n\nالشمالية"
    assert [m.text for m in find_all(text, "كوريا الشمالية")] == [
        "كوريا  الشمالية", "كوريا\nالشمالية", "كوريا \u00a0 الشمالية"]


def test_spelling_variants_match_both_ways():
    text = "أكد الرئيس إن المؤتمر في الإمارات مصطفى"
    assert spans(find_all(text, "ان")) == [("إن", "")]
    assert spans(find_all(text, "موتمر")) == [("مؤتمر", "ال")]
    assert spans(find_all(text, "الامارات")) == [("الإمارات", "")]
    assert spans(find_all(text, "مصطفي")) == [("مصطفى", "")]
    assert spans(find_all("USA and usa", "Usa")) == [("USA", ""), ("usa", "")]


def test_offsets_are_code_points_after_emoji_and_presentation_forms():
    text = "😀👍🏽 ﻻ روسيا"
    (match,) = find_all(text, "روسيا")
    assert (match.start, match.end) == (6, 11)
    assert text[match.start:match.end] == "روسيا"
    (ligature,) = find_all(text, "لا")
    assert ligature.text == "ﻻ"


def test_a_word_inside_an_expanded_character_is_not_proposed():
    # ﷺ expands to صلى الله عليه وسلم; part of one character cannot be annotated.
    assert find_all("النبي ﷺ", "الله") == []
    assert spans(find_all("النبي ﷺ", "صلى الله عليه وسلم")) == [("ﷺ", "")]


def test_normalized_text_can_be_reused():
    normalized = normalize(TEXT)
    assert find_all(normalized, "روسيا") == find_all(TEXT, "روسيا")
    assert find_all(normalized, "روسيا", folds=Folds()) == find_all(TEXT, "روسيا")
    with pytest.raises(ValueError):
        find_all(normalized, "روسيا", folds=Folds(alef=False))


def test_folds_apply_to_text_and_query_alike():
    text = "الإمارات"
    assert find_all(text, "الامارات", folds=Folds(alef=False)) == []
    assert spans(find_all(text, "الإمارات", folds=Folds(alef=False))) == [("الإمارات", "")]


def test_empty_query_finds_nothing():
    assert find_all(TEXT, "") == []
    assert find_all(TEXT, " \u200f ") == []


# --- similar spellings ------------------------------------------------------------------------------


@pytest.mark.parametrize("a, b, distance", [
    ("بوتين", "بوتين", 0),
    ("يانغ", "يانج", 0.5),        # transliteration swap
    ("جونغ", "يونغ", 0.5),
    ("بيونغ", "بيونج", 0.5),
    ("بوتين", "بوتن", 1),         # deletion
    ("ترامب", "ترمب", 1),
    ("بوتين", "بوتيم", 2),        # an edit at the end is grammar, not spelling
    ("روسيا", "روسي", 2),
    ("روسيا", "روسيه", 2),
    ("روسيا", "روسيات", 2),
    ("ماكرون", "ماكورن", 2),      # two edits
    ("بيونغ", "بيونجج", 2),
])
def test_spelling_distance(a, b, distance):
    assert spelling_distance(a, b) == distance
    assert spelling_distance(b, a) == distance


def test_similar_adds_variants_apart_from_exact_hits_never_twice():
    text = "كيم جونغ أون وكيم جونج أون وكيم يونغ أون كيم جونغ أون"
    matches = find_all(text, "كيم جونغ أون", similar=True)
    assert [(m.text, m.kind, m.prefix) for m in matches] == [
        ("كيم جونغ أون", "exact", ""), ("كيم جونج أون", "similar", "و"),
        ("كيم يونغ أون", "similar", "و"), ("كيم جونغ أون", "exact", "")]
    assert find_all(text, "كيم جونغ أون") == [m for m in matches if m.kind == "exact"]


def test_short_words_are_never_varied():
    assert spans(find_all("كيم قيم جيم", "كيم", similar=True)) == [("كيم", "")]


def test_behind_a_prefix_the_first_letter_does_not_vary():
    # بيونغ is not ب + يونغ, a variant of جونغ.
    assert spans(find_all("بيونغ يونغ", "جونغ", similar=True)) == [("يونغ", "")]


def test_similar_finds_a_one_letter_spelling_difference_behind_a_clitic():
    (match,) = find_all("قال وبوتن", "بوتين", similar=True)
    assert (match.text, match.prefix, match.kind) == ("بوتن", "و", "similar")


# --- properties -------------------------------------------------------------------------------------


def expected_folds(query: str, prefix: str) -> set[str]:
    """What the span of a match may fold to: the query, or after ل the query without the article's alef."""
    folded = " ".join(fold(query).split())
    allowed = {folded}
    if fold(prefix) in LAM_PROCLITICS and folded.startswith("ال"):
        allowed.add("ل" + folded[2:])
    return allowed


def squash(text: str) -> str:
    return " ".join(text.split())


def check_matches(text: str, query: str, matches: list[Match], keep_prefix: bool = False) -> None:
    previous_end = 0
    for match in matches:
        assert 0 <= match.start < match.end <= len(text)
        assert match.start >= previous_end, "sorted and not overlapping"
        previous_end = match.end
        assert text[match.start:match.end] == match.text
        core = match.text[len(match.prefix):] if keep_prefix else match.text
        if keep_prefix:
            assert match.text.startswith(match.prefix)
        else:
            assert text[match.start - len(match.prefix):match.start] == match.prefix
        assert match.prefix == "" or fold(match.prefix) in PROCLITICS
        if match.kind == "exact":
            assert squash(fold(core)) in expected_folds(query, match.prefix)
        else:
            pairs = zip(fold(core).split(), fold(query).split())
            assert all(spelling_distance(found, wanted) <= 1 for found, wanted in pairs)


@settings(max_examples=300)
@given(texts, st.data(), st.booleans(), st.booleans())
def test_every_match_maps_back_to_the_query(text, data, clitics, keep_prefix):
    tokens = text.split()
    assume(tokens)
    query = data.draw(st.sampled_from(tokens))
    matches = find_all(text, query, clitics=clitics, keep_prefix=keep_prefix)
    check_matches(text, query, matches, keep_prefix)


@settings(max_examples=300)
@given(texts, st.data())
def test_a_word_of_the_text_is_always_found(text, data):
    folded = fold(text)
    tokens = re.findall(r"\S+|\s+", folded)
    index = data.draw(st.integers(0, len(tokens)))
    phrase = tokens[index:index + data.draw(st.sampled_from([1, 3]))]  # a word, or word gap word
    words = phrase[::2]
    assume(words and all(all(is_word_char(c) for c in word) for word in words))
    query = " ".join(words)
    matches = find_all(text, query)
    check_matches(text, query, matches)
    if len(words) == 1 or phrase[1].count("\n") <= 1:  # a phrase never crosses a paragraph break
        assert matches


@settings(max_examples=200)
@given(texts, st.data())
def test_similar_matches_are_close_and_include_every_exact_one(text, data):
    words = [word for word in fold(text).split() if all(is_word_char(c) for c in word)]
    assume(words)
    query = data.draw(st.sampled_from(words))
    exact = find_all(text, query)
    with_similar = find_all(text, query, similar=True)
    check_matches(text, query, with_similar)
    assert [m for m in with_similar if m.kind == "exact"] == exact


@settings(max_examples=400)
@given(texts, st.lists(st.sampled_from(["روسيا", "الفيروس", "كوريا الشمالية", "ب", "لا", "و روسيا", "covid-19",
                                        "ال", "#x", "ﻻ"]), min_size=1, max_size=2).map(" ".join),
       st.booleans())
def test_the_core_first_search_finds_what_the_regex_search_finds(text, query, clitics):
    # _search jumps between occurrences of the query's first word; it must agree with re's own
    # search from every position, or hits would be lost or reordered.
    from app.matching import _Cores, _lam_contractions, _pattern, _search

    folded = fold(text)
    words = fold(query).split()
    alternatives = tuple((word,) for word in words)
    pattern = _pattern(alternatives, clitics, tuple(words))
    cores = _Cores(alternatives[0] + tuple(_lam_contractions(list(alternatives[0]))), folded)
    for position in range(len(folded) + 1):  # one _Cores, positions rising, as _scan uses it
        expected = pattern.search(folded, position)
        found = _search(pattern, cores, folded, position)
        assert (found and found.span()) == (expected and expected.span())
