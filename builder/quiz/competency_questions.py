"""Generators of questions that check competencies, built from their titles and descriptions."""

from __future__ import annotations

from fractions import Fraction
from math import ceil

from builder.model import Competency, Course, Module
from builder.quiz.choices import Generated, pick_distinct, rng_for, shuffled
from builder.quiz.ids import digest, stable_id
from builder.quiz.model import Option, Pair, Question, QuestionType
from builder.quiz.text import (
    OPTION_QUOTE,
    STEM_QUOTE,
    blank_out,
    excerpt,
    inline,
    plain,
    quote,
    same_text_key,
)

WRONG_OPTIONS = 3  # four options: few enough to read, enough to make guessing unrewarding
MAX_PAIRS = 5  # longer matching lists are split: descriptions are long to read


def _tiers(course: Course, competency: Competency) -> list[list[Competency]]:
    """Other competencies: the same module first, then the same category, then the rest."""
    module = course.module(competency.module_id)
    same_module = [c for c in module.competencies if c.id != competency.id]
    same_category = [
        c
        for m in course.modules
        if m.category_id == module.category_id and m.id != module.id
        for c in m.competencies
    ]
    rest = [c for m in course.modules if m.category_id != module.category_id for c in m.competencies]
    return [same_module, same_category, rest]


def _cite(course: Course, competency: Competency) -> str:
    return f"**{competency.title}** (*{course.module(competency.module_id).title}*)"


def competency_from_description(course: Course, module: Module, seed: int) -> Generated:
    """Quote a description; the learner names the competency (other titles as wrong options)."""
    questions = []
    for comp in module.competencies:
        qid = stable_id("describes", comp.id)
        rng = rng_for(seed, qid)
        quoted = excerpt(comp.description.text, STEM_QUOTE)
        # A description naming its own competency would give the answer away.
        shown = blank_out(quoted, comp.title)
        wrong = pick_distinct(
            _tiers(course, comp),
            WRONG_OPTIONS,
            rng,
            lambda c: c.title,
            {same_text_key(comp.title)},
            # A competency whose description starts the same would fit the quote as well.
            usable=lambda c, quoted=quoted: (
                same_text_key(excerpt(c.description.text, STEM_QUOTE)) != same_text_key(quoted)
            ),
        )
        if not wrong:
            continue
        key = Option(
            comp.id,
            comp.title,
            Fraction(1),
            f"Right: the module *{module.title}* describes **{comp.title}** this way.",
        )
        others = [
            Option(
                c.id,
                c.title,
                Fraction(0),
                f"No: {_cite(course, c)} is described as "
                f"“{inline(excerpt(c.description.text, OPTION_QUOTE))}”.",
            )
            for c in wrong
        ]
        questions.append(
            Question(
                id=qid,
                type=QuestionType.MULTIPLE_CHOICE,
                stem=f"Which competency does this description belong to?\n\n{quote(shown)}",
                competency_ids=(comp.id,),
                generator="competency-from-description",
                pos=comp.pos,
                options=shuffled([key, *others], rng),
                feedback=f"The description is that of **{comp.title}**, a competency of the module "
                f"*{module.title}*.",
            )
        )
    return Generated(questions, None if questions else "no other competency to offer as a wrong option")


def description_from_title(course: Course, module: Module, seed: int) -> Generated:
    """Name a competency; the learner picks its description (other descriptions as wrong options)."""
    questions = []
    for comp in module.competencies:
        qid = stable_id("fits", comp.id)
        rng = rng_for(seed, qid)
        text = excerpt(comp.description.text, OPTION_QUOTE)
        wrong = pick_distinct(
            _tiers(course, comp),
            WRONG_OPTIONS,
            rng,
            lambda c: excerpt(c.description.text, OPTION_QUOTE),
            {same_text_key(text)},
            # Another competency of the same name would make its description right as well.
            usable=lambda c, title=comp.title: same_text_key(c.title) != same_text_key(title),
        )
        if not wrong:
            continue
        key = Option(comp.id, text, Fraction(1), f"Right: this is how the module describes **{comp.title}**.")
        others = [
            Option(
                c.id,
                excerpt(c.description.text, OPTION_QUOTE),
                Fraction(0),
                f"No: this describes {_cite(course, c)}.",
            )
            for c in wrong
        ]
        questions.append(
            Question(
                id=qid,
                type=QuestionType.MULTIPLE_CHOICE,
                stem=f"Which description fits the competency **{comp.title}** of the module "
                f"*{module.title}*?",
                competency_ids=(comp.id,),
                generator="description-from-title",
                pos=comp.pos,
                options=shuffled([key, *others], rng),
                feedback=f"**{comp.title}**: “{inline(excerpt(comp.description.text, STEM_QUOTE))}”",
            )
        )
    return Generated(questions, None if questions else "no other competency to offer as a wrong option")


def module_of_competency(course: Course, module: Module, seed: int) -> Generated:
    """Name a competency; the learner picks the module that develops it (other modules as wrong options)."""
    questions = []
    for comp in module.competencies:
        qid = stable_id("module-of", comp.id)
        rng = rng_for(seed, qid)
        # A module with a competency of the same name would be right as well, and one named like the
        # competency would look right.
        namesakes = {
            m.id
            for m in course.modules
            if same_text_key(m.title) == same_text_key(comp.title)
            or any(same_text_key(c.title) == same_text_key(comp.title) for c in m.competencies)
        }
        others = [m for m in course.modules if m.id not in namesakes]
        wrong = pick_distinct([others], WRONG_OPTIONS, rng, lambda m: m.title, {same_text_key(module.title)})
        if not wrong:
            continue
        key = Option(
            module.id, module.title, Fraction(1), f"Right: **{comp.title}** is developed in *{module.title}*."
        )
        options = [key] + [
            Option(
                m.id,
                m.title,
                Fraction(0),
                f"No: *{m.title}* develops other competencies, such as **{m.competencies[0].title}**."
                if m.competencies
                else f"No: *{m.title}* lists no such competency.",
            )
            for m in wrong
        ]
        questions.append(
            Question(
                id=qid,
                type=QuestionType.MULTIPLE_CHOICE,
                stem=f"Which module develops the competency **{comp.title}**?",
                competency_ids=(comp.id,),
                generator="module-of-competency",
                pos=comp.pos,
                options=shuffled(options, rng),
                feedback=f"**{comp.title}** is a competency of the module *{module.title}*: "
                f"“{inline(excerpt(comp.description.text, OPTION_QUOTE))}”",
            )
        )
    return Generated(
        questions, None if questions else "the course has no other module to offer as a wrong option"
    )


def _chunks(items: list[tuple[Competency, str]]) -> list[list[tuple[Competency, str]]]:
    """Split into nearly equal groups of at most MAX_PAIRS (so never a group of one)."""
    count = ceil(len(items) / MAX_PAIRS)
    size, extra = divmod(len(items), count)
    groups, start = [], 0
    for n in range(count):
        end = start + size + (1 if n < extra else 0)
        groups.append(items[start:end])
        start = end
    return groups


def competency_matching(course: Course, module: Module, seed: int) -> Generated:
    """Match the module's competency titles to their descriptions."""
    usable: list[tuple[Competency, str]] = []
    seen: set[str] = set()
    for comp in module.competencies:
        answer = plain(excerpt(comp.description.text, OPTION_QUOTE))
        keys = {"t:" + same_text_key(comp.title), "d:" + same_text_key(answer)}
        if not keys & seen:
            seen |= keys
            usable.append((comp, answer))
    if len(usable) < 2:
        return Generated([], "matching needs at least 2 competencies with different titles and descriptions")
    groups = _chunks(usable)
    questions = []
    for n, group in enumerate(groups, start=1):
        ids = tuple(c.id for c, _ in group)
        qid = stable_id("match", module.id, digest("|".join(ids)))
        rng = rng_for(seed, qid)
        pairs = [Pair(c.id, plain(c.title), answer) for c, answer in group]
        rng.shuffle(pairs)
        part = f" (part {n} of {len(groups)})" if len(groups) > 1 else ""
        questions.append(
            Question(
                id=qid,
                type=QuestionType.MATCHING,
                stem=f"Match each competency of the module *{module.title}*{part} to its description.",
                competency_ids=ids,
                generator="competency-matching",
                pos=group[0][0].pos,
                pairs=tuple(pairs),
                feedback="\n".join(f"- **{c.title}**: “{inline(answer)}”" for c, answer in group),
            )
        )
    return Generated(questions)
