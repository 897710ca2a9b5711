"""Cartridge pages link to nothing an LMS cannot resolve once each page is an activity of its own."""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml import html

from builder.load import load_course
from tests.conftest import OSEE
from tests.test_cc_cartridges import Cartridge, built, cartridge  # noqa: F401  (fixtures)


def test_pages_keep_dependency_names_but_link_no_other_page(cartridge: Cartridge) -> None:  # noqa: F811
    pages = [n for n in cartridge.names if n.endswith(".html")]
    assert pages
    for name in pages:
        doc = html.fromstring(cartridge.zip.read(name))
        for href in doc.xpath("//a/@href"):
            parts = urlsplit(href)
            assert parts.scheme or not parts.path.endswith(".html"), f"{name}: links to page {href}"
    course = load_course(OSEE)
    module = course.module("capacity-building")
    doc = html.fromstring(cartridge.zip.read(f"web_resources/module-{module.id}.html"))
    shown = [t.strip() for t in doc.xpath("//*[contains(@class, 'dep-target')]/text()")]
    assert shown == [course.module(d.module_id).title for d in module.dependencies if d.module_id]
