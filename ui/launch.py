"""The `hashiya` command: headless subcommands, or the desktop app.

Qt is imported only when the window is wanted, so `hashiya import/export`
stay fast and work on machines without a display.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["--version"]:  # answered before anything else is imported: a packaging smoke test
        from app import version_line

        print(version_line())
        return 0
    chosen = _choose_language(argv)
    if isinstance(chosen, int):
        return chosen
    argv = chosen
    from app.cli import SUBCOMMANDS

    if argv and argv[0] in SUBCOMMANDS:
        from app.cli import main as cli_main

        return cli_main(argv)
    from ui.main import run_gui

    return run_gui(argv)


def _choose_language(argv: list[str]) -> list[str] | int:
    """The interface language for this run (`--language`, else the saved one, else the system's), set before
    any parser runs so that `--help` and every message are in it. Returns the rest of the command line, or
    the exit status when the option's value is not a language Hashiya has."""
    from app import i18n, settings

    try:
        requested, argv = i18n.take_language_option(argv)
    except ValueError as error:
        i18n.set_language(i18n.chosen_language(None, settings.load()))  # said in the language the run would have had
        print(i18n._("hashiya: --language: {value} is not one of: {languages}").format(
            value=repr(error.args[0]), languages=", ".join(i18n.LANGUAGES)), file=sys.stderr)
        return 2
    i18n.set_language(i18n.chosen_language(requested, settings.load()))
    i18n.set_digits(settings.load().get("digits", i18n.WESTERN))
    i18n.translate_argparse()
    return argv


if __name__ == "__main__":
    sys.exit(main())
