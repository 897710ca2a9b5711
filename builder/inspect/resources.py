"""The XML resources a cartridge declares (QTI, web links, discussions, LTI): schema and importer checks.

The resource type names its CC version (imswl_xmlv1p1 is a CC 1.1 web link, also inside a 1.3
cartridge), which picks the schema set. A resource is read from its first <file>, as importers do.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from lxml import etree

from builder.inspect.archive import CorruptEntry, PackageSource
from builder.inspect.detect import CC_SETS
from builder.inspect.findings import Finding, UnusablePackage, error, warning
from builder.inspect.manifest import Manifest, Resource
from builder.inspect.xmldoc import parse, schema_findings
from builder.lms_rules import CC_PROFILES
from builder.schemas import SchemaCatalog

QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
_TYPES = (
    (re.compile(r"^imsqti_xmlv1p2/imscc_xmlv1p(\d)/(assessment|question-bank)$"), "qti"),
    (re.compile(r"^imswl_xmlv1p(\d)$"), "weblink"),
    (re.compile(r"^imsdt_xmlv1p(\d)$"), "discussion"),
    (re.compile(r"^imsbasiclti_xmlv1p(\d)$"), "basiclti"),
)
_ROOTS = {
    "qti": "questestinterop",
    "weblink": "webLink",
    "discussion": "topic",
    "basiclti": "cartridge_basiclti_link",
}


@dataclass(frozen=True)
class Descriptor:
    """A resource whose first file is an XML document of doc_type from CC version cc."""

    resource: Resource
    doc_type: str
    cc: str
    member: str  # its package path

    @property
    def is_assessment(self) -> bool:
        return self.resource.type.endswith("/assessment")


def descriptor(resource: Resource) -> Descriptor | None:
    if not resource.files or resource.files[0].path is None:
        return None
    for pattern, doc_type in _TYPES:
        match = pattern.match(resource.type)
        if match:
            digit = match.group(1)
            # LTI links kept the type imsbasiclti_xmlv1p0 from CC 1.1 on.
            cc = "1.1" if doc_type == "basiclti" and digit == "0" else f"1.{digit}"
            return Descriptor(resource, doc_type, cc, resource.files[0].path)
    return None


def check_resources(manifest: Manifest, source: PackageSource, catalog: SchemaCatalog) -> list[Finding]:
    """Each declared XML resource against its schema (when one exists), QTI also against importers."""
    out: list[Finding] = []
    unchecked: Counter[tuple[str, str, str]] = Counter()
    seen: set[tuple[str, str, str]] = set()
    for found in filter(None, map(descriptor, manifest.resources)):
        if found.member not in source.names or (found.member, found.doc_type, found.cc) in seen:
            continue  # reported by the manifest checks, or checked once already
        seen.add((found.member, found.doc_type, found.cc))
        try:
            data = source.read(found.member)
        except CorruptEntry as exc:
            message = f"{exc}; LMSs cannot extract it: rebuild the zip"
            out.append(error("corrupt-entry", message, found.member))
            continue
        except UnusablePackage as exc:
            out.append(warning("not-checked", f"not checked: {exc}", found.member))
            continue
        tree, problems = parse(data, found.member)
        out += problems
        if tree is None or problems:
            continue
        set_name = CC_SETS.get(found.cc)
        spec = catalog.schema_set(set_name) if set_name else None
        if spec is not None and found.doc_type in spec.documents:
            out += schema_findings(data, tree, spec.name, found.doc_type, found.member, catalog)
        else:
            why = spec.unsupported.get(found.doc_type, "") if spec is not None else ""
            unchecked[(found.cc, found.doc_type, f" ({why})" if why else "")] += 1
            out += _root_check(tree, found)
        if found.doc_type == "qti":
            out += qti_checks(tree, found, manifest.kind.version)
        if found.doc_type == "weblink" and found.cc == "1.0" and tree.getroot().find(".//url") is None:
            out.append(
                warning(
                    "cc10-weblink",
                    "Moodle reads a CC 1.0 web link's <url> without a namespace, and this one has none, "
                    "so the link imports without its URL: write <url> unqualified, or use CC 1.1",
                    found.member,
                    tree.getroot(),
                )
            )
    for (cc, doc_type, why), count in sorted(unchecked.items()):
        message = (
            f"{count} {doc_type} file(s) validated structurally only: no XSD set for CC {cc} {doc_type}{why}"
        )
        out.append(warning("no-xsd", message, manifest.member))
    return out


def _root_check(tree: etree._ElementTree, found: Descriptor) -> list[Finding]:
    root = tree.getroot()
    expected = _ROOTS[found.doc_type]
    if etree.QName(root).localname == expected:
        return []
    message = (
        f"resource {found.resource.identifier!r} is a {found.resource.type}, whose file must have the root "
        f"element <{expected}>, not <{etree.QName(root).localname}>: point the resource at the right file"
    )
    return [error("wrong-root", message, found.member, root)]


def _q(local: str) -> str:
    return f"{{{QTI}}}{local}"


def cc_profile(item: etree._Element) -> str | None:
    for field in item.iterfind(f"{_q('itemmetadata')}/{_q('qtimetadata')}/{_q('qtimetadatafield')}"):
        if (field.findtext(_q("fieldlabel")) or "").strip() == "cc_profile":
            return (field.findtext(_q("fieldentry")) or "").strip()
    return None


def qti_checks(tree: etree._ElementTree, found: Descriptor, package_cc: str) -> list[Finding]:
    """Items Moodle (CC 1.0/1.1) or Open edX would drop, and the assessments that would crash Moodle."""
    moodle = package_cc in ("1.0", "1.1")
    out: list[Finding] = []
    convertible = 0
    for item in tree.getroot().iter(_q("item")):
        ident = item.get("ident", "")
        profile = cc_profile(item)
        if profile is None or profile not in CC_PROFILES:
            said = "has no cc_profile" if profile is None else f"has cc_profile {profile!r}"
            out.append(
                error(
                    "qti-cc-profile",
                    f"item {ident!r} {said}: Moodle drops it without a message and Open edX replaces "
                    "the whole assessment; add itemmetadata/qtimetadata/qtimetadatafield with fieldlabel "
                    f"cc_profile and one of {', '.join(CC_PROFILES)}",
                    found.member,
                    item,
                )
            )
            continue
        convertible += 1
        if profile == "cc.pattern_match.v0p1" and found.cc != "1.0":
            message = (
                f"item {ident!r} is a pattern match: Open edX shows the whole assessment as MISSING CONTENT"
            )
            out.append(warning("qti-pattern-match", message, found.member, item))
        if profile == "cc.multiple_response.v0p1" and moodle:
            message = (
                f"multiple-response item {ident!r}: Moodle's importer gives each right option its share "
                "and every wrong option 0, so ticking every box scores full marks; give wrong options a "
                "negative grade in Moodle after import, or use one true/false item per option"
            )
            out.append(warning("qti-multiple-response-grading", message, found.member, item))
        if profile == "cc.true_false.v0p1" and moodle:
            idents = {label.get("ident") for label in item.iter(_q("response_label"))}
            if idents != {"true", "false"}:
                shown = ", ".join(sorted(repr(i) for i in idents))
                message = (
                    f"true/false item {ident!r} has answer idents {shown}; Moodle needs exactly 'true' "
                    "and 'false': rename the response_label idents (and the varequal values)"
                )
                out.append(error("qti-true-false", message, found.member, item))
    if moodle and found.is_assessment and convertible == 0:
        message = (
            "the assessment has no item Moodle can convert, which crashes the whole course import; "
            "add at least one item with a supported cc_profile"
        )
        out.append(error("qti-empty", message, found.member, tree.getroot()))
    return out
