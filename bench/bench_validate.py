"""`builder validate` timing (part of `make bench`): first vs subsequent package of each kind.

Builds the course in every format into a temporary folder (in a child process, so no schema is
compiled here yet), then validates each zip package several times in this one process. The first
validation of a kind compiles its schema set; later ones reuse it (the catalog compiles each set
once per process), so "first" minus "then" is the compile cost. Pass --packages DIR to time the
packages in DIR instead of a fresh build.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from builder.inspect.check import check_package
from builder.paths import DEFAULT_COURSE
from builder.schemas import default_catalog


def time_packages(packages: list[Path], repeat: int) -> int:
    """Print first and subsequent validation times per package; 1 if any package is not valid."""
    catalog = default_catalog()
    status = 0
    for package in packages:
        start = time.perf_counter()
        report = check_package(package, catalog)
        first = time.perf_counter() - start
        again = []
        for _ in range(repeat):
            start = time.perf_counter()
            check_package(package, catalog)
            again.append(time.perf_counter() - start)
        kind = report.kind.id if report.kind else report.status
        status |= report.status != "valid"
        print(
            f"validate {package.name:<28} {kind:<14} first {first * 1000:7.1f} ms   "
            f"then median {statistics.median(again) * 1000:7.1f} ms (n={repeat})   {report.status}"
        )
    return status


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("course", nargs="?", type=Path, default=DEFAULT_COURSE)
    parser.add_argument("-n", "--repeat", type=int, default=5)
    parser.add_argument("--packages", type=Path, help="time the zip packages in this folder instead")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.packages
        if folder is None:
            folder = Path(tmp)
            build = [sys.executable, "-m", "builder", "build", str(args.course), "--out", tmp]
            subprocess.run(build, check=True, capture_output=True)
        packages = sorted(p for p in folder.rglob("*") if p.is_file() and zipfile.is_zipfile(p))
        if not packages:
            print(f"validate: no zip packages in {folder}")
            return 0
        return time_packages(packages, args.repeat)


if __name__ == "__main__":
    sys.exit(main())
