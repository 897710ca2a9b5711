"""Generators of questions on a module's context: who it is for and which modules it relates to.

These check no competency; they only fill a quiz once every competency is covered.
"""

from __future__ import annotations

from fractions import Fraction

from builder.errors import Pos
from builder.model import AudienceRow, Course, Dependency, Module
from builder.quiz.choices import Generated, pick_distinct, rng_for, shuffled
from builder.quiz.ids import digest, stable_id
from builder.quiz.model import AudienceClaim, Option, Question, QuestionType, choice_weights
from builder.quiz.roles import role_key, roles_overlap
from builder.quiz.text import OPTION_QUOTE, excerpt, inline, same_text_key

MAX_LISTED = 4  # right options shown in a dependency question
MAX_OPTIONS = 6


def _statement(module: Module, role: str, listed: bool, explanation: str, pos: Pos) -> Question:
    return Question(
        id=stable_id("audience", module.id, digest(role_key(role))),
        type=QuestionType.TRUE_FALSE,
        stem=f"True or false: “{inline(excerpt(role, OPTION_QUOTE))}” is part of the target audience "
        f"of the module *{module.title}*.",
        competency_ids=(),
        generator="audience-true-false",
        pos=pos,
        options=(
            Option("true", "True", Fraction(int(listed))),
            Option("false", "False", Fraction(int(not listed))),
        ),
        feedback=explanation,
        claim=AudienceClaim(module.id, role, listed),
    )


def audience_true_false(course: Course, module: Module, seed: int) -> Generated:
    """True statements name roles of the module's audience table; false ones name roles that only
    other modules' tables list (look-alikes of this module's roles excluded)."""
    if module.audience is None:
        return Generated([], "the module has no target-audience table")
    if not module.audience.rows:
        # An audience block without rows is likely unfinished, unlike a module without one.
        return Generated([], "the target-audience table has no rows", unexpected=True)
    own: dict[str, list[AudienceRow]] = {}  # role key -> its rows (a role may repeat per organisation type)
    for row in module.audience.rows:
        own.setdefault(role_key(row.role), []).append(row)
    questions = []
    for rows in own.values():
        types = list(dict.fromkeys(r.organisation_type for r in rows if r.organisation_type))
        where = f" (organisation type: {', '.join(types)})" if types else ""
        explanation = (
            f"True: the target audience table of *{module.title}* lists “{inline(rows[0].role)}”{where}."
        )
        questions.append(_statement(module, rows[0].role, True, explanation, rows[0].pos))
    elsewhere: dict[str, list[str]] = {}  # role -> titles of the other modules listing it
    for other in course.modules:
        if other.id == module.id or other.audience is None:
            continue
        for row in other.audience.rows:
            if any(roles_overlap(row.role, rows[0].role) for rows in own.values()):
                continue
            same = next((r for r in elsewhere if role_key(r) == role_key(row.role)), row.role)
            titles = elsewhere.setdefault(same, [])
            if other.title not in titles:
                titles.append(other.title)
    rng = rng_for(seed, "audience", module.id)
    for role in rng.sample(list(elsewhere), min(len(elsewhere), len(own))):
        titles = ", ".join(f"*{t}*" for t in elsewhere[role])
        explanation = (
            f"False: “{inline(role)}” is in the target audience of {titles}, not in that of *{module.title}*."
        )
        questions.append(_statement(module, role, False, explanation, module.audience.rows[0].pos))
    return Generated(questions)


def _targets(course: Course, module: Module) -> dict[str, Dependency]:
    """Modules this one names as dependencies or overlaps (entries without a module are outside factors)."""
    known = {m.id for m in course.modules}
    found: dict[str, Dependency] = {}
    for dep in module.dependencies:
        if dep.module_id and dep.module_id != module.id and dep.module_id in known:
            found.setdefault(dep.module_id, dep)
    return found


def module_dependencies(course: Course, module: Module, seed: int) -> Generated:
    """Which modules does this one build on or overlap with (unrelated modules as wrong options)."""
    targets = _targets(course, module)
    if not targets:
        return Generated([], "no dependency entry names a module")
    # A module naming this one is related too: calling it unrelated would be arguable.
    related = {module.id, *targets} | {m.id for m in course.modules if module.id in _targets(course, m)}
    qid = stable_id("depends", module.id)
    rng = rng_for(seed, qid)
    by_title = {same_text_key(course.module(m).title): m for m in reversed(targets)}  # first per title
    listed = [m for m in targets if m in by_title.values()]
    if len(listed) > MAX_LISTED:
        listed = sorted(rng.sample(listed, MAX_LISTED), key=listed.index)
    taken = set(by_title)
    room = 3 if len(listed) == 1 else max(1, min(3, MAX_OPTIONS - len(listed)))
    unrelated = [m for m in course.modules if m.id not in related]
    wrong = pick_distinct([unrelated], room, rng, lambda m: m.title, taken)
    if not wrong:
        return Generated([], "every other module is related to it, so none can be a wrong option")
    single = len(by_title) == 1
    right_weight, wrong_weight = (
        (Fraction(1), Fraction(0)) if single else choice_weights(len(listed), len(wrong))
    )
    options = [
        Option(
            m,
            course.module(m).title,
            right_weight,
            f"Yes: “{inline(excerpt(targets[m].description.text, OPTION_QUOTE))}”",
        )
        for m in listed
    ] + [
        Option(
            m.id,
            m.title,
            wrong_weight,
            f"No: neither *{module.title}* nor *{m.title}* names the other among its dependencies "
            "and overlaps.",
        )
        for m in wrong
    ]
    names = ", ".join(f"*{course.module(m).title}*" for m in targets)
    stem = (
        f"Which module does the module *{module.title}* build on or overlap with?"
        if single
        else f"Which of these modules does the module *{module.title}* build on or overlap with? "
        "Choose every one that applies."
    )
    return Generated(
        [
            Question(
                id=qid,
                type=QuestionType.MULTIPLE_CHOICE if single else QuestionType.MULTIPLE_RESPONSE,
                stem=stem,
                competency_ids=(),
                generator="module-dependencies",
                pos=targets[listed[0]].pos,
                options=shuffled(options, rng),
                feedback=f"The dependencies and overlaps of *{module.title}* name {names}.",
            )
        ]
    )
