"""Reading on a 390 px wide phone: wide tables say they scroll, the header stays compact, matching
answers are shown in full."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import OSEE, run
from tests.scorm_support import chromium, needs_browser, serve


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    assert run("build", OSEE, "-f", "web", "--out", out).exit_code == 0
    return out / "osee" / "web"


def test_phone_tables_header_and_matching_answers(site: Path) -> None:
    needs_browser()
    with serve(site) as url, chromium() as browser:
        phone = browser.new_page(viewport={"width": 390, "height": 844})
        phone.goto(f"{url}/module-resource-mobilisation.html")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        header = phone.evaluate("document.querySelector('.site-header').getBoundingClientRect().height")
        assert header <= 100, header  # title and one row of menu links
        hints = phone.evaluate(
            """Array.from(document.querySelectorAll('.table-wrap')).map(w => [
                 getComputedStyle(w, '::before').content, w.scrollWidth > w.clientWidth])"""
        )
        assert hints, "no table on the page"
        for content, overflows in hints:
            assert overflows and "Scroll sideways to see the whole table" in content, (content, overflows)

        phone.goto(f"{url}/quiz-strategy.html")  # a quiz with a matching question
        lists = phone.locator(".match-answers")
        assert lists.count() >= 1
        clipped = phone.evaluate(
            """Array.from(document.querySelectorAll('.match-answers li')).filter(li =>
                 li.scrollWidth > li.clientWidth || li.getBoundingClientRect().right > 390).length"""
        )
        assert clipped == 0
        options = phone.evaluate(
            """Array.from(document.querySelector('.pairs select').options).slice(1).map(o => o.text)"""
        )
        listed = phone.evaluate(
            "Array.from(document.querySelector('.match-answers').children).map(li => li.textContent)"
        )
        assert listed == options  # every answer of the select, in full

        desktop = browser.new_page(viewport={"width": 1280, "height": 900})
        desktop.goto(f"{url}/module-resource-mobilisation.html")
        content = desktop.evaluate(
            "getComputedStyle(document.querySelector('.table-wrap'), '::before').content"
        )
        assert "Scroll sideways" not in content
