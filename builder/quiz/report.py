"""The quizzes as text for authors to review, or as JSON for tools."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from builder.model import Course
from builder.quiz.model import AUTHORED, CHOICE_TYPES, Question, QuestionType, Quiz

WIDTH = 100


def _weight(weight: Fraction) -> str:
    return str(weight) if weight <= 0 else f"+{weight}"


def question_json(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": q.id,
        "type": q.type.value,
        "generator": q.generator,
        "points": q.points,
        "competencies": list(q.competency_ids),
        "stem": q.stem,
    }
    if q.type in CHOICE_TYPES:
        # Weights as exact fractions ("1/3"): each writer formats them as its LMS needs.
        out["options"] = [
            {
                "id": o.id,
                "text": o.text,
                "correct": o.correct,
                "weight": str(o.weight),
                "feedback": o.feedback,
            }
            for o in q.options
        ]
    if q.type is QuestionType.MATCHING:
        out["pairs"] = [{"id": p.id, "prompt": p.prompt, "answer": p.answer} for p in q.pairs]
    if q.type is QuestionType.SHORT_ANSWER:
        out["answers"] = [{"text": a.text, "feedback": a.feedback} for a in q.answers]
        out["case_sensitive"] = q.case_sensitive
    out["feedback"] = q.feedback
    return out


def quizzes_json(course: Course, quizzes: Iterable[Quiz], warnings: Iterable[object]) -> dict[str, Any]:
    quizzes = list(quizzes)
    return {
        "course": course.id,
        "seed": course.quiz.seed,
        "quizzes": [
            {
                "module": quiz.module_id,
                "title": quiz.title,
                "pass_mark": quiz.pass_mark,
                "points": quiz.points,
                "questions": [question_json(q) for q in quiz.questions],
                "coverage": {c: list(ids) for c, ids in quiz.coverage().items()},
            }
            for quiz in quizzes
        ],
        "counts": counts(quizzes),
        "warnings": [str(w) for w in warnings],
    }


def counts(quizzes: Iterable[Quiz]) -> dict[str, dict[str, int]]:
    """Questions per module and per type (types in model order), for summaries."""
    quizzes = list(quizzes)
    per_type = Counter(q.type for quiz in quizzes for q in quiz.questions)
    return {
        "per_module": {quiz.module_id: len(quiz.questions) for quiz in quizzes},
        "per_type": {t.value: per_type[t] for t in QuestionType if per_type[t]},
    }


def _wrap(text: str, indent: str) -> list[str]:
    """Markdown lines wrapped for a terminal: quotes stay quotes, other lines get a hanging indent."""
    lines = []
    for line in text.splitlines() or [""]:
        lead = "> " if line.startswith(">") else ""
        body = line.removeprefix(">").lstrip() if lead else line
        cont = indent + (lead or "  ")
        wrapped = textwrap.wrap(
            body, WIDTH, initial_indent=indent + lead, subsequent_indent=cont, break_on_hyphens=False
        )
        lines += wrapped or [(indent + lead).rstrip()]
    return lines


def _question_text(n: int, q: Question) -> list[str]:
    pad = "     "
    checks = ", ".join(q.competency_ids) if q.competency_ids else "module context, no competency"
    by = "authored" if q.generator == AUTHORED else f"generator {q.generator}"
    lines = [f"{n:>3}. {q.id}", f"{pad}{q.type.label}, {q.points} point(s), {by}; checks: {checks}"]
    lines += _wrap(q.stem, pad)
    for o in q.options:
        mark = "[x]" if o.correct else "[ ]"
        weight = f" {_weight(o.weight)}" if q.type is QuestionType.MULTIPLE_RESPONSE else ""
        first, *rest = o.text.splitlines() or [""]
        lines += _wrap(f"{mark}{weight} {first}  ({o.id})", pad)
        lines += [line for r in rest for line in _wrap(r, pad + "    ")]
        if o.feedback:
            lines += _wrap(f"feedback: {o.feedback}", pad + "    ")
    for p in q.pairs:
        lines += _wrap(f"{p.prompt}  ->  {p.answer}", pad + "  ")
    if q.type is QuestionType.SHORT_ANSWER:
        case = "case matters" if q.case_sensitive else "any case"
        lines += _wrap(f"accepts ({case}): " + " | ".join(a.text for a in q.answers), pad)
    if q.type is QuestionType.ESSAY:
        lines.append(f"{pad}(graded by a person)")
    if q.feedback:
        first, *rest = q.feedback.splitlines()
        lines += _wrap(f"feedback: {first}", pad)
        lines += [line for r in rest for line in _wrap(r, pad + "  ")]
    return lines


def coverage_table(quiz: Quiz) -> list[str]:
    """Competency x question grid: an x where question n checks the competency, then the count."""
    numbers = range(1, len(quiz.questions) + 1)
    width = max([len("competency"), *(len(c) for c in quiz.competency_ids)])
    head = f"  {'competency':<{width}} " + "".join(f"{n:>3}" for n in numbers) + "  total"
    lines = [head]
    for comp in quiz.competency_ids:
        marks = "".join("  x" if comp in q.competency_ids else "  ." for q in quiz.questions)
        total = sum(comp in q.competency_ids for q in quiz.questions)
        lines.append(f"  {comp:<{width}} {marks}  {total:>5}")
    return lines


def quizzes_text(quizzes: Iterable[Quiz]) -> str:
    quizzes = list(quizzes)
    out: list[str] = []
    for quiz in quizzes:
        out.append(
            f"== {quiz.title} ({quiz.module_id}): {len(quiz.questions)} questions, "
            f"{quiz.points} points, pass mark {quiz.pass_mark}%"
        )
        out.append("")
        for n, q in enumerate(quiz.questions, start=1):
            out += _question_text(n, q)
            out.append("")
        out.append("Coverage (competency x question):")
        out += coverage_table(quiz)
        out.append("")
    summary = counts(quizzes)
    out.append(
        "Questions per module: "
        + ", ".join(f"{m} {n}" for m, n in summary["per_module"].items())
        + f"; total {sum(summary['per_module'].values())}"
    )
    out.append(
        "Questions per type: "
        + ", ".join(f"{QuestionType(t).label} {n}" for t, n in summary["per_type"].items())
    )
    return "\n".join(out)
