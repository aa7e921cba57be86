"""Boilerplate detection by cue phrases (app/boilerplate.py), checked line by line on the demo corpus."""

import pytest

from app.boilerplate import cue_blocks, split_lines
from tests.conftest import SEED_ARTICLES

SEEDS = {path.name[:3]: path.read_text(encoding="utf-8") for path in SEED_ARTICLES}


def written(seed: str, numbers: range, category: str) -> dict[int, str]:
    """The non-blank lines among `numbers`."""
    lines = SEEDS[seed].split("\n")
    return {n: category for n in numbers if lines[n - 1].strip()}


# Every boilerplate line of the demo corpus (1-based line numbers of the files in seeds/), with its
# category. Every other line is article text and must not be suggested.
EXPECTED = {
    "000": {**{n: "app_promo" for n in range(26, 36)},  # Download Aljadeed Tv … App Store
            36: "navigation",                          # X (closes the banner)
            37: "cookie_consent", 38: "cookie_consent", 39: "cookie_consent"},
    "001": {12: "source_credit",                       # المصدر: صحيفة الأيام البحرينية
            14: "tags",                                # كلمات دلالية: …
            **written("001", range(16, 64), "related_links")},  # إقرأ أيضاً: + another article, مقالات مشابهة
    "002": {13: "other", 17: "other",                  # ص> (a broken <p> tag)
            31: "source_credit",                       # © … بترجمة هذا الخبر …
            33: "comment_form", 35: "comment_form",    # اترك تعليقاً / لن يتم نشر عنوان بريدك …
            37: "navigation"},                         # زر الذهاب إلى الأعلى
    "003": {11: "source_credit", 12: "tags", **{n: "related_links" for n in range(13, 23)}},
    "004": {7: "share_social",                         # شارك القصة
            44: "navigation",                          # تابع القراءة
            45: "source_credit", 46: "source_credit",  # المصادر: / العربي - وكالات
            47: "navigation"},                         # Close
}


def suggested_lines(text: str) -> dict[int, str]:
    """1-based line number → category, for every non-blank line a suggested block covers."""
    blocks = cue_blocks(text)
    found, offset = {}, 0
    for number, line in enumerate(text.split("\n"), start=1):
        first_char = offset + len(line) - len(line.lstrip())
        for block in blocks:
            if line.strip() and block.start <= first_char < block.end:
                found[number] = block.category
        offset += len(line) + 1
    return found


@pytest.mark.parametrize("seed", sorted(EXPECTED))
def test_every_boilerplate_line_of_the_demo_corpus_and_nothing_else(seed):
    assert suggested_lines(SEEDS[seed]) == EXPECTED[seed]


def test_blocks_are_exact_spans_of_the_stored_text():
    text = SEEDS["004"]
    blocks = cue_blocks(text)
    assert [text[b.start:b.end] for b in blocks] == [
        "شارك القصة", "تابع القراءة", "المصادر:\nالعربي - وكالات", "Close"]
    assert all(b.reason for b in blocks)


@pytest.mark.parametrize("line, category", [
    ("اقرا ايضا", "related_links"),            # spelt without hamza or tanween
    ("  • اقرأ أيضاً: بوتين يلتقي كيم", "related_links"),  # one link, not a tail
    ("جميع الحقوق محفوظة © 2024", "footer"),
    ("Copyright 2024 Example News", "footer"),
    ("حمّل تطبيق الجزيرة من Google Play", "app_promo"),
    ("اشترك في النشرة البريدية", "newsletter"),
    ("تابعونا على", "related_links"),
])
def test_spelling_variants_and_other_sites_wording(line, category):
    [block] = cue_blocks(f"نص الخبر الأول هنا وهو طويل بما يكفي ليكون فقرة من المقال.\n{line}")
    assert block.category == category


@pytest.mark.parametrize("line", [
    "شارك آلاف المتظاهرين في المسيرة",          # starts with شارك, but it is a sentence
    "المصدر الرئيسي للطاقة في البلاد هو النفط",  # starts with المصدر, without a colon
    "وقال إن التطبيق الجديد متاح للجميع في الأسواق الكبرى منذ أسبوع مضى على الأقل وفق ما ذكرته وكالات الأنباء",
    "الرئيس الروسي",
    "لا",
    "السعر > 5 دولارات",
])
def test_article_sentences_that_share_a_word_with_a_cue_are_left_alone(line):
    assert cue_blocks(line) == []


ARTICLE_LINE = "وقال المتحدث باسم الكرملين إن الزيارة ستتم في الأيام المقبلة بعد اكتمال التحضيرات."


def test_a_tail_swallows_what_follows_it_but_not_what_comes_before():
    text = f"{ARTICLE_LINE}\nالمصدر: وكالة\nمقالات ذات صلة\nعنوان أول\nعنوان ثان"
    blocks = cue_blocks(text)
    assert [(b.category, text[b.start:b.end]) for b in blocks] == [
        ("source_credit", "المصدر: وكالة"), ("related_links", "مقالات ذات صلة\nعنوان أول\nعنوان ثان")]


def test_lines_keep_offsets_past_emoji_and_spaces():
    text = "😀 مقدمة\n\n   زر الذهاب إلى الأعلى  \n"
    [line_a, line_b] = split_lines(text)
    assert text[line_a.start:line_a.end] == "😀 مقدمة"
    assert text[line_b.start:line_b.end] == "زر الذهاب إلى الأعلى"
    [block] = cue_blocks(text)
    assert text[block.start:block.end] == "زر الذهاب إلى الأعلى"


def test_a_related_links_heading_above_the_article_is_a_menu_item_not_a_tail():
    text = f"الرئيسية\nآخر الأخبار\n{ARTICLE_LINE}\n{ARTICLE_LINE}"
    assert [(b.category, text[b.start:b.end]) for b in cue_blocks(text)] == [("navigation", "الرئيسية\nآخر الأخبار")]


@pytest.mark.parametrize("line, menu", [
    ("الوطن | سياسة | اقتصاد | رياضة | ثقافة", True),
    ("الرئيسية • أخبار • فيديو • صور", True),
    ("قال: إن الأسعار | وفق البيان الذي صدر اليوم عن الوزارة | ارتفعت | كثيرا", False),  # long items
    ("سياسة | اقتصاد", False),  # two items are not a menu
])
def test_a_menu_of_section_names_is_navigation(line, menu):
    blocks = cue_blocks(f"{ARTICLE_LINE}\n{line}")
    assert [(b.category, b.reason) for b in blocks] == ([("navigation", "a menu of section names")] if menu else [])


def test_a_category_the_schema_lacks_falls_back_to_other():
    from app.boilerplate import fit_category

    assert fit_category("app_promo", ["app_promo", "other"]) == "app_promo"
    assert fit_category("app_promo", ["navigation", "other"]) == "other"
    assert fit_category("app_promo", ["chrome"]) == "chrome"


def test_cached_line_facts_are_the_facts_of_each_line(monkeypatch):
    """The facts cache is keyed by folded text: a recurring line, a line seen for the first time after
    the cache was emptied for being full, and a line too long to keep all get what _facts says."""
    from app import boilerplate

    monkeypatch.setattr(boilerplate, "CACHED_LINES", 3)
    boilerplate.forget_line_facts()
    text = "\n".join(["زر الذهاب إلى الأعلى", "مقدمة قصيرة", "20 مارس 2024", ARTICLE_LINE * 4,
                      "زر الذهاب إلى الأعلى", "سطر آخر", "اقرأ أيضاً"])
    lines = split_lines(text)
    facts = boilerplate.line_facts(lines)
    assert facts == [boilerplate._facts(line) for line in lines]
    assert len(boilerplate._FACTS) <= 3 and all(len(key) <= boilerplate.CACHED_LINE_CHARS
                                                for key in boilerplate._FACTS)
    assert facts[0] == facts[4] and facts[0].cue is not None and facts[2].dateline
    assert facts[3].fingerprint is None  # an article paragraph: never a repetition candidate
    assert facts[1].fingerprint == boilerplate.fingerprint("مقدمه قصيره")


@pytest.mark.parametrize("text", ["  إقرأ أيضاً  \nمـقـدمة، قصيرة!\n",
                                  "  إقرأ أيضاً 😀 \nمـقـدمة، قصيرة ܐ!\n"])  # emoji, Syriac: no byte fold
def test_lines_fold_alike_whichever_path_folds_them(text):
    """split_lines folds a text by bytes when it can, else by the general path: same lines either way."""
    from app.normalize import fold

    raws = [raw for raw in text.split("\n") if raw.strip()]
    lines = split_lines(text)
    assert [text[line.start:line.end] for line in lines] == [raw.strip() for raw in raws]
    assert [line.folded for line in lines] == [fold(raw).strip() for raw in raws]
    assert lines[1].words[:2] == ("مقدمه", "قصيره")


def test_leftover_markup_is_named_in_the_reason_not_quoted_as_a_cue():
    text = f"{ARTICLE_LINE}\nص>\n{ARTICLE_LINE}\n&nbsp;"
    assert [(b.category, text[b.start:b.end], b.reason) for b in cue_blocks(text)] == [
        ("other", "ص>", "markup left over by the scraper"), ("other", "&nbsp;", "markup left over by the scraper")]
