"""What Hashiya says about itself: its version, its licence and the bundled fonts' licence, and the software it
runs on (shown in Help → About and written at the head of every error report)."""

from __future__ import annotations

import platform
from importlib import metadata

from app import __version__, packagedata
from app.i18n import N_, _

DISTRIBUTION = "hashiya"
LICENCE = "GPL-3.0-or-later"
LICENCE_URL = "https://www.gnu.org/licenses/gpl-3.0.html"
LICENCE_SUMMARY = N_("Hashiya is free software under the GNU General Public License, version 3 or later (it must be, "
                     "because it uses pyarabic, which is GPL): you may use, study, change and share it, and whoever "
                     "passes it on, changed or not, must pass on the same freedoms and the source code.")
BUNDLED_FONTS = ("Noto Naskh Arabic", "Noto Sans", "Noto Emoji")
FONT_LICENCE = "SIL Open Font License, Version 1.1"
FONT_LICENCE_FILE = "fonts/OFL.txt"
# Where the licence files are in the installed metadata: `licenses/` since metadata 2.4, at the top before.
LICENCE_FILES = ("licenses/LICENSE", "LICENSE")


def licence_summary() -> str:
    """LICENCE_SUMMARY in the interface's language."""
    return _(LICENCE_SUMMARY)


class MissingLicence(Exception):
    """The licence text is not installed with this copy of Hashiya."""


def licence_text() -> str:
    """The GPL text as installed with the package metadata; MissingLicence says what is missing.

    Every copy of the metadata is tried: in a checkout, the build's `hashiya.egg-info` (which holds no
    licence file) may come first on the path, before the installed `.dist-info`.
    """
    copies = list(metadata.distributions(name=DISTRIBUTION))
    if not copies:
        raise MissingLicence(_("The licence text is not available: Hashiya is not installed as a package (there is "
                               "no “{distribution}” distribution metadata, which holds the LICENSE file). "
                               "The licence is at {url}.").format(distribution=DISTRIBUTION, url=LICENCE_URL))
    for distribution in copies:
        for name in LICENCE_FILES:
            text = distribution.read_text(name)
            if text:
                return text
    raise MissingLicence(_("The licence text is not available: the LICENSE file is missing from the installed "
                           "“{distribution}” metadata ({folder}). The licence is at {url}.").format(
        distribution=DISTRIBUTION, folder=copies[0].locate_file(""), url=LICENCE_URL))


def font_licence_text() -> str:
    """The fonts' copyright notices and the OFL; packagedata.MissingResource names a missing file."""
    return packagedata.resource_text(FONT_LICENCE_FILE)


def software(qt_versions: dict[str, str]) -> dict[str, str]:
    """Hashiya's and Python's versions, the toolkit's (given by the caller: app/ does not import Qt), the system."""
    return {"Hashiya": __version__, "Python": platform.python_version(), **qt_versions,
            "Platform": platform.platform()}
