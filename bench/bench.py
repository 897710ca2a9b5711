"""Timing and memory benchmark: `make bench` (speed targets live here, not in tests).

Prints one line per measurement: median and best of N runs, and the process's peak RSS at the end.
Per-format lines run in one process (warm caches after the first run); the "new process" line is
what a user waits for. Run before and after an optimisation and compare.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from builder.formats import FORMATS
from builder.load import load_course
from builder.paths import DEFAULT_COURSE


def measure(label: str, fn: Callable[[], object], repeat: int) -> None:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    print(
        f"{label:<40} median {statistics.median(times) * 1000:8.1f} ms   best {min(times) * 1000:8.1f} ms"
        f"   (n={repeat})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("course", nargs="?", type=Path, default=DEFAULT_COURSE)
    parser.add_argument("-n", "--repeat", type=int, default=5)
    args = parser.parse_args()

    measure("load course", lambda: load_course(args.course), args.repeat)
    course = load_course(args.course)
    with tempfile.TemporaryDirectory() as tmp:
        for name, build in sorted(FORMATS.items()):
            measure(f"build {name}", lambda build=build: build(course, Path(tmp)), args.repeat)
        cli = [sys.executable, "-m", "builder", "build", str(args.course), "--out", tmp]
        measure(
            "builder build, all formats (new process)",
            lambda: subprocess.run(cli, check=True, capture_output=True),
            args.repeat,
        )
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{'peak resident memory':<40} {peak_kib / 1024:8.1f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
