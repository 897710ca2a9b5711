"""Command-line behaviour shared by the commands: schema directory choice, help, permissions."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

from builder.formats import FORMATS
from builder.schemas import DEFAULT_SCHEMA_DIR, EXIT_SCHEMAS_MISSING
from tests.conftest import run


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
