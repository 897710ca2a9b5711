from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from builder.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
OSEE = REPO / "courses" / "osee"
# Authored questions of every type for the mini course's alpha module (a quiz block for its module.yaml).


@pytest.fixture(autouse=True, scope="session")
def _private_user_data(tmp_path_factory: pytest.TempPathFactory) -> None:
    """XSDs a developer fetched into their own data folder must not change what the tests see."""
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("xdg-data"))
    # Builds in tests run from scratch (tests swap writers and schema folders); tests/test_cache.py
    # turns the output cache on, in a folder of its own.
    os.environ["BUILDER_NO_CACHE"] = "1"
    os.environ["BUILDER_CACHE_DIR"] = str(tmp_path_factory.mktemp("build-cache"))


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small test course (folder name = course id)."""
    target = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", target)
    return target


def run(*args: str | Path) -> Result:
    """Invoke the CLI in-process; stderr is captured separately from stdout."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in a file, failing loudly when the fixture no longer has it."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """1-based number of the first line containing ``needle``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")
