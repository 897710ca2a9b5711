"""A Moodle backup's quizzes, checked against its question bank (part of ``moodle_backup``'s checks).

The structure check reads each ``quiz.xml`` first; what the quiz check needs of it is kept as a
``QuizSlots`` instead of the tree, and the file is parsed again only to locate a finding.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, NamedTuple

from lxml import etree

if TYPE_CHECKING:
    from builder.inspect.moodle_backup import _Backup as Backup


class QuizSlots(NamedTuple):
    """What the quiz check reads of a quiz.xml, so that its tree need not be kept until then."""

    slots: tuple[tuple[str | None, str | None, str | None, str | None], ...]  # slot, maxmark, entry, filter
    sumgrades: str | None


def quiz_slots(quiz: etree._Element) -> QuizSlots:
    slots = tuple(
        (
            instance.findtext("slot"),
            instance.findtext("maxmark"),
            instance.findtext("question_reference/questionbankentryid"),
            instance.findtext("question_set_reference/filtercondition"),
        )
        for instance in quiz.iterfind(".//question_instance")
    )
    return QuizSlots(slots, quiz.findtext(".//sumgrades"))


def check_quiz(b: Backup, name: str, entries: set[str], categories: set[str]) -> None:
    quiz, read = None, b.quizzes.pop(name, None)
    if read is None:
        quiz = b.tree(name)
        if quiz is None:
            return
        read = quiz_slots(quiz)
    instances: list[etree._Element] = []

    def at(index: int | None = None) -> etree._Element | None:
        """The element a finding is about, from the quiz parsed again (only when there is a finding)."""
        nonlocal quiz, instances
        if quiz is None:
            quiz = b.tree(name)
        if quiz is None or index is None:
            return quiz
        instances = instances or list(quiz.iterfind(".//question_instance"))
        return instances[index]

    total = 0.0
    for index, (slot, maxmark, entry, condition) in enumerate(read.slots):
        total += float(maxmark or 0)
        if entry is not None and entry not in entries:
            b.fail(
                "mbz-ref",
                f"slot {slot} uses question bank entry {entry}, not in questions.xml",
                name,
                at(index),
            )
        elif condition is not None:
            try:
                parsed = json.loads(condition)
                category = str(parsed.get("questioncategoryid") or parsed["filter"]["category"]["values"][0])
            except (ValueError, KeyError, IndexError, TypeError, AttributeError):
                category = ""
            if category not in categories:
                b.fail(
                    "mbz-ref",
                    f"random slot {slot} draws from category {category or '?'}, not in questions.xml",
                    name,
                    at(index),
                )
        elif entry is None:
            b.fail("mbz-ref", f"slot {slot} has no question reference", name, at(index))
    sumgrades = float(read.sumgrades or 0)
    if abs(sumgrades - total) > 1e-6:
        b.fail(
            "mbz-sumgrades",
            f"sumgrades {sumgrades:g} is not the sum of the slot marks ({total:g})",
            name,
            at(),
        )
