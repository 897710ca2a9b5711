"""Content-hash cache of built formats: a rebuild of unchanged sources copies the earlier output.

The key of a format's output hashes everything that can change it: every file of the course folder
(path and bytes), the builder's own code, templates, static files and schemas, the versions of Python and of
the libraries that write the output, SOURCE_DATE_EPOCH, and the format's name. An entry holds the
top-level files and folders the format wrote (whole: a format replaces its outputs, never edits
them) and the paths it reported, so a hit is byte-identical to a cold build. Entries live in the
user's cache folder (platformdirs; ``BUILDER_CACHE_DIR`` overrides); ``builder build --no-cache``
bypasses the cache, and any entry that cannot be read counts as a miss.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from builder.paths import PACKAGE_DIR, SCHEMAS

ENV_VAR = "BUILDER_CACHE_DIR"
APP_NAME = "lms-package-builder"
LIBRARIES = ("lms-package-builder", "lxml", "jinja2", "markdown-it-py", "pyyaml")
MANIFEST = "entry.json"
KEEP_ENTRIES = 64  # per cache folder; the least recently used go first
SKIPPED_DIRS = {"__pycache__", ".git"}


def cache_dir() -> Path:
    if env := os.environ.get(ENV_VAR):
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP_NAME, appauthor=False)) / "builds"


def _hash_tree(digest: hashlib._Hash, root: Path, exclude: Path | None = None) -> None:
    """Every file below root (but exclude), by relative path and contents, in a fixed order."""
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and Path(folder, d) != exclude)
        for name in sorted(files):
            path = Path(folder, name)
            digest.update(path.relative_to(root).as_posix().encode("utf-8", "surrogateescape") + b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError as exc:  # unreadable: the build reports it; never a hit
                digest.update(f"unreadable {exc.errno} {os.urandom(8).hex()}".encode())
            digest.update(b"\0")


def _builder_digest() -> str:
    from importlib import metadata  # only a cached build needs the versions

    digest = hashlib.sha256(sys.version.encode())
    for library in LIBRARIES:
        try:
            digest.update(f"{library}={metadata.version(library)}\0".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{library}=?\0".encode())
    _hash_tree(digest, PACKAGE_DIR)  # code, templates, static files
    _hash_tree(digest, SCHEMAS)
    return digest.hexdigest()


MAX_EXTENDS = 8  # overlays of overlays followed for the key; deeper chains build uncached


def source_folders(course_dir: Path) -> list[Path] | None:
    """The course folder and those of the courses it extends (overlays read their base's files),
    or None when a course.yaml of the chain cannot be read here (the build then reports it)."""
    from builder.errors import CourseError
    from builder.yamlpos import load_yaml  # the loader with the builder's limits: bounded for any file

    folders = [course_dir.resolve()]
    while len(folders) <= MAX_EXTENDS:
        try:
            data = load_yaml(folders[-1] / "course.yaml").data
        except (OSError, CourseError):
            return None
        base = data.get("extends") if isinstance(data, dict) else None
        if base is None:
            return folders
        if not isinstance(base, str):
            return None
        folder = (folders[-1] / base).resolve()
        if folder in folders:
            return None
        folders.append(folder)
    return None


@dataclass
class Entry:
    course_id: str
    reported: list[str]  # paths the format returned, relative to OUT/<course-id>/
    outputs: list[str]  # top-level names it wrote there


class BuildCache:
    """The cache entries of one course's sources."""

    def __init__(
        self,
        course_dirs: Path | Iterable[Path],
        exclude: Path | None = None,
        root: Path | None = None,
        variant: str = "",
    ) -> None:
        """course_dirs: the course folder (an overlay's: and the folders of the courses it extends);
        exclude: the output folder, when it lies inside one of them (not a source); variant: what
        else selects the output, such as the language of a translated build."""
        self.root = root or cache_dir()
        digest = hashlib.sha256(_builder_digest().encode())
        digest.update(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}\0".encode())
        digest.update(f"variant={variant}\0".encode())
        folders = [course_dirs] if isinstance(course_dirs, Path) else list(course_dirs)
        for folder in folders:
            digest.update(f"folder {len(folders)}\0".encode())
            _hash_tree(digest, folder.resolve(), exclude.resolve() if exclude else None)
        self.sources = digest.hexdigest()

    def _folder(self, format_name: str) -> Path:
        key = hashlib.sha256(f"{self.sources}\0{format_name}".encode()).hexdigest()
        return self.root / key

    def lookup(self, format_name: str) -> Entry | None:
        folder = self._folder(format_name)
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            entry = Entry(data["course_id"], list(data["reported"]), list(data["outputs"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not all((folder / "files" / name).exists() for name in entry.outputs):
            return None
        os.utime(folder / MANIFEST)  # recently used
        return entry

    def restore(self, format_name: str, entry: Entry, target: Path) -> list[Path]:
        """Copy the entry's outputs into target (replacing what is there); the reported paths."""
        files = self._folder(format_name) / "files"
        for name in entry.outputs:
            _remove(target / name)
            source = files / name
            if source.is_dir():
                shutil.copytree(source, target / name)
            else:
                shutil.copy2(source, target / name)
        return [target / rel for rel in entry.reported]

    def store(
        self, format_name: str, course_id: str, target: Path, outputs: Iterable[str], reported: Iterable[Path]
    ) -> None:
        """Keep copies of what a format wrote into target; a failure to store never fails a build."""
        folder = self._folder(format_name)
        tmp: Path | None = None
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=".entry-", dir=self.root))
            names = sorted(outputs)
            for name in names:
                source = target / name
                if source.is_dir():
                    shutil.copytree(source, tmp / "files" / name)
                else:
                    (tmp / "files").mkdir(exist_ok=True)
                    shutil.copy2(source, tmp / "files" / name)
            manifest = {
                "course_id": course_id,
                "reported": [p.relative_to(target).as_posix() for p in reported],
                "outputs": names,
            }
            (tmp / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
            _remove(folder)
            tmp.rename(folder)
            self._prune()
        except (OSError, ValueError):
            if tmp is not None:
                shutil.rmtree(tmp, ignore_errors=True)

    def _prune(self) -> None:
        entries = [p for p in self.root.iterdir() if (p / MANIFEST).is_file()]
        if len(entries) <= KEEP_ENTRIES:
            return
        entries.sort(key=lambda p: (p / MANIFEST).stat().st_mtime)
        for old in entries[: len(entries) - KEEP_ENTRIES]:
            shutil.rmtree(old, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif path.exists() or path.is_symlink():
        path.unlink()
