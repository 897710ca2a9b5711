"""builder new course / new module write sources that pass lint at once; schemas json for editors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import run


def _schema_header(path: Path) -> Path:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, first
    return (path.parent / match.group(1)).resolve()


def test_new_course_passes_lint_and_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("new", "course", "demo")
    assert result.exit_code == 0, result.output
    course = tmp_path / "demo"
    lint = run("lint", course)
    assert lint.exit_code == 0, lint.output  # not even a warning
    assert "0 problem(s)" in lint.output
    for yaml_file, schema in (
        (course / "course.yaml", "course"),
        (course / "modules/first-module/module.yaml", "module"),
    ):
        target = _schema_header(yaml_file)
        assert target.is_file(), target
        assert json.loads(target.read_text())["$id"] == f"urn:lms-package-builder:schema:{schema}:1"
    built = run("build", course, "-f", "web", "-f", "gift", "--out", tmp_path / "dist")
    assert built.exit_code == 0, built.output
    assert (tmp_path / "dist" / "demo" / "web" / "module-first-module.html").is_file()


def test_new_module_is_listed_in_flow_and_block_lists(tmp_path: Path) -> None:
    course = tmp_path / "demo"
    assert run("new", "course", course).exit_code == 0
    assert run("new", "module", course, "budgets").exit_code == 0
    text = (course / "course.yaml").read_text(encoding="utf-8")
    assert "modules: [first-module, budgets]" in text
    text = text.replace(
        "    modules: [first-module, budgets]\n", "    modules:\n      - first-module\n      - budgets\n"
    )
    (course / "course.yaml").write_text(text, encoding="utf-8")
    result = run("new", "module", course, "reporting", "--category", "getting-started")
    assert result.exit_code == 0, result.output
    assert "      - budgets\n      - reporting\n" in (course / "course.yaml").read_text(encoding="utf-8")
    assert _schema_header(course / "modules" / "reporting" / "module.yaml").is_file()
    lint = run("lint", course)
    assert lint.exit_code == 0, lint.output


def test_new_refuses_bad_ids_and_existing_content(tmp_path: Path) -> None:
    result = run("new", "course", tmp_path / "My Course")
    assert result.exit_code == 2 and "e.g. 'my-course'" in result.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("x")
    assert run("new", "course", tmp_path / "full").exit_code == 2
    assert run("new", "course", tmp_path / "demo").exit_code == 0
    assert "already exists" in run("new", "module", tmp_path / "demo", "first-module").stderr
    assert "no category 'nope'" in run("new", "module", tmp_path / "demo", "x", "-c", "nope").stderr


def test_schemas_json_writes_the_course_schemas(tmp_path: Path) -> None:
    result = run("schemas", "json", "--out", tmp_path / "editor")
    assert result.exit_code == 0
    for name in ("course", "module"):
        data = json.loads((tmp_path / "editor" / f"{name}.schema.json").read_text())
        assert data["$id"] == f"urn:lms-package-builder:schema:{name}:1"
