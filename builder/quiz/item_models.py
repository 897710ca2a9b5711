"""Item models (automatic item generation after Gierl & Lai): one template, several isomorphic items.

An item model in assessment.yaml names its variables and their allowed values, constraints on
combinations, the rule computing the key and rules deriving each distractor from a named
misconception. The builder picks ``instances`` combinations with the course's quiz seed, so the same
sources always give the same items, and a quiz slot holds all of them: each attempt draws one.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import Any

from builder.errors import Pos, Problem
from builder.quiz.choices import rng_for
from builder.quiz.expressions import ExpressionError, Value, evaluate, fill, number, show_number
from builder.quiz.model import (
    ITEM_MODEL,
    Level,
    NumericAnswer,
    Option,
    Question,
    QuestionType,
    Source,
    WrongValue,
)

DEFAULT_INSTANCES = 3
MAX_COMBINATIONS = 20_000  # combinations of variable values looked at; beyond, the model is too wide


def _values(raw: Any) -> Value:
    if isinstance(raw, Mapping):
        return {k: _values(v) for k, v in raw.items()}
    if isinstance(raw, str):
        return raw
    return number(raw)


def _combinations(variables: Mapping[str, list[Any]]) -> Iterator[dict[str, Value]]:
    names = list(variables)
    converted = [[_values(v) for v in variables[n]] for n in names]
    for combo in itertools.islice(itertools.product(*converted), MAX_COMBINATIONS):
        yield dict(zip(names, combo, strict=True))


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


class _Invalid(Exception):
    """This combination of values makes no usable item (a distractor equals the key, ...)."""


def instantiate(
    model: Mapping[str, Any],
    *,
    question_id: Callable[[str], str],
    competency: str,
    objective: str,
    source: Source,
    seed: int,
    at: Callable[..., Pos],
) -> tuple[list[Question], list[Problem]]:
    """The model's items (``instances`` of them), or the problems that keep it from making them."""
    wanted = model.get("instances", DEFAULT_INSTANCES)
    combos = list(_combinations(model["variables"]))
    # Seeded by the model's own id, not the module's: renaming a module changes no variant.
    rng = rng_for(seed, "item-model", model["id"])
    rng.shuffle(combos)
    questions: list[Question] = []
    seen_stems: set[str] = set()
    for values in combos:
        try:
            if not all(evaluate(c, values) is True for c in model.get("constraints", [])):
                continue
            question = _one(
                model, values, question_id(str(len(questions) + 1)), competency, objective, source, at()
            )
        except _Invalid:
            continue
        except ExpressionError as exc:
            return [], [Problem(at(), f"item model '{model['id']}': {exc}")]
        if question.stem in seen_stems:
            continue
        seen_stems.add(question.stem)
        questions.append(question)
        if len(questions) == wanted:
            break
    if len(questions) < wanted:
        return [], [
            Problem(
                at("variables"),
                f"item model '{model['id']}' makes {len(questions)} distinct usable item(s) of the "
                f"{wanted} asked for (instances); allow more values, loosen the constraints, or check "
                "that no distractor rule gives the key",
            )
        ]
    return questions, []


def _one(
    model: Mapping[str, Any],
    values: dict[str, Value],
    qid: str,
    competency: str,
    objective: str,
    source: Source,
    pos: Pos,
) -> Question:
    kind = QuestionType(model["type"])
    stem = fill(model["stem"], values)
    feedback = fill(model["feedback"], values) if "feedback" in model else None
    common: dict[str, Any] = {
        "id": qid,
        "type": kind,
        "stem": stem,
        "competency_ids": (competency,),
        "generator": ITEM_MODEL,
        "pos": pos,
        "feedback": feedback,
        "points": model.get("points", 1),
        "level": Level(model["level"]),
        "source": source,
        "objective": objective,
        "variant_group": model["id"],
    }
    if kind is QuestionType.NUMERICAL:
        key = evaluate(str(model["key"]), values)
        if not isinstance(key, Fraction):
            raise ExpressionError(f"the key '{model['key']}' of a numerical model must give a number")
        tolerance = number(model.get("tolerance", 0))
        wrong: list[WrongValue] = []
        taken = [key]
        for rule in model["distractors"]:
            value = evaluate(str(rule["rule"]), values)
            if not isinstance(value, Fraction):
                raise ExpressionError(f"distractor rule '{rule['rule']}' must give a number")
            if any(abs(value - t) <= tolerance for t in taken):
                raise _Invalid
            taken.append(value)
            wrong.append(
                WrongValue(
                    _decimal(value),
                    fill(rule["feedback"], values) if "feedback" in rule else None,
                    rule["misconception"],
                )
            )
        return Question(
            **common,
            numeric=NumericAnswer(_decimal(key), _decimal(tolerance), model.get("unit")),
            wrong_values=tuple(wrong),
        )
    texts = [_text(model["key"], values)]
    for rule in model["distractors"]:
        texts.append(_text(rule["rule"], values))
    if len({t.casefold() for t in texts}) < len(texts):
        raise _Invalid
    options = [
        Option(
            "key",
            texts[0],
            Fraction(1),
            fill(model["key_feedback"], values) if "key_feedback" in model else None,
        )
    ]
    for i, rule in enumerate(model["distractors"]):
        options.append(
            Option(
                f"d{i}",
                texts[i + 1],
                Fraction(0),
                fill(rule["feedback"], values) if "feedback" in rule else None,
                misconception=rule["misconception"],
            )
        )
    # Option ids must not tell the key: number them in a seeded order of their own.
    order = rng_for(0, model["id"], stem, "options")  # the variant's own text, not its module's id
    order.shuffle(options)
    options = [
        Option(f"o{n + 1}", o.text, o.weight, o.feedback, o.pos, o.misconception)
        for n, o in enumerate(options)
    ]
    return Question(**common, options=tuple(options))


def _text(rule: Any, values: dict[str, Value]) -> str:
    if isinstance(rule, str):
        return fill(rule, values)
    return show_number(number(rule))
