"""One module's quiz as a cartridge stores it: a QTI assessment, checked as Moodle, the XSD and the
profile's rules need it. A pure function of the course, the version and the module, so a build
with a process to spare makes it there (``forked_jobs.part``) while the cartridge goes on."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from builder.errors import BuildError
from builder.formats import qti
from builder.formats.cc_rules import checked_xml
from builder.formats.cc_versions import VERSIONS, Version
from builder.formats.qti_items import CcItem
from builder.i18n import percent, tr
from builder.model import Course, Module
from builder.quiz import build_quizzes
from builder.xsd_check import hardened_parser


@dataclass(frozen=True)
class CheckedAssessment:
    xml: bytes
    items: tuple[CcItem, ...]


def ident(module: Module) -> str:
    return f"R_module_{module.id}_quiz"


def title(course: Course, module: Module) -> str:
    return tr(course.language, "Quiz: %(module)s", module=module.title)


def make_part(course: Course, key: tuple[str, str, str]) -> CheckedAssessment:
    version, _, module_id = key
    return checked_assessment(course, VERSIONS[version], course.module(module_id))


def checked_assessment(course: Course, version: Version, module: Module) -> CheckedAssessment:
    """The module's quiz as ``<ident>/assessment.xml``; BuildError when Moodle would drop or reject
    an item, or the XSD or the profile rules refuse the file."""
    lang = course.language
    quiz = build_quizzes(course).quizzes[module.id]
    rubric = tr(
        lang,
        "This quiz checks the competencies of the module *%(module)s*. "
        "Pass mark: %(pass_mark)s of the points.",
        module=module.title,
        pass_mark=percent(quiz.pass_mark, lang),
    )
    name = ident(module)
    made = _MADE.take(course, module.id)
    if made is None:
        assessment = qti.assessment_xml(
            quiz, name, title(course, module), rubric, language=lang, seed=course.quiz.seed
        )
        problems = qti.moodle_problems(assessment.root)
        if problems:
            raise BuildError(
                f"{name}/assessment.xml: Moodle would drop or reject items: " + "; ".join(problems)
            )
        root, data, items = assessment.root, assessment.xml, assessment.items
        _MADE.keep(course, module.id, (data, items))
    else:  # made for the other version: the same file, checked against this version's schemas
        data, items = made
        root = etree.fromstring(data, hardened_parser())
    xml = checked_xml(f"{name}/assessment.xml", root, version.schema_set, "qti", data)
    return CheckedAssessment(xml, items)


class _MadeOnce:
    """The modules' assessments made by this process for one cartridge version, kept (serialised,
    at most ``MAX_KEPT``: the latest) for the other version, which holds the same QTI: the
    assessment depends on the course and the module, not on the version (only the XSD set and
    the profile rules that check it differ). The other version takes one and it is gone."""

    MAX_KEPT = 100

    def __init__(self) -> None:
        self.course: Course | None = None
        self.kept: dict[str, tuple[bytes, tuple[CcItem, ...]]] = {}

    def keep(self, course: Course, module_id: str, made: tuple[bytes, tuple[CcItem, ...]]) -> None:
        if self.course is not course:
            self.course, self.kept = course, {}
        if len(self.kept) >= self.MAX_KEPT:
            del self.kept[next(iter(self.kept))]
        self.kept[module_id] = made

    def take(self, course: Course, module_id: str) -> tuple[bytes, tuple[CcItem, ...]] | None:
        return self.kept.pop(module_id, None) if self.course is course else None


_MADE = _MadeOnce()
