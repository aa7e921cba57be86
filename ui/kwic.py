"""How keyword-in-context rows (corpus search, proposals) show their pieces in a right-to-left list.

app.search.context_around keeps a context's line breaks as "\\n"; here each line becomes a first-strong
isolate, so a left-to-right line inside Arabic (a date line "2024-06-19 | 02:33", a Latin name) keeps its
own order instead of being reordered by the Arabic around it, and each break becomes a visible mark.
"""

from __future__ import annotations

# The pilcrow is in the bundled Noto Sans, so the mark shows on every machine (⏎ is in none of the fonts).
LINE_BREAK = "¶"
FSI, PDI = "\u2068", "\u2069"  # first-strong isolate: the piece takes the direction of its first letter
RLI = "\u2067"  # right-to-left isolate


def isolated(text: str) -> str:
    return f"{FSI}{text}{PDI}" if text else ""


def shown_context(piece: str) -> str:
    """A context piece as a list shows it: its lines isolated, its line breaks as ¶."""
    return f" {LINE_BREAK} ".join(isolated(line) for line in piece.split("\n")).strip()


def shown_in_line(before: str, match: str, after: str) -> str:
    """A context as one right-to-left line (a tooltip, whose own direction is left to right): the pieces
    as shown_context gives them, the match between ⟦ ⟧."""
    return RLI + " ".join(part for part in (before, f"⟦{isolated(match)}⟧", after) if part) + PDI
