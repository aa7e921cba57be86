"""The size of the virtual environment `make run` makes (what running needs) and of the one `make test`
makes (that plus the test tools), each built afresh in a temporary folder; and what takes the room.

    python3 packaging/measure_environments.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent


def megabytes(path: Path) -> float:
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_symlink()) / 1e6


def largest(site: Path, count: int = 8) -> str:
    sizes = sorted(((megabytes(p) if p.is_dir() else p.stat().st_size / 1e6, p.name) for p in site.iterdir()),
                   reverse=True)
    return ", ".join(f"{name} {size:.0f}" for size, name in sizes[:count])


def main() -> int:
    with tempfile.TemporaryDirectory() as scratch:
        for name, requirement in (("make run (runtime)", "-e ."), ("make test (runtime + tests)", "-e .[test]")):
            folder = Path(scratch) / name.split()[1]
            site = build_editable(folder, requirement)
            print(f"{name}: {megabytes(folder):.0f} MB; largest (MB): {largest(site)}", flush=True)
    return 0


def build_editable(folder: Path, requirement: str) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *requirement.split()], check=True, cwd=CHECKOUT)
    return next((folder / "lib").glob("python3*/site-packages"))


if __name__ == "__main__":
    sys.exit(main())
