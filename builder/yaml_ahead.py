"""A course's YAML files parsed ahead, by a process forked at the start of a build.

Parsing a course's YAML is most of loading it, and a build process spends about as long loading
its own code first. So, where fork is available, a build forks a helper that parses every YAML
file of the course folders (the course's own and those of the courses it extends) with the same
loader and limits while the build process imports its code; ``load_yaml`` then takes each file's
result from the helper instead of parsing it again.

A result is taken only if the file's size and modification time are those the helper saw before
and after reading it: a file saved meanwhile, or one the helper could not parse (its problems are
found and reported by the build's own parse), is parsed by the build as usual. The helper writes
its results into a file of its own and says so through a pipe; it never outlives the build (Linux:
it is killed with it), and nothing else depends on it: a helper that fails leaves the build to parse.

Once the YAML is sent, the helper also works out the text direction of the course's language
(Babel's locale data: about 12 ms the build process would otherwise spend before its formats
start); ``finish()`` hands it to ``builder.i18n`` once the course is loaded, when the helper is long
done.
"""

from __future__ import annotations

import os
import pickle
import signal
import tempfile
from pathlib import Path
from typing import Any

from builder import limits
from builder.cache import SKIPPED_DIRS
from builder.errors import CourseError
from builder.forked_jobs import die_with

MAX_FILES = 5000  # a course with more YAML files than this is parsed by the build alone
MAX_BYTES = 4 * 1024 * 1024  # the same for their total size (what it sends is held in memory)

Stat = tuple[int, int]  # size, modification time in ns
PARSED = b"Y"  # what the helper writes to its pipe once the parsed files are in the results file
MAX_SENT = 1 << 16  # what more it may send (the text directions: a few bytes)


def _stat(path: Path) -> Stat | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns


class YamlAhead:
    """The helper process and, once it is done, its results: per file, its stat and its
    document (pickled, so each taker gets a copy of its own)."""

    def __init__(self, files: list[Path], language: str | None = None) -> None:
        descriptor, name = tempfile.mkstemp(prefix="builder-yaml-", suffix=".pickle")
        os.close(descriptor)
        self.results = Path(name)
        self.parsed: dict[Path, tuple[Stat, bytes]] | None = None
        parent = os.getpid()
        self.said, said = os.pipe()  # PARSED once the results are written, then the directions
        self.pid = os.fork()
        if self.pid == 0:  # the helper
            code = 1
            try:
                os.close(self.said)
                die_with(parent)
                _parse_into(files, self.results)
                os.write(said, PARSED)
                if language is not None:
                    _send(said, _directions(language))
                code = 0
            finally:
                os._exit(code)
        os.close(said)

    def take(self, file: Path) -> Any:
        """The file's YamlDoc as the helper parsed it, or None (then the caller parses it)."""
        if self.parsed is None:
            self.parsed = self._receive()
        found = self.parsed.get(file)
        if found is None or _stat(file) != found[0]:
            return None
        from builder.yamlpos import YamlDoc

        return YamlDoc.from_portable(pickle.loads(found[1]))

    def _receive(self) -> dict[Path, tuple[Stat, bytes]]:
        try:
            if os.read(self.said, len(PARSED)) != PARSED:  # the helper failed before it wrote them
                return {}
            return pickle.loads(self.results.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError):
            return {}
        finally:
            self.results.unlink(missing_ok=True)

    def finish(self) -> None:
        """Wait for the helper's last results (its text directions) and hand them to builder.i18n."""
        if self.parsed is None:
            self.parsed = self._receive()
        if self.said < 0:
            return
        try:
            sent = _receive_all(self.said)
            found = pickle.loads(sent) if sent else {}
        except (OSError, pickle.UnpicklingError, EOFError, ValueError):
            found = {}
        if isinstance(found, dict):
            from builder import i18n

            i18n.learn_directions(found)
        self.close(keep_parsed=True)

    def close(self, keep_parsed: bool = False) -> None:
        """Stop the helper if it still runs, and forget its results (all but the parsed files, with
        ``keep_parsed``)."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except OSError:
                pass
            self.pid = 0
        if self.said >= 0:
            os.close(self.said)
            self.said = -1
        self.results.unlink(missing_ok=True)
        if not keep_parsed:
            self.parsed = {}


_current: YamlAhead | None = None


def start(folders: list[Path], exclude: Path | None = None, language: str | None = None) -> YamlAhead | None:
    """A helper parsing the YAML files below ``folders`` (but ``exclude``: the output folder), now
    taken by ``load_yaml``, then looking up the text direction of ``language`` (when given); None
    where fork is not available or the course is too large."""
    global _current
    if not hasattr(os, "fork"):
        return None
    files = _yaml_files(folders, exclude)
    if files is None:
        return None
    _current = YamlAhead(files, language)
    return _current


def finish() -> None:
    """Hand what the helper worked out after the YAML (text directions) to builder.i18n, and end it."""
    if _current is not None:
        _current.finish()
    stop()


def stop() -> None:
    """Stop the helper started last; ``load_yaml`` parses every file itself again."""
    global _current
    if _current is not None:
        _current.close()
        _current = None


def take(file: Path) -> Any:
    """The file as the helper parsed it (a YamlDoc), or None."""
    return None if _current is None else _current.take(file)


def _yaml_files(folders: list[Path], exclude: Path | None) -> list[Path] | None:
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


def _parse_into(files: list[Path], results: Path) -> None:
    from builder.yamlpos import load_yaml

    parsed: dict[Path, tuple[Stat, bytes]] = {}
    for file in files:
        before = _stat(file)
        if before is None or before[0] > limits.MAX_YAML_BYTES:
            continue
        try:
            doc = load_yaml(file)
        except (CourseError, OSError, ValueError):
            continue  # the build parses it and reports the problem
        if _stat(file) == before:
            parsed[file] = before, pickle.dumps(doc.portable(), protocol=pickle.HIGHEST_PROTOCOL)
    results.write_bytes(pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL))


def _directions(language: str) -> dict[str, str]:
    from builder import i18n

    i18n.direction(language)
    return i18n.learnt_directions()


def _send(fd: int, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    if len(data) <= MAX_SENT:
        os.write(fd, data)


def _receive_all(fd: int) -> bytes:
    """Everything written to the pipe until the helper closes it (at most MAX_SENT bytes)."""
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_SENT and (chunk := os.read(fd, MAX_SENT + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
    if size > MAX_SENT:
        raise ValueError("the helper sent more than it may")
    return b"".join(chunks)
