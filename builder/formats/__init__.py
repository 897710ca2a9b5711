"""One module per output format, each with ``NAME`` and ``build(course, out_dir) -> list[Path]``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from builder.formats import cc11, cc13, competencies, gift, moodle_backup, moodlexml, scorm12, scorm2004, web
from builder.model import Course

Builder = Callable[[Course, Path], list[Path]]

FORMATS: dict[str, Builder] = {
    web.NAME: web.build,
    cc11.NAME: cc11.build,
    cc13.NAME: cc13.build,
    moodlexml.NAME: moodlexml.build,
    moodle_backup.NAME: moodle_backup.build,
    gift.NAME: gift.build,
    competencies.NAME: competencies.build,
    scorm12.NAME: scorm12.build,
    scorm2004.NAME: scorm2004.build,
}
