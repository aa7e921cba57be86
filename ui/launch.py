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
    from app.cli import SUBCOMMANDS

    if argv and argv[0] in SUBCOMMANDS:
        from app.cli import main as cli_main

        return cli_main(argv)
    from ui.main import run_gui

    return run_gui(argv)


if __name__ == "__main__":
    sys.exit(main())
