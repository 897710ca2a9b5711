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


@dataclass
class YamlDoc:
    """Plain data of one YAML file plus where each value (and each mapping key) starts."""

    file: Path
    data: Any
    values: dict[JsonPath, Pos] = field(default_factory=dict)
    keys: dict[JsonPath, Pos] = field(default_factory=dict)

    def pos(self, path: JsonPath, *, key: bool = False) -> Pos:
        """Best position for a path: the key (if asked and known), else the value, else the nearest parent."""
        if key and path in self.keys:
            return self.keys[path]
        while path not in self.values and path:
            path = path[:-1]
        return self.values.get(path, Pos(self.file))


def load_yaml(file: Path) -> YamlDoc:
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CourseError([Problem(Pos(file), f"not valid UTF-8 ({exc.reason})")]) from None
    try:
        node = yaml.compose(text, Loader=_StrictLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        pos = Pos(file, mark.line + 1, mark.column + 1) if mark else Pos(file)
        raise CourseError([Problem(pos, f"YAML syntax error: {exc.problem or exc.context}")]) from None
    doc = YamlDoc(file, None)
    if node is None:
        return doc
    problems: list[Problem] = []
    doc.data = _build(node, (), doc, problems, _StrictLoader(""))
    if problems:
        raise CourseError(problems)
    return doc


def _mark(file: Path, node: yaml.Node) -> Pos:
    return Pos(file, node.start_mark.line + 1, node.start_mark.column + 1)


def _build(node: yaml.Node, path: JsonPath, doc: YamlDoc, problems: list[Problem], ctor) -> Any:
    doc.values[path] = _mark(doc.file, node)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = ctor.construct_object(key_node, deep=True)
            if not isinstance(key, str):
                problems.append(Problem(_mark(doc.file, key_node), f"keys must be text, not {key!r}"))
                continue
            if key in result:
                problems.append(
                    Problem(
                        _mark(doc.file, key_node),
                        f"duplicate key '{key}' (each key once per mapping)",
                    )
                )
                continue
            doc.keys[(*path, key)] = _mark(doc.file, key_node)
            result[key] = _build(value_node, (*path, key), doc, problems, ctor)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, (*path, i), doc, problems, ctor) for i, item in enumerate(node.value)]
    if node.tag == "tag:yaml.org,2002:merge" or node.value == "<<":
        problems.append(Problem(_mark(doc.file, node), "YAML merge keys are not supported"))
    return ctor.construct_object(node, deep=True)
