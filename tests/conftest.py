from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from builder.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).resolve().parent.parent
OSEE = REPO / "courses" / "osee"


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small test course (folder name = course id)."""
    target = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", target)
    return target


def run(*args: str | Path) -> Result:
    """Invoke the CLI in-process; stderr is captured separately from stdout."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=True)
