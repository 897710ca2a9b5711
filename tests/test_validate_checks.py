"""`builder validate` on hand-built packages: each kind is detected, each broken one reported precisely.

Every broken fixture is a valid package with one change; the test names the finding it must
produce (code, severity, file and line) and that nothing else is an error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from builder.inspect.check import check_package
from builder.inspect.findings import ERROR, WARNING, Finding
from builder.schemas import default_catalog
from tests.conftest import run
from tests.validate_packages import (
    XML,
    Entries,
    cartridge,
    cartridge10,
    imscp,
    replace,
    scorm12,
    scorm2004,
    write_folder,
    write_zip,
)

MANIFEST = "imsmanifest.xml"
QUIZ = "r-quiz/assessment.xml"
LONG_COMMENT = "<!-- " + "x" * 1100 + " -->\n"


def line_of(entries: Entries, member: str, needle: str) -> int:
    lines = entries[member].decode("utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def findings(tmp_path: Path, entries: Entries) -> list[Finding]:
    report = check_package(write_zip(tmp_path / "pkg.zip", entries), default_catalog())
    assert report.reason is None
    return report.findings


@pytest.mark.parametrize(
    ("entries", "kind", "warnings"),
    [
        (scorm12, "scorm12", []),
        (scorm2004, "scorm2004-4th", []),
        (cartridge10, "cc10", ["cc10", "no-xsd"]),
        (lambda: cartridge(1), "cc11", []),
        (lambda: cartridge(2), "cc12", ["no-xsd", "no-xsd", "no-xsd", "no-xsd", "moodle-cc-version"]),
        (lambda: cartridge(3), "cc13", ["moodle-cc-version"]),
        (imscp, "imscp", []),
        (
            lambda: replace(scorm2004(), MANIFEST, "2004 4th Edition", "2004 3rd Edition"),
            "scorm2004-3rd",
            ["no-xsd"],
        ),
        (lambda: replace(scorm2004(), MANIFEST, "2004 4th Edition", "CAM 1.3"), "scorm2004-2nd", ["no-xsd"]),
    ],
)
def test_valid_packages_are_detected_and_pass(
    tmp_path: Path, entries: Callable[[], Entries], kind: str, warnings: list[str]
) -> None:
    report = check_package(write_zip(tmp_path / "pkg.zip", entries()), default_catalog())
    assert report.status == "valid", report.findings
    assert report.kind is not None and report.kind.id == kind
    assert sorted(f.code for f in report.findings) == sorted(warnings)
    assert all(f.severity == WARNING for f in report.findings)


def test_missing_xsd_warning_says_which_set_is_missing(tmp_path: Path) -> None:
    entries = replace(scorm2004(), MANIFEST, "2004 4th Edition", "2004 3rd Edition")
    [finding] = findings(tmp_path, entries)
    assert finding.message.startswith("validated structurally only: no XSD set for SCORM 2004 3rd Edition")


@dataclass(frozen=True)
class Broken:
    entries: Callable[[], Entries]
    code: str
    member: str
    needle: str | None  # text on the reported line; None when the finding has no line
    message: str  # fragment of the message (what is wrong and what to do)
    severity: str = ERROR


def remove_profile(entries: Entries) -> Entries:
    text = entries[QUIZ].decode("utf-8")
    start = text.index("        <itemmetadata>")
    end = text.index("</itemmetadata>") + len("</itemmetadata>\n")
    return {**entries, QUIZ: (text[:start] + text[end:]).encode("utf-8")}


BROKEN = {
    "missing scormtype": Broken(
        lambda: replace(scorm12(), MANIFEST, ' adlcp:scormtype="sco"', ""),
        "missing-scormtype",
        MANIFEST,
        '<resource identifier="res1"',
        "has no adlcp:scormtype; the LMS treats it as an asset",
    ),
    "SCORM 1.2 spelling in SCORM 2004": Broken(
        lambda: replace(scorm2004(), MANIFEST, "adlcp:scormType=", "adlcp:scormtype="),
        "missing-scormtype",
        MANIFEST,
        '<resource identifier="res1"',
        "has adlcp:scormtype, but SCORM 2004 4th Edition reads adlcp:scormType",
    ),
    "scormtype under another prefix": Broken(
        lambda: replace(
            replace(scorm12(), MANIFEST, "xmlns:adlcp=", "xmlns:scorm="), MANIFEST, "adlcp:", "scorm:", -1
        ),
        "scormtype-prefix",
        MANIFEST,
        '<resource identifier="res1"',
        "bound to prefix 'scorm', but Moodle reads the literal attribute name adlcp:scormtype",
    ),
    "SCO without launch": Broken(
        lambda: replace(scorm12(), MANIFEST, ' href="index.html">', ">"),
        "sco-without-launch",
        MANIFEST,
        '<resource identifier="res1"',
        "SCO 'res1' has no href (launch file) and item 'item1' opens it: the LMS has nothing to launch",
    ),
    "item opens a resource without launch": Broken(
        lambda: replace(imscp(), MANIFEST, ' href="index.html">', ">"),
        "no-launch",
        MANIFEST,
        '<resource identifier="res1"',
        "resource 'res1' has no href (launch file) and item 'item1' opens it: the LMS has nothing",
    ),
    "dangling identifierref": Broken(
        lambda: replace(scorm12(), MANIFEST, 'identifierref="res1"', 'identifierref="RES-9"'),
        "identifierref-unresolved",
        MANIFEST,
        'identifierref="RES-9"',
        "identifierref 'RES-9' of an <item> resolves to no resource; add the resource or fix the reference",
    ),
    "duplicate identifier": Broken(
        lambda: replace(scorm2004(), MANIFEST, '<item identifier="item1"', '<item identifier="res1"'),
        "duplicate-identifier",
        MANIFEST,
        '<resource identifier="res1"',
        "identifier 'res1' is already used at line",
    ),
    "missing file": Broken(
        lambda: replace(scorm12(), MANIFEST, "</resource>", '<file href="a.css"/></resource>'),
        "missing-file",
        MANIFEST,
        '<file href="a.css"/>',
        "file 'a.css' is not in the package; add it or remove the <file> entry",
    ),
    "metadata file missing": Broken(
        lambda: replace(
            scorm12(), MANIFEST, "</schemaversion>", "</schemaversion><adlcp:location>md.xml</adlcp:location>"
        ),
        "missing-file",
        MANIFEST,
        "<adlcp:location>",
        "metadata file 'md.xml' is not in the package; add it or remove the <adlcp:location>",
    ),
    "launch file named in the wrong case": Broken(
        lambda: {MANIFEST: scorm12()[MANIFEST], "Index.html": b"<p>hi</p>"},
        "missing-launch-file",
        MANIFEST,
        '<resource identifier="res1"',
        "(the package has 'Index.html': names are case-sensitive on LMS servers)",
    ),
    "manifest not at the zip root": Broken(
        lambda: {f"course/{name}": data for name, data in scorm12().items()},
        "manifest-not-at-root",
        "course/imsmanifest.xml",
        None,
        "imsmanifest.xml is in course/, not at the root of the package; Moodle and other LMSs",
    ),
    "manifest name in the wrong case": Broken(
        lambda: {"IMSManifest.xml": scorm12()[MANIFEST], "index.html": b"hi"},
        "manifest-name",
        "IMSManifest.xml",
        None,
        "LMSs look for exactly 'imsmanifest.xml'",
    ),
    "SCORM 2004 schemaversion Moodle runs as 1.2": Broken(
        lambda: replace(scorm2004(), MANIFEST, "2004 4th Edition", "2004 4th edition"),
        "schemaversion",
        MANIFEST,
        "<schemaversion>",
        "otherwise runs the package as SCORM 1.2",
    ),
    "SCORM 1.2 manifest against its XSD": Broken(
        lambda: {MANIFEST: (XML / "scorm12_manifest_invalid.xml").read_bytes(), "index.html": b"hi"},
        "xsd",
        MANIFEST,
        "INVALID",
        "attribute 'adlcp:scormtype': [facet 'enumeration'] The value 'lesson' is not an element of the set",
    ),
    "CC 1.1 manifest against its XSD": Broken(
        lambda: replace(cartridge(1), MANIFEST, 'structure="rooted-hierarchy"', 'structure="tree"'),
        "xsd",
        MANIFEST,
        'structure="tree"',
        "attribute 'structure'",
    ),
    "CC 1.1 Moodle does not detect": Broken(
        lambda: replace(cartridge(1), MANIFEST, "<manifest ", LONG_COMMENT + "<manifest "),
        "moodle-cc-detection",
        MANIFEST,
        'identifier="cartridge">',
        "Moodle will not recognise this as a Common Cartridge 1.1",
    ),
    "CC 1.3 is not importable by Moodle": Broken(
        lambda: cartridge(3),
        "moodle-cc-version",
        MANIFEST,
        'identifier="cartridge">',
        "Moodle imports Common Cartridge 1.0 and 1.1 only and refuses CC 1.3",
        WARNING,
    ),
    "CC 1.2 is not importable by Moodle": Broken(
        lambda: cartridge(2),
        "moodle-cc-version",
        MANIFEST,
        'identifier="cartridge">',
        "refuses CC 1.2",
        WARNING,
    ),
    "QTI item without cc_profile": Broken(
        lambda: remove_profile(cartridge(1)),
        "qti-cc-profile",
        QUIZ,
        '<item ident="q1"',
        "item 'q1' has no cc_profile: Moodle drops it without a message",
    ),
    "QTI file against its XSD": Broken(
        lambda: {**cartridge(1), QUIZ: (XML / "cc11_qti_assessment_invalid.xml").read_bytes()},
        "xsd",
        QUIZ,
        "INVALID",
        "The value 'One' is not an element of the set",
    ),
    "QTI true/false idents Moodle cannot read": Broken(
        lambda: replace(cartridge(1), QUIZ, "cc.multiple_choice.v0p1", "cc.true_false.v0p1"),
        "qti-true-false",
        QUIZ,
        '<item ident="q1"',
        "Moodle needs exactly 'true' and 'false'",
    ),
    "QTI multiple response Moodle grades without penalties": Broken(
        lambda: replace(cartridge(1), QUIZ, "cc.multiple_choice.v0p1", "cc.multiple_response.v0p1"),
        "qti-multiple-response-grading",
        QUIZ,
        '<item ident="q1"',
        "ticking every box scores full marks",
        WARNING,
    ),
    "quiz file missing": Broken(
        lambda: {k: v for k, v in cartridge(1).items() if k != QUIZ},
        "missing-file",
        MANIFEST,
        '<file href="r-quiz/assessment.xml"/>',
        "file 'r-quiz/assessment.xml' is not in the package",
    ),
    "web link with the wrong root": Broken(
        lambda: {**cartridge(1), "r-link.xml": cartridge(1)["r-forum.xml"]},
        "xsd",
        "r-link.xml",
        "<topic",
        "root element is topic, expected {http://www.imsglobal.org/xsd/imsccv1p1/imswl_v1p1}webLink",
    ),
    "unreferenced SCO without launch": Broken(
        lambda: replace(
            scorm12(),
            MANIFEST,
            "</resources>",
            '<resource identifier="r2" type="webcontent" adlcp:scormtype="sco"/></resources>',
        ),
        "sco-without-launch",
        MANIFEST,
        '<resource identifier="r2"',
        "SCO 'r2' has no href (launch file): the LMS has nothing to launch; add href",
    ),
    "unknown manifest namespace": Broken(
        lambda: replace(scorm12(), MANIFEST, "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "urn:x:cp"),
        "unknown-kind",
        MANIFEST,
        "xsi:schemaLocation=",  # libxml2 gives the line where a start tag ends
        "unknown manifest namespace (urn:x:cp)",
    ),
}


@pytest.mark.parametrize("case", BROKEN.values(), ids=BROKEN.keys())
def test_each_broken_package_is_reported_precisely(tmp_path: Path, case: Broken) -> None:
    entries = case.entries()
    found = findings(tmp_path, entries)
    matching = [f for f in found if f.code == case.code]
    assert matching, found
    finding = matching[0]
    assert finding.severity == case.severity
    assert finding.file == case.member
    assert case.message in finding.message
    if case.needle is None:
        assert finding.line is None
    else:
        assert finding.line == line_of(entries, case.member, case.needle)
        assert finding.xpath and finding.xpath.startswith("/")
    others = [f for f in found if f.severity == ERROR and f is not finding]
    allowed = {"missing-file", "qti-empty", "unknown-kind"}  # consequences of the same change
    assert all(f.code in allowed or f.code == case.code for f in others), others
    code = run("validate", tmp_path / "pkg.zip").exit_code
    assert code == (1 if case.severity == ERROR else 0)


def test_duplicate_identifier_is_one_clear_error_not_also_an_xsd_complaint(tmp_path: Path) -> None:
    entries = replace(scorm2004(), MANIFEST, '<item identifier="item1"', '<item identifier="res1"')
    [finding] = findings(tmp_path, entries)
    assert finding.code == "duplicate-identifier"
    assert f"already used at line {line_of(entries, MANIFEST, '<item identifier')}" in finding.message


def test_manifest_in_a_subfolder_is_still_checked_relative_to_it(tmp_path: Path) -> None:
    entries = {f"course/{name}": data for name, data in cartridge(1).items()}
    assert [f.code for f in findings(tmp_path, entries)] == ["manifest-not-at-root"]
    del entries["course/r-link.xml"]
    codes = [f.code for f in findings(tmp_path, entries)]
    assert codes == ["manifest-not-at-root", "missing-file"]


def test_folder_package_reports_paths_inside_the_folder(tmp_path: Path) -> None:
    entries = replace(scorm12(), MANIFEST, 'identifierref="res1"', 'identifierref="x"')
    folder = write_folder(tmp_path / "unpacked", entries)
    result = run("validate", folder)
    assert result.exit_code == 1
    line = line_of(entries, MANIFEST, 'identifierref="x"')
    xpath = "/manifest/organizations/organization/item"
    assert f"{folder}/imsmanifest.xml:{line}: error: {xpath}: identifierref 'x'" in result.output


def test_cc10_web_link_with_a_namespaced_url_loses_its_url_in_moodle(tmp_path: Path) -> None:
    namespaced = '<wl:url xmlns:wl="http://www.imsglobal.org/xsd/imswl_v1p0" '
    entries = replace(cartridge10(), "r-link.xml", "<url ", namespaced)
    by_code = {f.code: f for f in findings(tmp_path, entries) if f.file == "r-link.xml"}
    assert set(by_code) == {"xsd", "cc10-weblink"}
    assert by_code["xsd"].severity == ERROR and by_code["xsd"].xpath == "/wl:webLink/wl:url"
    assert by_code["cc10-weblink"].severity == WARNING
    assert "so the link imports without its URL" in by_code["cc10-weblink"].message


def test_schema_messages_use_the_documents_prefixes_unless_ambiguous(tmp_path: Path) -> None:
    bad_lom = replace(cartridge(1), MANIFEST, "<lomimscc:general>", "<lomimscc:general><lomimscc:oops/>")
    [lom] = [f for f in findings(tmp_path, bad_lom) if f.code == "xsd"]
    expected = "Element 'lomimscc:oops': This element is not expected; fix it to match the cc11 XSD"
    assert lom.message == expected
    qualified = replace(cartridge10(), "r-link.xml", "<wl:webLink xmlns:wl=", "<webLink xmlns=")
    qualified = replace(qualified, "r-link.xml", "</wl:webLink>", "</webLink>")
    [link] = [f for f in findings(tmp_path, qualified) if f.code == "xsd"]
    assert link.message.startswith("Element '{http://www.imsglobal.org/xsd/imswl_v1p0}title': This element")
    assert "Expected is ( title )" in link.message
