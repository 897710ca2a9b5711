"""Deterministic, atomic output: folders appear whole or not at all; zips are byte-identical per input.

A build writes every format into a staging folder beside ``OUT/<course-id>/`` (``staged_output``)
and swaps it in with one atomic exchange when all formats succeeded: a failed or killed build leaves
the previous complete output in place.
"""

from __future__ import annotations

import ctypes
import gzip
import io
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from builder.errors import BuildError
from builder.limits import ZIP_FIRST, ZIP_LAST

if TYPE_CHECKING:
    import tarfile

ZIP_EPOCH_MIN = ZIP_FIRST  # the zip format cannot store earlier times (nor later than ZIP_LAST)


# zlib's default level. On OSEE's packages level 9 took 64 ms for the zips and 33 ms for the .mbz,
# level 6 takes 50 and 15 ms, for files 0.8% and 2.7% larger.
COMPRESS_LEVEL = 6


def build_timestamp(release: date) -> datetime:
    """SOURCE_DATE_EPOCH when set (reproducible-builds.org), else the course's release date at 00:00 UTC."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw.isdigit():
        # Loading refuses later times (builder.limits); clamp anyway so no caller can crash the zip writer.
        when = datetime.fromtimestamp(min(int(raw[:20]), int(ZIP_LAST.timestamp())), UTC)
    else:
        when = datetime(release.year, release.month, release.day, tzinfo=UTC)
    return min(max(when, ZIP_EPOCH_MIN), ZIP_LAST)


def safe_member(name: str) -> str:
    """Refuse entry names that could escape the extraction folder (zip-slip) or confuse LMS importers."""
    path = PurePosixPath(name)
    if not name or "\\" in name or path.is_absolute() or ".." in path.parts or name.startswith("./"):
        raise ValueError(f"unsafe package entry name: {name!r}")
    return path.as_posix()


@contextmanager
def atomic_dir(target: Path) -> Iterator[Path]:
    """Yield an empty temporary folder; on success it replaces ``target`` in one rename."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    tmp.chmod(0o777 & ~_umask())  # mkdtemp makes 0700; the output is for sharing, like any new folder
    old = None
    if target.exists():
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
    tmp.rename(target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextmanager
def staged_output(target: Path) -> Iterator[Path]:
    """Yield a staging folder holding target's current files; on success it replaces target whole.

    Files are hard links to the current output (writers replace files, never edit them in place), so
    formats not rebuilt stay as they were. The swap is one renameat2(RENAME_EXCHANGE) on Linux; else
    two renames, and a later build restores the previous output if a kill fell between them.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    _recover(target)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-{os.getpid()}-", dir=target.parent))
    try:
        if target.is_dir():
            shutil.copytree(target, staging, symlinks=True, copy_function=_link_or_copy, dirs_exist_ok=True)
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    staging.chmod(0o777 & ~_umask())
    if not target.exists():
        staging.rename(target)
    elif _exchange(staging, target):
        shutil.rmtree(staging, ignore_errors=True)  # now holds the previous output
    else:
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2); False where that is not available."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    at_cwd, rename_exchange = -100, 2
    return renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), rename_exchange) == 0


def _recover(target: Path) -> None:
    """Undo what a killed build left: the previous output set aside, staging folders of dead builds."""
    leftovers = sorted(target.parent.glob(f".{target.name}.old-*")) + sorted(
        target.parent.glob(f".{target.name}.staging-*")
    )
    for path in leftovers:
        pid = path.name.rsplit("-", 2)[-2] if ".staging-" in path.name else path.name.rsplit("-", 1)[-1]
        if pid.isdigit() and _alive(int(pid)):
            continue  # another build is using it
        if ".old-" in path.name and not target.exists():
            path.rename(target)  # killed between the two renames: the previous output comes back
        else:
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def atomic_file(target: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it is renamed over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        tmp.chmod(0o666 & ~_umask())  # mkstemp makes 0600; outputs are for sharing, like any new file
        tmp.replace(target)
    finally:
        tmp.unlink(missing_ok=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_zip(target: Path, entries: Mapping[str, bytes | Path], when: datetime) -> None:
    """Write a zip with sorted entries, one fixed timestamp and fixed permissions, atomically.

    File entries are streamed from disk, so large attachments never sit in memory whole.
    """
    stamp = when.astimezone(UTC).timetuple()[:6]
    with (
        atomic_file(target) as tmp,
        zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as zf,
    ):
        for name in sorted(entries, key=lambda n: n.encode("utf-8")):
            info = zipfile.ZipInfo(safe_member(name), date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            info.create_system = 3  # Unix, so the attribute bits mean the same everywhere
            data = entries[name]
            if isinstance(data, Path):
                with data.open("rb") as src, zf.open(info, "w") as dst:
                    shutil.copyfileobj(src, dst, 1 << 16)
            else:
                zf.writestr(info, data)


def tree_files(folder: Path) -> dict[str, Path]:
    """Every file below ``folder`` by its posix path relative to it (symlinks refused)."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            raise ValueError(f"symlink in package input: {path}")
        if path.is_file():
            files[path.relative_to(folder).as_posix()] = path
    return files


TGZ_INDEX = ".ARCHIVE_INDEX"
USTAR_MAX_MTIME = 8**11 - 1  # 11 octal digits  # Moodle's tgz packer lists the archive in this first entry


def write_tgz(target: Path, entries: Mapping[str, bytes | Path], when: datetime) -> None:
    """Write a gzip'd ustar archive as Moodle's tgz packer does, byte-identical per input, atomically.

    Entries are sorted, every one with the same mtime, owner 0/0, mode 0644; an ``.ARCHIVE_INDEX``
    comes first (Moodle reads it to list the archive); the gzip header carries no time or name.
    """
    import tarfile  # only the Moodle backup is a tar archive

    mtime = int(when.timestamp())
    if not 0 <= mtime <= USTAR_MAX_MTIME:
        raise BuildError(f"{target.name}: time {when.isoformat()} does not fit a tar archive (1970 to 2242)")
    names = sorted(entries, key=lambda n: n.encode("utf-8"))
    sizes = {n: (len(d) if isinstance(d, bytes) else d.stat().st_size) for n, d in entries.items()}
    index = f"Moodle archive file index. Count: {len(names)}\n" + "".join(
        f"{safe_member(n)}\tf\t{sizes[n]}\t{mtime}\n" for n in names
    )

    def info(name: str, size: int) -> tarfile.TarInfo:
        member = tarfile.TarInfo(name)
        member.size, member.mtime, member.mode = size, mtime, 0o644
        member.uid = member.gid = 0
        member.uname = member.gname = ""
        return member

    with (
        atomic_file(target) as tmp,
        tmp.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=COMPRESS_LEVEL) as gz,
        # tarfile writes a block or a 16 KB chunk at a time; gzip takes them a megabyte at a time
        io.BufferedWriter(gz, buffer_size=1 << 20) as buffered,  # type: ignore[arg-type]
        tarfile.open(fileobj=buffered, mode="w", format=tarfile.USTAR_FORMAT) as tar,
    ):
        data = index.encode("utf-8")
        tar.addfile(info(TGZ_INDEX, len(data)), io.BytesIO(data))
        for name in names:
            content = entries[name]
            if isinstance(content, Path):
                with content.open("rb") as src:
                    tar.addfile(info(name, sizes[name]), src)
            else:
                tar.addfile(info(name, len(content)), io.BytesIO(content))
