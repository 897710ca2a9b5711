"""Read the OSEE seed's competency tables, so tests compare the course with the source itself."""

from __future__ import annotations

import re
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed" / "000_acdb9b96828762d0.txt"
_HEADER = re.compile(r"^(Competencies|Competency)\tDescription\s*$")
_END = re.compile(r"^Dependencies and Overlaps?\s*$")


def competency_tables() -> list[list[tuple[str, str]]]:
    """Each competency table of the seed as (title, raw description text) rows, in order."""
    tables: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] | None = None
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if _HEADER.match(line):
            if current is None:
                current = []
                tables.append(current)
            continue  # a repeated header after a page break continues the same table
        if current is None:
            continue
        if _END.match(line):
            current = None
            continue
        if "\t" not in line:
            continue
        first, rest = line.split("\t", 1)
        if set(first.strip()) == {"-"}:  # a table rule left by the extraction
            continue
        if first.strip():
            current.append((first.strip(), rest))
        elif current:  # continuation cell of the previous row (page break)
            title, text = current[-1]
            current[-1] = (title, f"{text} {rest}")
    return tables


def normalise(text: str) -> str:
    """Compare texts without markup: tags, Markdown emphasis, table rules and whitespace removed."""
    text = re.sub(r"</?p>|<[^>]+>", " ", text)
    text = re.sub(r"\*\*|(?<!\w)\*|\*(?!\w)|-{3,}", " ", text)
    return re.sub(r"\s+", " ", text).strip()
