"""Figures of the Linux package for packaging/README.md and the README: sizes, cold start, --version.

    python3 packaging/measure_package.py          (after `make package`)

Cold start is timed as `make bench` row 1 times the checkout: from launching the program to the reading
pane's first painted frame (the app's HASHIYA_SMOKE_TEST line), offscreen, HOME and XDG folders in a
temporary folder where a first run has already made the demo project; median of 5.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
RUNS = 5


def version() -> str:
    text = (CHECKOUT / "app" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


def megabytes(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(p.lstat().st_size for p in path.rglob("*")) / 1e6


def environment(home: Path, **extra: str) -> list[str]:
    variables = {"PATH": "/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8", **extra}
    return ["env", "-i", *(f"{k}={v}" for k, v in variables.items())]


def timed(command: list[str], until: str | None = None) -> float:
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for line in child.stdout:
        if until is None or line.startswith(until):
            break
    elapsed = time.perf_counter() - started
    child.wait(60)
    return elapsed


def summary(samples: list[float]) -> str:
    return f"{statistics.median(samples):.3f} s (min {min(samples):.3f}, max {max(samples):.3f}, n={len(samples)})"


def main() -> int:
    v = version()
    deb = CHECKOUT / "dist" / f"hashiya_{v}_amd64.deb"
    tarball = CHECKOUT / "dist" / f"hashiya-{v}-linux-x86_64.tar.gz"
    if not deb.is_file():
        sys.exit(f"measure_package: {deb} is missing: run `make package` first")
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "root"
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
        program = root / "opt" / "hashiya" / "hashiya"
        home = Path(scratch) / "home"
        home.mkdir()
        window = [*environment(home, QT_QPA_PLATFORM="offscreen", HASHIYA_SMOKE_TEST="1"), str(program),
                  "--analyst", "bench"]
        first = timed(window, "shown")  # makes the demo project
        starts = [timed(window, "shown") for _ in range(RUNS)]
        versions = [timed([*environment(home), str(program), "--version"]) for _ in range(RUNS)]
        installed_kib = subprocess.run(["dpkg-deb", "-f", str(deb), "Installed-Size"], capture_output=True,
                                       text=True, check=True).stdout.strip()
        print(f"hashiya {v}, {deb.name}")
        print(f".deb                      {megabytes(deb):.1f} MB")
        print(f"tar.gz                    {megabytes(tarball):.1f} MB" if tarball.is_file() else "tar.gz  (missing)")
        print(f"installed (/opt/hashiya)  {megabytes(root / 'opt' / 'hashiya'):.1f} MB; "
              f"Installed-Size {int(installed_kib) / 1024:.1f} MiB")
        print(f"cold start → first frame  {summary(starts)}; first run (makes the demo) {first:.3f} s")
        print(f"--version                 {summary(versions)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
