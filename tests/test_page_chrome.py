"""Chrome found on one page alone (app.page_chrome): tickers, mastheads, widgets, date stamps, teasers, on a
page written in the shapes of real scraped pages (no third-party text), and how it joins the index."""

from __future__ import annotations

import pytest

from app import boilerplate_index, i18n, page_chrome
from app.boilerplate_index import all_suggestions, describe_reason, suggestions_for, update
from app.logistic import Model, precision_recall, train
from tests.conftest import add_document

TITLE = "وزير الخارجية يبحث مع نظيره الأردني تطورات الأوضاع في المنطقة"
BODY = [
    "بحث وزير الخارجية خلال اتصال هاتفي مع نظيره الأردني اليوم الأحد تطورات الأوضاع في المنطقة، وسبل "
    "تعزيز التعاون بين البلدين في المجالات السياسية والاقتصادية.",
    "وأكد الوزير أن التنسيق بين البلدين مستمر على أعلى المستويات، وأن الاتصالات بين الجانبين لم تنقطع "
    "خلال الفترة الماضية رغم التحديات التي تواجه المنطقة.",
    "من جانبه، أعرب وزير الخارجية الأردني عن تقديره للجهود التي تبذلها بلاده من أجل التهدئة، مؤكدًا أهمية "
    "مواصلة التشاور بين البلدين في كل الملفات الإقليمية.",
]
CHROME_TOP = [
    "رئيس التحرير",
    "محمد عبد الله",
    "السبت 20 ديسمبر 2025 10:15 صـ 29 جمادى الآخرة 1447 هـ",
    "أهم الأخبار",
    "• ارتفاع أسعار الذهب في السوق المحلية مع بداية التعاملات",
    "• منتخب الشباب يستعد لمواجهة حاسمة في بطولة كأس العرب",
    "• الأرصاد تحذر من موجة برد شديدة تضرب البلاد غدًا",
]
CHROME_BOTTOM = [
    "اقرأ أيضا",
    "انطلاق مهرجان السينما الدولي بمشاركة أفلام من عشرين دولة عربية وأجنبية في دورته الجديدة هذا العام، "
    "ويستمر المهرجان أسبوعًا كاملًا تُعرض خلاله أفلام قصيرة وطويلة.",
]


def page() -> str:
    return "\n\n".join([*CHROME_TOP, TITLE, "18 حجم الخط", *BODY, *CHROME_BOTTOM]) + "\n"


def lines_marked(text: str, blocks) -> set[str]:
    return {line for line in text.split("\n") if line.strip() and any(
        b.start <= text.index(line) < b.end for b in blocks)}


def test_the_page_alone_shows_its_masthead_ticker_and_widget_but_not_its_article():
    text = page()
    marked = lines_marked(text, page_chrome.chrome_blocks(text))
    assert {"رئيس التحرير", "أهم الأخبار", "18 حجم الخط"} <= marked
    assert sum(line.startswith("•") for line in marked) >= 2  # the headlines of other stories
    assert TITLE not in marked and not any(paragraph in marked for paragraph in BODY)


def test_the_body_is_the_longest_run_of_prose_and_its_title_shares_its_words():
    read = page_chrome.read_page(page())
    first, last = read.body
    shown = [page()[line.start:line.end] for line in read.lines]
    assert shown[first] == BODY[0] and shown[last] == BODY[-1]
    assert shown[read.title] == TITLE
    # The lead of another story after the article shares nothing with it: not part of the body.
    assert shown.index(CHROME_BOTTOM[1]) > last


def test_each_block_says_why_in_words_an_analyst_reads_in_both_languages():
    reasons = {block.reason for block in page_chrome.chrome_blocks(page())}
    assert page_chrome.MASTHEAD_REASON in reasons and page_chrome.TICKER_ABOVE_REASON in reasons
    assert describe_reason(page_chrome.TICKER_ABOVE_REASON) == "ticker: headlines of other stories above the title"
    i18n.set_language("ar")
    assert all(not any("a" <= ch <= "z" for ch in describe_reason(reason)) for reason in page_chrome.REASONS)


def test_the_shipped_model_says_what_it_learnt_from_and_how_it_scored_held_out():
    model = page_chrome.shipped_model()
    assert set(model.lines.features) == set(page_chrome.FEATURES)
    assert set(model.context.features) == set(page_chrome.FEATURES + page_chrome.CONTEXT_FEATURES)
    about = model.about
    assert about["pages"] >= 60 and about["sites"] >= 30 and "leave-site-out" in about["held_out"]
    assert 0 < about["recall"] <= 1 and about["precision"] >= 0.9
    assert 0.5 <= model.threshold < 1
    assert page_chrome.PageModel.from_json(model.to_json()) == model
    with pytest.raises(ValueError, match="features this version does not compute"):
        page_chrome.PageModel.from_json({**model.to_json(), "lines": {**model.lines.to_json(),
                                                                        "features": ["later"] * len(model.lines.features)}})


def test_the_second_stage_reads_each_line_with_its_neighbours_scores():
    rows = page_chrome.context_rows([0.9, 0.1, 0.8, 0.2])
    assert rows[0] == [0.9, 0.5, 0.1, 0.8, pytest.approx(0.45)]  # past the page's edge: no opinion
    assert rows[1] == [0.1, 0.9, 0.8, 0.9, pytest.approx((0.9 + 0.8 + 0.2) / 3)]
    read = page_chrome.read_page(page())
    model = page_chrome.shipped_model()
    alone = [model.context.probability([(row + around)[j] for j in
                                        [(page_chrome.FEATURES + page_chrome.CONTEXT_FEATURES).index(f)
                                         for f in model.context.features]])
             for row, around in zip(read.rows, page_chrome.context_rows([0.5] * len(read.rows)))]
    assert model.scores(read.rows) != alone  # the neighbours' scores move a line's


def test_logistic_regression_learns_a_separable_rule_and_round_trips_as_json():
    rows = [[x / 10, (x % 3) / 3] for x in range(40)]
    labels = [int(row[0] > 2) for row in rows]
    model = train(("x", "noise"), rows, labels, l2=0.1, iterations=500)
    predicted = [model.probability(row) >= 0.5 for row in rows]
    assert precision_recall(predicted, [bool(label) for label in labels]) == (1.0, 1.0)
    assert Model.from_json(model.to_json()) == model
    with pytest.raises(ValueError, match="one value per feature"):
        Model.from_json({**model.to_json(), "weights": [1.0]})


def test_a_single_page_site_gets_suggestions_from_the_page_alone(project):
    doc = add_document(project, page(), "only.txt")
    update(project)
    found = suggestions_for(project, doc)
    text = project.document_text(doc)
    # The masthead with the editor's name under it; the headlines under "أهم الأخبار" as one ticker.
    assert any(s.reason == page_chrome.MASTHEAD_REASON and text[s.start:s.end].split("\n")[0] == "رئيس التحرير"
               and text[s.start:s.end].endswith("محمد عبد الله") for s in found)
    ticker = next(s for s in found if s.reason == page_chrome.TICKER_ABOVE_REASON)
    assert text[ticker.start:ticker.end].startswith("أهم الأخبار") and text[ticker.start:ticker.end].count("•") == 3
    assert not any(s.start <= text.index(BODY[0]) < s.end for s in found)
    assert all_suggestions(project)  # listed for review like any other


def test_a_name_the_site_repeats_in_its_staff_box_is_article_text_where_it_captions_the_article(project):
    """The writer's name under the title (shared with the body) repeats on every page of the site in its
    staff box: repetition suggests it in the staff box, not under the title."""
    writer = "سامي عبد الرحمن"
    for number in range(boilerplate_index.MIN_COPIES + 1):
        body = [paragraph.replace("اليوم الأحد", f"اليوم {number}") for paragraph in BODY]
        body[1] = f"وقال {writer} إن " + body[1]
        text = "\n\n".join(["رئيس التحرير", writer, f"{TITLE} {number}", writer, *body]) + "\n"
        add_document(project, text, f"p{number}.txt")
    update(project)
    doc = project.document_ids()[0]
    text = project.document_text(doc)
    staff, caption = text.index(writer), text.index(writer, text.index(TITLE))
    found = suggestions_for(project, doc)
    assert any(s.start <= staff < s.end for s in found)
    assert not any(s.start <= caption < s.end for s in found)


def test_repetition_wins_over_the_page_alone_where_both_find_the_same_lines(project):
    masthead = "رئيس التحرير"
    for number in range(boilerplate_index.MIN_COPIES + 1):
        add_document(project, page().replace("السبت 20", f"السبت {number + 1}") + f"\nرقم {number}\n",
                     f"p{number}.txt")
    update(project)
    doc = project.document_ids()[0]
    text = project.document_text(doc)
    covering = [s for s in suggestions_for(project, doc) if s.start <= text.index(masthead) < s.end]
    assert len(covering) == 1 and covering[0].reason.startswith("repeated in")


def test_accepting_a_suggestion_moves_the_document_to_in_progress_for_the_analyst(project):
    doc = add_document(project, page(), "only.txt")
    update(project)
    assert project.status(doc, "amal") == "new"
    [group] = [[s] for s in suggestions_for(project, doc) if s.reason == page_chrome.MASTHEAD_REASON]
    boilerplate_index.accept(project, group, "amal", "navigation")
    assert project.status(doc, "amal") == "in_progress" and project.status(doc, "badr") == "new"


def test_the_pending_counts_are_back_when_the_project_opens_again(qtbot, project):
    from tests.conftest import show_window

    doc = add_document(project, page(), "only.txt")
    update(project)
    window = show_window(qtbot, project)
    column = window.documents.BOILERPLATE_COLUMN
    qtbot.waitUntil(lambda: window.documents.data(window.documents.index(0, column)) not in (None, ""), timeout=10_000)
    assert not window.boilerplate.running() and window.boilerplate.model.pending_by_document()[doc] >= 4
    # Listing what is indexed indexes nothing new.
    add_document(project, page().replace("رئيس", "نائب رئيس"), "later.txt")
    window.boilerplate.list_indexed()
    qtbot.waitUntil(lambda: not window.boilerplate.running(), timeout=10_000)
    assert boilerplate_index.pending_documents(project) == 1


def test_the_review_list_shows_a_line_in_its_own_direction_as_the_pane_does(qtbot, project):
    """"ص>" left by a scraper reads in the list as in the text pane: an isolate takes its direction."""
    from ui.boilerplatepanel import GroupModel

    model = GroupModel()
    suggestion = boilerplate_index.Suggestion(1, 0, 2, "other", "markup left over by the scraper", 7)
    model.set_groups([[suggestion]], ["ص>"], ["other"])
    assert model.data(model.index(0, 2)) == "\u2068ص>\u2069"


# ---- learning from the analyst's decisions -----------------------------------------------------------------
def _site_page(number: int, chrome_line: str) -> str:
    """A page of one site: its own chrome line (which the page alone cannot tell from a headline) on top."""
    body = [paragraph.replace("اليوم الأحد", f"اليوم {number}") for paragraph in BODY]
    return "\n\n".join([chrome_line, TITLE.replace("الأردني", f"الأردني {number}"), *body]) + "\n"


def test_a_model_learnt_from_decisions_says_what_it_learnt_from_and_is_used_for_the_other_pages(project):
    from app import boilerplate_learning
    from app.project import Span

    chrome = "تابعونا على قناة الموقع في منصة البث المباشر"
    docs = [add_document(project, _site_page(n, chrome), f"{n}.txt") for n in range(7)]
    with pytest.raises(boilerplate_learning.NotEnoughDecisions, match="at least 5"):
        boilerplate_learning.learn(project, "amal")
    for doc in docs[:5]:  # the analyst marks the line as boilerplate on five pages and finishes them
        text = project.document_text(doc)
        project.add_annotation(Span(doc, "amal", "boilerplate", "share_social", 0, text.index("\n")))
        project.set_status(doc, "amal", "done")
    update(project)
    model = boilerplate_learning.learn(project, "amal")
    about = model.about
    assert about["analyst"] == "amal" and about["documents"] == 5 and about["boilerplate_lines"] == 5
    assert about["held_out_documents"] == 1 and about["precision"] is not None
    assert "held-out" in boilerplate_learning.describe(model)
    assert not [reason for doc in docs[5:] for reason in _page_reasons(project, doc, 0)]  # the page alone: no
    boilerplate_learning.store(project, model)
    assert boilerplate_learning.used(project) and boilerplate_learning.stored(project) == model
    update(project)  # the page stage reads every page again, with the learnt model
    for doc in docs[5:]:
        assert _page_reasons(project, doc, 0) == [page_chrome.LEARNED_REASON]
        assert _page_categories(project, doc, 0) == ["share_social"]  # the category the analyst gave it
    boilerplate_learning.use(project, False)
    assert not boilerplate_learning.used(project) and boilerplate_learning.stored(project) == model


def _page_categories(project, document_id: int, start: int) -> list[str]:
    from sqlalchemy import select

    from app.models import BoilerplateCue

    with project.session() as session:
        return list(session.scalars(select(BoilerplateCue.category).where(
            BoilerplateCue.document_id == document_id, BoilerplateCue.start == start, BoilerplateCue.source == "page")))


def _page_reasons(project, document_id: int, start: int) -> list[str]:
    """The reasons of what the index's page stage found at `start` of a document."""
    from sqlalchemy import select

    from app.models import BoilerplateCue

    with project.session() as session:
        return list(session.scalars(select(BoilerplateCue.reason).where(
            BoilerplateCue.document_id == document_id, BoilerplateCue.start == start, BoilerplateCue.source == "page")))


def test_learning_in_the_window_shows_its_figures_and_can_be_switched_off(qtbot, project):
    from PySide6.QtCore import Qt

    from app import boilerplate_learning
    from app.project import Span
    from tests.conftest import show_window

    chrome = "تابعونا على قناة الموقع في منصة البث المباشر"
    docs = [add_document(project, _site_page(n, chrome), f"{n}.txt") for n in range(7)]
    for doc in docs[:5]:
        project.add_annotation(Span(doc, "amal", "boilerplate", "other", 0, project.document_text(doc).index("\n")))
        project.set_status(doc, "amal", "done")
    window = show_window(qtbot, project, "amal")
    panel = window.boilerplate
    window.review_boilerplate()
    qtbot.waitUntil(lambda: not panel.running(), timeout=20_000)
    assert not panel.use_learnt.isEnabled() and "Nothing learnt" in panel.learnt.text()
    qtbot.mouseClick(panel.learn_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "held-out" in panel.learnt.text() and not panel.running(), timeout=20_000)
    assert panel.use_learnt.isChecked() and boilerplate_learning.used(project)
    assert boilerplate_learning.stored(project).about["documents"] == 5
    panel.use_learnt.click()  # off: the shipped model again, every page read again
    qtbot.waitUntil(lambda: not panel.running(), timeout=20_000)
    assert not boilerplate_learning.used(project) and boilerplate_learning.stored(project) is not None


def test_learning_in_a_read_only_project_says_so_and_stores_nothing(qtbot, project_path):
    from PySide6.QtCore import Qt

    from app import boilerplate_learning
    from app.project import Project, Span
    from tests.conftest import show_window

    writable = Project.create(project_path)
    docs = [add_document(writable, _site_page(n, "تابعونا على قناة الموقع"), f"{n}.txt") for n in range(7)]
    for doc in docs[:5]:
        writable.add_annotation(Span(doc, "amal", "boilerplate", "other", 0, writable.document_text(doc).index("\n")))
        writable.set_status(doc, "amal", "done")
    writable.close()
    project = Project.open(project_path, read_only="opened read-only by the test")
    try:
        window = show_window(qtbot, project, "amal")
        panel = window.boilerplate
        qtbot.mouseClick(panel.learn_button, Qt.LeftButton)
        qtbot.waitUntil(lambda: not panel.learning.running() and "read-only" in panel.learnt.text(), timeout=20_000)
        assert boilerplate_learning.stored(project) is None and panel.learn_button.isEnabled()
        window.close()
    finally:
        project.close()


# Headlines of other stories, one a page, different on every page (repetition never sees them).
OTHER_STORIES = [
    "ارتفاع أسعار الذهب في السوق المحلية مع بداية تعاملات الأسبوع الجاري",
    "منتخب الشباب يستعد لمواجهة حاسمة أمام نظيره المغربي في بطولة كأس العرب",
    "الأرصاد تحذر من موجة برد شديدة تضرب البلاد غدًا وتستمر حتى نهاية الأسبوع",
    "افتتاح معرض الكتاب الدولي بمشاركة أكثر من ألف دار نشر عربية وأجنبية",
    "البنك المركزي يبقي أسعار الفائدة دون تغيير في اجتماعه الأخير لهذا العام",
    # The pages not decided: headlines sharing no word with those above.
    "وزارة الصحة تطلق حملة تطعيم جديدة ضد شلل الأطفال في جميع المحافظات",
    "الصادرات الزراعية تسجل قفزة قياسية خلال الربع الثالث",
    "انطلاق امتحانات نصف السنة لطلاب المرحلة الثانوية صباح السبت",
]


def test_the_chrome_of_a_sites_decided_pages_is_found_on_its_other_pages_in_words_never_seen(project):
    """The analyst marked the line above the title (another story's headline, a new one on every page) on
    five pages of a site: on its other pages the same place is suggested though the words are new."""
    from app import boilerplate_learning
    from app.project import Span

    docs = [add_document(project, _site_page(n, OTHER_STORIES[n]), f"{n}.txt")
            for n in range(len(OTHER_STORIES))]
    update(project)
    assert not any(_page_reasons(project, doc, 0) for doc in docs[5:])  # the page alone cannot tell
    for doc in docs[:5]:
        text = project.document_text(doc)
        project.add_annotation(Span(doc, "amal", "boilerplate", "related_links", 0, text.index("\n")))
        project.set_status(doc, "amal", "done")
    boilerplate_learning.store(project, boilerplate_learning.learn(project, "amal"))
    update(project)
    for doc in docs[5:]:
        text = project.document_text(doc)
        assert _page_reasons(project, doc, 0), "the headline above the title is suggested after learning"
        assert not any(s.start <= text.index(BODY[0][:20]) < s.end for s in suggestions_for(project, doc))


def test_a_learnt_model_from_a_later_version_or_damaged_is_not_used(project):
    import json

    from app import boilerplate_learning
    from app.models import ProjectInfo

    later = Model(("shipped_model", "a_feature_of_a_later_version"), (0.0, 0.0), (1.0, 1.0), (1.0, 1.0), 0.0)
    for raw in (json.dumps(later.to_json()), "{not json"):
        with project.session.begin() as session:
            session.merge(ProjectInfo(key=boilerplate_learning.MODEL_KEY, value=raw))
            session.merge(ProjectInfo(key=boilerplate_learning.USE_KEY, value="yes"))
        assert boilerplate_learning.stored(project) is None and boilerplate_learning.active(project) is None
    add_document(project, page(), "only.txt")
    update(project)  # the shipped model reads the page
    assert all_suggestions(project)
