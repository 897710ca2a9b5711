"""Every module's quiz from the course model: its assessment's slots, drawn when limited, then checked."""

from __future__ import annotations

from collections.abc import Iterable

from builder.errors import CourseError, Problem
from builder.model import Course, Module
from builder.quiz import cues, rules
from builder.quiz.assessment import Slot, assessment_slots
from builder.quiz.audit import audit_problems
from builder.quiz.choices import rng_for
from builder.quiz.draw import MIN_CHECKS, draw
from builder.quiz.model import Quiz, QuizSet
from builder.quiz.positions import spread_keys


def _module_quiz(course: Course, module: Module, slots: list[Slot]) -> tuple[Quiz, list[Problem]]:
    problems: list[Problem] = []
    limit = module.quiz.questions
    # Seeded by the items' text, not the module's id: a renamed module draws the same items.
    drawn = draw(slots, limit, rng_for(course.quiz.seed, "draw", *sorted(slot[0].stem for slot in slots)))
    if limit is not None and drawn.needed > limit:
        problems.append(
            Problem(
                module.quiz.settings_pos or module.pos,
                f"quiz.questions is {limit}, but checking each competency at least {MIN_CHECKS} times "
                f"takes {drawn.needed} items here; raise it or remove it",
            )
        )
    quiz = Quiz(
        module_id=module.id,
        title=module.title,
        competency_ids=tuple(c.id for c in module.competencies),
        slots=tuple(drawn.slots),
        pass_mark=course.quiz.pass_mark,
    )
    return quiz, problems


_last: tuple[Course, QuizSet] | None = None  # every format of one build asks for the same quizzes


def build_quizzes(course: Course, *, lenient: bool = False) -> QuizSet:
    """Every module's quiz, in course order; the same course and seed always give the same quizzes.

    Raises CourseError listing every rule broken (lenient: returns them in ``errors``, so that
    reviewers see the quizzes that break them); warnings come back in the QuizSet. The result for
    the most recent course object is kept, so a build of several formats makes the quizzes once.
    """
    global _last
    if _last is not None and _last[0] is course and not (lenient and _last[1].errors):
        return _last[1]
    with cues.language(course.language):  # wording cues judged in the course's language
        quizzes, problems = _assemble(course)
        problems += _checks(course, quizzes)
    built = _result(quizzes, problems, lenient)
    if not built.errors:
        _last = (course, built)
    return built


def build_quizzes_checked_later(course: Course) -> QuizSet:
    """The quizzes without the quality checks (rules, test-wise audit), kept as the course's
    quizzes for the formats; the caller runs ``check_errors(course)`` beside the formats and fails
    the build on what it finds. When the quizzes cannot even be made, the checks run here and
    CourseError lists every problem at once, as ``build_quizzes`` does."""
    global _last
    if _last is not None and _last[0] is course:
        return _last[1]
    with cues.language(course.language):
        quizzes, problems = _assemble(course)
        if any(p.severity == "error" for p in problems):
            problems += _checks(course, quizzes)
    built = _result(quizzes, problems, lenient=False)
    _last = (course, built)
    return built


CHECKS = ("rules", "audit")  # the quality checks, by name: the quiz rules, the test-wise audit


def check_errors(course: Course, which: Iterable[str] = CHECKS) -> list[Problem]:
    """The errors of the quality checks ``which`` (all by default) for the quizzes
    ``build_quizzes_checked_later`` made; each check may run in a process of its own."""
    assert _last is not None and _last[0] is course, "build_quizzes_checked_later(course) comes first"
    quizzes = _last[1].quizzes.values()
    found: list[Problem] = []
    with cues.language(course.language):
        if "rules" in which:
            found += rules.check(quizzes, course)
        if "audit" in which:
            found += audit_problems(quizzes, course)
    return sorted({p for p in found if p.severity == "error"}, key=lambda p: (p.pos, p.message))


def _assemble(course: Course) -> tuple[dict[str, Quiz], list[Problem]]:
    quizzes: dict[str, Quiz] = {}
    problems: list[Problem] = []
    made = [assessment_slots(course, module) for module in course.modules]
    for _, found in made:
        problems += found
    placed = spread_keys((slots for slots, _ in made), rng_for(course.quiz.seed, "key-positions"))
    for module, slots in zip(course.modules, placed, strict=True):
        quizzes[module.id], found = _module_quiz(course, module, slots)
        problems += found
    return quizzes, problems


def _checks(course: Course, quizzes: dict[str, Quiz]) -> list[Problem]:
    return rules.check(quizzes.values(), course) + audit_problems(quizzes.values(), course)


def _result(quizzes: dict[str, Quiz], problems: list[Problem], lenient: bool) -> QuizSet:
    errors = sorted({p for p in problems if p.severity == "error"}, key=lambda p: (p.pos, p.message))
    warnings = sorted({p for p in problems if p.severity != "error"}, key=lambda p: (p.pos, p.message))
    if errors and not lenient:
        raise CourseError(errors)
    return QuizSet(quizzes, tuple(warnings), tuple(errors))


__all__ = ["Slot", "build_quizzes", "build_quizzes_checked_later", "check_errors"]
