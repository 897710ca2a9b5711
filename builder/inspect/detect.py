"""Which kind of package a manifest describes, from its namespaces and schemaversion.

| kind | manifest namespace | also |
| --- | --- | --- |
| SCORM 1.2 | imsproject.org/xsd/imscp_rootv1p1p2 | schemaversion 1.2 or adlcp_rootv1p2 used |
| SCORM 2004 | imsglobal.org/xsd/imscp_v1p1 | adlcp_v1p3 used or a 2004 schemaversion; edition from it |
| CC 1.0 - 1.3 | imsglobal.org/xsd/imscc/imscp_v1p1, .../imsccv1p1 ... imsccv1p3/imscp_v1p1 | |
| IMS CP | either CP namespace without SCORM markers | |
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

CP_112 = "http://www.imsproject.org/xsd/imscp_rootv1p1p2"
CP_114 = "http://www.imsglobal.org/xsd/imscp_v1p1"
ADLCP_12 = "http://www.adlnet.org/xsd/adlcp_rootv1p2"
ADLCP_13 = "http://www.adlnet.org/xsd/adlcp_v1p3"
CC_NAMESPACES = {
    "http://www.imsglobal.org/xsd/imscc/imscp_v1p1": "1.0",
    "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1": "1.1",
    "http://www.imsglobal.org/xsd/imsccv1p2/imscp_v1p1": "1.2",
    "http://www.imsglobal.org/xsd/imsccv1p3/imscp_v1p1": "1.3",
}
# The catalog's schema set per CC version; CC 1.2 has none.
CC_SETS = {"1.0": "cc10", "1.1": "cc11", "1.2": None, "1.3": "cc13"}
# schemaversion -> SCORM 2004 edition, as Moodle's player recognises them (mod/scorm/datamodels/scormlib.php).
SCORM_2004_EDITIONS = {
    "2004 4th Edition": "4th Edition",
    "2004 3rd Edition": "3rd Edition",
    "CAM 1.3": "2nd Edition",
    "1.3": "2nd Edition",
}


@dataclass(frozen=True)
class PackageKind:
    """What the manifest says the package is, and which schema set checks its manifest."""

    family: str  # "scorm12", "scorm2004", "cc", "imscp" or "unknown"
    title: str  # for people: "SCORM 2004 4th Edition", "Common Cartridge 1.1", ...
    version: str  # "1.2", "4th Edition", "1.1", "1.1.4"; "" when unknown
    schema_set: str | None  # catalog set for imsmanifest.xml; None when there is none
    namespace: str  # the manifest's (CP) namespace: its structural elements live here

    @property
    def id(self) -> str:
        """Stable id for JSON: scorm12, scorm2004-4th, cc11, imscp, ..."""
        if self.family == "scorm2004":
            return f"scorm2004-{self.version.split()[0].lower()}" if self.version else "scorm2004"
        if self.family == "cc":
            return "cc" + self.version.replace(".", "")
        return self.family


def schemaversion(root: etree._Element) -> str | None:
    """The manifest's metadata/schemaversion text, as written (not stripped), or None."""
    ns = etree.QName(root).namespace
    found = root.find(f"{{{ns}}}metadata/{{{ns}}}schemaversion" if ns else "metadata/schemaversion")
    return None if found is None else (found.text or "")


def namespaces_used(root: etree._Element) -> set[str]:
    """Namespaces of every element and attribute, plus those declared on the root."""
    used = {ns for ns in root.nsmap.values() if ns}
    for element in root.iter(tag=etree.Element):
        used.add(etree.QName(element).namespace or "")
        used.update(etree.QName(name).namespace or "" for name in element.attrib)
    return used


def detect(root: etree._Element) -> PackageKind:
    """The kind of package whose imsmanifest.xml root element is root."""
    qname = etree.QName(root)
    ns = qname.namespace or ""
    if qname.localname != "manifest":
        return PackageKind(
            "unknown", f"not a package manifest (root element <{qname.localname}>)", "", None, ns
        )
    version = (schemaversion(root) or "").strip()
    if ns in CC_NAMESPACES:
        cc = CC_NAMESPACES[ns]
        return PackageKind("cc", f"Common Cartridge {cc}", cc, CC_SETS[cc], ns)
    if ns == CP_112:
        if version == "1.2" or ADLCP_12 in namespaces_used(root):
            return PackageKind("scorm12", "SCORM 1.2", "1.2", "scorm12", ns)
        return PackageKind("imscp", "IMS Content Packaging 1.1.2", "1.1.2", "scorm12", ns)
    if ns == CP_114:
        edition = SCORM_2004_EDITIONS.get(version)
        if edition is not None or ADLCP_13 in namespaces_used(root):
            if edition is None:
                return PackageKind("scorm2004", "SCORM 2004 (edition unknown)", "", "scorm2004-4th", ns)
            schema_set = "scorm2004-4th" if edition == "4th Edition" else None
            return PackageKind("scorm2004", f"SCORM 2004 {edition}", edition, schema_set, ns)
        return PackageKind("imscp", "IMS Content Packaging 1.1.4", "1.1.4", "scorm2004-4th", ns)
    shown = ns or "no namespace"
    return PackageKind("unknown", f"unknown manifest namespace ({shown})", "", None, ns)
