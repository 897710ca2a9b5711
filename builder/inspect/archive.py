"""Read a package (zip, .imscc or unpacked folder) without extracting it, within hard limits.

Every entry name is checked before anything is read: absolute paths, ``..`` components,
backslashes and symlinks make the whole input unusable, because an LMS extracting it could write
outside its folder. The zip's central directory is read record by record (zipdir.py): entry count,
directory size, total size, compression ratio, methods and flags are checked before a single byte
is inflated, and each local header is compared with its record. Members are read into memory only
when parsed, and only up to ``Limits.max_read`` bytes; names that clash when extracted (equal up to
case or Unicode normalisation, a file beside a folder of the same name) are reported.
"""

from __future__ import annotations

import bz2
import lzma
import os
import stat
import unicodedata
import zipfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.inspect.findings import Finding, UnusablePackage, error
from builder.inspect.zipdir import (
    clipped,
    entry_refusal,
    local_header_findings,
    read_directory,
    unsafe_reason,
)

MIB = 1 << 20
MAX_NAME_BYTES = 255  # longest file or folder name ext4, NTFS and APFS store
# What reading a damaged member can raise, from zipfile and the decompressors it drives.
CORRUPT = (zipfile.BadZipFile, zlib.error, lzma.LZMAError, EOFError, OSError, ValueError, NotImplementedError)
_ = bz2  # zipfile inflates bzip2 members through this module: its errors are OSError and ValueError


class CorruptEntry(UnusablePackage):
    """A member cannot be inflated; fatal for the manifest, a finding for any other file."""


@dataclass(frozen=True)
class Limits:
    """Caps that stop zip bombs and oversized input; tests lower them to stay fast."""

    max_entries: int = 20_000
    max_total_size: int = 4096 * MIB  # sum of uncompressed entry sizes
    max_ratio: int = 200  # uncompressed / compressed, for entries of at least ratio_floor bytes
    ratio_floor: int = MIB
    max_read: int = 4 * MIB  # largest XML member parsed (manifest, QTI...): parsed and validated, ~40x
    # A Moodle backup's XML is parsed but has no XSD to validate against (~10x its size in memory);
    # its questions.xml grows with the question bank (~9 KB a question: 16 MiB is ~1,800).
    max_backup_read: int = 16 * MIB
    max_backup_held: int = 128 * MIB  # a backup's XML documents held at once (read one pass)
    max_directory: int = 16 * MIB  # central directory size (names, extra fields, comments)
    max_resources: int = 10_000  # resources checked one by one; more are reported, not checked
    max_findings: int = 1_000  # findings listed per package; the rest are counted


@dataclass
class PackageSource:
    """The files of one package by posix path, and how to read them."""

    label: str  # the input as the user named it
    is_zip: bool
    names: frozenset[str]
    findings: list[Finding] = field(default_factory=list)  # problems seen while listing
    _path: Path | None = None  # the zip file
    _sizes: dict[str, int] = field(default_factory=dict)  # declared sizes of zip members
    _zip: zipfile.ZipFile | None = None  # opened on the first read
    _root: Path | None = None
    _limits: Limits = field(default_factory=Limits)

    @property
    def limits(self) -> Limits:
        return self._limits

    def read(self, member: str, cap: int | None = None) -> bytes:
        """The member's bytes; UnusablePackage if larger than ``cap`` (default Limits.max_read),
        CorruptEntry if damaged."""
        cap = self._limits.max_read if cap is None else cap
        if self._path is not None:
            declared = self._sizes[member]
            if declared > cap:
                raise UnusablePackage(f"{member} is {declared} bytes, over the {cap}-byte read limit")
            try:
                if self._zip is None:
                    self._zip = zipfile.ZipFile(self._path)
                with self._zip.open(member) as stream:
                    data = stream.read(cap + 1)
            except CORRUPT as exc:
                raise CorruptEntry(f"entry {member!r} is corrupt: {exc}") from None
        else:
            assert self._root is not None
            path = self._root / member
            try:
                # O_NOFOLLOW: a symlink swapped in after listing is still refused.
                fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                with os.fdopen(fd, "rb") as stream:
                    data = stream.read(cap + 1)
            except OSError as exc:
                raise UnusablePackage(f"cannot read {member}: {exc.strerror}") from None
        if len(data) > cap:
            raise UnusablePackage(f"{member} is over the {cap}-byte read limit")
        return data

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


@contextmanager
def open_package(path: Path, limits: Limits | None = None) -> Iterator[PackageSource]:
    """A PackageSource for a zip/.imscc file or a folder; UnusablePackage says why it cannot be one."""
    limits = limits or Limits()
    if path.is_dir():
        yield _folder_source(path, limits)
        return
    if not path.exists():
        raise UnusablePackage("no such file or folder")
    if not path.is_file():
        raise UnusablePackage("not a regular file or a folder (a pipe or a device is never read)")
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise UnusablePackage(f"cannot open it: {exc.strerror}") from None
    with stream:
        source = _zip_source(path, stream, limits)
    try:
        yield source
    finally:
        source.close()


def _zip_source(path: Path, stream: Any, limits: Limits) -> PackageSource:
    size = os.fstat(stream.fileno()).st_size
    entries, _ = read_directory(stream, size, limits.max_entries, limits.max_directory)
    total = 0
    for entry in entries:
        reason = unsafe_reason(entry.name)
        if reason is None and stat.S_ISLNK(entry.mode):
            reason = "is a symbolic link"
        if reason is None:
            reason = entry_refusal(entry)
        if reason is not None:
            raise UnusablePackage(
                f"entry {clipped(entry.name)!r} {reason}; refused without extracting anything"
            )
        if entry.file_size >= limits.ratio_floor and entry.file_size > limits.max_ratio * max(
            entry.compress_size, 1
        ):
            raise UnusablePackage(
                f"entry {clipped(entry.name)!r} inflates {entry.compress_size} bytes to {entry.file_size} "
                f"(ratio over {limits.max_ratio}:1): a zip bomb?"
            )
        total += entry.file_size
    if total > limits.max_total_size:
        raise UnusablePackage(
            f"entries add up to {total} bytes uncompressed, over the limit of {limits.max_total_size}"
        )
    findings = local_header_findings(stream, size, entries)
    files = [entry.name for entry in entries if not entry.is_dir]
    folders = [entry.name.rstrip("/") for entry in entries if entry.is_dir]
    findings += [
        error(
            "duplicate-entry",
            f"the zip holds {count} entries named {name!r}; an LMS extracts just one of them, "
            "and which one is undefined: rebuild the zip with each name once",
            name,
        )
        for name, count in sorted(Counter(files).items())
        if count > 1
    ]
    findings += name_clashes(files, folders)
    sizes = {entry.name: entry.file_size for entry in entries}
    names = frozenset(files)
    return PackageSource(str(path), True, names, findings, _path=path, _sizes=sizes, _limits=limits)


def name_clashes(files: Iterable[str], folders: Iterable[str] = ()) -> list[Finding]:
    """Names that are one file once extracted on some systems, and files that are also folders."""
    files = sorted(set(files))
    groups: defaultdict[str, list[str]] = defaultdict(list)
    for name in files:
        groups[unicodedata.normalize("NFC", name).casefold()].append(name)
    out = []
    for names in groups.values():
        if len(names) > 1:
            # ascii() shows how names that print alike differ (e.g. e + combining accent).
            shown = ", ".join(ascii(n) if not n.isascii() else repr(n) for n in names)
            message = (
                f"{shown} differ only in case or Unicode normalisation: on Windows and macOS (and in "
                "some LMSs) they are one file and one overwrites the other: rename all but one"
            )
            out.append(error("name-clash", message, names[0]))
    for name in files:
        longest = max(len(part.encode("utf-8", "surrogateescape")) for part in name.split("/"))
        if longest > MAX_NAME_BYTES:
            message = (
                f"a part of this path is {longest} bytes long; file systems (and so LMSs) refuse "
                f"names over {MAX_NAME_BYTES} bytes: shorten it"
            )
            out.append(error("name-too-long", message, clipped(name)))
    all_folders = set(folders)
    for name in files:
        parts = name.split("/")
        all_folders.update("/".join(parts[:i]) for i in range(1, len(parts)))
    for name in files:
        if name in all_folders:
            message = (
                f"{name!r} is a file and also a folder holding other entries; no file system can "
                "extract both: rename the file or the folder"
            )
            out.append(error("file-folder-clash", message, name))
    return out


def _folder_source(root: Path, limits: Limits) -> PackageSource:
    names: list[str] = []
    total = 0

    def refuse(reason: str) -> None:
        raise UnusablePackage(reason)

    for folder, dirs, files in os.walk(root, followlinks=False, onerror=lambda exc: refuse(str(exc))):
        base = Path(folder)
        for name in sorted(dirs + files):
            path = base / name
            rel = path.relative_to(root).as_posix()
            if _has_surrogate(rel):
                shown = repr(rel.encode("utf-8", "surrogateescape"))[2:-1]
                refuse(f"'{shown}' is not a valid UTF-8 file name; LMSs cannot link to it")
            mode = path.lstat().st_mode
            if stat.S_ISLNK(mode):
                refuse(f"{rel!r} is a symbolic link; refused without reading anything")
            if stat.S_ISDIR(mode):
                continue
            if not stat.S_ISREG(mode):
                refuse(f"{rel!r} is not a regular file")
            reason = unsafe_reason(rel)
            if reason is not None:
                refuse(f"{rel!r} {reason}")
            names.append(rel)
            total += path.lstat().st_size
            if len(names) > limits.max_entries:
                refuse(f"more than {limits.max_entries} files, the entry limit")
            if total > limits.max_total_size:
                refuse(f"files add up to more than the limit of {limits.max_total_size} bytes")
    findings = name_clashes(names)
    return PackageSource(str(root), False, frozenset(names), findings, _root=root, _limits=limits)


def _has_surrogate(name: str) -> bool:
    """True for a name holding bytes that were not UTF-8 (decoded by Python as lone surrogates)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
