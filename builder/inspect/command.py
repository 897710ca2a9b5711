"""``builder validate PACKAGE...``: check SCORM, Common Cartridge and IMS content packages before upload."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from builder.schemas import SchemaSetupError, default_catalog, schema_dir_option


@click.command("validate")
@click.argument("packages", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for CI) instead of text.")
@schema_dir_option
def validate_command(packages: tuple[Path, ...], as_json: bool, schema_dir: Path | None) -> None:
    """Check each PACKAGE (a .zip, an .imscc, an .mbz or an unpacked folder) before uploading it to an LMS.

    Detects SCORM 1.2, SCORM 2004, Common Cartridge 1.0-1.3 and plain IMS content packages;
    validates imsmanifest.xml and the XML resources it declares against the official XSDs; checks
    files, launch pages, identifiers and references, and what Moodle and other LMSs trip on.
    Moodle course backups (.mbz, gzip'd tar or zip) get what Moodle's restore and its precheck
    check: moodle_backup.xml, the section and activity structure, files.xml against the file
    pool, id cross-references, question bank references, column limits and quiz marks.
    Archives are read in place, never extracted. Each problem is printed as
    file:line: severity: xpath: what to fix.

    Time and memory are bounded for any input: the zip's directory is checked before anything is
    inflated (unsafe or clashing names, methods and flags LMSs cannot handle, local headers that
    differ), XML is parsed up to 4 MiB, at most 1000 findings are listed (all are counted). A
    damaged archive is UNUSABLE with the reason; the other packages are still checked.

    Exit codes: 0 every package valid (warnings allowed), 1 a package has errors, 2 an input is
    unusable (unsafe entries, zip bomb, damaged, unreadable) or the schemas cannot load. An input that is no
    package at all (another kind of file, a folder without imsmanifest.xml) is unusable when given
    alone, and skipped with a notice among packages, so `builder validate dist/osee/*` checks
    every package a build wrote.
    """
    from builder.inspect.check import check_package, mark_skippable  # when used: --help stays fast
    from builder.inspect.report import EXIT_UNUSABLE, exit_code, json_report, text_report

    try:
        catalog = default_catalog(schema_dir)
        reports = [check_package(path, catalog) for path in packages]
        mark_skippable(reports)
    except SchemaSetupError as exc:
        click.echo(f"cannot validate: {exc}", err=True)
        sys.exit(EXIT_UNUSABLE)
    if as_json:
        click.echo(json.dumps(json_report(reports), indent=2, ensure_ascii=False))
    else:
        click.echo(text_report(reports))
    sys.exit(exit_code(reports))
