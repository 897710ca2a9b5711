"""Quality rules every quiz must meet, authored items and item-model instances alike.

Errors stop the build; warnings point at what an author may improve. Each problem points where the
author can act: the authored question or option, else the competency or module the text comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from builder.errors import Pos, Problem
from builder.model import Course, Module
from builder.quiz import cues
from builder.quiz.draw import MIN_CHECKS
from builder.quiz.model import (
    CHOICE_TYPES,
    ID_PATTERN,
    Question,
    QuestionType,
    Quiz,
    is_grade,
)
from builder.quiz.text import same_text_key

_ALL_OR_NONE = re.compile(
    r"\b(?:all|none|both|neither)\s+(?:of\s+)?(?:the\s+)?(?:above|following|these|options|answers)\b",
    re.IGNORECASE,
)


def _warning(pos: Pos, message: str) -> Problem:
    return Problem(pos, message, "warning")


def coverage(quiz: Quiz, module: Module) -> Iterator[Problem]:
    """Error: a competency assessed by fewer than MIN_CHECKS graded items, or by none at apply level
    or above (an item model counts once)."""
    where = module.quiz.pos or module.pos
    if module.quiz.unreadable:
        return
    for comp in module.competencies:
        slots = [slot for slot in quiz.slots if comp.id in slot[0].competency_ids and slot[0].graded]
        if len(slots) < MIN_CHECKS:
            yield Problem(
                where if module.quiz.assessment is not None else comp.pos,
                f"competency '{comp.id}' is assessed by {len(slots)} graded item(s); each needs at "
                f"least {MIN_CHECKS}: add items under its objective in assessment.yaml",
            )
        elif not any(slot[0].level.applies for slot in slots):
            yield Problem(
                where,
                f"competency '{comp.id}' has no item at apply level or above; add one where the "
                "learner uses it (a scenario, a calculation, a plan to order, a text to draft)",
            )


def unique_stems(quiz: Quiz) -> Iterator[Problem]:
    """Error: two questions of one quiz with the same stem."""
    first: dict[str, Question] = {}
    for q in quiz.questions:
        earlier = first.setdefault(same_text_key(q.stem), q)
        if earlier is not q:
            yield Problem(
                q.pos,
                f"question '{q.id}' repeats the stem of '{earlier.id}'; "
                "each question of a quiz needs a stem of its own",
            )


def ids(q: Question, seen: dict[str, Question]) -> Iterator[Problem]:
    """Error: ids LMSs reject (over 64 characters, other characters) or repeated."""
    if not ID_PATTERN.match(q.id):
        yield Problem(q.pos, f"question id '{q.id}' is not 1 to 64 characters of A-Z a-z 0-9 _ . -")
    if seen.setdefault(q.id, q) is not q:
        yield Problem(q.pos, f"question id '{q.id}' is used twice in the course")
    parts = [(o.id, o.pos) for o in q.options] + [(p.id, p.pos) for p in q.pairs]
    parts += [(st.id, st.pos) for st in q.steps]
    met: set[str] = set()
    for part_id, pos in parts:
        if not ID_PATTERN.match(part_id):
            yield Problem(
                pos or q.pos,
                f"id '{part_id}' in question '{q.id}' is not 1 to 64 characters of A-Z a-z 0-9 _ . -",
            )
        if part_id in met:
            yield Problem(pos or q.pos, f"id '{part_id}' is used twice in question '{q.id}'")
        met.add(part_id)


def answer_keys(q: Question) -> Iterator[Problem]:
    """Error: a question that cannot be answered or marked as its type requires; warning: one
    that works but reads weakly."""
    keys = len(q.keys)
    if q.type in CHOICE_TYPES and len(q.options) < 2:
        yield Problem(q.pos, f"question '{q.id}' needs at least 2 options")
    if q.type is QuestionType.MULTIPLE_CHOICE and keys != 1:
        yield Problem(
            q.pos,
            f"question '{q.id}' is multiple choice: exactly one option must be correct, "
            f"not {keys}; use multiple_response for several",
        )
    if q.type is QuestionType.TRUE_FALSE and ([o.id for o in q.options] != ["true", "false"] or keys != 1):
        yield Problem(
            q.pos, f"question '{q.id}' is true/false: its options must be true and false, one right"
        )
    if q.type is QuestionType.MULTIPLE_RESPONSE:
        if keys == 0:
            yield Problem(q.pos, f"question '{q.id}' needs at least one correct option")
        elif not all(is_grade(o.weight) for o in q.options):
            yield Problem(
                q.pos,
                f"question '{q.id}' has {keys} correct and {len(q.options) - keys} wrong "
                "options: LMSs cannot import the resulting weights; use at most 10 of each",
            )
        elif keys == len(q.options):
            yield _warning(
                q.pos,
                f"every option of question '{q.id}' is correct: ticking every box scores "
                "full marks; add a wrong option",
            )
    if q.type is QuestionType.MATCHING:
        if len(q.pairs) < 2:
            yield Problem(q.pos, f"matching question '{q.id}' needs at least 2 pairs")
        elif len(q.pairs) == 2:
            yield _warning(
                q.pos,
                f"matching question '{q.id}' has 2 pairs: the second answer follows "
                "from the first; 3 or more work better",
            )
    if q.type is QuestionType.NUMERICAL and q.numeric is not None:
        for wrong in q.wrong_values:
            if abs(wrong.value - q.numeric.value) <= q.numeric.tolerance:
                yield Problem(
                    wrong.pos or q.pos,
                    f"item '{q.id}': wrong answer {wrong.value} lies within the tolerance of the right "
                    f"answer {q.numeric.value}; it would be marked right",
                )
    if q.type is QuestionType.SHORT_ANSWER and not q.answers:
        yield Problem(q.pos, f"short-answer question '{q.id}' needs at least one accepted answer")
    if q.points < 1:
        yield Problem(q.pos, f"question '{q.id}' must be worth at least 1 point")


def unique_choices(q: Question) -> Iterator[Problem]:
    """Error: two options, matching prompts or matching answers of one question that read the same;
    warning: accepted short answers that repeat each other under the question's case rule."""
    groups = [
        ("option", [(o.text, o.pos) for o in q.options]),
        ("matching prompt", [(p.prompt, p.pos) for p in q.pairs]),
        ("matching answer", [(p.answer, p.pos) for p in q.pairs] + [(d, q.pos) for d in q.distractors]),
        ("step", [(st.text, st.pos) for st in q.steps]),
    ]
    for what, items in groups:
        seen: set[str] = set()
        for text, pos in items:
            key = same_text_key(text)
            if key in seen:
                yield Problem(pos or q.pos, f"{what} '{text}' appears twice in question '{q.id}'")
            seen.add(key)
    accepted: set[str] = set()
    for answer in q.answers:
        key = answer.text.strip() if q.case_sensitive else answer.text.strip().casefold()
        if key in accepted:
            yield _warning(
                answer.pos or q.pos,
                f"accepted answer '{answer.text}' repeats another one"
                + ("" if q.case_sensitive else " (answers are compared ignoring case)"),
            )
        accepted.add(key)


def no_all_or_none(q: Question) -> Iterator[Problem]:
    """Error: 'all of the above', 'none of the above' and the like, which break once options are shuffled."""
    for option in q.options:
        if _ALL_OR_NONE.search(option.text):
            yield Problem(
                option.pos or q.pos,
                f"option '{option.text}' of question '{q.id}': options are "
                "shuffled, so 'all/none of the above' has no meaning; name the options instead",
            )


def _key_texts(q: Question) -> list[tuple[str, object]]:
    """The texts a learner could pick as right answers, with where they are written."""
    texts: list[tuple[str, object]] = [
        (o.text, o.pos) for o in q.keys if q.type is not QuestionType.TRUE_FALSE
    ]
    texts += [(a.text, a.pos) for a in q.answers]
    return texts


def key_echo(q: Question) -> Iterator[Problem]:
    """Error: a right answer repeating a content word of the stem (inflections included), or a
    matching answer sharing words with its own prompt: a learner matching words finds it unlearned."""
    for text, pos in _key_texts(q):
        if echoed := cues.shared(q.stem, text):
            yield Problem(
                pos or q.pos,  # type: ignore[arg-type]
                f"item '{q.id}': the right answer '{text}' repeats stem word(s) "
                f"{', '.join(echoed)}; reword the answer or the stem",
            )
    for pair in q.pairs:
        if echoed := cues.shared(pair.prompt, pair.answer):
            yield Problem(
                pair.pos or q.pos,
                f"item '{q.id}': matching answer '{pair.answer}' shares word(s) {', '.join(echoed)} "
                "with its own prompt; pairing by shared words would find it",
            )


LENGTH_MARGIN = 1.25  # the key may not be the unique longest (shortest) by more than this ratio


def option_lengths(q: Question) -> Iterator[Problem]:
    """Error: a single right option that is the unique longest or shortest by a wide margin."""
    if q.type is not QuestionType.MULTIPLE_CHOICE or len(q.options) < 3:
        return
    key = q.keys[0] if q.keys else None
    if key is None:
        return
    others = [cues.length(o.text) for o in q.options if o is not key]
    n = cues.length(key.text)
    if n > max(others) * LENGTH_MARGIN:
        yield Problem(
            key.pos or q.pos,
            f"item '{q.id}': the right option is by far the longest ({n} characters, others at most "
            f"{max(others)}); make the options similar in length",
        )
    if n * LENGTH_MARGIN < min(others):
        yield Problem(
            key.pos or q.pos,
            f"item '{q.id}': the right option is by far the shortest ({n} characters, others at least "
            f"{min(others)}); make the options similar in length",
        )


def option_form(q: Question) -> Iterator[Problem]:
    """Warning: options of one item in different surface forms (capitals, final full stops)."""
    if q.type not in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return
    forms = {cues.form(o.text) for o in q.options}
    if len(forms) > 1:
        yield _warning(
            q.pos,
            f"item '{q.id}': options differ in form (capital first letter, final full stop); "
            "write them alike so that form gives nothing away",
        )


def true_false_balance(quiz: Quiz, module: Module) -> Iterator[Problem]:
    """Warning: three or more true/false items of one quiz that all have the same answer."""
    answers = [q.keys[0].id for q in quiz.questions if q.type is QuestionType.TRUE_FALSE and q.keys]
    if len(answers) >= 3 and len(set(answers)) == 1:
        yield _warning(
            module.quiz.pos or module.pos,
            f"every true/false item of this quiz is '{answers[0]}'; mix true and false statements",
        )


MIN_GIVEAWAY_WORDS = 3


def items_answer_each_other(quiz: Quiz) -> Iterator[Problem]:
    """Error: an item whose stem contains every content word of another item's right answer."""
    for q in quiz.questions:
        for text, _ in _key_texts(q):
            need = cues.content_stems(text)
            if len(need) < MIN_GIVEAWAY_WORDS:
                continue
            for other in quiz.questions:
                if other is not q and need <= cues.content_stems(other.stem):
                    yield Problem(
                        other.pos,
                        f"item '{other.id}' states the right answer of item '{q.id}' ('{text}') in its "
                        "stem; one item must not answer another: reword one of them",
                    )


def check(quizzes: Iterable[Quiz], course: Course) -> list[Problem]:
    """Every rule on every quiz; question ids are checked across the whole course."""
    found: list[Problem] = []
    seen: dict[str, Question] = {}
    for quiz in quizzes:
        module = course.module(quiz.module_id)
        found += coverage(quiz, module)
        found += unique_stems(quiz)
        found += true_false_balance(quiz, module)
        found += items_answer_each_other(quiz)
        for q in quiz.bank:
            for rule in (answer_keys, unique_choices, no_all_or_none, key_echo, option_lengths, option_form):
                found += rule(q)
            found += ids(q, seen)
    return found
