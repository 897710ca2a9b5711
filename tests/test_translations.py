"""Translated course content (issue 14, item 3): module.fr.yaml / scope.fr.md beside the originals give a
French package with the same ids, beside the original in the same LMS."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from builder.load import check_course
from tests.conftest import run

IMSCP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"


@pytest.fixture
def translated(mini: Path) -> Path:
    (mini / "course.fr.yaml").write_text(
        "title: Mini cours\ndescription: Un petit cours.\n", encoding="utf-8"
    )
    (mini / "modules" / "alpha" / "module.fr.yaml").write_text(
        "title: Module Alpha\n"
        "summary: Alpha présente les bases de la planification.\n"
        "sections:\n  - id: scope\n    title: Champ et objectif\n"
        "competencies:\n  - id: alpha-planning\n    title: Planifier des programmes\n",
        encoding="utf-8",
    )
    (mini / "modules" / "alpha" / "scope.fr.md").write_text(
        "Ce module présente la planification. Voir [Gamma](../gamma/scope.md).\n", encoding="utf-8"
    )
    return mini


def _items(package: Path) -> list[str]:
    with zipfile.ZipFile(package) as z:
        root = etree.fromstring(z.read("imsmanifest.xml"))
    return [i.get("identifier") for i in root.iter(f"{IMSCP}item")]


def test_one_package_per_language_with_the_same_ids(translated: Path, tmp_path: Path) -> None:
    assert run("build", translated, "--out", tmp_path).exit_code == 0
    result = run("build", translated, "--language", "fr", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    en, fr = tmp_path / "mini", tmp_path / "mini-fr"
    # the same content ids; the package's own identifiers carry its course id
    french = [i.replace(".mini-fr.", ".mini.") for i in _items(fr / "mini-fr-scorm2004.zip")]
    assert _items(en / "mini-scorm2004.zip") == french
    packages = [p for p in fr.iterdir() if p.suffix in (".zip", ".imscc", ".mbz")]
    validated = run("validate", *packages)
    assert validated.exit_code == 0, validated.output
    page = (fr / "web" / "module-alpha.html").read_text(encoding="utf-8")
    assert "<h1>Module Alpha</h1>" in page and "Ce module présente la planification." in page
    assert 'href="module-gamma.html#section-scope"' in page  # a link to an original file still lands
    assert "Champ et objectif" in page and "Planifier des programmes" in page
    assert '<html lang="fr"' in page and "Compétences acquises" in page
    # untranslated text stays as written; the original build is untouched
    assert "Budgeting Programmes" in page
    assert "Planning Programmes" in (en / "web" / "module-alpha.html").read_text(encoding="utf-8")
    csv = (fr / "mini-fr-competencies.csv").read_text(encoding="utf-8")
    assert ",mini-fr," in csv and "alpha-planning" in csv


def test_translation_mistakes_point_at_the_translation(translated: Path) -> None:
    file = translated / "modules" / "alpha" / "module.fr.yaml"
    file.write_text(file.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")
    _, problems = check_course(translated, "fr")
    assert [p.pos.file for p in problems] == [file]
    assert "colour" in problems[0].message
    assert check_course(translated)[1] == []  # the original language does not read translations
