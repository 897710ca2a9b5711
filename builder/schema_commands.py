"""``builder schemas fetch|status|json``: get the official XSDs, see where they are, export JSON Schemas.

``fetch`` is the only command that touches the network. It reads every file schemas.lock pins from
its official location (schemas/sources.json), a local mirror folder or a mirror URL, checks each one's
sha256 against the lock and installs the whole set at once, or nothing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit

import click

from builder.package import atomic_dir
from builder.paths import COURSE_SCHEMAS, SCHEMAS
from builder.schemas import (
    EXIT_SCHEMAS_MISSING,
    LOCK_FILE,
    SchemaSetupError,
    _catalog_data,
    resolve_schema_dir,
    schema_dir_candidates,
    schema_dir_option,
    user_schema_dir,
)

SOURCES_FILE = SCHEMAS / "sources.json"
MAX_FILE_BYTES = 8 << 20  # the largest official file is far below this
TIMEOUT_SECONDS = 30


class FetchError(Exception):
    """A file could not be read or does not match the lock."""


def locked_files() -> dict[str, str]:
    """Every file of every set (path relative to the schema dir) -> its sha256 in the lock."""
    return dict(_catalog_data()[1])


def official_source(rel: str) -> str:
    """The official URL of a locked file, or "bundled" for the project's own driver schemas."""
    table: dict[str, str] = json.loads(SOURCES_FILE.read_text(encoding="utf-8"))["files"]
    prefix = max(
        (p for p in table if rel == p or (p.endswith("/") and rel.startswith(p))), key=len, default=None
    )
    if prefix is None:
        raise FetchError(f"{rel}: no official location in {SOURCES_FILE.name}")
    base = table[prefix]
    return base + quote(rel[len(prefix) :]) if base.endswith("/") else base


def _download(url: str) -> bytes:
    if urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http(s) addresses can be fetched")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            data = response.read(MAX_FILE_BYTES + 1)
    except (urllib.error.URLError, OSError) as exc:
        raise FetchError(f"{url}: {getattr(exc, 'reason', exc)}") from None
    if len(data) > MAX_FILE_BYTES:
        raise FetchError(f"{url}: larger than {MAX_FILE_BYTES} bytes")
    return data


def read_file(rel: str, source: str | None) -> bytes:
    """The bytes of one locked file from the official location, a mirror folder or a mirror URL."""
    if source is None:
        where = official_source(rel)
        if where == "bundled":
            return (SCHEMAS / rel).read_bytes()
        return _download(where)
    if urlsplit(source).scheme in ("http", "https"):
        return _download(source.rstrip("/") + "/" + quote(rel))
    path = Path(source[len("file://") :] if source.startswith("file://") else source) / rel
    try:
        return path.read_bytes()
    except OSError as exc:
        raise FetchError(f"{path}: {exc.strerror or exc}") from None


def fetch(source: str | None, dest: Path) -> int:
    """Install every locked file into dest; returns the number of files. Raises FetchError listing all
    files that failed, leaving dest as it was."""
    files, problems = {}, []
    for rel, expected in sorted(locked_files().items()):
        try:
            data = read_file(rel, source)
        except FetchError as exc:
            problems.append(str(exc))
            continue
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            problems.append(f"{rel}: sha256 {actual}, expected {expected} ({LOCK_FILE.name})")
            continue
        files[rel] = data
    if problems:
        raise FetchError("\n".join(problems))
    with atomic_dir(dest) as tmp:
        for rel, data in files.items():
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_bytes(data)
    return len(files)


def set_status(schema_dir: Path) -> list[tuple[str, str]]:
    """(set name, "ok" or what is wrong) for every set of the catalog in schema_dir."""
    sets, lock = _catalog_data()
    out = []
    for name, spec in sets.items():
        missing, altered = 0, 0
        for rel in spec.locked_files:
            path = schema_dir / rel
            if not path.is_file():
                missing += 1
            elif hashlib.sha256(path.read_bytes()).hexdigest() != lock.get(rel):
                altered += 1
        if missing or altered:
            parts = [f"{n} file(s) {what}" for n, what in ((missing, "missing"), (altered, "altered")) if n]
            out.append((name, ", ".join(parts)))
        else:
            out.append((name, "ok"))
    return out


@click.group("schemas")
def schemas_command() -> None:
    """Get the official XSDs (SCORM, Common Cartridge) and the course JSON Schemas.

    The XSDs are third-party files, not part of the builder: `builder schemas fetch` installs them
    once into your user data folder. Builds look for them in --schema-dir, $LMS_SCHEMA_DIR, that
    folder, then ../shared/schemas beside a checkout.
    """


@schemas_command.command("fetch")
@click.option(
    "--from",
    "source",
    metavar="DIR_OR_URL",
    help="Copy from a local mirror folder or a mirror URL (same layout as the schema folder) instead of "
    "the official locations.",
)
@click.option(
    "--to",
    "dest",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Install into this folder instead of the user data folder.",
)
def fetch_command(source: str | None, dest: Path | None) -> None:
    """Download every XSD the builder validates with, check it against schemas.lock, install it.

    Without --from, each file comes from its official location (the only command that uses the
    network). Nothing is installed unless every file matches the lock. Exit 1 when a file cannot be
    read or does not match.
    """
    target = dest or user_schema_dir()
    try:
        count = fetch(source, target)
    except FetchError as exc:
        for line in str(exc).splitlines():
            click.echo(f"cannot fetch: {line}", err=True)
        click.echo(f"nothing installed in {target}", err=True)
        sys.exit(1)
    click.echo(f"installed {count} files verified against {LOCK_FILE.name} in {target}")


@schemas_command.command("status")
@schema_dir_option
def status_command(schema_dir: Path | None) -> None:
    """Show where the XSD sets are looked for, which folder is used and whether each set verifies.

    Exit 0 when every set verifies, 1 when a set is altered, 2 when the sets are missing.
    """
    for candidate, source in schema_dir_candidates(schema_dir):
        state = "present" if candidate.is_dir() else "absent"
        click.echo(f"looked in {candidate} ({source}): {state}")
    try:
        used = resolve_schema_dir(schema_dir)
    except SchemaSetupError as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_SCHEMAS_MISSING)
    click.echo(f"using {used}")
    report = set_status(used)
    for name, state in report:
        click.echo(f"  {name:<14} {'verified' if state == 'ok' else state}")
    states = [state for _, state in report]
    if all(state == "ok" for state in states):
        return
    sys.exit(1 if any("altered" in state for state in states) else EXIT_SCHEMAS_MISSING)


@schemas_command.command("json")
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="Folder to write course.schema.json, module.schema.json and assessment.schema.json into.",
)
def json_command(out: Path) -> None:
    """Write the course JSON Schemas where an editor can find them (see README: editor support)."""
    for path in write_json_schemas(out):
        click.echo(path)


def write_json_schemas(out: Path) -> list[Path]:
    """Copy course.schema.json, module.schema.json and assessment.schema.json into out (created if
    needed)."""
    out.mkdir(parents=True, exist_ok=True)
    for name in COURSE_SCHEMAS:
        shutil.copyfile(SCHEMAS / name, out / name)
    return [out / name for name in COURSE_SCHEMAS]
