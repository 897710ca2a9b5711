"""What differs between the Common Cartridge versions the builder writes (1.1 and 1.3):
namespaces, resource types, the schema set and whether curriculum standards are carried; and each
version's format entry points."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from builder.model import Course

PROFILE_BASE = "http://www.imsglobal.org/profile/cc"


@dataclass(frozen=True)
class Version:
    """What differs between CC 1.1 and 1.3: namespaces, resource types, schemas, CSM support."""

    name: str  # format name and file suffix
    schema_set: str  # set in schemas/catalog.json
    schemaversion: str
    cp: str  # default namespace of imsmanifest.xml (Moodle detects CC 1.1 by it)
    lom: str  # LOM in the manifest metadata
    weblink: str
    topic: str
    weblink_type: str
    topic_type: str
    assessment_type: str
    schema_location: str
    curriculum_standards: bool


def _version(v: int) -> Version:
    tag = f"v1p{v}"
    return Version(
        name=f"cc1{v}",
        schema_set=f"cc1{v}",
        schemaversion=f"1.{v}.0",
        cp=f"http://www.imsglobal.org/xsd/imscc{tag}/imscp_v1p1",
        lom=f"http://ltsc.ieee.org/xsd/imscc{tag}/LOM/manifest",
        weblink=f"http://www.imsglobal.org/xsd/imscc{tag}/imswl_{tag}",
        topic=f"http://www.imsglobal.org/xsd/imscc{tag}/imsdt_{tag}",
        weblink_type=f"imswl_xml{tag}",
        topic_type=f"imsdt_xml{tag}",
        assessment_type=f"imsqti_xmlv1p2/imscc_xml{tag}/assessment",
        schema_location=(
            f"http://www.imsglobal.org/xsd/imscc{tag}/imscp_v1p1 "
            f"{PROFILE_BASE}/cc{tag}/cc{tag}_imscp_v1p2_v1p0.xsd "
            f"http://ltsc.ieee.org/xsd/imscc{tag}/LOM/manifest "
            f"{PROFILE_BASE}/cc{tag}/LOM/cc{tag}_lommanifest_v1p0.xsd"
        ),
        curriculum_standards=v >= 3,
    )


VERSIONS = {v.name: v for v in (_version(1), _version(3))}


# Parts of a cartridge (format name, kind, module id) a spare process can make ahead:
ASSESSMENT_PART = "assessment"  # a module's checked quiz
MODULE_PAGE_PART = "page"  # a module's page

PartKey = tuple[str, str, str]


def entry_points(
    version: Version,
) -> tuple[
    Callable[[Course, Path], list[Path]],
    Callable[[Course], list[PartKey]],
    Callable[[Course, PartKey], Any],
    Callable[[], None],
]:
    """``build(course, out_dir)``, ``parts(course)``, ``make_part(course, key)`` and ``prepare()``
    of the version's format module, which imports the writer (cc.py) with it. The parts are the
    modules' pages and checked quizzes, in the order the cartridge asks for them (a process with
    nothing else to do makes some ahead: builder.forked_jobs); ``prepare`` compiles the version's
    schemas and profile rules, which every cartridge of it needs."""
    from builder.formats import cc, cc_assessment

    def build(course: Course, out_dir: Path) -> list[Path]:
        return [cc.build_cartridge(course, out_dir, version)[0]]

    def parts(course: Course) -> list[PartKey]:
        return [
            (version.name, kind, module.id)
            for category in course.categories
            for module in course.modules_of(category)
            for kind in (MODULE_PAGE_PART, ASSESSMENT_PART)
        ]

    def make_part(course: Course, key: PartKey) -> Any:
        if key[1] == MODULE_PAGE_PART:
            return cc.module_page(course, course.module(key[2]))
        return cc_assessment.make_part(course, key)

    def prepare() -> None:
        from builder.formats import cc_rules
        from builder.schemas import default_catalog

        default_catalog().schema(version.schema_set, "qti")
        cc_rules.prepare(version.schema_set)

    return build, parts, make_part, prepare
