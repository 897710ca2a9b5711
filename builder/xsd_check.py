"""Validate generated XML against the official schemas; each problem as ``name:line:col: message``.

Documents are parsed with a hardened parser: no DTD loading, no entity expansion, no network, no
huge-tree mode. Our generators never write a DOCTYPE, so one is reported rather than honoured.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from builder.errors import BuildError
from builder.schemas import SchemaCatalog, default_catalog


@dataclass(frozen=True)
class XmlIssue:
    """One problem in an XML document. column is 0 when unknown (schema engines rarely report it)."""

    name: str
    line: int
    column: int
    xpath: str | None
    message: str

    def __str__(self) -> str:
        where = f" ({self.xpath})" if self.xpath else ""
        return f"{self.name}:{self.line}:{self.column}: {self.message}{where}"


class InvalidXmlError(BuildError):
    """Generated XML failed schema validation; issues holds every problem found."""

    def __init__(self, name: str, set_name: str, doc_type: str, issues: list[XmlIssue]):
        self.issues = issues
        lines = "\n".join(str(issue) for issue in issues)
        super().__init__(f"{name} is not valid {set_name} {doc_type} XML:\n{lines}")


class _NoExternalAccess(etree.Resolver):
    """Belt and braces: even if libxml2 asked for an external resource, it would get nothing."""

    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        return self.resolve_empty(context)


def hardened_parser() -> etree.XMLParser:
    """A fresh parser (lxml parsers are not thread-safe) that reads nothing but the given bytes."""
    parser = etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=False,
    )
    parser.resolvers.add(_NoExternalAccess())
    return parser


def validate_xml(
    data: bytes | Path,
    set_name: str,
    doc_type: str,
    catalog: SchemaCatalog | None = None,
    *,
    name: str | None = None,
    tree: etree._ElementTree | None = None,
) -> list[XmlIssue]:
    """All problems of one document against set_name/doc_type; an empty list means valid.

    tree, when given, is data already parsed with hardened_parser (never parsed twice).
    """
    if isinstance(data, Path):
        name = name or str(data)
        data = data.read_bytes()
    name = name or "<xml>"
    # Compile first: a broken schema setup must fail loudly even for unparsable input.
    catalog = catalog or default_catalog()
    schema = catalog.schema(set_name, doc_type)
    if tree is None:
        try:
            tree = etree.fromstring(data, hardened_parser()).getroottree()
        except etree.XMLSyntaxError as exc:
            line, column = exc.position
            return [XmlIssue(name, line, column, None, exc.msg)]
    if tree.docinfo.internalDTD is not None or tree.docinfo.doctype:
        # Unexpanded entity nodes make libxml2 abort validation, and an LMS might expand them:
        # the DOCTYPE itself is the problem to fix.
        line = data[: data.find(b"<!DOCTYPE")].count(b"\n") + 1 if b"<!DOCTYPE" in data else 1
        message = "DOCTYPE not allowed (entities are not expanded; schema validation skipped)"
        return [XmlIssue(name, line, 0, None, message)]
    root = tree.getroot()
    document = schema.document
    if root.tag != document.root:
        message = f"root element is {root.tag}, expected {document.root} ({document.description})"
        return [XmlIssue(name, root.sourceline or 1, 0, xpath_of(root), message)]
    paths = XPaths()
    return [XmlIssue(name, v.line, v.column, paths.of(v.element), v.message) for v in schema.violations(tree)]


def assert_valid(
    data: bytes | Path,
    set_name: str,
    doc_type: str,
    catalog: SchemaCatalog | None = None,
    *,
    name: str | None = None,
) -> None:
    """Raise InvalidXmlError (a BuildError) listing every issue, one ``name:line:col: ...`` each."""
    issues = validate_xml(data, set_name, doc_type, catalog, name=name)
    if issues:
        shown = name or (str(data) if isinstance(data, Path) else "<xml>")
        raise InvalidXmlError(shown, set_name, doc_type, issues)


def assert_valid_tree(
    root: etree._Element,
    data: bytes,
    set_name: str,
    doc_type: str,
    catalog: SchemaCatalog | None = None,
    *,
    name: str,
) -> None:
    """``assert_valid`` for a document built in memory and serialised to ``data``, without parsing it.

    The tree is what was serialised, so it is exactly as valid: only on failure is ``data`` parsed,
    to report each issue with its line in the file (the tree's own issues if that finds none).
    """
    issues = validate_xml(data, set_name, doc_type, catalog, name=name, tree=root.getroottree())
    if issues:
        raise InvalidXmlError(
            name, set_name, doc_type, validate_xml(data, set_name, doc_type, catalog, name=name) or issues
        )


def xpath_of(element: etree._Element | None, paths: XPaths | None = None) -> str | None:
    """A readable path with the document's own prefixes, e.g. /manifest/resources/resource[2]."""
    return (paths or XPaths()).of(element)


class XPaths:
    """Readable XPaths for the elements of one document, each list of siblings indexed once.

    Locating many findings in a large document stays linear: a parent's children are numbered the
    first time one of them is asked for, and every path is remembered.
    """

    def __init__(self) -> None:
        self._steps: dict[etree._Element, str] = {}
        self._paths: dict[etree._Element, str] = {}

    def of(self, element: etree._Element | None) -> str | None:
        if element is None or not isinstance(element.tag, str):
            return None
        chain: list[etree._Element] = []
        node: etree._Element | None = element
        while node is not None and node not in self._paths:
            chain.append(node)
            node = node.getparent()
        path = "" if node is None else self._paths[node]
        for node in reversed(chain):
            path = f"{path}/{self._step(node)}"
            self._paths[node] = path
        return path

    def _step(self, node: etree._Element) -> str:
        if node not in self._steps:
            parent = node.getparent()
            siblings = [node] if parent is None else [c for c in parent if isinstance(c.tag, str)]
            counts: dict[str, int] = {}
            for sibling in siblings:
                counts[sibling.tag] = counts.get(sibling.tag, 0) + 1
            seen: dict[str, int] = {}
            for sibling in siblings:
                local = etree.QName(sibling).localname
                step = f"{sibling.prefix}:{local}" if sibling.prefix else local
                if counts[sibling.tag] > 1:
                    seen[sibling.tag] = seen.get(sibling.tag, 0) + 1
                    step += f"[{seen[sibling.tag]}]"
                self._steps[sibling] = step
        return self._steps[node]
