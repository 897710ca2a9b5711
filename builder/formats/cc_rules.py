"""Common Cartridge rules the XSD validation alone does not check.

* The CC profile schemas carry Schematron rules in ``xs:appinfo`` (for QTI: which metadata fields
  exist, at least three options in a multiple-choice item, a trigger for every feedback, ...).
  They are run from the locked schema files themselves, so they cannot drift from the XSDs.
(Moodle's detection of a CC 1.1 cartridge is emulated in builder.lms_rules, shared with
``builder validate``.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from builder.errors import BuildError
from builder.schemas import default_catalog
from builder.xsd_check import assert_valid_tree, hardened_parser

if TYPE_CHECKING:
    from lxml import isoschematron

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
Patterns = list[list[tuple[etree.XPath, list[tuple[etree.XPath, bool]]]]]


@dataclass(frozen=True)
class Compiled:
    """A rule file as XPath. ``any_failure`` asks the whole document at once whether any rule's
    context node fails any of that rule's checks, given ``$c``: the document's elements named by
    ``first_tags``; ``patterns`` decide exactly, in Schematron's order, when one does."""

    any_failure: etree.XPath
    first_tags: tuple[str, ...]
    patterns: Patterns


# A first step naming an element, with at most a predicate comparing its text or one attribute with a
# literal: such a step means the same on the self axis as on the child axis (no position involved).
_FIRST_STEP = re.compile(
    r"(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)(\[\s*(?:\.|@[\w.:-]+)\s*=\s*'[^']*'\s*\])?"
)


def _split_first_step(context: str) -> tuple[str, str, str]:
    """(prefix, local name, the rest after the name) of a context such as ``a:b[@x='y']/a:c``, or
    ("", "", "") when its first step is not a plain element name (then it is selected with ``//``)."""
    match = _FIRST_STEP.match(context)
    if not match or (context[match.end() :] and not context[match.end() :].startswith("/")):
        return "", "", ""
    if context[match.end() :].startswith("//"):
        return "", "", ""
    return match.group(1) or "", match.group(2), context[match.end(2) :]


def _failing_nodes(context: str, fails: str, namespaces: dict[str, str], first_tags: set[str]) -> str:
    """XPath selecting the rule's context nodes for which ``fails`` holds."""
    prefix, local, rest = _split_first_step(context)
    if not local or (prefix and prefix not in namespaces):
        return f"//{context}[{fails}]"
    first_tags.add(f"{{{namespaces[prefix]}}}{local}" if prefix else local)
    return (
        f"$c/self::{context}[{fails}]"
        if not rest
        else f"$c/self::{prefix + ':' if prefix else ''}{local}{rest}[{fails}]"
    )


@cache
def _compiled(schema_dir: Path, set_name: str, rel: str) -> Compiled:
    """Every pattern's rules as compiled XPath, so a valid document is checked without the XSLT.

    A rule's context is an XSLT match pattern: relative (matches at any depth), so it is selected
    with ``//``; within a pattern a node is checked by its first matching rule only, as in
    Schematron. An assert fails when its test is false, a report fires when its test is true.
    """
    rules = _rule_xml(schema_dir, set_name, rel)
    namespaces = {ns.get("prefix"): ns.get("uri") for ns in rules.iter(f"{{{SCH_NS}}}ns")}
    patterns: Patterns = []
    failing: list[str] = []  # per rule: its context nodes that fail one of its checks
    first_tags: set[str] = set()
    for pattern in rules.iter(f"{{{SCH_NS}}}pattern"):
        compiled = []
        for rule in pattern.iterfind(f"{{{SCH_NS}}}rule"):
            context = rule.get("context", "")
            if "|" in context or context.startswith("/"):  # not needed by the bundled rules
                raise ValueError(f"unsupported Schematron context {context!r}")
            tests = [
                (check.get("test"), check_is_assert)
                for check in rule
                if (check_is_assert := check.tag == f"{{{SCH_NS}}}assert")
                or check.tag == f"{{{SCH_NS}}}report"
            ]
            checks = [(etree.XPath(f"boolean({t})", namespaces=namespaces), a) for t, a in tests]
            compiled.append((etree.XPath(f"//{context}", namespaces=namespaces), checks))
            if tests:
                fails = " or ".join(f"not(boolean({t}))" if a else f"boolean({t})" for t, a in tests)
                failing.append(_failing_nodes(context, fails, namespaces, first_tags))
        patterns.append(compiled)
    any_failure = " or ".join(f"boolean({f})" for f in failing) or "false()"
    return Compiled(etree.XPath(any_failure, namespaces=namespaces), tuple(sorted(first_tags)), patterns)


def _passes(tree: etree._Element, compiled: Compiled) -> bool:
    """True when no assert fails and no report fires (what Schematron.validate calls valid).

    A document where no context node fails any check of its rule passes (the usual case, one XPath
    evaluation in libxml2); otherwise each node is judged by its first matching rule per pattern.
    """
    first = list(tree.getroottree().iter(*compiled.first_tags)) if compiled.first_tags else []
    if not compiled.any_failure(tree, c=first):
        return True
    for rules in compiled.patterns:
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
    from lxml import isoschematron  # only to word failures: its import compiles XSLT (~6 ms)

    rules = _rule_xml(schema_dir, set_name, rel)
    # The embedded rules use pre-ISO attributes (pattern/@name) the ISO meta-schema rejects; the
    # rule logic itself is standard XPath 1.0.
    return isoschematron.Schematron(rules, validate_schema=False, store_report=True)


def prepare(set_name: str) -> None:
    """Compile the profile rules of every document type of the set now (as XPath)."""
    schema_dir = default_catalog().schema_dir
    for (name, _doc_type), rels in RULE_FILES.items():
        if name == set_name:
            for rel in rels:
                _compiled(schema_dir, set_name, rel)


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


def checked_xml(
    name: str, root: etree._Element, set_name: str, doc_type: str, data: bytes | None = None
) -> bytes:
    """The serialisation of a cartridge's XML file (``data``, when already made), checked against
    its XSD and the profile's Schematron rules; BuildError names the file and what it breaks."""
    data = (
        etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        if data is None
        else data
    )
    assert_valid_tree(root, data, set_name, doc_type, name=name)
    issues = schematron_issues(root, set_name, doc_type)
    if issues:
        raise BuildError(f"{name} breaks the {set_name} profile rules:\n" + "\n".join(issues))
    return data
