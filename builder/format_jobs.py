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
from builder.formats import FORMATS, REGISTERED, import_builder, make_part, parts_of

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
    """One format built into staging (and stored in the cache)."""
    from builder.cache import snapshot, written_between

    before = snapshot(staging)
    paths = FORMATS[name](model, staging)
    if cache is not None and cacheable(name):
        cache.store(name, model.id, staging, written_between(before, snapshot(staging)), paths)
    return paths


def run_formats(
    chosen: list[str],
    model: Course | None,
    staging: Path,
    cache: BuildCache | None,
    hits: dict[str, Entry],
    jobs: int,
    done: Callable[[str], None] = lambda name: None,
    early: EarlyWorkers | None = None,
) -> Iterator[tuple[str, list[Path]]]:
    """(format, paths written) for each chosen format, in the order chosen.

    Cache hits are copied. The quizzes are made once; the formats to build then run here one after
    another (jobs == 1, or no fork), or as jobs shared by this process and up to ``jobs - 1``
    processes forked from it, with the quizzes' quality checks (rules, test-wise audit) as one more
    job beside the formats. Either way a check that fails raises CourseError with every problem,
    and nothing is swapped in. ``done(name)`` is called as each format finishes. ``early``: the
    processes started before the course was loaded (``EarlyWorkers``), which then do the forking.
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
        if early is not None or (jobs > 1 and "fork" in _start_methods()):
            build_quizzes_checked_later(model)
            results.update(_in_workers(to_build, model, staging, cache, jobs, done, early))
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


CHECKS = "(quiz checks)"  # the job that runs the quizzes' rules and test-wise audit


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
    return [*jobs, (CHECKS,)]


def _in_workers(
    names: list[str],
    model: Course,
    staging: Path,
    cache: BuildCache | None,
    jobs: int,
    done: Callable[[str], None],
    early: EarlyWorkers | None,
) -> dict[str, list[Path]]:
    from builder import forked_jobs

    global _shared
    queue = job_groups(names)
    if early is None:
        _prepare(names, model)  # the processes forked below inherit what it loads
    _shared = (model, staging, cache)

    def finished(index: int, outcome: forked_jobs.Outcome[tuple[str, ...]]) -> None:
        if outcome.error is None and queue[index] != (CHECKS,):
            for name in queue[index]:
                done(name)

    # Parts the formats will ask for (a cartridge's quizzes) go behind the jobs: a process with no
    # job left makes them ahead while the format's own job is still at the start of the course.
    try:
        outcomes = forked_jobs.run(
            queue,
            _run_job,
            min(jobs, len(queue)),
            keep_going=lambda job: job == (CHECKS,),
            finished=finished,
            parts=[key for name in names for key in parts_of(name, model)],
            make_part=_make_part,
            team=early.team if early else None,
            setup=early.setup(staging) if early else None,
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
        if job == (CHECKS,):
            check_problems = value
        else:
            results.update(value)
    if check_problems:  # the author's problems come first, whatever else failed
        raise CourseError(check_problems)
    if failure is not None:
        raise failure
    return results


def _prepare(names: list[str], model: Course) -> None:
    """Load here, once, what every worker would otherwise load for itself: the formats' code and
    the course language's locale data and messages (forked workers inherit them)."""
    from builder import i18n

    for name in names:
        import_builder(name)
    i18n.direction(model.language)
    i18n.translations(model.language)


def _make_part(key: tuple[str, ...]) -> object:
    assert _shared is not None, "run_formats sets the shared course before the jobs start"
    return make_part(_shared[0], key)


def _run_job(job: tuple[str, ...]) -> tuple[Any, list[output.Line]]:
    """The paths of each format of the job (for CHECKS: the quiz checks' errors), and the lines
    the job printed."""
    assert _shared is not None, "run_formats sets the shared course before the jobs start"
    model, staging, cache = _shared
    with output.captured() as lines:
        if job == (CHECKS,):
            from builder.quiz import check_errors

            return check_errors(model), lines
        return {name: build_one(name, model, staging, cache) for name in job}, lines


# --- processes started before the course is loaded -------------------------------------------

# A course this small (its source files, in bytes) is loaded by every process of the build at once
# rather than by this one before forking: the processes start building sooner, for the memory of
# one more copy of the course per process (a few MB). Larger courses are loaded once and shared.
EARLY_MAX_SOURCE_BYTES = 2 * 1024 * 1024
EARLY_CAPACITY = 1 << 14  # jobs and parts such a build can share out (the rest: made where asked)


class EarlyWorkers:
    """Processes forked before the course is loaded, each loading it (and making its quizzes) on
    its own while this process does the same, then taking their share of the formats.

    A process takes part only if the course files it read are the ones this process read: their
    sizes and modification times before this process loaded the course, after it did, and after
    that process did are the same. Otherwise (a file saved meanwhile, a course that does not load)
    it leaves its share to the others, and the build is as if it had never started.
    """

    def __init__(
        self,
        course_dir: Path,
        language: str | None,
        folders: list[Path],
        out: Path,
        jobs: int,
        cache: BuildCache | None,
        before: tuple[tuple[str, int, int], ...],
    ) -> None:
        from builder import forked_jobs

        self.folders, self.out, self.before = folders, out, before

        def prepare() -> tuple[Course, tuple[tuple[str, int, int], ...]]:
            from builder.load import load_course
            from builder.quiz import build_quizzes_checked_later

            with output.captured():  # this process reports the course's problems and warnings
                model = load_course(course_dir, language)
                build_quizzes_checked_later(model)
            return model, self.sources()

        def join(prepared: tuple[Course, tuple[tuple[str, int, int], ...]], setup: tuple[Path, Any]) -> bool:
            global _shared
            model, read = prepared
            staging, read_here = setup
            if not before == read == read_here:
                return False
            _shared = (model, staging, cache)
            return True

        self.team = forked_jobs.Team(
            jobs, _run_job, _make_part, capacity=EARLY_CAPACITY, prepare=prepare, join=join
        )

    def sources(self) -> tuple[tuple[str, int, int], ...]:
        from builder.cache import source_stats

        return source_stats(self.folders, exclude=self.out)

    def setup(self, staging: Path) -> tuple[Path, tuple[tuple[str, int, int], ...]]:
        """What the forked processes need to join: the staging folder and the course files as
        this process read them."""
        return staging, self.sources()

    def close(self) -> None:
        self.team.close()


def start_early(
    course_dir: Path, language: str | None, out: Path, jobs: int, cache: BuildCache | None
) -> EarlyWorkers | None:
    """Worker processes forked now, before the course is loaded, for a small course built by
    several processes where fork is available; else None (run_formats forks after the load)."""
    if jobs < 2 or "fork" not in _start_methods():
        return None
    from builder.cache import source_folders, source_stats

    folders = source_folders(course_dir)
    if folders is None:
        return None
    before = source_stats(folders, exclude=out)
    if sum(size for _, size, _ in before) > EARLY_MAX_SOURCE_BYTES:
        return None
    return EarlyWorkers(course_dir, language, folders, out, jobs, cache, before)
