"""The quiz model every package format reads: questions as data, with no output format in mind.

Writers (SCORM, Common Cartridge, Moodle XML, ...) turn these objects into their own markup; nothing
here knows any of them. What the model promises them:

* ids are short and stable (at most 64 characters of ``[A-Za-z0-9_.-]``), derived from what a
  question or option is about, not from its place in the quiz;
* option weights are exact fractions of the question's points, and every one of them is a grade
  Moodle accepts on import (writers only format them);
* single-answer questions have exactly one key; true/false options are exactly ``true`` and ``false``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from builder.errors import Pos, Problem

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
AUTHORED = "authored"  # the ``generator`` of questions written by authors

# Moodle's question import rejects any other grade (33% fails, 33.33333% works); writers for other
# LMSs accept these too, so the model only ever holds weights from this list or their negatives.
_MOODLE_GRADES = "1 9/10 5/6 4/5 3/4 7/10 2/3 3/5 1/2 2/5 1/3 3/10 1/4 1/5 1/6 1/7 1/8 1/9 1/10 1/20 0"
GRADE_FRACTIONS: frozenset[Fraction] = frozenset(Fraction(grade) for grade in _MOODLE_GRADES.split(" "))


def is_grade(weight: Fraction) -> bool:
    return abs(weight) in GRADE_FRACTIONS


class QuestionType(StrEnum):
    MULTIPLE_CHOICE = "multiple_choice"  # one right option
    MULTIPLE_RESPONSE = "multiple_response"  # every right option, weights add up to 1
    TRUE_FALSE = "true_false"
    MATCHING = "matching"
    SHORT_ANSWER = "short_answer"  # also fill in the blank: the stem holds the blank
    ESSAY = "essay"  # reflection, graded by a person

    @property
    def label(self) -> str:
        return "true/false" if self is QuestionType.TRUE_FALSE else self.value.replace("_", " ")


SINGLE_ANSWER = frozenset({QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE})
CHOICE_TYPES = frozenset({*SINGLE_ANSWER, QuestionType.MULTIPLE_RESPONSE})


@dataclass(frozen=True)
class Option:
    """A choice; ``weight`` is the share of the question's points it gives (negative: a penalty)."""

    id: str
    text: str  # Markdown
    weight: Fraction
    feedback: str | None = None  # Markdown, shown when the option is chosen
    pos: Pos | None = None  # where an author wrote it

    @property
    def correct(self) -> bool:
        return self.weight > 0


@dataclass(frozen=True)
class Pair:
    """One line of a matching question: plain prompt and answer, so formats without matching can
    turn each pair into an item of their own."""

    id: str
    prompt: str
    answer: str
    pos: Pos | None = None


@dataclass(frozen=True)
class AcceptedAnswer:
    """A fully correct answer of a short-answer question (several: accepted variants)."""

    text: str
    feedback: str | None = None
    pos: Pos | None = None


@dataclass(frozen=True)
class AudienceClaim:
    """What a generated true/false statement asserts, kept so the rules can check it against the course."""

    module_id: str
    role: str
    listed: bool  # the statement says the role is in the module's target audience


@dataclass(frozen=True)
class Question:
    id: str
    type: QuestionType
    stem: str  # Markdown
    competency_ids: tuple[str, ...]  # competencies it checks; empty for questions on module context
    generator: str  # a generator name, or AUTHORED
    pos: Pos  # where the author can change what the question is made of
    options: tuple[Option, ...] = ()  # choice types
    pairs: tuple[Pair, ...] = ()  # matching
    answers: tuple[AcceptedAnswer, ...] = ()  # short answer
    case_sensitive: bool = False  # short answer
    feedback: str | None = None  # general feedback (Markdown); essay: guidance for grading
    points: int = 1
    claim: AudienceClaim | None = None

    @property
    def keys(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.correct)


@dataclass(frozen=True)
class Quiz:
    """The quiz that ends one module."""

    module_id: str
    title: str  # the module's title
    competency_ids: tuple[str, ...]  # every competency of the module, in module order
    questions: tuple[Question, ...]
    pass_mark: int  # percentage of the points needed to pass

    @property
    def points(self) -> int:
        return sum(q.points for q in self.questions)

    def coverage(self) -> dict[str, tuple[str, ...]]:
        """Each competency of the module -> ids of the questions that check it."""
        return {c: tuple(q.id for q in self.questions if c in q.competency_ids) for c in self.competency_ids}


@dataclass(frozen=True)
class QuizSet:
    """Every module's quiz, in course order, plus what authors may want to improve."""

    quizzes: dict[str, Quiz]
    warnings: tuple[Problem, ...]


def choice_weights(correct: int, wrong: int) -> tuple[Fraction, Fraction]:
    """Weights of right and wrong options of a multiple-response question.

    Right options share the points; wrong ones take the same total away, so ticking every box
    scores nothing.
    """
    return Fraction(1, correct), (Fraction(-1, wrong) if wrong else Fraction(0))
