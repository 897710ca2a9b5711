"""builder.forked_jobs: every job once, outcomes in order, failures reported, no hang on a lost process."""

from __future__ import annotations

import os
import time

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


def test_an_exception_that_cannot_travel_comes_back_as_a_build_error() -> None:
    class Local(Exception):  # defined in a function: cannot be pickled
        pass

    def work(job: int) -> int:
        if job == 1 and os.getpid() != parent:
            raise Local("kept its words")
        time.sleep(0.2)  # the parent keeps job 0 long enough for the forked process to take job 1
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
