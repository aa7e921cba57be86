"""What to do with files dropped on the window: one project file is opened (as File → Open would); documents
(.txt, .jsonl, folders of them) are imported (as File → Import would); anything else is not opened, and the
reason names what was dropped."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from app.i18n import _, ngettext, number, pgettext
from app.importer import IMPORTABLE_SUFFIXES
from app.paths import PROJECT_SUFFIX

NAMES_SHOWN = 3  # of the files a refusal names; "and N more" after them


@dataclass(frozen=True)
class Drop:
    action: str  # "open", "import" or "refuse"
    paths: list[Path] = field(default_factory=list)
    reason: str = ""  # why it was refused


def plan_drop(paths: list[Path], not_local: list[str]) -> Drop:
    """`paths`: the dropped local files and folders; `not_local`: dropped addresses that are not files here."""
    if not_local or not paths:
        return Drop("refuse", reason=_("Not opened: only files and folders on this computer can be dropped "
                                       "(dropped: {names}).").format(names=_names(not_local) or _("nothing usable")))
    projects = [path for path in paths if path.suffix.lower() == PROJECT_SUFFIX and not path.is_dir()]
    if projects and len(paths) > 1:
        return Drop("refuse", reason=_("Not opened: drop one project file at a time, on its own (dropped: "
                                       "{names}).").format(names=_names([path.name for path in paths])))
    if projects:
        return Drop("open", projects)
    unknown = [path.name for path in paths if not path.is_dir() and path.suffix.lower() not in IMPORTABLE_SUFFIXES]
    if unknown:
        return Drop("refuse", reason=_("Not opened: {names} — not a project ({suffix}) or documents to import "
                                       "(.txt, .jsonl, folders). Other tools' files: File → Import from another "
                                       "tool…").format(names=_names(unknown), suffix=PROJECT_SUFFIX))
    return Drop("import", paths)


def _names(names: list[str]) -> str:
    # First-strong isolates: a name from someone else's disk may be Arabic or hold bidi controls, which must
    # not reorder the rest of the message.
    shown = pgettext("list separator", ", ").join(f"\u2068{name}\u2069" for name in names[:NAMES_SHOWN])
    if len(names) <= NAMES_SHOWN:
        return shown
    more = len(names) - NAMES_SHOWN
    return ngettext("{names} and {count} more", "{names} and {count} more", more).format(
        names=shown, count=number(more))
