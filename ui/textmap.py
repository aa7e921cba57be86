"""Code points (the project's offsets) ↔ UTF-16 units (Qt's positions).

Pure Python, so it is tested without a display. Only astral characters
(emoji, some CJK and historic scripts) take two UTF-16 units; a text
without them maps 1:1 and costs nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


class OffsetMap:
    def __init__(self, text: str):
        self.length = len(text)
        self._astral = [match.start() for match in _ASTRAL.finditer(text)]
        # UTF-16 position of each astral character (its high surrogate).
        self._astral_qt = [cp + k for k, cp in enumerate(self._astral)]
        self.qt_length = self.length + len(self._astral)

    def to_qt(self, offset: int) -> int:
        """Qt position of a code-point offset (0 ≤ offset ≤ len(text))."""
        return offset + bisect_left(self._astral, offset)

    def from_qt(self, position: int) -> int:
        """Code-point offset of a Qt position; a position inside a surrogate pair snaps back to its start."""
        before = bisect_right(self._astral_qt, position - 2)
        if before < len(self._astral_qt) and self._astral_qt[before] == position - 1:
            return position - 1 - before
        return position - before
