"""imsmanifest.xml read once, and the structural checks no XSD expresses (files, launch, identifiers).

Applies to every package kind; what particular LMSs trip on is in lms.py.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from lxml import etree

from builder.inspect.detect import ADLCP_12, ADLCP_13, PackageKind
from builder.inspect.findings import Finding, error, warning, xpath

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:")  # two letters at least: "C:" is a Windows path
CC_DESCRIPTOR_TYPES = re.compile(r"^(imsqti_|imswl_|imsdt_|imsbasiclti_)")


@dataclass(frozen=True)
class FileRef:
    """A file named by the manifest: where it says so, what it wrote, and the package path it means."""

    element: etree._Element
    href: str
    path: str | None  # None for an external URL or an href that cannot name a package file
    problem: str | None = None  # why the href cannot name a package file


@dataclass
class Resource:
    element: etree._Element
    identifier: str
    type: str
    launch: FileRef | None  # from the resource's href
    files: list[FileRef] = field(default_factory=list)


@dataclass
class Manifest:
    """imsmanifest.xml read once; member is its path in the package (normally "imsmanifest.xml")."""

    member: str
    data: bytes
    root: etree._Element
    kind: PackageKind
    resources: list[Resource]
    items: list[etree._Element]  # every <item> that references something
    declared: int = 0  # resources in the manifest; only the first Limits.max_resources are in resources

    def cp(self, local: str) -> str:
        """Clark name of an element in the manifest's CP namespace."""
        return f"{{{self.kind.namespace}}}{local}" if self.kind.namespace else local

    def referenced(self) -> dict[str, etree._Element]:
        """Resource identifier -> the first item that opens it."""
        out: dict[str, etree._Element] = {}
        for item in self.items:
            out.setdefault(item.get("identifierref", ""), item)
        return out


def resolve(base: str, href: str) -> tuple[str | None, str | None]:
    """(package path, None), (None, None) for an external URL, or (None, why it is unusable)."""
    if "\\" in href:
        return None, "uses backslashes; LMSs on Linux servers need forward slashes"
    if _SCHEME.match(href):
        return None, None
    path = unquote(href.split("#", 1)[0].split("?", 1)[0])
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        return None, "is an absolute path; use a path relative to the manifest"
    joined = posixpath.normpath(posixpath.join(base, path)) if path else ""
    if joined == ".." or joined.startswith("../"):
        return None, "points outside the package"
    return joined, None


def read_manifest(
    member: str, data: bytes, root: etree._Element, kind: PackageKind, max_resources: int | None = None
) -> Manifest:
    """The manifest's resources (the first max_resources; declared counts them all) and items."""
    folder = posixpath.dirname(member)
    manifest = Manifest(member, data, root, kind, [], [])
    resources_el = root.find(manifest.cp("resources"))
    outer = posixpath.join(folder, (resources_el.get(XML_BASE, "") if resources_el is not None else ""))
    for element in root.iter(manifest.cp("resource")):
        manifest.declared += 1
        if max_resources is not None and manifest.declared > max_resources:
            continue
        base = posixpath.join(outer, element.get(XML_BASE, ""))
        href = element.get("href")
        launch = FileRef(element, href, *resolve(base, href)) if href is not None else None
        files = [
            FileRef(file_el, file_el.get("href", ""), *resolve(base, file_el.get("href", "")))
            for file_el in element.iter(manifest.cp("file"))
        ]
        manifest.resources.append(
            Resource(element, element.get("identifier", ""), element.get("type", ""), launch, files)
        )
    manifest.items = [item for item in root.iter(manifest.cp("item")) if item.get("identifierref")]
    return manifest


def structure_checks(manifest: Manifest, names: frozenset[str]) -> list[Finding]:
    """Identifiers, references, files and launch pages, for every kind of package."""
    return identifiers(manifest) + references(manifest) + files(manifest, names) + launches(manifest)


def identifiers(manifest: Manifest) -> list[Finding]:
    first: dict[str, etree._Element] = {}
    out = []
    for element in manifest.root.iter(tag=etree.Element):
        value = element.get("identifier")
        if value is None or etree.QName(element).namespace != (manifest.kind.namespace or None):
            continue
        if value in first:
            seen = first[value]
            out.append(
                error(
                    "duplicate-identifier",
                    f"identifier {value!r} is already used at line {seen.sourceline} "
                    f"({xpath(seen)}); identifiers must be unique in the manifest: rename one "
                    "(and the identifierrefs that mean it)",
                    manifest.member,
                    element,
                )
            )
        else:
            first[value] = element
    return out


def references(manifest: Manifest) -> list[Finding]:
    root, member = manifest.root, manifest.member
    resource_ids = {r.get("identifier", "") for r in root.iter(manifest.cp("resource"))}
    # A sub-manifest may be the target of an item too (IMS CP 1.1.4).
    resource_ids |= {m.get("identifier", "") for m in root.iter(manifest.cp("manifest")) if m is not root}
    all_ids = {el.get("identifier"): el for el in root.iter(tag=etree.Element) if el.get("identifier")}
    out = []
    organizations = root.find(manifest.cp("organizations"))
    if organizations is not None and organizations.get("default"):
        default = organizations.get("default", "")
        org_ids = {o.get("identifier") for o in organizations.iter(manifest.cp("organization"))}
        if default not in org_ids:
            out.append(
                error(
                    "default-organization",
                    f"default {default!r} names no <organization>; set it to one of "
                    f"{', '.join(repr(i) for i in sorted(i for i in org_ids if i)) or 'the organizations'}",
                    member,
                    organizations,
                )
            )
    for element in root.iter(manifest.cp("item"), manifest.cp("dependency")):
        ref = element.get("identifierref")
        if ref is None or ref in resource_ids:
            continue
        other = all_ids.get(ref)
        what = "an <item>" if element.tag == manifest.cp("item") else "a <dependency>"
        if other is not None:
            problem = f"names a <{etree.QName(other).localname}>, not a <resource>"
        else:
            problem = "resolves to no resource"
        out.append(
            error(
                "identifierref-unresolved",
                f"identifierref {ref!r} of {what} {problem}; add the resource or fix the reference",
                member,
                element,
            )
        )
    return out


def files(manifest: Manifest, names: frozenset[str]) -> list[Finding]:
    lower = {name.lower(): name for name in names}
    out = []

    def missing(ref: FileRef, code: str, what: str, fix: str) -> None:
        hint = ""
        if ref.path is not None and ref.path.lower() in lower:
            hint = f" (the package has {lower[ref.path.lower()]!r}: names are case-sensitive on LMS servers)"
        out.append(
            error(
                code, f"{what} {ref.href!r} is not in the package{hint}; {fix}", manifest.member, ref.element
            )
        )

    folder = posixpath.dirname(manifest.member)
    for location in manifest.root.iter(f"{{{ADLCP_12}}}location", f"{{{ADLCP_13}}}location"):
        href = (location.text or "").strip()
        ref = FileRef(location, href, *resolve(folder, href))
        if ref.problem:
            out.append(
                error("bad-href", f"metadata location {href!r} {ref.problem}", manifest.member, location)
            )
        elif ref.path is not None and not _present(ref, names):
            missing(ref, "missing-file", "metadata file", "add it or remove the <adlcp:location>")
    for resource in manifest.resources:
        listed = {ref.path for ref in resource.files}
        for ref in resource.files:
            if ref.problem:
                out.append(
                    error("bad-href", f"file href {ref.href!r} {ref.problem}", manifest.member, ref.element)
                )
            elif ref.path is not None and not _present(ref, names):
                missing(ref, "missing-file", "file", "add it or remove the <file> entry")
        launch = resource.launch
        if launch is None or launch.path is None:
            if launch is not None and launch.problem:
                out.append(
                    error(
                        "bad-href",
                        f"launch href {launch.href!r} {launch.problem}",
                        manifest.member,
                        launch.element,
                    )
                )
            continue
        if not _present(launch, names):
            missing(
                launch,
                "missing-launch-file",
                f"launch file of resource {resource.identifier!r},",
                "add it or fix href",
            )
        elif launch.path not in listed:
            out.append(
                warning(
                    "launch-not-listed",
                    f"launch file {launch.href!r} is not listed as a <file> of resource "
                    f"{resource.identifier!r}; some LMSs copy only listed files: "
                    f"add <file href={launch.href!r}/>",
                    manifest.member,
                    resource.element,
                )
            )
    return out


def _present(ref: FileRef, names: frozenset[str]) -> bool:
    # hrefs are URIs ("a%20b.html" means "a b.html"), but some packages name the file literally.
    written = posixpath.basename(ref.href.split("#", 1)[0].split("?", 1)[0])
    literal = posixpath.join(posixpath.dirname(ref.path or ""), written)
    return ref.path in names or literal in names


def launches(manifest: Manifest) -> list[Finding]:
    """Each resource an item opens, and each SCO, needs something to launch."""
    family = manifest.kind.family
    referenced = manifest.referenced()
    out = []
    for resource in manifest.resources:
        item = referenced.get(resource.identifier)
        sco = scormtype(resource, family) == "sco"
        descriptor = family == "cc" and CC_DESCRIPTOR_TYPES.match(resource.type)
        if descriptor:
            if not resource.files:
                out.append(
                    error(
                        "no-descriptor-file",
                        f"{resource.type} resource {resource.identifier!r} lists no <file>; LMSs read the "
                        "resource from its first file: add it",
                        manifest.member,
                        resource.element,
                    )
                )
            continue
        if resource.launch is not None or (item is None and not sco):
            continue
        if family == "cc" and not resource.type.startswith("webcontent"):
            continue
        what = f"SCO {resource.identifier!r}" if sco else f"resource {resource.identifier!r}"
        opened = f" and item {item.get('identifier')!r} opens it" if item is not None else ""
        out.append(
            error(
                "sco-without-launch" if sco else "no-launch",
                f"{what} has no href (launch file){opened}: the LMS has nothing to launch; "
                "add href naming its start page (and list that file)",
                manifest.member,
                resource.element,
            )
        )
    return out


def scorm_attribute(family: str) -> tuple[str, str, str]:
    """(namespace, attribute name, the other edition's spelling) of scormtype."""
    if family == "scorm12":
        return ADLCP_12, "scormtype", "scormType"
    return ADLCP_13, "scormType", "scormtype"


def scormtype(resource: Resource, family: str) -> str | None:
    if family not in ("scorm12", "scorm2004"):
        return None
    ns, name, _ = scorm_attribute(family)
    return resource.element.get(f"{{{ns}}}{name}")
