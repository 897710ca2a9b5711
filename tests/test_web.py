"""The web format: a complete, offline, safe and deterministic HTML site."""

from __future__ import annotations

import hashlib
import itertools
from pathlib import Path

import pytest

from builder.formats import web
from builder.load import load_course
from tests.conftest import OSEE, run
from tests.htmlcheck import broken_references, network_loads, parse


@pytest.fixture(scope="module")
def osee_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = run("build", OSEE, "--format", "web", "--out", out)
    assert result.exit_code == 0, result.stderr
    return out / "osee" / "web"


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_osee_site_has_every_page(osee_site: Path) -> None:
    course = load_course(OSEE)
    names = {p.name for p in osee_site.glob("*.html")}
    assert "index.html" in names and "attributions.html" in names
    assert {f"module-{m.id}.html" for m in course.modules} <= names
    assert {f"category-{c.id}.html" for c in course.categories} <= names
    assert {f"page-{p.id}.html" for p in course.pages} <= names
    assert (osee_site / "static" / "style.css").is_file()


def test_every_internal_link_and_asset_resolves(osee_site: Path, mini: Path, tmp_path: Path) -> None:
    assert broken_references(osee_site) == []
    assert run("build", mini, "-f", "web", "--out", tmp_path / "out").exit_code == 0
    mini_site = tmp_path / "out" / "mini" / "web"
    assert broken_references(mini_site) == []
    assert (mini_site / "assets" / "files" / "handout.txt").is_file()
    welcome = parse(mini_site / "page-welcome.html")
    assert welcome.xpath("//a[text()='Alpha']/@href") == ["module-alpha.html"]
    assert welcome.xpath("//img/@src") == ["assets/files/diagram.svg"]
    second = parse(mini_site / "category-second.html")
    assert second.xpath("//a[text()='welcome page']/@href") == ["page-welcome.html#structure"]
    alpha = parse(mini_site / "module-alpha.html")
    assert alpha.xpath('//a[text()="Gamma\'s scope"]/@href') == ["module-gamma.html#section-scope"]


def test_pages_are_offline_semantic_and_script_free(osee_site: Path) -> None:
    assert network_loads(osee_site) == []
    for page in osee_site.glob("*.html"):
        doc = parse(page)
        assert doc.get("lang") == "en", page.name
        assert len(doc.xpath("//h1")) == 1, page.name
        assert doc.xpath("//main[@id='main']"), page.name
        assert doc.xpath("//meta[@name='viewport']"), page.name
        if page.name.startswith("quiz-"):  # practice quizzes run the SCO quiz script, nothing else
            assert doc.xpath("//script/@src") == ["static/practice.js", "static/scorm/quiz.js"], page.name
        else:
            assert not doc.xpath("//script"), page.name
        for table in doc.xpath("//table"):
            in_prose = bool(table.xpath("ancestor::*[contains(@class, 'prose')]"))
            assert in_prose or table.xpath("caption"), f"{page.name}: table without caption"
            assert table.xpath(".//th[@scope]"), f"{page.name}: table without header scope"
            assert table.xpath("parent::div[@role='region'][@tabindex='0']"), (
                f"{page.name}: table not scrollable"
            )
        assert len(set(doc.xpath("//@id"))) == len(doc.xpath("//@id")), f"{page.name}: duplicate ids"
        levels = [int(h.tag[1]) for h in doc.xpath("//h1|//h2|//h3|//h4|//h5|//h6")]
        for before, after in itertools.pairwise(levels):
            assert after <= before + 1, f"{page.name}: heading jumps from h{before} to h{after}"


def test_module_page_shows_every_part(osee_site: Path) -> None:
    course = load_course(OSEE)
    for module in course.modules:
        doc = parse(osee_site / f"module-{module.id}.html")
        text = doc.text_content()
        for comp in module.competencies:
            assert doc.xpath(f"//dt[@id='{comp.id}']"), comp.id
        for section in module.sections:
            assert doc.xpath(f"//section[@id='section-{section.id}']"), section.id
        for dep in module.dependencies:
            if dep.module_id:
                assert doc.xpath(f"//a[@href='module-{dep.module_id}.html']"), dep.module_id
        for tm in module.training_materials:
            assert tm.activity in text
            for res in tm.resources:
                assert res.title in text
        for reading in module.readings:
            assert reading.title in text


def test_attributions_list_every_resource_with_licensing(osee_site: Path) -> None:
    course = load_course(OSEE)
    rows = parse(osee_site / "attributions.html").xpath("//tbody/tr")
    resources = [
        (r, tm.licensing) for m in course.modules for tm in m.training_materials for r in tm.resources
    ]
    assert len(rows) == len(resources)
    for row, (link, licensing) in zip(rows, resources, strict=True):
        shown = link.title if link.url else f"{link.title} (no link in the source)"
        assert row.xpath("th")[0].text_content().strip() == shown
        assert row.xpath("td")[-1].text_content().strip() == (licensing or "Not stated in the source")


def test_raw_html_in_markdown_is_shown_as_text(mini: Path, tmp_path: Path) -> None:
    scope = mini / "modules" / "beta" / "scope.md"
    scope.write_text(
        "Hello <script>alert('x')</script> and <img src=x onerror=alert(1)>.\n\n"
        "<iframe src='https://evil.example'></iframe>\n",
        encoding="utf-8",
    )
    assert run("build", mini, "-f", "web", "--out", tmp_path / "out").exit_code == 0
    page = tmp_path / "out" / "mini" / "web" / "module-beta.html"
    doc = parse(page)
    assert not doc.xpath("//script|//iframe|//*[@onerror]")
    assert "<script>alert('x')</script>" in doc.text_content()


def test_builds_are_byte_identical(mini: Path, tmp_path: Path) -> None:
    assert run("build", mini, "--out", tmp_path / "a").exit_code == 0
    assert run("build", mini, "--out", tmp_path / "b").exit_code == 0
    assert digest(tmp_path / "a" / "mini" / "web") == digest(tmp_path / "b" / "mini" / "web")


def test_failed_build_keeps_previous_output_and_leaves_no_temp_files(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("build", mini, "-f", "web", "--out", tmp_path / "out").exit_code == 0
    before = digest(tmp_path / "out" / "mini" / "web")

    def explode(*_args: object, **_kwargs: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(web.Renderer, "render", explode)
    (mini / "modules" / "beta" / "scope.md").write_text("Changed text.\n", encoding="utf-8")
    result = run("build", mini, "-f", "web", "--out", tmp_path / "out")
    assert result.exit_code != 0
    assert digest(tmp_path / "out" / "mini" / "web") == before
    assert sorted(p.name for p in (tmp_path / "out" / "mini").iterdir()) == ["web"]


def test_default_course_and_help() -> None:
    result = run("build", "--help")
    assert result.exit_code == 0
    assert "web" in result.output and "--out" in result.output
