"""The quiz SCO: what its page shows, the data its script scores with, and its suspend_data budget.

Interactions, their identifiers and patterns per SCORM version: see ``scorm_interactions``.

Each slot of the quiz holds one question, or the isomorphic variants of an item model: the page
carries every variant, and quiz.js shows one per slot and attempt. The first attempt starts at a
random variant of each slot; every new attempt takes the slot's next variant, so a learner who tries
again meets a different instance. The drawn variants are part of suspend_data, so a learner who
comes back sees the same items.

suspend_data of a quiz SCO (read and written by quiz.js) is one comma-separated line::

    q2,<attempts used, at most 999>,<1 if the answers shown were submitted>,<best %, "" if none>,
    <drawn variant of each slot: one base-36 digit per slot>,<answer of slot 1>,<answer of slot 2>,...

An answer is empty when not given; one base-36 option index (single answer); the chosen indices
(multiple response); one index or ``-`` per prompt (matching); the shown steps' indices in the
learner's order (ordering, empty until a step was moved); ``<length>:<text>`` (numerical, short
answer, essay: text fields need no escaping, so their worst case is their maximum length plus the
prefix).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from markupsafe import Markup

from builder import markdown
from builder.errors import BuildError
from builder.formats.scorm_interactions import (
    ESSAY_MAX,
    SCORM12_IDS,
    Layout,
    decimal_text,
    graded,
    layout,
    question_data,
    text_limit,
)
from builder.i18n import ntr, percent, tr
from builder.model import Course, Module
from builder.quiz.model import Question, QuestionType, Quiz

STATE_TAG = "q2"
ATTEMPTS_FIELD = "999"  # the script stores min(attempts used, 999)
BEST_FIELD = "66.67"  # widest best score: a percentage rounded to two decimals
MAX_VARIANTS = len(SCORM12_IDS)  # one base-36 digit per slot in suspend_data

__all__ = ["ESSAY_MAX", "QuizPage", "graded_points", "quiz_page", "quiz_suspend_worst_case", "script_json"]


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
class StepView:
    index: int  # position in the order the page first shows
    text: str


@dataclass(frozen=True)
class WrongValueView:
    index: int
    feedback: Markup


@dataclass(frozen=True)
class CriterionView:
    text: str
    points_label: str


@dataclass(frozen=True)
class QuestionView:
    number: int  # the slot's number
    html_id: str
    slot: int
    hidden: bool  # a variant the page does not show before the script draws
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
    steps: tuple[StepView, ...] = ()  # ordering, as first shown
    right_order: tuple[str, ...] = ()
    unit: str | None = None
    key_label: str = ""  # numerical: the right answer as shown after the last attempt
    wrong_values: tuple[WrongValueView, ...] = ()
    rubric: tuple[CriterionView, ...] = ()
    response_template: str | None = None


@dataclass(frozen=True)
class QuizPage:
    title: str
    intro: str
    slot_count: int
    questions: tuple[QuestionView, ...]
    data_json: str


def quiz_page(course: Course, module: Module, quiz: Quiz, version: str, suspend_limit: int) -> QuizPage:
    titles = {c.id: c.title for c in course.competencies()}
    views, data, slots = [], [], []
    for number, slot in enumerate(quiz.slots, start=1):
        if len(slot) > MAX_VARIANTS:
            raise BuildError(
                f"{slot[0].pos}: item model {slot[0].variant_group} has {len(slot)} variants; "
                f"a SCORM quiz draws from at most {MAX_VARIANTS}"
            )
        indices = []
        for variant, question in enumerate(slot):
            shape = layout(question, course.quiz.seed)
            indices.append(len(data))
            views.append(_view(question, number, len(data), variant > 0, titles, shape, course.language))
            data.append({**question_data(question, version, shape), "slot": number - 1})
        slots.append(indices)
    points = graded_points(quiz)
    payload = {
        "quiz": module.id,
        "passMark": quiz.pass_mark,
        "attempts": course.quiz.attempts,
        "suspendLimit": suspend_limit,
        "maxPoints": points,
        "competencies": [{"id": c, "title": titles[c]} for c in quiz.competency_ids],
        "questions": data,
        "slots": slots,
    }
    return QuizPage(
        title=tr(course.language, "Quiz: %(module)s", module=module.title),
        intro=_intro(quiz, course.quiz.attempts, points, course.language),
        slot_count=len(quiz.slots),
        questions=tuple(views),
        data_json=script_json(payload),
    )


def graded_points(quiz: Quiz) -> int:
    """Points the score counts: every slot but essays, which a person grades (a slot's variants are
    worth the same)."""
    return sum(q.points for q in quiz.questions if graded(q))


def quiz_suspend_worst_case(quiz: Quiz) -> int:
    """Longest suspend_data quiz.js can write for this quiz (see the module docstring)."""
    header = len(",".join((STATE_TAG, ATTEMPTS_FIELD, "1", BEST_FIELD))) + 1 + len(quiz.slots)
    return header + sum(1 + max(_answer_worst_case(q) for q in slot) for slot in quiz.slots)


def _answer_worst_case(question: Question) -> int:
    if question.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE):
        return 1
    if question.type is QuestionType.MULTIPLE_RESPONSE:
        return len(question.options)
    if question.type is QuestionType.MATCHING:
        return len(question.pairs)
    if question.type is QuestionType.ORDERING:
        return len(question.steps)
    limit = text_limit(question)
    return len(str(limit)) + 1 + limit


def _intro(quiz: Quiz, attempts: int, points: int, lang: str) -> str:
    count = len(quiz.slots)
    parts = [ntr(lang, "%(num)s question.", "%(num)s questions.", count)]
    if not points:
        parts.append(tr(lang, "Your trainer reviews your answers: this quiz has no automatic score."))
    else:
        parts.append(
            ntr(
                lang,
                "You pass with %(pass_mark)s of the %(num)s point.",
                "You pass with %(pass_mark)s of the %(num)s points.",
                points,
                pass_mark=percent(quiz.pass_mark, lang),
            )
        )
    if points and any(not graded(q) for q in quiz.questions):
        parts.append(
            tr(
                lang,
                "Essay answers are graded by your trainer, not by this page: they do not count towards "
                "the score shown here.",
            )
        )
    if any(len(slot) > 1 for slot in quiz.slots):
        parts.append(tr(lang, "Some questions change from one attempt to the next."))
    if attempts:
        parts.append(
            ntr(
                lang,
                "You may submit the quiz %(num)s time.",
                "You may submit the quiz %(num)s times.",
                attempts,
            )
        )
    else:
        parts.append(tr(lang, "You may submit the quiz as often as you need to pass."))
    return " ".join(parts)


# --- the page ----------------------------------------------------------------------------------------


def _option_label(question: Question, text: str, lang: str) -> Markup:
    """An option as its label shows it; a true/false item's two options in the course language."""
    if question.type is QuestionType.TRUE_FALSE and text in ("True", "False"):
        return Markup.escape(tr(lang, text))
    return _inline(text)


def _points(n: int, lang: str) -> str:
    return ntr(lang, "%(num)s point", "%(num)s points", n)


def _view(
    question: Question,
    number: int,
    index: int,
    hidden: bool,
    titles: dict[str, str],
    shape: Layout,
    lang: str,
) -> QuestionView:
    html_id = f"q{index + 1}"
    if graded(question):
        points = _points(question.points, lang)
    else:
        points = tr(
            lang,
            "%(points)s, graded by your trainer, not scored automatically",
            points=_points(question.points, lang),
        )
    names = [f"“{titles.get(c, c)}”" for c in question.competency_ids]
    if not names:
        checks = tr(lang, "Competency checked: none (this question is about the module itself).")
    else:
        checks = ntr(
            lang,
            "Competency checked: %(names)s.",
            "Competencies checked: %(names)s.",
            len(names),
            names="; ".join(names),
        )
    numeric = question.numeric
    key_label = ""
    if numeric is not None:
        key_label = decimal_text(numeric.value) + (f" {numeric.unit}" if numeric.unit else "")
        if numeric.tolerance:
            key_label += " " + tr(
                lang, "(give or take %(tolerance)s)", tolerance=decimal_text(numeric.tolerance)
            )
    return QuestionView(
        number=number,
        html_id=html_id,
        slot=number - 1,
        hidden=hidden,
        kind=question.type.value,
        points_label=points,
        stem=_block(question.stem) or Markup(""),
        checks_label=checks,
        feedback=_block(question.feedback),
        options=tuple(
            OptionView(
                i, f"{html_id}-o{i}", _option_label(question, o.text, lang), _block(o.feedback), o.correct
            )
            for i, o in enumerate(question.options)
        ),
        prompts=tuple(
            PromptView(f"{html_id}-p{i}", p.prompt, p.answer) for i, p in enumerate(question.pairs)
        ),
        choices=tuple(text for text, _ in shape.answers),
        accepted=tuple(a.text for a in question.answers),
        max_length=text_limit(question) if question.type in _TEXT_TYPES else 0,
        steps=tuple(StepView(k, question.steps[i].text) for k, i in enumerate(shape.shown_steps)),
        right_order=tuple(s.text for s in question.steps),
        unit=numeric.unit if numeric else None,
        key_label=key_label,
        wrong_values=tuple(
            WrongValueView(i, feedback)
            for i, w in enumerate(question.wrong_values)
            if (feedback := _block(w.feedback)) is not None
        ),
        rubric=tuple(CriterionView(c.text, _points(c.points, lang)) for c in question.rubric),
        response_template=question.response_template,
    )


_TEXT_TYPES = frozenset({QuestionType.SHORT_ANSWER, QuestionType.ESSAY, QuestionType.NUMERICAL})


def _inline(text: str) -> Markup:
    return Markup(markdown.render_phrasing(text))


def _block(text: str | None) -> Markup | None:
    return Markup(markdown.render_detached(text, top_heading=3)) if text else None


def script_json(data: object) -> str:
    """JSON safe inside <script type="application/json">: no "<" can end the element or open a comment."""
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).replace("<", "\\u003c")
