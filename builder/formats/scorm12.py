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

from builder.formats.scorm_common import SCORM12, Package, build_package, sub, xml_bytes, xml_id
from builder.formats.scorm_quiz import graded_points
from builder.model import Course

NAME = "scorm12"
CP = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
ADLCP = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
MD = "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
METADATA_FILE = "metadata.xml"
SCHEMA_LOCATION = f"{CP} imscp_rootv1p1p2.xsd {ADLCP} adlcp_rootv1p2.xsd"


def build(course: Course, out_dir: Path) -> list[Path]:
    return build_package(course, out_dir, SCORM12, manifest)


def _cp(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    return sub(parent, f"{{{CP}}}{tag}", text, **attrs)


def manifest(package: Package) -> tuple[bytes, dict[str, bytes]]:
    course = package.course
    root = etree.Element(
        f"{{{CP}}}manifest",
        nsmap={None: CP, "adlcp": ADLCP, "xsi": XSI},
        identifier=xml_id("MANIFEST", course.id),
        version=course.version,
    )
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    metadata = _cp(root, "metadata")
    _cp(metadata, "schema", "ADL SCORM")
    _cp(metadata, "schemaversion", "1.2")
    sub(metadata, f"{{{ADLCP}}}location", METADATA_FILE)

    org_id = xml_id("ORG", course.id)
    organization = _cp(_cp(root, "organizations", default=org_id), "organization", identifier=org_id)
    _cp(organization, "title", course.title)
    shared_id = xml_id("RES", course.id, "shared")
    resources = _cp(root, "resources")
    for category in course.categories:
        folder = _cp(organization, "item", identifier=xml_id("CAT", course.id, category.id))
        _cp(folder, "title", category.title)
        for module in course.modules_of(category):
            for sco in package.scos_of(module):
                resource_id = xml_id("RES", course.id, module.id, sco.kind)
                item = _cp(
                    folder,
                    "item",
                    identifier=xml_id("ITEM", course.id, module.id, sco.kind),
                    identifierref=resource_id,
                )
                _cp(item, "title", sco.title)
                if sco.quiz is not None and graded_points(sco.quiz):
                    sub(item, f"{{{ADLCP}}}masteryscore", str(sco.quiz.pass_mark))
                resource = _cp(
                    resources,
                    "resource",
                    identifier=resource_id,
                    type="webcontent",
                    href=sco.href,
                    **{f"{{{ADLCP}}}scormtype": "sco"},
                )
                _cp(resource, "file", href=sco.href)
                _cp(resource, "dependency", identifierref=shared_id)
    shared = _cp(
        resources, "resource", identifier=shared_id, type="webcontent", **{f"{{{ADLCP}}}scormtype": "asset"}
    )
    for name in sorted(package.shared):
        _cp(shared, "file", href=name)
    return xml_bytes(root), {METADATA_FILE: metadata_xml(course)}


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
