"""Questions of the quiz model as the items a Common Cartridge quiz can carry (QTI 1.2, CC profile).

CC has six question types, and Moodle's importer keeps only items marked with one of them: a question of
another type becomes items of these (matching: one multiple choice per pair; ordering: one per position;
multiple response: one true/false per option; numerical: fill in the blank, or multiple choice). The
README's "How questions are carried" says what each conversion loses. ``qti`` writes the XML.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, replace
from decimal import Decimal

from builder import markdown
from builder.errors import BuildError
from builder.i18n import N_, ntr, tr
from builder.lms_rules import Profile
from builder.quiz.choices import rng_for
from builder.quiz.ids import stable_id
from builder.quiz.model import Question, QuestionType

MIN_CHOICES = 3  # a CC multiple-choice item needs more than two options (profile rule 4d)


CHOICE_PROFILES = frozenset({Profile.MULTIPLE_CHOICE, Profile.MULTIPLE_RESPONSE, Profile.TRUE_FALSE})


@dataclass(frozen=True)
class Choice:
    ident: str
    text: str  # plain text
    correct: bool
    feedback: str | None = None  # Markdown


@dataclass(frozen=True)
class CcItem:
    """One QTI item as CC can carry it; a question of a type CC lacks becomes several."""

    ident: str
    title: str
    profile: Profile
    stem: str  # Markdown
    question_id: str
    competency_ids: tuple[str, ...]
    points: int
    choices: tuple[Choice, ...] = ()
    answers: tuple[str, ...] = ()  # accepted answers of a fill-in-the-blank item
    case_sensitive: bool = False
    feedback: str | None = None  # Markdown, shown whatever the answer
    converted_from: str | None = None  # what the item stands in for, when it is not the question itself


def _escape_md(text: str) -> str:
    """Plain text made literal inside Markdown (CommonMark lets any ASCII punctuation be escaped)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~\"'])", r"\\\1", text)


def plain_text(text: str) -> str:
    """Markdown as plain text (answer texts carry no HTML): lists kept as lines, link addresses kept."""
    return markdown.plain_text(text)


def _join_md(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return "\n\n".join(kept) if kept else None


def _true_false(lang: str, correct: bool) -> tuple[Choice, Choice]:
    """The two choices of a true/false item, labelled in the course language (idents stay true/false)."""
    return (
        Choice("true", tr(lang, "True"), correct),
        Choice("false", tr(lang, "False"), not correct),
    )


def _binary(
    base: CcItem, stem: str, statement: str, choices: tuple[Choice, ...], rng: random.Random, lang: str
) -> CcItem:
    """A two-option choice as a true/false item on one of the options, drawn at random: CC's
    multiple-choice type needs three options, and true/false is its two-option type."""
    if not choices:
        raise BuildError(f"question {base.question_id} has no option to carry")
    shown = rng.choice(choices)
    return CcItem(
        ident=base.ident,
        title=base.title,
        profile=Profile.TRUE_FALSE,
        stem=f"{stem}\n\n"
        + tr(lang, "True or false: %(statement)s", statement=statement.format(answer=_escape_md(shown.text))),
        question_id=base.question_id,
        competency_ids=base.competency_ids,
        points=base.points,
        choices=_true_false(lang, shown.correct),
        feedback=_join_md(shown.feedback, base.feedback),
        converted_from=base.converted_from or "two-option multiple-choice question",
    )


def _matching(q: Question, seed: int, lang: str) -> tuple[CcItem, ...]:
    """CC has no matching type: each pair becomes a choice among every pair's answer."""
    items = []
    for number, pair in enumerate(q.pairs, start=1):
        note = f"pair {number} of {len(q.pairs)} of matching question {q.id}"
        rng = rng_for(seed, "cc-matching", q.id, pair.id)
        choices = [Choice(other.id, other.answer, other.id == pair.id) for other in q.pairs]
        choices += _distractor_choices(q)
        rng.shuffle(choices)
        base = CcItem(
            ident=stable_id(q.id, pair.id),
            title=f"{q.id} (matching pair {number} of {len(q.pairs)})",
            profile=Profile.MULTIPLE_CHOICE,
            stem=f"{q.stem}\n\n"
            + tr(lang, "Which of these matches **%(prompt)s**?", prompt=_escape_md(pair.prompt)),
            question_id=q.id,
            competency_ids=q.competency_ids,
            points=q.points,
            choices=tuple(choices),
            feedback=q.feedback,
            converted_from=note,
        )
        if len(choices) < MIN_CHOICES:
            statement = tr(lang, "**%(prompt)s** matches “{answer}”.", prompt=_escape_md(pair.prompt))
            base = _binary(base, q.stem, statement, base.choices, rng, lang)
        items.append(base)
    return tuple(items)


def _per_option(q: Question, base: CcItem, choices: tuple[Choice, ...], lang: str) -> tuple[CcItem, ...]:
    """A multiple-response question as one true/false item per option.

    Moodle's CC importer grades cc.multiple_response by giving each right option its share and every
    wrong one 0, so ticking every box scores full marks; a true/false item per option is graded
    exactly there and everywhere else.
    """
    items = []
    for number, choice in enumerate(choices, start=1):
        items.append(
            replace(
                base,
                ident=stable_id(q.id, choice.ident),
                title=f"{q.id} (option {number} of {len(choices)})",
                profile=Profile.TRUE_FALSE,
                stem=f"{q.stem}\n\n"
                + tr(
                    lang,
                    "True or false: “%(option)s” is one of the right answers.",
                    option=_escape_md(choice.text),
                ),
                choices=_true_false(lang, choice.correct),
                feedback=_join_md(choice.feedback, q.feedback),
                converted_from=f"option {number} of {len(choices)} of multiple-response question {q.id}",
            )
        )
    return tuple(items)


def _distractor_choices(q: Question) -> list[Choice]:
    """A matching question's extra wrong answers, with idents no pair id can take."""
    taken = {p.id for p in q.pairs}
    choices = []
    for number, text in enumerate(q.distractors, start=1):
        ident = f"distractor.{number}"
        while ident in taken:
            ident += "_"
        choices.append(Choice(ident, text, False))
    return choices


def _essay(q: Question, base: CcItem, lang: str) -> CcItem:
    """The rubric goes into the feedback (what Moodle shows graders and, after submission, learners);
    a response template becomes part of the question text, since QTI cannot prefill the answer box."""
    rubric = None
    if q.rubric:
        lines = "\n".join(
            f"- {_escape_md(c.text)} ({ntr(lang, '%(num)s point', '%(num)s points', c.points)})"
            for c in q.rubric
        )
        rubric = "**" + tr(lang, "Rubric for grading:") + f"**\n\n{lines}"
    stem = q.stem
    if q.response_template:
        outline = tr(lang, "Start from this outline:")
        stem = f"{stem}\n\n{outline}\n\n> {_escape_md(q.response_template)}"
    return replace(base, stem=stem, feedback=_join_md(q.feedback, rubric))


_FIB_RANGE_MAX = 11  # numbers a fill-in-the-blank may list for a numerical answer's tolerance


def _normalized(value: Decimal) -> Decimal:
    """Trailing decimal zeros dropped, no exponent (``1.25E+4`` back to ``12500``)."""
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def number_forms(value: Decimal, unit: str | None) -> tuple[str, ...]:
    """How a learner may write ``value``: plain (``12500``), grouped by commas (``12,500``) or spaces
    (``12 500``), each also followed by the unit (``12500 EUR``). Trailing decimal zeros dropped."""
    normal = _normalized(value)
    grouped = format(normal, ",f")
    forms = list(dict.fromkeys([format(normal, "f"), grouped, grouped.replace(",", " ")]))
    if unit:
        forms += [f"{form} {unit}" for form in forms]
    return tuple(forms)


def _number_label(value: Decimal, unit: str | None) -> str:
    """The number as an option shows it: grouped by commas, with its unit."""
    return format(_normalized(value), ",f") + (f" {unit}" if unit else "")


def _accepted_numbers(q: Question) -> tuple[Decimal, ...] | None:
    """Every number within the tolerance at the precision of the key and tolerance, or None when
    there are too many to list."""
    assert q.numeric is not None
    value, tolerance = q.numeric.value, q.numeric.tolerance
    if tolerance == 0:
        return (value,)
    exponent = min(value.normalize().as_tuple().exponent, tolerance.normalize().as_tuple().exponent, 0)
    step = Decimal(1).scaleb(exponent)
    count = int(tolerance / step)
    if 2 * count + 1 > _FIB_RANGE_MAX:
        return None
    return tuple(value + k * step for k in range(-count, count + 1))


def _numerical(q: Question, base: CcItem, seed: int, lang: str) -> tuple[CcItem, ...]:
    """CC has no numerical type. Fill in the blank keeps it a question the learner works out, and
    Moodle (short answer) and Open edX (string response) grade it exactly: it accepts the written
    forms of every number the tolerance allows, when they are few. Otherwise a multiple choice among
    the key and the wrong values of named errors; with no wrong value, the key's forms alone."""
    assert q.numeric is not None
    unit = q.numeric.unit
    numbers = _accepted_numbers(q)
    hint = (
        tr(lang, "Write the number only (in %(unit)s).", unit=_escape_md(unit))
        if unit
        else tr(lang, "Write the number only.")
    )
    notes = "\n".join(
        f"- {_escape_md(_number_label(w.value, None))}: {w.feedback}" for w in q.wrong_values if w.feedback
    )
    if numbers is not None or not q.wrong_values:
        forms = tuple(f for n in numbers or (q.numeric.value,) for f in number_forms(n, unit))
        fib = replace(
            base,
            profile=Profile.FIB,
            stem=f"{q.stem}\n\n{hint}",
            answers=forms,
            feedback=_join_md(q.feedback, notes),
            converted_from="numerical question, as fill in the blank",
        )
        return (fib,)
    key = Choice("key", _number_label(q.numeric.value, unit), True)
    wrong = [
        Choice(f"wrong.{i}", _number_label(w.value, unit), False, w.feedback)
        for i, w in enumerate(q.wrong_values, start=1)
    ]
    choices = [key, *wrong]
    rng_for(seed, "cc-numerical", q.id).shuffle(choices)
    single = replace(
        base,
        profile=Profile.MULTIPLE_CHOICE,
        choices=tuple(choices),
        converted_from="numerical question, as multiple choice",
    )
    if len(choices) < MIN_CHOICES:
        rng = rng_for(seed, "cc-binary", q.id)
        right = tr(lang, "“{answer}” is the right answer.")
        return (_binary(single, q.stem, right, single.choices, rng, lang),)
    return (single,)


_ORDINALS = (
    N_("first"),
    N_("second"),
    N_("third"),
    N_("fourth"),
    N_("fifth"),
    N_("sixth"),
    N_("seventh"),
    N_("eighth"),
    N_("ninth"),
    N_("tenth"),
)


def _ordinal(n: int, lang: str) -> str:
    if n <= len(_ORDINALS):
        return tr(lang, _ORDINALS[n - 1])
    return tr(lang, "number %(number)s", number=n)


def _ordering(q: Question, seed: int, lang: str) -> tuple[CcItem, ...]:
    """CC has no ordering type: one multiple choice per position ("Which step comes second?") among
    every step, each worth the question's points, as matching pairs are."""
    items = []
    total = len(q.steps)
    for number, step in enumerate(q.steps, start=1):
        rng = rng_for(seed, "cc-ordering", q.id, step.id)
        choices = [Choice(other.id, other.text, other.id == step.id) for other in q.steps]
        rng.shuffle(choices)
        items.append(
            CcItem(
                ident=stable_id(q.id, f"position{number}"),
                title=f"{q.id} (step {number} of {total})",
                profile=Profile.MULTIPLE_CHOICE,
                stem=f"{q.stem}\n\n"
                + tr(
                    lang,
                    "Of these %(total)s steps, which comes **%(ordinal)s**?",
                    total=total,
                    ordinal=_ordinal(number, lang),
                ),
                question_id=q.id,
                competency_ids=q.competency_ids,
                points=q.points,
                choices=tuple(choices),
                feedback=q.feedback,
                converted_from=f"position {number} of {total} of ordering question {q.id}",
            )
        )
    return tuple(items)


def cc_items(q: Question, seed: int, lang: str = "en") -> tuple[CcItem, ...]:
    """The CC items standing for ``q``: one, except that a matching question gives one per pair, an
    ordering question one per step and a multiple-response question one true/false item per option."""
    if q.type is QuestionType.MATCHING:
        return _matching(q, seed, lang)
    base = CcItem(
        ident=q.id,
        title=q.id,
        profile=Profile.ESSAY,
        stem=q.stem,
        question_id=q.id,
        competency_ids=q.competency_ids,
        points=q.points,
        feedback=q.feedback,
    )
    if q.type is QuestionType.ESSAY:
        return (_essay(q, base, lang),)
    if q.type is QuestionType.NUMERICAL:
        return _numerical(q, base, seed, lang)
    if q.type is QuestionType.ORDERING:
        return _ordering(q, seed, lang)
    if q.type is QuestionType.SHORT_ANSWER:
        # Per-answer feedback has no place Moodle reads for fill-in-the-blank: it joins the general one.
        notes = "\n".join(f"- “{_escape_md(a.text)}”: {a.feedback}" for a in q.answers if a.feedback)
        fib = replace(
            base,
            profile=Profile.FIB,
            answers=tuple(a.text for a in q.answers),
            case_sensitive=q.case_sensitive,
            feedback=_join_md(q.feedback, notes),
        )
        return (fib,)
    if q.type is QuestionType.TRUE_FALSE:
        labels = {"true": tr(lang, "True"), "false": tr(lang, "False")}
        tf = tuple(Choice(o.id, labels.get(o.id, o.id), o.correct, o.feedback) for o in q.options)
        return (replace(base, profile=Profile.TRUE_FALSE, choices=tf),)
    choices = tuple(Choice(o.id, plain_text(o.text), o.correct, o.feedback) for o in q.options)
    if q.type is QuestionType.MULTIPLE_RESPONSE:
        return _per_option(q, base, choices, lang)
    single = replace(base, profile=Profile.MULTIPLE_CHOICE, choices=choices)
    if len(choices) < MIN_CHOICES:
        rng = rng_for(seed, "cc-binary", q.id)
        right = tr(lang, "“{answer}” is the right answer.")
        return (_binary(single, q.stem, right, choices, rng, lang),)
    return (single,)
