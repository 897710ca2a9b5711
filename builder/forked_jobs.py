"""Run a list of jobs in this process and in processes forked from it, each job exactly once.

Every process (this one included) takes the next job from a shared counter until none is left, so
no process waits while another has work, and a job that runs long does not hold the others back.
This process works too rather than waiting: on N CPUs there are N processes, and the memory the
forked ones copy from it (CPython's reference counts write to shared pages) is copied N - 1 times.

The work function is inherited by fork, never pickled; the jobs, results and exceptions travel
pickled. A forked process dies with this one (Linux: PR_SET_PDEATHSIG) and, should one die on its
own (killed, out of memory), the run fails with a BuildError instead of waiting for it forever.

A run may also name *parts*: pieces of work a job will ask for with ``part(key, compute)`` (one
quiz of a cartridge, say), each asked for by one job. They wait behind the jobs, the last asked
for first, so a process with nothing else to do works from the end while the job that needs them
works from the start. When the job comes to a part it takes the result if another process made
it, waits if one is making it, and otherwise computes it itself. The value is the same either way
(a part is a pure function of what the processes share); only the time differs. Parts made ahead
travel pickled, through files in a folder of the run's own. Jobs the run marks late wait behind
the parts: a process that finds no part left takes one while the others finish theirs.

The processes are a ``Team``, forked when the run starts.
"""

from __future__ import annotations

import gc
import os
import pickle
import queue
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Hashable, Sequence
from pathlib import Path
from typing import Any, Generic, TypeVar

from builder.errors import BuildError

T = TypeVar("T")
R = TypeVar("R")

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
    late: Callable[[T], bool] = lambda job: False,
    finished: Callable[[int, Outcome[T]], None] = lambda index, outcome: None,
    parts: Sequence[Hashable] = (),
    make_part: Callable[[Any], Any] = lambda key: None,
) -> list[Outcome[T]]:
    """Each job's outcome, in the order of ``jobs``.

    After a job fails, only jobs for which ``keep_going(job)`` is true still run (the others are
    left out: their outcome is None). ``finished(index, outcome)`` is called in this process as
    each job's outcome arrives. ``parts``: the keys the jobs will ask ``part`` for, in the order
    they will ask; ``make_part(key)`` makes one ahead, in a process that has no job left. Jobs for
    which ``late(job)`` is true are taken after the parts: by a process that found no part left to
    make ahead, while the jobs that ask for parts finish. ``processes - 1`` processes are forked.
    """
    plan = _Plan(
        list(jobs),
        [bool(keep_going(job)) for job in jobs],
        list(parts),
        [bool(late(job)) for job in jobs],
    )
    team = Team(processes, work, make_part, plan)
    try:
        return team.run(finished)
    finally:
        team.close()


def prepare() -> None:
    """Import now what forking a team takes (multiprocessing's fork context, its locks, shared
    memory and queue), which run() would otherwise import when the work is known."""
    import multiprocessing.popen_fork
    import multiprocessing.queues
    import multiprocessing.sharedctypes
    import multiprocessing.synchronize  # noqa: F401


def part(key: Hashable, compute: Callable[[], R]) -> R:
    """``compute()``, or the same value made ahead by another process of the run under way (when
    the run names ``key`` among its parts)."""
    if _parts is None or key not in _parts.index:
        return compute()
    return _parts.result(key, compute)


class Team:
    """This process and ``processes - 1`` forked from it (they inherit the plan), for one run."""

    def __init__(
        self, processes: int, work: Callable[[Any], Any], make_part: Callable[[Any], Any], plan: _Plan
    ) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        self.work, self.make_part, self.plan = work, make_part, plan
        self.board = _Board(context, len(plan.order))
        self.board.unfinished.value = len(plan.jobs)
        self.results: Any = context.Queue()
        self.folder = Path(tempfile.mkdtemp(prefix="builder-run-"))
        self.parent = os.getpid()
        gc.freeze()  # what exists now is shared with the forked processes: no collection copies it
        self.members = [
            context.Process(target=self._member, daemon=True) for _ in range(max(0, processes - 1))
        ]
        try:
            for member in self.members:
                member.start()
        except BaseException:
            self.close()
            raise

    def run(self, finished: Callable[[int, Outcome[Any]], None]) -> list[Outcome[Any]]:
        global _parts
        plan, jobs = self.plan, len(self.plan.jobs)
        ahead = _parts = _Parts(plan, self)
        outcomes: list[Outcome[Any] | None] = [None] * jobs
        try:
            while (index := self._take(plan)) is not None:
                if index >= jobs:
                    ahead.make_ahead(index - jobs)
                    continue
                outcomes[index] = outcome = self._run_one(plan, index)
                finished(index, outcome)
            expected = {i for i in range(jobs) if outcomes[i] is None}
            while expected and _running_or_sent(self.members, self.results):
                try:
                    index, outcome = self.results.get(timeout=POLL_SECONDS)
                except queue.Empty:
                    continue
                expected.discard(index)
                outcomes[index] = outcome
                finished(index, outcome)
        finally:
            _parts = None
        if not self.board.failed.value and any(o is None for o in outcomes):
            codes = ", ".join(str(p.exitcode) for p in self.members)
            raise BuildError(f"a build process stopped before finishing its work (exit codes: {codes})")
        return [o if o is not None else Outcome() for o in outcomes]

    def close(self) -> None:
        """Wait for the forked processes (a moment: then they are stopped) and clean up."""
        for member in self.members:
            if member.pid is not None:
                member.join(timeout=POLL_SECONDS)
            if member.pid is not None and member.exitcode is None:  # not needed any more
                member.kill()
                member.join()
        shutil.rmtree(self.folder, ignore_errors=True)
        gc.unfreeze()

    # --- shared by this process and the forked ones

    def _take(self, plan: _Plan) -> int | None:
        """The next job, or the next part a running job may still need; None when neither is left."""
        board, jobs = self.board, len(plan.jobs)
        with board.changed:
            while board.next.value < len(plan.order):
                index = plan.order[board.next.value]
                board.next.value += 1
                if board.claimed[index]:  # a part its job already came to
                    continue
                if index < jobs:
                    if board.failed.value and not plan.keep[index]:
                        continue
                elif board.failed.value or board.unfinished.value == 0:
                    continue
                board.claim(index, jobs)
                return index
            return None

    def _run_one(self, plan: _Plan, index: int) -> Outcome[Any]:
        try:
            outcome: Outcome[Any] = Outcome(self.work(plan.jobs[index]))
        except Exception as exc:  # sent back as it is, and raised by the caller
            outcome = Outcome(error=exc)
        with self.board.changed:
            self.board.unfinished.value -= 1
            if outcome.error is not None:
                self.board.failed.value = 1
        return outcome

    def _member(self) -> None:
        """What a forked process does: take its share of the run."""
        global _parts
        die_with(self.parent)
        try:
            plan = self.plan
            ahead = _parts = _Parts(plan, self)
            while (index := self._take(plan)) is not None:
                if index >= len(plan.jobs):
                    ahead.make_ahead(index - len(plan.jobs))
                    continue
                self.results.put((index, _picklable(self._run_one(plan, index))))
            self.results.close()
            self.results.join_thread()
        except KeyboardInterrupt:  # Ctrl-C reaches every process: the build reports it once
            os._exit(130)


class _Plan:
    """One run's jobs and parts, as every process of the team sees them: the order they are taken
    in is the jobs, the parts (the last asked for first), then the late jobs."""

    def __init__(self, jobs: list[Any], keep: list[bool], parts: list[Hashable], late: list[bool]) -> None:
        self.jobs, self.keep, self.parts = jobs, keep, parts
        self.order = [
            *(i for i in range(len(jobs)) if not late[i]),
            *(len(jobs) + i for i in reversed(range(len(parts)))),
            *(i for i in range(len(jobs)) if late[i]),
        ]


class _Board:
    """What the processes of a team share, under one lock: which jobs and parts are taken (and by
    whom), which parts are made, how many jobs are unfinished, whether one failed."""

    def __init__(self, context: Any, capacity: int) -> None:
        self.changed = context.Condition(context.Lock())
        self.claimed = context.Array("b", max(capacity, 1), lock=False)
        self.maker = context.Array("i", max(capacity, 1), lock=False)
        self.made = context.Array("b", max(capacity, 1), lock=False)
        self.next = context.Value("i", 0, lock=False)
        self.unfinished = context.Value("i", 0, lock=False)
        self.failed = context.Value("b", 0, lock=False)

    def claim(self, index: int, jobs: int) -> None:
        """Mark a job or part taken by this process (the caller holds the lock)."""
        self.claimed[index] = 1
        if index >= jobs:
            self.maker[index - jobs] = os.getpid()


class _Parts:
    """The parts of a run, seen from one of its processes."""

    def __init__(self, plan: _Plan, team: Team) -> None:
        self.keys, self.make, self.board = plan.parts, team.make_part, team.board
        self.offset, self.folder = len(plan.jobs), team.folder
        self.index = {key: i for i, key in enumerate(plan.parts)}

    def make_ahead(self, i: int) -> None:
        """Make part ``i`` (taken from the queue) and leave it for the job that will ask for it."""
        try:
            outcome: Outcome[Any] = Outcome(self.make(self.keys[i]))
        except Exception as exc:  # the job that asks for the part raises it
            outcome = Outcome(error=exc)
        target = self.folder / str(i)
        staging = target.with_suffix(".part")
        staging.write_bytes(pickle.dumps(_picklable(outcome), protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(staging, target)
        with self.board.changed:
            self.board.made[i] = 1
            self.board.changed.notify_all()

    def result(self, key: Hashable, compute: Callable[[], R]) -> R:
        i, board = self.index[key], self.board
        with board.changed:
            mine = not board.claimed[self.offset + i]
            if mine:
                board.claim(self.offset + i, self.offset)
            else:
                while not board.made[i]:
                    board.changed.wait(POLL_SECONDS)
                    if not board.made[i] and not _alive(board.maker[i]):
                        raise BuildError("a build process stopped before finishing its work")
        if mine:
            return compute()
        outcome: Outcome[Any] = pickle.loads((self.folder / str(i)).read_bytes())
        if outcome.error is not None:
            raise outcome.error
        return outcome.value


_parts: _Parts | None = None  # the parts of the run under way, in each process of its team


def _alive(pid: int) -> bool:
    """Whether process ``pid`` still runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rsplit(b")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: kill(0) is all there is
    return state not in (b"Z", b"X")


def _running_or_sent(members: list[Any], results: Any) -> bool:
    """True while an outcome may still arrive: a process runs, or one has sent something unread."""
    return any(p.exitcode is None for p in members) or not results.empty()


def _picklable(outcome: Outcome[T]) -> Outcome[T]:
    """The outcome itself, or its exception as a BuildError with the same text when the exception
    cannot travel between processes."""
    try:
        pickle.dumps(outcome)
        return outcome
    except Exception:
        return Outcome(error=BuildError(f"{type(outcome.error).__name__}: {outcome.error}"))


def die_with(parent: int) -> None:
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
