"""The ``scorm2004`` format: a SCORM 2004 4th Edition package, OUT/<course-id>/<course-id>-scorm2004.zip.

One organization; an item per category holding, per module, its content SCO then its quiz SCO.
Moodle treats the package as 2004 only when ``schemaversion`` is exactly ``2004 4th Edition`` and
tracks an item only with the literal ``adlcp:scormType`` attribute. Course metadata is inline IEEE
LOM, validated with the rest of the manifest against the strict ``lom.xsd``.

Sequencing is flow plus choice navigation. Moodle ignores it, so nothing depends on it: each SCO
sets its own completion and success. For LMSs that do sequence, the content SCO counts towards
completion but not towards satisfaction, and the quiz SCO's primary objective is satisfied by the
pass mark (``minNormalizedMeasure``), with one more objective per competency the quiz checks (the
competency ids, verbatim, so LMS reports and the competency exports name the same things).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from builder.formats.scorm_common import (
    SCORM2004,
    ManifestSpec,
    Package,
    Sco,
    build_package,
    manifest_tree,
    sub,
    xml_bytes,
)
from builder.formats.scorm_quiz import graded_points
from builder.model import Course

NAME = "scorm2004"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP = "http://www.adlnet.org/xsd/adlcp_v1p3"
IMSSS = "http://www.imsglobal.org/xsd/imsss"
LOM = "http://ltsc.ieee.org/xsd/LOM"
SCHEMA_LOCATION = f"{CP} imscp_v1p1.xsd {ADLCP} adlcp_v1p3.xsd {IMSSS} imsss_v1p0.xsd {LOM} lom.xsd"


def build(course: Course, out_dir: Path) -> list[Path]:
    return build_package(course, out_dir, SCORM2004, manifest)


def _ss(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    return sub(parent, f"{{{IMSSS}}}{tag}", text, **attrs)


def manifest(package: Package) -> tuple[bytes, dict[str, bytes]]:
    return xml_bytes(manifest_tree(package, SPEC)), {}


def _flow(parent: etree._Element) -> None:
    """Learners may go through the children in order (flow) or pick any of them (choice)."""
    _ss(_ss(parent, "sequencing"), "controlMode", choice="true", flow="true")


def _sco_sequencing(item: etree._Element, sco: Sco) -> None:
    sequencing = _ss(item, "sequencing")
    if sco.quiz is None:
        # Reading a module completes it but satisfies no objective: only its quiz says that.
        _ss(sequencing, "rollupRules", rollupObjectiveSatisfied="false", objectiveMeasureWeight="0")
    else:
        threshold = f"{sco.quiz.pass_mark / 100:.2f}"
        objectives = _ss(sequencing, "objectives")
        primary = _ss(
            objectives, "primaryObjective", satisfiedByMeasure="true" if graded_points(sco.quiz) else "false"
        )
        _ss(primary, "minNormalizedMeasure", threshold)
        for competency in sco.quiz.competency_ids:
            objective = _ss(objectives, "objective", objectiveID=competency, satisfiedByMeasure="true")
            _ss(objective, "minNormalizedMeasure", threshold)
    _ss(sequencing, "deliveryControls", completionSetByContent="true", objectiveSetByContent="true")


def _lom(parent: etree._Element, course: Course) -> None:
    """Course metadata as IEEE LOM (title, description, language, keywords, version, licence)."""

    def lom(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        return sub(parent, f"{{{LOM}}}{tag}", text, **attrs)

    def langstring(parent: etree._Element, tag: str, text: str) -> None:
        lom(lom(parent, tag), "string", text, language=course.language)

    root = lom(parent, "lom")
    general = lom(root, "general")
    langstring(general, "title", course.title)
    lom(general, "language", course.language)
    langstring(general, "description", course.description)
    for keyword in course.keywords:
        langstring(general, "keyword", keyword)
    langstring(lom(root, "lifeCycle"), "version", course.version)
    meta = lom(root, "metaMetadata")
    lom(meta, "metadataSchema", "LOMv1.0")
    lom(meta, "language", course.language)
    lom(lom(root, "technical"), "format", "text/html")
    rights = lom(root, "rights")
    restrictions = lom(rights, "copyrightAndOtherRestrictions")
    lom(restrictions, "source", "LOMv1.0")
    lom(restrictions, "value", "yes")
    licence = course.licence.title + (f" {course.licence.url}" if course.licence.url else "")
    langstring(rights, "description", licence)


SPEC = ManifestSpec(
    cp=CP,
    adlcp=ADLCP,
    namespaces={"imsss": IMSSS, "lom": LOM},
    schema_location=SCHEMA_LOCATION,
    schemaversion="2004 4th Edition",
    scormtype="scormType",
    metadata=_lom,
    item=_sco_sequencing,
    folder=_flow,
)
