"""Hostile packages, generated (never committed as binaries): for the tests and for `make bench`.

``raw_zip`` writes a zip byte by byte, so a test can put into the central directory and the local
headers exactly what an attacker or a broken zipper would: other names, flags, methods, offsets.
Each ``case_*`` function writes one case of issue 12 into a folder and returns its path.
"""

from __future__ import annotations

import random
import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.validate_packages import PAGE, cartridge, scorm12, write_zip

MANIFEST = "imsmanifest.xml"


@dataclass(frozen=True)
class RawEntry:
    """One member as written: the central name/flags/method may differ from the local ones."""

    name: bytes
    data: bytes  # the member's bytes as stored (already compressed for methods other than 0)
    size: int | None = None  # uncompressed size; len(data) when None
    crc: int | None = None
    method: int = 0
    flags: int = 0
    local_name: bytes | None = None  # None: same as name
    local_flags: int | None = None
    local_method: int | None = None
    mode: int = 0o100644


def raw_zip(path: Path, entries: Sequence[RawEntry], *, count: int | None = None, cd_shift: int = 0) -> Path:
    """A zip of exactly these records; count overrides the EOCD's entry count, cd_shift its offset."""
    body, central = bytearray(), bytearray()
    for e in entries:
        size = len(e.data) if e.size is None else e.size
        crc = zlib.crc32(e.data) if e.crc is None else e.crc
        local_name = e.name if e.local_name is None else e.local_name
        local_flags = e.flags if e.local_flags is None else e.local_flags
        local_method = e.method if e.local_method is None else e.local_method
        offset = len(body)
        body += struct.pack(
            "<4s2B4HL2L2H",
            b"PK\x03\x04",
            20,
            0,
            local_flags,
            local_method,
            0,
            0x21,
            crc,
            len(e.data),
            size,
            len(local_name),
            0,
        )
        body += local_name + e.data
        central += struct.pack(
            "<4s4B4HL2L5H2L",
            b"PK\x01\x02",
            20,
            3,
            20,
            0,
            e.flags,
            e.method,
            0,
            0x21,
            crc,
            len(e.data),
            size,
            len(e.name),
            0,
            0,
            0,
            0,
            e.mode << 16,
            offset,
        )
        central += e.name
    n = len(entries) if count is None else count
    eocd = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, min(n, 0xFFFF), min(n, 0xFFFF), len(central), len(body) + cd_shift, 0
    )
    path.write_bytes(bytes(body + central + eocd))
    return path


def stored(name: str, data: bytes, **kw: object) -> RawEntry:
    return RawEntry(name.encode(), data, **kw)  # type: ignore[arg-type]


def package_entries(entries: dict[str, bytes]) -> list[RawEntry]:
    return [stored(name, data) for name, data in entries.items()]


def manifest_with_resources(count: int, href: Callable[[int], str], kind: str = "webcontent") -> bytes:
    """A CC 1.1 manifest with count resources, resource i pointing at href(i)."""
    base = cartridge(1)[MANIFEST].decode()
    items = "".join(
        f'<resource identifier="r{i}" type="{kind}" href="{href(i)}"><file href="{href(i)}"/></resource>'
        for i in range(count)
    )
    return base.replace("<resources>", "<resources>" + items, 1).encode()


# Each case: (file name, writer). The writers take the folder to write into.


def case_missing_files(folder: Path, count: int = 10_000) -> Path:
    """count resources, each naming a file the package lacks."""
    entries = {**cartridge(1), MANIFEST: manifest_with_resources(count, lambda i: f"missing/{i}.html")}
    return write_zip(folder / f"missing-{count}.zip", entries)


def case_shared_qti(
    folder: Path, count: int = 1_000, megabytes: float = 32, compressible: bool = True
) -> Path:
    """count assessments that all name one large QTI file (very compressible, or hardly)."""
    qti = cartridge(1)["r-quiz/assessment.xml"].decode()
    size = int(megabytes * (1 << 20))
    filler = "x" * size if compressible else random.Random(1).randbytes(size // 2).hex()
    padding = "<!--" + filler + "-->"
    kind = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
    entries = {
        **cartridge(1),
        MANIFEST: manifest_with_resources(count, lambda i: "big/assessment.xml", kind),
        "big/assessment.xml": qti.replace("<questestinterop", padding + "<questestinterop", 1).encode(),
    }
    return write_zip(folder / "shared-qti.zip", entries)


def case_big_manifest(folder: Path, megabytes: int = 50) -> Path:
    """A valid manifest of megabytes MB: many real resources and their files."""
    count = (megabytes << 20) // 110
    entries = {**cartridge(1), MANIFEST: manifest_with_resources(count, lambda i: "welcome.html")}
    return write_zip(folder / f"manifest-{megabytes}mb.zip", entries)


def case_many_records(folder: Path, count: int = 2_000_000, honest_count: bool = True) -> Path:
    """A central directory of count tiny records (the EOCD may say so, or claim a single entry)."""
    record = struct.pack(
        "<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, 0, 0, 0, 0x21, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0
    )
    central = b"".join(record + bytes([97 + i % 26]) for i in range(count))
    local = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0x21, 0, 0, 0, 1, 0) + b"a"
    n = min(count, 0xFFFF) if honest_count else 1
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, len(central), len(local), 0)
    path = folder / f"records-{count}.zip"
    path.write_bytes(local + central + eocd)
    return path


def corrupt_cases(folder: Path) -> dict[str, Path]:
    """The archive defects that crashed validate: each one package."""
    base = package_entries(scorm12())
    page = PAGE * 4
    out = {}

    def write(label: str, extra: list[RawEntry], **kw: int) -> None:
        out[label] = raw_zip(folder / f"{label}.zip", base + extra, **kw)

    write("deflate64", [stored("a.html", page, method=9)])
    write("aes", [stored("a.html", page, method=99)])
    write("strong-encryption", [stored("a.html", page, flags=0x40)])
    write("patched-data", [stored("a.html", page, flags=0x20)])
    lzma_garbage = b"\x09\x14\x05\x00" + b"\x5d\x00\x00\x10\x00" + b"\xff" * 64
    out["garbage-lzma"] = raw_zip(
        folder / "garbage-lzma.zip", [_replace_manifest(base, 14, lzma_garbage), *base[1:]]
    )
    out["garbage-bzip2"] = raw_zip(
        folder / "garbage-bzip2.zip", [_replace_manifest(base, 12, b"BZh91AY&SY" + b"\x00" * 64), *base[1:]]
    )
    write("utf8-flag-0xff", [RawEntry(b"caf\xff.html", page, flags=0x800)])
    out["eocd-past-end"] = raw_zip(folder / "eocd-past-end.zip", base, cd_shift=1 << 20)
    return out


def _replace_manifest(base: list[RawEntry], method: int, data: bytes) -> RawEntry:
    manifest = base[0]
    assert manifest.name == MANIFEST.encode()
    return RawEntry(manifest.name, data, size=len(manifest.data) * 3, crc=0, method=method)


def extractor_disagreements(folder: Path) -> dict[str, Path]:
    """Packages whose files differ between extractors (item 7)."""
    base = package_entries(scorm12())
    out = {}

    def write(label: str, extra: list[RawEntry]) -> None:
        out[label] = raw_zip(folder / f"{label}.zip", base + extra)

    write("local-name-escapes", [stored("js/app.js", b"x", local_name=b"../../evil.js")])
    write("local-name-differs", [stored("js/app.js", b"x", local_name=b"js/other.js")])
    write("local-only-encryption", [stored("a.html", PAGE, local_flags=0x1)])
    write("case-equal", [stored("Index.html", PAGE)])
    write(
        "nfc-nfd", [stored("caf\u00e9.html", PAGE, flags=0x800), stored("cafe\u0301.html", PAGE, flags=0x800)]
    )
    write("file-and-folder", [stored("static", b"x"), stored("static/site.css", b"x")])
    return out
