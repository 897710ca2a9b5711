"""Source positions and the errors that carry them to the user as ``path:line:col: message``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Pos:
    """A place in a source file; line and col are 1-based as editors show them."""

    file: Path
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{_display(self.file)}:{self.line}:{self.col}"


def _display(path: Path) -> str:
    """Show paths relative to the working directory when they are below it: shorter, clickable."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Problem:
    pos: Pos
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        tag = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.pos}: {tag}{self.message}"


class CourseError(Exception):
    """Bad course input: one or more problems the author can fix. Never shown as a traceback."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.pos, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[CourseError], tuple[list[Problem]]]:
        """Rebuilt from its problems (not its message) when a build worker sends it back."""
        return (CourseError, (self.problems,))


class BuildError(Exception):
    """A build could not produce valid output (e.g. schema validation failed)."""


class Collector:
    """Gathers problems during a pass so the author sees all of them at once, not one per run."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def error(self, pos: Pos, message: str) -> None:
        self.problems.append(Problem(pos, message))

    def raise_if_any(self) -> None:
        errors = [p for p in self.problems if p.severity == "error"]
        if errors:
            raise CourseError(errors)
