"""Reports for people (one line per problem: file, line, XPath, what to fix) and JSON for CI."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from builder.inspect.check import PackageReport
from builder.inspect.findings import ERROR, WARNING, Finding

EXIT_VALID, EXIT_INVALID, EXIT_UNUSABLE = 0, 1, 2


def exit_code(reports: Sequence[PackageReport]) -> int:
    """2 if any input is unusable, else 1 if any package has an error, else 0."""
    statuses = {r.status for r in reports}
    if "unusable" in statuses:
        return EXIT_UNUSABLE
    return EXIT_INVALID if "invalid" in statuses else EXIT_VALID


def location(report: PackageReport, finding: Finding) -> str:
    """``pkg.zip!imsmanifest.xml:12`` (no line when unknown)."""
    where = report.where(finding.file)
    return f"{where}:{finding.line}" if finding.line else where


def finding_line(report: PackageReport, finding: Finding) -> str:
    xpath = f" {finding.xpath}:" if finding.xpath else ""
    return f"{location(report, finding)}: {finding.severity}:{xpath} {finding.message}"


def summary_line(report: PackageReport) -> str:
    if report.reason is not None:
        return f"{report.input}: {report.status.upper()}: {report.reason}"
    kind = report.kind.title if report.kind else "unreadable manifest"
    schema = f"XSD set {report.kind.schema_set}" if report.kind and report.kind.schema_set else "no XSD set"
    errors, warnings = report.count(ERROR), report.count(WARNING)
    counts = f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
    return f"{report.input}: {report.status.upper()}: {kind} ({schema}); {counts}; {report.seconds:.2f} s"


def text_report(reports: Sequence[PackageReport]) -> str:
    lines = []
    for report in reports:
        lines += [finding_line(report, f) for f in report.findings]
        lines.append(summary_line(report))
    if len(reports) > 1:
        counts = {
            status: sum(r.status == status for r in reports)
            for status in ("valid", "invalid", "unusable", "skipped")
        }
        lines.append(f"{len(reports)} inputs: " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    return "\n".join(lines)


def json_report(reports: Sequence[PackageReport]) -> dict[str, Any]:
    return {
        "exit_code": exit_code(reports),
        "packages": [
            {
                "input": r.input,
                "status": r.status,
                "reason": r.reason,
                "kind": r.kind.id if r.kind else None,
                "title": r.kind.title if r.kind else None,
                "schema_set": r.kind.schema_set if r.kind else None,
                "errors": r.count(ERROR),
                "warnings": r.count(WARNING),
                "seconds": round(r.seconds, 4),
                "findings": [
                    {
                        "severity": f.severity,
                        "code": f.code,
                        "location": location(r, f),
                        "file": f.file,
                        "line": f.line,
                        "xpath": f.xpath,
                        "message": f.message,
                    }
                    for f in r.findings
                ],
            }
            for r in reports
        ],
    }
