"""What a check reports: findings (errors and warnings) and the exception for unusable input."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from lxml import etree

from builder.xsd_check import XPaths

ERROR = "error"  # an LMS rejects the package or loses content
WARNING = "warning"  # it imports, but something is risky or could not be checked fully


# The XPaths of the package being checked: each document's siblings are numbered once, so locating
# ten thousand findings costs no more than locating one per element.
_PATHS: ContextVar[XPaths | None] = ContextVar("paths", default=None)


@contextmanager
def located() -> Iterator[XPaths]:
    """Share one XPaths for every finding made inside the block (one package's check)."""
    paths = XPaths()
    token = _PATHS.set(paths)
    try:
        yield paths
    finally:
        _PATHS.reset(token)


def xpath(element: etree._Element | None) -> str | None:
    """The element's readable XPath, from the package's shared XPaths when one is set."""
    return (_PATHS.get() or XPaths()).of(element)


class UnusablePackage(Exception):
    """The input cannot be checked (not a package, no manifest) or not safely (unsafe entries, bomb)."""


class NotAPackage(UnusablePackage):
    """The input is not a package at all (another kind of file, a folder without a manifest).

    Among several inputs (``builder validate dist/osee/*``) such inputs are skipped with a notice;
    given alone, they make the run unusable.
    """


@dataclass(frozen=True)
class Finding:
    """One problem; file is the path inside the package, line and xpath are None when not known."""

    severity: str
    code: str
    message: str
    file: str | None = None
    line: int | None = None
    xpath: str | None = None


def error(code: str, message: str, file: str | None = None, at: etree._Element | None = None) -> Finding:
    return _finding(ERROR, code, message, file, at)


def warning(code: str, message: str, file: str | None = None, at: etree._Element | None = None) -> Finding:
    return _finding(WARNING, code, message, file, at)


def _finding(severity: str, code: str, message: str, file: str | None, at: etree._Element | None) -> Finding:
    if at is None:
        return Finding(severity, code, message, file)
    return Finding(severity, code, message, file, at.sourceline, xpath(at))
