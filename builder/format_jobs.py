"""Run the chosen formats of one build: from the output cache, in this process, or in parallel.

Every format reads the same loaded course and quizzes and writes its own files into the staging
folder, so formats are independent jobs. With several CPUs, they run in this process and in
processes forked from it after the course is loaded and its quizzes made (the forked ones inherit
both; nothing is loaded twice). The output does not depend on how the formats were
spread: each format's builder sees the same course and starts from the same state, and tests
compare parallel and serial builds byte for byte.

The jobs run in this process and in processes forked from it (builder.forked_jobs; POSIX); where
fork is not available the formats run one after another.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder import output
from builder.errors import CourseError, Problem
from builder.formats import FORMATS, REGISTERED, make_part, parts_of, prepare_builder

if TYPE_CHECKING:
    from builder.cache import BuildCache, Entry
    from builder.model import Course

JOBS_ENV = "BUILDER_JOBS"

# Longest first, so the last job to start is a short one (measured on OSEE: the cartridges, the
# web site and the Moodle backup take 0.15-0.22 s each, SCORM 0.07 s, the question banks and
# the competency files 0.01-0.02 s). Formats not listed go last.
HEAVIEST_FIRST = (
    "cc11",
    "web",
    "moodle",
    "cc13",
    "scorm2004",
    "scorm12",
    "moodlexml",
    "competencies",
    "gift",
)

# Formats built by one worker when all are built: the two cartridges show the same pages
# (Renderer.lms_page renders each once per process).
SAME_WORKER: tuple[tuple[str, ...], ...] = (("cc11", "cc13"),)

# What the jobs build from: set before the processes fork (they inherit it), cleared after.
_shared: tuple[Course, Path, BuildCache | None] | None = None


def default_jobs() -> int:
    """Worker processes to use: $BUILDER_JOBS, else the CPUs this process may run on."""
    if (text := os.environ.get(JOBS_ENV, "").strip()).isdigit() and int(text) > 0:
        return int(text)
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def cacheable(name: str) -> bool:
    """Only the registered builders' outputs are cached (a test may swap in another)."""
    return FORMATS[name] is REGISTERED[name]


def build_one(name: str, model: Course, staging: Path, cache: BuildCache | None) -> list[Path]:
    """One format built into staging (and stored in the cache: the top-level files and folders
    holding the paths it reports; other formats write into staging at the same time, so what
    changed there meanwhile is not all its own)."""
    paths = FORMATS[name](model, staging)
    if cache is not None and cacheable(name):
        outputs = {path.relative_to(staging).parts[0] for path in paths}
        cache.store(name, model.id, staging, sorted(outputs), paths)
    return paths


def run_formats(
    chosen: list[str],
    model: Course | None,
    staging: Path,
    cache: BuildCache | None,
    hits: dict[str, Entry],
    jobs: int,
    done: Callable[[str], None] = lambda name: None,
) -> Iterator[tuple[str, list[Path]]]:
    """(format, paths written) for each chosen format, in the order chosen.

    Cache hits are copied. The quizzes are made once; the formats to build then run here one after
    another (jobs == 1, or no fork), or as jobs shared by this process and up to ``jobs - 1``
    processes forked from it, with the quizzes' quality checks (the rules, the test-wise audit) as
    two more jobs beside the formats. Either way a check that fails raises CourseError with every
    problem, and nothing is swapped in. ``done(name)`` is called as each format finishes.
    """
    from builder.quiz import build_quizzes, build_quizzes_checked_later

    results: dict[str, list[Path]] = {}
    to_build: list[str] = []
    for name in chosen:
        hit = hits.get(name)
        if cache is not None and hit is not None and (model is None or hit.course_id == model.id):
            results[name] = cache.restore(name, hit, staging)
            done(name)
        else:
            to_build.append(name)
    if to_build:
        assert model is not None
        if jobs > 1 and "fork" in _start_methods():
            build_quizzes_checked_later(model)
            results.update(_in_workers(to_build, model, staging, cache, jobs, done))
        else:
            build_quizzes(model)  # checked before any format is built
            for name in to_build:
                results[name] = build_one(name, model, staging, cache)
                done(name)
    for name in chosen:
        yield name, results[name]


def _start_methods() -> list[str]:
    import multiprocessing

    return multiprocessing.get_all_start_methods()


# The quizzes' quality checks run as two jobs beside the formats: the rules first, the test-wise
# audit last, after the parts, so the process that takes it is busy while another finishes its
# format (a cartridge ends with its manifest and zip, which no other process can share).
RULES = ("(quiz rules)",)
AUDIT = ("(test-wise audit)",)
CHECKS = {RULES: "rules", AUDIT: "audit"}


def job_groups(names: list[str]) -> list[tuple[str, ...]]:
    """The formats grouped into jobs, heaviest first, then the quiz checks. Formats that show the
    same LMS pages run as one job when both are built, so the worker renders each page once."""
    order = {name: i for i, name in enumerate(HEAVIEST_FIRST)}
    jobs: list[tuple[str, ...]] = []
    taken: set[str] = set()
    for group in SAME_WORKER:
        if all(name in names for name in group):
            jobs.append(group)
            taken.update(group)
    jobs += [(name,) for name in names if name not in taken]
    jobs.sort(key=lambda job: min(order.get(n, len(order)) for n in job))
    return [*jobs, RULES, AUDIT]


def _in_workers(
    names: list[str],
    model: Course,
    staging: Path,
    cache: BuildCache | None,
    jobs: int,
    done: Callable[[str], None],
) -> dict[str, list[Path]]:
    from builder import forked_jobs

    global _shared
    queue = job_groups(names)
    _prepare(names, model.language)  # the processes forked below inherit what it loads
    _shared = (model, staging, cache)

    def finished(index: int, outcome: forked_jobs.Outcome[tuple[str, ...]]) -> None:
        if outcome.error is None and queue[index] not in CHECKS:
            for name in queue[index]:
                done(name)

    # Parts the formats will ask for (a cartridge's quizzes) go behind the jobs: a process with no
    # job left makes them ahead while the format's own job is still at the start of the course.
    try:
        outcomes = forked_jobs.run(
            queue,
            _run_job,
            min(jobs, len(queue)),
            keep_going=lambda job: job in CHECKS,
            late=lambda job: job == AUDIT,
            finished=finished,
            parts=[key for name in names for key in parts_of(name, model)],
            make_part=_make_part,
        )
    finally:
        _shared = None
    results: dict[str, list[Path]] = {}
    check_problems: list[Problem] = []
    failure: BaseException | None = None
    for job, outcome in zip(queue, outcomes, strict=True):
        if outcome.error is not None:
            failure = failure or outcome.error
            continue
        if outcome.value is None:  # left out after another job failed
            continue
        value, lines = outcome.value
        output.replay(lines)  # what the job printed (-v diagnostics), in a fixed order
        if job in CHECKS:
            check_problems += value
        else:
            results.update(value)
    if check_problems:  # the author's problems come first, whatever else failed
        raise CourseError(check_problems)
    if failure is not None:
        raise failure
    return results


def _prepare(names: list[str], language: str | None) -> None:
    """Load here, once, what every process would otherwise load for itself: the course loader's
    and the quizzes' code, the formats' code and compiled schemas, the language's locale data and
    messages (processes forked afterwards inherit them). ``language``: the course's, else the one
    the build's helper read in course.yaml, else English."""
    from builder import forked_jobs, i18n, load, yaml_ahead  # noqa: F401 - imported to be inherited
    from builder.quiz import build  # noqa: F401

    for name in names:
        prepare_builder(name)
    forked_jobs.prepare()
    i18n.prepare(language or yaml_ahead.course_language() or i18n.SOURCE_LANGUAGE)


def _make_part(key: tuple[str, ...]) -> object:
    assert _shared is not None, "run_formats sets the shared course before the jobs start"
    return make_part(_shared[0], key)


def _run_job(job: tuple[str, ...]) -> tuple[Any, list[output.Line]]:
    """The paths of each format of the job (for a quiz check: its errors), and the lines the job
    printed."""
    assert _shared is not None, "run_formats sets the shared course before the jobs start"
    model, staging, cache = _shared
    with output.captured() as lines:
        if job in CHECKS:
            from builder.quiz import check_errors

            return check_errors(model, [CHECKS[job]]), lines
        return {name: build_one(name, model, staging, cache) for name in job}, lines


# --- before the course is loaded -------------------------------------------------------------


def start_build(names: list[str], course_dir: Path, language: str | None, out: Path, jobs: int) -> bool:
    """Where a build of formats ``names`` may use ``jobs`` >= 2 processes (and fork is available):
    a helper process parses the course's YAML files now (builder.yaml_ahead) while this one loads
    the code every build process needs, which the processes forked after the load inherit. True
    when the helper was started (``yaml_ahead.stop()`` ends it once the course is loaded)."""
    if jobs < 2 or not hasattr(os, "fork"):
        return False
    from builder import yaml_ahead

    if yaml_ahead.start(course_dir, exclude=out) is None:
        return False
    _prepare(names, language)  # the course's language, unless given, as the helper reads it
    return True
