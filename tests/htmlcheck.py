"""Checks on built HTML folders: links resolve, nothing loads from the network, no script from content."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from lxml import html


def parse(path: Path) -> html.HtmlElement:
    return html.fromstring(path.read_bytes())


FILEBASE = "$IMS-CC-FILEBASE$/"


def broken_references(site: Path) -> list[str]:
    """Every internal href/src that does not resolve to a file (and an element id, for fragments).

    A cartridge's ``$IMS-CC-FILEBASE$/`` stands for the folder of its web files (``site``)."""
    problems = []
    ids: dict[Path, set[str]] = {}
    for page in sorted(site.rglob("*.html")):
        doc = parse(page)
        ids[page.resolve()] = {str(i) for i in doc.xpath("//@id")}
    for page in sorted(site.rglob("*.html")):
        doc = parse(page)
        for el, attr in [(e, "href") for e in doc.xpath("//*[@href]")] + [
            (e, "src") for e in doc.xpath("//*[@src]")
        ]:
            target = el.get(attr)
            if target.startswith(FILEBASE):
                relative = page.parent.relative_to(site).as_posix()
                up = "" if relative == "." else "../" * len(relative.split("/"))
                target = up + target[len(FILEBASE) :]
            parts = urlsplit(target)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            assert not parts.scheme and not parts.netloc, f"{page.name}: unexpected URL {target}"
            dest = (page.parent / unquote(parts.path)).resolve() if parts.path else page.resolve()
            if not dest.is_file():
                problems.append(f"{page.name}: {attr}={target} -> missing file")
            elif parts.fragment and dest.suffix == ".html" and parts.fragment not in ids.get(dest, set()):
                problems.append(f"{page.name}: {attr}={target} -> no element with id {parts.fragment}")
            if not dest.resolve().is_relative_to(site.resolve()):
                problems.append(f"{page.name}: {attr}={target} leaves the site folder")
    return problems


def network_loads(site: Path) -> list[str]:
    """Resources a page would fetch from the network (links a learner clicks are fine)."""
    found = []
    for page in sorted(site.rglob("*.html")):
        doc = parse(page)
        for el in doc.xpath("//script[@src]|//img[@src]|//link[@href]|//iframe[@src]|//source[@src]"):
            url = el.get("src") or el.get("href")
            if urlsplit(url).scheme or url.startswith("//"):
                found.append(f"{page.name}: {url}")
    for css in site.rglob("*.css"):
        text = css.read_text(encoding="utf-8")
        if "http:" in text or "https:" in text or "@import" in text:
            found.append(f"{css.name}: remote reference")
    return found
