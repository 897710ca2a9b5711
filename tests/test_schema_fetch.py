"""builder schemas fetch/status: XSDs from a local mirror folder or a mirror URL (a local HTTP server;
never the real network), verified against schemas.lock, installed whole or not at all."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder import schemas
from builder.paths import SCHEMAS
from builder.schema_commands import locked_files, official_source
from builder.schemas import resolve_schema_dir, user_schema_dir
from tests.conftest import run
from tests.scorm_support import serve

SHARED = schemas.DEFAULT_SCHEMA_DIR  # ../shared/schemas, as the other schema tests find it


@pytest.fixture
def mirror(tmp_path: Path) -> Path:
    """A writable copy of the shared schema folder, located the way the builder finds it."""
    target = tmp_path / "mirror"
    shutil.copytree(SHARED, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty user data folder and no shared schemas beside the checkout."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.delenv(schemas.ENV_VAR, raising=False)
    monkeypatch.setattr(schemas, "DEFAULT_SCHEMA_DIR", tmp_path / "no-shared")
    yield tmp_path / "data"


def test_every_locked_file_has_an_official_source_and_bundled_drivers_match() -> None:
    for rel, digest in locked_files().items():
        source = official_source(rel)
        assert source == "bundled" or source.startswith("https://"), rel
        if source == "bundled":
            assert hashlib.sha256((SCHEMAS / rel).read_bytes()).hexdigest() == digest, rel


def test_missing_xsds_are_one_line_and_one_exit_code_everywhere(
    data_home: Path, mini: Path, tmp_path: Path
) -> None:
    build = run("build", mini, "-f", "scorm12", "--out", tmp_path / "out")
    validate = run("validate", mini)
    status = run("schemas", "status")
    for result in (build, validate, status):
        assert result.exit_code == schemas.EXIT_SCHEMAS_MISSING == 2, result.output
        lines = [line for line in result.stderr.splitlines() if line]
        assert len(lines) == 1 and "run `builder schemas fetch`" in lines[0], result.stderr
    assert run("build", mini, "-f", "web", "--out", tmp_path / "out").exit_code == 0  # web needs no XSD


def test_fetch_from_a_mirror_url_installs_verified_sets(data_home: Path, mirror: Path, mini: Path) -> None:
    with serve(mirror) as url:
        result = run("schemas", "fetch", "--from", url)
    assert result.exit_code == 0, result.output
    assert f"installed {len(locked_files())} files" in result.stdout
    target = user_schema_dir()
    assert str(target).startswith(str(data_home))
    assert resolve_schema_dir() == target.resolve()
    status = run("schemas", "status")
    assert status.exit_code == 0, status.output
    assert f"using {target.resolve()}" in status.stdout and status.stdout.count("verified") == 5
    built = run("build", mini, "-f", "scorm12", "-f", "cc13", "--out", data_home / "dist")
    assert built.exit_code == 0, built.output


def test_fetch_from_a_folder_and_refusal_of_an_altered_file(data_home: Path, mirror: Path) -> None:
    altered = mirror / "cc13" / "xml.xsd"
    altered.write_bytes(altered.read_bytes() + b" ")
    (mirror / "scorm12" / "adlcp_rootv1p2.xsd").unlink()
    result = run("schemas", "fetch", "--from", mirror)
    assert result.exit_code == 1
    assert "cc13/xml.xsd: sha256" in result.stderr and "adlcp_rootv1p2.xsd" in result.stderr
    assert "nothing installed" in result.stderr
    assert not user_schema_dir().exists()

    target = mirror.parent / "elsewhere"
    result = run("schemas", "fetch", "--from", SHARED, "--to", target)
    assert result.exit_code == 0, result.output
    assert (target / "cc13" / "xml.xsd").read_bytes() == (SHARED / "cc13" / "xml.xsd").read_bytes()
    assert not user_schema_dir().exists()  # --to, not the user data folder
