"""builder.forked_jobs: every job once, outcomes in order, failures reported, no hang on a lost process."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from builder import forked_jobs
from builder.errors import BuildError


def test_each_job_runs_once_and_outcomes_keep_the_jobs_order() -> None:
    seen: list[int] = []

    def work(n: int) -> tuple[int, int]:
        time.sleep(0.05)  # long enough for the forked processes to start and take jobs
        return n * n, os.getpid()

    outcomes = forked_jobs.run(list(range(12)), work, 3, finished=lambda i, o: seen.append(i))
    assert [o.value[0] for o in outcomes] == [n * n for n in range(12)]
    assert sorted(seen) == list(range(12))  # each outcome reported once, in this process
    assert len({o.value[1] for o in outcomes}) >= 2  # this process and at least one forked one worked


def test_after_a_failure_only_the_jobs_that_keep_going_run() -> None:
    def work(job: str) -> str:
        if job == "bad":
            raise ValueError("bad job")
        time.sleep(0.05)
        return job

    jobs = ["bad", "a", "b", "c", "d", "checks"]
    outcomes = forked_jobs.run(jobs, work, 1, keep_going=lambda job: job == "checks")
    assert isinstance(outcomes[0].error, ValueError)
    assert [o.value for o in outcomes[1:]] == [None, None, None, None, "checks"]


def test_an_exception_that_cannot_travel_comes_back_as_a_build_error(tmp_path: Path) -> None:
    class Local(Exception):  # defined in a function: cannot be pickled
        pass

    taken = tmp_path / "taken"

    def work(job: int) -> int:
        if job == 1 and os.getpid() != parent:
            taken.touch()
            raise Local("kept its words")
        _wait_for(taken)  # the parent keeps job 0 until the forked process has taken job 1
        return job

    parent = os.getpid()
    outcomes = forked_jobs.run([0, 1], work, 2)
    error = outcomes[1].error
    assert error is not None and "kept its words" in str(error)


def test_a_forked_process_that_dies_fails_the_run_instead_of_hanging() -> None:
    parent = os.getpid()

    def work(job: int) -> int:
        if os.getpid() != parent:
            os._exit(9)  # killed, out of memory...
        time.sleep(0.3)
        return job

    started = time.monotonic()
    with pytest.raises(BuildError, match="stopped before finishing"):
        forked_jobs.run([0, 1, 2], work, 2)
    assert time.monotonic() - started < 10


def _wait_for(path: Path, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.01)


def _square(n: int) -> tuple[int, int]:
    return n * n, os.getpid()


def _slow_square(key: tuple[str, int]) -> tuple[int, int]:
    time.sleep(0.02)
    return _square(key[1])


def test_parts_made_ahead_by_a_spare_process_reach_the_job_that_asks() -> None:
    def work(job: str) -> tuple[int, list[tuple[int, int]]]:
        if job == "short":
            return os.getpid(), []
        values = []
        for n in range(40):  # slow enough for the spare process to make the last ones ahead
            time.sleep(0.01)
            values.append(forked_jobs.part(("sq", n), lambda n=n: _square(n)))
        return os.getpid(), values

    outcomes = forked_jobs.run(
        ["long", "short"], work, 2, parts=[("sq", n) for n in range(40)], make_part=_slow_square
    )
    worker, values = outcomes[0].value
    assert [v for v, _ in values] == [n * n for n in range(40)]
    assert values[0][1] == worker  # the first ones made where the job ran
    assert values[-1][1] != worker  # the last ones ahead, by the other process
    assert {pid for _, pid in values} == {worker, outcomes[1].value[0]}


def test_a_part_outside_a_run_or_unnamed_is_computed_where_asked() -> None:
    assert forked_jobs.part(("sq", 3), lambda: 9) == 9

    def work(job: int) -> int:
        return forked_jobs.part(("other", job), lambda: job + 1)

    outcomes = forked_jobs.run([1], work, 1, parts=[("sq", 1)], make_part=lambda key: 0)
    assert outcomes[0].value == 2


def test_a_part_that_fails_fails_the_job_that_asks_for_it(tmp_path: Path) -> None:
    def make(key: tuple[str, int]) -> int:
        if key[1] == 5:
            raise ValueError("part five is broken")
        return key[1]

    def work(job: str) -> int:
        if job == "short":
            return 0
        _wait_for(tmp_path / "never", 0.3)  # the other process makes parts ahead meanwhile
        return sum(forked_jobs.part(("p", n), lambda n=n: make(("p", n))) for n in range(8))

    outcomes = forked_jobs.run(["long", "short"], work, 2, parts=[("p", n) for n in range(8)], make_part=make)
    assert isinstance(outcomes[0].error, ValueError) and "part five" in str(outcomes[0].error)


def test_a_part_whose_maker_dies_fails_the_job_instead_of_hanging(tmp_path: Path) -> None:
    parent = os.getpid()
    taken = tmp_path / "taken"

    def make(key: tuple[str, int]) -> int:
        if os.getpid() != parent:
            taken.touch()
            time.sleep(0.2)
            os._exit(9)  # killed while making it
        return key[1]

    def work(job: str) -> int:
        if job == "short":
            return 0
        _wait_for(taken)
        return forked_jobs.part(("p", 1), lambda: make(("p", 1)))  # (part 0 is made before the fork)

    started = time.monotonic()
    outcomes = forked_jobs.run(["long", "short"], work, 2, parts=[("p", 0), ("p", 1)], make_part=make)
    assert isinstance(outcomes[0].error, BuildError) and "stopped before finishing" in str(outcomes[0].error)
    assert time.monotonic() - started < 10


def test_a_late_job_is_taken_after_the_parts_another_job_will_ask_for() -> None:
    events: list[str] = []

    def work(job: str) -> str:
        events.append(job)
        return job

    def make(key: tuple[str, int]) -> int:
        events.append(f"part {key[1]}")
        return key[1]

    outcomes = forked_jobs.run(
        ["audit", "format", "rules"],
        work,
        1,
        late=lambda job: job == "audit",
        parts=[("p", 0), ("p", 1)],
        make_part=make,
    )
    assert [o.value for o in outcomes] == ["audit", "format", "rules"]  # outcomes in the jobs' order
    assert events == ["format", "rules", "part 1", "part 0", "audit"]


def test_quiz_checks_split_between_jobs_report_what_one_check_reports(mini: Path) -> None:
    from builder.load import load_course
    from builder.quiz import build_quizzes_checked_later, check_errors
    from tests.conftest import edit

    edit(  # an option that repeats the stem: a rule error
        mini / "modules" / "alpha" / "assessment.yaml",
        "{id: a, text: Every three months,",
        "{id: a, text: The programme plan is looked at again,",
    )
    course = load_course(mini)
    build_quizzes_checked_later(course)
    rules, audit = check_errors(course, ["rules"]), check_errors(course, ["audit"])
    assert rules and all("test-wise audit" not in p.message for p in rules)
    assert sorted([*rules, *audit], key=lambda p: (p.pos, p.message)) == check_errors(course)
