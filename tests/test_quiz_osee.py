"""The OSEE assessment: every competency assessed in use, grounded in the course text, cue-proof."""

from __future__ import annotations

from collections import Counter

import pytest

from builder.load import load_course
from builder.model import Course
from builder.quiz import QuestionType, QuizSet, build_quizzes
from builder.quiz.audit import MAX_GAIN, STRATEGIES, audit_course
from builder.quiz.model import ITEM_MODEL
from tests.conftest import OSEE


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(OSEE)


@pytest.fixture(scope="module")
def quizzes(course: Course) -> QuizSet:
    return build_quizzes(course)


def test_every_competency_is_assessed_twice_and_once_in_use(course: Course, quizzes: QuizSet) -> None:
    for module in course.modules:
        quiz = quizzes.quizzes[module.id]
        for comp in module.competencies:
            slots = [s for s in quiz.slots if comp.id in s[0].competency_ids]
            assert len(slots) >= 2, comp.id
            assert any(s[0].level.applies for s in slots), comp.id


def test_every_item_is_grounded_in_a_verified_quote(quizzes: QuizSet) -> None:
    items = [q for quiz in quizzes.quizzes.values() for q in quiz.bank]
    assert items
    # The loader has checked that each quote occurs in its file; here: every item has one.
    assert [q.id for q in items if q.source is None or not q.source.quote] == []


def test_a_learner_answering_by_wording_alone_stays_near_chance_and_passes_nothing(
    course: Course, quizzes: QuizSet
) -> None:
    audit = audit_course(quizzes.quizzes.values(), course)
    chance = audit.percent(audit.chance)
    for name in STRATEGIES:
        assert audit.percent(audit.strategy(name)) - chance <= MAX_GAIN, name
    for quiz in audit.quizzes:
        for name, points in quiz.by_strategy.items():
            assert quiz.percent(points) < course.quiz.pass_mark, (quiz.module_id, name)


def test_item_types_fit_the_content(quizzes: QuizSet) -> None:
    items = [q for quiz in quizzes.quizzes.values() for q in quiz.questions]
    types = Counter(q.type for q in items)
    for kind in (
        QuestionType.MULTIPLE_CHOICE,
        QuestionType.MULTIPLE_RESPONSE,
        QuestionType.ORDERING,
        QuestionType.NUMERICAL,
        QuestionType.ESSAY,
        QuestionType.MATCHING,
    ):
        assert types[kind] >= 1, kind
    assert any(q.generator == ITEM_MODEL for q in items)
    essays = [q for q in items if q.type is QuestionType.ESSAY]
    assert all(q.rubric for q in essays)


def test_distractors_name_the_misconception_they_stand_for(quizzes: QuizSet) -> None:
    items = [
        q for quiz in quizzes.quizzes.values() for q in quiz.bank if q.type is QuestionType.MULTIPLE_CHOICE
    ]
    wrong = [o for q in items for o in q.options if not o.correct]
    assert wrong and all(o.misconception for o in wrong)
    assert all(q.feedback or all(o.feedback for o in q.options) for q in items)
