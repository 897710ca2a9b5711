"""Parse a package's XML safely and turn schema violations into findings."""

from __future__ import annotations

import re

from lxml import etree

from builder.inspect.findings import ERROR, Finding, error
from builder.schemas import SchemaCatalog
from builder.xsd_check import hardened_parser, validate_xml

_CLARK = re.compile(r"\{([^}]*)\}([\w.-]+)")


def parse(data: bytes, member: str) -> tuple[etree._ElementTree | None, list[Finding]]:
    """The tree, or None with the reason; a DOCTYPE is an error (never loaded, never expanded)."""
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
    prefixes = {ns: prefix for prefix, ns in tree.getroot().nsmap.items()}
    out = []
    for issue in validate_xml(data, set_name, doc_type, catalog, name=member):
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
