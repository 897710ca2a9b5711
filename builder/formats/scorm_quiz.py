"""The quiz SCO: what its page shows, the data its script scores with, and its suspend_data budget.

Interactions, per version (SCORM 1.2 RTE 3.4 / SCORM 2004 4th ed. RTE 4.2.9):

=====================  ==============================  =====================================
question type          SCORM 1.2                       SCORM 2004
=====================  ==============================  =====================================
multiple choice        choice, ``b``                   choice, ``strategy``
multiple response      choice, ``a,c``                 choice, ``a_id[,]c_id``
true/false             true-false, ``t`` / ``f``       true-false, ``true`` / ``false``
matching               matching, ``a.b,b.a``           matching, ``p1[.]p1[,]p2[.]p2``
short answer           fill-in, the text               fill-in, ``{case_matters=true}`` text
essay                  fill-in (first 255 characters)  long-fill-in
=====================  ==============================  =====================================

SCORM 1.2 identifies choices by one character ``[a-z0-9]``; SCORM 2004 uses the option ids, with
every character outside ``[A-Za-z0-9_.]`` turned into ``_`` because Moodle's 2004 runtime checks
choice and matching identifiers against ``^[\\w.]{1,250}$`` (no hyphen). A matching response pairs
the prompt's pair id with the id of the pair whose answer the learner chose. Essays are graded by a
person: they carry no correct pattern, report result ``neutral`` (a value of both versions) and are
left out of the score.

suspend_data of a quiz SCO (read and written by quiz.js) is one comma-separated line::

    q1,<attempts used, at most 999>,<1 if the answers shown were submitted>,<best %, "" if none>,
    <answer of question 1>,<answer of question 2>,...

An answer is empty when not given; one base-36 option index (single answer); the chosen indices
(multiple response); one index or ``-`` per prompt (matching); ``<length>:<text>`` (short answer,
essay: text fields need no escaping, so their worst case is their maximum length plus the prefix).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from fractions import Fraction

from markupsafe import Markup

from builder import markdown
from builder.errors import BuildError
from builder.model import Course, Module
from builder.quiz.model import CHOICE_TYPES, Question, QuestionType, Quiz
from builder.quiz.text import plain

SHORT_ANSWER_MAX = 200  # characters a short answer may have (maxlength of its input)
ESSAY_MAX = 1000  # characters an essay may have (maxlength of its textarea)
STATE_TAG = "q1"
ATTEMPTS_FIELD = "999"  # the script stores min(attempts used, 999)
BEST_FIELD = "66.67"  # widest best score: a percentage rounded to two decimals
SCORM12_IDS = "abcdefghijklmnopqrstuvwxyz0123456789"
SCORM12_TEXT_MAX = 255  # CMIString255: student_response and correct response patterns
SCORM2004_FILL_IN_MAX = 250  # a fill-in string (localized_string_type, SPM 250)
DESCRIPTION_MAX = 250

_INTERACTION = {
    QuestionType.MULTIPLE_CHOICE: "choice",
    QuestionType.MULTIPLE_RESPONSE: "choice",
    QuestionType.TRUE_FALSE: "true-false",
    QuestionType.MATCHING: "matching",
    QuestionType.SHORT_ANSWER: "fill-in",
    QuestionType.ESSAY: "long-fill-in",
}


@dataclass(frozen=True)
class OptionView:
    index: int
    input_id: str
    label: Markup
    feedback: Markup | None
    correct: bool


@dataclass(frozen=True)
class PromptView:
    select_id: str
    prompt: str
    answer: str


@dataclass(frozen=True)
class QuestionView:
    number: int
    html_id: str
    kind: str
    points_label: str
    stem: Markup
    checks_label: str
    feedback: Markup | None
    options: tuple[OptionView, ...] = ()
    prompts: tuple[PromptView, ...] = ()
    choices: tuple[str, ...] = ()  # matching answers in the order the selects list them
    accepted: tuple[str, ...] = ()
    max_length: int = 0


@dataclass(frozen=True)
class QuizPage:
    title: str
    intro: str
    questions: tuple[QuestionView, ...]
    data_json: str


def quiz_page(course: Course, module: Module, quiz: Quiz, version: str, suspend_limit: int) -> QuizPage:
    titles = {c.id: c.title for c in course.competencies()}
    views, data = [], []
    for number, question in enumerate(quiz.questions, start=1):
        order = _matching_order(question)
        views.append(_view(question, number, titles, order))
        data.append(_question_data(question, version, order))
    graded = graded_points(quiz)
    payload = {
        "quiz": module.id,
        "passMark": quiz.pass_mark,
        "attempts": course.quiz.attempts,
        "suspendLimit": suspend_limit,
        "maxPoints": graded,
        "competencies": [{"id": c, "title": titles[c]} for c in quiz.competency_ids],
        "questions": data,
    }
    return QuizPage(
        title=f"Quiz: {module.title}",
        intro=_intro(quiz, course.quiz.attempts, graded),
        questions=tuple(views),
        data_json=script_json(payload),
    )


def graded_points(quiz: Quiz) -> int:
    """Points the score counts: everything but essays, which a person grades."""
    return sum(q.points for q in quiz.questions if q.type is not QuestionType.ESSAY)


def quiz_suspend_worst_case(quiz: Quiz) -> int:
    """Longest suspend_data quiz.js can write for this quiz (see the module docstring)."""
    header = len(",".join((STATE_TAG, ATTEMPTS_FIELD, "1", BEST_FIELD)))
    return header + sum(1 + _answer_worst_case(q) for q in quiz.questions)


def _answer_worst_case(question: Question) -> int:
    if question.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE):
        return 1
    if question.type is QuestionType.MULTIPLE_RESPONSE:
        return len(question.options)
    if question.type is QuestionType.MATCHING:
        return len(question.pairs)
    limit = text_limit(question)
    return len(str(limit)) + 1 + limit


def text_limit(question: Question) -> int:
    return ESSAY_MAX if question.type is QuestionType.ESSAY else SHORT_ANSWER_MAX


def _intro(quiz: Quiz, attempts: int, graded: int) -> str:
    count = len(quiz.questions)
    parts = [f"{count} question{'s' if count != 1 else ''}."]
    if not graded:
        parts.append("Your trainer reviews your answers: this quiz has no automatic score.")
    else:
        parts.append(f"You pass with {quiz.pass_mark}% of the {graded} point{'s' if graded != 1 else ''}.")
    if graded and any(q.type is QuestionType.ESSAY for q in quiz.questions):
        parts.append("Essay answers go to your trainer and do not count towards the score.")
    if attempts:
        parts.append(f"You may submit the quiz {attempts} time{'s' if attempts != 1 else ''}.")
    else:
        parts.append("You may submit the quiz as often as you need to pass.")
    return " ".join(parts)


# --- the page ----------------------------------------------------------------------------------------


def _view(question: Question, number: int, titles: dict[str, str], order: list[int]) -> QuestionView:
    html_id = f"q{number}"
    if question.type is QuestionType.ESSAY:
        points = "reviewed by your trainer, not scored automatically"
    else:
        points = f"{question.points} point{'s' if question.points != 1 else ''}"
    names = [f"“{titles.get(c, c)}”" for c in question.competency_ids]
    if not names:
        checks = "Competency checked: none (this question is about the module itself)."
    else:
        checks = f"Competenc{'ies' if len(names) > 1 else 'y'} checked: {'; '.join(names)}."
    return QuestionView(
        number=number,
        html_id=html_id,
        kind=question.type.value,
        points_label=points,
        stem=_block(question.stem) or Markup(""),
        checks_label=checks,
        feedback=_block(question.feedback),
        options=tuple(
            OptionView(i, f"{html_id}-o{i}", _inline(o.text), _block(o.feedback), o.correct)
            for i, o in enumerate(question.options)
        ),
        prompts=tuple(
            PromptView(f"{html_id}-p{i}", p.prompt, p.answer) for i, p in enumerate(question.pairs)
        ),
        choices=tuple(question.pairs[i].answer for i in order),
        accepted=tuple(a.text for a in question.answers),
        max_length=text_limit(question) if question.type in _TEXT_TYPES else 0,
    )


_TEXT_TYPES = frozenset({QuestionType.SHORT_ANSWER, QuestionType.ESSAY})


def _inline(text: str) -> Markup:
    return Markup(markdown.render_detached_inline(text))


def _block(text: str | None) -> Markup | None:
    return Markup(markdown.render_detached(text, top_heading=3)) if text else None


def _matching_order(question: Question) -> list[int]:
    """Pair indices in the order the answers are listed: by text, so the order gives nothing away."""
    return sorted(range(len(question.pairs)), key=lambda i: (question.pairs[i].answer.casefold(), i))


# --- the data quiz.js scores with -------------------------------------------------------------------


def _question_data(question: Question, version: str, order: list[int]) -> dict[str, object]:
    scorm12 = version == "1.2"
    interaction = _INTERACTION[question.type]
    if scorm12 and question.type is QuestionType.ESSAY:
        interaction = "fill-in"  # SCORM 1.2 has no long-fill-in
    data: dict[str, object] = {
        "id": question.id,
        "kind": question.type.value,
        "interaction": interaction,
        "points": question.points,
        "graded": question.type is not QuestionType.ESSAY,
        "competencies": list(question.competency_ids),
        "description": _description(question.stem),
    }
    separator, pair_separator = (",", ".") if scorm12 else ("[,]", "[.]")
    if question.type in CHOICE_TYPES:
        ids = _choice_ids(question, scorm12)
        data["responseIds"] = ids
        data["weights"] = [_weight(o.weight) for o in question.options]
        keys = [ids[i] for i, o in enumerate(question.options) if o.correct]
        data["correct"] = [separator.join(keys)]
    elif question.type is QuestionType.MATCHING:
        sources, targets = _matching_ids(question, order, scorm12)
        data["sources"] = sources
        data["targets"] = targets
        key = [order.index(i) for i in range(len(question.pairs))]
        data["key"] = key
        pairs = [f"{source}{pair_separator}{targets[k]}" for source, k in zip(sources, key, strict=True)]
        data["correct"] = [separator.join(pairs)]
    elif question.type is QuestionType.SHORT_ANSWER:
        data["accepted"] = [a.text for a in question.answers]
        data["caseSensitive"] = question.case_sensitive
        data["maxLength"] = SHORT_ANSWER_MAX
        case = question.case_sensitive
        data["correct"] = [_fill_in_pattern(a.text, case, scorm12) for a in question.answers]
    else:
        data["maxLength"] = ESSAY_MAX
        data["correct"] = []
    return data


def _description(stem: str) -> str:
    """The stem as one line of plain text (block quotes unmarked) for cmi.interactions.n.description."""
    unquoted = re.sub(r"(?m)^\s*>\s?", "", stem)
    return plain(unquoted)[:DESCRIPTION_MAX].lstrip("{")


def _weight(weight: Fraction) -> float:
    return float(weight)


def _choice_ids(question: Question, scorm12: bool) -> list[str]:
    if question.type is QuestionType.TRUE_FALSE:
        return [("t" if o.id == "true" else "f") if scorm12 else o.id for o in question.options]
    if scorm12:
        return [_scorm12_id(question, i) for i in range(len(question.options))]
    return _short_identifiers([o.id for o in question.options])


def _matching_ids(question: Question, order: list[int], scorm12: bool) -> tuple[list[str], list[str]]:
    count = len(question.pairs)
    if scorm12:
        ids = [_scorm12_id(question, i) for i in range(count)]
        return ids, ids[:]
    ids = _short_identifiers([p.id for p in question.pairs])
    return ids, [ids[i] for i in order]


def _scorm12_id(question: Question, index: int) -> str:
    if index >= len(SCORM12_IDS):
        raise BuildError(
            f"{question.pos}: question {question.id} has more than {len(SCORM12_IDS)} options or pairs, "
            "more than SCORM 1.2 can identify"
        )
    return SCORM12_IDS[index]


def _short_identifiers(ids: list[str]) -> list[str]:
    """Option ids as identifiers Moodle's SCORM 2004 runtime accepts, kept unique within the question."""
    out: list[str] = []
    for i, raw in enumerate(ids):
        ident = re.sub(r"[^A-Za-z0-9_.]", "_", raw) or f"o{i}"
        out.append(ident if ident not in out else f"{ident}_{i}")
    return out


def _fill_in_pattern(text: str, case_sensitive: bool, scorm12: bool) -> str:
    if scorm12:
        return text[:SCORM12_TEXT_MAX]
    # "[,]" separates strings of one response and a leading "{" starts a delimiter: neither is text.
    text = text.replace("[,]", ",")[:SCORM2004_FILL_IN_MAX].lstrip("{")
    return ("{case_matters=true}" if case_sensitive else "{case_matters=false}") + text


def script_json(data: object) -> str:
    """JSON safe inside <script type="application/json">: no "<" can end the element or open a comment."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).replace("<", "\\u003c")
