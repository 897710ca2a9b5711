"""Questions authors write under ``quiz.authored`` in module.yaml, turned into the quiz model.

The schema has checked the shape of each entry; here come the checks that depend on its type, and
the links, with the position of the value to fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from fractions import Fraction
from typing import Any

from builder import markdown
from builder.errors import Pos, Problem
from builder.model import Module
from builder.quiz.ids import stable_id
from builder.quiz.model import (
    AUTHORED,
    AcceptedAnswer,
    Option,
    Pair,
    Question,
    QuestionType,
    choice_weights,
)

# Keys only some types use; the schema allows each of them on every entry.
_TYPE_KEYS: dict[str, frozenset[QuestionType]] = {
    "options": frozenset({QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE}),
    "answer": frozenset({QuestionType.TRUE_FALSE}),
    "answers": frozenset({QuestionType.SHORT_ANSWER}),
    "case_sensitive": frozenset({QuestionType.SHORT_ANSWER}),
    "pairs": frozenset({QuestionType.MATCHING}),
}


def _markdown_values(entry: Mapping[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for key in ("stem", "feedback"):
        if key in entry:
            yield (key,), entry[key]
    for i, option in enumerate(entry.get("options", [])):
        for key in ("text", "feedback"):
            if key in option:
                yield ("options", i, key), option[key]
    for i, answer in enumerate(entry.get("answers", [])):
        if "feedback" in answer:
            yield ("answers", i, "feedback"), answer["feedback"]


def _options(entry: Mapping[str, Any], kind: QuestionType, at: Callable[..., Pos]) -> tuple[Option, ...]:
    raw = entry.get("options", [])
    right = sum(1 for o in raw if o.get("correct", False))
    if kind is QuestionType.MULTIPLE_RESPONSE and right:
        right_weight, wrong_weight = choice_weights(right, len(raw) - right)
    else:
        right_weight, wrong_weight = Fraction(1), Fraction(0)
    return tuple(
        Option(
            o["id"],
            o["text"],
            right_weight if o.get("correct", False) else wrong_weight,
            o.get("feedback"),
            at("options", i),
        )
        for i, o in enumerate(raw)
    )


def authored_questions(module: Module) -> tuple[list[Question], list[Problem]]:
    """The module's authored questions, and the mistakes found in them."""
    questions: list[Question] = []
    problems: list[Problem] = []
    for index, entry in enumerate(module.quiz.authored):

        def at(*path: str | int, index: int = index) -> Pos:
            return module.quiz.at("authored", index, *path) or module.pos

        kind = QuestionType(entry["type"])
        for key, types in _TYPE_KEYS.items():
            if key in entry and kind not in types:
                problems.append(Problem(at(key), f"'{key}' is not used by {kind.label} questions; remove it"))
        for path, text in _markdown_values(entry):
            for ref in markdown.links(text, at(*path), inline=True):
                if ref.image:
                    problems.append(
                        Problem(
                            ref.pos,
                            f"image '{ref.target}' in a quiz question: quiz text cannot "
                            "show images (packages load nothing from the internet); describe it in words",
                        )
                    )
                elif ref.is_relative or ref.scheme not in ("http", "https", "mailto"):
                    problems.append(
                        Problem(
                            ref.pos,
                            f"link '{ref.target}' in a quiz question: quiz text may "
                            "only link to http(s) or mailto addresses",
                        )
                    )
        options: tuple[Option, ...] = ()
        if kind is QuestionType.TRUE_FALSE:
            options = (
                Option("true", "True", Fraction(int(entry["answer"]))),
                Option("false", "False", Fraction(int(not entry["answer"]))),
            )
        elif kind in _TYPE_KEYS["options"]:
            options = _options(entry, kind, at)
        questions.append(
            Question(
                id=stable_id(AUTHORED, module.id, entry["id"]),
                type=kind,
                stem=entry["stem"],
                competency_ids=tuple(entry["competencies"]),
                generator=AUTHORED,
                pos=at(),
                options=options,
                pairs=tuple(
                    Pair(p["id"], p["prompt"], p["answer"], at("pairs", i))
                    for i, p in enumerate(entry.get("pairs", []))
                )
                if kind is QuestionType.MATCHING
                else (),
                answers=tuple(
                    AcceptedAnswer(a["text"], a.get("feedback"), at("answers", i))
                    for i, a in enumerate(entry.get("answers", []))
                )
                if kind is QuestionType.SHORT_ANSWER
                else (),
                case_sensitive=bool(entry.get("case_sensitive", False)),
                feedback=entry.get("feedback"),
                points=entry.get("points", 1),
            )
        )
    return questions, problems
