"""LMS and format limits are checked at load: `lint` and `build` exit 2 at the place, write nothing."""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from builder import limits
from tests.conftest import edit, line_of, run

ALPHA = "modules/alpha/module.yaml"
LONG = "A" * 101

Case = tuple[Callable[[Path], None], str, str, str]  # mutate, file, line needle, message regex

CASES: dict[str, Case] = {
    "module title over 100": (
        lambda c: edit(c / ALPHA, "title: Alpha Module", f"title: {LONG}"),
        ALPHA,
        f"title: {LONG}",
        r"title is 101 characters, over the 100 allowed: Moodle's competency framework importer cuts",
    ),
    "competency title over 100": (
        lambda c: edit(c / ALPHA, "title: Planning Programmes", f"title: {LONG}"),
        ALPHA,
        f"title: {LONG}",
        r"competencies\.0\.title is 101 characters, over the 100 allowed",
    ),
    "category title over 100": (
        lambda c: edit(c / "course.yaml", "title: First Category", f"title: {LONG}"),
        "course.yaml",
        f"title: {LONG}",
        r"categories\.0\.title is 101 characters",
    ),
    "course title over 100": (
        lambda c: edit(c / "course.yaml", "title: Mini Course for Tests", f"title: {LONG}"),
        "course.yaml",
        f"title: {LONG}",
        r"^title is 101 characters",
    ),
    "release date a zip cannot hold": (
        lambda c: edit(c / "course.yaml", '"2024-03-01"', '"2200-01-01"'),
        "course.yaml",
        "release_date:",
        r"release_date 2200-01-01 is after 2107-12-31, the last date a zip entry can hold",
    ),
    "YAML integer of 5,000 digits": (
        lambda c: edit(c / "course.yaml", "seed: 7", "seed: " + "9" * 5000),
        "course.yaml",
        "seed: 999",
        r"a number of 5000 digits; numbers here have at most 18",
    ),
    "section file that is a symlink to itself": (
        lambda c: (
            os.symlink("loop.md", c / "modules/alpha/loop.md"),
            edit(c / ALPHA, "file: scope.md", "file: loop.md"),
        ),
        ALPHA,
        "file: loop.md",
        r"'loop\.md' is a symbolic link that loops back to itself",
    ),
    "file name over 255 bytes": (
        lambda c: edit(c / ALPHA, "file: scope.md", f"file: {'s' * 300}.md"),
        ALPHA,
        "file: sss",
        r"a name in this path is 303 bytes long; file systems and LMSs refuse names over 255 bytes",
    ),
    "link through a symlink loop": (
        lambda c: (
            os.symlink("ring.pdf", c / "modules/alpha/ring.pdf"),
            (c / "modules/alpha/scope.md").write_text("# Scope\n\nSee [the ring](ring.pdf).\n"),
        ),
        "modules/alpha/scope.md",
        "[the ring]",
        r"link 'ring\.pdf' is a symbolic link that loops back to itself",
    ),
    "Markdown file over the size limit": (
        lambda c: (c / "modules/alpha/scope.md").write_text("# Scope\n\n" + ("word " * 99 + "word\n") * 300),
        ALPHA,
        "file: scope.md",
        r"'scope\.md' is 150009 bytes, over the limit of 131072",
    ),
    "Markdown line over the limit": (
        lambda c: (c / "modules/alpha/scope.md").write_text(
            "# Scope\n\n| a | b |\n|---|---|\n" + "| x " * 3000 + "|\n"
        ),
        "modules/alpha/scope.md",
        "| x | x",
        r"line of 12001 characters, over the limit of 10000",
    ),
    "inline Markdown line over the limit": (
        lambda c: edit(
            c / ALPHA,
            "description: People who plan programmes.",
            "description: " + "plan " * 2100,
        ),
        ALPHA,
        "description: plan plan",
        r"text line of 10499 characters, over the limit of 10000",
    ),
}


@pytest.mark.parametrize("command", ["lint", "build"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_limit_is_an_author_error_at_its_place(mini: Path, tmp_path: Path, case: str, command: str) -> None:
    mutate, file, needle, pattern = CASES[case]
    mutate(mini)
    extra = ["--out", str(tmp_path / "out")] if command == "build" else []
    result = run(command, mini, *extra)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    where, _, message = lines[0].partition(": ")
    assert where.startswith(str(mini / file) + ":") or where.startswith(f"{file}:"), where
    line = int(where.split(":")[-2])
    assert line == line_of(mini / file, needle), (line, needle)
    assert re.search(pattern, message), message
    assert not (tmp_path / "out").exists()


def test_source_date_epoch_a_zip_cannot_hold(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "99999999999")
    result = run("build", mini, "--out", tmp_path / "out")
    assert result.exit_code == 2
    assert (
        "SOURCE_DATE_EPOCH=99999999999 is after 2107-12-31, the last date a zip entry can hold"
        in result.stderr
    )
    assert not (tmp_path / "out").exists()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "4354819199")  # 2107-12-31 23:59:59, still in range
    assert run("build", mini, "-f", "scorm12", "--out", tmp_path / "out").exit_code == 0
    with zipfile.ZipFile(tmp_path / "out" / "mini" / "mini-scorm12.zip") as zf:
        assert {info.date_time for info in zf.infolist()} == {(2107, 12, 31, 23, 59, 58)}


def test_yaml_file_over_the_size_limit(mini: Path) -> None:
    with (mini / ALPHA).open("a", encoding="utf-8") as handle:
        handle.write("# padding\n" * (limits.MAX_YAML_BYTES // 10 + 1))
    result = run("lint", mini)
    assert result.exit_code == 2
    assert "the YAML file is" in result.stderr and "over the limit of 1048576" in result.stderr


def test_the_limits_table_names_a_source_for_each_limit() -> None:
    table = [
        line for line in (limits.__doc__ or "").splitlines() if line.startswith("| ") and "---" not in line
    ]
    assert len(table) >= 9
    assert all(len([cell for cell in row.split("|") if cell.strip()]) == 3 for row in table)
