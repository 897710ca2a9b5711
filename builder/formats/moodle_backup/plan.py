"""The backup's layout: which section holds which activity, and every id, fixed before anything is written.

Ids are small integers given in course order, so the same course always gives the same backup and
every cross-reference (section sequence, module directory, context, grade item, file record,
question bank entry) can be checked against one table. Moodle replaces all of them on restore.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from typing import Any

from builder import moodle_limits as limits
from builder.i18n import tr
from builder.model import Course, Link, Module, Page
from builder.quiz.model import Quiz

COURSE_ID = 2  # the original course id (1 is a Moodle site's front page)
SYSTEM_CONTEXT = 1
COURSE_CONTEXT = 2
MODULE_CONTEXT_BASE = 100  # module contexts are 100 + cmid
COURSE_GRADE_ITEM = 1
COURSE_GRADE_CATEGORY = 1
STUDENT_ROLE = 5


@dataclass
class Activity:
    """One course module: its kind (``modname``), ids, title and what it shows."""

    modname: str  # page, url, forum, quiz
    cmid: int
    instance: int
    title: str
    section: Section
    page: Page | None = None  # a course page
    module: Module | None = None  # the module a module page, forum or quiz belongs to
    attributions: bool = False  # the attributions page
    link: Link | None = None  # url
    quiz: Quiz | None = None
    grade_item: int | None = None  # quiz

    @property
    def contextid(self) -> int:
        return MODULE_CONTEXT_BASE + self.cmid

    @property
    def directory(self) -> str:
        return f"activities/{self.modname}_{self.cmid}"

    @property
    def key(self) -> str:
        return f"{self.modname}_{self.cmid}"

    @property
    def completion(self) -> str | None:
        """How Moodle marks it complete: "view" (pages), "pass" (quizzes) or None."""
        return {"page": "view", "quiz": "pass"}.get(self.modname)


@dataclass
class Section:
    id: int
    number: int
    name: str | None
    category_id: str | None  # None: section 0 (about the course)
    activities: list[Activity] = field(default_factory=list)

    @property
    def directory(self) -> str:
        return f"sections/section_{self.id}"

    @property
    def key(self) -> str:
        return f"section_{self.id}"


@dataclass
class Plan:
    course: Course
    sections: list[Section]

    @property
    def activities(self) -> list[Activity]:
        return [a for s in self.sections for a in s.activities]

    def quizzes(self) -> list[Activity]:
        return [a for a in self.activities if a.modname == "quiz"]

    def module_page(self, module_id: str) -> Activity | None:
        return next(
            (
                a
                for a in self.activities
                if a.modname == "page" and a.module is not None and a.module.id == module_id
            ),
            None,
        )


def make_plan(course: Course, quizzes: dict[str, Quiz]) -> Plan:
    cmids = count(1)
    instances: dict[str, count[int]] = {}
    grade_items = count(COURSE_GRADE_ITEM + 1)

    def activity(section: Section, modname: str, title: str, column: str, **what: Any) -> Activity:
        instance = next(instances.setdefault(modname, count(1)))
        made = Activity(modname, next(cmids), instance, limits.fit_name(column, title), section, **what)
        section.activities.append(made)
        return made

    def links(section: Section, items: tuple[Link, ...] | list[Link]) -> None:
        for link in items:
            if link.url:
                activity(section, "url", link.title, "url.name", link=link)

    about = Section(1, 0, tr(course.language, "About this course"), None)
    for page in course.pages:
        activity(about, "page", page.title, "page.name", page=page)
    activity(about, "page", tr(course.language, "Attributions"), "page.name", attributions=True)
    sections = [about]
    for number, category in enumerate(course.categories, start=1):
        section = Section(
            number + 1, number, limits.fit_name("course_sections.name", category.title), category.id
        )
        sections.append(section)
        links(section, category.readings)
        for module in course.modules_of(category):
            activity(section, "page", module.title, "page.name", module=module)
            links(section, [r for tm in module.training_materials for r in tm.resources])
            links(section, module.readings)
            if module.discussion is not None:
                activity(section, "forum", module.discussion.title, "forum.name", module=module)
            quiz = activity(
                section,
                "quiz",
                limits.quiz_name(module.title, course.language),
                "quiz.name",
                module=module,
                quiz=quizzes[module.id],
            )
            quiz.grade_item = next(grade_items)
    return Plan(course, sections)
