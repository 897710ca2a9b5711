"""Run a list of jobs in this process and in processes forked from it, each job exactly once.

Every process (this one included) takes the next job from a shared counter until none is left, so
no process waits while another has work, and a job that runs long does not hold the others back.
This process works too rather than waiting: on N CPUs there are N processes, and the memory the
forked ones copy from it (CPython's reference counts write to shared pages) is copied N - 1 times.

The work function is inherited by fork, never pickled; results and exceptions come back pickled.
A forked process dies with this one (Linux: PR_SET_PDEATHSIG) and, should one die on its own
(killed, out of memory), the run fails with a BuildError instead of waiting for it forever.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from builder.errors import BuildError

T = TypeVar("T")

POLL_SECONDS = 0.2  # how often a waiting run checks that the forked processes are alive


class Outcome(Generic[T]):
    """What one job gave: its value, or the exception it raised."""

    def __init__(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value, self.error = value, error


def run(
    jobs: Sequence[T],
    work: Callable[[T], Any],
    processes: int,
    *,
    keep_going: Callable[[T], bool] = lambda job: False,
    finished: Callable[[int, Outcome[T]], None] = lambda index, outcome: None,
) -> list[Outcome[T]]:
    """Each job's outcome, in the order of ``jobs``.

    After a job fails, only jobs for which ``keep_going(job)`` is true still run (the others are
    left out: their outcome is None). ``finished(index, outcome)`` is called in this process as
    each job's outcome arrives.
    """
    import multiprocessing

    context = multiprocessing.get_context("fork")
    next_job = context.Value("i", 0)
    failed = context.Value("b", 0)
    results: Any = context.Queue()
    outcomes: list[Outcome[T] | None] = [None] * len(jobs)
    parent = os.getpid()

    def take() -> int | None:
        while True:
            with next_job.get_lock():
                index = next_job.value
                next_job.value += 1
            if index >= len(jobs):
                return None
            if not failed.value or keep_going(jobs[index]):
                return index

    def run_one(index: int) -> Outcome[T]:
        try:
            return Outcome(work(jobs[index]))
        except Exception as exc:  # sent back as it is, and raised by the caller
            failed.value = 1
            return Outcome(error=exc)

    def forked() -> None:
        _die_with(parent)
        try:
            while (index := take()) is not None:
                outcome = run_one(index)
                results.put((index, _picklable(outcome)))
            results.close()
            results.join_thread()
        except KeyboardInterrupt:  # Ctrl-C reaches every process: the build reports it once
            os._exit(130)

    gc.freeze()  # what exists now is shared with the forked processes: no collection copies it
    started = [context.Process(target=forked, daemon=True) for _ in range(max(0, processes - 1))]
    try:
        for process in started:
            process.start()
        while (index := take()) is not None:
            outcomes[index] = outcome = run_one(index)
            finished(index, outcome)
        expected = {i for i in range(len(jobs)) if outcomes[i] is None}
        while expected and _running_or_sent(started, results, expected):
            try:
                index, outcome = results.get(timeout=POLL_SECONDS)
            except queue.Empty:
                continue
            expected.discard(index)
            outcomes[index] = outcome
            finished(index, outcome)
    finally:
        gc.unfreeze()
        for process in started:
            process.join(timeout=POLL_SECONDS)
            if process.exitcode is None:  # still running after a failure here: not needed any more
                process.kill()
                process.join()
    if failed.value == 0 and any(o is None for o in outcomes):
        codes = ", ".join(str(p.exitcode) for p in started)
        raise BuildError(f"a build process stopped before finishing its work (exit codes: {codes})")
    return [o if o is not None else Outcome() for o in outcomes]


def _running_or_sent(started: list[Any], results: Any, expected: set[int]) -> bool:
    """True while an outcome may still arrive: a process runs, or one has sent something unread."""
    return any(p.exitcode is None for p in started) or not results.empty()


def _picklable(outcome: Outcome[T]) -> Outcome[T]:
    """The outcome itself, or its exception as a BuildError with the same text when the exception
    cannot travel between processes."""
    try:
        pickle.dumps(outcome)
        return outcome
    except Exception:
        return Outcome(error=BuildError(f"{type(outcome.error).__name__}: {outcome.error}"))


def _die_with(parent: int) -> None:
    """A forked process never outlives the run: it is killed with its parent (Linux), and exits at
    once when the parent is already gone."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            pr_set_pdeathsig = 1
            ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
