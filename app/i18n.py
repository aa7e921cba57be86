"""The one message catalogue: every string a person reads, in app/, the command line and ui/.

GNU gettext catalogues, English as the source language: `resources/locale/<lang>/LC_MESSAGES/hashiya.po`,
compiled to `.mo` beside it (package data, read through importlib.resources so a wheel and a bundle find
it). Babel extracts the messages (`make i18n-extract`); `tests/test_i18n.py` fails on a source string the
Arabic catalogue does not translate, or translates only as fuzzy.

How code marks a message:
- `_("Open project…")` where the text is shown;
- `ngettext("{n} document", "{n} documents", count).format(n=number(count))` for every count: Arabic has
  six plural forms (zero, one, two, few 3–10, many 11–99, other), chosen by the catalogue's Plural-Forms;
- `N_("Done")` for a module-level constant, translated with `_(CONSTANT)` where it is shown, so that a
  language chosen after import (Preferences, `--language`) still applies;
- `pgettext("menu", "&File")` where one English word needs two translations.

No Qt here: the headless commands translate too. Qt's own strings (standard buttons, file dialogs) come
from Qt's catalogue, which `ui.language` installs beside this one.
"""

from __future__ import annotations

import argparse
import gettext
import io
import locale
import os

DOMAIN = "hashiya"
ENGLISH, ARABIC = "en", "ar"
LANGUAGES = (ENGLISH, ARABIC)
RIGHT_TO_LEFT = frozenset({ARABIC})
WESTERN, ARABIC_INDIC = "western", "arabic-indic"
DIGIT_STYLES = (WESTERN, ARABIC_INDIC)

_ARABIC_INDIC = str.maketrans("0123456789.,%", "٠١٢٣٤٥٦٧٨٩٫٬٪")


class _State:
    translation: gettext.NullTranslations = gettext.NullTranslations()
    language: str = ENGLISH
    digits: str = WESTERN


def N_(message: str) -> str:
    """Marks a message for extraction where it cannot be translated yet (a module-level constant)."""
    return message


def _(message: str) -> str:
    return _directed(_State.translation.gettext(message))


def ngettext(singular: str, plural: str, count: int) -> str:
    return _directed(_State.translation.ngettext(singular, plural, count))


def pgettext(context: str, message: str) -> str:
    return _directed(_State.translation.pgettext(context, message))


RLM = "\u200f"  # RIGHT-TO-LEFT MARK: a strong right-to-left character that shows nothing
_ARABIC_LETTERS = ("\u0600", "\u06ff"), ("\u0750", "\u077f"), ("\u08a0", "\u08ff"), ("\ufb50", "\ufdff"), \
    ("\ufe70", "\ufeff")


def _directed(text: str) -> str:
    """In a right-to-left language, a message that starts with a placeholder, a digit or a Latin name ("{path}
    مفتوح في نافذة أخرى"، "3 مستندات") starts with an RLM: a wrapped label or a message box takes a paragraph's
    direction from its first strong letter, and would otherwise lay the Arabic sentence out left to right."""
    if _State.language not in RIGHT_TO_LEFT or not text:
        return text
    first = text.lstrip("&")[:1]
    if first == RLM or any(low <= first <= high for low, high in _ARABIC_LETTERS):
        return text
    return RLM + text


# ---- the language ----------------------------------------------------------------------------------------------
def language() -> str:
    return _State.language


def is_right_to_left() -> bool:
    return _State.language in RIGHT_TO_LEFT


def catalogue_name(code: str) -> str:
    """The compiled catalogue of `code`, as a name inside resources/."""
    return f"locale/{code}/LC_MESSAGES/{DOMAIN}.mo"


def set_language(code: str) -> None:
    """Every message from now on is in `code` (one of LANGUAGES). English is the source: no catalogue."""
    if code not in LANGUAGES:
        raise ValueError(f"unknown interface language {code!r}: one of {', '.join(LANGUAGES)}")
    if code == ENGLISH:
        translation = gettext.NullTranslations()
    else:
        from app import packagedata

        translation = gettext.GNUTranslations(io.BytesIO(packagedata.resource_bytes(catalogue_name(code))))
    _State.translation, _State.language = translation, code


def system_language(environ=os.environ) -> str:
    """Arabic for an `ar_*` locale, English otherwise: gettext's order of variables, then the C library's."""
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(variable, "")
        if value:
            first = value.split(":")[0]
            return ARABIC if first.lower().startswith("ar") else ENGLISH
    try:
        code = locale.getlocale()[0] or ""
    except ValueError:
        code = ""
    return ARABIC if code.lower().startswith("ar") else ENGLISH


def chosen_language(requested: str | None, saved: dict, environ=os.environ) -> str:
    """`--language` for this run; else the one chosen in Preferences; else the system's (first run)."""
    if requested in LANGUAGES:
        return requested
    stored = saved.get("language")
    return stored if stored in LANGUAGES else system_language(environ)


def take_language_option(argv: list[str]) -> tuple[str | None, list[str]]:
    """`--language ar|en` (or `--language=ar`) anywhere on the command line, taken out of it: it must be
    known before any parser runs, since `--help` and argparse's own errors are in that language.
    A value other than ar or en raises ValueError naming it."""
    rest, requested, index = [], None, 0
    while index < len(argv):
        argument = argv[index]
        if argument == "--":
            rest.extend(argv[index:])
            break
        if argument == "--language" or argument.startswith("--language="):
            if "=" in argument:
                value = argument.split("=", 1)[1]
            elif index + 1 < len(argv):
                index += 1
                value = argv[index]
            else:
                value = ""
            if value not in LANGUAGES:
                raise ValueError(value)
            requested = value
        else:
            rest.append(argument)
        index += 1
    return requested, rest


# ---- numbers ---------------------------------------------------------------------------------------------------
def digits() -> str:
    return _State.digits


def set_digits(style: str) -> None:
    _State.digits = style if style in DIGIT_STYLES else WESTERN


def number(value, decimals: int | None = None) -> str:
    """A number as the interface shows it: Western (0–9) or Arabic-Indic (٠–٩) digits, by the setting.
    Only for display: offsets and figures in exports and JSON are always Western."""
    text = f"{value:.{decimals}f}" if decimals is not None else str(value)
    return text.translate(_ARABIC_INDIC) if _State.digits == ARABIC_INDIC else text


def digits_in(text: str) -> str:
    """`text` with its Western digits in the chosen style (a time, a date, a version shown as is)."""
    return text.translate(_ARABIC_INDIC) if _State.digits == ARABIC_INDIC else text


# ---- argparse's own messages -----------------------------------------------------------------------------------
# argparse builds "usage:", "options", its errors … with gettext.gettext at call time; pointing its two
# names at this catalogue makes `hashiya --help` and its errors Arabic too. Listed here for extraction.
ARGPARSE_MESSAGES = (
    N_("usage: "), N_("positional arguments"), N_("options"), N_("show this help message and exit"),
    N_("show program's version number and exit"), N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"), N_("%(prog)s: error: %(message)s\n"), N_("expected one argument"),
    N_("expected at least one argument"), N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"), N_("invalid %(type)s value: %(value)r"),
    N_("not allowed with argument %s"), N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("one of the arguments %s is required"), N_("ignored explicit argument %r"),
    N_("expected at most one argument"), N_("can't open '%(filename)s': %(error)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"), N_("unexpected option string: %s"),
)


def _argparse_plural_messages() -> None:  # never called: marks argparse's plural message for extraction
    ngettext("expected %s argument", "expected %s arguments", 2)


def translate_argparse() -> None:
    argparse._ = _
    argparse.ngettext = ngettext
