"""Quizzes of randomly generated courses: deterministic, every rule holds, or a clear message.

Courses are built directly as builder.model objects; titles, descriptions and roles come from
small pools so names, descriptions and audience roles collide across modules, as in real courses.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from builder.errors import CourseError, Pos
from builder.model import (
    Audience,
    AudienceRow,
    Category,
    Competency,
    Course,
    Dependency,
    Link,
    Markdown,
    Module,
    QuizSettings,
)
from builder.quiz import QuestionType, QuizSet, build_quizzes
from builder.quiz.model import GRADE_FRACTIONS, ID_PATTERN
from builder.quiz.roles import role_key, roles_overlap
from builder.quiz.rules import check
from builder.quiz.text import cut_mid_sentence, same_text_key

ROOT = Path("/random-course")
TITLES = ["Planning", "Budgeting", "Change management", "Community building", "Security", "Licensing"]
SENTENCES = [
    "Trainees can plan a programme from goals to milestones.",
    "They review the plan every quarter (e.g. with a steering board).",
    "This includes estimating the cost of staff, licences and hosting.",
    "Open-source communities need rules, moderation and mentoring to stay active.",
    "Security audits and patches keep public services safe for citizens.",
    "**Licensing:** choosing a licence that fits the requirements of the project.",
]
ROLES = [
    "Policy Makers",
    "Budgetary Policy Makers",
    "Software Engineers",
    "Data Analysts",
    "Students",
    "Procurement Officers",
    "Organisational leaders or managers who have the authority to create an OSPO.",
]
GOOD_PROBLEM = re.compile(r"^\S+:\d+:\d+: (warning: )?\S")


def _pos(module: int, line: int) -> Pos:
    return Pos(ROOT / "modules" / f"m{module}" / "module.yaml", line, 1)


def make_course(modules: list[Module], seed: int) -> Course:
    """A course around ``modules``: categories in first-use order, modules in category order."""
    here = Pos(ROOT / "course.yaml")
    used = list(dict.fromkeys(m.category_id for m in modules))
    cats = tuple(
        Category(
            c,
            c.title(),
            Markdown("Intro.", here, ROOT),
            tuple(m.id for m in modules if m.category_id == c),
            (),
            here,
        )
        for c in used
    )
    return Course(
        id="random-course",
        title="Random",
        version="1",
        release_date=date(2025, 1, 1),
        language="en",
        description="A random course.",
        licence=Link("CC0", None, here),
        publisher=Link("Tests", None, here),
        authors=(),
        keywords=(),
        source=None,
        pages=(),
        categories=cats,
        modules=tuple(m for c in cats for m in modules if m.category_id == c.id),
        quiz=QuizSettings(seed=seed),
        root=ROOT,
        pos=here,
    )


@st.composite
def courses(draw: st.DrawFn) -> Course:
    module_count = draw(st.integers(1, 5))
    categories = draw(st.lists(st.integers(0, 2), min_size=module_count, max_size=module_count))
    modules = []
    for i in range(module_count):
        competencies = tuple(
            Competency(
                id=f"m{i}-c{j}",
                title=draw(st.sampled_from(TITLES)) + draw(st.sampled_from(["", " basics", f" {j}"])),
                description=Markdown(
                    draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=6).map(" ".join)),
                    _pos(i, 10 + j),
                    ROOT,
                ),
                derived=draw(st.booleans()),
                module_id=f"m{i}",
                pos=_pos(i, 10 + j),
            )
            for j in range(draw(st.integers(1, 6)))
        )
        audience = draw(
            st.one_of(
                st.none(),
                st.lists(
                    st.tuples(st.sampled_from(ROLES), st.sampled_from([None, "Large enterprise"])),
                    max_size=5,
                ).map(
                    lambda rows, i=i: Audience(
                        None,
                        None,
                        tuple(AudienceRow(r, None, t, _pos(i, 40 + n)) for n, (r, t) in enumerate(rows)),
                    )
                ),
            )
        )
        targets = draw(st.lists(st.integers(0, module_count - 1), max_size=3))
        dependencies = tuple(
            Dependency(
                f"m{t}" if t != i else None,
                None,
                Markdown("They overlap in planning.", _pos(i, 60), ROOT),
                _pos(i, 60 + n),
            )
            for n, t in enumerate(targets)
        )
        modules.append(
            Module(
                id=f"m{i}",
                title=f"Module {draw(st.sampled_from(['A', 'B', 'C', 'D', 'E', 'F']))}{i}",
                category_id=f"cat{categories[i]}",
                summary="A module.",
                sections=(),
                audience=audience,
                competencies=competencies,
                dependencies=dependencies,
                training_materials=(),
                readings=(),
                folder=ROOT / "modules" / f"m{i}",
                pos=_pos(i, 1),
            )
        )
    return make_course(modules, draw(st.integers(0, 2**32)))


def _build(course: Course) -> QuizSet | CourseError:
    try:
        return build_quizzes(course)
    except CourseError as exc:
        return exc


def _order(built: QuizSet) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return [
        (q.id, tuple(o.id for o in q.options), tuple(p.id for p in q.pairs))
        for quiz in built.quizzes.values()
        for q in quiz.questions
    ]


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(courses())
def test_every_rule_holds_or_a_clear_message(course: Course) -> None:
    built = _build(course)
    if isinstance(built, CourseError):
        # The generators never break a rule themselves: only too few questions for coverage.
        assert built.problems
        for problem in built.problems:
            assert GOOD_PROBLEM.match(str(problem)), str(problem)
            assert "quiz question(s); each competency needs at least 2" in problem.message, str(problem)
        return
    assert check(built.quizzes.values(), course) == []
    for warning in built.warnings:
        assert GOOD_PROBLEM.match(str(warning)) and "the target-audience table has no rows" in warning.message
    empty_tables = [m.pos for m in course.modules if m.audience is not None and not m.audience.rows]
    assert sorted(w.pos for w in built.warnings) == sorted(empty_tables)
    for module in course.modules:
        quiz = built.quizzes[module.id]
        assert all(len(ids) >= 2 for ids in quiz.coverage().values())
        stems = [same_text_key(q.stem) for q in quiz.questions]
        assert len(stems) == len(set(stems))
        own_roles = [r.role for r in module.audience.rows] if module.audience else []
        for q in quiz.questions:
            assert ID_PATTERN.match(q.id)
            texts = [same_text_key(o.text) for o in q.options]
            assert len(texts) == len(set(texts))
            assert not any(cut_mid_sentence(t) for t in [q.stem, *(o.text for o in q.options)])
            if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE):
                assert len(q.keys) == 1 and len(q.options) >= 2
            if q.type is QuestionType.MULTIPLE_RESPONSE:
                assert all(abs(o.weight) in GRADE_FRACTIONS for o in q.options)
                assert sum(o.weight for o in q.keys) == 1
            if q.type is QuestionType.MATCHING:
                assert len(q.pairs) >= 2
            if q.claim is not None and not q.claim.listed:
                assert not any(roles_overlap(q.claim.role, r) for r in own_roles)
            if q.claim is not None and q.claim.listed:
                assert role_key(q.claim.role) in {role_key(r) for r in own_roles}


@SETTINGS
@given(courses())
def test_same_seed_same_output(course: Course) -> None:
    first, again = _build(course), _build(replace(course))
    if isinstance(first, CourseError):
        assert isinstance(again, CourseError) and again.problems == first.problems
    else:
        assert again == first and _order(again) == _order(first)


@SETTINGS
@given(courses())
def test_other_seed_other_order(course: Course) -> None:
    built = _build(course)
    assume(isinstance(built, QuizSet) and max(len(q.questions) for q in built.quizzes.values()) >= 6)
    other = _build(replace(course, quiz=QuizSettings(seed=course.quiz.seed + 1)))
    assert isinstance(other, QuizSet)  # the seed changes the order, never whether a quiz can be made
    assert _order(other) != _order(built)


def test_single_competency_course_gets_a_clear_message() -> None:
    only = Competency(
        "solo-c",
        "Only",
        Markdown("Trainees can do one thing well.", _pos(0, 5), ROOT),
        False,
        "solo",
        _pos(0, 5),
    )
    module = Module(
        id="solo",
        title="Solo",
        category_id="cat",
        summary="s",
        sections=(),
        audience=Audience(None, None, ()),  # an empty audience table: no true/false statements
        competencies=(only,),
        dependencies=(),
        training_materials=(),
        readings=(),
        folder=ROOT,
        pos=_pos(0, 1),
    )
    built = _build(make_course([module], seed=3))
    assert isinstance(built, CourseError)
    [problem] = built.problems  # the empty table's warning waits until the error is fixed
    assert problem.pos == _pos(0, 5)
    assert "competency 'solo-c' is checked by 0 quiz question(s)" in problem.message
    assert "add questions under quiz.authored" in problem.message
