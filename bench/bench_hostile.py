"""Time and memory guard for hostile input (part of `make bench`): every case of issue 12, full size.

Each case runs `builder validate`, `build` or `lint` in a fresh process on generated input (packages
from tests/hostile.py, courses mutated from tests/fixtures/mini), and prints its exit code, the last
line it printed, wall time and peak resident memory. Exit 1 when a case prints a traceback, takes
longer than its time guard, or (validate) uses more than 200 MiB.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


class _Lazy:
    """A test-helper module imported on first use: only the child that writes inputs needs it, and the
    measuring parent must stay small (a child's peak memory counts the parent it was forked from)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self.name), attr)


hostile = _Lazy("tests.hostile")
packages = _Lazy("tests.validate_packages")

MINI = ROOT / "tests" / "fixtures" / "mini"
ALPHA = "modules/alpha/module.yaml"
VALIDATE_MEMORY_MIB = 200


@dataclass
class Case:
    label: str
    command: str  # validate, build or lint
    make: Callable[[Path], list[Path]]  # writes the input into a folder; the paths to pass
    seconds: float  # time guard
    env: dict[str, str] | None = None


def make_inputs(index: int, folder: Path) -> list[Path]:
    """Write case index's input (run in a child process, so this one stays small: see main)."""
    return CASES[index].make(folder)


def measure(args: list[str], env: dict[str, str] | None) -> tuple[int, str, float, float]:
    """(exit code, output, seconds, peak RSS in MiB) of one child process."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as output:
        child = subprocess.Popen(
            args, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        output.seek(0)
        text = output.read().decode("utf-8", "replace")
    return os.waitstatus_to_exitcode(status), text, seconds, usage.ru_maxrss / 1024


def mini_with(change: Callable[[Path], None]) -> Callable[[Path], list[Path]]:
    def make(folder: Path) -> list[Path]:
        course = folder / "mini"
        shutil.copytree(MINI, course)
        change(course)
        return [course]

    return make


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def symlink_loop(course: Path) -> None:
    os.symlink("loop.md", course / "modules/alpha/loop.md")
    edit(course / ALPHA, "file: scope.md", "file: loop.md")


def worst_markdown(course: Path) -> None:
    """The most expensive Markdown the limits accept: 128 KiB of 10,000-character lines of '!['."""
    line = "![" * 4999 + "\n"
    (course / "modules/alpha/scope.md").write_text("# Scope\n\n" + line * 13 + "\n", encoding="utf-8")


def big_accepted(folder: Path) -> Path:
    """A manifest just under the 4 MiB read limit, full of real resources and files."""
    entries = {**packages.cartridge(1)}
    entries[hostile.MANIFEST] = hostile.manifest_with_resources(37_000, lambda i: "welcome.html")
    return packages.write_zip(folder / "manifest-3.7mib.zip", entries)


def xml_shape(name: str, inner: str) -> Callable[[Path], list[Path]]:
    """A cartridge folder whose manifest's <resources> holds inner (shapes near the node limit)."""

    def make(folder: Path) -> list[Path]:
        entries = {**packages.cartridge(1)}
        base = entries[hostile.MANIFEST].decode()
        entries[hostile.MANIFEST] = base.replace("<resources>", "<resources>" + inner, 1).encode()
        return [packages.write_folder(folder / name, entries)]

    return make


def good(folder: Path) -> Path:
    return packages.write_zip(folder / "good.zip", packages.scorm12())


def xml_worst(folder: Path) -> list[Path]:
    cartridge = packages.cartridge
    base = cartridge(1)[hostile.MANIFEST].decode()
    n = (4 << 20) // 45 - 200
    items = "".join(f'<resource identifier="r{i}" type="x"/>' for i in range(n))
    entries = {
        **cartridge(1),
        hostile.MANIFEST: base.replace("<resources>", "<resources>" + items, 1).encode(),
    }
    return [packages.write_folder(folder / "tiny-resources", entries)]


CASES = [
    Case(
        "10,000 resources naming missing files",
        "validate",
        lambda f: [hostile.case_missing_files(f, 10_000)],
        10,
    ),
    Case(
        "100,000 resources (950 KB zip)", "validate", lambda f: [hostile.case_missing_files(f, 100_000)], 10
    ),
    Case("1,000 resources -> one 32 MB QTI file", "validate", lambda f: [hostile.case_shared_qti(f)], 10),
    Case(
        "1,000 resources -> one 3.5 MiB QTI (random)",
        "validate",
        lambda f: [hostile.case_shared_qti(f, 1_000, 3.5, compressible=False)],
        10,
    ),
    Case("largest manifest read (3.7 MiB, 37,000 res.)", "validate", lambda f: [big_accepted(f)], 10),
    Case(
        "corrupt archives (8) and a good one",
        "validate",
        lambda f: [*hostile.corrupt_cases(f).values(), good(f)],
        10,
    ),
    Case("2,000,000 central-directory records", "validate", lambda f: [hostile.case_many_records(f)], 10),
    Case(
        "2,000,000 records, EOCD says 1",
        "validate",
        lambda f: [hostile.case_many_records(f, honest_count=False)],
        10,
    ),
    Case("valid 50 MB manifest", "validate", lambda f: [hostile.case_big_manifest(f, 50)], 10),
    Case("4 MiB manifest of 93,000 bare resources", "validate", xml_worst, 10),
    Case("manifest of 490,000 empty elements", "validate", xml_shape("tiny", "<a/>" * 490_000), 10),
    Case(
        "one element with 195,000 attributes",
        "validate",
        xml_shape("attrs", "<a " + " ".join(f'a{i}=""' for i in range(195_000)) + "/>"),
        10,
    ),
    Case(
        "extractor disagreements (6)",
        "validate",
        lambda f: [*hostile.extractor_disagreements(f).values()],
        10,
    ),
    Case(
        "title over 100 characters",
        "lint",
        mini_with(lambda c: edit(c / ALPHA, "title: Alpha Module", "title: " + "A" * 130)),
        10,
    ),
    Case("section file: symlink to itself", "build", mini_with(symlink_loop), 10),
    Case(
        "file name over 255 bytes",
        "build",
        mini_with(lambda c: edit(c / ALPHA, "file: scope.md", "file: " + "s" * 300 + ".md")),
        10,
    ),
    Case(
        "YAML integer of 5,000 digits",
        "build",
        mini_with(lambda c: edit(c / "course.yaml", "seed: 7", "seed: " + "9" * 5000)),
        10,
    ),
    Case(
        'release_date: "2200-01-01"',
        "build",
        mini_with(lambda c: edit(c / "course.yaml", '"2024-03-01"', '"2200-01-01"')),
        10,
    ),
    Case(
        "SOURCE_DATE_EPOCH=99999999999",
        "build",
        mini_with(lambda c: None),
        10,
        {"SOURCE_DATE_EPOCH": "99999999999"},
    ),
    Case(
        "1 MiB one-line Markdown table row",
        "build",
        mini_with(
            lambda c: append(
                c / "modules/alpha/scope.md", "\n| a | b |\n|---|---|\n" + "| x " * (1 << 18) + "|\n"
            )
        ),
        10,
    ),
    Case(
        "100 KB one-line Markdown table row",
        "build",
        mini_with(
            lambda c: append(
                c / "modules/alpha/scope.md", "\n| a | b |\n|---|---|\n" + "| x " * 25_000 + "|\n"
            )
        ),
        10,
    ),
    Case(
        "5 MiB Markdown file",
        "build",
        mini_with(lambda c: append(c / "modules/alpha/scope.md", ("word " * 200 + "\n") * 5200)),
        10,
    ),
    Case("worst Markdown within the limits", "build", mini_with(worst_markdown), 30),
    Case(
        "competency titles = + - @ (CSV)",
        "build",
        mini_with(lambda c: edit(c / ALPHA, "title: Planning Programmes", 'title: "=HYPERLINK(1)"')),
        10,
    ),
]


def main() -> int:
    status = 0
    builder = [sys.executable, "-m", "builder"]
    print(f"{'case':<44} {'cmd':<8} {'exit':>4} {'seconds':>8} {'peak MiB':>9}  outcome")
    for index, case in enumerate(CASES):
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            # Generated in a child: some inputs take hundreds of MB to make (see _Lazy).
            made = subprocess.run(
                [sys.executable, __file__, "--make", str(index), tmp],
                capture_output=True,
                text=True,
                check=True,
            )
            inputs = [Path(line) for line in made.stdout.splitlines()]
            extra = ["--out", str(folder / "out")] if case.command == "build" else []
            code, text, seconds, peak = measure([*builder, case.command, *map(str, inputs), *extra], case.env)
        lines = [line for line in text.splitlines() if line.strip()]
        outcome = (lines[-1] if lines else "")[:150].replace(tmp, "")
        bad = []
        if "Traceback" in text:
            bad.append("TRACEBACK")
        if seconds > case.seconds:
            bad.append(f"over {case.seconds} s")
        if case.command == "validate" and peak > VALIDATE_MEMORY_MIB:
            bad.append(f"over {VALIDATE_MEMORY_MIB} MiB")
        status |= bool(bad)
        flag = f"  <-- {', '.join(bad)}" if bad else ""
        print(
            f"{case.label:<44} {case.command:<8} {code:>4} {seconds:>8.2f} {peak:>9.1f}  {outcome}{flag}",
            flush=True,
        )
    return status


if __name__ == "__main__":
    if sys.argv[1:2] == ["--make"]:
        print("\n".join(str(p) for p in make_inputs(int(sys.argv[2]), Path(sys.argv[3]))))
        sys.exit(0)
    sys.exit(main())
