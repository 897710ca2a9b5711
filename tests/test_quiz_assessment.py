"""assessment.yaml: objectives, authored items of every type and item models, checked in place."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from builder.load import load_course
from builder.quiz import Level, QuestionType, build_quizzes
from builder.quiz.model import ITEM_MODEL
from tests.conftest import edit, line_of, run

ALPHA = "modules/alpha/assessment.yaml"
BETA = "modules/beta/assessment.yaml"
GAMMA = "modules/gamma/assessment.yaml"


def test_mini_assessment_has_every_item_type_with_levels_and_sources(mini: Path) -> None:
    quizzes = build_quizzes(load_course(mini)).quizzes
    items = [q for quiz in quizzes.values() for q in quiz.bank]
    assert {q.type for q in items} == set(QuestionType)
    assert all(q.source is not None and q.source.file for q in items)
    assert all(q.objective for q in items)
    assert {q.level for q in items} >= {Level.UNDERSTAND, Level.APPLY, Level.CREATE}
    alpha = quizzes["alpha"]
    order = next(q for q in alpha.questions if q.type is QuestionType.ORDERING)
    assert [s.id for s in order.steps] == ["goals", "milestones", "review"]
    essay = next(q for q in alpha.questions if q.type is QuestionType.ESSAY)
    assert [c.points for c in essay.rubric] == [2, 1] and essay.points == 3
    numeric = next(
        q for q in alpha.questions if q.type is QuestionType.NUMERICAL and q.generator != ITEM_MODEL
    )
    assert numeric.numeric is not None and numeric.numeric.value == Decimal(12500)
    assert [w.value for w in numeric.wrong_values] == [Decimal(12000), Decimal(10000)]


def test_item_model_fills_one_slot_with_isomorphic_variants(mini: Path) -> None:
    alpha = build_quizzes(load_course(mini)).quizzes["alpha"]
    (slot,) = [s for s in alpha.slots if len(s) > 1]
    assert len(slot) == 3 and len({q.stem for q in slot}) == 3
    assert {q.variant_group for q in slot} == {"budget-model"}
    for q in slot:
        staff, hosting = (int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", q.stem))
        assert staff > hosting * 10  # the model's constraint
        assert q.numeric is not None and q.numeric.value == staff + hosting
        assert [w.value for w in q.wrong_values] == [staff]
        assert q.feedback == f"{staff:,} + {hosting:,} = {staff + hosting:,}."
    assert alpha.points == sum(s[0].points for s in alpha.slots)


def test_item_models_are_deterministic_per_seed(mini: Path) -> None:
    def variants(seed: int) -> list[str]:
        text = (mini / "course.yaml").read_text(encoding="utf-8")
        (mini / "course.yaml").write_text(re.sub(r"seed: \d+", f"seed: {seed}", text), encoding="utf-8")
        return [
            q.stem
            for slot in build_quizzes(load_course(mini)).quizzes["alpha"].slots
            for q in slot
            if len(slot) > 1
        ]

    assert variants(1) == variants(1)
    assert len({tuple(sorted(variants(seed))) for seed in range(1, 6)}) > 1


def test_multiple_choice_model_options_do_not_reveal_the_key_by_id(mini: Path) -> None:
    beta = build_quizzes(load_course(mini)).quizzes["beta"]
    (slot,) = [s for s in beta.slots if len(s) > 1]
    for q in slot:
        assert [o.id for o in q.options] == ["o1", "o2", "o3", "o4"]
        assert len(q.keys) == 1
        assert {o.misconception for o in q.options if not o.correct} == {
            "one format suits everyone",
            "experts first",
            "paperwork builds trust",
        }
    assert len({q.keys[0].id for q in slot}) >= 1


# mutate, file, line needle, message
BAD: dict[str, tuple[str, str, str, str]] = {
    "unknown competency": (
        BETA,
        "competency: beta-growing",
        "competency: beta-growth",
        r"unknown competency",
    ),
    "quote not in the file": (
        GAMMA,
        "quote: keep it patched}",
        "quote: keep it updated}",
        r"source quote 'keep it updated' does not occur in module.yaml",
    ),
    "source file missing": (
        GAMMA,
        "{file: module.yaml, quote: set up monitoring and alerts}",
        "{file: nowhere.md}",
        r"source file 'nowhere.md' is not a Markdown or YAML file of the course",
    ),
    "key not of its type": (
        ALPHA,
        "        tolerance: 0\n",
        "        tolerance: 0\n        pairs: []\n",
        r"pairs",
    ),
    "rubric points": (
        ALPHA,
        "type: essay",
        "type: essay\n        points: 5",
        r"the rubric's points add up to 3, not the item's 5",
    ),
    "unsafe expression": (
        ALPHA,
        "key: staff + hosting",
        "key: __import__('os').system('false')",
        r"item model 'budget-model'.*(not allowed|unknown function)",
    ),
    "too few instances": (
        ALPHA,
        "instances: 3",
        "instances: 9",
        r"item model 'budget-model' makes 4 distinct usable item\(s\) of the 9",
    ),
    "key echoes the stem": (
        ALPHA,
        "text: Every three months, correct: true",
        "text: Every quarter of programme, correct: true",
        r"repeats stem word\(s\) programm",
    ),
    "key by far the longest": (
        GAMMA,
        "text: Install the update after a test, correct: true",
        "text: Test the vendor's update on a staging copy of the wiki and install it, correct: true",
        r"the right option is by far the longest",
    ),
    "all of the above": (
        GAMMA,
        "text: Buy a larger machine for next year,",
        "text: All of the above,",
        r"'all/none of the above' has no meaning",
    ),
    "wrong value within tolerance": (
        ALPHA,
        "tolerance: 0\n        unit: EUR",
        "tolerance: 600\n        unit: EUR",
        r"wrong answer 12000 lies within the tolerance",
    ),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_assessment_mistakes_are_reported_in_place(mini: Path, name: str) -> None:
    rel, old, new, message = BAD[name]
    edit(mini / rel, old, new)
    result = run("lint", mini)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if re.search(message, line)]
    assert lines, result.stderr
    assert any(rel in line for line in lines), lines
    assert re.search(r":\d+:\d+: ", lines[0]), lines[0]


def test_unsafe_expression_is_never_run(mini: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    edit(mini / ALPHA, "key: staff + hosting", f"key: open('{marker}', 'w')")
    assert run("lint", mini).exit_code == 2
    assert not marker.exists()


def test_competency_needs_two_items_and_one_at_apply_level(mini: Path) -> None:
    path = mini / GAMMA
    text = path.read_text(encoding="utf-8")
    start = text.index("      - id: host-tf")
    end = text.index("  - competency: gamma-monitoring")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    result = run("lint", mini)
    assert result.exit_code == 2
    assert "competency 'gamma-hosting' is assessed by 1 graded item(s)" in result.stderr
    edit(
        mini / ALPHA,
        "level: apply\n        source: {file: module.yaml, quote: plan a",
        "level: understand\n        source: {file: module.yaml, quote: plan a",
    )
    result = run("lint", mini)
    assert "competency 'alpha-planning' has no item at apply level or above" in result.stderr


def test_objective_must_name_each_competency_once(mini: Path) -> None:
    edit(mini / BETA, "competency: beta-moderating", "competency: beta-growing")
    result = run("lint", mini)
    assert result.exit_code == 2
    second = line_of(mini / BETA, "verb: match") - 1
    assert re.search(rf"{BETA}:{second}:\d+: competency 'beta-growing' has a second objective", result.stderr)


def test_one_item_must_not_answer_another(mini: Path) -> None:
    edit(
        mini / GAMMA,
        "stem: Put the steps of watching a new service in order.",
        "stem: Free space and find what filled it. Put the steps of watching a new service in order.",
    )
    result = run("lint", mini)
    assert result.exit_code == 2
    assert "states the right answer of item 'gamma.monitor-alert'" in result.stderr


def test_quiz_json_has_levels_sources_and_audit(mini: Path) -> None:
    result = run("quiz", mini, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    first = data["quizzes"][0]
    assert first["questions"][0]["level"] in {lv.value for lv in Level}
    assert first["questions"][0]["source"]["file"] == "module.yaml"
    assert set(first["audit"]) >= {"chance_percent", "best_strategy", "best_percent", "strategies_percent"}
    assert data["audit"]["gain_over_chance"] <= 10
    assert data["counts"]["per_level"]["apply"] >= 6
    assert first["slots"] and any(len(s) == 3 for s in first["slots"])


def test_quiz_text_shows_audit_levels_and_variants(mini: Path) -> None:
    result = run("quiz", mini, "--module", "alpha")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Test-wise audit: blind guessing" in out
    assert "alpha-budgeting: 2 item(s): budget-total (apply), budget-model.1 (apply)" in out
    assert "item model, 1 of 3 variants drawn per attempt" in out
    assert "misconception: plans are fixed once written" in out
