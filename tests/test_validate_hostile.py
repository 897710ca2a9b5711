"""`builder validate` on hostile and broken archives (issue 12): a finding or UNUSABLE, never a traceback.

Time and memory on the full-size cases are measured by `make bench` (bench/bench_hostile.py); here
each case runs at a size that keeps the suite fast and checks the outcome.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.inspect import xmldoc
from builder.inspect.archive import Limits, PackageSource
from builder.inspect.check import check_package
from builder.schemas import default_catalog
from tests.conftest import run
from tests.hostile import (
    MANIFEST,
    case_big_manifest,
    case_many_records,
    case_missing_files,
    case_shared_qti,
    corrupt_cases,
    extractor_disagreements,
    manifest_with_resources,
)
from tests.validate_packages import PAGE, cartridge, scorm12, write_folder, write_zip

CORRUPT = {
    "deflate64": "entry 'a.html' uses compression method 9 (Deflate64), which LMSs cannot inflate",
    "aes": "entry 'a.html' uses compression method 99 (WinZip AES)",
    "strong-encryption": "entry 'a.html' uses strong encryption (LMSs cannot open it)",
    "patched-data": "entry 'a.html' is compressed patched data",
    "garbage-lzma": "entry 'imsmanifest.xml' is corrupt: ",
    "garbage-bzip2": "entry 'imsmanifest.xml' is corrupt: ",
    "utf8-flag-0xff": "an entry name 'caf\\xff.html' is flagged UTF-8 but byte 0xff is not UTF-8",
    "eocd-past-end": "past the end of the 1416-byte file: a truncated or corrupt archive",
}


def test_every_corrupt_archive_is_unusable_and_the_others_still_reported(tmp_path: Path) -> None:
    cases = corrupt_cases(tmp_path)
    assert sorted(cases) == sorted(CORRUPT)
    good = write_zip(tmp_path / "good.zip", scorm12())
    result = run("validate", *cases.values(), good)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    for label, reason in CORRUPT.items():
        assert f"{cases[label]}: UNUSABLE: " in result.output, label
        line = next(line for line in result.output.splitlines() if line.startswith(f"{cases[label]}: "))
        assert reason in line, (label, line)
    assert f"{good}: VALID: SCORM 1.2" in result.output
    assert f"{len(cases) + 1} inputs: 1 valid, 0 invalid, {len(cases)} unusable, 0 skipped" in result.output


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("local-name-differs", "local-name-mismatch"),
        ("local-only-encryption", "local-only-encryption"),
        ("case-equal", "name-clash"),
        ("nfc-nfd", "name-clash"),
        ("file-and-folder", "file-folder-clash"),
    ],
)
def test_extractor_disagreements_are_errors(tmp_path: Path, label: str, code: str) -> None:
    report = check_package(extractor_disagreements(tmp_path)[label], default_catalog())
    assert report.status == "invalid"
    assert [f.code for f in report.findings] == [code]


def test_unsafe_local_header_name_is_unusable(tmp_path: Path) -> None:
    report = check_package(extractor_disagreements(tmp_path)["local-name-escapes"], default_catalog())
    assert report.status == "unusable"
    assert report.reason == (
        "entry 'js/app.js' is named '../../evil.js' in its local header, which has a '..' component; "
        "refused without extracting anything"
    )


def test_normalisation_clash_names_are_shown_apart(tmp_path: Path) -> None:
    report = check_package(extractor_disagreements(tmp_path)["nfc-nfd"], default_catalog())
    assert "'cafe\\u0301.html', 'caf\\xe9.html' differ only in case or Unicode normalisation" in (
        report.findings[0].message
    )


def test_ten_thousand_missing_files_are_counted_and_listed_up_to_the_cap(tmp_path: Path) -> None:
    report = check_package(case_missing_files(tmp_path, 9_000), default_catalog())
    assert report.status == "invalid"
    assert report.count("error") == 18_000  # a <file> and a launch href per resource
    assert len(report.findings) == Limits().max_findings + 1
    notice = report.findings[-1]
    assert notice.code == "too-many-findings"
    assert notice.message.startswith("too many findings: 17000 more (17000 errors, 0 warnings) not listed")
    assert report.findings[-2].xpath == "/manifest/resources/resource[500]"  # located, in order


def test_resources_past_the_cap_are_reported_not_checked(tmp_path: Path) -> None:
    entries = {**cartridge(1), MANIFEST: manifest_with_resources(150, lambda i: "welcome.html")}
    report = check_package(
        write_zip(tmp_path / "p.zip", entries), default_catalog(), Limits(max_resources=100)
    )
    assert [f.code for f in report.findings] == ["too-many-resources"]
    assert report.findings[0].message.startswith("too many resources: the manifest declares 154, and only")


def test_a_file_named_by_many_resources_is_read_and_parsed_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = case_shared_qti(tmp_path, count=1_000, megabytes=1)
    reads: list[str] = []
    original = PackageSource.read

    def counting(self: PackageSource, member: str) -> bytes:
        reads.append(member)
        return original(self, member)

    monkeypatch.setattr(PackageSource, "read", counting)
    report = check_package(package, default_catalog(), Limits(max_ratio=100_000))
    assert reads.count("big/assessment.xml") == 1
    assert report.status == "valid", report.findings


def test_a_descriptor_over_the_read_limit_is_a_warning(tmp_path: Path) -> None:
    package = case_shared_qti(tmp_path, count=3, megabytes=5)
    report = check_package(package, default_catalog(), Limits(max_ratio=100_000))
    assert [(f.code, f.file) for f in report.findings] == [("not-checked", "big/assessment.xml")]


def test_manifest_over_the_read_limit_is_refused_unparsed(tmp_path: Path) -> None:
    report = check_package(case_big_manifest(tmp_path, megabytes=6), default_catalog())
    assert report.status == "unusable"
    assert report.reason and report.reason.endswith("bytes, over the 4194304-byte read limit")


@pytest.mark.parametrize("honest", [True, False])
def test_central_directory_over_the_entry_limit_is_refused_while_streaming(
    tmp_path: Path, honest: bool
) -> None:
    report = check_package(
        case_many_records(tmp_path, 3_000, honest), default_catalog(), Limits(max_entries=1000)
    )
    assert report.status == "unusable"
    expected = "3000 entries, over the limit of 1000" if honest else "more than 1000 entries"
    assert report.reason and report.reason.startswith(expected)


def test_directory_size_is_refused_before_it_is_read(tmp_path: Path) -> None:
    package = case_many_records(tmp_path, 3_000, honest_count=False)
    report = check_package(package, default_catalog(), Limits(max_directory=10_000))
    assert report.reason == "the central directory is 141000 bytes, over the limit of 10000: names too long?"


def test_too_many_nodes_is_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmldoc, "MAX_NODES", 500)
    entries = {**cartridge(1), MANIFEST: manifest_with_resources(100, lambda i: "welcome.html")}
    report = check_package(write_zip(tmp_path / "p.zip", entries), default_catalog())
    assert [f.code for f in report.findings] == ["too-many-nodes"]


def test_schema_check_skipped_where_it_would_be_quadratic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xmldoc, "XSD_BUDGET", 1000)
    entries = {**cartridge(1), MANIFEST: manifest_with_resources(100, lambda i: "welcome.html")}
    report = check_package(write_zip(tmp_path / "p.zip", entries), default_catalog())
    assert [f.code for f in report.findings] == ["xsd-not-checked"]
    assert report.status == "valid"


def test_overlong_names_are_reported(tmp_path: Path) -> None:
    report = check_package(
        write_zip(tmp_path / "p.zip", {**scorm12(), "a" * 300 + ".html": PAGE}), default_catalog()
    )
    assert [f.code for f in report.findings] == ["name-too-long"]
    assert "is 305 bytes long" in report.findings[0].message


def test_folder_with_a_name_that_is_not_utf8_is_unusable(tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "pkg", scorm12())
    with open(os.path.join(os.fsencode(folder), b"caf\xff.html"), "wb") as handle:
        handle.write(PAGE)
    result = run("validate", folder)
    assert result.exit_code == 2
    assert "'caf\\xff.html' is not a valid UTF-8 file name" in result.output


def test_a_pipe_is_refused_without_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "package.zip"
    os.mkfifo(fifo)
    report = check_package(fifo, default_catalog())  # would block forever if opened
    assert report.reason == "not a regular file or a folder (a pipe or a device is never read)"
