"""`builder validate` as a command: report lines, JSON, exit codes, compiling once, our own packages."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest

from builder.inspect.check import check_package
from builder.schemas import CompiledSchema, SchemaCatalog, SchemaSet, default_catalog
from tests.conftest import OSEE, run
from tests.validate_packages import Entries, cartridge, replace, scorm12, write_zip

MANIFEST = "imsmanifest.xml"


def dangling() -> Entries:
    return replace(scorm12(), MANIFEST, 'identifierref="res1"', 'identifierref="x"')


def test_report_line_names_file_line_xpath_and_fix(tmp_path: Path) -> None:
    entries = replace(scorm12(), MANIFEST, 'identifierref="res1"', 'identifierref="RES-9"')
    package = write_zip(tmp_path / "pkg.zip", entries)
    result = run("validate", package)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == (
        f"{package}!imsmanifest.xml:14: error: /manifest/organizations/organization/item: identifierref "
        "'RES-9' of an <item> resolves to no resource; add the resource or fix the reference"
    )
    assert lines[1].startswith(f"{package}: INVALID: SCORM 1.2 (XSD set scorm12); 1 error, 0 warnings; ")


def test_exit_code_is_the_worst_of_all_inputs(tmp_path: Path) -> None:
    valid = write_zip(tmp_path / "valid.zip", scorm12())
    invalid = write_zip(tmp_path / "invalid.zip", dangling())
    warned = write_zip(tmp_path / "cc13.imscc", cartridge(3))
    assert run("validate", valid, warned).exit_code == 0
    assert run("validate", valid, invalid).exit_code == 1
    result = run("validate", valid, invalid, tmp_path / "absent.zip")
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == "3 inputs: 1 valid, 1 invalid, 1 unusable, 0 skipped"


def test_inputs_that_are_no_package_are_skipped_among_packages_but_unusable_alone(tmp_path: Path) -> None:
    valid = write_zip(tmp_path / "valid.zip", scorm12())
    text = tmp_path / "questions.txt"
    text.write_text("::Q1:: 1 + 1 = {=2}\n", encoding="utf-8")
    site = tmp_path / "web"
    (site / "index.html").parent.mkdir()
    (site / "index.html").write_text("<!DOCTYPE html><title>x</title>", encoding="utf-8")
    result = run("validate", valid, text, site)
    assert result.exit_code == 0, result.output
    assert f"{text}: SKIPPED: not a zip archive" in result.output
    assert f"{site}: SKIPPED: no imsmanifest.xml anywhere" in result.output
    assert result.output.splitlines()[-1] == "3 inputs: 1 valid, 0 invalid, 0 unusable, 2 skipped"
    assert run("validate", text).exit_code == 2
    assert run("validate", text, site).exit_code == 2
    invalid = write_zip(tmp_path / "invalid.zip", dangling())
    assert run("validate", invalid, text).exit_code == 1


def test_json_output_for_ci(tmp_path: Path) -> None:
    invalid = write_zip(tmp_path / "bad.zip", dangling())
    warned = write_zip(tmp_path / "cc13.imscc", cartridge(3))
    result = run("validate", "--json", invalid, warned, tmp_path / "absent")
    assert result.exit_code == 2
    data = json.loads(result.output)
    assert data["exit_code"] == 2
    bad, cc13, absent = data["packages"]
    assert (bad["status"], bad["kind"], bad["schema_set"]) == ("invalid", "scorm12", "scorm12")
    assert (bad["errors"], bad["warnings"]) == (1, 0)
    [finding] = bad["findings"]
    assert finding["code"] == "identifierref-unresolved" and finding["severity"] == "error"
    assert (finding["file"], finding["line"], finding["xpath"]) == (
        "imsmanifest.xml",
        14,
        "/manifest/organizations/organization/item",
    )
    assert finding["location"] == f"{invalid}!imsmanifest.xml:14"
    assert (cc13["status"], cc13["kind"], cc13["warnings"]) == ("valid", "cc13", 1)
    assert absent["status"] == "unusable" and absent["reason"] == "no such file or folder"


def test_missing_schema_dir_cannot_validate(tmp_path: Path) -> None:
    package = write_zip(tmp_path / "p.zip", scorm12())
    result = run("validate", "--schema-dir", tmp_path / "nowhere", package)
    assert result.exit_code == 2
    assert "cannot validate: schema directory not found" in result.stderr


def test_each_schema_set_compiles_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schema_dir = tmp_path / "schemas"
    shutil.copytree(default_catalog().schema_dir, schema_dir)  # a fresh dir: nothing compiled yet
    compiled: list[str] = []
    original = SchemaCatalog._compile_set

    def counting(self: SchemaCatalog, spec: SchemaSet) -> dict[str, CompiledSchema]:
        compiled.append(spec.name)
        return original(self, spec)

    monkeypatch.setattr(SchemaCatalog, "_compile_set", counting)
    catalog = default_catalog(schema_dir)
    packages = [write_zip(tmp_path / f"cc{i}.zip", cartridge(1)) for i in range(3)]
    packages += [write_zip(tmp_path / f"s{i}.zip", scorm12()) for i in range(3)]
    assert [check_package(p, catalog).status for p in packages] == ["valid"] * 6
    assert sorted(compiled) == ["cc11", "scorm12"]


def package_files(out: Path) -> list[Path]:
    """Every package a build wrote: zips (SCORM, Common Cartridge) and the Moodle backup (gzip'd tar)."""
    return sorted(p for p in out.rglob("*") if p.is_file() and (zipfile.is_zipfile(p) or p.suffix == ".mbz"))


def test_validate_accepts_everything_our_build_writes(tmp_path: Path) -> None:
    """`builder validate dist/osee/*` after building every format: each package valid, the rest skipped."""
    out = tmp_path / "out"
    result = run("build", OSEE, "--out", out)
    assert result.exit_code == 0, result.output
    outputs = sorted((out / "osee").iterdir())
    packages = package_files(out)
    assert {p.name for p in packages} >= {
        "osee-scorm12.zip",
        "osee-scorm2004.zip",
        "osee-cc11.imscc",
        "osee-cc13.imscc",
        "osee.mbz",
    }
    result = run("validate", *outputs)
    assert result.exit_code == 0, result.output
    assert result.output.count(": VALID: ") == len(packages)
    assert result.output.count(": SKIPPED: ") == len(outputs) - len(packages)
