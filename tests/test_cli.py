"""Command-line behaviour shared by the commands: schema directory choice, help, permissions."""

from __future__ import annotations

import json
import shutil
import stat
from pathlib import Path

import pytest

from builder.formats import FORMATS
from builder.schemas import DEFAULT_SCHEMA_DIR, EXIT_SCHEMAS_MISSING
from tests.conftest import edit, run


def test_build_schema_dir_option_is_used_and_checked(mini: Path, tmp_path: Path) -> None:
    result = run("build", mini, "-f", "scorm12", "--out", tmp_path / "a", "--schema-dir", tmp_path / "none")
    assert result.exit_code == EXIT_SCHEMAS_MISSING == 2  # as validate exits when the schemas cannot load
    assert "schema directory not found" in result.stderr and str(tmp_path / "none") in result.stderr
    assert "builder schemas fetch" in result.stderr and len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "a" / "mini" / "mini-scorm12.zip").exists()

    altered = tmp_path / "schemas"
    shutil.copytree(DEFAULT_SCHEMA_DIR, altered)
    xsd = altered / "scorm12" / "adlcp_rootv1p2.xsd"
    xsd.chmod(0o644)
    xsd.write_bytes(xsd.read_bytes() + b"\n")
    result = run("build", mini, "-f", "scorm12", "--out", tmp_path / "b", "--schema-dir", altered)
    assert result.exit_code == 1
    assert "adlcp_rootv1p2.xsd" in result.stderr and "sha256" in result.stderr

    result = run("build", mini, "-f", "scorm12", "--out", tmp_path / "c", "--schema-dir", DEFAULT_SCHEMA_DIR)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "c" / "mini" / "mini-scorm12.zip").is_file()


def test_outputs_are_readable_by_others(mini: Path, tmp_path: Path) -> None:
    """Temporary files and folders are private by default; finished outputs must not stay so."""
    assert run("build", mini, "-f", "web", "-f", "gift", "--out", tmp_path).exit_code == 0
    for path in (tmp_path / "mini" / "web", tmp_path / "mini" / "mini-gift.txt"):
        assert path.stat().st_mode & stat.S_IROTH, path


def test_help_lists_every_format() -> None:
    text = run("build", "--help").output
    for name in FORMATS:
        assert f"  {name} " in text, name


def test_output_is_quiet_by_default_verbose_on_demand_and_json_for_ci(mini: Path, tmp_path: Path) -> None:
    normal = run("build", mini, "-f", "scorm12", "-f", "gift", "--out", tmp_path / "a")
    assert normal.exit_code == 0, normal.output
    assert "suspend_data" not in normal.stderr and "built mini" in normal.stderr
    assert "scorm12: " in normal.stdout

    verbose = run("-v", "build", mini, "-f", "scorm12", "--out", tmp_path / "b")
    assert "suspend_data worst case" in verbose.stderr

    quiet = run("-q", "build", mini, "-f", "scorm12", "--out", tmp_path / "c")
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""

    as_json = run("build", mini, "-f", "web", "-f", "gift", "--out", tmp_path / "d", "--json")
    report = json.loads(as_json.stdout)
    assert report["course"] == "mini"
    assert {o["format"] for o in report["outputs"]} == {"web", "gift"}
    assert all(Path(o["path"]).exists() for o in report["outputs"])
    assert "\x1b" not in as_json.stderr  # no progress bar when stderr is not a terminal

    edit(mini / "course.yaml", "keywords:", "keyword:")
    broken = run("build", mini, "--out", tmp_path / "e", "--json")
    assert broken.exit_code == 2
    problem = json.loads(broken.stdout)["problems"][0]
    assert (
        problem["file"].endswith("course.yaml")
        and problem["line"] > 1
        and "did you mean" in problem["message"]
    )


def test_quiet_lint_prints_only_errors(mini: Path) -> None:
    clean = run("-q", "lint", mini)
    assert clean.stdout == "" and clean.exit_code in (0, 1)
    edit(mini / "course.yaml", "keywords:", "keyword:")
    broken = run("-q", "lint", mini)
    assert broken.exit_code == 2 and broken.stdout == "" and "keyword" in broken.stderr


def test_no_course_outside_a_checkout_says_how_to_get_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder import paths

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(paths, "DEFAULT_COURSE", None)
    for command in ("build", "lint", "quiz"):
        result = run(command)
        assert result.exit_code == 2, command
        assert "builder new course" in result.stderr and "Traceback" not in result.output
    (tmp_path / "course.yaml").write_text("id: x\n", encoding="utf-8")
    assert "course.yaml" in run("lint").stderr  # the current folder is the course


def test_the_command_ends_with_its_exit_status_and_all_its_output(mini: Path, tmp_path: Path) -> None:
    """`builder` (``entry``) ends without the interpreter's teardown: the status and every line
    printed still reach the caller, through pipes too."""
    import subprocess
    import sys

    def builder(*args: object) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "builder", *map(str, args)]
        return subprocess.run(command, capture_output=True, text=True, timeout=120)

    built = builder("build", mini, "-f", "gift", "-f", "cc13", "-o", tmp_path / "out", "--json", "--no-cache")
    assert built.returncode == 0, built.stderr
    assert {o["format"] for o in json.loads(built.stdout)["outputs"]} == {"gift", "cc13"}
    missing = builder("build", tmp_path / "nowhere", "-o", tmp_path / "out")
    assert missing.returncode == 2 and "course folder not found" in missing.stderr
    edit(mini / "modules" / "alpha" / "assessment.yaml", "{id: a, text: Every three months,", "{id: a,")
    broken = builder("lint", mini)
    assert broken.returncode != 0 and "assessment.yaml:" in broken.stderr + broken.stdout
    helped = builder("--help")
    assert helped.returncode == 0 and "Commands:" in helped.stdout and "build" in helped.stdout
