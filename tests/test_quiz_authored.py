"""Authored questions and quiz settings in module.yaml: loaded, checked, and mistakes reported in place."""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest

from builder.load import load_course
from builder.paths import SCHEMAS
from builder.quiz import AUTHORED, GENERATORS, QuestionType, build_quizzes
from tests.conftest import EVERY_TYPE_QUIZ, line_of, run

ALPHA = "modules/alpha/module.yaml"

AUTHORED_BLOCK = EVERY_TYPE_QUIZ


def append(course: Path, rel: str, text: str) -> Path:
    path = course / rel
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return path


def test_every_question_type_can_be_authored(mini: Path) -> None:
    append(mini, ALPHA, AUTHORED_BLOCK)
    course = load_course(mini)
    built = build_quizzes(course)
    quiz = built.quizzes["alpha"]
    assert len(quiz.questions) == 12
    authored = {q.id.rsplit(".", 1)[1]: q for q in quiz.questions if q.generator == AUTHORED}
    assert {q.type for q in authored.values()} == set(QuestionType)
    assert [o.weight for o in authored["cost-items"].options] == [Fraction(1, 3)] * 3 + [Fraction(-1)]
    assert [(o.id, o.correct) for o in authored["board"].options] == [("true", True), ("false", False)]
    assert [p.prompt for p in authored["match-terms"].pairs] == ["Planning", "Budgeting", "Reporting"]
    assert [a.text for a in authored["fill-in"].answers] == ["milestones", "milestone"]
    assert authored["reflect"].points == 3 and authored["reflect"].options == ()
    assert authored["plan-review"].id == "authored.alpha.plan-review"
    assert authored["plan-review"].options[1].feedback == "No, more often than that."
    result = run("quiz", mini, "--module", "alpha")
    assert result.exit_code == 0, result.output
    assert "[x] Every quarter  (quarterly)" in result.stdout
    assert "accepts (any case): milestones | milestone" in result.stdout


# text in the block, its replacement, text on the line the message must point at, message regex
MISTAKES: dict[str, tuple[str, str, str, str]] = {
    "dangling competency": (
        "      competencies: [alpha-reporting]\n    - id: match-terms",
        "      competencies: [beta-growing]\n    - id: match-terms",
        "competencies: [beta-growing]",
        r"unknown competency 'beta-growing'; a quiz question checks competencies of its own module",
    ),
    "two keys in multiple choice": (
        "          text: Every year\n",
        "          text: Every year\n          correct: true\n",
        "- id: plan-review",
        r"exactly one option must be correct, not 2",
    ),
    "all of the above": (
        "{id: catering, text: Catering}",
        "{id: catering, text: All of the above}",
        "All of the above",
        r"'all/none of the above' has no meaning",
    ),
    "duplicate option text": (
        "{id: catering, text: Catering}",
        "{id: catering, text: staff}",
        "text: staff}",
        r"option 'staff' appears twice",
    ),
    "too few questions for coverage": (
        "  questions: 12",
        "  questions: 4",
        "questions: 4",
        r"quiz.questions is 4, but checking each competency at least 2 times takes \d+ questions",
    ),
    "options on a true/false question": (
        "      answer: true\n",
        "      answer: true\n      options: [{id: a, text: A}, {id: b, text: B}]\n",
        "options: [{id: a",
        r"'options' is not used by true/false questions",
    ),
    "missing options": (
        "      options:\n        - id: quarterly\n          text: Every quarter\n          correct: true\n"
        "        - id: yearly\n          text: Every year\n          feedback: No, more often than that.\n",
        "",
        "- id: plan-review",
        r"missing required key 'options'",
    ),
    "unknown type": (
        "type: essay",
        "type: poem",
        "type: poem",
        r"'poem' is not one of",
    ),
    "relative link in a stem": (
        "stem: Progress is reported to a steering board.",
        "stem: Progress is reported to a [board](../beta/scope.md).",
        "[board]",
        r"quiz text may only link to http\(s\) or mailto addresses",
    ),
    "repeated stem": (
        "stem: Progress is reported to a steering board.",
        "stem: How often do trainees review a programme plan?",
        "- id: board",
        r"repeats the stem of 'authored.alpha.plan-review'",
    ),
    "duplicate authored id": (
        "- id: fill-in",
        "- id: board  # second",
        "- id: board  # second",
        r"duplicate quiz question id 'board'",
    ),
    "unknown generator": (
        "  questions: 12",
        "  generators: [competency-from-description, riddles]",
        "riddles",
        r"'riddles' is not one of",
    ),
}


@pytest.mark.parametrize("name", list(MISTAKES))
def test_mistakes_exit_2_at_their_position(mini: Path, name: str) -> None:
    old, new, needle, message = MISTAKES[name]
    block = AUTHORED_BLOCK.replace(old, new, 1)
    assert block != AUTHORED_BLOCK
    module = append(mini, ALPHA, block)
    result = run("quiz", mini)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    expected = f"modules/alpha/module.yaml:{line_of(module, needle)}:"
    assert any(expected in line and re.search(message, line) for line in lines), (expected, lines)
    assert all(re.match(r"^\S+:\d+:\d+: ", line) for line in lines), lines


def test_warnings_point_at_what_to_improve(mini: Path) -> None:
    block = AUTHORED_BLOCK.replace(
        "  questions: 12",
        "  generators: [competency-from-description, description-from-title, module-dependencies]",
    ).replace("        - text: milestone\n", "        - text: Milestones\n")
    module = append(mini, ALPHA, block)
    result = run("quiz", mini, "--module", "alpha")
    assert result.exit_code == 0, result.output
    warnings = result.stderr.splitlines()
    dependencies_line = line_of(module, "generators:")
    assert any(
        f":{dependencies_line}:" in w and "generator 'module-dependencies' made no question" in w
        for w in warnings
    ), warnings
    assert any("accepted answer 'Milestones' repeats another one" in w for w in warnings), warnings


def test_requested_count_beyond_what_exists_is_a_warning(mini: Path) -> None:
    module = append(mini, ALPHA, AUTHORED_BLOCK.replace("questions: 12", "questions: 90"))
    result = run("quiz", mini)
    assert result.exit_code == 0, result.output
    assert f"module.yaml:{line_of(module, 'questions: 90')}:" in result.stderr
    assert "but only" in result.stderr


def test_schema_lists_the_generators_and_types_the_code_knows() -> None:
    schema = json.loads((SCHEMAS / "module.schema.json").read_text(encoding="utf-8"))
    quiz = schema["properties"]["quiz"]["properties"]
    assert quiz["generators"]["items"]["enum"] == list(GENERATORS)
    assert schema["$defs"]["authoredQuestion"]["properties"]["type"]["enum"] == [
        t.value for t in QuestionType
    ]
