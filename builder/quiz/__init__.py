"""Module quizzes built from the course's competencies: one model every package format reads.

``build_quizzes(course)`` is the entry point; ``builder.quiz.model`` holds the question types.
"""

from builder.quiz.build import build_quizzes
from builder.quiz.generators import GENERATORS
from builder.quiz.model import (
    AUTHORED,
    AcceptedAnswer,
    AudienceClaim,
    Option,
    Pair,
    Question,
    QuestionType,
    Quiz,
    QuizSet,
)

__all__ = [
    "AUTHORED",
    "GENERATORS",
    "AcceptedAnswer",
    "AudienceClaim",
    "Option",
    "Pair",
    "Question",
    "QuestionType",
    "Quiz",
    "QuizSet",
    "build_quizzes",
]
