"""A seeded mutation fuzzer over the OSEE sources: no input gives a traceback or a partial output.

Each trial changes one source file of a copy of courses/osee (a hostile string, a lost or doubled
line, a cut, a flipped byte), then builds one format into an output folder that holds a complete
earlier build. Whatever the mutation, the command ends with exit 0, 1 or 2 and a message, and the
output folder is either the earlier complete build or the new one: never a mix, never leftovers.
Bounded: a fixed number of trials, a fixed seed (FUZZ_SEED / FUZZ_TRIALS override them).
"""

from __future__ import annotations

import os
import random
import shutil
from collections.abc import Callable
from pathlib import Path

from builder.formats import FORMATS
from tests.conftest import OSEE, run
from tests.test_staged_build import hidden, snapshot

SEED = int(os.environ.get("FUZZ_SEED", "20261206"))
TRIALS = int(os.environ.get("FUZZ_TRIALS", "80"))

HOSTILE: tuple[str, ...] = (
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "![pixel](http://evil.example/p.png)",
    "[up](../../../../etc/passwd)",
    '=HYPERLINK("http://evil.example")',
    "+1",
    "-1",
    "@SUM(A1)",
    "*" * 3000,
    "[" * 3000,
    "| a " * 4000 + "|",
    "&amp;" * 500,
    "x" * 20_000,
    "9" * 5000,
    '"2200-01-01"',
    "T" * 150,
    "a: &a [*a, *a]",
    "<<: *a",
    "!!python/object/apply:os.system ['true']",
    "{{ 7*7 }}",
    "\u202e\u0000\u0007",
    "\t",
    "---",
    "- ",
    ": :",
    "\ufeff",
    "%00",
)


def _mutations(rng: random.Random) -> list[Callable[[bytes], bytes]]:
    def lines(data: bytes) -> list[bytes]:
        return data.split(b"\n") or [b""]

    def at_line(fn: Callable[[list[bytes], int], None]) -> Callable[[bytes], bytes]:
        def mutate(data: bytes) -> bytes:
            parts = lines(data)
            fn(parts, rng.randrange(len(parts)))
            return b"\n".join(parts)

        return mutate

    def hostile() -> bytes:
        return rng.choice(HOSTILE).encode("utf-8", "surrogatepass")

    def insert(parts: list[bytes], i: int) -> None:
        cut = rng.randrange(len(parts[i]) + 1)
        parts[i] = parts[i][:cut] + hostile() + parts[i][cut:]

    def replace_value(parts: list[bytes], i: int) -> None:
        key, colon, _ = parts[i].partition(b":")
        parts[i] = key + colon + b" " + hostile() if colon else hostile()

    def delete(parts: list[bytes], i: int) -> None:
        del parts[i]

    def double(parts: list[bytes], i: int) -> None:
        parts.insert(i, parts[i])

    def cut(data: bytes) -> bytes:
        return data[: rng.randrange(len(data) + 1)]

    def flip(data: bytes) -> bytes:
        if not data:
            return b"\xff"
        i = rng.randrange(len(data))
        return data[:i] + bytes([data[i] ^ (1 << rng.randrange(8))]) + data[i + 1 :]

    return [at_line(insert), at_line(replace_value), at_line(delete), at_line(double), cut, flip]


def test_mutated_courses_never_crash_nor_leave_partial_output(tmp_path: Path) -> None:
    course = tmp_path / "osee"
    shutil.copytree(OSEE, course)
    sources = sorted(p for p in course.rglob("*") if p.suffix in (".yaml", ".md") and p.is_file())
    out = tmp_path / "out"
    assert run("build", course, "--out", out).exit_code == 0
    rng = random.Random(SEED)
    mutations = _mutations(rng)
    formats = sorted(FORMATS)
    outcomes: dict[int, int] = {}
    for trial in range(TRIALS):
        target = rng.choice(sources)
        original = target.read_bytes()
        target.write_bytes(rng.choice(mutations)(original))
        before = snapshot(out / "osee")
        fmt = formats[trial % len(formats)]
        result = run("build", course, "-f", fmt, "--out", out)
        where = f"trial {trial} (seed {SEED}): {target.relative_to(course)} then build -f {fmt}"
        assert result.exit_code in (0, 1, 2), (where, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), (where, result.exception)
        assert "Traceback" not in result.output, where
        if result.exit_code != 0:
            assert result.stderr.strip(), where  # a message says what is wrong
            assert snapshot(out / "osee") == before, where  # the earlier complete output, untouched
        assert hidden(out) == [], where
        if trial % 4 == 0:
            linted = run("lint", course)
            assert linted.exit_code in (0, 1, 2) and "Traceback" not in linted.output, where
            assert linted.exception is None or isinstance(linted.exception, SystemExit), where
        outcomes[result.exit_code] = outcomes.get(result.exit_code, 0) + 1
        target.write_bytes(original)
    assert outcomes.get(2, 0) > TRIALS // 6  # the mutations do reach the loader's checks
