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
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from builder.errors import Pos, Problem

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
AUTHORED = "authored"  # the ``generator`` of questions written by authors
ITEM_MODEL = "item-model"  # the ``generator`` of questions instantiated from an item model

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
    ESSAY = "essay"  # reflection, graded by a person against a rubric
    ORDERING = "ordering"  # put steps in their order
    NUMERICAL = "numerical"  # a number, right within a tolerance

    @property
    def label(self) -> str:
        return "true/false" if self is QuestionType.TRUE_FALSE else self.value.replace("_", " ")


class Level(StrEnum):
    """Bloom's (revised) levels, lowest first: what an item asks the learner to do."""

    REMEMBER = "remember"
    UNDERSTAND = "understand"
    APPLY = "apply"
    ANALYSE = "analyse"
    EVALUATE = "evaluate"
    CREATE = "create"

    @property
    def rank(self) -> int:
        return list(Level).index(self)

    @property
    def applies(self) -> bool:
        """Apply level or above: the learner uses the competency, not only recalls it."""
        return self.rank >= Level.APPLY.rank


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
    misconception: str | None = None  # the practitioner's error a wrong option stands for

    @property
    def correct(self) -> bool:
        return self.weight.numerator > 0  # a Fraction's sign is its numerator's (and fast to read)


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
class Step:
    """One step of an ordering question; a question lists its steps in their right order."""

    id: str
    text: str  # plain text
    pos: Pos | None = None


@dataclass(frozen=True)
class NumericAnswer:
    """The right number of a numerical question: any answer within ``tolerance`` of ``value``."""

    value: Decimal
    tolerance: Decimal = Decimal(0)
    unit: str | None = None


@dataclass(frozen=True)
class WrongValue:
    """A number a named practitioner error gives: no credit, and feedback on that error."""

    value: Decimal
    feedback: str | None = None
    misconception: str | None = None
    pos: Pos | None = None


@dataclass(frozen=True)
class Criterion:
    """One line of an essay's rubric: what a grader looks for, and the points it is worth."""

    text: str
    points: int


@dataclass(frozen=True)
class Source:
    """Where the course text grounds an item's key: a file of the course, a heading, a verbatim quote."""

    file: str  # relative to the course folder
    section: str | None = None
    quote: str | None = None


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
    feedback: str | None = None  # general feedback (Markdown); essay: a model answer
    points: int = 1
    level: Level = Level.REMEMBER
    source: Source | None = None
    objective: str | None = None  # the observable objective of the competency it assesses
    variant_group: str | None = None  # item model id: questions of one group are interchangeable
    steps: tuple[Step, ...] = ()  # ordering, in the right order
    numeric: NumericAnswer | None = None  # numerical
    wrong_values: tuple[WrongValue, ...] = ()  # numerical
    rubric: tuple[Criterion, ...] = ()  # essay
    response_template: str | None = None  # essay
    distractors: tuple[str, ...] = ()  # matching: answers that match no prompt
    graded: bool = True

    @property
    def keys(self) -> tuple[Option, ...]:
        return tuple(o for o in self.options if o.correct)


@dataclass(frozen=True)
class Quiz:
    """The quiz that ends one module."""

    module_id: str
    title: str  # the module's title
    competency_ids: tuple[str, ...]  # every competency of the module, in module order
    slots: tuple[tuple[Question, ...], ...]  # each: one question, or an item model's variants (one drawn)
    pass_mark: int  # percentage of the points needed to pass

    @property
    def questions(self) -> tuple[Question, ...]:
        """The first question of every slot: what a format that cannot draw at random shows."""
        return tuple(slot[0] for slot in self.slots)

    @property
    def bank(self) -> tuple[Question, ...]:
        """Every question of every slot: what a question bank holds."""
        return tuple(q for slot in self.slots for q in slot)

    @property
    def points(self) -> int:
        return sum(slot[0].points for slot in self.slots)

    def coverage(self) -> dict[str, tuple[str, ...]]:
        """Each competency of the module -> ids of the slots' first questions that check it."""
        return {c: tuple(q.id for q in self.questions if c in q.competency_ids) for c in self.competency_ids}


@dataclass(frozen=True)
class QuizSet:
    """Every module's quiz, in course order, plus what authors may want to improve."""

    quizzes: dict[str, Quiz]
    warnings: tuple[Problem, ...]
    errors: tuple[Problem, ...] = ()  # only from a lenient build (``builder quiz``): rules broken


def choice_weights(correct: int, wrong: int) -> tuple[Fraction, Fraction]:
    """Weights of right and wrong options of a multiple-response question.

    Right options share the points; wrong ones take the same total away, so ticking every box
    scores nothing.
    """
    return Fraction(1, correct), (Fraction(-1, wrong) if wrong else Fraction(0))
