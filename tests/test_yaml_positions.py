"""builder.yamlpos, builder.yaml_parse: each value's and key's line and column, from either parser."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from builder import yaml_parse, yamlpos
from builder.errors import CourseError, Pos
from tests.conftest import OSEE

TEXT = """\
title: Course
modules:
  - id: m1
    tags: [a, "b"]
  - id: m2
count: 3
"""


@pytest.fixture(params=["libyaml", "python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "python":
        monkeypatch.setattr(yaml_parse, "_FastStrictLoader", None)
    elif yaml_parse._FastStrictLoader is None:
        pytest.skip("PyYAML without libyaml")
    return str(request.param)


def test_values_and_keys_have_their_line_and_column(tmp_path: Path, parser: str) -> None:
    file = tmp_path / "course.yaml"
    file.write_text(TEXT, encoding="utf-8")
    doc = yamlpos.load_yaml(file)
    assert doc.data == {
        "title": "Course",
        "modules": [{"id": "m1", "tags": ["a", "b"]}, {"id": "m2"}],
        "count": 3,
    }
    assert doc.pos(("title",)) == Pos(file, 1, 8)
    assert doc.pos(("title",), key=True) == Pos(file, 1, 1)
    assert doc.pos(("modules", 0, "tags", 1)) == Pos(file, 4, 15)
    assert doc.pos(("modules", 1, "id"), key=True) == Pos(file, 5, 5)
    assert doc.pos(("modules", 1, "missing")) == Pos(file, 5, 5)  # the nearest parent
    assert doc.values[("count",)] == Pos(file, 6, 8)
    assert doc.values.get(("nowhere",)) is None
    assert dict(doc.values.items())[("modules", 0)] == Pos(file, 3, 5)
    assert all(type(p) is Pos for p in doc.keys.values())


def test_a_pos_copied_from_another_file_keeps_its_file(tmp_path: Path) -> None:
    file = tmp_path / "a.yaml"
    file.write_text(TEXT, encoding="utf-8")
    doc = yamlpos.load_yaml(file)
    other = Pos(tmp_path / "b.yaml", 9, 2)
    doc.values[("title",)] = other
    assert doc.pos(("title",)) is other
    again = yamlpos.load_yaml(file)
    assert again.values != doc.values and again.values == yamlpos.load_yaml(file).values


def test_aliases_are_expanded_and_a_recursive_one_reported(tmp_path: Path, parser: str) -> None:
    file = tmp_path / "aliases.yaml"
    file.write_text("base: &b {x: 1}\ncopy: *b\n", encoding="utf-8")
    assert yamlpos.load_yaml(file).data == {"base": {"x": 1}, "copy": {"x": 1}}
    loop = tmp_path / "loop.yaml"
    loop.write_text("a: &a\n  - *a\n", encoding="utf-8")
    with pytest.raises(CourseError, match="recursive alias"):
        yamlpos.load_yaml(loop)


def test_duplicate_keys_and_control_characters_are_reported_with_positions(
    tmp_path: Path, parser: str
) -> None:
    file = tmp_path / "bad.yaml"
    file.write_text('a: 1\nb: "\\x01"\na: 2\n', encoding="utf-8")
    with pytest.raises(CourseError) as caught:
        yamlpos.load_yaml(file)
    shown = [f"{p.pos.line}:{p.pos.col} {p.message}" for p in caught.value.problems]
    assert any(s.startswith("2:4 text contains the control character U+0001") for s in shown)
    assert any(s.startswith("3:1 duplicate key 'a'") for s in shown)


def _tags(node: yaml.Node) -> list[tuple[str, object]]:
    if isinstance(node, yaml.ScalarNode):
        return [(node.tag, node.value)]
    if isinstance(node, yaml.SequenceNode):
        return [(node.tag, None), *(t for item in node.value for t in _tags(item))]
    return [(node.tag, None), *(t for k, v in node.value for t in (*_tags(k), *_tags(v)))]


@pytest.mark.skipif(yaml_parse._FastStrictLoader is None, reason="PyYAML without libyaml")
def test_the_fast_loader_tags_every_node_as_the_reference_loader_does() -> None:
    texts = [p.read_text(encoding="utf-8") for p in sorted(OSEE.rglob("*.yaml"))]
    texts.append(
        "a: [yes, no, on, off, true, False, ~, null, 1, 0x1F, 0o17, 1.5e3, .inf, -.NaN]\n"
        "f: [2024-01-01, '3', \"4\", 12:30, 1_000]\n"
        "b: {1: one, 2.0: two, '': empty, =: value, <<: merged}\n"
        "c: |\n  block text 12\nd: >\n  folded\ne: plain text, with a comma\n"
    )
    for text in texts * 2:  # the second time from the fast loader's memo
        fast = yaml.compose(text, Loader=yaml_parse._FastStrictLoader)
        reference = yaml.compose(text, Loader=yaml_parse._StrictLoader)
        assert _tags(fast) == _tags(reference)
