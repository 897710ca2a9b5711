"""What commands print: errors always, results unless ``-q``, diagnostics only with ``-v``; a progress
bar on stderr only when it is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from builder.errors import Problem

QUIET, NORMAL, VERBOSE = 0, 1, 2
_level = NORMAL


def set_verbosity(level: int) -> None:
    global _level
    _level = level


def verbosity() -> int:
    return _level


Line = tuple[bool, str]  # (to stderr?, text)
_captured: list[Line] | None = None  # set in a build worker: lines go back to the build


def _echo(message: str, err: bool) -> None:
    if _captured is not None:
        _captured.append((err, message))
    else:
        click.echo(message, err=err)


@contextmanager
def captured() -> Iterator[list[Line]]:
    """Keep the lines printed inside the block instead of printing them (a build worker sends
    them to the build, which prints them in the order of the formats)."""
    global _captured
    previous, _captured = _captured, []
    try:
        yield _captured
    finally:
        _captured = previous


def replay(lines: list[Line]) -> None:
    for err, message in lines:
        _echo(message, err)


def info(message: str, *, err: bool = False) -> None:
    """A result line (what was written, counts): hidden by -q."""
    if _level >= NORMAL:
        _echo(message, err)


def detail(message: str) -> None:
    """A diagnostic line on stderr (such as suspend_data budgets): shown only with -v."""
    if _level >= VERBOSE:
        _echo(message, True)


def error(message: str) -> None:
    _echo(message, True)


def problem_json(problem: Problem) -> dict[str, object]:
    return {
        "file": str(problem.pos.file),
        "line": problem.pos.line,
        "col": problem.pos.col,
        "severity": problem.severity,
        "message": problem.message,
    }


@contextmanager
def progress(total: int, label: str, *, show: bool) -> Iterator[Callable[[str], None]]:
    """A callback to call as each of ``total`` steps finishes (in any order): it advances a progress
    bar on stderr when show is true and stderr is a terminal, and does nothing otherwise."""
    if show and _level >= NORMAL and sys.stderr.isatty():
        with click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True) as bar:
            yield lambda _name: bar.update(1)
    else:
        yield lambda _name: None
