"""Overlay courses (issue 14): courses/osee-campus adapts OSEE by writing only the differences.

It drops a module, rewords a competency, adds a module with its own assessment, renames the course and
brands it; it must build and validate in every format, keep OSEE's ids, take its own package and
framework identifiers, and pick up a change of the base on the next build.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from builder.load import check_course, load_course
from tests.conftest import OSEE, REPO, edit, line_of, run

CAMPUS = REPO / "courses" / "osee-campus"
DROPPED = "resource-mobilisation"
ADDED = "campus-open-source-lab"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("campus")
    result = run("build", CAMPUS, "--out", out)
    assert result.exit_code == 0, result.output
    return out / "osee-campus"


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of OSEE and of the overlay beside it (the overlay extends ../osee)."""
    base = tmp_path / "osee"
    shutil.copytree(OSEE, base)
    overlay = tmp_path / "osee-campus"
    shutil.copytree(CAMPUS, overlay)
    return base, overlay


def test_overlay_loads_with_base_content_and_its_own_changes() -> None:
    course = load_course(CAMPUS)
    base = load_course(OSEE)
    ids = [m.id for m in course.modules]
    assert DROPPED not in ids and ADDED in ids
    assert len(ids) == len(base.modules)  # one dropped, one added
    assert course.id == "osee-campus" and course.language == "fr"
    assert course.title.startswith("Écosystèmes open source")
    strategy = course.module("strategy")
    reworded = next(c for c in strategy.competencies if c.id == "strategy-change-management")
    assert reworded.title == "Conduire le changement vers le logiciel libre"
    assert reworded.pos.file == CAMPUS / "modules" / "strategy" / "module.yaml"
    # Everything else is the base's, with the base's positions.
    untouched = next(c for c in strategy.competencies if c.id == "strategy-capacity-building")
    assert untouched == next(c for c in base.module("strategy").competencies if c.id == untouched.id)
    assert [s.id for s in strategy.sections] == [s.id for s in base.module("strategy").sections]
    assert strategy.sections[0].body.pos.file.is_relative_to(OSEE)
    assert course.branding.logo == Path("branding/logo.svg")
    assert course.branding.accent == "#7a1f3d"


def test_overlay_builds_and_validates_in_every_format(built: Path) -> None:
    names = sorted(p.name for p in built.iterdir())
    assert names == sorted(
        [
            "osee-campus-case.json",
            "osee-campus-cc11.imscc",
            "osee-campus-cc13.imscc",
            "osee-campus-competencies.csv",
            "osee-campus-gift.txt",
            "osee-campus-moodle.xml",
            "osee-campus-scorm12.zip",
            "osee-campus-scorm2004.zip",
            "osee-campus.mbz",
            "web",
        ]
    )
    packages = [p for p in built.iterdir() if p.suffix in (".zip", ".imscc", ".mbz")]
    result = run("validate", *packages)
    assert result.exit_code == 0, result.output
    assert result.output.count("VALID") == len(packages)


def test_dropped_module_is_nowhere_and_added_one_everywhere(built: Path) -> None:
    web = built / "web"
    assert not (web / f"module-{DROPPED}.html").exists()
    assert (web / f"module-{ADDED}.html").is_file()
    for package in ("osee-campus-scorm2004.zip", "osee-campus-cc11.imscc"):
        with zipfile.ZipFile(built / package) as z:
            manifest = z.read("imsmanifest.xml").decode()
        assert DROPPED not in manifest and ADDED in manifest
    bank = (built / "osee-campus-moodle.xml").read_text(encoding="utf-8")
    assert "campus-licence-droits" in bank and "resmob" not in bank.lower()


def test_ids_kept_identifiers_prefixed_by_the_overlay(built: Path, tmp_path: Path) -> None:
    assert run("build", OSEE, "--out", tmp_path, "-f", "competencies").exit_code == 0
    base_case = json.loads((tmp_path / "osee" / "osee-case.json").read_text())
    case = json.loads((built / "osee-campus-case.json").read_text())
    assert case["CFDocument"]["identifier"] != base_case["CFDocument"]["identifier"]
    rows = list(csv.reader(io.StringIO((built / "osee-campus-competencies.csv").read_text(encoding="utf-8"))))
    base_rows = list(csv.reader(io.StringIO((tmp_path / "osee" / "osee-competencies.csv").read_text())))
    framework = [r[1] for r in rows[1:] if r[12] == "1"]
    assert framework == ["osee-campus"] and [r[1] for r in base_rows[1:] if r[12] == "1"] == ["osee"]
    ids = {r[1] for r in rows[1:]}
    base_ids = {r[1] for r in base_rows[1:]}
    assert "strategy-change-management" in ids & base_ids  # unchanged ids
    reworded = next(r for r in rows if r[1] == "strategy-change-management")
    assert reworded[2] == "Conduire le changement vers le logiciel libre"
    statements = [i["fullStatement"] for i in case["CFItems"]]
    assert any(s.startswith("Planifier et mener le passage") for s in statements)
    with zipfile.ZipFile(built / "osee-campus-scorm2004.zip") as z:
        root = etree.fromstring(z.read("imsmanifest.xml"))
    assert root.get("identifier") == "MANIFEST.osee-campus"


def test_branding_shows_on_pages(built: Path) -> None:
    index = (built / "web" / "index.html").read_text(encoding="utf-8")
    assert 'class="site-header branded"' in index
    assert (
        '<img class="brand-logo" src="assets/branding/logo.svg" alt="Université de démonstration">' in index
    )
    assert "--accent: #7a1f3d" in index and "Service des formations numériques" in index
    assert (built / "web" / "assets" / "branding" / "logo.svg").is_file()


def test_upstream_fix_flows_in_on_rebuild(pair: tuple[Path, Path]) -> None:
    base, overlay = pair
    edit(
        base / "modules" / "strategy" / "module.yaml",
        "title: Strategy\n",
        "title: Strategy (fixed upstream)\n",
    )
    assert load_course(overlay).module("strategy").title == "Strategy (fixed upstream)"


def test_errors_point_at_the_file_that_gave_the_value(pair: tuple[Path, Path]) -> None:
    base, overlay = pair
    edit(
        overlay / "course.yaml",
        "  - resource-mobilisation\n",
        "  - resource-mobilisation\n  - no-such-module\n",
    )
    edit(
        base / "modules" / "strategy" / "module.yaml",
        "    title: Capacity Building\n",
        "    title: Capacity Building\n    colour: red\n",
    )
    _, problems = check_course(overlay)
    text = "\n".join(str(p) for p in problems)
    assert f"{overlay / 'course.yaml'}:{line_of(overlay / 'course.yaml', 'no-such-module')}:" in text
    assert "no module 'no-such-module' in the base" in text
    result = run("lint", overlay)
    assert result.exit_code == 2 and "no-such-module" in result.output


def test_wrong_override_points_at_the_overlay(pair: tuple[Path, Path]) -> None:
    _, overlay = pair
    edit(
        overlay / "modules" / "strategy" / "module.yaml",
        "    title: Conduire",
        "    title: 12\n    x: Conduire",
    )
    _, problems = check_course(overlay)
    assert problems and all(p.pos.file == overlay / "modules" / "strategy" / "module.yaml" for p in problems)


def test_lint_reports_references_to_dropped_modules(pair: tuple[Path, Path]) -> None:
    _, overlay = pair
    shutil.rmtree(overlay / "modules" / "digital-inclusion")  # the reworded dependency goes
    (overlay / "modules" / DROPPED).mkdir()
    (overlay / "modules" / DROPPED / "module.yaml").write_text("title: Mobilisation\n", encoding="utf-8")
    edit(overlay / "course.yaml", "  - resource-mobilisation\n", "  - resource-mobilisation\n  - strategy\n")
    result = run("lint", overlay)
    out = result.output
    # the base's prose naming the dropped module, with where to reword it
    assert "names module 'resource-mobilisation', which the overlay drops" in out
    assert "modules/digital-inclusion/module.yaml" in out
    # an override of a dropped module matches nothing
    assert f"modules/{DROPPED}/ overrides module '{DROPPED}', which this overlay drops" in out
    # dependencies on a dropped module: an error naming the fix
    assert "depends on module 'strategy', which the overlay drops" in out
    assert result.exit_code == 2  # the dependency is an error; the rest are warnings


def test_diff_lists_what_the_overlay_changes() -> None:
    result = run("diff", OSEE, CAMPUS)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("drop") and f"module {DROPPED}" in line for line in lines)
    assert any(line.startswith("add") and f"module {ADDED}" in line for line in lines)
    assert any(
        line.startswith("override") and "competencies[strategy-change-management].title" in line
        for line in lines
    )
    assert all("osee-campus" in line for line in lines)  # each names the overlay file that says so
    assert run("diff", CAMPUS, OSEE).exit_code == 2


def test_overlay_adds_pages_and_categories_and_replaces_templates(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    _, overlay = pair
    (overlay / "pages").mkdir()
    (overlay / "pages" / "campus.md").write_text("Bienvenue sur le campus.\n", encoding="utf-8")
    (overlay / "categories").mkdir()
    (overlay / "categories" / "campus.md").write_text("Les modules du campus.\n", encoding="utf-8")
    # the added module moves from an OSEE category to a category of the overlay's own
    edit(
        overlay / "course.yaml",
        "categories:\n  - id: ecosystemic-societal\n    modules:\n      - campus-open-source-lab\n",
        "pages:\n  - id: campus\n    title: Le campus\n    file: pages/campus.md\n"
        "categories:\n  - id: campus\n    title: Campus\n    intro: categories/campus.md\n"
        "    modules:\n      - campus-open-source-lab\n",
    )
    edit(overlay / "modules" / ADDED / "module.yaml", "category: ecosystemic-societal", "category: campus")
    (overlay / "templates").mkdir()
    page = (REPO / "builder" / "templates" / "page.html").read_text(encoding="utf-8")
    (overlay / "templates" / "page.html").write_text(
        page.replace('<div class="prose">', '<div class="prose campus-page">'), encoding="utf-8"
    )
    course = load_course(overlay)
    assert [p.id for p in course.pages][-1] == "campus"
    assert course.pages[-1].body.pos.file == overlay / "pages" / "campus.md"
    assert [c.id for c in course.categories][-1] == "campus"
    assert course.categories[-1].module_ids == (ADDED,)
    assert run("build", overlay, "--out", tmp_path, "-f", "web").exit_code == 0
    html = (tmp_path / "osee-campus" / "web" / "page-campus.html").read_text(encoding="utf-8")
    assert '<div class="prose campus-page">' in html and "Bienvenue sur le campus." in html


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("123", "extends: write the folder of the course this one adapts"),
        ("../nowhere", "extends '../nowhere': no course.yaml in"),
        (".", "extends '.': overlays extend each other in a cycle"),
    ],
)
def test_an_unusable_base_is_one_positioned_error(pair: tuple[Path, Path], value: str, message: str) -> None:
    _, overlay = pair
    edit(overlay / "course.yaml", "extends: ../osee", f"extends: {value}")
    result = run("lint", overlay)
    assert result.exit_code == 2
    line = line_of(overlay / "course.yaml", "extends:")
    assert result.output.strip().splitlines()[0].startswith(f"{overlay / 'course.yaml'}:{line}:10: {message}")
    assert len(result.output.strip().splitlines()) == 2  # that error and the summary: nothing else
