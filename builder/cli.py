"""Command line: ``builder build``, ``lint``, ``new``, ``preview``, ``schemas``, ``quiz``, ``validate``.

Bad input exits 2 with ``path:line:col: message``; missing XSDs exit 2 with one line saying how to
get them; ``-q`` prints only errors, ``-v`` adds diagnostics.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import json
import os
import sys
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, NoReturn

import click

from builder import output
from builder.errors import BuildError, CourseError
from builder.format_jobs import JOBS_ENV, cacheable, default_jobs, run_formats, start_build
from builder.formats import FORMATS
from builder.paths import course_or_default
from builder.schemas import EXIT_SCHEMAS_MISSING, SchemaMissingError, schema_dir_option, use_schema_dir

if TYPE_CHECKING:
    from builder.cache import BuildCache

COURSE_ARG = click.argument(
    "course",
    required=False,
    type=click.Path(path_type=Path),
)
GC_THRESHOLD = 50_000  # allocations between young-generation collections (Python's default: 700)
FEW_MODULES = 3  # a build of more modules than this, or of several formats, shows a progress bar


def _user_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn author mistakes into one line each and exit code 2: never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except CourseError as exc:
            for problem in exc.problems:
                output.error(str(problem))
            sys.exit(2)
        except SchemaMissingError as exc:
            output.error(str(exc))
            sys.exit(EXIT_SCHEMAS_MISSING)
        except BuildError as exc:
            output.error(f"build failed: {exc}")
            sys.exit(1)

    return wrapper


class _LazyGroup(click.Group):
    """Commands defined in other modules are imported only when run or listed (click's "lazily
    loading subcommands" pattern): `builder build` does not import the preview server's code."""

    LAZY: ClassVar[dict[str, str]] = {
        "quiz": "builder.quiz.command:quiz_command",
        "validate": "builder.inspect.command:validate_command",
        "schemas": "builder.schema_commands:schemas_command",
        "new": "builder.scaffold:new_command",
        "preview": "builder.preview:preview_command",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.LAZY:
            module, name = self.LAZY[cmd_name].split(":")
            command: click.Command = getattr(importlib.import_module(module), name)
            return command
        return super().get_command(ctx, cmd_name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lms-package-builder")
@click.option("-v", "--verbose", is_flag=True, help="Also print diagnostics (e.g. suspend_data budgets).")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors.")
def main(verbose: bool, quiet: bool) -> None:
    """Compile YAML + Markdown courses into offline LMS packages.

    \b
    Start here:
      builder schemas fetch        install the official XSDs (once)
      builder new course DIR       a new course that passes lint
      builder preview DIR          see it in the browser while you edit
      builder build DIR            every package format into dist/

    COURSE is a course folder holding course.yaml (default: the current folder when it holds one,
    else, inside a checkout, the bundled OSEE course). Exit codes: 0 success, 1 problems found or
    build failed, 2 bad input (each problem printed as path:line:col: message) or the official XSDs
    are missing.
    """
    output.set_verbosity(output.QUIET if quiet else output.VERBOSE if verbose else output.NORMAL)
    # A command loads modules and makes many short-lived objects with few reference cycles: the
    # cycle collector runs less often (cycles are still collected, so memory stays bounded).
    gc.set_threshold(GC_THRESHOLD, 20, 20)


def _json_problems(exc: CourseError) -> None:
    click.echo(json.dumps({"problems": [output.problem_json(p) for p in exc.problems]}, indent=2))
    sys.exit(2)


LANGUAGE_OPTION = click.option(
    "-l",
    "--language",
    metavar="LANG",
    help="Use the course's translation into LANG (files named *.LANG.yaml / *.LANG.md beside the originals).",
)


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
@click.option("--json", "as_json", is_flag=True, help="Print the outputs (or the problems) as JSON, for CI.")
@LANGUAGE_OPTION
@click.option(
    "--no-cache",
    is_flag=True,
    envvar="BUILDER_NO_CACHE",
    help="Build every format from scratch; do not read or fill the output cache "
    "(compiled templates are still kept, as Python keeps .pyc files).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    envvar=JOBS_ENV,
    help="Processes building the formats at once, this one included. Default: one per CPU; "
    "1: one format after another.",
)
@schema_dir_option
@_user_errors
def build(
    course: Path | None,
    formats: tuple[str, ...],
    out: Path,
    as_json: bool,
    language: str | None,
    no_cache: bool,
    jobs: int | None,
    schema_dir: Path | None,
) -> None:
    """Build COURSE into OUT/<course-id>/ in the chosen formats.

    With --language LANG, the course is built in LANG from its translated
    sources (module.LANG.yaml beside module.yaml, scope.LANG.md beside
    scope.md...; what has no translation stays as written) into
    OUT/<course-id>-LANG/: the same ids, its own package identifiers.

    \b
    Formats (files in OUT/<course-id>/, ID = the course id):
      web           offline HTML site: web/index.html (each module
                    links to its quiz in practice mode)
      moodle        Moodle course backup (restore in Moodle 4.1-4.5): ID.mbz
      scorm12       SCORM 1.2 package (Moodle, any SCORM LMS): ID-scorm12.zip
      scorm2004     SCORM 2004 4th Edition package: ID-scorm2004.zip
      cc11          Common Cartridge 1.1 (Moodle course restore): ID-cc11.imscc
      cc13          Common Cartridge 1.3 (Canvas, Brightspace, Sakai): ID-cc13.imscc
      moodlexml     Moodle XML question bank: ID-moodle.xml
      gift          GIFT question bank: ID-gift.txt
      competencies  competency framework: ID-competencies.csv (Moodle import)
                    and ID-case.json (IMS CASE 1.0)
    Every XML file is validated against the official XSDs (--schema-dir, else
    $LMS_SCHEMA_DIR, else the folder `builder schemas fetch` fills, else
    ../shared/schemas beside a checkout).
    All formats are written into a staging folder beside OUT/<course-id>/ and swapped in
    at once when every one succeeded: a failed or interrupted build leaves the previous
    complete output untouched (formats not requested keep their previous files).
    A progress bar shows on a terminal when several formats or modules are built.
    Formats are built at once by this process and processes forked from it, one per CPU
    (--jobs / BUILDER_JOBS to choose; --jobs 1 builds them one after another); the quiz checks
    run beside them, and a helper process parses the course's YAML while the build starts.
    The files are the same either way.
    Formats whose sources (course files, builder version) are unchanged since an earlier
    build are copied from the output cache, byte for byte (--no-cache or BUILDER_NO_CACHE=1
    to build from scratch; BUILDER_CACHE_DIR to move the cache).
    """
    started = time.perf_counter()
    use_schema_dir(schema_dir)
    course_dir = course_or_default(course)
    chosen = list(formats or sorted(FORMATS))
    cache = None if no_cache else _build_cache(course_dir, out, language)
    hits = {name: entry for name in chosen if cache and cacheable(name) and (entry := cache.lookup(name))}
    if cache and len(hits) == len(chosen) and len({e.course_id for e in hits.values()}) == 1:
        course_id = hits[chosen[0]].course_id  # everything is in the cache: no need to load the course
        model = None
    else:
        missing = [name for name in chosen if name not in hits]
        from builder import yaml_ahead

        gc.disable()  # loading makes many objects that live to the end and few reference cycles
        try:
            start_build(missing, course_dir, language, out, jobs or default_jobs())  # YAML parsed meanwhile
            from builder.load import load_course

            model = load_course(course_dir, language)
            gc.freeze()  # what the load made stays to the end: no later collection walks it again
        except CourseError as exc:
            if as_json:
                _json_problems(exc)
            raise
        finally:
            yaml_ahead.stop()
            gc.enable()
        course_id = model.id
    from builder.package import staged_output  # imported when used: `builder --help` stays fast

    target = out / course_id
    written: list[dict[str, str]] = []
    show = not as_json and model is not None and (len(chosen) > 1 or len(model.modules) > FEW_MODULES)
    try:
        with (
            staged_output(target) as staging,
            output.progress(len(chosen), f"building {course_id}", show=show) as step_done,
        ):
            for name, paths in run_formats(
                chosen, model, staging, cache, hits, jobs or default_jobs(), step_done
            ):
                written += [{"format": name, "path": str(target / p.relative_to(staging))} for p in paths]
    finally:
        gc.unfreeze()  # a process that goes on (tests, a server) collects the build's cycles again
    seconds = round(time.perf_counter() - started, 2)
    if as_json:
        click.echo(json.dumps({"course": course_id, "outputs": written, "seconds": seconds}, indent=2))
        return
    for item in written:
        output.info(f"{item['format']}: {item['path']}")
    output.info(f"built {course_id} in {seconds:.2f}s", err=True)


def _build_cache(course_dir: Path, out: Path, language: str | None) -> BuildCache | None:
    from builder.cache import BuildCache, source_folders

    folders = source_folders(course_dir)  # an overlay's sources include its base's
    if folders is None:  # course.yaml unreadable here: the build reports it, uncached
        return None
    return BuildCache(folders, exclude=out, variant=language or "")


@main.command()
@COURSE_ARG
@click.option("--json", "as_json", is_flag=True, help="Print the problems as JSON, for CI.")
@LANGUAGE_OPTION
@_user_errors
def lint(course: Path | None, as_json: bool, language: str | None) -> None:
    """Check COURSE and list every problem in one run.

    Everything a build checks (YAML, the course JSON Schemas with "did you mean" for misspelt keys
    and ids, references between files, images and attachments, quiz rules) plus content warnings:
    empty sections, competencies without a real description, links that are neither http(s) nor
    relative inside the course. Exit 2 when there are errors, 1 when there are only warnings.
    """
    from builder.lint import lint_course_dir

    result = lint_course_dir(course_or_default(course), language)
    errors = sum(p.severity == "error" for p in result.problems)
    code = 2 if errors else 1 if result.problems else 0
    if as_json:
        click.echo(
            json.dumps(
                {
                    "course": result.course_id,
                    "counts": result.counts,
                    "errors": errors,
                    "warnings": len(result.problems) - errors,
                    "problems": [output.problem_json(p) for p in result.problems],
                },
                indent=2,
            )
        )
        sys.exit(code)
    for problem in result.problems:
        output.error(str(problem))
    counts = ", ".join(f"{n} {what}" for what, n in result.counts.items())
    output.info(f"{result.course_id}: {counts}{'; ' if counts else ''}{len(result.problems)} problem(s)")
    sys.exit(code)


@main.command()
@click.argument("base", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.argument("overlay", type=click.Path(path_type=Path, exists=True, file_okay=False))
@_user_errors
def diff(base: Path, overlay: Path) -> None:
    """Show what the overlay course OVERLAY changes in BASE, one line each.

    \b
    OVERLAY's course.yaml names BASE in `extends:`. Each line says what
    happens and where the overlay says so:
      drop      a module or category left out (drop_modules, drop_categories)
      override  a value of the base replaced (title, text, quiz setting...)
      add       a module, category, page, competency or item the base lacks
      file      a file of the base replaced by the overlay's file at the same path
    Exit 2 when OVERLAY does not extend BASE or does not load (the problems
    are listed as by `builder lint`).
    """
    from builder.load import load_course
    from builder.overlay import diff_lines

    course = load_course(overlay)
    if course.overlay is None or course.overlay.layers[1] != base.resolve():
        output.error(f"{overlay}: course.yaml does not extend {base} (extends: {base} missing)")
        sys.exit(2)
    for line in diff_lines(course.overlay):
        click.echo(line)


def entry() -> None:
    """The ``builder`` command: ``main``, then an exit without the interpreter's teardown, which
    would walk every object of a build (the last cycle collection: ~40 ms after an OSEE build)
    and take every module apart (~10 ms) only to free memory the process hands back anyway. The
    output is flushed and the exit handlers run first, as at a normal exit; an exception other
    than the command's exit still ends the process the usual way (with its traceback). ``main``
    itself, which tests and the preview server call, ends and frees as usual."""
    try:
        main()
    except SystemExit as done:
        code = done.code
    else:
        code = 0
    gc.freeze()
    _exit_now(code)


def _exit_now(code: object) -> NoReturn:
    """End the process with SystemExit's ``code`` (None: 0; anything else is printed: 1)."""
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
    status = code if isinstance(code, int) else 0 if code is None else 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # closed or gone: nothing left to write there
            stream.flush()
    os._exit(status)
