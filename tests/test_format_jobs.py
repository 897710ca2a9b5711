"""Formats built by worker processes: the same files as one after another, and their errors intact."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.errors import BuildError, CourseError, Pos, Problem
from builder.format_jobs import default_jobs
from builder.formats import FORMATS
from tests.conftest import OSEE, edit, run


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_parallel_and_serial_builds_write_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert run("build", OSEE, "--out", serial, "--no-cache", "--jobs", "1").exit_code == 0
    result = run("build", OSEE, "--out", parallel, "--no-cache", "--jobs", "3")
    assert result.exit_code == 0, result.stderr
    one, other = _files(serial / "osee"), _files(parallel / "osee")
    assert len(one) > 30  # every format: packages, banks, the web site's pages
    assert sorted(one) == sorted(other)
    assert [name for name in one if one[name] != other[name]] == []
    # the outputs are announced in the order of the formats, whichever worker finished first
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        line.split(":")[0] for line in run("build", OSEE, "--out", serial, "--jobs", "1").stdout.splitlines()
    ]


def test_a_course_error_raised_in_a_worker_keeps_its_positions(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    where = Pos(mini / "course.yaml", 3, 7)

    def refuses(course: object, out_dir: Path) -> list[Path]:
        raise CourseError([Problem(where, "first problem"), Problem(Pos(where.file, 9, 1), "second problem")])

    monkeypatch.setitem(FORMATS, "gift", refuses)
    result = run("build", mini, "--out", tmp_path / "out", "-f", "gift", "-f", "web", "--jobs", "2")
    assert result.exit_code == 2
    assert f"{mini / 'course.yaml'}:3:7: first problem" in result.stderr
    assert f"{mini / 'course.yaml'}:9:1: second problem" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_build_error_in_a_worker_fails_the_build_and_writes_nothing(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(course: object, out_dir: Path) -> list[Path]:
        raise BuildError("cc13 failed on purpose")

    monkeypatch.setitem(FORMATS, "cc13", broken)
    out = tmp_path / "out"
    result = run("build", mini, "--out", out, "--jobs", "2")
    assert result.exit_code == 1
    assert "cc13 failed on purpose" in result.stderr
    assert not (out / "mini").exists()


def test_jobs_default_to_the_usable_cpus_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BUILDER_JOBS", raising=False)
    assert default_jobs() == len(os.sched_getaffinity(0))
    monkeypatch.setenv("BUILDER_JOBS", "5")
    assert default_jobs() == 5
    monkeypatch.setenv("BUILDER_JOBS", "zero")
    assert default_jobs() == len(os.sched_getaffinity(0))


def test_quiz_checks_beside_the_workers_fail_the_build_as_before(mini: Path, tmp_path: Path) -> None:
    """In parallel builds the rules and the audit run in a worker beside the formats: a broken rule
    still fails the build with the same positioned problems, and nothing is written."""
    assessment = mini / "modules" / "alpha" / "assessment.yaml"
    edit(
        assessment,
        "{id: a, text: Every three months,",
        "{id: a, text: The programme plan is looked at again,",
    )
    serial = run("build", mini, "--out", tmp_path / "serial", "--jobs", "1")
    parallel = run("build", mini, "--out", tmp_path / "parallel", "--jobs", "2", "-f", "gift")
    assert serial.exit_code == parallel.exit_code == 2
    assert f"{assessment}:" in serial.stderr and "repeats" in serial.stderr
    assert parallel.stderr == serial.stderr
    assert not (tmp_path / "serial" / "mini").exists() and not (tmp_path / "parallel" / "mini").exists()


def test_a_cartridge_whose_quizzes_another_process_made_is_the_same_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder import forked_jobs

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    made_ahead = tmp_path / "made-ahead"
    make_ahead = forked_jobs._Parts.make_ahead

    def recorded(self: forked_jobs._Parts, i: int) -> None:
        with made_ahead.open("a") as log:
            log.write(f"{self.keys[i]}\n")
        make_ahead(self, i)

    monkeypatch.setattr(forked_jobs._Parts, "make_ahead", recorded)
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert run("build", OSEE, "--out", serial, "--no-cache", "-f", "cc13", "--jobs", "1").exit_code == 0
    assert not made_ahead.exists()
    result = run("build", OSEE, "--out", parallel, "--no-cache", "-f", "cc13", "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    assert "('cc13', 'assessment'," in made_ahead.read_text()  # the spare process made some quizzes
    assert (serial / "osee" / "osee-cc13.imscc").read_bytes() == (
        parallel / "osee" / "osee-cc13.imscc"
    ).read_bytes()


def test_a_quiz_refused_in_the_process_that_made_it_ahead_fails_the_build(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder.formats import qti

    monkeypatch.setattr(qti, "moodle_problems", lambda root: ["item q1: refused on purpose"])
    out = tmp_path / "out"
    result = run("build", mini, "--out", out, "-f", "cc13", "--jobs", "2")
    assert result.exit_code == 1
    assert "Moodle would drop or reject items: item q1: refused on purpose" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (out / "mini").exists()
