"""The official XSD sets: where they live, proof they are the files we locked, compiled validators.

The XSDs are third-party files kept outside the repository. ``schemas/catalog.json`` names each
set's files, the driver to load per document type and the local stand-ins for the absolute URLs
some official files import; ``schemas/schemas.lock`` pins every one of those files by sha256, so a
different or edited copy fails loudly instead of silently validating against other rules.

The schema directory is, in order: ``--schema-dir``, ``$LMS_SCHEMA_DIR``, the user data folder that
``builder schemas fetch`` fills (platformdirs), ``../shared/schemas`` beside a checkout. When none
holds the sets, every command says so in one line and exits ``EXIT_SCHEMAS_MISSING``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import unquote, urlsplit

import click
import platformdirs
from lxml import etree

from builder.errors import BuildError
from builder.paths import IN_CHECKOUT, PROJECT_ROOT, SCHEMAS

if TYPE_CHECKING:  # xmlschema (~150 ms to import) is imported only when lxml cannot compile a set
    import xmlschema

ENV_VAR = "LMS_SCHEMA_DIR"
APP_NAME = "lms-package-builder"
DEFAULT_SCHEMA_DIR = PROJECT_ROOT.parent / "shared" / "schemas"  # used only inside a checkout
CATALOG_FILE = SCHEMAS / "catalog.json"
LOCK_FILE = SCHEMAS / "schemas.lock"
EXIT_SCHEMAS_MISSING = 2  # the same in every command (validate: "an input is unusable")
FETCH_HINT = "run `builder schemas fetch` (or `builder schemas fetch --from DIR_OR_URL` for a local copy)"
# Schema violations reported per document: past this many, the rest repeat the same mistake, and
# locating each would make a huge broken document cost time quadratic in its size.
MAX_VIOLATIONS = 500

schema_dir_option = click.option(
    "--schema-dir",
    "schema_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help=f"Folder holding the official XSD sets. Default: ${ENV_VAR}, else the folder `builder schemas "
    "fetch` fills, else ../shared/schemas next to a checkout.",
)


class SchemaSetupError(BuildError):
    """The schema files cannot be used: no schema directory, unknown set, or a set fails to load."""


class SchemaLockError(SchemaSetupError):
    """A schema file is missing or its sha256 is not the one in schemas/schemas.lock."""


class SchemaMissingError(SchemaLockError):
    """No schema directory, or a set's files are not there: one line saying how to get them."""


@dataclass(frozen=True)
class DocumentType:
    """One kind of XML document a set validates, and the root element that identifies it."""

    set_name: str
    doc_type: str
    driver: str  # relative to the schema dir
    namespace: str
    element: str
    description: str

    @property
    def root(self) -> str:
        return f"{{{self.namespace}}}{self.element}"


@dataclass(frozen=True)
class Violation:
    """One schema error, engine-neutral. column is 0 and element None when the engine cannot tell."""

    line: int
    column: int
    element: etree._Element | None
    message: str


class CompiledSchema(Protocol):
    """A compiled validator for one document type; engine is "lxml" or "xmlschema" (fallback)."""

    engine: str
    document: DocumentType

    def violations(self, tree: etree._ElementTree) -> list[Violation]: ...


@dataclass(frozen=True)
class SchemaSet:
    """One entry of catalog.json."""

    name: str
    title: str
    folder: str
    files: tuple[str, ...]  # relative to folder
    extra_files: tuple[str, ...]  # relative to the schema dir
    url_map: dict[str, dict[str, str]]
    documents: dict[str, DocumentType]
    unsupported: dict[str, str] = field(default_factory=dict)  # doc type -> why it cannot load

    @property
    def locked_files(self) -> list[str]:
        """Every file this set may read, relative to the schema dir: all are verified first."""
        own = [f"{self.folder}/{name}" for name in self.files]
        return sorted(set(own) | set(self.extra_files))

    def map_url(self, url: str) -> str | None:
        """The local file (relative to the schema dir) standing in for url, or None if unmapped."""
        mapped = self.url_map.get("exact", {}).get(url)
        if mapped is not None:
            return mapped
        for prefix, local in self.url_map.get("prefix", {}).items():
            if url.startswith(prefix):
                return local + url[len(prefix) :]
        path = url.replace("\\", "/")
        for suffix, local in self.url_map.get("suffix", {}).items():
            if path == suffix or path.endswith("/" + suffix):
                return local
        return None


@cache
def _catalog_data() -> tuple[dict[str, SchemaSet], dict[str, str]]:
    data: dict[str, Any] = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    sets = {}
    for name, raw in data["sets"].items():
        documents = {
            doc_type: DocumentType(set_name=name, doc_type=doc_type, **spec)
            for doc_type, spec in raw["documents"].items()
        }
        unsupported = {
            doc_type: f"{spec['reason']} (driver {spec['driver']})"
            for doc_type, spec in raw.get("unsupported_documents", {}).items()
        }
        sets[name] = SchemaSet(
            name=name,
            title=raw["title"],
            folder=raw["folder"],
            files=tuple(raw["files"]),
            extra_files=tuple(raw["extra_files"]),
            url_map=raw["url_map"],
            documents=documents,
            unsupported=unsupported,
        )
    lock = {}
    for line in LOCK_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, rel = line.split(maxsplit=1)
            lock[rel.strip()] = digest
    return sets, lock


_chosen_dir: Path | None = None  # set by a command's --schema-dir for every catalog user in the process


def use_schema_dir(schema_dir: Path | str | None) -> None:
    """Make ``schema_dir`` the process default (a command's --schema-dir); None keeps the usual order."""
    global _chosen_dir
    _chosen_dir = Path(schema_dir) if schema_dir is not None else None


def user_schema_dir() -> Path:
    """The folder ``builder schemas fetch`` writes to: the user's data folder (platformdirs)."""
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "schemas"


def schema_dir_candidates(explicit: Path | str | None = None) -> list[tuple[Path, str]]:
    """Every place looked in, in order, with where it came from; an explicit choice is the only one."""
    if explicit is None:
        explicit = _chosen_dir
    if explicit is not None:
        return [(Path(explicit), "--schema-dir")]
    if os.environ.get(ENV_VAR):
        return [(Path(os.environ[ENV_VAR]), f"${ENV_VAR}")]
    found = [(user_schema_dir(), "the user data folder")]
    if IN_CHECKOUT:
        found.append((DEFAULT_SCHEMA_DIR, "beside the checkout"))
    return found


def resolve_schema_dir(explicit: Path | str | None = None) -> Path:
    """Explicit argument or --schema-dir, else $LMS_SCHEMA_DIR, else the user data folder, else
    ../shared/schemas beside a checkout; never a silent fallback from an explicit choice."""
    candidates = schema_dir_candidates(explicit)
    for candidate, _source in candidates:
        if candidate.is_dir():
            return candidate.resolve()
    if len(candidates) == 1 and candidates[0][1] != "the user data folder":
        candidate, source = candidates[0]
        raise SchemaMissingError(
            f"schema directory not found: {candidate} (from {source}); point it at the folder holding "
            f"the official XSD sets, or {FETCH_HINT}"
        )
    tried = ", ".join(str(c) for c, _ in candidates)
    raise SchemaMissingError(f"the official XSD sets are not installed (looked in {tried}): {FETCH_HINT}")


# Per-process caches keyed by resolved schema dir: each set is verified and compiled once.
_compiled: dict[tuple[Path, str], dict[str, CompiledSchema]] = {}
_verified: set[tuple[Path, str]] = set()
_catalogs: dict[Path, SchemaCatalog] = {}
_guard = threading.RLock()


def default_catalog(schema_dir: Path | str | None = None) -> SchemaCatalog:
    """A shared catalog per schema dir, so callers that pass none still reuse compiled schemas."""
    resolved = resolve_schema_dir(schema_dir)
    with _guard:
        if resolved not in _catalogs:
            _catalogs[resolved] = SchemaCatalog(resolved)
        return _catalogs[resolved]


class SchemaCatalog:
    """The catalog bound to one schema directory."""

    def __init__(self, schema_dir: Path | str | None = None) -> None:
        self.schema_dir = resolve_schema_dir(schema_dir)
        self._sets, self._lock = _catalog_data()

    @property
    def set_names(self) -> list[str]:
        return list(self._sets)

    def schema_set(self, set_name: str) -> SchemaSet:
        try:
            return self._sets[set_name]
        except KeyError:
            known = ", ".join(self._sets)
            raise SchemaSetupError(f"unknown schema set {set_name!r} (known: {known})") from None

    def document(self, set_name: str, doc_type: str) -> DocumentType:
        spec = self.schema_set(set_name)
        if doc_type in spec.unsupported:
            raise SchemaSetupError(f"{set_name}/{doc_type} cannot be validated: {spec.unsupported[doc_type]}")
        if doc_type not in spec.documents:
            known = ", ".join(spec.documents)
            raise SchemaSetupError(
                f"schema set {set_name} has no document type {doc_type!r} (known: {known})"
            )
        return spec.documents[doc_type]

    def detect(self, root: str | etree.QName) -> list[DocumentType]:
        """Document types whose root element is root (Clark ``{ns}name``); QTI matches cc11 and cc13."""
        tag = root.text if isinstance(root, etree.QName) else root
        return [doc for spec in self._sets.values() for doc in spec.documents.values() if doc.root == tag]

    def schema(self, set_name: str, doc_type: str) -> CompiledSchema:
        """The compiled validator; the whole set is verified and compiled on first use per process."""
        document = self.document(set_name, doc_type)
        key = (self.schema_dir, set_name)
        with _guard:
            if key not in _compiled:
                _compiled[key] = self._compile_set(self._sets[set_name])
            return _compiled[key][document.doc_type]

    def files(self, set_name: str) -> list[tuple[str, Path]]:
        """(path inside a package, absolute path) of the set's own files, verified against the lock."""
        spec = self.schema_set(set_name)
        with _guard:
            if (self.schema_dir, set_name) not in _verified:
                self._read_verified(spec)
        folder = self.schema_dir / spec.folder
        return [(name, folder / name) for name in spec.files]

    def _read_verified(self, spec: SchemaSet) -> dict[str, bytes]:
        """Contents of every file of the set, after checking each one's sha256 against the lock."""
        contents, problems = {}, []
        for rel in spec.locked_files:
            expected = self._lock.get(rel)
            path = self.schema_dir / rel
            if expected is None:
                problems.append(f"{rel}: listed in {CATALOG_FILE.name} but not in {LOCK_FILE.name}")
            elif not path.is_file():
                problems.append(f"{path}: missing (expected sha256 {expected})")
            else:
                data = path.read_bytes()
                actual = hashlib.sha256(data).hexdigest()
                if actual != expected:
                    problems.append(f"{path}: sha256 {actual}, expected {expected}")
                contents[rel] = data
        missing = [p for p in problems if p.endswith(")") and ": missing (" in p]
        if problems and len(missing) == len(problems):
            more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
            first = missing[0].split(" (expected")[0]
            raise SchemaMissingError(f"schema set {spec.name} is incomplete: {first}{more}; {FETCH_HINT}")
        if problems:
            raise SchemaLockError(
                f"schema set {spec.name} does not match {LOCK_FILE.name}:\n  " + "\n  ".join(problems)
            )
        _verified.add((self.schema_dir, spec.name))
        return contents

    def _compile_set(self, spec: SchemaSet) -> dict[str, CompiledSchema]:
        loader = _Loader(self.schema_dir, spec, self._read_verified(spec))
        return {doc_type: _compile(doc, loader) for doc_type, doc in spec.documents.items()}


class _Loader:
    """Maps every URL a schema asks for to a verified file; anything else is refused."""

    def __init__(self, schema_dir: Path, spec: SchemaSet, contents: dict[str, bytes]) -> None:
        self.schema_dir, self.spec, self.contents = schema_dir, spec, contents
        self.failure: SchemaSetupError | None = None

    def locate(self, url: str) -> str:
        rel = self.spec.map_url(url)
        if rel is None:
            path = _local_path(url)
            if path is None:
                raise SchemaSetupError(
                    f"schema set {self.spec.name} imports {url}, which has no local mapping "
                    f"in {CATALOG_FILE.name} (the network is never used)"
                )
            try:
                rel = path.resolve().relative_to(self.schema_dir).as_posix()
            except ValueError:
                raise SchemaSetupError(
                    f"schema set {self.spec.name} loads {path}, outside {self.schema_dir}"
                ) from None
        if rel not in self.contents:
            raise SchemaSetupError(
                f"schema set {self.spec.name} loads {rel}, which {CATALOG_FILE.name} does not list "
                f"(so {LOCK_FILE.name} does not pin it)"
            )
        return rel

    def refuse(self, exc: SchemaSetupError) -> None:
        # Both engines swallow loader exceptions into vaguer errors (or warnings, for xs:import):
        # keep the first one and raise it after compiling.
        self.failure = self.failure or exc

    def check(self) -> None:
        if self.failure is not None:
            raise self.failure


def _local_path(url: str) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme == "file":
        return Path(unquote(parts.path))
    if len(parts.scheme) <= 1:  # no scheme, or a Windows drive letter
        return Path(url)
    return None


class _Resolver(etree.Resolver):
    def __init__(self, loader: _Loader) -> None:
        super().__init__()
        self.loader = loader

    def resolve(self, url: str | None, pubid: str | None, context: Any) -> Any:
        try:
            rel = self.loader.locate(url or "")
        except SchemaSetupError as exc:
            self.loader.refuse(exc)
            return self.resolve_empty(context)
        # Serve the bytes that were hashed, so the file cannot change between check and use.
        base = str(self.loader.schema_dir / rel)
        return self.resolve_string(self.loader.contents[rel], context, base_url=base)


class _LxmlSchema:
    engine = "lxml"

    def __init__(self, document: DocumentType, schema: etree.XMLSchema) -> None:
        self.document, self._schema = document, schema
        self._busy = threading.Lock()  # the error log lives on the shared schema object

    def violations(self, tree: etree._ElementTree) -> list[Violation]:
        with self._busy:
            if self._schema.validate(tree):
                return []
            log = list(itertools.islice(self._schema.error_log, MAX_VIOLATIONS))
        namespaces = {k: v for k, v in tree.getroot().nsmap.items() if k}
        return [
            Violation(entry.line, entry.column, _node_at(tree, entry.path, namespaces), entry.message)
            for entry in log
        ]


def _node_at(tree: etree._ElementTree, path: str | None, namespaces: dict[str, str]) -> etree._Element | None:
    if not path:
        return None
    try:
        found = tree.xpath(path, namespaces=namespaces)
    except etree.XPathError:  # a prefix declared below the root: no element, the line still helps
        return None
    return found[0] if isinstance(found, list) and found and isinstance(found[0], etree._Element) else None


class _XmlschemaSchema:
    engine = "xmlschema"

    def __init__(self, document: DocumentType, schema: xmlschema.XMLSchemaBase) -> None:
        self.document, self._schema = document, schema

    def violations(self, tree: etree._ElementTree) -> list[Violation]:
        out = []
        errors = self._schema.iter_errors(tree, use_location_hints=False)
        for error in itertools.islice(errors, MAX_VIOLATIONS):
            element = error.elem if isinstance(error.elem, etree._Element) else None
            out.append(Violation(error.sourceline or 0, 0, element, error.reason or error.message))
        return out


def _compile(document: DocumentType, loader: _Loader) -> CompiledSchema:
    """lxml (libxml2) first: it compiles and validates these sets many times faster than xmlschema."""
    try:
        return _LxmlSchema(document, _compile_lxml(document, loader))
    except etree.XMLSchemaParseError as lxml_error:
        loader.check()
        import xmlschema  # only here: lxml compiles every bundled set

        try:
            return _XmlschemaSchema(document, _compile_xmlschema(document, loader))
        except xmlschema.XMLSchemaException as exc:
            loader.check()
            raise SchemaSetupError(
                f"{document.set_name}/{document.doc_type}: {document.driver} does not compile "
                f"(lxml: {lxml_error}; xmlschema: {exc})"
            ) from exc


def _compile_lxml(document: DocumentType, loader: _Loader) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False)
    parser.resolvers.add(_Resolver(loader))
    driver = loader.schema_dir / document.driver
    root = etree.fromstring(loader.contents[document.driver], parser, base_url=str(driver))
    schema = etree.XMLSchema(root)
    loader.check()
    return schema


def _compile_xmlschema(document: DocumentType, loader: _Loader) -> xmlschema.XMLSchemaBase:
    def uri_mapper(url: str) -> str:
        path = _local_path(url)
        if loader.spec.map_url(url) is None and path is not None and not path.is_absolute():
            return url  # xmlschema asks again once it has joined this to its base URL
        try:
            return str(loader.schema_dir / loader.locate(url))
        except SchemaSetupError as exc:
            loader.refuse(exc)
            return url

    import xmlschema

    driver = loader.schema_dir / document.driver
    # xmlschema reads the files itself (hashed a moment ago); allow="local" makes an unmapped
    # remote import fail instead of being downloaded.
    schema = xmlschema.XMLSchema(str(driver), uri_mapper=uri_mapper, allow="local")
    loader.check()
    return schema
