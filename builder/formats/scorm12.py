"""The ``scorm12`` format: a SCORM 1.2 package, OUT/<course-id>/<course-id>-scorm12.zip.

One organization; an item per category holding, per module, its content SCO then its quiz SCO
(``adlcp:masteryscore`` = the pass mark). Moodle tracks an item only when the resource carries the
literal ``adlcp:scormtype`` attribute and the metadata says ``<schemaversion>1.2</schemaversion>``.
Course metadata is IMS MD 1.2.1 in ``metadata.xml``, referenced by ``adlcp:location``: the IMS MD
schema cannot be compiled by any validator (it breaks Unique Particle Attribution), so inline
metadata could not be checked, while the manifest is validated against the official schemas.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from builder.formats.scorm_common import (
    SCORM12,
    XSI,
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

NAME = "scorm12"
CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
MD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
METADATA_FILE = "metadata.xml"
SCHEMA_LOCATION = f"{CP} imscp_rootv1p1p2.xsd {ADLCP} adlcp_rootv1p2.xsd"


def build(course: Course, out_dir: Path) -> list[Path]:
    return build_package(course, out_dir, SCORM12, manifest)


def _item(item: etree._Element, sco: Sco) -> None:
    if sco.quiz is not None and graded_points(sco.quiz):
        sub(item, f"{{{ADLCP}}}masteryscore", str(sco.quiz.pass_mark))


SPEC = ManifestSpec(
    cp=CP,
    adlcp=ADLCP,
    namespaces={},
    schema_location=SCHEMA_LOCATION,
    schemaversion="1.2",
    scormtype="scormtype",
    metadata=lambda metadata, _course: sub(metadata, f"{{{ADLCP}}}location", METADATA_FILE),
    item=_item,
)


def manifest(package: Package) -> tuple[bytes, dict[str, bytes]]:
    root = manifest_tree(package, SPEC)
    return xml_bytes(root), {METADATA_FILE: metadata_xml(package.course)}


def metadata_xml(course: Course) -> bytes:
    """Course metadata as IMS Learning Resource Meta-data 1.2.1 (the SCORM 1.2 metadata binding)."""
    root = etree.Element(f"{{{MD}}}lom", nsmap={None: MD, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{MD} imsmd_rootv1p2p1.xsd")

    def md(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
        return sub(parent, f"{{{MD}}}{tag}", text)

    def langstring(parent: etree._Element, tag: str, text: str, lang: str = course.language) -> None:
        sub(md(parent, tag), f"{{{MD}}}langstring", text, **{XML_LANG: lang})

    def vocabulary(parent: etree._Element, tag: str, value: str) -> None:
        element = md(parent, tag)
        langstring(element, "source", "LOMv1.0", "x-none")
        langstring(element, "value", value, "x-none")

    general = md(root, "general")
    langstring(general, "title", course.title)
    md(general, "language", course.language)
    langstring(general, "description", course.description)
    for keyword in course.keywords:
        langstring(general, "keyword", keyword)
    langstring(md(root, "lifecycle"), "version", course.version, "x-none")
    meta = md(root, "metametadata")
    md(meta, "metadatascheme", "ADL SCORM 1.2")
    md(meta, "language", course.language)
    md(md(root, "technical"), "format", "text/html")
    rights = md(root, "rights")
    vocabulary(rights, "copyrightandotherrestrictions", "yes")
    licence = course.licence.title + (f" {course.licence.url}" if course.licence.url else "")
    langstring(rights, "description", licence)
    return xml_bytes(root)
