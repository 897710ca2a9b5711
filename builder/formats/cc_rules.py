"""Common Cartridge rules the XSD validation alone does not check.

* The CC profile schemas carry Schematron rules in ``xs:appinfo`` (for QTI: which metadata fields
  exist, at least three options in a multiple-choice item, a trigger for every feedback, ...).
  They are run from the locked schema files themselves, so they cannot drift from the XSDs.
(Moodle's detection of a CC 1.1 cartridge is emulated in builder.lms_rules, shared with
``builder validate``.)
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from lxml import etree, isoschematron

from builder.schemas import default_catalog
from builder.xsd_check import hardened_parser

SCH_NS = "http://purl.oclc.org/dsdl/schematron"
SVRL_NS = "http://purl.oclc.org/dsdl/svrl"
XS_NS = "http://www.w3.org/2001/XMLSchema"

# Schema files (per set) whose embedded rules apply to a document type. The CP profiles' own rules
# are left out: they name CC 1.0 resource types and the CC 1.1 namespace in both versions, so they
# never match anything in a CC 1.1 or 1.3 manifest.
RULE_FILES = {
    ("cc11", "qti"): ("ccv1p1_qtiasiv1p2p1_v1p0.xsd",),
    ("cc13", "qti"): ("ccv1p3_qtiasiv1p2p1_v1p0.xsd",),
    ("cc11", "manifest"): ("ccv1p1_lommanifest_v1p0.xsd",),
    ("cc13", "manifest"): ("LOM/ccv1p3_lommanifest_v1p0.xsd",),
}


@cache
def _rule_xml(schema_dir: Path, set_name: str, rel: str) -> etree._Element:
    """The Schematron rules embedded in one schema file, as one sch:schema element."""
    files = dict(default_catalog(schema_dir).files(set_name))  # verified against schemas.lock
    xsd = etree.fromstring(files[rel].read_bytes(), hardened_parser())
    rules = etree.Element(f"{{{SCH_NS}}}schema", nsmap={"sch": SCH_NS})
    for part in xsd.iterfind(f".//{{{XS_NS}}}appinfo/*"):
        if isinstance(part.tag, str) and part.tag.startswith(f"{{{SCH_NS}}}"):
            rules.append(part)
    return rules


# A pattern compiled to XPath: its rules in order, each (context nodes, [(test, fails when)]).
Compiled = list[list[tuple[etree.XPath, list[tuple[etree.XPath, bool]]]]]


@cache
def _compiled(schema_dir: Path, set_name: str, rel: str) -> Compiled:
    """Every pattern's rules as compiled XPath, so a valid document is checked without the XSLT.

    A rule's context is an XSLT match pattern: relative (matches at any depth), so it is selected
    with ``//``; within a pattern a node is checked by its first matching rule only, as in
    Schematron. An assert fails when its test is false, a report fires when its test is true.
    """
    rules = _rule_xml(schema_dir, set_name, rel)
    namespaces = {ns.get("prefix"): ns.get("uri") for ns in rules.iter(f"{{{SCH_NS}}}ns")}
    patterns: Compiled = []
    for pattern in rules.iter(f"{{{SCH_NS}}}pattern"):
        compiled = []
        for rule in pattern.iterfind(f"{{{SCH_NS}}}rule"):
            context = rule.get("context", "")
            if "|" in context or context.startswith("/"):  # not needed by the bundled rules
                raise ValueError(f"unsupported Schematron context {context!r}")
            checks = [
                (etree.XPath(f"boolean({check.get('test')})", namespaces=namespaces), check_is_assert)
                for check in rule
                if (check_is_assert := check.tag == f"{{{SCH_NS}}}assert")
                or check.tag == f"{{{SCH_NS}}}report"
            ]
            compiled.append((etree.XPath(f"//{context}", namespaces=namespaces), checks))
        patterns.append(compiled)
    return patterns


def _passes(tree: etree._Element, patterns: Compiled) -> bool:
    """True when no assert fails and no report fires (what Schematron.validate calls valid)."""
    for rules in patterns:
        seen: set[etree._Element] = set()
        for context, checks in rules:
            for node in context(tree):
                if node in seen:
                    continue
                seen.add(node)
                for test, is_assert in checks:
                    if test(node) != is_assert:
                        return False
    return True


@cache
def _schematron(schema_dir: Path, set_name: str, rel: str) -> isoschematron.Schematron:
    rules = _rule_xml(schema_dir, set_name, rel)
    # The embedded rules use pre-ISO attributes (pattern/@name) the ISO meta-schema rejects; the
    # rule logic itself is standard XPath 1.0.
    return isoschematron.Schematron(rules, validate_schema=False, store_report=True)


def schematron_issues(tree: etree._Element, set_name: str, doc_type: str) -> list[str]:
    """Failed assertions of the profile rules for this document type: ``location: message``."""
    schema_dir = default_catalog().schema_dir
    issues = []
    for rel in RULE_FILES.get((set_name, doc_type), ()):
        if _passes(tree, _compiled(schema_dir, set_name, rel)):
            continue  # the XSLT below only words failures
        schematron = _schematron(schema_dir, set_name, rel)
        if schematron.validate(tree):
            continue
        for failed in schematron.validation_report.iterfind(f".//{{{SVRL_NS}}}failed-assert"):
            text = " ".join("".join(failed.itertext()).split())
            issues.append(f"{failed.get('location')}: {text}")
    return issues
