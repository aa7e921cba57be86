"""The message catalogue: every source message has an Arabic translation, the compiled catalogue is the
source's, placeholders survive translation, Arabic plural forms, digits, and choosing the language."""

from __future__ import annotations

import gettext
import io
import re
import subprocess
import sys

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from app import i18n, packagedata
from app.i18n import _, ngettext, number
from tests.conftest import ROOT

ARABIC_PO = ROOT / "resources/locale/ar/LC_MESSAGES/hashiya.po"
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
PLACEHOLDER = re.compile(r"\{(\w*)[^{}]*\}")
PERCENT = re.compile(r"%(?:\(\w+\))?[sdrf]")


def source_messages() -> dict[tuple[str, str | None], str]:
    """Every message app/ and ui/ mark, as `make i18n-extract` finds them: (msgid, context) → where."""
    found = {}
    for folder in ("app", "ui"):
        for filename, lineno, message, _comments, context in extract_from_dir(
                ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS):
            msgid = message[0] if isinstance(message, tuple) else message
            found.setdefault((msgid, context), f"{folder}/{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def catalogue():
    with open(ARABIC_PO, "rb") as handle:
        return read_po(handle)


def _forms(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


def _msgid(message) -> str:
    return message.id[0] if isinstance(message.id, tuple) else message.id


def test_every_source_message_has_an_arabic_translation_that_is_not_fuzzy(catalogue):
    translated = {(_msgid(m), m.context): m for m in catalogue if m.id}
    missing = [f"{where}: {msgid!r}" for (msgid, context), where in source_messages().items()
               if (msgid, context) not in translated]
    unfinished = [f"{_msgid(m)!r} ({'fuzzy' if m.fuzzy else 'untranslated'})" for m in translated.values()
                  if m.fuzzy or not all(_forms(m))]
    assert not missing, "not in the Arabic catalogue (make i18n-update, then translate):\n" + "\n".join(missing)
    assert not unfinished, "Arabic translation missing or fuzzy:\n" + "\n".join(unfinished)


def test_the_compiled_catalogue_is_the_source_catalogue(catalogue):
    """resources/…/hashiya.mo is what the app reads: it must be compiled from the .po as it is now."""
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    expected = gettext.GNUTranslations(io.BytesIO(compiled.getvalue()))._catalog
    shipped = gettext.GNUTranslations(io.BytesIO(packagedata.resource_bytes(i18n.catalogue_name("ar"))))._catalog
    assert shipped == expected, "hashiya.mo is out of date: run make i18n-compile"


def test_translations_keep_every_placeholder_and_mnemonic(catalogue):
    wrong = []
    for message in catalogue:
        if not message.id:
            continue
        source = " ".join(message.id) if isinstance(message.id, tuple) else message.id
        wanted = set(PLACEHOLDER.findall(source))
        for index, form in enumerate(_forms(message)):
            names = set(PLACEHOLDER.findall(form))
            # Arabic says zero, one and two in words (لا مطابقات، مستند واحد، مستندان): those plural forms may
            # leave out the count, and "none" may leave out what the count was of.
            may_drop = (len(wanted) if index == 0 else 1) if isinstance(message.id, tuple) and index < 3 else 0
            if len(wanted - names) > may_drop or names - wanted:
                wrong.append(f"{_msgid(message)!r} → {form!r}: placeholders {sorted(names)}")
            if sorted(PERCENT.findall(form)) != sorted(PERCENT.findall(_msgid(message))) and (
                    not isinstance(message.id, tuple) or index >= 3):
                wrong.append(f"{_msgid(message)!r} → {form!r}: %-placeholders differ")
            if ("&" in source.replace("&&", "")) != ("&" in form.replace("&&", "")):
                wrong.append(f"{_msgid(message)!r} → {form!r}: the & of the shortcut letter")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("count, expected", [
    (0, "لا مستندات"), (1, "مستند واحد"), (2, "مستندان"), (3, "3 مستندات"), (11, "11 مستندًا"), (100, "100 مستند"),
])
def test_arabic_plural_forms_zero_one_two_few_many_other(count, expected):
    i18n.set_language("ar")
    assert ngettext("{n} document", "{n} documents", count).format(n=number(count)).lstrip(i18n.RLM) == expected


def test_an_arabic_message_that_starts_left_to_right_starts_with_a_right_to_left_mark():
    """So that a wrapped label or a message box lays "{path} مفتوح…" out right to left, path and all."""
    i18n.set_language("ar")
    assert ngettext("{n} document", "{n} documents", 3) == i18n.RLM + "{n} مستندات"
    assert ngettext("{n} document", "{n} documents", 1) == "مستند واحد"  # an Arabic letter first: nothing added
    assert _("&Edit").lstrip("&").startswith("ت") and not _("&Edit").startswith(i18n.RLM)
    i18n.set_language("en")
    assert ngettext("{n} document", "{n} documents", 3) == "{n} documents"


def test_english_plurals_and_the_source_text():
    assert ngettext("{n} document", "{n} documents", 1).format(n=number(1)) == "1 document"
    assert ngettext("{n} document", "{n} documents", 0).format(n=number(0)) == "0 documents"
    assert _("usage: ") == "usage: "


def test_arabic_indic_digits_are_for_display_only():
    i18n.set_digits(i18n.ARABIC_INDIC)
    assert number(1234) == "١٢٣٤"
    assert number(0.8312, decimals=2) == "٠٫٨٣"
    i18n.set_language("ar")
    assert ngettext("{n} document", "{n} documents", 11).format(n=number(11)) == i18n.RLM + "١١ مستندًا"
    i18n.set_digits(i18n.WESTERN)
    assert number(0.8312, decimals=2) == "0.83"


def test_an_unknown_language_is_refused_by_name():
    with pytest.raises(ValueError, match="'fr'"):
        i18n.set_language("fr")


@pytest.mark.parametrize("environ, expected", [
    ({"LANG": "ar_EG.UTF-8"}, "ar"), ({"LANG": "ar"}, "ar"), ({"LANG": "en_GB.UTF-8"}, "en"),
    ({"LANGUAGE": "ar:en", "LANG": "en_US.UTF-8"}, "ar"), ({"LC_ALL": "de_DE.UTF-8", "LANG": "ar_SA"}, "en"),
    ({"LANG": "arn_CL"}, "ar"),  # Mapudungun starts with "ar" too: gettext's prefix rule, kept deliberately simple
])
def test_first_run_follows_the_system_locale(environ, expected):
    assert i18n.system_language(environ) == expected


def test_the_saved_choice_and_the_run_option_win_over_the_system():
    system = {"LANG": "ar_EG.UTF-8"}
    assert i18n.chosen_language(None, {}, system) == "ar"
    assert i18n.chosen_language(None, {"language": "en"}, system) == "en"
    assert i18n.chosen_language("ar", {"language": "en"}, system) == "ar"
    assert i18n.chosen_language(None, {"language": "klingon"}, {"LANG": "C"}) == "en"


@pytest.mark.parametrize("argv, expected", [
    (["--language", "ar", "export", "p"], ("ar", ["export", "p"])),
    (["export", "p", "--language=en"], ("en", ["export", "p"])),
    (["p.hashiya"], (None, ["p.hashiya"])),
    (["import", "p", "--", "--language"], (None, ["import", "p", "--", "--language"])),  # a file so named
])
def test_the_language_option_is_taken_wherever_it_is(argv, expected):
    assert i18n.take_language_option(argv) == expected


@pytest.mark.parametrize("argv", [["--language", "fr"], ["--language"], ["--language="]])
def test_a_wrong_language_option_is_refused(argv):
    with pytest.raises(ValueError):
        i18n.take_language_option(argv)


def _hashiya(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ui.launch", *argv], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)


def test_the_command_line_speaks_arabic_with_language_ar():
    helped = _hashiya("--language", "ar", "export", "--help")
    assert helped.returncode == 0
    assert helped.stdout.startswith("الاستخدام: hashiya export")
    assert "الخيارات" in helped.stdout and "--format" in helped.stdout
    refused = _hashiya("export", "--language", "ar")
    assert refused.returncode == 2
    assert "الوسائط التالية مطلوبة" in refused.stderr


def test_the_command_line_names_a_wrong_language():
    result = _hashiya("--language", "fr", "export")
    assert result.returncode == 2
    assert "'fr'" in result.stderr and "ar" in result.stderr


def test_the_saved_language_applies_to_commands_too(tmp_path):
    from app import settings

    settings.update(language="ar")
    refused = _hashiya("export")
    assert "الوسائط التالية مطلوبة" in refused.stderr
    assert "the following arguments" in _hashiya("--language", "en", "export").stderr


def test_the_arabic_label_preset_matches_the_english_one_key_for_key(tmp_path):
    from app.project import Project, default_labels

    english, arabic = default_labels("en"), default_labels("ar")
    assert [(l.layer, l.color, l.shortcut) for l in english] == [(l.layer, l.color, l.shortcut) for l in arabic]
    assert [l.name for l in arabic if l.layer == "entity"][:3] == ["شخص", "مكان", "منظمة"]
    # Boilerplate categories keep their names (the detector's guesses use them), only described in Arabic.
    assert [l.name for l in arabic if l.layer == "boilerplate"] == [l.name for l in english if l.layer == "boilerplate"]
    project = Project.create(tmp_path / "عربي.hashiya", labels="ar")
    try:
        assert [label.name for label in project.labels("entity")][:3] == ["شخص", "مكان", "منظمة"]
    finally:
        project.close()


def test_built_in_boilerplate_categories_are_shown_translated_and_others_as_named():
    from app.boilerplate import BUILT_IN_CATEGORIES, category_title
    from app.project import default_labels

    assert BUILT_IN_CATEGORIES == tuple(l.name for l in default_labels("en") if l.layer == "boilerplate")
    assert category_title("footer") == "footer"
    i18n.set_language("ar")
    assert category_title("footer") == "التذييل" and category_title("cookie_consent") == "شريط ملفات الارتباط"
    assert category_title("my_own_category") == "my_own_category"
