"""Which files a course may link to and ship: nothing a browser would run as a page or script."""

from __future__ import annotations

import re
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


# Characters that break links in LMS players (Moodle's SCORM player among them) or in URLs.
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f:&'\"|#%?\\<>*]")


def attachment_problem(path: Path, rel: Path | None = None) -> str | None:
    """Why ``path`` (course-relative ``rel``) cannot be shipped, or None when it can."""
    if rel is not None and (bad := _UNSAFE_NAME.search(rel.as_posix())):
        return (
            f"the file name contains {bad.group()!r}, which breaks links in LMS players; "
            "rename the file (letters, digits, spaces, - _ . ( ) are safe)"
        )
    suffix = path.suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        return (
            f"files of type '{suffix or 'without extension'}' cannot be attached; "
            f"allowed: {', '.join(sorted(ALLOWED_SUFFIXES))}"
        )
    if suffix == ".svg":
        return _svg_problem(path)
    return None


_SVG_ACTIVE = {
    "script",
    "foreignObject",
    "iframe",
    "embed",
    "object",
    "set",
    "animate",
    "animateMotion",
    "animateTransform",
    "animateColor",
    "handler",
    "listener",
}
_REMOTE_CSS = re.compile(r"@import|url\(\s*['\"]?(?!#)", re.IGNORECASE)


def _svg_problem(path: Path) -> str | None:
    """SVG opened directly runs its scripts; accept only static, self-contained drawings."""
    try:
        tree = etree.parse(str(path), _SVG_PARSER)
    except etree.XMLSyntaxError as exc:
        return f"SVG is not well-formed XML ({exc.msg})"
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        return "SVG has a DOCTYPE (entities can hide scripts); remove the DOCTYPE"
    for el in tree.getroot().iter():
        if not isinstance(el.tag, str):
            if isinstance(el, etree._Entity):
                return "SVG uses entities; write the content out"
            continue
        name = etree.QName(el).localname
        if name in _SVG_ACTIVE:
            return f"SVG contains a <{name}> element; only static drawings can be attached"
        if name == "style" and _REMOTE_CSS.search("".join(el.itertext())):
            return "SVG style loads another resource (url() or @import); attach self-contained drawings only"
        for attr, value in el.attrib.items():
            local = etree.QName(attr).localname.lower()
            if local.startswith("on"):
                return f"SVG has an event handler attribute '{local}'; remove scripts from the drawing"
            if local == "href" and not value.startswith("#"):
                return "SVG links to another resource; attach self-contained drawings only"
            if _REMOTE_CSS.search(value):
                return (
                    "SVG style loads another resource (url() or @import); attach self-contained drawings only"
                )
            if "javascript:" in "".join(value.split()).lower():
                return "SVG contains a javascript: address; remove it"
    return None


# How each raster image format starts; SVG is XML checked by _svg_problem.
_IMAGE_MAGIC = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
}


def image_problem(path: Path) -> str | None:
    """Why a file shown as an image (``![alt](file)``) would not display, or None when it would."""
    size = path.stat().st_size
    if size == 0:
        return "is an empty (0-byte) file; save the image again or remove it"
    suffix = path.suffix.lower()
    if suffix == ".svg":
        return None
    magic = _IMAGE_MAGIC.get(suffix)
    if magic is None:
        kinds = ", ".join([*_IMAGE_MAGIC, ".svg"])
        return f"is not an image ({suffix or 'no extension'}); images can be {kinds}"
    with path.open("rb") as f:
        head = f.read(16)
    if not head.startswith(magic) or (suffix == ".webp" and head[8:12] != b"WEBP"):
        return f"does not hold {suffix[1:].upper()} image data (wrong extension, or a damaged file)"
    return None
