"""Module quizzes built from each competency's assessment: one model every package format reads.

``build_quizzes(course)`` is the entry point; ``builder.quiz.model`` holds the question types.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from builder.quiz.model import (
    AUTHORED,
    AcceptedAnswer,
    Level,
    Option,
    Pair,
    Question,
    QuestionType,
    Quiz,
    QuizSet,
)

__all__ = [
    "AUTHORED",
    "AcceptedAnswer",
    "Level",
    "Option",
    "Pair",
    "Question",
    "QuestionType",
    "Quiz",
    "QuizSet",
    "build_quizzes",
    "build_quizzes_checked_later",
    "check_errors",
]

if TYPE_CHECKING:
    from builder.quiz.build import build_quizzes, build_quizzes_checked_later, check_errors


def __getattr__(name: str) -> Any:
    """build_quizzes on first use: the rules and the audit (snowballstemmer) load only for a quiz."""
    if name in ("build_quizzes", "build_quizzes_checked_later", "check_errors"):
        from builder.quiz import build

        return getattr(build, name)
    raise AttributeError(f"module 'builder.quiz' has no attribute {name!r}")
