"""Interface languages (issue 14): catalogues complete, a French build shows no English interface string,
a language without a catalogue falls back to English with a lint warning, and RTL pages are mirrored."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import lxml.html
import pytest
from babel.messages.pofile import read_po

from builder import i18n
from tests.conftest import edit, run
from tests.scorm_support import chromium, needs_browser, serve
from tests.test_scorm_runtime import answer

PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}")


def _template() -> list[Any]:
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as f:
        return [m for m in read_po(f) if m.id]


@pytest.mark.parametrize("language", [lang for lang in i18n.SHIPPED if lang != "en"])
def test_shipped_catalogues_are_complete_and_keep_placeholders(language: str) -> None:
    assert i18n.untranslated(language) == []
    with (i18n.LOCALE_DIR / language / "LC_MESSAGES" / "messages.po").open("rb") as f:
        catalog = read_po(f)
    for message in _template():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = catalog.get(message.id).string
        strings = strings if isinstance(strings, tuple) else (strings,)
        wanted = sorted(set(PLACEHOLDER.findall(" ".join(ids))) - {"%(num)s"})
        for string in strings:
            assert sorted(set(PLACEHOLDER.findall(string)) - {"%(num)s"}) == wanted, (message.id, string)


def _english_segments(language: str) -> set[str]:
    """Pieces of interface text (between placeholders) that the language translates differently."""
    segments = set()
    for message in _template():
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        translated = " ".join(
            i18n.translations(language).ngettext(ids[0], ids[1], 2)
            if len(ids) == 2
            else i18n.translations(language).gettext(ids[0])
            for _ in (0,)
        )
        for english in ids:
            for part in PLACEHOLDER.split(english):
                part = part.strip(" .:,;()*“”?")
                if len(part) >= 4 and part not in translated:
                    segments.add(part)
    return segments


def _interface_text(html: bytes) -> str:
    doc = lxml.html.fromstring(html)
    attrs = [
        v
        for e in doc.iter()
        if isinstance(e.tag, str)
        for k, v in e.attrib.items()
        if k in ("aria-label", "title", "alt", "data-hint")
    ]
    scripts = [s.text or "" for s in doc.iter("script") if s.get("id") == "lmsb-messages"]
    values = [" ".join(json.loads(s).values()) for s in scripts if s.strip()]
    for script in doc.iter("script"):
        script.text = ""
    return "\n".join([doc.text_content(), *attrs, *values])


def test_no_english_interface_string_in_a_french_build(mini: Path, tmp_path: Path) -> None:
    edit(mini / "course.yaml", "language: en-GB", "language: fr")
    result = run("build", mini, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    out = tmp_path / "mini"
    sources = "\n".join(
        p.read_text(encoding="utf-8") for p in mini.rglob("*") if p.suffix in (".md", ".yaml")
    )
    segments = {s for s in _english_segments("fr") if s not in sources}
    texts: dict[str, str] = {}
    for page in (out / "web").glob("*.html"):
        texts[f"web/{page.name}"] = _interface_text(page.read_bytes())
    for package in ("mini-scorm2004.zip", "mini-cc11.imscc"):
        with zipfile.ZipFile(out / package) as z:
            for name in z.namelist():
                if name.endswith(".html"):
                    texts[f"{package}!{name}"] = _interface_text(z.read(name))
                elif name.endswith(".xml"):
                    texts[f"{package}!{name}"] = z.read(name).decode("utf-8")
    texts["moodle.xml"] = (out / "mini-moodle.xml").read_text(encoding="utf-8")
    texts["gift"] = (out / "mini-gift.txt").read_text(encoding="utf-8")
    assert len(texts) > 20
    found = {(where, s) for where, text in texts.items() for s in segments if s in text}
    assert found == set()
    index = (out / "web" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr" dir="ltr">' in index and "Aller au contenu principal" in index
    assert "Sommaire" in index


def test_french_quiz_script_speaks_french_and_formats_numbers(mini: Path, tmp_path: Path) -> None:
    needs_browser()
    edit(mini / "course.yaml", "language: en-GB", "language: fr")
    assert run("build", mini, "--out", tmp_path, "-f", "web").exit_code == 0
    with serve(tmp_path / "mini" / "web") as url, chromium() as browser:
        page = browser.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/quiz-alpha.html")
        data = page.evaluate("JSON.parse(document.getElementById('quiz-data').textContent)")
        answer(SimpleNamespace(frame=page), data, wrong=frozenset({0}))
        page.click("#quiz-submit")
        score = page.locator("#quiz-score")
        score.wait_for()
        text = score.inner_text()
        assert (
            text.startswith("Votre score :")
            and "Le seuil de réussite est de 75\u00a0%" in text
            and "80\u00a0%" in text
        ), text
        assert page.inner_text("#quiz-attempts").startswith("Tentative 1")
        assert errors == []


def test_language_without_catalogue_falls_back_to_english_with_a_warning(mini: Path, tmp_path: Path) -> None:
    edit(mini / "course.yaml", "language: en-GB", "language: de")
    result = run("lint", mini)
    assert result.exit_code == 1, result.output
    assert "interface language 'de'" in result.output and "shown in English" in result.output
    assert run("build", mini, "--out", tmp_path, "-f", "web").exit_code == 0
    index = (tmp_path / "mini" / "web" / "index.html").read_text(encoding="utf-8")
    assert "Skip to main content" in index and 'lang="de"' in index


def test_dates_and_percentages_follow_the_language() -> None:
    from datetime import date

    assert i18n.long_date(date(2025, 1, 15), "fr") == "15 janvier 2025"
    assert i18n.long_date(date(2025, 1, 15), "es") == "15 de enero de 2025"
    assert i18n.percent(80, "fr") == "80\u00a0%"
    assert i18n.direction("ar") == "rtl" and i18n.direction("he") == "rtl" and i18n.direction("fr") == "ltr"


def test_rtl_build_renders_mirrored(mini: Path, tmp_path: Path) -> None:
    needs_browser()
    edit(mini / "course.yaml", "language: en-GB", "language: ar")
    assert run("build", mini, "--out", tmp_path, "-f", "web").exit_code == 0
    site = tmp_path / "mini" / "web"
    assert '<html lang="ar" dir="rtl">' in (site / "module-alpha.html").read_text(encoding="utf-8")
    with serve(site) as url, chromium() as browser:
        shots = {}
        for direction in ("rtl", "ltr"):
            page = browser.new_page(viewport={"width": 1000, "height": 800})
            page.goto(f"{url}/module-alpha.html")
            page.evaluate(f"document.documentElement.dir = '{direction}'")
            toc = page.evaluate(
                """() => { const s = getComputedStyle(document.querySelector('.toc'));
                    return [s.borderLeftWidth, s.borderRightWidth]; }"""
            )
            main = page.locator("main").bounding_box()
            h1 = page.locator("main h1").bounding_box()
            first = page.locator(".site-header nav li").first.bounding_box()
            last = page.locator(".site-header nav li").last.bounding_box()
            shots[direction] = (toc, main, h1, first, last)
            page.screenshot(path=str(tmp_path / f"module-{direction}.png"))
            page.close()
    toc, main, h1, first, last = shots["rtl"]
    assert toc == ["0px", "4px"]  # the contents box's accent bar is on the right
    assert shots["ltr"][0] == ["4px", "0px"]
    assert abs((h1["x"] + h1["width"]) - (main["x"] + main["width"])) < 20  # heading starts at the right
    assert first["x"] > last["x"]  # the menu runs from right to left
    assert (tmp_path / "module-rtl.png").stat().st_size > 1000


def test_quiz_wording_checks_read_the_course_language() -> None:
    from builder.quiz import cues

    answer, stem = "README, licence et guide", "Que faut-il ajouter pour que le projet vive et grandisse ?"
    assert cues.shared(answer, stem) == ["et"]  # English rules: "et" looks like a content word
    with cues.language("fr-CA"):
        assert cues.shared(answer, stem) == []  # a French function word cues nothing
        assert cues.shared("les licences du projet", "la licence des projets") == ["licenc", "projet"]
        assert cues.shared("the licence and the project", "a project") == ["project"]  # English kept too
