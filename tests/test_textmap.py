"""Code point ↔ Qt (UTF-16) positions: property tests over tricky text."""

from hypothesis import given, strategies as st

from ui.textmap import OffsetMap

TRICKY = st.text(
    alphabet=st.one_of(
        st.sampled_from("بِسْمِ اللَّهِ لا ﻻ ـ\n\u200c\u200d\u00a0\u2029 aé"),
        st.characters(min_codepoint=0x1F300, max_codepoint=0x1FAFF),  # emoji (astral)
        st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF, exclude_categories=("Cs",)),
        st.characters(exclude_categories=("Cs",)),
    ),
    max_size=60,
)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@given(TRICKY)
def test_to_qt_counts_utf16_units(text):
    mapping = OffsetMap(text)
    for offset in range(len(text) + 1):
        assert mapping.to_qt(offset) == utf16_length(text[:offset])
    assert mapping.qt_length == utf16_length(text)


@given(TRICKY)
def test_round_trip_code_point_to_qt_and_back(text):
    mapping = OffsetMap(text)
    for offset in range(len(text) + 1):
        assert mapping.from_qt(mapping.to_qt(offset)) == offset


@given(TRICKY)
def test_position_inside_a_surrogate_pair_snaps_to_the_character_start(text):
    mapping = OffsetMap(text)
    for offset, char in enumerate(text):
        if ord(char) > 0xFFFF:
            assert mapping.from_qt(mapping.to_qt(offset) + 1) == offset


def test_qt_document_positions_match_the_map(qapp):
    """The same text in a real QTextDocument: the map must agree with Qt's own counting."""
    from PySide6.QtGui import QTextDocument

    text = "😀 بِسْمِ\nلا 𝕏 ﻻ\u2029x\u00a0y"
    document = QTextDocument()
    document.setPlainText(text)
    mapping = OffsetMap(text)
    assert document.characterCount() - 1 == mapping.qt_length
    checked = 0
    for offset, char in enumerate(text):
        # Qt shows block separators as U+2029 and cannot hand back half an astral character.
        if char not in "\n\u2029" and ord(char) <= 0xFFFF:
            assert document.characterAt(mapping.to_qt(offset)) == char
            checked += 1
    assert checked == len(text) - 4  # two astral characters, two separators
