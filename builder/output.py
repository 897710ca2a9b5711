"""What commands print: errors always, results unless ``-q``, diagnostics only with ``-v``; a progress
bar on stderr only when it is a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import click

from builder.errors import Problem

QUIET, NORMAL, VERBOSE = 0, 1, 2
_level = NORMAL
T = TypeVar("T")


def set_verbosity(level: int) -> None:
    global _level
    _level = level


def verbosity() -> int:
    return _level


def info(message: str, *, err: bool = False) -> None:
    """A result line (what was written, counts): hidden by -q."""
    if _level >= NORMAL:
        click.echo(message, err=err)


def detail(message: str) -> None:
    """A diagnostic line on stderr (such as suspend_data budgets): shown only with -v."""
    if _level >= VERBOSE:
        click.echo(message, err=True)


def error(message: str) -> None:
    click.echo(message, err=True)


def problem_json(problem: Problem) -> dict[str, object]:
    return {
        "file": str(problem.pos.file),
        "line": problem.pos.line,
        "col": problem.pos.col,
        "severity": problem.severity,
        "message": problem.message,
    }


@contextmanager
def progress(items: Iterable[T], label: str, *, show: bool) -> Iterator[Iterable[T]]:
    """Iterate items with a progress bar on stderr when show is true and stderr is a terminal."""
    if show and _level >= NORMAL and sys.stderr.isatty():
        with click.progressbar(items, label=label, file=sys.stderr, show_pos=True) as bar:
            yield bar
    else:
        yield items
