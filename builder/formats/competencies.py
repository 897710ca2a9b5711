"""The ``competencies`` format: the course's competency framework for Moodle (CSV) and IMS CASE 1.0 (JSON).

The framework is a tree: the course, its categories, their modules, each module's competencies.
Every node keeps one id in both files: a competency its own id (as SCORM objectives and Common
Cartridge metadata use it), a module ``module.<id>``, a category ``category.<id>``, the framework the
course id. Categories and modules need a prefix because a category and a module may share an id.

CSV: the 14 columns Moodle's importer (admin/tool/lpimportcsv) reads by position, with the header
its exporter writes. Descriptions are our Markdown rendered to HTML with description format 1
(FORMAT_HTML): Moodle's own Markdown dialect differs from ours (tables, raw HTML), so HTML shows
exactly what the web site shows. The framework uses Moodle's default competence scale
("Not yet competent,Competent"), which the importer finds by its exact values instead of creating
a new scale.

CASE: a CFPackage whose items link to their parent with isChildOf (category -> document, module ->
category, competency -> module), in course order (sequenceNumber). Each competency is also linked
with isRelatedTo to the quiz of its module that checks it: a node outside CASE whose identifier is
the idnumber of the module's question category in the Moodle XML question bank. Identifiers are
UUIDs (version 5) derived from the course id and the node id, so every build gives the same ones;
URIs are their ``urn:uuid:`` form, which points at no web address that might not exist.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from builder import markdown
from builder import moodle_limits as limits
from builder.errors import BuildError
from builder.formats.moodlexml import html_text, module_category_idnumber
from builder.i18n import tr
from builder.json_validation import detailed_validator, schema_errors
from builder.model import Course
from builder.package import atomic_file
from builder.paths import SCHEMAS
from builder.quiz import build_quizzes

if TYPE_CHECKING:
    import jsonschema

NAME = "competencies"

# tool_lpimportcsv's header strings, in the order framework_importer::list_required_headers() gives.
CSV_HEADER = (
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
)
FORMAT_HTML = "1"  # Moodle's FORMAT_HTML
# Moodle's default competence scale; compared with site scales exactly as written (no spaces).
SCALE_VALUES = "Not yet competent,Competent"
# First entry: the scale (the importer fills in the site's scale id); then per scale item (1-based)
# whether it is the default and whether it means proficient. Moodle requires one of each.
SCALE_CONFIGURATION = json.dumps(
    [
        {"scaleid": None},
        {"id": 1, "scaledefault": 1, "proficient": 0},
        {"id": 2, "scaledefault": 0, "proficient": 1},
    ],
    separators=(",", ":"),
)
TAXONOMY = "domain,practice,competency"  # Moodle's names for the levels: category, module, competency
ID_MAX_LENGTH = 100  # the importer cuts longer idnumbers and short names
# A cell starting with one of these is run as a formula by spreadsheets (CSV injection). Short names
# get an empty HTML comment in front: spreadsheets see text starting with "<", and the importer's
# clean_param(PARAM_TEXT) strips tags, so Moodle stores the name exactly as written.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
INERT_PREFIX = "<!---->"

DERIVED_NOTE = "Derived from the module's text, not from a competency table of the source."

CASE_SCHEMA = SCHEMAS / "case-1.0.schema.json"
# Namespace of every UUID this builder derives; each course gets one of its own below it.
PROJECT_NAMESPACE = uuid.UUID("fcec9eed-9456-4421-aa0b-acfcdecfe569")
ITEM_TYPES = (
    ("Category", "A category of modules."),
    ("Module", "A training module."),
    ("Competency", "A competency a module develops."),
)


def csv_path(course: Course, out_dir: Path) -> Path:
    return out_dir / f"{course.id}-competencies.csv"


def case_path(course: Course, out_dir: Path) -> Path:
    return out_dir / f"{course.id}-case.json"


@dataclass(frozen=True)
class Node:
    """One competency of the framework tree as Moodle sees it (categories and modules included)."""

    idnumber: str
    parent: str  # the parent's idnumber; "" at the top (Moodle: not the framework's id)
    title: str
    description: str  # Markdown
    kind: str  # a CFItemType: Category, Module or Competency
    position: int  # 1-based place among its siblings
    notes: str = ""


def category_idnumber(category_id: str) -> str:
    return f"category.{category_id}"


def module_idnumber(module_id: str) -> str:
    return f"module.{module_id}"


def framework_nodes(course: Course) -> list[Node]:
    """Every node below the framework, parents before their children, in course order."""
    nodes: list[Node] = []
    for c_pos, category in enumerate(course.categories, start=1):
        cat_id = category_idnumber(category.id)
        nodes.append(Node(cat_id, "", category.title, category.intro.text, "Category", c_pos))
        for m_pos, module in enumerate(course.modules_of(category), start=1):
            mod_id = module_idnumber(module.id)
            nodes.append(Node(mod_id, cat_id, module.title, module.summary, "Module", m_pos))
            for k_pos, comp in enumerate(module.competencies, start=1):
                notes = DERIVED_NOTE if comp.derived else ""
                nodes.append(
                    Node(comp.id, mod_id, comp.title, comp.description.text, "Competency", k_pos, notes)
                )
    return nodes


# --- Moodle CSV -------------------------------------------------------------------------------


def _csv_row(
    parent: str,
    idnumber: str,
    name: str,
    markdown_text: str,
    *,
    scale: tuple[str, str] = ("", ""),
    taxonomy: str = "",
) -> list[str]:
    """One row in the importer's column order; no completion rules, cross-references or export ids."""
    is_framework = "1" if taxonomy else ""
    rule_type = rule_outcome = rule_config = related = exported = ""
    return [
        parent,
        idnumber,
        inert(limits.fit_name("competency.shortname", name)),  # the full title stays in CASE
        html_text(markdown_text),
        FORMAT_HTML,
        *scale,
        rule_type,
        rule_outcome,
        rule_config,
        related,
        exported,
        is_framework,
        taxonomy,
    ]


def inert(text: str) -> str:
    """text, made to read as text (not a formula) in a spreadsheet; Moodle reads it back unchanged."""
    return INERT_PREFIX + text if text.startswith(FORMULA_START) else text


def csv_rows(course: Course) -> list[list[str]]:
    """Header, framework row, then one row per node."""
    framework = _csv_row(
        "",
        course.id,
        course.title,
        course.description,
        scale=(SCALE_VALUES, SCALE_CONFIGURATION),
        taxonomy=TAXONOMY,
    )
    nodes = [_csv_row(n.parent, n.idnumber, n.title, n.description) for n in framework_nodes(course)]
    return [list(CSV_HEADER), framework, *nodes]


def check_rows(file_name: str, rows: list[list[str]]) -> None:
    """Refuse what Moodle's importer would fail on or silently drop (BuildError).

    Mirrors framework_importer: exactly one framework row, which needs scale values and a scale
    configuration naming a default and a proficient item; competencies with an empty idnumber or
    short name, an unknown parent or a cycle are dropped with everything below them.
    """

    def fail(message: str) -> None:
        raise BuildError(f"{file_name}: {message}")

    columns = len(CSV_HEADER)
    if rows[0] != list(CSV_HEADER) or any(len(row) != columns for row in rows):
        fail(f"every row needs the {columns} columns of Moodle's competency framework importer")
    body = rows[1:]
    frameworks = [row for row in body if row[12]]
    if len(frameworks) != 1:
        fail(f"{len(frameworks)} rows have 'Is framework' set; Moodle needs exactly one")
    framework = frameworks[0]
    config = json.loads(framework[6])
    items = config[1:]
    if (
        not framework[5]
        or not any(i.get("scaledefault") for i in items)
        or not any(i.get("proficient") for i in items)
    ):
        fail(
            "the framework row needs scale values and a scale configuration naming a default and a proficient"
        )
    competencies = [row for row in body if not row[12]]
    ids = [row[1] for row in competencies]
    if len(set(ids)) != len(ids):
        fail("an ID number is used twice; Moodle keeps only the last row with it")
    for row in [framework, *competencies]:
        if not row[1] or not row[2] or len(row[1]) > ID_MAX_LENGTH or len(row[2]) > ID_MAX_LENGTH:
            fail(f"row {row[1]!r}: ID number and short name must be 1 to {ID_MAX_LENGTH} characters")
    for row in body:
        if cell := next((c for c in row if c.startswith(FORMULA_START)), None):
            fail(f"row {row[1]!r}: the cell {cell[:40]!r} would run as a spreadsheet formula")
    children: dict[str, list[str]] = {}
    for row in competencies:
        children.setdefault(row[0], []).append(row[1])
    reachable: set[str] = set()
    parents = [""]  # the importer attaches rows whose parent is empty, then their children, and so on
    while parents:
        found = [child for parent in parents for child in children.get(parent, []) if child not in reachable]
        reachable.update(found)
        parents = found
    lost = [row[1] for row in competencies if row[1] not in reachable]
    if lost:
        fail(f"competency {lost[0]!r} has a parent that is unknown or part of a cycle: Moodle would drop it")


def csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    # Quotes only where needed and "\n" line ends, as PHP's fputcsv writes Moodle's own exports.
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


# --- IMS CASE 1.0 ----------------------------------------------------------------------------


def course_namespace(course: Course) -> uuid.UUID:
    return uuid.uuid5(PROJECT_NAMESPACE, course.id)


def case_uuid(course: Course, kind: str, key: str) -> str:
    """Stable UUID of a CASE object: the same course, kind and key always give the same one."""
    return str(uuid.uuid5(course_namespace(course), f"{kind}:{key}"))


def competency_uuid(course: Course, competency_id: str) -> str:
    """The CASE CFItem identifier of a competency (for formats that reference competencies by UUID)."""
    return case_uuid(course, "item", competency_id)


def _urn(identifier: str) -> str:
    return f"urn:uuid:{identifier}"


def _link(title: str, identifier: str) -> dict[str, str]:
    return {"title": title, "identifier": identifier, "uri": _urn(identifier)}


def plain_text(markdown_text: str) -> str:
    """Plain text of Markdown for CASE statements: paragraphs, "- " list lines, links with their address."""
    return markdown.plain_text(markdown_text)


def case_package(course: Course) -> dict[str, Any]:
    """The CFPackage of the course's framework (a JSON-ready dict)."""
    changed = f"{course.release_date.isoformat()}T00:00:00Z"
    doc_id = case_uuid(course, "document", course.id)
    document: dict[str, Any] = {
        "identifier": doc_id,
        "uri": _urn(doc_id),
        "creator": ", ".join(course.authors) or (course.publisher or course.source or course.licence).title,
        "title": course.title,
        "lastChangeDateTime": changed,
    }
    if course.source and course.source.url:
        document["officialSourceURL"] = course.source.url
    licence_id = case_uuid(course, "licence", course.id)
    document |= {
        **({"publisher": course.publisher.title} if course.publisher else {}),
        "description": course.description,
        "language": course.language,
        "version": course.version,
        "licenseURI": _link(course.licence.title, licence_id),
    }
    licence_text = course.licence.title + (f" ({course.licence.url})" if course.licence.url else "")
    item_types = {
        name: {
            "identifier": case_uuid(course, "item-type", name),
            "uri": _urn(case_uuid(course, "item-type", name)),
            "title": name,
            "description": description,
            "hierarchyCode": str(level),
            "typeCode": name.lower(),
            "lastChangeDateTime": changed,
        }
        for level, (name, description) in enumerate(ITEM_TYPES, start=1)
    }
    items: list[dict[str, Any]] = []
    associations: list[dict[str, Any]] = []
    links: dict[str, dict[str, str]] = {"": _link(course.title, doc_id)}

    def associate(kind: str, origin: dict[str, str], destination: dict[str, str], seq: int | None) -> None:
        key = f"{kind}:{origin['identifier']}:{destination['identifier']}"
        identifier = case_uuid(course, "association", key)
        association: dict[str, Any] = {"identifier": identifier, "associationType": kind}
        if seq is not None:
            association["sequenceNumber"] = seq
        association |= {
            "uri": _urn(identifier),
            "originNodeURI": origin,
            "destinationNodeURI": destination,
            "lastChangeDateTime": changed,
        }
        associations.append(association)

    for node in framework_nodes(course):
        identifier = case_uuid(course, "item", node.idnumber)
        statement = node.title if node.kind != "Competency" else plain_text(node.description) or node.title
        item: dict[str, Any] = {
            "identifier": identifier,
            "fullStatement": statement,
            "CFItemType": node.kind,
            "uri": _urn(identifier),
            "humanCodingScheme": node.idnumber,
        }
        if node.kind == "Competency":
            item["abbreviatedStatement"] = node.title
        notes = plain_text(node.description) if node.kind != "Competency" else node.notes
        if notes:
            item["notes"] = notes
        item |= {
            "language": course.language,
            "CFItemTypeURI": _link(node.kind, item_types[node.kind]["identifier"]),
            "lastChangeDateTime": changed,
        }
        items.append(item)
        links[node.idnumber] = _link(node.title, identifier)
        associate("isChildOf", links[node.idnumber], links[node.parent], node.position)

    quizzes = build_quizzes(course).quizzes
    for module in course.modules:
        coverage = quizzes[module.id].coverage()
        quiz_key = module_category_idnumber(course, module)
        quiz = {
            "title": tr(course.language, "Quiz: %(module)s", module=module.title),
            "identifier": quiz_key,
            "uri": _urn(case_uuid(course, "quiz", quiz_key)),
        }
        for comp in module.competencies:
            if coverage.get(comp.id):
                associate("isRelatedTo", links[comp.id], quiz, None)

    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFDefinitions": {
            "CFLicenses": [
                {
                    "identifier": licence_id,
                    "uri": _urn(licence_id),
                    "title": course.licence.title,
                    "licenseText": licence_text,
                    "lastChangeDateTime": changed,
                }
            ],
            "CFItemTypes": list(item_types.values()),
        },
    }


@cache
def case_validator() -> jsonschema.Draft202012Validator:
    return detailed_validator(CASE_SCHEMA)


def check_case(file_name: str, package: dict[str, Any]) -> None:
    errors = sorted(schema_errors(CASE_SCHEMA, package), key=lambda e: list(e.absolute_path))
    if errors:
        lines = "\n".join(f"  /{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20])
        raise BuildError(f"{file_name} is not valid CASE 1.0 JSON:\n{lines}")


def build(course: Course, out_dir: Path) -> list[Path]:
    csv_target, case_target = csv_path(course, out_dir), case_path(course, out_dir)
    rows = csv_rows(course)
    check_rows(csv_target.name, rows)
    package = case_package(course)
    check_case(case_target.name, package)
    data = json.dumps(package, indent=2, ensure_ascii=False) + "\n"
    with atomic_file(csv_target) as tmp_csv, atomic_file(case_target) as tmp_case:
        tmp_csv.write_bytes(csv_text(rows).encode("utf-8"))
        tmp_case.write_bytes(data.encode("utf-8"))
    return [csv_target, case_target]
