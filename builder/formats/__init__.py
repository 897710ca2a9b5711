"""One module per output format, each with ``NAME`` and ``build(course, out_dir) -> list[Path]``
(and, optionally, ``parts(course)`` and ``make_part(course, key)``: work the builder asks
``forked_jobs.part`` for, which a spare process may do ahead; ``prepare()``: what the format
loads for any course, loaded before a build forks its processes).

``FORMATS`` maps each name to its builder; a format's module (and what it imports: lxml, the XSD
catalog, the quiz) is imported only when that format is built, so `builder --help` starts fast.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from builder.model import Course

Builder = Callable[["Course", Path], list[Path]]

# format name -> the module that builds it (its NAME is the key)
MODULES = {
    "web": "builder.formats.web",
    "cc11": "builder.formats.cc11",
    "cc13": "builder.formats.cc13",
    "moodlexml": "builder.formats.moodlexml",
    "moodle": "builder.formats.moodle_backup",
    "gift": "builder.formats.gift",
    "competencies": "builder.formats.competencies",
    "scorm12": "builder.formats.scorm12",
    "scorm2004": "builder.formats.scorm2004",
}


def _on_first_use(module_name: str) -> Builder:
    def build(course: Course, out_dir: Path) -> list[Path]:
        return importlib.import_module(module_name).build(course, out_dir)

    build.__qualname__ = build.__name__ = f"{module_name}.build"
    return build


REGISTERED: dict[str, Builder] = {name: _on_first_use(module) for name, module in MODULES.items()}
FORMATS: dict[str, Builder] = dict(REGISTERED)  # what `builder build` runs (tests may swap one in)


def parts_of(name: str, course: Course) -> list[Hashable]:
    """The parts the builder of format ``name`` will ask ``forked_jobs.part`` for, in the order it
    will ask (none for a format that has none, or a builder a test swapped in). A key is a tuple
    whose first item is the format's name, so no two formats share one."""
    if FORMATS[name] is not REGISTERED[name]:
        return []
    parts = getattr(importlib.import_module(MODULES[name]), "parts", None)
    return [] if parts is None else parts(course)


def make_part(course: Course, key: tuple[str, ...]) -> object:
    """Part ``key`` of the format its first item names (one of ``parts_of(name, course)``)."""
    return importlib.import_module(MODULES[key[0]]).make_part(course, key)


def prepare_builder(name: str) -> None:
    """Import the module of format ``name`` now, and let it load what it needs for any course
    (its ``prepare()``: compiled schemas): a build forks its workers after this, so they share it
    instead of each loading it. A failure is left for the build itself to meet and report."""
    if FORMATS[name] is not REGISTERED[name]:
        return
    try:
        prepare = getattr(importlib.import_module(MODULES[name]), "prepare", None)
        if prepare is not None:
            prepare()
    except Exception:
        pass
