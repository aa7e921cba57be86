"""The bundle's entry point: the same `hashiya` command as the wheel's console script."""

import sys

from ui.launch import main

if __name__ == "__main__":
    sys.exit(main())
