"""``builder lint``: every problem of every stage in one run (loading, references, quiz rules), plus
content checks beyond what loading enforces: things that load fine but read badly or break later."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from builder import i18n, markdown, moodle_limits
from builder.errors import CourseError, Pos, Problem
from builder.load import check_course
from builder.model import Course, Markdown
from builder.overlay import dropped_names, dropped_overrides, names_dropped
from builder.quiz import build_quizzes


@dataclass
class LintResult:
    course_id: str
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)


def lint_course_dir(path: Path, language: str | None = None) -> LintResult:
    """Load COURSE as far as it goes and run every check on what loaded: nothing stops at a stage."""
    try:
        course, problems = check_course(path, language)
    except CourseError as exc:  # no course folder or no course.yaml: nothing else to check
        return LintResult(Path(path).resolve().name, problems=list(exc.problems))
    try:
        problems += lint(course)
    except CourseError as exc:  # quiz rules broken: still report the content warnings
        problems += exc.problems
        problems += content_warnings(course)
    counts = {
        "modules": len(course.modules),
        "competencies": len(course.competencies()),
        "training-material rows": sum(len(m.training_materials) for m in course.modules),
        "readings": sum(len(m.readings) for m in course.modules)
        + sum(len(c.readings) for c in course.categories),
    }
    return LintResult(course.id, counts, _sorted(problems))


def _sorted(problems: list[Problem]) -> list[Problem]:
    unique = {(p.pos, p.message, p.severity): p for p in problems}
    return sorted(unique.values(), key=lambda p: (p.pos, p.message))


def _bodies(course: Course) -> Iterator[Markdown]:
    for page in course.pages:
        yield page.body
    for cat in course.categories:
        yield cat.intro
    for module in course.modules:
        for section in module.sections:
            yield section.body
        if module.audience:
            yield from (b for b in (module.audience.intro, module.audience.notes) if b)
            yield from (r.description for r in module.audience.rows if r.description)
        for comp in module.competencies:
            yield comp.description
        for dep in module.dependencies:
            yield dep.description


def _has_prose(text: str) -> bool:
    """True when a Markdown text holds something besides headings and blank lines."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in text.splitlines())


def lint(course: Course) -> list[Problem]:
    """Warnings for a loaded course (quiz warnings included), sorted by position.

    Raises CourseError when the quizzes break a rule, as a build would.
    """
    quizzes = build_quizzes(course)
    # What the Moodle writers (Moodle XML, GIFT, course backup) change to fit Moodle's columns.
    fitted = moodle_limits.course_problems(course, quizzes.quizzes)
    found = [
        *quizzes.warnings,
        *fitted,
        *content_warnings(course),
        *overlay_warnings(course),
        *language_warnings(course),
    ]
    return sorted(found, key=lambda p: (p.pos, p.message))


def language_warnings(course: Course) -> list[Problem]:
    """Interface strings the course language has no translation for: they are shown in English."""
    missing = i18n.untranslated(course.language)
    if not missing:
        return []
    shown = "; ".join(f"'{m}'" for m in missing[:3])
    message = (
        f"interface language '{course.language}': {len(missing)} interface string(s) have no translation "
        f"and are shown in English ({shown}{', ...' if len(missing) > 3 else ''}); catalogues exist for "
        f"{', '.join(i18n.SHIPPED)} (README, Languages)"
    )
    return [Problem(course.pos, message, "warning")]


def overlay_warnings(course: Course) -> list[Problem]:
    """An overlay's leftovers: files for modules it drops, and kept text that names a dropped module."""
    if course.overlay is None:
        return []
    found = list(dropped_overrides(course.overlay))
    names = dropped_names(course.overlay)
    texts: list[tuple[str, Pos]] = [(b.text, b.pos) for b in _bodies(course)]
    for module in course.modules:
        texts.append((module.summary, module.pos))
        texts += [(d.title, d.pos) for d in module.dependencies if d.title]
    for text, pos in texts:
        for module_id in names_dropped(names, text):
            where = f"{course.root.name}/{course.rel(pos.file).as_posix()}"
            how = (
                f"override it in {where}"
                if pos.file.suffix == ".yaml"
                else f"a file at {where} replaces this one"
            )
            message = f"names module '{module_id}', which the overlay drops; reword it in the overlay ({how})"
            found.append(Problem(pos, message, "warning"))
    return found


def content_warnings(course: Course) -> list[Problem]:
    """Sections without prose, thin competency descriptions, links LMSs may not open."""
    found: list[Problem] = []
    for module in course.modules:
        for section in module.sections:
            if not _has_prose(section.body.text):
                found.append(
                    Problem(
                        section.body.pos,
                        f"section '{section.title}' has headings but no text",
                        "warning",
                    )
                )
        for comp in module.competencies:
            words = len(comp.description.text.split())
            if comp.description.text.strip().casefold() == comp.title.strip().casefold():
                found.append(
                    Problem(
                        comp.pos,
                        f"competency '{comp.id}' only repeats its title as description",
                        "warning",
                    )
                )
            elif words < 8:
                found.append(
                    Problem(
                        comp.pos,
                        f"competency '{comp.id}' has a {words}-word description; "
                        "describe what the trainee can do (quizzes quote it)",
                        "warning",
                    )
                )
        if not module.competencies:
            found.append(Problem(module.pos, "module has no competencies", "warning"))
    for body in _bodies(course):
        inline = body.pos.file.suffix == ".yaml"
        for ref in markdown.links(body.text, body.pos, inline=inline):
            if ref.scheme in ("http", "https") or ref.is_relative:
                continue
            found.append(
                Problem(
                    ref.pos,
                    f"link '{ref.target}' is neither http(s) nor a relative path inside "
                    "the course; LMSs and offline packages may not open it",
                    "warning",
                )
            )
    return sorted(found, key=lambda p: (p.pos, p.message))
