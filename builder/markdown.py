"""Markdown for untrusted course text: raw HTML off, only safe link schemes, links checked and rewritten.

One parser configuration serves loading (link checks with positions) and rendering, so what the
checks approve is exactly what the renderer emits.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from builder.errors import Pos

#: Schemes a learner's browser may follow. Anything else (javascript:, data:, vbscript:, file: ...)
#: is refused at load time and dropped by the renderer as a second line of defence.
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})


@dataclass(frozen=True)
class LinkRef:
    """A link or image target found in Markdown, with its position."""

    target: str
    pos: Pos
    image: bool

    @property
    def scheme(self) -> str:
        return urlsplit(self.target).scheme.lower()

    @property
    def is_relative(self) -> bool:
        parts = urlsplit(self.target)
        return not parts.scheme and not parts.netloc and not self.target.startswith("/")


def _safe_link(url: str) -> bool:
    parts = urlsplit(url.strip())
    if parts.scheme:
        return parts.scheme.lower() in SAFE_SCHEMES
    return not url.strip().startswith("//")  # protocol-relative URLs would load from the network


def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = _safe_link
    return md


_PARSER = parser()
# validateLink would hide unsafe links from the token stream; links() inspects with an unchecked twin,
# built once (a MarkdownIt keeps no state between parses).
_UNCHECKED = parser()
_UNCHECKED.validateLink = lambda url: True


def _line_col(lines: list[str], first_line: int, target: str) -> tuple[int, int]:
    """Locate a link target inside its block so the error points at it, not just at the paragraph."""
    for offset, line in enumerate(lines[first_line:], start=first_line):
        col = line.find(target)
        if col >= 0:
            return offset + 1, col + 1
    return first_line + 1, 1


def may_link(text: str) -> bool:
    """False when ``text`` cannot hold a link or image: CommonMark's start with "[" or "![", its
    autolinks with "<" (most texts of a course have none, and need no parse)."""
    return "[" in text or "<" in text


def links(text: str, origin: Pos, *, inline: bool) -> Iterator[LinkRef]:
    """Every link/image target in ``text``; positions are file positions (inline: the YAML value's)."""
    if not may_link(text):
        return
    lines = text.splitlines()
    tokens = _UNCHECKED.parse(text)
    for block in tokens:
        if block.type != "inline" or not block.children:
            continue
        first = block.map[0] if block.map else 0
        for tok in _walk(block.children):
            attr = "src" if tok.type == "image" else "href"
            if tok.type not in ("link_open", "image") or tok.attrGet(attr) is None:
                continue
            target = str(tok.attrGet(attr))
            if inline:
                pos = origin
            else:
                line, col = _line_col(lines, first, target)
                pos = Pos(origin.file, origin.line + line - 1, col)
            yield LinkRef(target, pos, tok.type == "image")


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


def resolve_relative(ref: LinkRef, base: Path, root: Path) -> Path | None:
    """Course-relative path a relative link points to, or None when it leaves the course folder."""
    path_part = unquote(urlsplit(ref.target).path)
    if not path_part:
        return None
    joined = posixpath.normpath(posixpath.join(base.relative_to(root).as_posix(), path_part))
    if joined == ".." or joined.startswith("../") or PurePosixPath(joined).is_absolute():
        return None
    return Path(joined)


def render(
    text: str,
    rewrite: Callable[[str, bool], str | None],
    *,
    top_heading: int = 2,
    md: MarkdownIt | None = None,
) -> str:
    """HTML for ``text``; ``rewrite(target, is_image)`` maps each relative target to its output URL.

    Returning None from ``rewrite`` drops the link (the text stays). Headings are shifted so the
    highest one becomes ``<h{top_heading}>``: authors need not know where their text is placed.
    """
    if (plain := _plain_paragraph(text)) is not None:  # nothing to parse, link or shift
        return plain + "\n"
    md = md or _PARSER
    env: dict[str, object] = {}
    tokens = md.parse(text, env)
    levels = [int(t.tag[1]) for t in tokens if t.type == "heading_open"]
    shift = top_heading - min(levels) if levels else 0
    _anchor_headings(tokens)
    tokens = _wrap_tables(tokens)
    for tok in _walk(tokens):
        if shift and tok.type in ("heading_open", "heading_close"):
            tok.tag = f"h{max(1, min(6, int(tok.tag[1]) + shift))}"
        if tok.type == "th_open":
            tok.attrSet("scope", "col")
        if tok.type in ("link_open", "image"):
            attr = "src" if tok.type == "image" else "href"
            target = str(tok.attrGet(attr) or "")
            parts = urlsplit(target)
            if parts.scheme or parts.netloc:
                if tok.type == "image":  # would load from the network (loading refuses these too)
                    tok.attrs.pop(attr, None)
                elif parts.scheme in ("http", "https"):
                    tok.attrSet("rel", "noopener")
                continue
            if not parts.path:  # fragment-only link within the same page
                continue
            new = rewrite(target, tok.type == "image")
            if new is None:
                tok.attrs.pop(attr, None)
            else:
                tok.attrSet(attr, new)
    return md.renderer.render(tokens, md.options, env)


# Text shown apart from the course's pages (quiz text in SCORM, QTI, Moodle XML, GIFT; framework
# descriptions): there are no course files beside it, and packages load nothing from anywhere.
_DETACHED = parser()
_DETACHED.disable("image")
_SOLE_PARAGRAPH = re.compile(r"^<p>((?:(?!</?p>).)*)</p>$", re.DOTALL)


def _drop_link(_target: str, _image: bool) -> None:
    return None


@lru_cache(maxsize=8192)
def render_detached(text: str, top_heading: int = 2) -> str:
    """HTML of Markdown shown outside the course's pages: links to course files dropped, no images.

    Cached: the same descriptions recur across questions and formats of one build.
    """
    return render(text, _drop_link, top_heading=top_heading, md=_DETACHED).strip()


# Characters that can start or end any CommonMark construct (emphasis, code, links, autolinks,
# entities, escapes, headings, tables, strikethrough), whitespace other than the space and the line
# break (tabs, other breaks), and line starts that open a block.
_NEEDS_PARSER = re.compile(r"[\\`*_\[\]<>&!#|~\x00]|[^\S \n]")
_BLOCK_START = re.compile(r"[-+=>]|\d{1,9}[.)]")


def _plain_paragraph(text: str) -> str | None:
    """The HTML of text with no Markdown syntax at all (most option, feedback and stem texts)
    without parsing it: one ``<p>`` per paragraph (blank-line separated; a line break inside one
    stays), quotes escaped, exactly what the parser gives (tests compare the two on generated
    texts); None when the text needs the parser."""
    if not text or text != text.strip() or _NEEDS_PARSER.search(text):
        return None
    paragraphs: list[list[str]] = [[]]
    for line in text.split("\n"):
        if not line:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        if line != line.strip() or _BLOCK_START.match(line):  # indents, hard breaks, block starts
            return None
        paragraphs[-1].append(line)
    return "\n".join("<p>" + "\n".join(lines).replace('"', "&quot;") + "</p>" for lines in paragraphs)


def render_detached_inline(text: str) -> str:
    """``render_detached`` for short texts such as options: a single paragraph loses its ``<p>``."""
    rendered = render_detached(text)
    match = _SOLE_PARAGRAPH.match(rendered)
    return match.group(1) if match else rendered


_BLOCKS = frozenset(
    {"p", "ul", "ol", "li", "div", "blockquote", "pre", "table", "hr", "h1", "h2", "h3", "h4", "h5", "h6"}
)


def render_phrasing(text: str) -> str:
    """``render_detached_inline`` that never gives block elements, for places such as ``<label>``
    that allow phrasing content only: paragraphs and list items become lines (``<br>``), items
    marked with "•"."""
    rendered = render_detached_inline(text)
    if "<" not in rendered:
        return rendered
    import html as html_lib

    import lxml.html  # only texts with block Markdown need it

    def lines(element: lxml.html.HtmlElement, mark: str = "") -> list[str]:
        if element.tag not in _BLOCKS:
            return [lxml.html.tostring(element, encoding="unicode", with_tail=False)]
        out: list[str] = []
        current = html_lib.escape(element.text or "")
        for child in element:
            if child.tag in _BLOCKS:
                if current.strip():
                    out.append(current.strip())
                current = ""
                out += lines(child, "• " if child.tag == "li" else "")
            else:
                current += lxml.html.tostring(child, encoding="unicode", with_tail=False)
            current += html_lib.escape(child.tail or "")
        if current.strip():
            out.append(current.strip())
        return [mark + out[0], *out[1:]] if out and mark else out

    return "<br>".join(lines(lxml.html.fragment_fromstring(rendered, create_parent="div")))


def plain_text(text: str) -> str:
    """Markdown as plain text for formats that carry no HTML (CASE statements, QTI answer texts):
    a paragraph per block, list items as "- " lines, web links as "text (address)"."""
    if _plain_paragraph(text) is not None and "\n\n" not in text:  # no Markdown, one paragraph
        return " ".join(text.split())
    return plain_text_of(render_detached(text))


def plain_text_of(rendered: str) -> str:
    """``plain_text`` of HTML that ``render_detached`` gave."""
    import lxml.html  # only the plain-text formats need it

    if not rendered:
        return ""

    def inline(element: lxml.html.HtmlElement) -> str:
        for anchor in element.iter("a"):
            href = anchor.get("href", "")
            if href.startswith(("http://", "https://")) and href != anchor.text_content().strip():
                anchor.tail = f" ({href})" + (anchor.tail or "")
        return " ".join(element.text_content().split())

    blocks: list[str] = []
    for element in lxml.html.fragments_fromstring(rendered):
        if isinstance(element, str):
            blocks.append(" ".join(element.split()))
        elif element.tag in ("ul", "ol"):
            items = element.findall("li")
            marks = [f"{n}." for n in range(1, len(items) + 1)] if element.tag == "ol" else ["-"] * len(items)
            blocks.append("\n".join(f"{mark} {inline(li)}" for mark, li in zip(marks, items, strict=True)))
        else:
            blocks.append(inline(element))
    return "\n\n".join(block for block in blocks if block)


def slug(text: str) -> str:
    """GitHub-style heading anchor: lower case, punctuation dropped, spaces to hyphens."""
    kept = "".join(ch for ch in text.lower() if ch.isalnum() or ch in " -_")
    return "-".join(kept.split()) or "section"


def _anchor_headings(tokens: list[Token]) -> None:
    """Give headings ids so authors can link to ``page.md#heading``."""
    used: dict[str, int] = {}
    for i, tok in enumerate(tokens):
        if tok.type != "heading_open":
            continue
        base = slug(
            "".join(c.content for c in tokens[i + 1].children or [] if c.type in ("text", "code_inline"))
        )
        used[base] = used.get(base, 0) + 1
        tok.attrSet("id", base if used[base] == 1 else f"{base}-{used[base]}")


def _wrap_tables(tokens: list[Token]) -> list[Token]:
    """Wide tables scroll inside a focusable region instead of widening the page on a phone."""
    out: list[Token] = []
    for tok in tokens:
        if tok.type == "table_open":
            opener = Token("html_block", "", 0)
            opener.content = '<div class="table-wrap" role="region" aria-label="Table" tabindex="0">\n'
            out.append(opener)
        out.append(tok)
        if tok.type == "table_close":
            closer = Token("html_block", "", 0)
            closer.content = "</div>\n"
            out.append(closer)
    return out
