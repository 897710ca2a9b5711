"""Item models and their expression language: properties that hold for any values an author gives."""

from __future__ import annotations

import contextlib
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.errors import Pos
from builder.quiz.expressions import ExpressionError, evaluate, fill, show_number
from builder.quiz.item_models import instantiate
from builder.quiz.model import QuestionType, Source

HERE = Pos(Path("assessment.yaml"))
SOURCE = Source("module.yaml")


def make(model: dict, seed: int = 1) -> tuple[list, list]:
    return instantiate(
        model,
        question_id=lambda n: f"m.model.{n}",
        competency="c",
        objective="Compute it.",
        source=SOURCE,
        seed=seed,
        at=lambda *path: HERE,
    )


numbers = st.lists(st.integers(min_value=-1000, max_value=1000), min_size=1, max_size=6, unique=True)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(a=numbers, b=numbers, instances=st.integers(1, 4), seed=st.integers(0, 10**6))
def test_numerical_models_give_one_key_and_distinct_wrong_values(a, b, instances, seed) -> None:
    model = {
        "id": "sum",
        "type": "numerical",
        "level": "apply",
        "instances": instances,
        "variables": {"a": a, "b": b},
        "stem": "Add {a} and {b}.",
        "key": "a + b",
        "distractors": [
            {"misconception": "takes only a", "rule": "a"},
            {"misconception": "multiplies", "rule": "a * b"},
        ],
    }
    made, problems = make(model, seed)
    if problems:  # too few usable combinations: said, never a partial slot
        assert made == [] and "distinct usable item" in problems[0].message
        return
    assert len(made) == instances
    assert len({q.stem for q in made}) == instances
    for q in made:
        assert q.type is QuestionType.NUMERICAL and q.numeric is not None
        values = [q.numeric.value, *(w.value for w in q.wrong_values)]
        assert len(set(values)) == len(values)


records = st.lists(
    st.fixed_dictionaries(
        {
            "who": st.text("abcdefgh ", min_size=3, max_size=12).filter(str.strip),
            "fit": st.text("ijklmnop ", min_size=3, max_size=12).filter(str.strip),
        }
    ),
    min_size=1,
    max_size=5,
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(group=records, seed=st.integers(0, 10**6))
def test_choice_models_give_exactly_one_key_and_distinct_options(group, seed) -> None:
    model = {
        "id": "fit",
        "type": "multiple_choice",
        "level": "apply",
        "instances": 1,
        "variables": {"group": group},
        "stem": "Which event suits {group.who}?",
        "key": "{group.fit}",
        "distractors": [
            {"misconception": "one size fits all", "rule": "a long conference"},
            {"misconception": "paperwork first", "rule": "a written application"},
        ],
    }
    made, problems = make(model, seed)
    if problems:
        assert made == []
        return
    (q,) = made
    assert len(q.keys) == 1
    texts = [o.text.casefold() for o in q.options]
    assert len(set(texts)) == len(texts) == 3
    assert [o.id for o in q.options] == ["o1", "o2", "o3"]


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os')",
        "().__class__",
        "a.__class__",
        "[x for x in ()]",
        "lambda: 1",
        "open('x')",
        "a if a else b",
        "9 ** 999",
        "1 / 0",
        "x" * 400,
        "a +",
    ],
)
def test_expressions_refuse_anything_but_arithmetic(text: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(text, {"a": Fraction(1), "b": Fraction(2)})


@given(st.text(max_size=60))
def test_any_text_is_an_expression_or_an_expression_error(text: str) -> None:
    with contextlib.suppress(ExpressionError):
        evaluate(text, {"a": Fraction(3)})


def test_exact_arithmetic_and_filling() -> None:
    env = {"rate": Fraction(1, 10), "days": Fraction(3), "org": {"name": "a health agency"}}
    assert evaluate("rate * days", env) == Fraction(3, 10)
    assert evaluate("round(7 / 3, 2)", env) == Fraction(233, 100)
    assert evaluate("org.name == 'a health agency' and days >= 3", env) is True
    assert (
        fill("{org.name} pays {=rate * days * 1000} for {days} days", env)
        == "a health agency pays 300 for 3 days"
    )
    assert show_number(Fraction(12500)) == "12,500"
    assert show_number(Fraction(5, 2)) == "2.5"
