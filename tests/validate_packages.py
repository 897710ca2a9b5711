"""Small valid packages for the `builder validate` tests, and a zip writer that can also write bad entries.

Each broken fixture is one of these with a single change, so a test shows exactly which change
the checker must catch.
"""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from tests.conftest import FIXTURES

XML = FIXTURES / "xml"
PAGE = b"<!DOCTYPE html>\n<html lang='en'><head><title>Page</title></head><body><p>Hi</p></body></html>\n"

Entries = dict[str, bytes]


def scorm12() -> Entries:
    return {"imsmanifest.xml": (XML / "scorm12_manifest.xml").read_bytes(), "index.html": PAGE}


def scorm2004() -> Entries:
    return {"imsmanifest.xml": (XML / "scorm2004_manifest.xml").read_bytes(), "index.html": PAGE}


def cartridge_manifest(minor: int) -> str:
    """A CC 1.<minor> manifest with a page, a quiz, a web link and a discussion."""
    v = f"v1p{minor}"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<manifest xmlns="http://www.imsglobal.org/xsd/imscc{v}/imscp_v1p1"
          xmlns:lomimscc="http://ltsc.ieee.org/xsd/imscc{v}/LOM/manifest"
          identifier="cartridge">
  <metadata>
    <schema>IMS Common Cartridge</schema>
    <schemaversion>1.{minor}.0</schemaversion>
    <lomimscc:lom>
      <lomimscc:general>
        <lomimscc:title><lomimscc:string language="en">Fixture</lomimscc:string></lomimscc:title>
      </lomimscc:general>
    </lomimscc:lom>
  </metadata>
  <organizations>
    <organization identifier="org1" structure="rooted-hierarchy">
      <item identifier="root">
        <item identifier="i-page" identifierref="r-page"><title>Welcome</title></item>
        <item identifier="i-quiz" identifierref="r-quiz"><title>Quiz</title></item>
        <item identifier="i-link" identifierref="r-link"><title>Link</title></item>
        <item identifier="i-forum" identifierref="r-forum"><title>Forum</title></item>
      </item>
    </organization>
  </organizations>
  <resources>
    <resource identifier="r-page" type="webcontent" href="welcome.html">
      <file href="welcome.html"/>
    </resource>
    <resource identifier="r-quiz" type="imsqti_xmlv1p2/imscc_xml{v}/assessment">
      <file href="r-quiz/assessment.xml"/>
    </resource>
    <resource identifier="r-link" type="imswl_xml{v}">
      <file href="r-link.xml"/>
    </resource>
    <resource identifier="r-forum" type="imsdt_xml{v}">
      <file href="r-forum.xml"/>
    </resource>
  </resources>
</manifest>
"""


def cartridge(minor: int) -> Entries:
    v = f"v1p{minor}"
    link = f'<webLink xmlns="http://www.imsglobal.org/xsd/imscc{v}/imswl_{v}"><title>OSI</title>'
    topic = f'<topic xmlns="http://www.imsglobal.org/xsd/imscc{v}/imsdt_{v}"><title>Hello</title>'
    return {
        "imsmanifest.xml": cartridge_manifest(minor).encode(),
        "welcome.html": PAGE,
        "r-quiz/assessment.xml": (XML / "cc11_qti_assessment.xml").read_bytes(),
        "r-link.xml": (link + '<url href="https://opensource.org/"/></webLink>').encode(),
        "r-forum.xml": (topic + '<text texttype="text/plain">Introduce yourself</text></topic>').encode(),
    }


def cartridge10() -> Entries:
    """A CC 1.0 cartridge: a CC 1.1 one with the 1.0 namespaces, types and unqualified web link."""
    manifest = cartridge_manifest(1).replace("imsccv1p1/imscp_v1p1", "imscc/imscp_v1p1")
    manifest = manifest.replace("imsccv1p1/LOM/manifest", "imscc/LOM").replace("1.1.0", "1.0.0")
    manifest = manifest.replace("_xmlv1p1", "_xmlv1p0")
    link = '<wl:webLink xmlns:wl="http://www.imsglobal.org/xsd/imswl_v1p0"><title>OSI</title>'
    topic = '<dt:topic xmlns:dt="http://www.imsglobal.org/xsd/imsdt_v1p0"><title>Hello</title>'
    return {
        **cartridge(1),
        "imsmanifest.xml": manifest.encode(),
        "r-link.xml": (link + '<url href="https://opensource.org/"/></wl:webLink>').encode(),
        "r-forum.xml": (topic + '<text texttype="text/plain">Introduce yourself</text></dt:topic>').encode(),
    }


def imscp() -> Entries:
    """A plain IMS content package (CP 1.1.4 namespace, no SCORM extensions)."""
    manifest = (XML / "scorm2004_manifest.xml").read_text(encoding="utf-8")
    manifest = manifest.replace(' adlcp:scormType="sco"', "").replace("2004 4th Edition", "1.1.4")
    manifest = manifest.replace("<schema>ADL SCORM</schema>", "<schema>IMS Content</schema>")
    manifest = manifest.replace('          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_v1p3"\n', "")
    return {"imsmanifest.xml": manifest.encode(), "index.html": PAGE}


def replace(entries: Entries, member: str, old: str, new: str, count: int = 1) -> Entries:
    """A copy with old replaced by new in one member; fails loudly if old is not there."""
    text = entries[member].decode("utf-8")
    assert old in text, f"{old!r} not in {member}"
    return {**entries, member: text.replace(old, new, count).encode("utf-8")}


def write_zip(
    path: Path, entries: Mapping[str, bytes], extra: Iterable[tuple[zipfile.ZipInfo, bytes]] = ()
) -> Path:
    """A zip of entries, then extra raw (ZipInfo, data) entries written exactly as given."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for info, data in extra:
            zf.writestr(info, data)
    return path


def symlink_entry(name: str, target: str) -> tuple[zipfile.ZipInfo, bytes]:
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info, target.encode()


def write_folder(path: Path, entries: Mapping[str, bytes]) -> Path:
    for name, data in entries.items():
        target = path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return path
