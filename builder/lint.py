"""Content checks beyond what loading enforces: things that load fine but read badly or break later."""

from __future__ import annotations

from collections.abc import Iterator

from builder import markdown, moodle_limits
from builder.errors import Problem
from builder.model import Course, Markdown
from builder.quiz import build_quizzes


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
    found: list[Problem] = list(quizzes.warnings)
    found += moodle_limits.course_problems(course, quizzes.quizzes)
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
