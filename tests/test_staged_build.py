"""Builds are all-or-nothing: every format is staged and swapped in at once (issue 12, item 3)."""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder import package
from builder.errors import BuildError
from builder.formats import FORMATS
from tests.conftest import edit, run


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below folder by relative path, with its sha256."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def hidden(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


def test_a_failing_format_leaves_the_previous_output(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    assert run("build", mini, "--out", out).exit_code == 0
    before = snapshot(out / "mini")
    edit(mini / "course.yaml", "title: Mini Course for Tests", "title: Mini Course, second edition")

    def broken(course: object, out_dir: Path) -> list[Path]:
        raise BuildError("scorm2004 failed on purpose")

    monkeypatch.setitem(FORMATS, "scorm2004", broken)  # the dict the CLI uses
    result = run("build", mini, "--out", out)
    assert result.exit_code == 1
    assert "scorm2004 failed on purpose" in result.stderr
    assert "cc11:" not in result.stdout  # nothing is announced before everything succeeded
    assert snapshot(out / "mini") == before  # cc11, cc13... were built, but not swapped in
    assert hidden(out) == []


def test_formats_not_requested_keep_their_files(mini: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run("build", mini, "--out", out).exit_code == 0
    before = snapshot(out / "mini")
    edit(mini / "course.yaml", "title: Mini Course for Tests", "title: Mini Course, second edition")
    assert run("build", mini, "-f", "gift", "--out", out).exit_code == 0
    after = snapshot(out / "mini")
    assert sorted(after) == sorted(before)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == {"mini-gift.txt"}
    assert hidden(out) == []


def test_a_build_killed_at_any_moment_leaves_one_complete_output(mini: Path, tmp_path: Path) -> None:
    """SIGKILL at seeded random moments: the folder is always the old build or the new one, whole."""
    out = tmp_path / "out"
    reference = tmp_path / "reference"
    assert run("build", mini, "--out", out).exit_code == 0
    old = snapshot(out / "mini")
    edit(mini / "course.yaml", "title: Mini Course for Tests", "title: Mini Course, second edition")
    assert run("build", mini, "--out", reference).exit_code == 0
    new = snapshot(reference / "mini")
    assert old != new
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "builder", "build", str(mini), "--out", str(out)]
    rng = random.Random(12)
    for _ in range(6):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.3, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()
        state = snapshot(out / "mini")
        assert state in (old, new)
    assert run("build", mini, "--out", out).exit_code == 0  # and the next build cleans up after them
    assert snapshot(out / "mini") == new
    assert hidden(out) == []


def test_previous_output_set_aside_by_a_killed_swap_is_restored(tmp_path: Path) -> None:
    target = tmp_path / "mini"
    aside = tmp_path / ".mini.old-999999999"  # no such process
    aside.mkdir()
    (aside / "kept.txt").write_text("previous build")
    stale = tmp_path / ".mini.staging-999999999-abc"
    stale.mkdir()
    with package.staged_output(target) as staging:
        assert (staging / "kept.txt").read_text() == "previous build"
    assert (target / "kept.txt").read_text() == "previous build"
    assert hidden(tmp_path) == []
