"""Every limit an LMS or a package format imposes, checked when a course loads (so `lint` finds it).

A build that would fail late (a date a zip cannot hold, a file name no file system stores) fails at
load instead, with ``path:line:col`` and exit 2, before
anything is written. One table, each limit with where it comes from:

| what | limit | where it comes from |
| --- | --- | --- |
| every id | 64 characters | the JSON Schemas (fits Moodle's 100-character idnumber as ``category.<id>``) |
| release_date, SOURCE_DATE_EPOCH | 1980-01-01..2107-12-31 | zip's MS-DOS dates (APPNOTE 4.4.6) |
| a file or folder name | 255 bytes (UTF-8) | ext4, NTFS, APFS; what extractors can create |
| YAML integer | 18 digits | beyond any setting; Python refuses 4,300+ digits |
| YAML file | 1 MiB | 90x the largest OSEE module.yaml |
| Markdown file | 128 KiB | 11x the longest OSEE text; each format renders it again |
| Markdown line | 10,000 characters | 9x the longest OSEE line; bounds table and inline parsing |
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from builder.errors import Pos, Problem

if TYPE_CHECKING:
    from builder.yamlpos import YamlDoc

KIB = 1 << 10


@dataclass(frozen=True)
class TextLimit:
    """Values at paths matching ``path`` ("*" for any list index) hold at most ``max`` characters."""

    path: tuple[str, ...]
    max: int
    why: str


# Titles longer than Moodle's 100-character competency short name are not refused: the Moodle writers
# fit them (full titles stay in CASE) and lint says so (builder.moodle_limits).
COURSE_LIMITS: tuple[TextLimit, ...] = ()
MODULE_LIMITS: tuple[TextLimit, ...] = ()
ZIP_FIRST = datetime(1980, 1, 1, tzinfo=UTC)
ZIP_LAST = datetime(2107, 12, 31, 23, 59, 59, tzinfo=UTC)  # stored as 23:59:58 (2-second steps)
MAX_NAME_BYTES = 255
MAX_INT_DIGITS = 18
MAX_MARKDOWN_BYTES = 128 * KIB
MAX_LINE = 10_000
MAX_YAML_BYTES = 1024 * KIB


def text_problems(doc: YamlDoc, limits: tuple[TextLimit, ...]) -> list[Problem]:
    """Values of a YAML document longer than their limit."""
    out = []
    for limit in limits:
        for path, value in _matching(doc.data, limit.path, ()):
            if isinstance(value, str) and len(value) > limit.max:
                out.append(
                    Problem(
                        doc.pos(path),
                        f"{'.'.join(str(p) for p in path)} is {len(value)} characters, over the {limit.max} "
                        f"allowed: {limit.why}; shorten it",
                    )
                )
    return out


def course_problems(doc: YamlDoc) -> list[Problem]:
    """Limits of course.yaml: lengths, and a release date (or SOURCE_DATE_EPOCH) a zip can hold."""
    out = text_problems(doc, COURSE_LIMITS)
    release = doc.data.get("release_date")
    if isinstance(release, str) and (problem := release_problem(release, doc.pos(("release_date",)))):
        out.append(problem)
    return out


def module_problems(doc: YamlDoc) -> list[Problem]:
    """Limits of a module.yaml."""
    return text_problems(doc, MODULE_LIMITS)


def _matching(
    data: object, pattern: tuple[str, ...], path: tuple[str | int, ...]
) -> Iterator[tuple[tuple[str | int, ...], object]]:
    if not pattern:
        yield path, data
        return
    head, rest = pattern[0], pattern[1:]
    if head == "*" and isinstance(data, list):
        for i, item in enumerate(data):
            yield from _matching(item, rest, (*path, i))
    elif isinstance(data, dict) and head in data:
        yield from _matching(data[head], rest, (*path, head))


def release_problem(release: str, pos: Pos) -> Problem | None:
    """release_date and SOURCE_DATE_EPOCH (which replaces it) must be a time a zip entry can hold."""
    try:
        day = date.fromisoformat(release)
    except ValueError:
        return None  # the schema reports it
    stamp = datetime(day.year, day.month, day.day, tzinfo=UTC)
    what = f"release_date {release}"
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw:
        if not raw.isdigit():
            return Problem(pos, f"SOURCE_DATE_EPOCH={raw!r} is not a number of seconds; unset it or fix it")
        seconds = int(raw[:20])
        if len(raw) > 20 or seconds > ZIP_LAST.timestamp():
            return Problem(
                pos,
                f"SOURCE_DATE_EPOCH={raw[:24]} is after {ZIP_LAST:%Y-%m-%d}, the last date a zip entry can "
                "hold (it replaces release_date as the packages' timestamp); unset it or use a smaller value",
            )
        return None  # earlier than 1980 is stored as 1980-01-01 (builder.package)
    if stamp > ZIP_LAST:
        return Problem(
            pos,
            f"{what} is after {ZIP_LAST:%Y-%m-%d}, the last date a zip entry can hold; "
            "packages carry it as their timestamp: use the real release date",
        )
    return None


def path_problem(path: Path) -> str | None:
    """Why a course path cannot be read or shipped (name too long, symlink loop...), or None."""
    for part in path.parts:
        size = len(part.encode("utf-8", "surrogateescape"))
        if size > MAX_NAME_BYTES:
            return (
                f"a name in this path is {size} bytes long; file systems and LMSs refuse names over "
                f"{MAX_NAME_BYTES} bytes: shorten it"
            )
    try:
        path.stat()  # follows the links: a loop anywhere on the way is ELOOP
    except FileNotFoundError:
        return None  # the caller says it is missing
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "is a symbolic link that loops back to itself; replace it with the real file"
        return f"cannot be read ({exc.strerror})"
    return None


def size_problem(path: Path, limit: int, what: str) -> str | None:
    """Why the file is too large to load, or None."""
    size = path.stat().st_size
    if size > limit:
        return f"{what} is {size} bytes, over the limit of {limit}: split it into smaller files"
    return None


def long_line(text: str) -> tuple[int, int, str] | None:
    """(line, column, message) of the first line over MAX_LINE characters, or None."""
    if len(text) <= MAX_LINE:
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > MAX_LINE:
            return (
                number,
                MAX_LINE + 1,
                f"line of {len(line)} characters, over the limit of {MAX_LINE}: Markdown this long "
                "takes LMS pages and this builder too long; break it into paragraphs or rows",
            )
    return None


def yaml_int_problem(tag: str, value: str) -> str | None:
    """Why a YAML integer scalar is refused before it is converted (thousands of digits), or None."""
    digits = len(value.replace("_", "").lstrip("+-"))
    if tag == "tag:yaml.org,2002:int" and digits > MAX_INT_DIGITS:
        return f"a number of {digits} digits; numbers here have at most {MAX_INT_DIGITS}: write a smaller one"
    return None
