"""Quizzes of the bundled OSEE course: full coverage, every quality rule, deterministic, reviewable."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from fractions import Fraction

import pytest

from builder.load import load_course
from builder.model import Course, QuizSettings
from builder.quiz import AUTHORED, QuestionType, QuizSet, build_quizzes
from builder.quiz.context_questions import audience_true_false, module_dependencies
from builder.quiz.model import GRADE_FRACTIONS, ID_PATTERN
from builder.quiz.roles import role_key
from builder.quiz.rules import check
from builder.quiz.text import CUT, cut_mid_sentence
from tests.conftest import OSEE, run


@pytest.fixture(scope="module")
def course() -> Course:
    return load_course(OSEE)


@pytest.fixture(scope="module")
def built(course: Course) -> QuizSet:
    return build_quizzes(course)


def test_every_module_has_a_quiz_checking_each_competency_twice(course: Course, built: QuizSet) -> None:
    assert list(built.quizzes) == [m.id for m in course.modules]
    for module in course.modules:
        quiz = built.quizzes[module.id]
        coverage = quiz.coverage()
        assert set(coverage) == {c.id for c in module.competencies}
        assert all(len(ids) >= 2 for ids in coverage.values()), (module.id, coverage)
    assert built.warnings == ()


def test_rules_hold(course: Course, built: QuizSet) -> None:
    assert check(built.quizzes.values(), course) == []
    seen_ids: set[str] = set()
    for quiz in built.quizzes.values():
        stems = [" ".join(q.stem.casefold().split()) for q in quiz.questions]
        assert len(stems) == len(set(stems)), quiz.module_id
        for q in quiz.questions:
            assert ID_PATTERN.match(q.id) and q.id not in seen_ids
            seen_ids.add(q.id)
            texts = [o.text.casefold() for o in q.options]
            assert len(texts) == len(set(texts)), q.id
            assert all(ID_PATTERN.match(o.id) for o in q.options)
            if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE):
                assert len(q.keys) == 1, q.id
            if q.type is QuestionType.TRUE_FALSE:
                assert [o.id for o in q.options] == ["true", "false"]
            if q.type is QuestionType.MULTIPLE_RESPONSE:
                assert sum(o.weight for o in q.keys) == 1
                assert all(abs(o.weight) in GRADE_FRACTIONS for o in q.options)
            if q.type is QuestionType.MATCHING:
                assert len(q.pairs) >= 2
            for option in q.options:
                assert not re.search(r"\b(all|none) of the above\b", option.text, re.IGNORECASE)


def test_quotes_end_at_sentence_boundaries(built: QuizSet) -> None:
    cuts = 0
    for quiz in built.quizzes.values():
        for q in quiz.questions:
            for text in [q.stem, *(o.text for o in q.options), *(p.answer for p in q.pairs)]:
                assert not cut_mid_sentence(text), (q.id, text)
                cuts += text.count(CUT)
    assert cuts > 0  # long OSEE descriptions are shortened


def test_false_audience_statements_never_name_a_role_of_that_module(course: Course, built: QuizSet) -> None:
    false_ones = 0
    for quiz in built.quizzes.values():
        module = course.module(quiz.module_id)
        own = {role_key(r.role) for r in module.audience.rows} if module.audience else set()
        for q in quiz.questions:
            if q.claim is None:
                continue
            assert q.claim.module_id == module.id
            assert (role_key(q.claim.role) in own) is q.claim.listed
            assert q.keys[0].id == ("true" if q.claim.listed else "false")
            false_ones += not q.claim.listed
    assert false_ones > 0


def test_shared_role_names_are_never_false_for_a_module_listing_them(course: Course) -> None:
    """'Policy Makers' is in several tables, as are look-alikes such as 'Budgetary Policy Makers'."""
    listing = [
        m
        for m in course.modules
        if m.audience and any("policy makers" in r.role.casefold() for r in m.audience.rows)
    ]
    assert len(listing) >= 3
    for module in listing:
        for q in audience_true_false(course, module, course.quiz.seed).questions:
            assert q.claim is not None
            assert q.claim.listed or "policy makers" not in q.claim.role.casefold(), (module.id, q.claim)
    technical = audience_true_false(course, course.module("technical"), course.quiz.seed)
    assert technical.questions == [] and technical.missing == "the module has no target-audience table"


def test_dependency_questions_use_only_entries_naming_a_module(course: Course) -> None:
    strategy = course.module("strategy")  # four outside factors, no module named
    assert all(d.module_id is None for d in strategy.dependencies)
    assert module_dependencies(course, strategy, 1).questions == []
    made = module_dependencies(course, course.module("capacity-building"), 1).questions
    assert len(made) == 1
    named = {d.module_id for d in course.module("capacity-building").dependencies}
    assert {o.id for o in made[0].keys} <= named
    assert all(o.id not in named for o in made[0].options if not o.correct)


def test_same_seed_same_quizzes_other_seed_other_order(course: Course, built: QuizSet) -> None:
    assert build_quizzes(load_course(OSEE)) == built

    def order(quizzes: QuizSet) -> list[tuple[str, tuple[str, ...]]]:
        return [
            (q.id, tuple(o.id for o in q.options))
            for quiz in quizzes.quizzes.values()
            for q in quiz.questions
        ]

    other = build_quizzes(replace(course, quiz=QuizSettings(seed=course.quiz.seed + 1)))
    assert order(other) != order(built)


def test_authored_questions_join_the_quiz(built: QuizSet) -> None:
    quiz = built.quizzes["community-management"]
    authored = {q.id: q for q in quiz.questions if q.generator == AUTHORED}
    challenges = authored["authored.community-management.challenges-of-community-management"]
    assert challenges.type is QuestionType.MULTIPLE_RESPONSE
    assert {o.id: o.weight for o in challenges.options} == {
        "resource-constraints": Fraction(1, 3),
        "balancing-interests": Fraction(1, 3),
        "sustaining-engagement": Fraction(1, 3),
        "mentorship-programs": Fraction(-1, 2),
        "clear-communication-norms": Fraction(-1, 2),
    }
    tools = authored["authored.community-management.small-community-tools"]
    assert tools.type is QuestionType.SHORT_ANSWER
    assert [a.text for a in tools.answers] == ["Telegram"] and not tools.case_sensitive


def test_cli_text_shows_questions_keys_and_coverage() -> None:
    result = run("quiz", OSEE)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.count("Coverage (competency x question):") == 9
    assert "[x]" in out and "[ ]" in out and "  ->  " in out
    assert "checks: strategy-capacity-building" in out
    for line in out.splitlines():
        if match := re.match(r"  (\S+-\S+)\s+[.x ]+\s+(\d+)$", line):
            assert int(match.group(2)) >= 2, line
    assert re.search(r"Questions per type: multiple choice \d+", out)


def test_cli_json_for_one_module() -> None:
    result = run("quiz", OSEE, "--module", "technical", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    [quiz] = data["quizzes"]
    assert quiz["module"] == "technical"
    assert all(len(ids) >= 2 for ids in quiz["coverage"].values())
    choice = next(q for q in quiz["questions"] if q["type"] == "multiple_choice")
    assert sum(o["correct"] for o in choice["options"]) == 1
    assert {o["weight"] for o in choice["options"]} == {"1", "0"}


def test_cli_unknown_module_is_bad_input() -> None:
    result = run("quiz", OSEE, "--module", "nope")
    assert result.exit_code == 2
    assert re.match(r"\S*course\.yaml:\d+:\d+: no module 'nope' in this course", result.stderr)
    assert "Traceback" not in result.output
