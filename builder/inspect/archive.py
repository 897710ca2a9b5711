"""Read a package (zip, .imscc or unpacked folder) without extracting it, within hard limits.

Every entry name is checked before anything is read: absolute paths, ``..`` components,
backslashes and symlinks make the whole input unusable, because an LMS extracting it could write
outside its folder. Entry count, total size and compression ratio come from the zip's central
directory, so a zip bomb is refused before a single byte is inflated; zipfile never inflates more
than an entry's declared size. Members are read into memory only when parsed, and only up to
``Limits.max_read`` bytes.
"""

from __future__ import annotations

import os
import re
import stat
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from builder.inspect.findings import Finding, NotAPackage, UnusablePackage, error

MIB = 1 << 20


@dataclass(frozen=True)
class Limits:
    """Caps that stop zip bombs and oversized input; tests lower them to stay fast."""

    max_entries: int = 20_000
    max_total_size: int = 4096 * MIB  # sum of uncompressed entry sizes
    max_ratio: int = 200  # uncompressed / compressed, for entries of at least ratio_floor bytes
    ratio_floor: int = MIB
    max_read: int = 64 * MIB  # largest single member parsed (manifest, QTI, ...)


@dataclass
class PackageSource:
    """The files of one package by posix path, and how to read them."""

    label: str  # the input as the user named it
    is_zip: bool
    names: frozenset[str]
    findings: list[Finding] = field(default_factory=list)  # problems seen while listing
    _zip: zipfile.ZipFile | None = None
    _root: Path | None = None
    _limits: Limits = field(default_factory=Limits)

    def read(self, member: str) -> bytes:
        """The member's bytes; UnusablePackage if it is larger than Limits.max_read."""
        cap = self._limits.max_read
        if self._zip is not None:
            info = self._zip.getinfo(member)
            if info.file_size > cap:
                raise UnusablePackage(f"{member} is {info.file_size} bytes, over the {cap}-byte read limit")
            try:
                with self._zip.open(info) as stream:
                    data = stream.read(cap + 1)
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
                raise UnusablePackage(f"entry {member!r} is corrupt: {exc}") from None
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


@contextmanager
def open_package(path: Path, limits: Limits | None = None) -> Iterator[PackageSource]:
    """A PackageSource for a zip/.imscc file or a folder; UnusablePackage says why it cannot be one."""
    limits = limits or Limits()
    if path.is_dir():
        yield _folder_source(path, limits)
    elif not path.exists():
        raise UnusablePackage("no such file or folder")
    elif not zipfile.is_zipfile(path):
        raise NotAPackage("not a zip archive (.zip, .imscc) or a folder")
    else:
        try:
            archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise UnusablePackage(f"cannot open the zip archive: {exc}") from None
        with archive:
            yield _zip_source(path, archive, limits)


def _zip_source(path: Path, archive: zipfile.ZipFile, limits: Limits) -> PackageSource:
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise UnusablePackage(f"{len(infos)} entries, over the limit of {limits.max_entries}")
    total = 0
    for info in infos:
        reason = unsafe_reason(info.filename)
        if reason is None and stat.S_ISLNK(info.external_attr >> 16):
            reason = "is a symbolic link"
        if reason is None and info.flag_bits & 0x1:
            reason = "is encrypted (LMSs cannot open it)"
        if reason is not None:
            raise UnusablePackage(f"entry {info.filename!r} {reason}; refused without extracting anything")
        if info.file_size >= limits.ratio_floor and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise UnusablePackage(
                f"entry {info.filename!r} inflates {info.compress_size} bytes to {info.file_size} "
                f"(ratio over {limits.max_ratio}:1): a zip bomb?"
            )
        total += info.file_size
    if total > limits.max_total_size:
        raise UnusablePackage(
            f"entries add up to {total} bytes uncompressed, over the limit of {limits.max_total_size}"
        )
    files = [info.filename for info in infos if not info.is_dir()]
    findings = [
        error(
            "duplicate-entry",
            f"the zip holds {count} entries named {name!r}; an LMS extracts just one of them, "
            "and which one is undefined: rebuild the zip with each name once",
            name,
        )
        for name, count in sorted(Counter(files).items())
        if count > 1
    ]
    return PackageSource(str(path), True, frozenset(files), findings, _zip=archive, _limits=limits)


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
    return PackageSource(str(root), False, frozenset(names), _root=root, _limits=limits)
