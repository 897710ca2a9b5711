"""builder lint lists every problem of every stage in one run, with file names and fixes."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import edit, line_of, run


def _break(course: Path) -> None:
    edit(course / "course.yaml", 'version: "0.1"', "version: 1.10")
    edit(course / "course.yaml", "keywords: [testing]", "keyword: [testing]")
    edit(course / "modules" / "alpha" / "module.yaml", "summary:", "sumary:")
    edit(course / "modules" / "beta" / "module.yaml", "file: scope.md", "file: scoop.md")
    edit(course / "modules" / "gamma" / "module.yaml", "module: alpha", "module: alpah")
    (course / "modules" / "gamma" / "empty.png").write_bytes(b"")
    (course / "modules" / "gamma" / "fake.png").write_text("not a picture", encoding="utf-8")
    edit(course / "modules" / "gamma" / "scope.md", "\n", "\n\n![A diagram](empty.png) ![B](fake.png)\n\n")


def test_every_stage_in_one_run_when_course_yaml_is_broken(mini: Path) -> None:
    _break(mini)
    result = run("lint", mini)
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    course_yaml = mini / "course.yaml"
    expected = [
        f":{line_of(course_yaml, 'version:')}:10: version: must be text, not a number; "
        'quote it: version: "1.10"',
        "unknown key 'keyword' in the top level of course.yaml (did you mean 'keywords'?)",
        "module.yaml:2:1: the top level of module.yaml: missing required key 'summary'",
        "unknown key 'sumary' in the top level of module.yaml (did you mean 'summary'?)",
        "file 'scoop.md' not found (looked for modules/beta/scoop.md) (did you mean 'scope.md'?)",
        "image 'empty.png' is an empty (0-byte) file",
        "image 'fake.png' does not hold PNG image data",
        "dependency on unknown module 'alpah' (did you mean 'alpha'?)",  # references, course.yaml broken
    ]
    for text in expected:
        assert any(text in line for line in lines), (text, lines)
    assert not any("document" in line for line in lines)
    assert all(line.startswith(("course.yaml", "modules/", str(mini))) or ":" in line for line in lines)


def test_schema_reference_and_quiz_problems_together(mini: Path) -> None:
    """A valid course.yaml: a broken module, a bad reference and a broken quiz rule all show at once."""
    edit(mini / "modules" / "alpha" / "module.yaml", "summary:", "sumary:")
    edit(mini / "modules" / "gamma" / "module.yaml", "module: alpha", "module: alpah")
    edit(mini / "modules" / "beta" / "module.yaml", "category: first", "category: frist")
    edit(
        mini / "modules" / "gamma" / "assessment.yaml",
        "correct: true, feedback: Keeping",
        "feedback: Keeping",
    )
    result = run("lint", mini, "--json")
    assert result.exit_code == 2
    report = json.loads(result.stdout)
    messages = [p["message"] for p in report["problems"]]
    assert any("did you mean 'summary'" in m for m in messages), messages
    assert any("unknown module 'alpah' (did you mean 'alpha'?)" in m for m in messages), messages
    assert any("category 'frist'" in m and "did you mean 'first'" in m for m in messages), messages
    assert report["errors"] == len([p for p in report["problems"] if p["severity"] == "error"]) >= 3
    assert any("exactly one option must be correct" in m for m in messages), messages  # a quiz rule
    assert all(Path(p["file"]).is_file() for p in report["problems"])
    assert not any("which is not a page" in m for m in messages)  # no echo of the broken module


def test_clean_course_lints_clean_as_json(mini: Path) -> None:
    result = run("lint", mini, "--json")
    report = json.loads(result.stdout)
    assert report["course"] == "mini" and report["counts"]["modules"] == 3
    assert result.exit_code == (1 if report["problems"] else 0)
