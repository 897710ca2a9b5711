"""A module's assessment.yaml turned into quiz slots: objectives, authored items and item models.

The schema has checked the shape of every entry; here come the checks that depend on an item's
type, its grounding in the course text, and the links, each with the position of the value to fix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from builder import markdown
from builder.errors import Pos, Problem
from builder.model import Course, Module
from builder.quiz.expressions import number
from builder.quiz.ids import stable_id
from builder.quiz.item_models import instantiate
from builder.quiz.model import (
    AUTHORED,
    AcceptedAnswer,
    Criterion,
    Level,
    NumericAnswer,
    Option,
    Pair,
    Question,
    QuestionType,
    Source,
    Step,
    WrongValue,
    choice_weights,
)

Slot = tuple[Question, ...]

# Keys only some types use; the schema allows each of them on every item.
_TYPE_KEYS: dict[str, frozenset[QuestionType]] = {
    "options": frozenset({QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE}),
    "answer": frozenset({QuestionType.TRUE_FALSE, QuestionType.NUMERICAL}),
    "feedback_true": frozenset({QuestionType.TRUE_FALSE}),
    "feedback_false": frozenset({QuestionType.TRUE_FALSE}),
    "tolerance": frozenset({QuestionType.NUMERICAL}),
    "unit": frozenset({QuestionType.NUMERICAL}),
    "wrong_answers": frozenset({QuestionType.NUMERICAL}),
    "answers": frozenset({QuestionType.SHORT_ANSWER}),
    "case_sensitive": frozenset({QuestionType.SHORT_ANSWER}),
    "pairs": frozenset({QuestionType.MATCHING}),
    "distractors": frozenset({QuestionType.MATCHING}),
    "steps": frozenset({QuestionType.ORDERING}),
    "rubric": frozenset({QuestionType.ESSAY}),
    "response_template": frozenset({QuestionType.ESSAY}),
}


_WHOLE, _NONE = Fraction(1), Fraction(0)  # a single-answer option's weights (Fractions are immutable)


def _normal(text: str) -> str:
    """Comparison form for quotes: case, spacing, Markdown emphasis and typographic quotes ignored."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(re.sub(r"[*_`>]", " ", text).casefold().split())


class _Sources:
    """Files items cite, read once each, with the check that a quote really is in its file."""

    def __init__(self, course: Course, module: Module) -> None:
        self.layers = course.layers or (course.root,)
        self.folder = module.folder
        self.texts: dict[Path, str | None] = {}
        self.paths: dict[str, Path] = {}  # as cited -> resolved (most items cite one file)

    def text(self, rel: str) -> str | None:
        if (path := self.paths.get(rel)) is None:
            path = self.paths[rel] = (self.folder / rel).resolve()
        if path not in self.texts:
            inside = any(path.is_relative_to(layer) for layer in self.layers)
            ok = inside and path.is_file() and path.suffix in (".md", ".yaml")
            self.texts[path] = _normal(path.read_text(encoding="utf-8", errors="replace")) if ok else None
        return self.texts[path]

    def check(self, raw: Mapping[str, str], at: Callable[..., Pos]) -> Iterator[Problem]:
        text = self.text(raw["file"])
        if text is None:
            yield Problem(
                at("source", "file"),
                f"source file '{raw['file']}' is not a Markdown or YAML file of the course; "
                "name the module file (relative to the module folder) the key comes from",
            )
            return
        for key in ("section", "quote"):
            if key in raw and _normal(raw[key]) not in text:
                yield Problem(
                    at("source", key),
                    f"source {key} '{raw[key]}' does not occur in {raw['file']}; copy it verbatim "
                    "from the file (case, spacing and emphasis marks do not matter)",
                )


def _markdown_values(entry: Mapping[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for key in ("stem", "feedback", "feedback_true", "feedback_false", "key_feedback"):
        if key in entry:
            yield (key,), entry[key]
    for group, keys in (("options", ("text", "feedback")), ("answers", ("feedback",))):
        for i, part in enumerate(entry.get(group, [])):
            for key in keys:
                if key in part:
                    yield (group, i, key), part[key]
    for group in ("wrong_answers", "distractors"):
        for i, part in enumerate(entry.get(group, [])):
            if isinstance(part, Mapping) and "feedback" in part:
                yield (group, i, "feedback"), part["feedback"]


def _link_problems(entry: Mapping[str, Any], at: Callable[..., Pos]) -> Iterator[Problem]:
    for path, text in _markdown_values(entry):
        if not markdown.may_link(text):  # most texts: no position to look up
            continue
        for ref in markdown.links(text, at(*path), inline=True):
            if ref.image:
                yield Problem(
                    ref.pos,
                    f"image '{ref.target}' in a quiz item: quiz text shows no images; describe it in words",
                )
            elif ref.is_relative or ref.scheme not in ("http", "https", "mailto"):
                yield Problem(
                    ref.pos,
                    f"link '{ref.target}' in a quiz item: quiz text may only link to http(s) or mailto",
                )


def _options(entry: Mapping[str, Any], kind: QuestionType, at: Callable[..., Pos]) -> tuple[Option, ...]:
    raw = entry.get("options", [])
    right = sum(1 for o in raw if o.get("correct", False))
    if kind is QuestionType.MULTIPLE_RESPONSE and right:
        right_weight, wrong_weight = choice_weights(right, len(raw) - right)
    else:
        right_weight, wrong_weight = _WHOLE, _NONE
    return tuple(
        Option(
            o["id"],
            o["text"],
            right_weight if o.get("correct", False) else wrong_weight,
            o.get("feedback"),
            at("options", i),
            o.get("misconception"),
        )
        for i, o in enumerate(raw)
    )


def _decimal(value: Any) -> Decimal:
    f = number(value)
    return Decimal(f.numerator) / Decimal(f.denominator)


def _type_parts(entry: Mapping[str, Any], kind: QuestionType, at: Callable[..., Pos]) -> dict[str, Any]:
    """The fields of Question that only this item's type has."""
    if kind is QuestionType.TRUE_FALSE:
        return {
            "options": (
                Option("true", "True", Fraction(int(entry["answer"] is True)), entry.get("feedback_true")),
                Option(
                    "false", "False", Fraction(int(entry["answer"] is False)), entry.get("feedback_false")
                ),
            )
        }
    if kind in _TYPE_KEYS["options"]:
        return {"options": _options(entry, kind, at)}
    if kind is QuestionType.MATCHING:
        return {
            "pairs": tuple(
                Pair(p["id"], p["prompt"], p["answer"], at("pairs", i)) for i, p in enumerate(entry["pairs"])
            ),
            "distractors": tuple(entry.get("distractors", [])),
        }
    if kind is QuestionType.ORDERING:
        return {
            "steps": tuple(Step(s["id"], s["text"], at("steps", i)) for i, s in enumerate(entry["steps"]))
        }
    if kind is QuestionType.NUMERICAL:
        return {
            "numeric": NumericAnswer(
                _decimal(entry["answer"]), _decimal(entry.get("tolerance", 0)), entry.get("unit")
            ),
            "wrong_values": tuple(
                WrongValue(
                    _decimal(w["value"]), w.get("feedback"), w["misconception"], at("wrong_answers", i)
                )
                for i, w in enumerate(entry.get("wrong_answers", []))
            ),
        }
    if kind is QuestionType.SHORT_ANSWER:
        return {
            "answers": tuple(
                AcceptedAnswer(a["text"], a.get("feedback"), at("answers", i))
                for i, a in enumerate(entry["answers"])
            ),
            "case_sensitive": bool(entry.get("case_sensitive", False)),
        }
    return {
        "rubric": tuple(Criterion(c["criterion"], c["points"]) for c in entry["rubric"]),
        "response_template": entry.get("response_template"),
    }


def _shape_problems(
    entry: Mapping[str, Any], kind: QuestionType, at: Callable[..., Pos]
) -> Iterator[Problem]:
    for key, types in _TYPE_KEYS.items():
        if key in entry and kind not in types:
            yield Problem(at(key), f"'{key}' is not used by {kind.label} items; remove it")
    if kind is QuestionType.TRUE_FALSE and not isinstance(entry.get("answer"), bool):
        yield Problem(at("answer"), "a true/false item's answer is true or false")
    if kind is QuestionType.NUMERICAL and isinstance(entry.get("answer"), bool):
        yield Problem(at("answer"), "a numerical item's answer is a number")
    if kind is QuestionType.ESSAY:
        total = sum(c["points"] for c in entry["rubric"])
        if total != entry.get("points", total):
            yield Problem(
                at("points"),
                f"the rubric's points add up to {total}, not the item's {entry['points']}; make them agree",
            )


def assessment_slots(course: Course, module: Module) -> tuple[list[Slot], list[Problem]]:
    """The module's quiz slots in objective order (each item one slot, each item model one slot with
    its variants), and the mistakes found in assessment.yaml."""
    quiz = module.quiz
    if quiz.assessment is None:
        return [], []
    sources = _Sources(course, module)
    slots: list[Slot] = []
    problems: list[Problem] = []
    for oi, objective in enumerate(quiz.assessment["objectives"]):
        for kind_key in ("items", "models"):
            for ii, entry in enumerate(objective.get(kind_key, [])):

                def at(
                    *path: str | int, base: tuple[str | int, ...] = ("objectives", oi, kind_key, ii)
                ) -> Pos:
                    return quiz.at(*base, *path) or module.pos

                found = list(sources.check(entry["source"], at))
                found += _link_problems(entry, at)
                raw = entry["source"]
                source = Source(raw["file"], raw.get("section"), raw.get("quote"))
                common = {
                    "competency": objective["competency"],
                    "objective": objective["objective"],
                    "source": source,
                }
                if kind_key == "models":
                    made, model_problems = instantiate(
                        entry,
                        question_id=lambda n, e=entry: stable_id(module.id, e["id"], n),
                        seed=course.quiz.seed,
                        at=at,
                        **common,
                    )
                    found += model_problems
                    if made and not found:
                        slots.append(tuple(made))
                else:
                    kind = QuestionType(entry["type"])
                    found += _shape_problems(entry, kind, at)
                    if not found:
                        slots.append((_item(entry, kind, module, at, **common),))
                problems += found
    return slots, problems


def _item(
    entry: Mapping[str, Any],
    kind: QuestionType,
    module: Module,
    at: Callable[..., Pos],
    *,
    competency: str,
    objective: str,
    source: Source,
) -> Question:
    points = entry.get("points")
    if kind is QuestionType.ESSAY and points is None:
        points = sum(c["points"] for c in entry["rubric"])
    return Question(
        id=stable_id(module.id, entry["id"]),
        type=kind,
        stem=entry["stem"],
        competency_ids=(competency,),
        generator=AUTHORED,
        pos=at(),
        feedback=entry.get("feedback"),
        points=points or 1,
        level=Level(entry["level"]),
        source=source,
        objective=objective,
        **_type_parts(entry, kind, at),
    )
