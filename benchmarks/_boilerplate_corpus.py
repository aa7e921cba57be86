"""A synthetic corpus of scraped news pages with known boilerplate, for precision and recall.

Several sites, each with chrome of its own (navigation, a dateline, share and follow lines, a cookie
banner on some, an app promotion on some, a newsletter box, a comment form, a footer naming the site),
wrapped around articles made of template sentences that rarely repeat. Some stories are republished
by other sites (same body, other chrome) or scraped twice from one site. A related-links tail with
other articles' headlines ends some pages. Only part of the chrome uses phrases from
resources/boilerplate_cues.json; the rest can only be found by repetition across a site.

Every line is labelled: `truth[i]` is True when line i of the document is boilerplate. Deterministic
for a given seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SUBJECTS = ["الرئيس الروسي", "وزير الخارجية", "المتحدث باسم الحكومة", "رئيس الوزراء", "الزعيم الكوري الشمالي",
            "وزيرة الدفاع", "مسؤول في الأمم المتحدة", "السفير الصيني", "قائد الجيش", "رئيس البرلمان",
            "الأمين العام للجامعة العربية", "محافظ البنك المركزي", "وزير النفط", "المبعوث الأممي"]
NAMES = ["بوتين", "لافروف", "كيم جونغ أون", "زيلينسكي", "ترامب", "بيسكوف", "غوتيريش", "أردوغان", "ماكرون",
         "شي جين بينغ", "بايدن", "الشيباني", "عبد اللهيان", "شولتس", "مودي", "لولا"]
VERBS = ["أكد", "قال", "أعلن", "حذر", "أوضح", "نفى", "كشف", "شدد", "رأى", "أشار", "لفت", "اعتبر"]
TOPICS = ["التعاون الاقتصادي", "الأزمة الأوكرانية", "أسعار الطاقة", "الملف النووي", "العقوبات الغربية",
          "الأمن الإقليمي", "التبادل التجاري", "اتفاقية الدفاع المشترك", "المساعدات الإنسانية",
          "مفاوضات السلام", "إعادة الإعمار", "الاستثمارات الأجنبية", "سلاسل الإمداد", "الأمن الغذائي"]
PLACES = ["موسكو", "بيونغ يانغ", "كييف", "بكين", "واشنطن", "دمشق", "طهران", "أنقرة", "باريس", "برلين",
          "القاهرة", "الرياض", "الدوحة", "بغداد", "بيروت", "عمّان", "نيودلهي", "برازيليا"]
QUALIFIERS = ["بشكل كبير", "خلال الأشهر المقبلة", "في أقرب وقت", "دون شروط مسبقة", "على نحو غير مسبوق",
              "وفق مصادر مطلعة", "بحسب بيان رسمي", "في تصريحات صحفية", "عقب اجتماع مغلق", "في مؤتمر صحفي"]
# Short subheadings inside articles: article text that recurs across stories (a precision trap).
SUBHEADINGS = ["تفاصيل الخبر", "خلفية", "ردود الفعل", "موقف واشنطن", "في الأرقام", "ماذا بعد؟", "السياق",
               "تحذيرات دولية"]
TIMES = ["الأربعاء", "الخميس", "يوم الجمعة", "صباح اليوم", "مساء أمس", "الأسبوع الماضي", "في وقت سابق"]


@dataclass
class Site:
    name: str
    host: str
    header: list[str]        # lines before the article
    footer: list[str]        # lines after it
    cookie: list[str]        # a banner, on some sites
    promo: list[str]         # an app promotion, on some sites
    tail_heading: str | None  # a related-links heading, on some sites


@dataclass
class Page:
    name: str
    url: str
    lines: list[str]
    truth: list[bool]  # per line: boilerplate?
    story: int

    @property
    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def sites(count: int, generator: random.Random) -> list[Site]:
    found = []
    sections = ["سياسة", "اقتصاد", "رياضة", "ثقافة", "منوعات", "تكنولوجيا", "صحة", "عربي ودولي"]
    for number in range(count):
        name = ["الوطن", "الخليج اليوم", "صدى العاصمة", "الشرق الجديد", "أخبار الساعة", "المدار", "النهار العربي",
                "البوابة", "المرصد", "الحدث الآن"][number % 10] + (f" {number // 10 + 1}" if number >= 10 else "")
        picked = generator.sample(sections, 5)
        header = [f"{name} | " + " | ".join(picked), generator.choice(["الرئيسية", "أخبار عاجلة", "آخر الأخبار"])]
        footer = [generator.choice(["شارك الخبر", "شارك", "مشاركة"]),
                  generator.choice([f"تابعوا {name} على منصات التواصل", f"انضموا إلى قناة {name} على تلغرام"]),
                  generator.choice(["اشترك في النشرة البريدية", "النشرة الإخبارية اليومية لقرائنا"]),
                  f"جميع الحقوق محفوظة لـ {name} © 2024" if number % 2 else f"© {name} للإعلام والنشر 2024",
                  generator.choice(["من نحن | اتصل بنا | سياسة الخصوصية", f"عن {name} | أعلن معنا | الخصوصية"])]
        if number % 3 == 0:
            footer[1:1] = ["اترك تعليقاً", "لن يتم نشر عنوان بريدك الإلكتروني. الحقول الإلزامية مشار إليها بـ *"]
        cookie = ["يستخدم هذا الموقع ملفات تعريف الارتباط لتحسين تجربتك", "أوافق"] if number % 2 == 0 else []
        promo = [f"حمّل تطبيق {name}", "متوفر على Google Play و App Store"] if number % 4 == 1 else []
        tail = generator.choice(["اقرأ أيضاً", "مقالات ذات صلة", "الأكثر قراءة", None])
        found.append(Site(name, f"site{number}.example", header, footer, cookie, promo, tail))
    return found


def sentence(generator: random.Random) -> str:
    shape = generator.randrange(4)
    subject = f"{generator.choice(SUBJECTS)} {generator.choice(NAMES)}"
    if shape == 0:
        return (f"{generator.choice(VERBS)} {subject} {generator.choice(TIMES)} أن {generator.choice(TOPICS)} "
                f"سيشهد تطورا {generator.choice(QUALIFIERS)} بين {generator.choice(PLACES)} و{generator.choice(PLACES)}.")
    if shape == 1:
        return (f"وفي {generator.choice(PLACES)}، {generator.choice(VERBS)} {subject} أن بلاده ملتزمة بدعم "
                f"{generator.choice(TOPICS)} {generator.choice(QUALIFIERS)}، مضيفا أن {generator.randint(2, 90)} "
                f"دولة أبدت استعدادها للمشاركة.")
    if shape == 2:
        return (f"ونقلت وكالات الأنباء عن {subject} قوله إن \"{generator.choice(TOPICS)} لا يمكن أن ينتظر أكثر\"، "
                f"وذلك {generator.choice(QUALIFIERS)} في {generator.choice(PLACES)}.")
    return (f"ويأتي ذلك بعد أن {generator.choice(VERBS)} {subject} {generator.choice(TIMES)} أن حجم "
            f"{generator.choice(TOPICS)} بلغ {generator.randint(3, 900)} مليون دولار، {generator.choice(QUALIFIERS)}.")


def story(generator: random.Random) -> tuple[str, list[str]]:
    title = f"{generator.choice(NAMES)}: {generator.choice(TOPICS)} {generator.choice(QUALIFIERS)}"
    paragraphs = [" ".join(sentence(generator) for _ in range(generator.randint(1, 3)))
                  for _ in range(generator.randint(4, 9))]
    return title, paragraphs


def pages(count: int, seed: int = 7, site_count: int = 8) -> list[Page]:
    generator = random.Random(seed)
    all_sites = sites(site_count, generator)
    stories: list[tuple[str, list[str]]] = []
    made: list[Page] = []
    small = Site("مدونة صغيرة", "small.example", ["مدونة صغيرة للأخبار"], ["كل المقالات على المدونة"], [], [], None)
    for number in range(count):
        # A small site with a couple of pages: its chrome repeats too rarely to be found by repetition.
        site = small if number in (count // 3, 2 * count // 3) else all_sites[generator.randrange(len(all_sites))]
        if stories and generator.random() < 0.12:  # republished: another site's story, or scraped twice
            story_number = generator.randrange(len(stories))
        else:
            stories.append(story(generator))
            story_number = len(stories) - 1
        title, paragraphs = stories[story_number]
        lines, truth = [], []

        def add(new: list[str], chrome: bool) -> None:
            lines.extend(new)
            truth.extend([chrome] * len(new))

        header = list(site.header)
        if generator.random() < 0.3:  # the menu in another order on some pages: another line
            first, *sections = header[0].split(" | ")
            generator.shuffle(sections)
            header[0] = " | ".join([first, *sections])
        add(header, True)
        add([title], False)
        add([f"{generator.randint(1, 28)} {generator.choice(['يناير', 'مارس', 'يونيو', 'سبتمبر'])} 2024"], False)
        body = list(paragraphs)
        if generator.random() < 0.2 and len(stories) > 1:  # an inline link inside the article
            other = stories[generator.randrange(len(stories))][0]
            inline = len(body) // 2
            body.insert(inline, f"اقرأ أيضا: {other}")
        else:
            inline = -1
        if generator.random() < 0.3:
            body.insert(generator.randrange(1, len(body)), generator.choice(SUBHEADINGS))
            inline += 1 if 0 <= inline else 0
        for index, paragraph in enumerate(body):
            add([paragraph], paragraph.startswith("اقرأ أيضا: "))
        if site.promo and generator.random() < 0.7:
            add(site.promo, True)
        add([line for line in site.footer if generator.random() < 0.8], True)  # not every box on every page
        if site.tail_heading and len(stories) > 3:
            add([site.tail_heading] + [stories[generator.randrange(len(stories))][0] for _ in range(4)], True)
        if site.cookie:
            add(site.cookie, True)
        made.append(Page(f"{site.host}/{number:06d}.txt", f"https://{site.host}/news/{number}", lines, truth,
                         story_number))
    return made
