"""A zip's central directory and local headers, read record by record within fixed limits.

``zipfile.ZipFile`` loads every central-directory record before anyone can count them (two million
records are a gigabyte) and raises a bare exception on the first oddity (a method it cannot
inflate, a name flagged UTF-8 that is not). Here the end-of-central-directory record is checked
first (entry count, directory size and offset within the file), then the directory (at most
Limits.max_directory bytes) is parsed record by record, stopping past the entry limit, so a
hostile archive is refused before it costs memory, with the reason.

Each local header is read too: extractors differ on whether they trust the local header or the
central directory, so a name or an encryption flag that differs between the two is reported.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from typing import BinaryIO

from builder.inspect.findings import Finding, NotAPackage, UnusablePackage, error

EOCD = struct.Struct("<4s4H2LH")  # signature, disks, entry counts, directory size and offset, comment
EOCD64_LOCATOR = struct.Struct("<4sLQL")
EOCD64 = struct.Struct("<4sQ2H2L4Q")
CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
LOCAL = struct.Struct("<4s2B4HL2L2H")
MAX_COMMENT = 0xFFFF
# Compression methods every LMS's unzip (PHP's libzip, Java, Python) inflates.
METHODS = {0: "stored", 8: "deflate", 12: "bzip2", 14: "LZMA"}
KNOWN_METHODS = {9: "Deflate64", 6: "implode", 93: "Zstandard", 95: "xz", 98: "PPMd", 99: "WinZip AES"}
FLAG_ENCRYPTED, FLAG_PATCHED, FLAG_STRONG, FLAG_UTF8 = 0x1, 0x20, 0x40, 0x800


@dataclass(frozen=True)
class Entry:
    """One central-directory record: what an extractor needs to find and inflate the member."""

    name: str
    method: int
    flags: int
    compress_size: int
    file_size: int
    header_offset: int  # of its local header, from the start of the file
    mode: int  # Unix mode bits from the external attributes' high half (0 from Windows zippers)

    @property
    def is_dir(self) -> bool:
        return self.name.endswith("/")


def clipped(name: str, keep: int = 120) -> str:
    """A name short enough for a message: hostile names can be 64 KiB long."""
    return name if len(name) <= keep else f"{name[:keep]}...({len(name)} characters)"


def decode_name(raw: bytes, flags: int, where: str) -> str:
    """The name as extractors decode it: UTF-8 when flagged, else code page 437."""
    if not flags & FLAG_UTF8:
        return raw.decode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        shown = clipped(repr(raw)[2:-1])  # bytes as Python shows them: caf\xff.html
        raise UnusablePackage(
            f"{where} '{shown}' is flagged UTF-8 but byte 0x{raw[exc.start]:02x} is not UTF-8; "
            "extractors disagree on its name: rebuild the zip"
        ) from None


def _directory_location(stream: BinaryIO, size: int) -> tuple[int, int, int, int]:
    """(entry count, directory size, directory offset, bytes prepended to the archive)."""
    tail = min(size, EOCD.size + MAX_COMMENT)
    stream.seek(size - tail)
    data = stream.read(tail)
    at = data.rfind(b"PK\x05\x06")
    while at >= 0 and at + EOCD.size > len(data):
        at = data.rfind(b"PK\x05\x06", 0, at)
    if at < 0:
        raise NotAPackage("not a zip archive (.zip, .imscc) or a folder")
    _, disk, cd_disk, _, count, cd_size, cd_offset, _ = EOCD.unpack_from(data, at)
    end = size - tail + at  # where the directory should stop
    if disk or cd_disk:
        raise UnusablePackage("a split (multi-volume) zip archive: LMSs need a single file")
    if count == 0xFFFF or 0xFFFFFFFF in (cd_size, cd_offset):
        # zip64: the record sits right before its locator, which sits right before the EOCD.
        locator_at = at - EOCD64_LOCATOR.size
        record_at = end - EOCD64_LOCATOR.size - EOCD64.size
        if locator_at >= 0 and data[locator_at : locator_at + 4] == b"PK\x06\x07" and record_at >= 0:
            stream.seek(record_at)
            record = stream.read(EOCD64.size)
            if record[:4] != b"PK\x06\x06":
                raise UnusablePackage("the zip64 end-of-central-directory record is missing: corrupt archive")
            _, _, _, _, _, _, _, count, cd_size, cd_offset = EOCD64.unpack(record)
            end = record_at
    prepended = end - cd_size - cd_offset
    if cd_offset + cd_size > size or prepended < 0:
        raise UnusablePackage(
            f"the end-of-central-directory record puts the directory at bytes {cd_offset}-"
            f"{cd_offset + cd_size}, past the end of the {size}-byte file: a truncated or corrupt archive"
        )
    return count, cd_size, cd_offset, prepended


def read_directory(
    stream: BinaryIO, size: int, max_entries: int, max_directory: int
) -> tuple[list[Entry], int]:
    """Every record of the central directory, refusing more than max_entries before reading them."""
    count, cd_size, cd_offset, prepended = _directory_location(stream, size)
    if count > max_entries:
        raise UnusablePackage(f"{count} entries, over the limit of {max_entries}")
    if cd_size > max_directory:
        raise UnusablePackage(
            f"the central directory is {cd_size} bytes, over the limit of {max_directory}: names too long?"
        )
    stream.seek(prepended + cd_offset)
    directory = memoryview(stream.read(cd_size))
    entries: list[Entry] = []
    at = 0
    while at + CENTRAL.size <= len(directory):
        fields = CENTRAL.unpack_from(directory, at)
        if fields[0] != b"PK\x01\x02":
            raise UnusablePackage(f"central directory record {len(entries) + 1} is corrupt (bad signature)")
        flags, method, csize, usize = fields[5], fields[6], fields[10], fields[11]
        name_len, extra_len, comment_len = fields[12], fields[13], fields[14]
        mode, offset = fields[17] >> 16, fields[18]
        start = at + CENTRAL.size
        at = start + name_len + extra_len + comment_len
        if at > len(directory):
            raise UnusablePackage(f"central directory record {len(entries) + 1} runs past the directory")
        name = decode_name(bytes(directory[start : start + name_len]), flags, "an entry name")
        extra = bytes(directory[start + name_len : start + name_len + extra_len])
        usize, csize, offset = _zip64_sizes(extra, usize, csize, offset)
        entries.append(Entry(name, method, flags, csize, usize, prepended + offset, mode))
        if len(entries) > max_entries:
            raise UnusablePackage(f"more than {max_entries} entries, over the limit of {max_entries}")
    return entries, prepended


def _zip64_sizes(extra: bytes, usize: int, csize: int, offset: int) -> tuple[int, int, int]:
    at = 0
    while at + 4 <= len(extra):
        kind, length = struct.unpack_from("<2H", extra, at)
        if kind == 1:
            values = list(struct.unpack_from(f"<{min(length, len(extra) - at - 4) // 8}Q", extra, at + 4))
            if usize == 0xFFFFFFFF and values:
                usize = values.pop(0)
            if csize == 0xFFFFFFFF and values:
                csize = values.pop(0)
            if offset == 0xFFFFFFFF and values:
                offset = values.pop(0)
        at += 4 + length
    return usize, csize, offset


def unsafe_reason(name: str) -> str | None:
    """Why an entry name could escape the extraction folder, or None when it cannot."""
    if "\\" in name:
        return "contains a backslash (Windows path separator)"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "is an absolute path"
    if ".." in name.split("/"):
        return "has a '..' component"
    if "\x00" in name:
        return "contains a NUL character"
    return None


def entry_refusal(entry: Entry) -> str | None:
    """Why no LMS can extract the entry as intended, or None."""
    if entry.flags & FLAG_ENCRYPTED:
        return "is encrypted (LMSs cannot open it)"
    if entry.flags & FLAG_STRONG:
        return "uses strong encryption (LMSs cannot open it)"
    if entry.flags & FLAG_PATCHED:
        return "is compressed patched data (no LMS's unzip reads it)"
    if entry.method not in METHODS:
        known = KNOWN_METHODS.get(entry.method)
        method = f"{entry.method} ({known})" if known else str(entry.method)
        return f"uses compression method {method}, which LMSs cannot inflate: re-zip with deflate"
    return None


def local_header_findings(stream: BinaryIO, size: int, entries: list[Entry]) -> list[Finding]:
    """Differences between each entry's local header and its central-directory record.

    Unusable when a local header is missing or names an unsafe path; else one error per difference.
    """
    out = []
    for entry in entries:
        if entry.header_offset + LOCAL.size > size:
            raise UnusablePackage(
                f"entry {clipped(entry.name)!r} has its local header past the end of the file"
            )
        stream.seek(entry.header_offset)
        head = stream.read(LOCAL.size)
        fields = LOCAL.unpack(head)
        if fields[0] != b"PK\x03\x04":
            raise UnusablePackage(
                f"entry {clipped(entry.name)!r} has no local header where the directory says"
            )
        flags, name_len = fields[3], fields[10]
        local = decode_name(
            stream.read(name_len), flags, f"the local header of entry {clipped(entry.name)!r} names"
        )
        if local != entry.name:
            reason = unsafe_reason(local)
            if reason is not None:
                raise UnusablePackage(
                    f"entry {clipped(entry.name)!r} is named {clipped(local)!r} in its local header, "
                    f"which {reason}; refused without extracting anything"
                )
            message = (
                f"the local header names this entry {clipped(local)!r}, the central directory "
                f"{clipped(entry.name)!r}; "
                "extractors that read local headers create a different file: rebuild the zip"
            )
            out.append(error("local-name-mismatch", message, entry.name))
        if flags & FLAG_ENCRYPTED and not entry.flags & FLAG_ENCRYPTED:
            message = (
                "the encryption flag is set in the local header only: some extractors ask for a "
                "password, others read garbage: rebuild the zip without encryption"
            )
            out.append(error("local-only-encryption", message, entry.name))
    return out
