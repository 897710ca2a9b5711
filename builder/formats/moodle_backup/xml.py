"""lxml helpers for Moodle backup XML: fields in order, Moodle's NULL marker, bytes as Moodle writes them."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction

from lxml import etree

DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'
NULL = "$@NULL@$"  # how Moodle's backup writes a database NULL

Value = str | int | Fraction | Decimal | None


_SubElement = etree.SubElement
# Elements with no child and no text: written ``<a></a>`` (see to_bytes).
_CHILDLESS_EMPTY = etree.XPath("descendant-or-self::*[not(node())]")


def text(value: Value) -> str:
    kind = value.__class__
    if kind is str:
        return value  # type: ignore[return-value]
    if kind is int:
        return str(value)
    if value is None:
        return NULL
    if isinstance(value, Fraction):
        return f"{float(value):.7f}"
    return str(value)


def root(tag: str, **attrs: Value) -> etree._Element:
    return etree.Element(tag, {k: text(v) for k, v in attrs.items()})


def add(parent: etree._Element, tag: str, value: Value = "", **attrs: Value) -> etree._Element:
    if attrs:
        element = _SubElement(parent, tag, {k: text(v) for k, v in attrs.items()})
    else:
        element = _SubElement(parent, tag)
    if value != "":
        element.text = text(value)
    return element


def group(parent: etree._Element, tag: str, **attrs: Value) -> etree._Element:
    """An element holding only children (``<answers>``): written open and closed even when empty."""
    if attrs:
        return _SubElement(parent, tag, {k: text(v) for k, v in attrs.items()})
    return _SubElement(parent, tag)


def fields(parent: etree._Element, values: Mapping[str, Value]) -> etree._Element:
    for tag, value in values.items():
        element = _SubElement(parent, tag)
        kind = value.__class__
        if kind is str:
            if value:
                element.text = value  # type: ignore[assignment]
        elif kind is int:
            element.text = str(value)
        elif value != "":
            element.text = text(value)
    return parent


def to_bytes(element: etree._Element) -> bytes:
    """The document as Moodle writes one: every element open and closed (``<a></a>``), never ``<a/>``."""
    for node in _CHILDLESS_EMPTY(element):
        node.text = ""
    # Moodle finds a backup by this exact declaration in moodle_backup.xml's first 200 bytes
    # (convert_helper::detect_moodle2_format); lxml's own uses single quotes.
    return DECLARATION + etree.tostring(element, encoding="UTF-8", pretty_print=True)


def empty_files() -> dict[str, bytes]:
    """The files every activity carries and this builder leaves empty, as Moodle writes them."""
    return dict(_empty_files())


@functools.cache
def _empty_files() -> dict[str, bytes]:
    roles = root("roles")
    group(roles, "role_overrides")
    group(roles, "role_assignments")
    filters = root("filters")
    group(filters, "filter_actives")
    group(filters, "filter_configs")
    history = root("grade_history")
    group(history, "grade_grades")
    return {
        "roles.xml": to_bytes(roles),
        "filters.xml": to_bytes(filters),
        "calendar.xml": to_bytes(empty("events")),
        "grade_history.xml": to_bytes(history),
    }


def empty(tag: str) -> etree._Element:
    return root(tag)
