"""YAML loading that keeps the line and column of every key and value.

PyYAML's constructed data forgets positions and silently keeps the last of two
duplicate keys; we compose the node graph ourselves so both can be reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from builder import limits, yaml_ahead
from builder.errors import CourseError, Pos, Problem

JsonPath = tuple[str | int, ...]


class _StrictLoader(yaml.SafeLoader):
    """Safe loader without YAML 1.1 surprises: dates stay strings, yes/no/on/off stay strings."""


_StrictLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)

# libyaml's parser (about 10x faster) composes the same nodes with the same marks; the pure-Python
# loader stays the reference and words every error, so a file libyaml refuses is parsed again by it.
_FastStrictLoader: type | None = None
if getattr(yaml, "__with_libyaml__", False):

    class _FastStrictLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """The composer asks the resolver for the tag of every node. With no path resolvers (there
        are none here) the answer depends only on the node's kind and, for a plain scalar, on its
        text: short texts (keys, ids, options: they repeat) are answered from a memo."""

        yaml_implicit_resolvers = _StrictLoader.yaml_implicit_resolvers

        def descend_resolver(self, current_node: Any, current_index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

        def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
            if kind is not yaml.ScalarNode:
                return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG
            if not implicit[0]:  # quoted or block text
                return _STR_TAG
            tag = _PLAIN_TAGS.get(value)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(value) <= 100 and len(_PLAIN_TAGS) < 1 << 16:
                    _PLAIN_TAGS[value] = tag
            return tag

    _PLAIN_TAGS: dict[str, str] = {}


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
        if kind is tuple:  # (line, column) of a portable document
            return Pos(self.file, found[0] + 1, found[1] + 1)
        return Pos(self.file, found.line + 1, found.column + 1)

    def portable(self) -> dict[JsonPath, Any]:
        """The positions as plain data: (line, column) pairs, and each Pos as it is."""
        return {
            path: found if type(found) in (Pos, tuple) else (found.line, found.column)
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


@dataclass
class YamlDoc:
    """Plain data of one YAML file plus where each value (and each mapping key) starts."""

    file: Path
    data: Any
    values: Positions = field(init=False)
    keys: Positions = field(init=False)
    raw: dict[JsonPath, str] = field(default_factory=dict)  # scalars as written, for "quote it" hints
    # The course JSON Schemas (file names) ``data`` was found valid against as parsed: a build's
    # helper process (builder.yaml_ahead) checks them ahead. A document made from others (merged,
    # translated) starts without any and is checked where it is made.
    valid_against: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        self.values, self.keys = Positions(self.file), Positions(self.file)

    def portable(self) -> tuple[Any, ...]:
        """The document as plain data (to pickle: the parser's marks are not kept)."""
        values, keys = self.values.portable(), self.keys.portable()
        return self.file, self.data, values, keys, self.raw, self.valid_against

    @classmethod
    def from_portable(cls, state: tuple[Any, ...]) -> YamlDoc:
        file, data, values, keys, raw, valid = state
        doc = cls(file, data, raw, valid)
        dict.update(doc.values, values)
        dict.update(doc.keys, keys)
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
MAX_NODES = 200_000  # far above any real course; stops alias bombs ("billion laughs")
MAX_DEPTH = 64
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_PLAIN_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


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
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(file, mark.line + 1, mark.column + 1) if mark else Pos(file)
        raise CourseError([Problem(pos, f"YAML syntax error: {exc.problem or exc.context}")]) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        pos = Pos(file, before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1)
        raise CourseError(
            [Problem(pos, f"character U+{exc.character:04X} is not allowed in YAML; remove it")]
        ) from None
    except RecursionError:
        raise CourseError([Problem(Pos(file), f"nested more than {MAX_DEPTH} levels deep")]) from None
    doc = YamlDoc(file, None)
    if node is None:
        return doc
    # A scalar can only hold a character the file holds, or one a double-quoted escape ("\x01")
    # makes: a file with neither needs no check per scalar.
    builder = _Builder(
        doc, check_chars="\\" in text or FORBIDDEN_CHARS.search(text) is not None, aliases="*" in text
    )
    doc.data = builder.build(node, ())
    if builder.problems:
        raise CourseError(builder.problems)
    return doc


def _compose(text: str) -> yaml.Node | None:
    if _FastStrictLoader is not None:
        try:
            return yaml.compose(text, Loader=_FastStrictLoader)
        except (yaml.YAMLError, RecursionError):
            pass  # the reference loader below words the error
    return yaml.compose(text, Loader=_StrictLoader)


def _mark(file: Path, node: yaml.Node) -> Pos:
    return Pos(file, node.start_mark.line + 1, node.start_mark.column + 1)


class _Builder:
    """Plain data from the node graph, recording positions; aliases are expanded within a budget.

    ``aliases``: whether the file may hold one (it has a ``*``); only then can a node be met twice,
    so only then are the nodes being built tracked to catch an anchor that contains itself.
    """

    def __init__(self, doc: YamlDoc, *, check_chars: bool = True, aliases: bool = True) -> None:
        self.doc = doc
        self.values, self.keys, self.raw = doc.values, doc.keys, doc.raw
        self.check_chars = check_chars
        self.aliases = aliases
        self.problems: list[Problem] = []
        self.ctor = _StrictLoader("")
        self.nodes = 0
        self.active: set[int] = set()  # nodes being built: meeting one again is a recursive alias

    def fail(self, node: yaml.Node, message: str) -> None:
        self.problems.append(Problem(_mark(self.doc.file, node), message))

    def build(self, node: yaml.Node, path: JsonPath) -> Any:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            if self.nodes == MAX_NODES + 1:
                self.fail(
                    node, f"more than {MAX_NODES} values (aliases expanding too much?); simplify the file"
                )
            return None
        if self.aliases and id(node) in self.active:
            self.fail(node, "recursive alias: an anchor cannot contain itself")
            return None
        if len(path) > MAX_DEPTH:
            self.fail(node, f"nested more than {MAX_DEPTH} levels deep")
            return None
        self.values[path] = node.start_mark
        kind = type(node)
        if kind is yaml.ScalarNode:
            value = self.raw[path] = node.value
            if node.tag == _STR_TAG and not self.check_chars:  # most values: taken as they are
                return value
            return self.scalar(node)
        if node.tag not in _PLAIN_COLLECTION_TAGS:
            self.fail(node, f"unsupported YAML tag {node.tag}; write plain lists and mappings")
            return None
        if not self.aliases:
            return self.mapping(node, path) if kind is yaml.MappingNode else self.sequence(node, path)
        self.active.add(id(node))
        try:
            return self.mapping(node, path) if kind is yaml.MappingNode else self.sequence(node, path)
        finally:
            self.active.discard(id(node))

    def sequence(self, node: yaml.SequenceNode, path: JsonPath) -> list[Any]:
        return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]

    def mapping(self, node: yaml.MappingNode, path: JsonPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if type(key_node) is yaml.ScalarNode and key_node.tag == _STR_TAG and not self.check_chars:
                key = key_node.value
            else:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.fail(key_node, "YAML merge keys (<<) are not supported; write the keys out")
                    continue
                key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if not isinstance(key, str):
                    self.fail(key_node, "keys must be text")
                    continue
            if key in result:
                self.fail(key_node, f"duplicate key '{key}' (each key once per mapping)")
                continue
            inner = (*path, key)
            self.keys[inner] = key_node.start_mark
            result[key] = self.build(value_node, inner)
        return result

    def scalar(self, node: yaml.Node) -> Any:
        if node.tag == _STR_TAG:  # most values: the constructor would return node.value as it is
            value = node.value
        elif problem := limits.yaml_int_problem(node.tag, str(node.value)):
            self.fail(node, problem)
            return None
        else:
            try:
                value = self.ctor.construct_object(node, deep=True)
            except yaml.YAMLError as exc:
                problem = getattr(exc, "problem", None) or str(exc)
                self.fail(node, f"unsupported YAML value: {problem}")
                return None
        if self.check_chars and isinstance(value, str) and (bad := forbidden_char(value)):
            self.fail(
                node, f"text contains the control character {bad}, which no package can carry; remove it"
            )
        return value
