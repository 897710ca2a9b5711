"""What quiz.js scores a question with and reports to the LMS: SCORM interaction types, identifiers
and correct-response patterns, per version (SCORM 1.2 RTE 3.4.2 / SCORM 2004 4th ed. RTE 4.2.9).

=====================  ==================================  ==============================================
question type          SCORM 1.2                           SCORM 2004
=====================  ==================================  ==============================================
multiple choice        choice, ``b``                       choice, ``strategy``
multiple response      choice, ``a,c``                     choice, ``a_id[,]c_id``
true/false             true-false, ``t`` / ``f``           true-false, ``true`` / ``false``
matching               matching, ``a.b,b.a``               matching, ``p1[.]p1[,]p2[.]p2``
ordering               sequencing, ``c,a,b``               sequencing, ``goals[,]milestones[,]review``
numerical              numeric, ``12500`` (the key)        numeric, ``12490[:]12510`` (key ± tolerance);
                                                           fill-in, the key, when a bound has more than
                                                           5 integer digits (Moodle refuses those: 406)
short answer           fill-in, the text                   fill-in, ``{case_matters=false}`` text
essay                  fill-in (first 255 characters),     long-fill-in, no pattern, result ``neutral``
                       no pattern, result ``neutral``
=====================  ==================================  ==============================================

SCORM 1.2 identifies choices, matching targets and sequencing steps by one character ``[a-z0-9]``
(here: their position as shown); its numeric pattern is a single CMIDecimal, so a tolerance cannot be
stated there (the script still scores with it). SCORM 2004 uses the author's ids, with every
character outside ``[A-Za-z0-9_.]`` turned into ``_`` because Moodle's 2004 runtime checks choice,
matching and sequencing identifiers against ``^[\\w.]{1,250}$`` (no hyphen). A matching response
pairs the prompt's pair id with the id of the answer the learner chose (a pair id, or
``distractor.N`` for an answer that matches no prompt). Results are ``correct``, ``wrong`` (1.2) /
``incorrect`` (2004), ``neutral`` (essays: a person grades them) or the points earned when partly
right (matching, multiple response).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from builder.errors import BuildError
from builder.quiz.choices import rng_for
from builder.quiz.model import CHOICE_TYPES, Question, QuestionType
from builder.quiz.text import plain

SHORT_ANSWER_MAX = 200  # characters a short answer may have (maxlength of its input)
NUMBER_MAX = 30  # characters a numerical answer may have
ESSAY_MAX = 1000  # characters an essay may have (maxlength of its textarea)
SCORM12_IDS = "abcdefghijklmnopqrstuvwxyz0123456789"
SCORM12_TEXT_MAX = 255  # CMIString255: student_response and correct response patterns
SCORM2004_FILL_IN_MAX = 250  # a fill-in string (localized_string_type, SPM 250)
DESCRIPTION_MAX = 250

INTERACTION = {
    QuestionType.MULTIPLE_CHOICE: "choice",
    QuestionType.MULTIPLE_RESPONSE: "choice",
    QuestionType.TRUE_FALSE: "true-false",
    QuestionType.MATCHING: "matching",
    QuestionType.ORDERING: "sequencing",
    QuestionType.NUMERICAL: "numeric",
    QuestionType.SHORT_ANSWER: "fill-in",
    QuestionType.ESSAY: "long-fill-in",
}


@dataclass(frozen=True)
class Layout:
    """How a question is laid out on the page, shared by the page and the data that scores it.

    ``answers``: a matching question's answers in the order its selects list them, each with the
    index of the pair it answers (None: a distractor); ``shown_steps``: an ordering question's
    step indices (into the right order) in the order the page first shows them.
    """

    answers: tuple[tuple[str, int | None], ...] = ()
    shown_steps: tuple[int, ...] = ()


def layout(question: Question, seed: int) -> Layout:
    if question.type is QuestionType.MATCHING:
        answers = [(p.answer, i) for i, p in enumerate(question.pairs)]
        answers += [(text, None) for text in question.distractors]
        # By text, so the order gives nothing away.
        ordered = sorted(range(len(answers)), key=lambda k: (answers[k][0].casefold(), k))
        return Layout(answers=tuple(answers[k] for k in ordered))
    if question.type is QuestionType.ORDERING:
        steps = list(range(len(question.steps)))
        rng = rng_for(seed, "scorm-ordering", question.id)
        shown = steps[:]
        while shown == steps and len(steps) > 1:  # never shown in the right order already
            rng.shuffle(shown)
        return Layout(shown_steps=tuple(shown))
    return Layout()


def graded(question: Question) -> bool:
    """Essays are graded by a person, not by the script."""
    return question.type is not QuestionType.ESSAY


def text_limit(question: Question) -> int:
    if question.type is QuestionType.ESSAY:
        return ESSAY_MAX
    return NUMBER_MAX if question.type is QuestionType.NUMERICAL else SHORT_ANSWER_MAX


def decimal_text(value: Decimal) -> str:
    """A number as SCORM's decimal types write it: no exponent, no trailing zeros."""
    normal = value.normalize()
    if normal == normal.to_integral_value():
        normal = normal.quantize(Decimal(1))
    return format(normal, "f")


def question_data(question: Question, version: str, layout: Layout) -> dict[str, object]:
    scorm12 = version == "1.2"
    interaction = INTERACTION[question.type]
    if scorm12 and question.type is QuestionType.ESSAY:
        interaction = "fill-in"  # SCORM 1.2 has no long-fill-in
    data: dict[str, object] = {
        "id": question.id,
        "kind": question.type.value,
        "interaction": interaction,
        "points": question.points,
        "graded": graded(question),
        "competencies": list(question.competency_ids),
        "description": _description(question.stem),
    }
    separator, pair_separator = (",", ".") if scorm12 else ("[,]", "[.]")
    if question.type in CHOICE_TYPES:
        ids = _choice_ids(question, scorm12)
        data["responseIds"] = ids
        data["weights"] = [float(o.weight) for o in question.options]
        keys = [ids[i] for i, o in enumerate(question.options) if o.correct]
        data["correct"] = [separator.join(keys)]
    elif question.type is QuestionType.MATCHING:
        sources, targets = _matching_ids(question, layout, scorm12)
        data["sources"] = sources
        data["targets"] = targets
        key = [
            next(k for k, (_, pair) in enumerate(layout.answers) if pair == i) for i in range(len(sources))
        ]
        data["key"] = key
        pairs = [f"{source}{pair_separator}{targets[k]}" for source, k in zip(sources, key, strict=True)]
        data["correct"] = [separator.join(pairs)]
    elif question.type is QuestionType.ORDERING:
        ids = _step_ids(question, layout, scorm12)
        data["stepIds"] = ids
        key = [layout.shown_steps.index(i) for i in range(len(question.steps))]
        data["key"] = key
        data["correct"] = [separator.join(ids[k] for k in key)]
    elif question.type is QuestionType.NUMERICAL:
        assert question.numeric is not None
        value, tolerance = question.numeric.value, question.numeric.tolerance
        data["value"] = decimal_text(value)
        data["tolerance"] = decimal_text(tolerance)
        data["unit"] = question.numeric.unit
        data["wrongValues"] = [decimal_text(w.value) for w in question.wrong_values]
        data["maxLength"] = NUMBER_MAX
        low, high = decimal_text(value - tolerance), decimal_text(value + tolerance)
        if scorm12:
            data["correct"] = [decimal_text(value)]
        elif all(_moodle_2004_decimal(n) for n in (low, high)):
            data["correct"] = [f"{low}[:]{high}"]
        else:  # Moodle would refuse the numeric interaction (406): report it as the text typed
            data["interaction"] = "fill-in"
            data["correct"] = [_fill_in_pattern(decimal_text(value), False, scorm12)]
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


def _moodle_2004_decimal(number: str) -> bool:
    """Whether Moodle 4.5's SCORM 2004 runtime takes this number (its CMIDecimal allows 5 integer digits)."""
    return re.fullmatch(r"-?[0-9]{1,5}(\.[0-9]{1,18})?", number) is not None


def _description(stem: str) -> str:
    """The stem as one line of plain text (block quotes unmarked) for cmi.interactions.n.description."""
    unquoted = re.sub(r"(?m)^\s*>\s?", "", stem)
    return plain(unquoted)[:DESCRIPTION_MAX].lstrip("{")


def _choice_ids(question: Question, scorm12: bool) -> list[str]:
    if question.type is QuestionType.TRUE_FALSE:
        return [("t" if o.id == "true" else "f") if scorm12 else o.id for o in question.options]
    if scorm12:
        return [_scorm12_id(question, i) for i in range(len(question.options))]
    return _short_identifiers([o.id for o in question.options])


def _matching_ids(question: Question, layout: Layout, scorm12: bool) -> tuple[list[str], list[str]]:
    """Prompt ids and, in the order the selects list them, answer ids."""
    count = len(question.pairs)
    if scorm12:
        return (
            [_scorm12_id(question, i) for i in range(count)],
            [_scorm12_id(question, k) for k in range(len(layout.answers))],
        )
    distractors = [f"distractor.{n}" for n in range(1, len(question.distractors) + 1)]
    ids = _short_identifiers([p.id for p in question.pairs] + distractors)
    targets, next_distractor = [], count
    for _, pair in layout.answers:
        if pair is None:
            targets.append(ids[next_distractor])
            next_distractor += 1
        else:
            targets.append(ids[pair])
    return ids[:count], targets


def _step_ids(question: Question, layout: Layout, scorm12: bool) -> list[str]:
    """Step ids in the order the page first shows the steps."""
    if scorm12:
        return [_scorm12_id(question, k) for k in range(len(layout.shown_steps))]
    ids = _short_identifiers([s.id for s in question.steps])
    return [ids[i] for i in layout.shown_steps]


def _scorm12_id(question: Question, index: int) -> str:
    if index >= len(SCORM12_IDS):
        raise BuildError(
            f"{question.pos}: question {question.id} has more than {len(SCORM12_IDS)} options, answers or "
            "steps, more than SCORM 1.2 can identify"
        )
    return SCORM12_IDS[index]


def _short_identifiers(ids: list[str]) -> list[str]:
    """Ids as identifiers Moodle's SCORM 2004 runtime accepts, kept unique within the question."""
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
