"""The test-wise audit: simulated learners who know nothing and answer only by wording cues.

Each strategy gives, per item, the score it expects (ties between equally cued options are broken
at random, so the expectation is exact); where it finds no cue it guesses blindly. A quiz's score is
the share of its automatically graded points (essays are graded by a person and left out).

Gates: over the course no strategy may beat blind guessing by more than ``MAX_GAIN`` points, and no
strategy may reach any quiz's pass mark.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from typing import Any

from builder.errors import Problem
from builder.model import Course, Module
from builder.quiz import cues
from builder.quiz.model import Question, QuestionType, Quiz

MAX_GAIN = 10  # percentage points a cue strategy may gain over blind guessing, over a course
MAX_SUBSET_OPTIONS = 12  # multiple response: beyond this, chance is estimated from the option count


@dataclass(frozen=True)
class Seen:
    """What a learner sees without having learned: the module's title and its competencies' titles."""

    module_title: str
    competency_titles: str


@lru_cache(maxsize=4096)
def _ratio(numerator: int, denominator: int) -> Fraction:
    """Fraction(numerator, denominator), made once: the audit asks for the same few thousands of times."""
    return Fraction(numerator, denominator)


def _pick(q: Question, values: Sequence[Any]) -> Fraction:
    """Expected score of ticking the option(s) with the highest of ``values`` (one per option)."""
    top = max(values)
    if top == min(values):
        return chance(q)
    best = [o for o, v in zip(q.options, values, strict=True) if v == top]
    if q.type is QuestionType.MULTIPLE_RESPONSE:
        return max(Fraction(0), sum((o.weight for o in best), Fraction(0)))
    return _ratio(sum(1 for o in best if o.correct), len(best))


@dataclass(frozen=True)
class _OptionCues:
    """The wording cues of a choice question's options, in order, worked out once for every
    strategy that reads them."""

    stem: tuple[int, ...]  # content words shared with the stem
    known: tuple[int, ...]  # content words shared with the module's titles
    length: tuple[int, ...]  # as a reader judges it
    likeness: tuple[int, ...]  # content words shared with each other option, summed
    an: tuple[bool, ...]  # reads with "an" before it


_cues_seen: dict[tuple[int, int, str], tuple[Question, Seen, _OptionCues]] = {}
_CUES_KEPT = 4096  # questions whose option cues are kept (an audit reads each one 13 times in a row)


def _option_cues(q: Question, seen: Seen) -> _OptionCues:
    key = (id(q), id(seen), cues.judged_language())
    kept = _cues_seen.get(key)
    if kept is not None and kept[0] is q and kept[1] is seen:
        return kept[2]
    texts = [o.text for o in q.options]
    stems = [cues.content_stems(t) for t in texts]
    stem = cues.content_stems(q.stem)
    known = cues.content_stems(f"{seen.module_title} {seen.competency_titles}")
    found = _OptionCues(
        stem=tuple(len(stem & s) for s in stems),
        known=tuple(len(known & s) for s in stems),
        length=tuple(cues.length(t) for t in texts),
        likeness=tuple(
            sum(len(s & other) for j, other in enumerate(stems) if j != i) for i, s in enumerate(stems)
        ),
        an=tuple(cues.takes_an(t) for t in texts),
    )
    if len(_cues_seen) >= _CUES_KEPT:
        _cues_seen.clear()
    _cues_seen[key] = (q, seen, found)
    return found


def chance(q: Question) -> Fraction:
    """Expected score of blind guessing."""
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE):
        return _ratio(1, len(q.options))
    if q.type is QuestionType.MULTIPLE_RESPONSE:
        if len(q.options) > MAX_SUBSET_OPTIONS:
            return _ratio(1, len(q.options))
        return _subset_chance(tuple(sorted(o.weight for o in q.options)))
    if q.type is QuestionType.MATCHING:
        return _ratio(1, len(q.pairs) + len(q.distractors))
    if q.type is QuestionType.ORDERING:
        return _ratio(1, len(q.steps))
    return _ratio(0, 1)  # numerical and short answer: nothing to pick from


@lru_cache(maxsize=1024)
def _subset_chance(weights: tuple[Fraction, ...]) -> Fraction:
    """Mean score of ticking a random subset of options with these weights (negatives floor at 0)."""
    total = Fraction(0)
    for size in range(len(weights) + 1):
        for subset in itertools.combinations(weights, size):
            total += max(Fraction(0), sum(subset, Fraction(0)))
    return total / 2 ** len(weights)


def _matching_by_words(q: Question) -> Fraction:
    answers = [p.answer for p in q.pairs] + list(q.distractors)
    total = Fraction(0)
    for pair in q.pairs:
        values = [cues.overlap(pair.prompt, a) for a in answers]
        top = max(values)
        best = [a for a, v in zip(answers, values, strict=True) if v == top]
        total += Fraction(1, len(answers)) if top == 0 else Fraction(int(pair.answer in best), len(best))
    return total / len(q.pairs)


def _true_false_by(q: Question, says_true: bool | None) -> Fraction:
    if says_true is None:
        return chance(q)
    picked = "true" if says_true else "false"
    return Fraction(int(any(o.id == picked and o.correct for o in q.options)))


def _word_overlap(q: Question, seen: Seen) -> Fraction:
    if q.type is QuestionType.MATCHING:
        return _matching_by_words(q)
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return _pick(q, _option_cues(q, seen).stem)
    return chance(q)


def _least_overlap(q: Question, seen: Seen) -> Fraction:
    """The reverse cue: where writers avoid echoing the stem in keys but not in distractors."""
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return _pick(q, [-n for n in _option_cues(q, seen).stem])
    return chance(q)


def _longest(q: Question, seen: Seen) -> Fraction:
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return _pick(q, _option_cues(q, seen).length)
    return chance(q)


def _shortest(q: Question, seen: Seen) -> Fraction:
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return _pick(q, [-n for n in _option_cues(q, seen).length])
    return chance(q)


def _position(q: Question, first: bool) -> Fraction:
    if q.type not in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return chance(q)
    place = 0 if first else len(q.options) - 1
    return _pick(q, [o.text == q.options[place].text for o in q.options])


def _first_option(q: Question, seen: Seen) -> Fraction:
    return _position(q, first=True)


def _last_option(q: Question, seen: Seen) -> Fraction:
    return _position(q, first=False)


def _middle_length(q: Question, seen: Seen) -> Fraction:
    """Writers who avoid long and short keys make the key the middle one."""
    if q.type not in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return chance(q)
    found = _option_cues(q, seen).length
    lengths = sorted(found)
    middle = (lengths[(len(lengths) - 1) // 2] + lengths[len(lengths) // 2]) / 2
    return _pick(q, [-abs(n - middle) for n in found])


def _own_module(q: Question, seen: Seen) -> Fraction:
    known = f"{seen.module_title} {seen.competency_titles}"
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return _pick(q, _option_cues(q, seen).known)
    if q.type is QuestionType.TRUE_FALSE:
        n = cues.overlap(known, q.stem)
        return _true_false_by(q, True if n >= 2 else False if n == 0 else None)
    return chance(q)


def _convergence(q: Question, seen: Seen) -> Fraction:
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return _pick(q, _option_cues(q, seen).likeness)
    return chance(q)


def _divergence(q: Question, seen: Seen) -> Fraction:
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        return _pick(q, [-n for n in _option_cues(q, seen).likeness])
    return chance(q)


def _grammar(q: Question, seen: Seen) -> Fraction:
    article = cues.article_before_blank(q.stem)
    if article is None or q.type is not QuestionType.MULTIPLE_CHOICE:
        return chance(q)
    return _pick(q, [an == (article == "an") for an in _option_cues(q, seen).an])


def _absolutes(q: Question, seen: Seen) -> Fraction:
    if q.type is not QuestionType.TRUE_FALSE:
        return chance(q)
    absolute, hedge = cues.has_absolute(q.stem), cues.has_hedge(q.stem)
    return _true_false_by(q, False if absolute and not hedge else True if hedge and not absolute else None)


def _combined(q: Question, seen: Seen) -> Fraction:
    """Every wording cue at once, strongest first: words shared with the stem, then with the module's
    titles, then a/an agreement; true/false by absolute and hedging words, then by the titles."""
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        article = cues.article_before_blank(q.stem)
        found = _option_cues(q, seen)
        agrees = [article is not None and an == (article == "an") for an in found.an]
        return _pick(q, list(zip(found.stem, found.known, agrees, strict=True)))
    if q.type is QuestionType.TRUE_FALSE:
        by_words = _absolutes(q, seen)
        return by_words if by_words != chance(q) else _own_module(q, seen)
    if q.type is QuestionType.MATCHING:
        return _matching_by_words(q)
    return chance(q)


STRATEGIES: dict[str, Callable[[Question, Seen], Fraction]] = {
    "word overlap with the stem": _word_overlap,
    "fewest words shared with the stem": _least_overlap,
    "longest option": _longest,
    "shortest option": _shortest,
    "middle-length option": _middle_length,
    "first option": _first_option,
    "last option": _last_option,
    "words of the module's own titles": _own_module,
    "option most like the others": _convergence,
    "option least like the others": _divergence,
    "a/an agreement": _grammar,
    "absolute or hedging words (true/false)": _absolutes,
    "all wording cues combined": _combined,
}


@dataclass(frozen=True)
class QuizAudit:
    module_id: str
    points: Fraction  # automatically graded points
    chance: Fraction  # expected points of blind guessing
    by_strategy: dict[str, Fraction]  # expected points per strategy

    def percent(self, points: Fraction) -> float:
        return float(100 * points / self.points) if self.points else 0.0

    @property
    def best(self) -> tuple[str, Fraction]:
        return max(self.by_strategy.items(), key=lambda kv: kv[1])


def _slot_mean(slot: tuple[Question, ...], score: Callable[[Question], Fraction]) -> Fraction:
    if len(slot) == 1:
        return score(slot[0])
    return sum((score(q) for q in slot), Fraction(0)) / len(slot)


def _points_total(slots: list[tuple[Question, ...]], score: Callable[[Question], Fraction]) -> Fraction:
    """Sum over slots of points x expected score, exactly: numerators are added per denominator
    (a handful: option counts) and only those sums become Fractions."""
    by_denominator: dict[int, int] = {}
    for slot in slots:
        value = _slot_mean(slot, score)
        d = value.denominator
        by_denominator[d] = by_denominator.get(d, 0) + slot[0].points * value.numerator
    return sum((Fraction(n, d) for d, n in sorted(by_denominator.items())), Fraction(0))


def audit_quiz(quiz: Quiz, course: Course) -> QuizAudit:
    seen = seen_of(course.module(quiz.module_id))
    graded = [slot for slot in quiz.slots if slot[0].type is not QuestionType.ESSAY]
    points = Fraction(sum(slot[0].points for slot in graded))
    return QuizAudit(
        quiz.module_id,
        points,
        _points_total(graded, chance),
        {
            name: _points_total(graded, lambda q, s=strategy: s(q, seen))
            for name, strategy in STRATEGIES.items()
        },
    )


@dataclass(frozen=True)
class CourseAudit:
    quizzes: tuple[QuizAudit, ...]

    @property
    def points(self) -> Fraction:
        return sum((a.points for a in self.quizzes), Fraction(0))

    def percent(self, points: Fraction) -> float:
        return float(100 * points / self.points) if self.points else 0.0

    @property
    def chance(self) -> Fraction:
        return sum((a.chance for a in self.quizzes), Fraction(0))

    def strategy(self, name: str) -> Fraction:
        return sum((a.by_strategy[name] for a in self.quizzes), Fraction(0))


def audit_course(quizzes: Iterable[Quiz], course: Course) -> CourseAudit:
    return CourseAudit(tuple(audit_quiz(q, course) for q in quizzes if q.slots))


def audit_problems(quizzes: Iterable[Quiz], course: Course) -> list[Problem]:
    """Errors where a cue strategy beats guessing too much over the course, or passes a quiz."""
    result = audit_course(quizzes, course)
    problems: list[Problem] = []
    chance_pct = result.percent(result.chance)
    for name in STRATEGIES:
        gain = result.percent(result.strategy(name)) - chance_pct
        if gain > MAX_GAIN:
            problems.append(
                Problem(
                    course.pos,
                    f"test-wise audit: answering by '{name}' scores {gain:.1f} points above blind "
                    f"guessing ({chance_pct:.1f}%) over the course; at most {MAX_GAIN} are allowed. "
                    "`builder quiz` shows the items it wins on; rewrite their options",
                )
            )
    for quiz_audit in result.quizzes:
        module = course.module(quiz_audit.module_id)
        name, points = quiz_audit.best
        if quiz_audit.percent(points) >= course.quiz.pass_mark:
            problems.append(
                Problem(
                    module.quiz.pos or module.pos,
                    f"test-wise audit: answering by '{name}' alone scores "
                    f"{quiz_audit.percent(points):.0f}% in this quiz and passes it (pass mark "
                    f"{course.quiz.pass_mark}%); rewrite the items it wins on",
                )
            )
    return problems


def seen_of(module: Module) -> Seen:
    return Seen(module.title, " ".join(c.title for c in module.competencies))


def item_wins(q: Question, seen: Seen) -> list[str]:
    """Strategies that score this item better than blind guessing, for reviewers."""
    base = chance(q)
    return [name for name, strategy in STRATEGIES.items() if strategy(q, seen) > base]
