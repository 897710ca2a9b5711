"""Every module's quiz from the course model: generate, add authored questions, draw, check."""

from __future__ import annotations

from builder.errors import CourseError, Problem
from builder.model import Course, Module
from builder.quiz import rules
from builder.quiz.authored import authored_questions
from builder.quiz.choices import rng_for
from builder.quiz.draw import MIN_CHECKS, draw
from builder.quiz.generators import GENERATORS
from builder.quiz.model import Question, Quiz, QuizSet


def _candidates(course: Course, module: Module) -> tuple[list[Question], list[Problem]]:
    settings = module.quiz
    questions: list[Question] = []
    problems: list[Problem] = []
    for i, name in enumerate(settings.generators or GENERATORS):
        pos = settings.at("generators", i) or module.pos
        if name not in GENERATORS:
            problems.append(Problem(pos, f"unknown quiz generator '{name}'; known: {', '.join(GENERATORS)}"))
            continue
        made = GENERATORS[name](course, module, course.quiz.seed)
        questions += made.questions
        if made.missing and (settings.generators is not None or made.unexpected):
            problems.append(Problem(pos, f"generator '{name}' made no question: {made.missing}", "warning"))
    return questions, problems


def _module_quiz(course: Course, module: Module) -> tuple[Quiz, list[Problem]]:
    candidates, problems = _candidates(course, module)
    authored, authored_problems = authored_questions(module)
    problems += authored_problems
    limit = module.quiz.questions
    drawn = draw(candidates, authored, limit, rng_for(course.quiz.seed, "draw", module.id))
    if limit is not None:
        pos = module.quiz.at("questions") or module.pos
        if drawn.needed > limit:
            problems.append(
                Problem(
                    pos,
                    f"quiz.questions is {limit}, but checking each competency at least "
                    f"{MIN_CHECKS} times takes {drawn.needed} questions here (authored ones "
                    "included); raise it or remove it",
                )
            )
        elif drawn.available < limit:
            problems.append(
                Problem(
                    pos,
                    f"quiz.questions is {limit}, but only {drawn.available} questions "
                    "could be made; add authored questions or let more generators run",
                    "warning",
                )
            )
    quiz = Quiz(
        module_id=module.id,
        title=module.title,
        competency_ids=tuple(c.id for c in module.competencies),
        questions=tuple(drawn.questions),
        pass_mark=course.quiz.pass_mark,
    )
    return quiz, problems


_last: tuple[Course, QuizSet] | None = None  # every format of one build asks for the same quizzes


def build_quizzes(course: Course) -> QuizSet:
    """Every module's quiz, in course order; the same course and seed always give the same quizzes.

    Raises CourseError listing every rule broken; warnings come back in the QuizSet. The result for
    the most recent course object is kept, so a build of several formats generates the quizzes once.
    """
    global _last
    if _last is not None and _last[0] is course:
        return _last[1]
    quizzes: dict[str, Quiz] = {}
    problems: list[Problem] = []
    for module in course.modules:
        quizzes[module.id], found = _module_quiz(course, module)
        problems += found
    problems += rules.check(quizzes.values(), course)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise CourseError(errors)
    warnings = sorted({p for p in problems if p.severity != "error"}, key=lambda p: (p.pos, p.message))
    _last = (course, QuizSet(quizzes, tuple(warnings)))
    return _last[1]
