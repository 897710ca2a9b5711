"""`builder validate` on unsafe or unusable input: refused with the reason, exit 2, nothing extracted."""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from builder.inspect.archive import Limits
from builder.inspect.check import check_package
from builder.schemas import default_catalog
from tests.conftest import run
from tests.validate_packages import PAGE, replace, scorm12, symlink_entry, write_folder, write_zip
from tests.xxe import ENTITY_REFS, hostile_doctype


def validate(*args: str | Path) -> tuple[int, str]:
    result = run("validate", *args)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("../evil.html", "has a '..' component"),
        ("web/../../evil.html", "has a '..' component"),
        ("/etc/evil.html", "is an absolute path"),
        ("C:/evil.html", "is an absolute path"),
        ("web\\evil.html", "contains a backslash (Windows path separator)"),
    ],
)
def test_unsafe_entry_names_are_refused_without_extracting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, reason: str
) -> None:
    package = write_zip(tmp_path / "evil.zip", {**scorm12(), name: PAGE})
    workdir = tmp_path / "cwd"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    code, output = validate(package)
    assert code == 2
    assert f"evil.zip: UNUSABLE: entry {name!r} {reason}; refused without extracting anything" in output
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["cwd", "evil.zip"]  # nothing written anywhere


def test_symlink_entry_is_refused(tmp_path: Path) -> None:
    package = write_zip(tmp_path / "link.zip", scorm12(), [symlink_entry("index2.html", "/etc/passwd")])
    code, output = validate(package)
    assert code == 2
    assert "entry 'index2.html' is a symbolic link; refused" in output


def test_symlink_in_a_folder_is_refused(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "pkg", scorm12())
    os.symlink("/etc/passwd", folder / "passwd.html")
    code, output = validate(folder)
    assert code == 2
    assert "'passwd.html' is a symbolic link" in output


def test_zip_bomb_is_refused_from_the_central_directory(tmp_path: Path) -> None:
    package = write_zip(tmp_path / "bomb.zip", {**scorm12(), "zeros.bin": bytes(4 << 20)})
    limits = Limits(ratio_floor=1 << 20, max_ratio=100)
    report = check_package(package, default_catalog(), limits)
    assert report.status == "unusable"
    assert "entry 'zeros.bin' inflates" in (report.reason or "")
    assert "ratio over 100:1): a zip bomb?" in (report.reason or "")
    assert check_package(package, default_catalog(), Limits(max_ratio=2000)).status == "valid"


def test_total_size_and_entry_count_limits(tmp_path: Path) -> None:
    package = write_zip(tmp_path / "big.zip", {**scorm12(), **{f"f{i}.txt": b"x" * 100 for i in range(20)}})
    catalog = default_catalog()
    assert check_package(package, catalog).status == "valid"
    too_many = check_package(package, catalog, Limits(max_entries=10))
    assert too_many.reason == "22 entries, over the limit of 10"
    too_big = check_package(package, catalog, Limits(max_total_size=1000))
    assert too_big.reason and too_big.reason.startswith("entries add up to")
    assert "over the limit of 1000" in too_big.reason
    folder = write_folder(tmp_path / "folder", {**scorm12(), **{f"f{i}.txt": b"x" for i in range(20)}})
    too_many_files = check_package(folder, catalog, Limits(max_entries=10))
    assert too_many_files.reason == "more than 10 files, the entry limit"


def test_member_over_the_read_limit_is_not_read(tmp_path: Path) -> None:
    entries = replace(scorm12(), "imsmanifest.xml", "</manifest>", "</manifest>" + " " * 5000)
    report = check_package(write_zip(tmp_path / "p.zip", entries), default_catalog(), Limits(max_read=4096))
    assert report.status == "unusable"
    assert report.reason and report.reason.startswith("imsmanifest.xml is")
    assert report.reason.endswith("over the 4096-byte read limit")


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: p / "absent.zip", "no such file or folder"),
        (lambda p: write_folder(p / "site", {"index.html": PAGE}), "no imsmanifest.xml anywhere in it"),
        (lambda p: write_zip(p / "site.zip", {"index.html": PAGE}), "no imsmanifest.xml anywhere in it"),
        (lambda p: write_folder(p, {"notes.txt": b"hello"}) / "notes.txt", "not a zip archive"),
    ],
)
def test_input_that_is_no_package_exits_2(tmp_path: Path, make: Callable[[Path], Path], reason: str) -> None:
    code, output = validate(make(tmp_path))
    assert code == 2
    assert "UNUSABLE: " + reason in output


def test_corrupt_member_is_unusable(tmp_path: Path) -> None:
    package = write_zip(tmp_path / "p.zip", scorm12())
    data = bytearray(package.read_bytes())
    with zipfile.ZipFile(package) as zf:
        info = zf.getinfo("imsmanifest.xml")
    start = info.header_offset + 30 + len(info.filename) + 5  # inside the deflated data
    data[start] ^= 0xFF
    package.write_bytes(bytes(data))
    report = check_package(package, default_catalog())
    assert report.status == "unusable" and "entry 'imsmanifest.xml' is corrupt" in (report.reason or "")


def test_doctype_and_external_entities_are_neither_read_nor_fetched(tmp_path: Path) -> None:
    with hostile_doctype(tmp_path) as doctype:
        entries = replace(scorm12(), "imsmanifest.xml", "<manifest ", doctype + "<manifest ")
        entries = replace(entries, "imsmanifest.xml", "Minimal course<", f"{ENTITY_REFS}<")
        code, output = validate(write_zip(tmp_path / "xxe.zip", entries))
    assert code == 1
    assert "xxe.zip!imsmanifest.xml:2: error: has a DOCTYPE" in output
    assert "TOP-SECRET" not in output


def test_entity_expansion_bomb_is_a_syntax_error(tmp_path: Path) -> None:
    levels = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)]
    bomb = f'<?xml version="1.0"?>\n<!DOCTYPE m [{"".join(levels)}]>\n<manifest>&l9;</manifest>'
    code, output = validate(write_zip(tmp_path / "lol.zip", {"imsmanifest.xml": bomb.encode()}))
    assert code == 1
    assert "lol.zip!imsmanifest.xml:1: error: not well-formed XML:" in output
    assert "amplification" in output
