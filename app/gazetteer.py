"""Gazetteers: lists of names per label, whose occurrences are then proposed for annotation.

Two forms: one name per line (the label is chosen when importing), or CSV
rows `name,label` (an optional header row `name,label` is skipped). Files are
decoded like imported texts (UTF-8, cp1256, ISO-8859-6, UTF-16).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from app.i18n import _, number
from app.textio import DecodeError, decode_document, normalise_newlines


class GazetteerError(ValueError):
    """The whole file cannot be read; the message names it."""


@dataclass
class Gazetteer:
    pairs: list[tuple[str, str]] = field(default_factory=list)  # (name, label), in file order, no repeats
    problems: list[str] = field(default_factory=list)  # lines that were skipped, and why


def read_gazetteer(path: Path, known_labels: set[str], default_label: str | None = None) -> Gazetteer:
    """Names with labels; CSV when the file is .csv or its lines hold commas, else one name per line."""
    try:
        text, _encoding = decode_document(path.read_bytes())
    except (OSError, DecodeError) as error:
        raise GazetteerError(f"{path}: {getattr(error, 'strerror', None) or error}") from error
    lines = normalise_newlines(text).split("\n")
    rows = _csv_rows(lines) if path.suffix.lower() == ".csv" or any("," in line for line in lines) else None
    result = Gazetteer()
    for line_number, (name, label) in enumerate(rows if rows is not None else ((line, None) for line in lines), 1):
        _take(result, line_number, name.strip(), (label or default_label or "").strip(), known_labels)
    result.pairs = list(dict.fromkeys(result.pairs))
    if not result.pairs:
        if result.problems:
            raise GazetteerError(_("{path}: no usable names ({problem})").format(path=path, problem=result.problems[0]))
        raise GazetteerError(_("{path}: no usable names").format(path=path))
    return result


def _csv_rows(lines: list[str]) -> list[tuple[str, str | None]]:
    rows = [(row + [""])[:2] for row in csv.reader(lines) if row]
    if rows and [cell.strip().lower() for cell in rows[0]] == ["name", "label"]:
        rows = rows[1:]
    return [(name, label or None) for name, label in rows]


def _take(result: Gazetteer, line: int, name: str, label: str, known: set[str]) -> None:
    if not name:
        return
    if not label:
        result.problems.append(_("line {number}: {name} has no label").format(number=number(line), name=name))
    elif label not in known:
        result.problems.append(_("line {number}: the label {label} is not in the schema").format(
            number=number(line), label=label))
    else:
        result.pairs.append((name, label))
