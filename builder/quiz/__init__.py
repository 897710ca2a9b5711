"""Module quizzes built from each competency's assessment: one model every package format reads.

``build_quizzes(course)`` is the entry point; ``builder.quiz.model`` holds the question types.
"""

from builder.quiz.build import build_quizzes
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
]
