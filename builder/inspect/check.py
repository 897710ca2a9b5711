"""Check one package: open it safely, find and detect the manifest, run every check, time it."""

from __future__ import annotations

import posixpath
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from builder.inspect import moodle_backup
from builder.inspect.archive import Limits, PackageSource, open_package
from builder.inspect.detect import PackageKind, detect
from builder.inspect.findings import (
    ERROR,
    WARNING,
    Finding,
    NotAPackage,
    UnusablePackage,
    error,
    located,
    warning,
)
from builder.inspect.lms import lms_checks
from builder.inspect.manifest import read_manifest, structure_checks
from builder.inspect.resources import check_resources
from builder.inspect.xmldoc import parse, schema_findings
from builder.schemas import SchemaCatalog, SchemaSetupError

MANIFEST = "imsmanifest.xml"


@dataclass
class PackageReport:
    """The outcome for one input; status is valid (no errors), invalid or unusable (see reason)."""

    input: str
    is_zip: bool = False
    kind: PackageKind | None = None
    findings: list[Finding] = field(default_factory=list)
    reason: str | None = None  # why the input is unusable
    not_a_package: bool = False  # unusable because it is no package at all (skippable among several)
    seconds: float = 0.0
    unlisted: dict[str, int] = field(default_factory=dict)  # findings past Limits.max_findings, by severity
    among_others: bool = False  # set when packages were checked beside it in the same run

    @property
    def status(self) -> str:
        if self.reason is not None:
            return "skipped" if self.not_a_package and self.among_others else "unusable"
        return "invalid" if self.count(ERROR) else "valid"

    def count(self, severity: str) -> int:
        listed = sum(1 for f in self.findings if f.severity == severity and f.code != "too-many-findings")
        return listed + self.unlisted.get(severity, 0)

    def where(self, member: str | None) -> str:
        if member is None:
            return self.input
        return f"{self.input}!{member}" if self.is_zip else f"{self.input.rstrip('/')}/{member}"


def mark_skippable(reports: list[PackageReport]) -> None:
    """Inputs that are no package at all are skipped when at least one real package is checked too."""
    if any(not r.not_a_package for r in reports):
        for report in reports:
            report.among_others = True


def check_package(path: Path, catalog: SchemaCatalog, limits: Limits | None = None) -> PackageReport:
    """Everything this checker knows about the package at path (zip, .imscc or folder)."""
    started = time.perf_counter()
    report = PackageReport(str(path))
    limits = limits or Limits()
    try:
        if moodle_backup.is_backup_archive(path):  # a .mbz as Moodle writes it: gzip'd tar
            report.is_zip, report.kind = True, moodle_backup.BACKUP_KIND
            with located():
                report.findings += moodle_backup.check_archive(path, limits)
        else:
            with located(), open_package(path, limits) as source:
                report.is_zip = source.is_zip
                report.findings += source.findings
                checker = next((check for recognise, check in PACKAGE_KINDS if recognise(source.names)), None)
                if checker is None:
                    raise NotAPackage(
                        f"no {MANIFEST} anywhere in it: not a SCORM, Common Cartridge or IMS content package"
                    )
                checker(source, catalog, report)
    except UnusablePackage as exc:
        report.reason = str(exc)
        report.not_a_package = isinstance(exc, NotAPackage)
    except SchemaSetupError:
        raise
    except (MemoryError, RecursionError) as exc:
        report.reason = f"too large or too deeply nested to check ({type(exc).__name__})"
    except Exception as exc:
        report.reason = (
            f"could not be read ({type(exc).__name__}: {str(exc)[:200]}); a damaged or unusual archive"
        )
    report.findings = _capped(_ordered(_without_redundant(report.findings)), limits.max_findings, report)
    report.seconds = time.perf_counter() - started
    return report


def is_backup(names: frozenset[str]) -> bool:
    """A zipped (or unpacked) Moodle course backup: moodle_backup.xml at its root."""
    return moodle_backup.BACKUP_FILE in names


def check_backup(source: PackageSource, catalog: SchemaCatalog, report: PackageReport) -> None:
    """A Moodle course backup read from a zip or a folder."""
    report.kind = moodle_backup.BACKUP_KIND
    backup_cap = source.limits.max_backup_read
    report.findings += moodle_backup.check_backup_entries(
        source.names, lambda name: source.read(name, cap=backup_cap)
    )


def has_manifest(names: frozenset[str]) -> bool:
    """An IMS package (SCORM, Common Cartridge, IMS CP): imsmanifest.xml at the root or below it."""
    return any(posixpath.basename(n).lower() == MANIFEST and not n.startswith("__MACOSX/") for n in names)


def check_ims_package(source: PackageSource, catalog: SchemaCatalog, report: PackageReport) -> None:
    """An IMS package: its manifest, then every check its kind (detect.py) calls for."""
    member, located = locate_manifest(source.names)
    report.findings += located
    data = source.read(member)
    tree, problems = parse(data, member)
    report.findings += problems
    if tree is None:
        return
    root = tree.getroot()
    kind = report.kind = detect(root)
    if kind.family == "unknown":
        report.findings.append(
            error(
                "unknown-kind",
                f"{kind.title}: expected <manifest> in the namespace of SCORM 1.2, SCORM 2004, Common "
                "Cartridge 1.0-1.3 or IMS Content Packaging; fix the root element's xmlns",
                member,
                root,
            )
        )
        if etree.QName(root).localname != "manifest":
            return
    if kind.schema_set is None and kind.family != "unknown":
        report.findings.append(
            warning(
                "no-xsd",
                f"validated structurally only: no XSD set for {kind.title} (schema sets: "
                f"{', '.join(catalog.set_names)})",
                member,
            )
        )
    elif kind.schema_set is not None and not problems:
        report.findings += schema_findings(data, tree, kind.schema_set, "manifest", member, catalog)
    cap = source.limits.max_resources
    manifest = read_manifest(member, data, root, kind, cap)
    if manifest.declared > cap:
        message = (
            f"too many resources: the manifest declares {manifest.declared}, and only the first "
            f"{cap} were checked; LMS imports of that size time out too: split the package"
        )
        report.findings.append(error("too-many-resources", message, member))
    report.findings += structure_checks(manifest, source.names) + lms_checks(manifest, source.names)
    if kind.family == "cc":
        report.findings += check_resources(manifest, source, catalog)


# The kinds of package `builder validate` recognises, tried in order: (does the file list look like
# one, the check for it). A package matching none is no package at all (NotAPackage).
Recognise = Callable[[frozenset[str]], bool]
Check = Callable[[PackageSource, SchemaCatalog, PackageReport], None]
PACKAGE_KINDS: list[tuple[Recognise, Check]] = [(is_backup, check_backup), (has_manifest, check_ims_package)]


def locate_manifest(names: frozenset[str]) -> tuple[str, list[Finding]]:
    """The manifest's path: at the root if there, else the shallowest one found, with an error."""
    if MANIFEST in names:
        return MANIFEST, []
    candidates = sorted(
        (n for n in names if posixpath.basename(n).lower() == MANIFEST and not n.startswith("__MACOSX/")),
        key=lambda n: (n.count("/"), n),
    )
    if not candidates:  # has_manifest said otherwise: only when called on its own
        raise NotAPackage(
            f"no {MANIFEST} anywhere in it: not a SCORM, Common Cartridge or IMS content package"
        )
    found = candidates[0]
    folder = posixpath.dirname(found)
    if folder:
        message = (
            f"{MANIFEST} is in {folder}/, not at the root of the package; Moodle and other LMSs look "
            f"for it at the root and reject the upload: zip the contents of {folder}/, not the folder"
        )
        return found, [error("manifest-not-at-root", message, found)]
    message = f"the manifest is named {found!r}; LMSs look for exactly {MANIFEST!r} (case matters): rename it"
    return found, [error("manifest-name", message, found)]


def _capped(findings: list[Finding], cap: int, report: PackageReport) -> list[Finding]:
    """At most cap findings (errors first), then a notice of how many more; report counts them all."""
    if len(findings) <= cap:
        return findings
    errors = [f for f in findings if f.severity == ERROR]
    kept = (errors + [f for f in findings if f.severity != ERROR])[:cap]
    for severity in (ERROR, WARNING):
        report.unlisted[severity] = sum(f.severity == severity for f in findings) - sum(
            f.severity == severity for f in kept
        )
    message = (
        f"too many findings: {len(findings) - cap} more ({report.unlisted[ERROR]} errors, "
        f"{report.unlisted[WARNING]} warnings) not listed; fix the ones above (they often repeat one "
        "mistake) and check again"
    )
    kept = _ordered(kept)
    kept.append(Finding(WARNING, "too-many-findings", message))
    return kept


def _without_redundant(findings: list[Finding]) -> list[Finding]:
    """Drop libxml2's cryptic xs:ID complaint where the duplicate-identifier check already explains it."""
    duplicates = {(f.file, f.line) for f in findings if f.code == "duplicate-identifier"}
    return [
        f
        for f in findings
        if not (f.code == "xsd" and (f.file, f.line) in duplicates and "'xs:ID'" in f.message)
    ]


def _ordered(findings: list[Finding]) -> list[Finding]:
    """Grouped by file in order of first appearance, by line within a file."""
    rank: dict[str | None, int] = {}
    for finding in findings:
        rank.setdefault(finding.file, len(rank))
    return sorted(findings, key=lambda f: (rank[f.file], f.line or 0))
