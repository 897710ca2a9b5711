"""YAML documents that keep the line and column of every key and value.

PyYAML's constructed data forgets positions and silently keeps the last of two duplicate keys;
builder.yaml_parse composes the node graph itself so both can be reported. This module holds the
documents and ``load_yaml``; the parser (and PyYAML) is imported only when a file is parsed here:
a build whose helper parsed every file (builder.yaml_ahead) never imports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder import limits, yaml_ahead
from builder.errors import CourseError, Pos, Problem

JsonPath = tuple[str | int, ...]


class Positions(dict):  # type: ignore[type-arg]
    """Where each value (or key) of one file starts, by path: a Pos whenever read.

    The loader stores the parser's own marks (0-based line and column), made into a Pos only when
    one is read, as most never are: a large course has hundreds of thousands of values. A Pos
    stored here (one copied from another file) is kept as it is.
    """

    __slots__ = ("file",)

    def __init__(self, file: Path) -> None:
        super().__init__()
        self.file = file

    def _pos(self, found: Any) -> Pos:
        kind = type(found)
        if kind is Pos:
            return found
        if kind is int:  # line << 32 | column, of a portable document
            return Pos(self.file, (found >> 32) + 1, (found & _COLUMN) + 1)
        return Pos(self.file, found.line + 1, found.column + 1)

    def portable(self) -> dict[JsonPath, Any]:
        """The positions as plain data: each mark as one number (line << 32 | column: cheaper to
        send than a pair), each Pos as it is."""
        return {
            path: found if type(found) in (Pos, int) else found.line << 32 | found.column
            for path, found in dict.items(self)
        }

    def __getitem__(self, path: JsonPath) -> Pos:
        return self._pos(dict.__getitem__(self, path))

    def get(self, path: JsonPath, default: Any = None) -> Any:
        found = dict.get(self, path, _MISSING)
        return default if found is _MISSING else self._pos(found)

    def items(self) -> list[tuple[JsonPath, Pos]]:  # type: ignore[override]
        return [(path, self._pos(found)) for path, found in dict.items(self)]

    def values(self) -> list[Pos]:  # type: ignore[override]
        return [self._pos(found) for found in dict.values(self)]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, dict) and dict(self.items()) == dict(other.items())

    __hash__ = None  # type: ignore[assignment]


_MISSING = object()
_COLUMN = (1 << 32) - 1


@dataclass
class YamlDoc:
    """Plain data of one YAML file plus where each value (``values``) and each mapping key
    (``keys``) starts, and each scalar as written (``raw``, for "quote it" hints)."""

    file: Path
    data: Any
    values: Positions = field(init=False)
    # The course JSON Schemas (file names) ``data`` was found valid against as parsed: a build's
    # helper process (builder.yaml_ahead) checks them ahead. A document made from others (merged,
    # translated) starts without any and is checked where it is made.
    valid_against: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.values = Positions(self.file)
        self._keys = Positions(self.file)
        self._raw: dict[JsonPath, str] = {}
        self._later: bytes | None = None  # keys and raw, pickled: read only when asked for

    @property
    def keys(self) -> Positions:
        self._unpack()
        return self._keys

    @keys.setter
    def keys(self, table: Positions) -> None:
        self._unpack()
        self._keys = table

    @property
    def raw(self) -> dict[JsonPath, str]:
        self._unpack()
        return self._raw

    @raw.setter
    def raw(self, table: dict[JsonPath, str]) -> None:
        self._unpack()
        self._raw = table

    def _unpack(self) -> None:
        if self._later is not None:
            import pickle

            keys, raw = pickle.loads(self._later)
            self._later = None
            dict.update(self._keys, keys)
            self._raw.update(raw)

    def portable(self) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        """The document as plain data (to pickle: the parser's marks are not kept): what every
        load reads, and the keys' positions and raw scalars, which only error messages read."""
        main = self.file, self.data, self.values.portable(), self.valid_against
        return main, (self.keys.portable(), self.raw)

    @classmethod
    def from_portable(cls, main: tuple[Any, ...], rest: bytes) -> YamlDoc:
        """The document from ``portable()``'s first part and its second part pickled (read on
        first use of ``keys`` or ``raw``)."""
        file, data, values, valid = main
        doc = cls(file, data, valid)
        dict.update(doc.values, values)
        doc._later = rest
        return doc

    def pos(self, path: JsonPath, *, key: bool = False) -> Pos:
        """Best position for a path: the key (if asked and known), else the value, else the nearest parent."""
        if key and path in self.keys:
            return self.keys[path]
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, Pos(self.file))


# Characters XML 1.0 cannot carry (every package format is XML somewhere) and lone surrogates.
FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def forbidden_char(text: str) -> str | None:
    """A description of the first character no package can carry, or None."""
    found = FORBIDDEN_CHARS.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def load_yaml(file: Path) -> YamlDoc:
    """The file's data and positions; CourseError with its problems when it cannot be read."""
    if (parsed := yaml_ahead.take(file)) is not None:  # parsed by the build's helper process
        return parsed
    if problem := limits.size_problem(file, limits.MAX_YAML_BYTES, "the YAML file"):
        raise CourseError([Problem(Pos(file), problem)])
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CourseError([Problem(Pos(file), f"not valid UTF-8 ({exc.reason})")]) from None
    from builder.yaml_parse import parse

    return parse(file, text)
