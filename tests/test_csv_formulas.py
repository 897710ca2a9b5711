"""Competency CSV cells a spreadsheet would run as formulas are neutralised; Moodle reads them unchanged."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from builder.formats.competencies import FORMULA_START, INERT_PREFIX
from tests.conftest import REPO, edit, run

ALPHA = "modules/alpha/module.yaml"
HARNESS = Path(os.environ.get("MOODLE_TOOLS", REPO.parent / "shared" / "tools" / "moodle-full"))
TITLES = {
    "module.alpha": "-Alpha Module",
    "alpha-planning": '=HYPERLINK("http://example.org","Planning")',
    "alpha-budgeting": "+Budgeting -1",
    "alpha-reporting": "@Reporting Progress",
}


def hostile_course(mini: Path) -> Path:
    edit(mini / ALPHA, "title: Alpha Module", 'title: "-Alpha Module"')
    edit(mini / ALPHA, "title: Planning Programmes", "title: " + json.dumps(TITLES["alpha-planning"]))
    edit(mini / ALPHA, "title: Budgeting Programmes", 'title: "+Budgeting -1"')
    edit(mini / ALPHA, "title: Reporting Progress", 'title: "@Reporting Progress"')
    return mini


def build_csv(mini: Path, out: Path) -> tuple[Path, list[list[str]]]:
    result = run("build", hostile_course(mini), "-f", "competencies", "--out", out)
    assert result.exit_code == 0, result.output
    path = out / "mini" / "mini-competencies.csv"
    return path, list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def test_no_cell_starts_like_a_formula(mini: Path, tmp_path: Path) -> None:
    _, rows = build_csv(mini, tmp_path)
    assert all(not cell.startswith(FORMULA_START) for row in rows for cell in row)
    names = {row[1]: row[2] for row in rows[1:]}
    for idnumber, title in TITLES.items():
        assert names[idnumber] == INERT_PREFIX + title
    assert names["beta-growing"] == "Growing Communities"  # ordinary names are left alone


def _moodle_ready() -> bool:
    if shutil.which("psql") is None or not (HARNESS / "import").is_file():
        return False
    status = subprocess.run([HARNESS / "install", "--status"], capture_output=True, text=True, check=False)
    return "running" in status.stdout


@pytest.mark.moodle
def test_moodle_imports_the_short_names_unchanged(mini: Path, tmp_path: Path) -> None:
    if not _moodle_ready():
        pytest.skip("the real Moodle of ../shared/tools/moodle-full is not installed and running")
    path, _ = build_csv(mini, tmp_path)
    done = subprocess.run(
        [HARNESS / "import", "--as", "competencies", path, "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    assert report["verdict"] == "accepted", report
    framework = report["framework"]["id"]
    root = os.environ.get("MOODLE_FULL_ROOT", "/tmp/moodle-full")
    query = f"select idnumber, shortname from mdl_competency where competencyframeworkid={int(framework)}"
    rows = subprocess.run(
        [
            "psql",
            "-h",
            f"{root}/pgrun",
            "-p",
            "55432",
            "-U",
            "moodle",
            "-d",
            "moodle",
            "-At",
            "-F",
            "\t",
            "-c",
            query,
        ],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PGPASSWORD": "moodle"},
    ).stdout
    stored = dict(line.split("\t", 1) for line in rows.splitlines())
    for idnumber, title in TITLES.items():
        assert stored[idnumber] == title
