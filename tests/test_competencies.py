"""The competencies format: Moodle's framework CSV read as its importer reads it, and CASE 1.0 JSON."""

from __future__ import annotations

import copy
import csv
import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from builder.errors import BuildError
from builder.formats import FORMATS, competencies
from builder.formats.moodlexml import html_text
from builder.load import load_course
from builder.xsd_check import hardened_parser
from tests.conftest import OSEE
from tests.test_moodlexml import build_to

# tool_lpimportcsv's strings (lang/en/tool_lpimportcsv.php), in list_required_headers() order.
IMPORTER_HEADER = [
    "Parent ID number",
    "ID number",
    "Short name",
    "Description",
    "Description format",
    "Scale values",
    "Scale configuration",
    "Rule type (optional)",
    "Rule outcome (optional)",
    "Rule config (optional)",
    "Cross-referenced competency ID numbers",
    "Exported ID (optional)",
    "Is framework",
    "Taxonomy",
]
MOODLE_TAXONOMIES = {
    "behaviour",
    "competency",
    "concept",
    "domain",
    "indicator",
    "level",
    "outcome",
    "practice",
    "proficiency",
    "skill",
    "value",
}


@pytest.fixture(scope="module")
def osee_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build_to(OSEE, out, "competencies", "moodlexml")
    return out / "osee"


def read_csv(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def moodle_import(rows: list[list[str]]) -> tuple[dict[str, str], list[tuple[str, str, dict[str, str]]]]:
    """What framework_importer creates: the framework, then (parent idnumber, idnumber, row) per competency.

    Follows its steps: columns by position; the row with 'Is framework' set is the framework; the
    others are kept by idnumber (the last one wins); the tree is grown from parent '' down; a row
    without idnumber or short name is skipped with everything below it.
    """
    names = ["parent", "idnumber", "shortname", "description", "format", "scalevalues", "scaleconfig"]
    names += ["ruletype", "ruleoutcome", "ruleconfig", "related", "exportid", "isframework", "taxonomy"]
    framework: dict[str, str] | None = None
    flat: dict[str, dict[str, str]] = {}
    for raw in rows[1:]:
        row = dict(zip(names, raw + [""] * (len(names) - len(raw)), strict=True))
        if row["isframework"]:
            framework = row
        else:
            flat[row["idnumber"]] = row
    assert framework is not None, "File format is invalid: no framework row"
    created: list[tuple[str, str, dict[str, str]]] = []

    def add(parent: str) -> None:
        for row in flat.values():
            if row["parent"] == parent and row["idnumber"] and row["shortname"]:
                created.append((parent, row["idnumber"], row))
                add(row["idnumber"])

    add("")
    return framework, created


def test_csv_header_is_the_importers(osee_dist: Path) -> None:
    assert read_csv(osee_dist / "osee-competencies.csv")[0] == IMPORTER_HEADER
    assert list(competencies.CSV_HEADER) == IMPORTER_HEADER


def test_moodle_import_creates_every_category_module_and_competency(osee_dist: Path) -> None:
    course = load_course(OSEE)
    rows = read_csv(osee_dist / "osee-competencies.csv")
    assert all(len(row) == 14 for row in rows)
    framework, created = moodle_import(rows)
    assert (framework["idnumber"], framework["shortname"], framework["format"]) == ("osee", course.title, "1")
    assert framework["scalevalues"] == "Not yet competent,Competent"  # Moodle's default scale, no spaces
    scale = json.loads(framework["scaleconfig"])
    assert "scaleid" in scale[0]
    assert [item["id"] for item in scale[1:] if item["scaledefault"]] == [1]
    assert [item["id"] for item in scale[1:] if item["proficient"]] == [2]
    levels = framework["taxonomy"].split(",")
    assert len(levels) == 3 and set(levels) <= MOODLE_TAXONOMIES

    expected = []
    for category in course.categories:
        expected.append(("", f"category.{category.id}"))
        for module in course.modules_of(category):
            expected.append((f"category.{category.id}", f"module.{module.id}"))
            expected += [(f"module.{module.id}", c.id) for c in module.competencies]
    assert [(parent, idnumber) for parent, idnumber, _ in created] == expected
    assert len(created) == len(course.categories) + len(course.modules) + len(course.competencies()) == 60
    by_id = {idnumber: row for _, idnumber, row in created}
    for comp in course.competencies():
        row = by_id[comp.id]
        assert (row["shortname"], row["format"]) == (comp.title, "1")
        assert row["description"] == html_text(comp.description.text)
        assert row["description"].startswith("<p>")
        assert not row["scalevalues"] and not row["ruletype"], "competencies use the framework's scale"


def rows_with(change: Any) -> list[list[str]]:
    rows = competencies.csv_rows(load_course(OSEE))
    change(rows)
    return rows


def second_framework(rows: list[list[str]]) -> None:
    rows.append(list(rows[1]))


def unknown_parent(rows: list[list[str]]) -> None:
    rows[-1][0] = "module.nowhere"


def cycle(rows: list[list[str]]) -> None:
    rows[2][0] = rows[3][1]  # the first category below its own first module


def no_proficient(rows: list[list[str]]) -> None:
    rows[1][6] = json.dumps([{"scaleid": None}, {"id": 1, "scaledefault": 1, "proficient": 0}])


def duplicate(rows: list[list[str]]) -> None:
    rows[-1][1] = rows[-2][1]


def empty_name(rows: list[list[str]]) -> None:
    rows[-1][2] = ""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (second_framework, "exactly one"),
        (unknown_parent, "unknown or part of a cycle"),
        (cycle, "unknown or part of a cycle"),
        (no_proficient, "default and a proficient"),
        (duplicate, "used twice"),
        (empty_name, "1 to 100 characters"),
    ],
)
def test_rows_moodle_would_drop_or_reject_fail_the_build(change: Any, message: str) -> None:
    competencies.check_rows("osee-competencies.csv", rows_with(lambda rows: None))
    with pytest.raises(BuildError, match=message):
        competencies.check_rows("osee-competencies.csv", rows_with(change))


# --- CASE -----------------------------------------------------------------------------------------


def load_case(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def test_case_json_validates_against_the_case_schema(osee_dist: Path) -> None:
    package = load_case(osee_dist / "osee-case.json")
    assert not list(competencies.case_validator().iter_errors(package))


def broken_item(package: dict[str, Any]) -> None:
    del package["CFItems"][0]["fullStatement"]


def broken_type(package: dict[str, Any]) -> None:
    package["CFAssociations"][0]["associationType"] = "isChildOff"


def broken_uuid(package: dict[str, Any]) -> None:
    package["CFItems"][0]["identifier"] = "strategy"


def broken_extra(package: dict[str, Any]) -> None:
    package["CFDocument"]["CFPackageURI"] = package["CFDocument"]["licenseURI"]


def broken_date(package: dict[str, Any]) -> None:
    package["CFDocument"]["lastChangeDateTime"] = "2025-01-15"


def broken_uri(package: dict[str, Any]) -> None:
    package["CFItems"][0]["uri"] = "no scheme"


@pytest.mark.parametrize(
    "breakage", [broken_item, broken_type, broken_uuid, broken_extra, broken_date, broken_uri]
)
def test_the_schema_rejects_what_case_does_not_allow(osee_dist: Path, breakage: Any) -> None:
    package = copy.deepcopy(load_case(osee_dist / "osee-case.json"))
    breakage(package)
    with pytest.raises(BuildError, match=r"not valid CASE 1\.0"):
        competencies.check_case("osee-case.json", package)


def test_case_tree_ids_and_quiz_links(osee_dist: Path) -> None:
    course = load_course(OSEE)
    package = load_case(osee_dist / "osee-case.json")
    namespace = uuid.uuid5(competencies.PROJECT_NAMESPACE, "osee")
    document = package["CFDocument"]
    assert document["identifier"] == str(uuid.uuid5(namespace, "document:osee"))
    assert document["lastChangeDateTime"] == "2025-01-15T00:00:00Z"
    items = {item["humanCodingScheme"]: item for item in package["CFItems"]}
    for code, item in items.items():
        assert item["identifier"] == str(uuid.uuid5(namespace, f"item:{code}"))
        assert item["uri"] == f"urn:uuid:{item['identifier']}"
    by_uuid = {item["identifier"]: code for code, item in items.items()} | {document["identifier"]: ""}
    parents: dict[str, list[tuple[int, str]]] = {}
    for a in package["CFAssociations"]:
        if a["associationType"] == "isChildOf":
            origin = by_uuid[a["originNodeURI"]["identifier"]]
            parents.setdefault(by_uuid[a["destinationNodeURI"]["identifier"]], []).append(
                (a["sequenceNumber"], origin)
            )
    children = {parent: [code for _, code in sorted(kids)] for parent, kids in parents.items()}
    assert children[""] == [f"category.{c.id}" for c in course.categories]
    for category in course.categories:
        assert children[f"category.{category.id}"] == [f"module.{m}" for m in category.module_ids]
    for module in course.modules:
        assert children[f"module.{module.id}"] == [c.id for c in module.competencies]
        for comp in module.competencies:
            item = items[comp.id]
            assert (item["CFItemType"], item["abbreviatedStatement"]) == ("Competency", comp.title)
            assert item["fullStatement"] == competencies.plain_text(comp.description.text)
    assert sum(len(kids) for kids in children.values()) == len(items) == 60

    # Each competency points at the quiz that checks it: the question category of the Moodle bank.
    bank = etree.fromstring((osee_dist / "osee-moodle.xml").read_bytes(), hardened_parser())
    bank_categories = {q.findtext("idnumber") for q in bank.iter("question") if q.get("type") == "category"}
    related = {
        by_uuid[a["originNodeURI"]["identifier"]]: a["destinationNodeURI"]["identifier"]
        for a in package["CFAssociations"]
        if a["associationType"] == "isRelatedTo"
    }
    assert related == {c.id: f"osee.{c.module_id}" for c in course.competencies()}
    assert set(related.values()) <= bank_categories


def test_case_keeps_derived_notes_and_list_structure(mini: Path, tmp_path: Path) -> None:
    build_to(mini, tmp_path, "competencies")
    items = {i["humanCodingScheme"]: i for i in load_case(tmp_path / "mini" / "mini-case.json")["CFItems"]}
    assert items["gamma-monitoring"]["notes"] == competencies.DERIVED_NOTE
    assert "notes" not in items["gamma-hosting"]
    assert (
        competencies.plain_text("Intro **bold**.\n\n- one\n- *two*\n\nEnd.")
        == "Intro bold.\n\n- one\n- two\n\nEnd."
    )


def test_ids_agree_across_csv_case_and_question_tags(osee_dist: Path) -> None:
    course = load_course(OSEE)
    ids = {c.id for c in course.competencies()}
    _, created = moodle_import(read_csv(osee_dist / "osee-competencies.csv"))
    csv_ids = {idnumber for _, idnumber, row in created if row["parent"].startswith("module.")}
    case = load_case(osee_dist / "osee-case.json")
    case_ids = {i["humanCodingScheme"] for i in case["CFItems"] if i["CFItemType"] == "Competency"}
    bank = etree.fromstring((osee_dist / "osee-moodle.xml").read_bytes(), hardened_parser())
    tags = {(t.findtext("text") or "").strip() for t in bank.iter("tag")}
    assert csv_ids == case_ids == tags == ids


def test_outputs_are_deterministic(osee_dist: Path, tmp_path: Path) -> None:
    build_to(OSEE, tmp_path, "competencies")
    for name in ("osee-competencies.csv", "osee-case.json"):
        assert (tmp_path / "osee" / name).read_bytes() == (osee_dist / name).read_bytes()


def test_renaming_a_competency_keeps_its_uuid(mini: Path) -> None:
    before = competencies.case_package(load_course(mini))
    module = mini / "modules" / "alpha" / "module.yaml"
    module.write_text(module.read_text(encoding="utf-8").replace("Planning Programmes", "Planning"), "utf-8")
    after = competencies.case_package(load_course(mini))
    assert [i["identifier"] for i in before["CFItems"]] == [i["identifier"] for i in after["CFItems"]]
    assert before["CFItems"] != after["CFItems"]


# --- the same ids in SCORM 2004 objectives and Common Cartridge 1.3 metadata -----------------------


def package_xml(paths: list[Path]) -> list[etree._Element]:
    """Every XML document a format wrote (inside zips or folders)."""
    documents = []
    for path in paths:
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if zipfile.is_zipfile(file):
                with zipfile.ZipFile(file) as zf:
                    blobs = [zf.read(n) for n in zf.namelist() if n.endswith(".xml")]
            else:
                blobs = [file.read_bytes()] if file.suffix == ".xml" else []
            documents += [etree.fromstring(blob, hardened_parser()) for blob in blobs]
    return documents


@pytest.mark.parametrize("name", ["scorm2004", "cc13"])
def test_scorm2004_and_cc13_use_the_same_competency_ids(name: str, tmp_path: Path) -> None:
    if name not in FORMATS:
        pytest.skip(
            f"format '{name}' is not registered in builder.formats.FORMATS yet (built by another issue)"
        )
    course = load_course(OSEE)
    documents = package_xml(FORMATS[name](course, tmp_path / "osee"))
    # SCORM 2004: objectiveID attributes; CC 1.3: GUIDs of its curriculum standards metadata.
    found: set[str] = set()
    for document in documents:
        for element in document.iter():
            if not isinstance(element.tag, str):
                continue
            if name == "scorm2004":
                found.update(
                    v for k, v in element.attrib.items() if etree.QName(k).localname == "objectiveID"
                )
            elif etree.QName(element).localname == "GUID":
                found.add((element.text or "").strip())
    ids = {c.id for c in course.competencies()}
    assert ids <= found, f"competency ids missing from {name}: {sorted(ids - found)[:5]}"
