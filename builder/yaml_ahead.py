"""A course's YAML files parsed ahead, by a process forked at the start of a build.

Parsing a course's YAML is most of loading it, and a build process spends about as long loading
its own code first. So, where fork is available, a build forks a helper that first reads the
course's course.yaml and tells the build its language (``course_language``: the build reads that
language's locale data meanwhile), then parses every YAML file of the course folders (the course's
own and those of the courses it extends) with the same loader and limits while the build process
imports its code, and checks each against the course JSON Schemas with the compiled validator;
``load_yaml`` then takes each file's result from the helper instead of parsing it again, and the
load does not check again what the helper found valid (the build process then imports neither the
parser nor the validator).

The helper sends each file as soon as it is parsed: it appends the file's record to a results file
of its own and writes one byte to a pipe. So the load takes the files the helper has done and
waits only for the one it needs next, working on the course a file behind the helper instead of
waiting for the last one.

A result is taken only if the file's size and modification time are those the helper saw before
and after reading it: a file saved meanwhile, or one the helper could not parse (its problems are
found and reported by the build's own parse), is parsed by the build as usual. The helper never
outlives the build (Linux: it is killed with it), and nothing else depends on it: a helper that
fails leaves the build to parse.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from builder import limits
from builder.errors import CourseError

# Modules the helper alone needs, or the build only once the course loads, are imported where they
# are used: the sooner the helper is forked, the sooner its results are there.

MAX_FILES = 5000  # a course with more YAML files than this is parsed by the build alone
MAX_BYTES = 4 * 1024 * 1024  # the same for their total size (the results file holds them)
MAX_LANGUAGE_BYTES = 256  # a language tag is a few letters; a course.yaml naming more is reported by the load
HEADER_BYTES = 4  # a record starts with the length of its header: (path, stat, document lengths)
SENT = b"."  # written to the pipe once per record appended to the results file

Stat = tuple[int, int]  # size, modification time in ns


def _stat(path: Path) -> Stat | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


class YamlAhead:
    """The helper process and what it has sent so far: per file, its stat and where its document
    (pickled, so each taker gets a copy of its own) lies in the results file."""

    def __init__(self, course_dir: Path, exclude: Path | None) -> None:
        self.fd, name = tempfile.mkstemp(prefix="builder-yaml-", suffix=".pickle")
        self.results = Path(name)
        self.found: dict[Path, tuple[Stat, int, int, int]] = {}  # stat, offset, document lengths
        self.read_to = 0  # where the next record starts in the results file
        self.said, said = os.pipe()  # the helper writes the course's language there, first thing
        self.sent, sent = os.pipe()  # then one byte per file it appended to the results
        self.told: str | None = None
        parent = os.getpid()
        self.pid = os.fork()
        if self.pid == 0:  # the helper
            code = 1
            try:
                os.close(self.said)
                os.close(self.sent)
                from builder.forked_jobs import die_with

                die_with(parent)
                _help(course_dir, exclude, said, sent, self.fd)
                code = 0
            finally:
                os._exit(code)
        os.close(said)
        os.close(sent)

    def language(self) -> str | None:
        """The language the course's course.yaml names, as the helper read it (None: it names
        none, or the helper could not read it)."""
        if self.said >= 0:
            try:
                said = _read_all(self.said, MAX_LANGUAGE_BYTES)
                self.told = said.decode("utf-8") if said else None
            except (OSError, ValueError):
                self.told = None
            os.close(self.said)
            self.said = -1
        return self.told

    def take(self, file: Path) -> Any:
        """The file's YamlDoc as the helper parsed it, or None (then the caller parses it). Waits
        while the helper may still send it."""
        while file not in self.found and self._receive():
            pass
        found = self.found.get(file)
        if found is None or _stat(file) != found[0]:
            return None
        import pickle

        from builder.yamlpos import YamlDoc

        _, offset, main, rest = found
        try:
            data = os.pread(self.fd, main + rest, offset)
            return YamlDoc.from_portable(pickle.loads(data[:main]), data[main:])
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
            return None

    def _receive(self) -> bool:
        """Index the records the helper has appended since; False once it sends no more."""
        import pickle

        if self.sent < 0:
            return False
        try:
            count = len(os.read(self.sent, 4096))  # blocks until the helper sends one
            for _ in range(count):
                size = int.from_bytes(os.pread(self.fd, HEADER_BYTES, self.read_to), "big")
                path, stat, main, rest = pickle.loads(os.pread(self.fd, size, self.read_to + HEADER_BYTES))
                self.found[Path(path)] = stat, self.read_to + HEADER_BYTES + size, main, rest
                self.read_to += HEADER_BYTES + size + main + rest
        except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
            count = 0  # a record cut short: take what came before it
        if count == 0:  # the helper is done (or gone)
            os.close(self.sent)
            self.sent = -1
        return count > 0

    def close(self) -> None:
        """Stop the helper if it still runs, and forget its results."""
        if self.pid:
            import signal

            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0
        for fd in (self.said, self.sent, self.fd):
            if fd >= 0:
                os.close(fd)
        self.said = self.sent = self.fd = -1
        self.results.unlink(missing_ok=True)
        self.found = {}


_current: YamlAhead | None = None


def start(course_dir: Path, exclude: Path | None = None) -> YamlAhead | None:
    """A helper parsing the YAML files of the course in ``course_dir`` and of the courses it
    extends (but those below ``exclude``: the output folder), now taken by ``load_yaml``; None
    where fork is not available."""
    global _current
    if not hasattr(os, "fork"):
        return None
    stop()
    _current = YamlAhead(course_dir, exclude)
    return _current


def course_language() -> str | None:
    """The language the course.yaml of the helper's course names (waits for the helper to read
    it: its first task), or None (none named, no helper)."""
    return None if _current is None else _current.language()


def stop() -> None:
    """Stop the helper started last; ``load_yaml`` parses every file itself again."""
    global _current
    if _current is not None:
        _current.close()
        _current = None


def take(file: Path) -> Any:
    """The file as the helper parsed it (a YamlDoc), or None."""
    return None if _current is None or _current.fd < 0 else _current.take(file)


def _yaml_files(folders: list[Path], exclude: Path | None) -> list[Path] | None:
    from builder.cache import SKIPPED_DIRS

    skipped = exclude.resolve() if exclude else None
    found: list[Path] = []
    total = 0
    for root in folders:
        for folder, dirs, files in os.walk(root, followlinks=False):
            dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS and Path(folder, d) != skipped)
            for name in sorted(files):
                if name.endswith((".yaml", ".yml")):
                    path = Path(folder, name)
                    total += (_stat(path) or (0, 0))[0]
                    found.append(path)
                    if len(found) > MAX_FILES or total > MAX_BYTES:
                        return None
    return found


def _help(course_dir: Path, exclude: Path | None, said: int, sent: int, results: int) -> None:
    """What the helper does: tell the course's language, then parse the YAML files and send each."""
    from builder.cache import source_folders
    from builder.yamlpos import YamlDoc, load_yaml

    course_file = course_dir / "course.yaml"
    known: dict[Path, tuple[Stat | None, YamlDoc]] = {}
    try:
        before = _stat(course_file)
        doc = load_yaml(course_file)
        known[course_file] = before, doc
        language = doc.data.get("language") if isinstance(doc.data, dict) else None
        if isinstance(language, str) and 0 < len(told := language.encode("utf-8")) <= MAX_LANGUAGE_BYTES:
            os.write(said, told)
    except (CourseError, OSError, ValueError):
        pass  # the build reads it and reports the problem
    finally:
        os.close(said)
    folders = source_folders(course_dir)  # an overlay's sources include its base's
    files = None if folders is None else _yaml_files(folders, exclude)
    _parse_into(files or [], sent, results, known)


def _read_all(fd: int, limit: int) -> bytes:
    """What is written to the pipe until its writer closes it; ValueError past ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while chunk := os.read(fd, limit + 1 - size):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise ValueError("the helper wrote more than it may")
    return b"".join(chunks)


def _parse_into(files: list[Path], sent: int, results: int, known: dict[Path, Any] | None = None) -> None:
    """Parse ``files`` (those in ``known`` were parsed already: (stat before, document)); append
    each that parsed, with its stat, to ``results`` and say so on ``sent``."""
    import pickle

    from builder.json_validation import valid_against
    from builder.yamlpos import load_yaml

    for file in files:
        before, doc = (known or {}).get(file, (_stat(file), None))
        if before is None or before[0] > limits.MAX_YAML_BYTES:
            continue
        if doc is None:
            try:
                doc = load_yaml(file)
            except (CourseError, OSError, ValueError):
                continue  # the build parses it and reports the problem
        doc.valid_against = valid_against(doc.data)
        if _stat(file) != before:
            continue
        main, rest = (pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL) for part in doc.portable())
        header = pickle.dumps((str(file), before, len(main), len(rest)), protocol=pickle.HIGHEST_PROTOCOL)
        _write_all(results, len(header).to_bytes(HEADER_BYTES, "big") + header + main + rest)
        os.write(sent, SENT)
    os.close(sent)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
