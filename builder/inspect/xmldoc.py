"""Parse a package's XML safely and turn schema violations into findings."""

from __future__ import annotations

import re

from lxml import etree

from builder.inspect.findings import ERROR, WARNING, Finding, error
from builder.schemas import SchemaCatalog
from builder.xsd_check import hardened_parser, validate_xml

_CLARK = re.compile(r"\{([^}]*)\}([\w.-]+)")
# A parsed document costs ~100 bytes per node, an attribute more: refusing documents estimated (from
# the bytes, before parsing) over this many nodes keeps a check under ~160 MB whatever the markup
# (`make bench` measures the worst shapes: many tiny elements, one element with many attributes).
MAX_NODES = 1_000_000
# libxml2 locates every schema error by scanning the siblings of each ancestor: the sum of those
# scans over all elements bounds its work. Over this budget (or MAX_XSD_ELEMENTS) a document is not
# schema-checked: a manifest of 10,000 resources, files and items costs ~3e8.
XSD_BUDGET = 400_000_000
MAX_XSD_ELEMENTS = 100_000


def parse(data: bytes, member: str) -> tuple[etree._ElementTree | None, list[Finding]]:
    """The tree, or None with the reason; a DOCTYPE is an error (never loaded, never expanded)."""
    # Elements (and their text) from the opening tags, attributes (a node and its text) from "=".
    # Each byte adds at most 5 to the estimate: smaller documents need no counting.
    if (
        5 * len(data) > MAX_NODES
        and (estimate := 2 * (data.count(b"<") - data.count(b"</")) + 5 * data.count(b"=")) > MAX_NODES
    ):
        message = (
            f"about {estimate} XML nodes (elements, attributes, texts), over the {MAX_NODES} this checker "
            "parses: not checked; no LMS imports a document of that size either"
        )
        return None, [Finding(ERROR, "too-many-nodes", message, member)]
    try:
        tree = etree.fromstring(data, hardened_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        return None, [Finding(ERROR, "xml-syntax", f"not well-formed XML: {exc.msg}", member, exc.lineno)]
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        line = data[: data.find(b"<!DOCTYPE")].count(b"\n") + 1 if b"<!DOCTYPE" in data else 1
        message = (
            "has a DOCTYPE: entity declarations are an XXE/entity-bomb risk and some LMS parsers "
            "expand them; remove the DOCTYPE (this checker neither loads nor expands it)"
        )
        return tree, [Finding(ERROR, "doctype", message, member, line)]
    return tree, []


def schema_findings(
    data: bytes, tree: etree._ElementTree, set_name: str, doc_type: str, member: str, catalog: SchemaCatalog
) -> list[Finding]:
    """Violations of set_name/doc_type, with names shortened to the document's own prefixes."""
    elements, cost = xsd_cost(tree.getroot())
    if elements > MAX_XSD_ELEMENTS or cost > XSD_BUDGET:
        size = (
            f"over {MAX_XSD_ELEMENTS} elements"
            if elements > MAX_XSD_ELEMENTS
            else "too many elements side by side"
        )
        message = (
            f"not checked against the {set_name} XSD: {size} to validate in bounded time; "
            "the other checks ran"
        )
        return [Finding(WARNING, "xsd-not-checked", message, member)]
    prefixes = {ns: prefix for prefix, ns in tree.getroot().nsmap.items()}
    out = []
    for issue in validate_xml(data, set_name, doc_type, catalog, name=member, tree=tree):
        message = _shortened(issue.message, prefixes)
        out.append(
            Finding(
                ERROR,
                "xsd",
                f"{message.rstrip('.')}; fix it to match the {set_name} XSD",
                member,
                issue.line or None,
                issue.xpath,
            )
        )
    return out


def xsd_cost(root: etree._Element) -> tuple[int, int]:
    """(elements, sum over elements of the sibling counts of the element and its ancestors).

    One pass in document order; only elements with children are remembered (with their own cost).
    """
    elements, total = 0, 0
    # Each parent's cost plus its number of children, computed once: len() walks the children.
    below: dict[etree._Element, int] = {}
    for element in root.iter(tag=etree.Element):
        elements += 1
        if elements > MAX_XSD_ELEMENTS:
            break  # over the limit already
        parent = element.getparent()
        cost = 1 if parent is None else below[parent]
        total += cost
        if len(element):  # once per element: the sum over all elements is linear
            below[element] = cost + len(element)
    return elements, total


def _shortened(message: str, prefixes: dict[str, str | None]) -> str:
    """Clark names as the document writes them ({ns}item -> item or lom:item), unless ambiguous.

    Kept in full when a name would read like an unqualified one in the same message, as in
    "Element '{ns}title': ... Expected is ( title )".
    """
    short = _CLARK.sub(lambda m: _short(m, prefixes), message)
    bare = {m.group(2) for m in _CLARK.finditer(message) if prefixes.get(m.group(1), "") is None}
    unqualified = set(re.findall(r"[\w.-]+", _CLARK.sub(" ", message)))
    return message if bare & unqualified else short


def _short(match: re.Match[str], prefixes: dict[str, str | None]) -> str:
    ns, local = match.group(1), match.group(2)
    if ns not in prefixes:
        return match.group(0)
    prefix = prefixes[ns]
    return f"{prefix}:{local}" if prefix else local


def root_mismatch(tree: etree._ElementTree, expected: str, what: str, member: str) -> Finding | None:
    """An error when the root element is not expected (Clark name), else None."""
    root = tree.getroot()
    if root.tag == expected:
        return None
    return error(
        "wrong-root",
        f"root element is {root.tag}, but a {what} must be {expected}: this file is not a {what}",
        member,
        root,
    )
