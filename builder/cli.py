"""Command line: ``builder build``, ``builder lint``. Bad input exits 2 with ``path:line:col: message``."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from builder.errors import BuildError, CourseError
from builder.formats import FORMATS
from builder.inspect.command import validate_command
from builder.lint import lint as lint_course
from builder.load import load_course
from builder.package import staged_output
from builder.paths import DEFAULT_COURSE
from builder.quiz.command import quiz_command
from builder.schemas import schema_dir_option, use_schema_dir

COURSE_ARG = click.argument(
    "course",
    required=False,
    type=click.Path(path_type=Path),
)


def _user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn author mistakes into one line each and exit code 2: never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CourseError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(2)
        except BuildError as exc:
            click.echo(f"build failed: {exc}", err=True)
            sys.exit(1)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lms-package-builder")
def main() -> None:
    """Compile YAML + Markdown courses into offline LMS packages.

    COURSE is a course folder holding course.yaml (default: the bundled OSEE course, courses/osee).
    Exit codes: 0 success, 1 problems found or build failed, 2 bad input (each problem printed as
    path:line:col: message).
    """


@main.command()
@COURSE_ARG
@click.option(
    "-f",
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(sorted(FORMATS)),
    help="Output format; repeat for several. Default: every format.",
)
@click.option(
    "-o",
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Output folder; the course goes to OUT/<course-id>/.",
)
@schema_dir_option
@_user_errors
def build(course: Path | None, formats: tuple[str, ...], out: Path, schema_dir: Path | None) -> None:
    """Build COURSE into OUT/<course-id>/ in the chosen formats.

    \b
    Formats (files in OUT/<course-id>/, ID = the course id):
      web           offline HTML site: web/index.html
      scorm12       SCORM 1.2 package (Moodle, any SCORM LMS): ID-scorm12.zip
      scorm2004     SCORM 2004 4th Edition package: ID-scorm2004.zip
      cc11          Common Cartridge 1.1 (Moodle course restore): ID-cc11.imscc
      cc13          Common Cartridge 1.3 (Canvas, Brightspace, Sakai): ID-cc13.imscc
      moodlexml     Moodle XML question bank: ID-moodle.xml
      gift          GIFT question bank: ID-gift.txt
      competencies  competency framework: ID-competencies.csv (Moodle import)
                    and ID-case.json (IMS CASE 1.0)
    Every XML file is validated against the official XSDs (--schema-dir, else
    $LMS_SCHEMA_DIR, else ../shared/schemas beside the checkout).
    All formats are written into a staging folder beside OUT/<course-id>/ and swapped in
    at once when every one succeeded: a failed or interrupted build leaves the previous
    complete output untouched (formats not requested keep their previous files).
    """
    started = time.perf_counter()
    use_schema_dir(schema_dir)
    model = load_course(course or DEFAULT_COURSE)
    target = out / model.id
    written = []
    with staged_output(target) as staging:
        for name in formats or sorted(FORMATS):
            written += [(name, target / path.relative_to(staging)) for path in FORMATS[name](model, staging)]
    for name, path in written:
        click.echo(f"{name}: {path}")
    click.echo(f"built {model.id} in {time.perf_counter() - started:.2f}s", err=True)


@main.command()
@COURSE_ARG
@_user_errors
def lint(course: Path | None) -> None:
    """Check COURSE: everything loading checks, plus content warnings.

    Reports empty sections, competencies without a real description, links that are neither
    http(s) nor relative inside the course, and quiz warnings (quiz rule errors exit 2, as in a
    build). Exit 1 when anything is reported.
    """
    model = load_course(course or DEFAULT_COURSE)
    problems = lint_course(model)
    for problem in problems:
        click.echo(str(problem), err=True)
    counts = (
        f"{len(model.modules)} modules, {len(model.competencies())} competencies, "
        f"{sum(len(m.training_materials) for m in model.modules)} training-material rows, "
        f"{sum(len(m.readings) for m in model.modules) + sum(len(c.readings) for c in model.categories)}"
        " readings"
    )
    click.echo(f"{model.id}: {counts}; {len(problems)} problem(s)")
    sys.exit(1 if problems else 0)


main.add_command(quiz_command)
main.add_command(validate_command)
