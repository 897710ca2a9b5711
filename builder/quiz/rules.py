"""Quality rules every quiz must meet, generated or authored, checked on the finished quizzes.

Errors stop the build; warnings point at what an author may improve. Each problem points where the
author can act: the authored question or option, else the competency or module the text comes from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from builder.errors import Pos, Problem
from builder.model import Course, Module
from builder.quiz.draw import MIN_CHECKS
from builder.quiz.model import (
    AUTHORED,
    CHOICE_TYPES,
    ID_PATTERN,
    Question,
    QuestionType,
    Quiz,
    is_grade,
)
from builder.quiz.roles import role_key, roles_overlap
from builder.quiz.text import cut_mid_sentence, same_text_key

_ALL_OR_NONE = re.compile(
    r"\b(?:all|none|both|neither)\s+(?:of\s+)?(?:the\s+)?(?:above|following|these|options|answers)\b",
    re.IGNORECASE,
)


def _warning(pos: Pos, message: str) -> Problem:
    return Problem(pos, message, "warning")


def coverage(quiz: Quiz, module: Module) -> Iterator[Problem]:
    """Error: a competency checked by fewer than MIN_CHECKS questions of its module's quiz."""
    counts = quiz.coverage()
    restricted = module.quiz.generators is not None
    for comp in module.competencies:
        n = len(counts.get(comp.id, ()))
        if n >= MIN_CHECKS:
            continue
        hint = (
            "let more generators run (quiz.generators) or add questions under quiz.authored in module.yaml"
            if restricted
            else "generated questions need other competencies and modules to draw wrong options from; "
            "add questions under quiz.authored in module.yaml"
        )
        yield Problem(
            comp.pos,
            f"competency '{comp.id}' is checked by {n} quiz question(s); each competency needs at "
            f"least {MIN_CHECKS}: {hint}",
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
        elif keys == len(q.options) and q.generator == AUTHORED:
            yield _warning(
                q.pos,
                f"every option of question '{q.id}' is correct: ticking every box scores "
                "full marks; add a wrong option",
            )
    if q.type is QuestionType.MATCHING:
        if len(q.pairs) < 2:
            yield Problem(q.pos, f"matching question '{q.id}' needs at least 2 pairs")
        elif len(q.pairs) == 2 and q.generator == AUTHORED:
            yield _warning(
                q.pos,
                f"matching question '{q.id}' has 2 pairs: the second answer follows "
                "from the first; 3 or more work better",
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
        ("matching answer", [(p.answer, p.pos) for p in q.pairs]),
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


def whole_sentences(q: Question) -> Iterator[Problem]:
    """Error: quoted text cut anywhere but at the end of a sentence."""
    texts = [q.stem, q.feedback or ""]
    texts += [t for o in q.options for t in (o.text, o.feedback or "")]
    texts += [t for p in q.pairs for t in (p.prompt, p.answer)]
    if any(cut_mid_sentence(t) for t in texts):
        yield Problem(q.pos, f"question '{q.id}' quotes text cut inside a sentence")


def true_statements(q: Question, course: Course) -> Iterator[Problem]:
    """Error: a generated true/false statement whose answer the audience table contradicts."""
    claim = q.claim
    if claim is None:
        return
    module = course.module(claim.module_id)
    roles = [r.role for r in module.audience.rows] if module.audience else []
    if claim.listed and not any(role_key(r) == role_key(claim.role) for r in roles):
        yield Problem(
            q.pos,
            f"question '{q.id}' claims '{claim.role}' is in the target audience of "
            f"'{module.id}', which does not list it",
        )
    if not claim.listed and any(roles_overlap(r, claim.role) for r in roles):
        yield Problem(
            q.pos,
            f"question '{q.id}' claims '{claim.role}' is not in the target audience of "
            f"'{module.id}', which lists it or a look-alike role",
        )


def check(quizzes: Iterable[Quiz], course: Course) -> list[Problem]:
    """Every rule on every quiz; question ids are checked across the whole course."""
    found: list[Problem] = []
    seen: dict[str, Question] = {}
    for quiz in quizzes:
        found += coverage(quiz, course.module(quiz.module_id))
        found += unique_stems(quiz)
        for q in quiz.questions:
            for rule in (answer_keys, unique_choices, no_all_or_none, whole_sentences):
                found += rule(q)
            found += ids(q, seen)
            found += true_statements(q, course)
    return found
