"""`make package`: the Hashiya bundle (its own Python and Qt) and, from it, the Linux artefacts.

    python3 packaging/build_package.py [--dist dist] [--work build/package]

1. builds the wheel (`pip wheel .`) and installs it, with PyInstaller, into a build environment of its own
   (`build/package/venv`), so the bundle is made from an installed Hashiya, package data and all;
2. runs PyInstaller on `packaging/hashiya.spec`: `build/package/bundle/hashiya/` (`hashiya` + `_internal/`);
3. checks the bundle answers `--version`;
4. writes `dist/hashiya-<version>-linux-x86_64.tar.gz` (unpack, run `hashiya/hashiya`) and
   `dist/hashiya_<version>_amd64.deb`: the bundle in /opt/hashiya, /usr/bin/hashiya, the desktop entry,
   the icons, the MIME type of project files and the AppStream metadata; `Depends:` is what
   dpkg-shlibdeps finds the bundle linking against outside itself.

Only the standard library is used here; the tools are pip, PyInstaller, dpkg-shlibdeps and dpkg-deb.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
PACKAGING = CHECKOUT / "packaging"
PYINSTALLER = "pyinstaller==6.22.3"  # the version the comparison in packaging/README.md was made with
ARCHITECTURE = "amd64"
MAINTAINER = "Hashiya developers <hashiya@users.noreply.github.com>"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", type=Path, default=CHECKOUT / "dist", help="where the artefacts go")
    parser.add_argument("--work", type=Path, default=CHECKOUT / "build" / "package", help="build folder")
    args = parser.parse_args(argv)
    version = read_version()
    args.dist.mkdir(parents=True, exist_ok=True)
    python = build_environment(args.work)
    started = time.monotonic()
    bundle = freeze(python, args.work)
    say(f"bundle: {bundle} ({folder_megabytes(bundle):.0f} MB, PyInstaller took {time.monotonic() - started:.0f} s)")
    check_bundle(bundle, version)
    tarball = write_tarball(bundle, args.dist / f"hashiya-{version}-linux-x86_64.tar.gz")
    say(f"wrote {tarball} ({tarball.stat().st_size / 1e6:.1f} MB)")
    deb = write_deb(bundle, version, args.work, args.dist / f"hashiya_{version}_{ARCHITECTURE}.deb")
    say(f"wrote {deb} ({deb.stat().st_size / 1e6:.1f} MB)")
    return 0


def say(text: str) -> None:
    print(f"build_package: {text}", flush=True)


def run(command: list, **options) -> subprocess.CompletedProcess:
    shown = [str(part) for part in command]
    say(" ".join(shown[:12]) + (f" … ({len(shown) - 12} more arguments)" if len(shown) > 12 else ""))
    try:
        return subprocess.run(shown, check=True, **options)
    except subprocess.CalledProcessError as error:
        output = (error.stderr or "") if isinstance(error.stderr, str) else ""
        raise SystemExit(f"build_package: {shown[0]} failed (exit status {error.returncode})\n{output[-4000:]}") from None


def read_version() -> str:
    """app.__version__, read without importing the app (this script runs outside its environment)."""
    text = (CHECKOUT / "app" / "__init__.py").read_text(encoding="utf-8")
    return re.search(r'^__version__ = "([^"]+)"', text, re.M).group(1)


# ---- 1. the build environment -----------------------------------------------------------------------
def build_environment(work: Path) -> Path:
    venv = work / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        run([sys.executable, "-m", "venv", venv])
        run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    wheels = work / "wheel"
    shutil.rmtree(wheels, ignore_errors=True)
    run([python, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", wheels, CHECKOUT])
    (wheel,) = wheels.glob("hashiya-*.whl")
    # --force-reinstall of the wheel alone: the same version number with new code must replace the old.
    run([python, "-m", "pip", "install", "--quiet", PYINSTALLER, wheel])
    run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall", wheel])
    return python


# ---- 2. PyInstaller ------------------------------------------------------------------------------------
def freeze(python: Path, work: Path) -> Path:
    dist = work / "bundle"
    shutil.rmtree(dist, ignore_errors=True)
    # Run from an empty folder: the checkout's own app/ must not shadow the installed package.
    with tempfile.TemporaryDirectory() as empty:
        run([python, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
             "--distpath", dist, "--workpath", work / "pyinstaller", PACKAGING / "hashiya.spec"], cwd=empty)
    return dist / "hashiya"


def folder_megabytes(folder: Path) -> float:
    return sum(p.lstat().st_size for p in folder.rglob("*")) / 1e6


# ---- 3. a first check ----------------------------------------------------------------------------------
def check_bundle(bundle: Path, version: str) -> None:
    with tempfile.TemporaryDirectory() as home:
        answer = run([bundle / "hashiya", "--version"], env={"PATH": "/usr/bin:/bin", "HOME": home},
                     capture_output=True, text=True).stdout.strip()
    if answer != f"hashiya {version}":
        raise SystemExit(f"build_package: {bundle / 'hashiya'} --version said {answer!r}, not hashiya {version}")


# ---- 4. the artefacts ----------------------------------------------------------------------------------
def _reset_owner(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    return info


def write_tarball(bundle: Path, target: Path) -> Path:
    """The bundle folder as `hashiya/`, written to a temporary name and renamed when complete."""
    partial = target.with_name(target.name + ".partial")
    with tarfile.open(partial, "w:gz", compresslevel=9) as archive:
        archive.add(bundle, arcname="hashiya", filter=_reset_owner)
    os.replace(partial, target)
    return target


def write_deb(bundle: Path, version: str, work: Path, target: Path) -> Path:
    root = work / "deb"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(bundle, root / "opt" / "hashiya", symlinks=True)
    place_desktop_files(root)
    depends = shared_library_depends(root / "opt" / "hashiya", work)
    write_control(root, version, depends)
    partial = target.with_name(target.name + ".partial")
    run(["dpkg-deb", "--root-owner-group", "-Zxz", "--build", root, partial], stdout=subprocess.DEVNULL)
    os.replace(partial, target)
    return target


def place_desktop_files(root: Path) -> None:
    usr = root / "usr"
    (usr / "bin").mkdir(parents=True)
    # A link, not a copy: PyInstaller's loader finds _internal/ beside the file the link resolves to.
    (usr / "bin" / "hashiya").symlink_to("/opt/hashiya/hashiya")
    copies = {
        PACKAGING / "linux" / "hashiya.desktop": usr / "share" / "applications" / "hashiya.desktop",
        PACKAGING / "linux" / "hashiya-mime.xml": usr / "share" / "mime" / "packages" / "hashiya.xml",
        PACKAGING / "linux" / "io.github.hashiya.metainfo.xml":
            usr / "share" / "metainfo" / "io.github.hashiya.metainfo.xml",
        CHECKOUT / "LICENSE": usr / "share" / "doc" / "hashiya" / "LICENSE",
        CHECKOUT / "resources" / "fonts" / "OFL.txt": usr / "share" / "doc" / "hashiya" / "fonts-OFL.txt",
    }
    for source, destination in copies.items():
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)
    (usr / "share" / "doc" / "hashiya" / "copyright").write_text(copyright_text(), encoding="utf-8")
    shutil.copytree(PACKAGING / "icons" / "hicolor", usr / "share" / "icons" / "hicolor")
    # The hicolor, MIME and desktop databases are refreshed by dpkg triggers of the packages that own
    # them (hicolor-icon-theme, shared-mime-info, desktop-file-utils): no maintainer scripts are needed.
    for path in root.rglob("*"):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() or os.access(path, os.X_OK) else 0o644)


def copyright_text() -> str:
    return ("Hashiya: annotation workbench for Arabic news text.\n\n"
            "License: GPL-3.0-or-later (Hashiya uses pyarabic, which is GPL-3.0);\n"
            "  the full text is /usr/share/doc/hashiya/LICENSE.\n\n"
            "Bundled in /opt/hashiya: Python 3.11 (PSF License), Qt 6 and PySide6 (LGPL-3.0), SQLAlchemy (MIT),\n"
            "pyarabic (GPL-3.0), charset-normalizer (MIT), defusedxml (PSF License),\n"
            "python-crfsuite (MIT) with CRFsuite (BSD) and liblbfgs (MIT),\n"
            "psycopg and psycopg-binary (LGPL-3.0) with libpq (PostgreSQL License) and its libraries;\n"
            "their licence files are in /opt/hashiya/_internal/*.dist-info.\n\n"
            "Fonts (Noto Naskh Arabic, Noto Sans, Noto Emoji): SIL Open Font License 1.1,\n"
            "  /usr/share/doc/hashiya/fonts-OFL.txt.\n")


def elf_files(folder: Path) -> list[Path]:
    found = []
    for path in folder.rglob("*"):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as handle:
                if handle.read(4) == b"\x7fELF":
                    found.append(path)
    return sorted(found)


def shared_library_depends(installed: Path, work: Path) -> list[str]:
    """The Debian packages of the libraries the bundle links against but does not hold (dpkg-shlibdeps)."""
    elves = elf_files(installed)
    private = sorted({str(path.parent) for path in elves})  # the bundle's own libraries are found here
    with tempfile.TemporaryDirectory(dir=work) as scratch:
        (Path(scratch) / "debian").mkdir()
        (Path(scratch) / "debian" / "control").write_text(
            "Source: hashiya\n\nPackage: hashiya\nArchitecture: amd64\n", encoding="utf-8")
        result = run(["dpkg-shlibdeps", "-O", "--ignore-missing-info", "--warnings=0",
                      *[f"-l{folder}" for folder in private], *[f"-e{path}" for path in elves]],
                     cwd=scratch, capture_output=True, text=True)
    line = next(text for text in result.stdout.splitlines() if text.startswith("shlibs:Depends="))
    return [part.strip() for part in line.split("=", 1)[1].split(",") if part.strip()]


def write_control(root: Path, version: str, depends: list[str]) -> None:
    installed_kib = sum(p.lstat().st_size for p in root.rglob("*") if not p.is_dir()) // 1024
    control = root / "DEBIAN" / "control"
    control.parent.mkdir()
    control.write_text(
        f"Package: hashiya\n"
        f"Version: {version}\n"
        f"Architecture: {ARCHITECTURE}\n"
        f"Maintainer: {MAINTAINER}\n"
        f"Installed-Size: {installed_kib}\n"
        f"Depends: {', '.join(depends)}\n"
        f"Recommends: shared-mime-info, desktop-file-utils, hicolor-icon-theme\n"
        f"Section: science\n"
        f"Priority: optional\n"
        f"Description: annotation workbench for Arabic news text\n"
        f" Hashiya (حاشية, \"margin note\") lets analysts mark entities, stances and repeated\n"
        f" boilerplate in Arabic news text, in a right-to-left reading pane, and export gold labels\n"
        f" in the formats other annotation tools load. Python and Qt are bundled in /opt/hashiya.\n",
        encoding="utf-8")
    control.parent.chmod(0o755)


if __name__ == "__main__":
    sys.exit(main())
