"""Which files a course may link to and ship: nothing a browser would run as a page or script."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

#: Files learners can open safely from a package; HTML, XHTML and JavaScript would run as code in the
#: LMS origin, so they are refused (write content as Markdown instead).
ALLOWED_SUFFIXES = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".webp",
        ".svg",
        ".pdf",
        ".txt",
        ".csv",
        ".odt",
        ".ods",
        ".odp",
        ".docx",
        ".xlsx",
        ".pptx",
        ".mp3",
        ".mp4",
        ".webm",
        ".ogg",
        ".vtt",
    }
)

_SVG_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def attachment_problem(path: Path) -> str | None:
    """Why ``path`` cannot be shipped, or None when it can."""
    suffix = path.suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        return (
            f"files of type '{suffix or 'without extension'}' cannot be attached; "
            f"allowed: {', '.join(sorted(ALLOWED_SUFFIXES))}"
        )
    if suffix == ".svg":
        return _svg_problem(path)
    return None


def _svg_problem(path: Path) -> str | None:
    """SVG opened directly runs its scripts; accept only static drawings."""
    try:
        root = etree.parse(str(path), _SVG_PARSER).getroot()
    except etree.XMLSyntaxError as exc:
        return f"SVG is not well-formed XML ({exc.msg})"
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        name = etree.QName(el).localname
        if name in ("script", "foreignObject", "iframe", "embed", "object"):
            return f"SVG contains a <{name}> element; only static drawings can be attached"
        for attr, value in el.attrib.items():
            local = etree.QName(attr).localname.lower()
            if local.startswith("on"):
                return f"SVG has an event handler attribute '{local}'; remove scripts from the drawing"
            if local == "href" and not value.startswith("#"):
                return "SVG links to another resource; attach self-contained drawings only"
    return None
