"""The quizzes as text for authors to review, or as JSON for tools."""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

from builder.model import Course
from builder.quiz.audit import CourseAudit, QuizAudit, audit_course, item_wins, seen_of
from builder.quiz.model import CHOICE_TYPES, ITEM_MODEL, Level, Question, QuestionType, Quiz

WIDTH = 100


def _weight(weight: Fraction) -> str:
    return str(weight) if weight <= 0 else f"+{weight}"


def question_json(q: Question) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": q.id,
        "type": q.type.value,
        "generator": q.generator,
        "points": q.points,
        "level": q.level.value,
        "competencies": list(q.competency_ids),
        "objective": q.objective,
        "source": None
        if q.source is None
        else {"file": q.source.file, "section": q.source.section, "quote": q.source.quote},
        "variant_group": q.variant_group,
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
                "misconception": o.misconception,
            }
            for o in q.options
        ]
    if q.type is QuestionType.MATCHING:
        out["pairs"] = [{"id": p.id, "prompt": p.prompt, "answer": p.answer} for p in q.pairs]
        out["distractors"] = list(q.distractors)
    if q.type is QuestionType.ORDERING:
        out["steps"] = [{"id": st.id, "text": st.text} for st in q.steps]
    if q.type is QuestionType.NUMERICAL and q.numeric is not None:
        out["answer"] = {
            "value": str(q.numeric.value),
            "tolerance": str(q.numeric.tolerance),
            "unit": q.numeric.unit,
        }
        out["wrong_answers"] = [
            {"value": str(w.value), "misconception": w.misconception, "feedback": w.feedback}
            for w in q.wrong_values
        ]
    if q.type is QuestionType.ESSAY:
        out["rubric"] = [{"criterion": c.text, "points": c.points} for c in q.rubric]
    if q.type is QuestionType.SHORT_ANSWER:
        out["answers"] = [{"text": a.text, "feedback": a.feedback} for a in q.answers]
        out["case_sensitive"] = q.case_sensitive
    out["feedback"] = q.feedback
    return out


def _audit_json(a: QuizAudit | CourseAudit) -> dict[str, Any]:
    by = a.by_strategy if isinstance(a, QuizAudit) else {n: a.strategy(n) for n in _strategy_names(a)}
    best = max(by.items(), key=lambda kv: kv[1])
    return {
        "points": str(a.points),
        "chance_percent": round(a.percent(a.chance), 1),
        "strategies_percent": {name: round(a.percent(points), 1) for name, points in by.items()},
        "best_strategy": best[0],
        "best_percent": round(a.percent(best[1]), 1),
        "gain_over_chance": round(a.percent(best[1]) - a.percent(a.chance), 1),
    }


def _strategy_names(a: CourseAudit) -> list[str]:
    return list(a.quizzes[0].by_strategy) if a.quizzes else []


def quizzes_json(course: Course, quizzes: Iterable[Quiz], warnings: Iterable[object]) -> dict[str, Any]:
    quizzes = list(quizzes)
    audit = audit_course(quizzes, course)
    per_quiz = {a.module_id: a for a in audit.quizzes}
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
                "slots": [[q.id for q in slot] for slot in quiz.slots],
                "variants": [question_json(q) for slot in quiz.slots for q in slot[1:]],
                "coverage": {c: list(ids) for c, ids in quiz.coverage().items()},
                "audit": _audit_json(per_quiz[quiz.module_id]) if quiz.module_id in per_quiz else None,
            }
            for quiz in quizzes
        ],
        "audit": _audit_json(audit),
        "counts": counts(quizzes),
        "warnings": [str(w) for w in warnings],
    }


def counts(quizzes: Iterable[Quiz]) -> dict[str, dict[str, int]]:
    """Questions per module and per type (types in model order), for summaries."""
    quizzes = list(quizzes)
    per_type = Counter(q.type for quiz in quizzes for q in quiz.questions)
    per_level = Counter(q.level for quiz in quizzes for q in quiz.questions)
    return {
        "per_module": {quiz.module_id: len(quiz.questions) for quiz in quizzes},
        "per_type": {t.value: per_type[t] for t in QuestionType if per_type[t]},
        "per_level": {lv.value: per_level[lv] for lv in Level if per_level[lv]},
        "item_model_variants": sum(len(slot) for quiz in quizzes for slot in quiz.slots if len(slot) > 1),
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


def _question_text(n: int, q: Question, variants: int, wins: list[str]) -> list[str]:
    pad = "     "
    checks = ", ".join(q.competency_ids)
    by = (
        f"item model, 1 of {variants} variants drawn per attempt" if q.generator == ITEM_MODEL else "authored"
    )
    lines = [
        f"{n:>3}. {q.id}",
        f"{pad}{q.type.label}, {q.level.value}, {q.points} point(s), {by}; assesses: {checks}",
    ]
    if q.source is not None:
        where = q.source.file + (f" > {q.source.section}" if q.source.section else "")
        lines += _wrap(f"source: {where}" + (f' ("{q.source.quote}")' if q.source.quote else ""), pad)
    if wins:
        lines += _wrap("cue strategies beating chance here: " + "; ".join(wins), pad)
    lines += _wrap(q.stem, pad)
    for o in q.options:
        mark = "[x]" if o.correct else "[ ]"
        weight = f" {_weight(o.weight)}" if q.type is QuestionType.MULTIPLE_RESPONSE else ""
        first, *rest = o.text.splitlines() or [""]
        lines += _wrap(f"{mark}{weight} {first}  ({o.id})", pad)
        lines += [line for r in rest for line in _wrap(r, pad + "    ")]
        if o.misconception:
            lines += _wrap(f"misconception: {o.misconception}", pad + "    ")
        if o.feedback:
            lines += _wrap(f"feedback: {o.feedback}", pad + "    ")
    for p in q.pairs:
        lines += _wrap(f"{p.prompt}  ->  {p.answer}", pad + "  ")
    for d in q.distractors:
        lines += _wrap(f"(matches nothing)  ->  {d}", pad + "  ")
    for i, st in enumerate(q.steps, start=1):
        lines += _wrap(f"{i}) {st.text}", pad + "  ")
    if q.numeric is not None:
        unit = f" {q.numeric.unit}" if q.numeric.unit else ""
        lines += _wrap(f"answer: {q.numeric.value}{unit} (± {q.numeric.tolerance})", pad)
        for w in q.wrong_values:
            lines += _wrap(f"wrong {w.value}: {w.misconception}", pad + "    ")
    if q.type is QuestionType.SHORT_ANSWER:
        case = "case matters" if q.case_sensitive else "any case"
        lines += _wrap(f"accepts ({case}): " + " | ".join(a.text for a in q.answers), pad)
    if q.type is QuestionType.ESSAY:
        lines.append(f"{pad}(graded by a person against this rubric)")
        for c in q.rubric:
            lines += _wrap(f"- {c.text} ({c.points} point(s))", pad + "  ")
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


def _audit_line(label: str, a: QuizAudit | CourseAudit) -> str:
    data = _audit_json(a)
    return (
        f"{label}: blind guessing {data['chance_percent']}%; best cue strategy '{data['best_strategy']}' "
        f"{data['best_percent']}% ({data['gain_over_chance']:+} points)"
    )


def _levels_table(quiz: Quiz) -> list[str]:
    lines = []
    for comp in quiz.competency_ids:
        slots = [slot for slot in quiz.slots if comp in slot[0].competency_ids]
        levels = ", ".join(f"{slot[0].id.split('.', 1)[-1]} ({slot[0].level.value})" for slot in slots)
        lines += _wrap(f"{comp}: {len(slots)} item(s): {levels or 'none'}", "  ")
    return lines


def quizzes_text(quizzes: Iterable[Quiz], course: Course) -> str:
    quizzes = list(quizzes)
    audit = audit_course(quizzes, course)
    per_quiz = {a.module_id: a for a in audit.quizzes}
    out: list[str] = []
    for quiz in quizzes:
        out.append(
            f"== {quiz.title} ({quiz.module_id}): {len(quiz.slots)} items, "
            f"{quiz.points} points, pass mark {quiz.pass_mark}%"
        )
        out.append("")
        seen = seen_of(course.module(quiz.module_id))
        for n, slot in enumerate(quiz.slots, start=1):
            out += _question_text(n, slot[0], len(slot), item_wins(slot[0], seen))
            for variant in slot[1:]:
                out += _wrap(f"variant {variant.id}: {variant.stem}", "       ")
            out.append("")
        out.append("Competencies, their items and levels:")
        out += _levels_table(quiz)
        out.append("Coverage (competency x item):")
        out += coverage_table(quiz)
        if quiz.module_id in per_quiz:
            out.append(_audit_line("Test-wise audit", per_quiz[quiz.module_id]))
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
    out.append("Questions per level: " + ", ".join(f"{lv} {n}" for lv, n in summary["per_level"].items()))
    out.append(_audit_line("Test-wise audit, whole course", audit))
    for name in _strategy_names(audit):
        out.append(f"  {name}: {audit.percent(audit.strategy(name)):.1f}%")
    return "\n".join(out)
