"""One module per output format, each with ``NAME`` and ``build(course, out_dir) -> list[Path]``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from builder.formats import web
from builder.model import Course

Builder = Callable[[Course, Path], list[Path]]

FORMATS: dict[str, Builder] = {
    web.NAME: web.build,
}
