"""A paragraph reads the way its first letter reads: a flag or an enclosed letter never decides."""

import pytest
from PySide6.QtCore import Qt

from app.direction import direction_corrections, first_letter_direction
from app.project import Span
from ui.textpane import TextPane

ARABIC_AFTER_FLAG = "🇸🇦 قال الوزير إن المحادثات مستمرة"
ENGLISH_AFTER_FLAG = "🇺🇸 The minister said talks go on"
ARABIC_AFTER_ENCLOSED = "🅰 عاجل: انقطاع الكهرباء"
ARABIC_AFTER_EMOJI = "😀 نص عادي"  # an emoji of class ON: Qt gets this one right already
ARABIC_AFTER_FLAGS_AND_DIGITS = "🇪🇬🇸🇦 2024 القاهرة"


@pytest.mark.parametrize("paragraph, expected", [
    (ARABIC_AFTER_FLAG, "rtl"), (ENGLISH_AFTER_FLAG, "ltr"), (ARABIC_AFTER_ENCLOSED, "rtl"),
    (ARABIC_AFTER_EMOJI, "rtl"), (ARABIC_AFTER_FLAGS_AND_DIGITS, "rtl"), ("🇸🇦 2024", None), ("", None),
])
def test_first_letter_decides(paragraph, expected):
    assert first_letter_direction(paragraph) == expected


def test_only_paragraphs_the_first_strong_rule_gets_wrong_are_corrected():
    text = "\n".join(["مقدمة", ARABIC_AFTER_FLAG, ENGLISH_AFTER_FLAG, ARABIC_AFTER_EMOJI, "",
                      ARABIC_AFTER_ENCLOSED, ARABIC_AFTER_FLAGS_AND_DIGITS])
    assert direction_corrections(text) == [(1, "rtl"), (5, "rtl"), (6, "rtl")]
    assert direction_corrections("نص بلا رموز\nEnglish line") == []


def test_pane_lays_out_an_arabic_paragraph_after_a_flag_right_to_left(qtbot):
    pane = TextPane()
    qtbot.addWidget(pane)
    pane.resize(600, 400)
    text = "\n".join([ENGLISH_AFTER_FLAG, ARABIC_AFTER_FLAG, ARABIC_AFTER_ENCLOSED, "Plain English"])
    start = text.index("الوزير")
    pane.show_document(text, [Span(1, "amal", "entity", "PERS", start, start + len("الوزير"))], {})
    pane.show()
    qtbot.waitExposed(pane)
    blocks = [pane.document().findBlockByNumber(n) for n in range(4)]
    assert [b.textDirection() for b in blocks] == [Qt.LeftToRight, Qt.RightToLeft, Qt.RightToLeft,
                                                    Qt.LeftToRight]
    # Right-aligned like any Arabic paragraph, and the text itself is untouched.
    width = pane.viewport().width()
    assert blocks[1].layout().lineAt(0).naturalTextRect().right() > width - 40
    assert pane.document().toPlainText() == text
