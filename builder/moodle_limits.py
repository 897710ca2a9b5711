"""Moodle 4.5's column limits, in one table, and how every Moodle writer keeps within them.

A value longer than its database column makes Moodle's PostgreSQL or MySQL raise
``dml_write_exception``: a question import stops at that question (the ones before it stay), a
restore aborts. The lengths below are read from Moodle 4.5's ``db/install.xml`` files (the file
is named with each column); ``None`` marks a ``text`` column, which has no practical limit. The
Moodle XML, GIFT and course-backup writers use these helpers, and ``lint`` reports every value
they had to change, with its position, so nothing is cut silently:

* identifiers too long (idnumbers, tags) keep their start and end in a stable hash, so they stay
  unique and every build gives the same ones;
* names too long end in "…" (names need not be unique);
* a matching question whose answers do not fit ``qtype_match_subquestions.answertext`` keeps its
  type: its answers are listed, in alphabetical order, in the question text, and each
  sub-question's answer is the letter of its text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

import lxml.html
from lxml.html import builder as html_builder

from builder.errors import Pos, Problem
from builder.i18n import tr
from builder.model import Course
from builder.quiz.model import Question, QuestionType, Quiz


@dataclass(frozen=True)
class Column:
    table: str
    field: str
    length: int | None  # characters; None: a text column
    source: str  # the install.xml that defines it

    @property
    def label(self) -> str:
        return f"{self.table}.{self.field}"


_LIB = "lib/db/install.xml"
COLUMNS: dict[str, Column] = {
    c.label: c
    for c in (
        Column("course", "fullname", 254, _LIB),
        Column("course", "shortname", 255, _LIB),
        Column("course", "idnumber", 100, _LIB),
        Column("course_sections", "name", 255, _LIB),
        Column("course_modules", "idnumber", 100, _LIB),
        Column("question_categories", "name", 255, _LIB),
        Column("question_categories", "idnumber", 100, _LIB),
        Column("question", "name", 255, _LIB),
        Column("question", "questiontext", None, _LIB),
        Column("question_bank_entries", "idnumber", 100, _LIB),
        Column("question_answers", "answer", None, _LIB),
        Column("tag", "rawname", 255, _LIB),
        Column("grade_items", "itemname", 255, _LIB),
        Column("competency", "idnumber", 100, _LIB),
        Column("competency", "shortname", 100, _LIB),
        Column("competency_framework", "idnumber", 100, _LIB),
        Column("competency_framework", "shortname", 100, _LIB),
        Column("qtype_match_subquestions", "answertext", 255, "question/type/match/db/install.xml"),
        Column("question_numerical_units", "unit", 50, "question/type/numerical/db/install.xml"),
        Column("quiz", "name", 255, "mod/quiz/db/install.xml"),
        Column("page", "name", 255, "mod/page/db/install.xml"),
        Column("url", "name", 255, "mod/url/db/install.xml"),
        Column("url", "externalurl", None, "mod/url/db/install.xml"),
        Column("forum", "name", 255, "mod/forum/db/install.xml"),
    )
}
# Moodle cuts tag names to this many characters before saving them (lib/setuplib.php TAG_MAX_LENGTH),
# which is stricter than the tag table's 255.
TAG_MAX_LENGTH = 50
MATCH_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def limit(column: str) -> int | None:
    return COLUMNS[column].length


def fits(column: str, value: str) -> bool:
    length = limit(column)
    return length is None or len(value) <= length


def fit_identifier(value: str, length: int) -> str:
    """``value``, or its start, "~" and 8 hex digits of its SHA-1 when longer than ``length``."""
    if len(value) <= length:
        return value
    digest = hashlib.sha1(value.encode("utf-8")).hexdigest()[:8]
    return f"{value[: length - 9]}~{digest}"


def fit_column_id(column: str, value: str) -> str:
    length = limit(column)
    return value if length is None else fit_identifier(value, length)


def fit_name(column: str, value: str) -> str:
    """A name within its column: longer ones end in "…"."""
    length = limit(column)
    if length is None or len(value) <= length:
        return value
    return value[: length - 1].rstrip() + "…"


def unit_name(unit: str) -> str:
    return fit_name("question_numerical_units.unit", unit)


def tag_name(competency_id: str) -> str:
    return fit_identifier(competency_id, TAG_MAX_LENGTH)


# --- matching questions whose answers are too long ------------------------------------------------


@dataclass(frozen=True)
class MatchingLayout:
    """What a Moodle writer puts in a matching question: one answer per pair, and HTML to add to
    the question text (empty when the answers fit as they are)."""

    answers: tuple[str, ...]
    extra_html: str
    distractors: tuple[str, ...] = ()  # answers that match no prompt


def _answer_texts(question: Question) -> set[str]:
    return {p.answer for p in question.pairs} | set(question.distractors)


def answers_fit(question: Question) -> bool:
    return all(fits("qtype_match_subquestions.answertext", a) for a in _answer_texts(question))


def matching_layout(question: Question) -> MatchingLayout:
    if answers_fit(question):
        return MatchingLayout(tuple(p.answer for p in question.pairs), "", question.distractors)
    # Alphabetical, so the list's order says nothing about which prompt an answer belongs to.
    texts = sorted(_answer_texts(question), key=lambda t: (t.casefold(), t))
    letter = {text: MATCH_LETTERS[i] for i, text in enumerate(texts)}
    e = html_builder
    listing = e.OL(
        *(e.LI(e.STRONG(f"{letter[t]}."), " ", t) for t in texts),
        {"class": "matching-answers", "style": "list-style:none"},
    )
    extra = "".join(lxml.html.tostring(part, encoding="unicode") for part in (e.P("Answers:"), listing))
    return MatchingLayout(
        tuple(letter[p.answer] for p in question.pairs), extra, tuple(letter[d] for d in question.distractors)
    )


# --- lint ---------------------------------------------------------------------------------------------


def _over(column: str, value: str) -> str:
    return f"{len(value)} characters, over the {limit(column)} of Moodle's {column}"


def question_problems(question: Question) -> Iterator[Problem]:
    """What a Moodle writer changes in one question to fit Moodle's columns."""
    if question.type is QuestionType.MATCHING and not answers_fit(question):
        if len(_answer_texts(question)) > len(MATCH_LETTERS):
            yield Problem(question.pos, "matching question has more long answers than letters A-Z")
        for pair in question.pairs:
            if not fits("qtype_match_subquestions.answertext", pair.answer):
                yield Problem(
                    pair.pos or question.pos,
                    f"matching answer of {_over('qtype_match_subquestions.answertext', pair.answer)}: "
                    f"Moodle XML, GIFT and the Moodle backup list question '{question.id}''s answers in its "
                    "text and match letters; shorten every answer to 255 characters to keep plain matching",
                    "warning",
                )
    unit = question.numeric.unit if question.numeric else None
    if unit and not fits("question_numerical_units.unit", unit):
        yield Problem(
            question.pos,
            f"unit '{unit[:40]}…' has {_over('question_numerical_units.unit', unit)}: "
            "Moodle writers end it in '…'",
            "warning",
        )
    if not fits("question.name", question.id):
        yield Problem(
            question.pos,
            f"question name '{question.id[:40]}…' has {_over('question.name', question.id)}: "
            "Moodle writers shorten it",
            "warning",
        )
    for competency in question.competency_ids:
        if len(competency) > TAG_MAX_LENGTH:
            yield Problem(
                question.pos,
                f"competency id '{competency}' is longer than the {TAG_MAX_LENGTH} characters Moodle keeps "
                f"of a tag: question '{question.id}' is tagged '{tag_name(competency)}'",
                "warning",
            )
    if not fits("question_bank_entries.idnumber", question.id):
        yield Problem(
            question.pos,
            f"question idnumber has {_over('question_bank_entries.idnumber', question.id)}: "
            f"Moodle writers use '{question_idnumber(question)}'",
            "warning",
        )


def course_problems(course: Course, quizzes: dict[str, Quiz]) -> list[Problem]:
    """Every value the Moodle writers (Moodle XML, GIFT, course backup) fit to Moodle's columns."""
    found: list[Problem] = []

    def name(pos: Pos, column: str, value: str, what: str) -> None:
        if not fits(column, value):
            found.append(
                Problem(pos, f"{what} has {_over(column, value)}: Moodle writers end it in '…'", "warning")
            )

    def ident(pos: Pos, column: str, value: str, what: str) -> None:
        if not fits(column, value):
            found.append(
                Problem(
                    pos,
                    f"{what} '{value}' has {_over(column, value)}: Moodle writers use "
                    f"'{fit_column_id(column, value)}'",
                    "warning",
                )
            )

    name(course.pos, "course.fullname", course.title, "course title")
    name(course.pos, "competency_framework.shortname", course.title, "course title (framework short name)")
    for category in course.categories:
        name(category.pos, "course_sections.name", category.title, f"category '{category.id}' title")
        name(
            category.pos,
            "competency.shortname",
            category.title,
            f"category '{category.id}' title (framework)",
        )
        for link in category.readings:
            if link.url:
                name(link.pos, "url.name", link.title, f"link '{link.title[:40]}…' title")
    for module in course.modules:
        name(module.pos, "page.name", module.title, f"module '{module.id}' title")
        name(module.pos, "competency.shortname", module.title, f"module '{module.id}' title (framework)")
        name(
            module.pos,
            "quiz.name",
            quiz_name(module.title, course.language),
            f"module '{module.id}' quiz name",
        )
        ident(
            module.pos,
            "question_categories.idnumber",
            f"{course.id}.{module.id}",
            f"question category idnumber of module '{module.id}'",
        )
        links = [r for tm in module.training_materials for r in tm.resources] + list(module.readings)
        for link in links:
            if link.url:
                name(link.pos, "url.name", link.title, f"link '{link.title[:40]}…' title")
        if module.discussion is not None:
            name(module.discussion.pos, "forum.name", module.discussion.title, "discussion title")
        quiz = quizzes.get(module.id)
        if quiz is None:
            continue
        for question in quiz.bank:
            found.extend(question_problems(question))
    for comp in course.competencies():
        name(comp.pos, "competency.shortname", comp.title, f"competency '{comp.id}' title")
    return found


def quiz_name(module_title: str, language: str = "en") -> str:
    """A module quiz's name in Moodle, in the course's interface language."""
    return tr(language, "Quiz: %(module)s", module=module_title)


def question_name(question: Question) -> str:
    """A question's name in Moodle: its quiz model id (shortened only if ever over the column)."""
    return fit_name("question.name", question.id)


def question_idnumber(question: Question) -> str:
    return fit_column_id("question_bank_entries.idnumber", question.id)


def category_idnumber(course_id: str, module_id: str) -> str:
    """A module's question category idnumber, unique per bank: the course id keeps courses apart."""
    return fit_column_id("question_categories.idnumber", f"{course_id}.{module_id}")
