"""HTML for a Moodle backup: the web format's pages, scoped to themselves, with files and links Moodle's way.

A Moodle page shows its ``content`` inside the theme's own page (mod/page/view.php formats it
with ``noclean``), so the builder's stylesheet travels in the content, every selector scoped below
the page's wrapper ``<div class="lmsb-page">``: it styles the course text and nothing of Moodle.
Images and attachments go to the file area of the page (or section) that shows them, linked as
``@@PLUGINFILE@@/path``; links to another page of the course become Moodle's restore link tokens
(``$@PAGEVIEWBYID*cmid@$``, ``$@COURSEVIEWBYID*id@$``), which restore turns into the new course's
URLs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urlsplit

import lxml.html
import tinycss2
from lxml import etree

from builder.paths import STATIC
from builder.render import ASSETS_DIR

SCOPE = "lmsb-page"
_WHOLE_PAGE = {":root", "html", "body", "main"}


def _scope_selector(selector: str) -> str:
    selector = selector.strip()
    head, _, rest = selector.partition(" ")
    if head in _WHOLE_PAGE:
        return f".{SCOPE} {rest}".rstrip() if rest else f".{SCOPE}"
    return f".{SCOPE} {selector}"


def _scope_rules(rules: list[tinycss2.ast.Node]) -> str:
    out: list[str] = []
    for rule in rules:
        if rule.type == "qualified-rule":
            selectors = tinycss2.serialize(rule.prelude).split(",")
            prelude = ", ".join(_scope_selector(s) for s in selectors)
            out.append(f"{prelude} {{{tinycss2.serialize(rule.content)}}}")
        elif rule.type == "at-rule" and rule.content is not None:
            inner = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
            nested = _scope_rules([r for r in inner if r.type in ("qualified-rule", "at-rule")])
            out.append(f"@{rule.at_keyword}{tinycss2.serialize(rule.prelude)}{{{nested}}}")
    return "\n".join(out)


@cache
def scoped_stylesheet() -> str:
    """The builder's style.css with every selector below ``.lmsb-page`` (the page's own root)."""
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    rules = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    return _scope_rules(rules)


@dataclass(frozen=True)
class FileArea:
    """Where files of one text live in Moodle: context, component, file area, item id."""

    contextid: int
    component: str
    filearea: str
    itemid: int = 0


@dataclass(frozen=True)
class AreaFile:
    area: FileArea
    path: str  # posix path inside the area ("diagrams/a.png")
    source: Path

    @property
    def filepath(self) -> str:
        parent = PurePosixPath(self.path).parent.as_posix()
        return "/" if parent == "." else f"/{parent}/"

    @property
    def filename(self) -> str:
        return PurePosixPath(self.path).name


LinkMap = Callable[[str], str | None]  # a page's file name ("module-x.html") -> a restore token, or None

# Elements that may link a file or a page, in document order (the fragment itself included).
_LINKING = etree.XPath("descendant-or-self::*[@href or @src]")
_PAGE_LINK = re.compile(r"^(?:module|page|category)-[^/]+\.html$|^(?:index|attributions)\.html$")


def main_html(document: str) -> etree._Element:
    """The ``<main>`` element of a rendered page."""
    doc = lxml.html.document_fromstring(document)
    found = doc.find(".//main")
    if found is None:
        raise ValueError("rendered page has no <main>")
    return found


def moodle_html(
    fragment: etree._Element, area: FileArea, source: Callable[[Path], Path], links: LinkMap, *, styled: bool
) -> tuple[str, list[AreaFile]]:
    """``fragment``'s children as Moodle content: files moved to ``area``, page links as tokens.

    ``styled`` wraps the content in the scoped page stylesheet (pages); summaries stay plain.
    """
    files: dict[str, AreaFile] = {}
    for element in _LINKING(fragment):
        for attr in ("href", "src"):
            value = element.get(attr)
            if not value:
                continue
            parts = urlsplit(value)
            if parts.scheme or parts.netloc:
                continue
            if parts.path.startswith(f"{ASSETS_DIR}/"):
                rel = unquote(parts.path[len(ASSETS_DIR) + 1 :])
                files.setdefault(rel, AreaFile(area, rel, source(Path(rel))))
                element.set(
                    attr, "@@PLUGINFILE@@/" + quote(rel) + (f"#{parts.fragment}" if parts.fragment else "")
                )
            elif _PAGE_LINK.match(parts.path):
                token = links(parts.path)
                if token is not None:
                    element.set(attr, token + (f"#{parts.fragment}" if parts.fragment else ""))
    wrapper = lxml.html.Element("div", {"class": SCOPE})
    if styled:
        style = lxml.html.Element("style")
        style.text = scoped_stylesheet()
        wrapper.append(style)
    wrapper.text = fragment.text
    for child in list(fragment):
        wrapper.append(child)
    if not styled:
        inner = (wrapper.text or "") + "".join(lxml.html.tostring(c, encoding="unicode") for c in wrapper)
        return inner.strip(), sorted(files.values(), key=lambda f: f.path)
    return lxml.html.tostring(wrapper, encoding="unicode"), sorted(files.values(), key=lambda f: f.path)


def fragment_of(html: str) -> etree._Element:
    """A container element for an HTML fragment (several top-level elements allowed)."""
    return lxml.html.fragment_fromstring(html or "<p></p>", create_parent="div")
