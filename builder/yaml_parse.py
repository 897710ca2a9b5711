"""The YAML parser behind ``builder.yamlpos.load_yaml``: PyYAML composes the node graph (libyaml's
C parser where present, with the same marks), and ``parse`` builds the plain data from it,
recording where each value and key starts, with the builder's limits (nodes, depth, tags, keys).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from builder import limits
from builder.errors import CourseError, Pos, Problem
from builder.yamlpos import FORBIDDEN_CHARS, JsonPath, YamlDoc, forbidden_char


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


MAX_NODES = 200_000  # far above any real course; stops alias bombs ("billion laughs")
MAX_DEPTH = 64
_STR_TAG = "tag:yaml.org,2002:str"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MAP_TAG = "tag:yaml.org,2002:map"
_PLAIN_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})


def parse(file: Path, text: str) -> YamlDoc:
    """The document in ``text`` (the contents of ``file``); CourseError with its problems."""
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
