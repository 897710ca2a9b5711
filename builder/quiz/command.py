"""``builder quiz``: every module's quiz for review, with its competency coverage."""

from __future__ import annotations

import json
from pathlib import Path

import click

from builder.errors import CourseError, Problem
from builder.paths import course_or_default


def _show(course_dir: Path | None, module_id: str | None, as_json: bool) -> None:
    from builder.load import load_course  # imported when used: `builder --help` stays fast
    from builder.quiz.build import build_quizzes
    from builder.quiz.report import quizzes_json, quizzes_text

    course = load_course(course_or_default(course_dir))
    if module_id is not None and module_id not in {m.id for m in course.modules}:
        known = ", ".join(m.id for m in course.modules)
        raise CourseError([Problem(course.pos, f"no module '{module_id}' in this course; modules: {known}")])
    built = build_quizzes(course, lenient=True)
    for warning in built.warnings:
        click.echo(str(warning), err=True)
    quizzes = [q for q in built.quizzes.values() if module_id in (None, q.module_id)]
    if as_json:
        click.echo(json.dumps(quizzes_json(course, quizzes, built.warnings), indent=2, ensure_ascii=False))
    else:
        click.echo(quizzes_text(quizzes, course))
    if built.errors:  # shown after the quizzes, so reviewers see the items that break the rules
        raise CourseError(built.errors)


@click.command("quiz")
@click.argument("course", required=False, type=click.Path(path_type=Path))
@click.option("-m", "--module", "module_id", metavar="MODULE", help="Show only this module's quiz (its id).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def quiz_command(course: Path | None, module_id: str | None, as_json: bool) -> None:
    """Print the quiz of every module of COURSE for review, with its test-wise audit.

    Each item shows its type, Bloom level, source in the course text, stem, options (the right
    ones marked [x]) with their misconceptions and feedback, and the competencies it assesses;
    item models show their variants (one is drawn per attempt). Per quiz: each competency's items
    and levels, a coverage table, and the audit: the best wording-cue strategy's score against
    blind guessing. --json adds per item level and source, per quiz the audit figures. Warnings
    go to stderr; broken quiz rules exit 2 as path:line:col: message.
    """
    # builder.cli imports this module to register the command, so its error handling is fetched late.
    from builder.cli import _user_errors

    _user_errors(_show)(course, module_id, as_json)
