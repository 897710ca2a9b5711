"""The offline web site links each module to its quiz in practice mode: the SCO's quiz runtime, scored
in the page, with nothing sent to an LMS or anywhere else."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from builder.load import load_course
from builder.quiz import build_quizzes
from tests.conftest import run
from tests.htmlcheck import broken_references, network_loads, parse
from tests.scorm_support import chromium, needs_browser, serve
from tests.test_scorm_runtime import answer

# A page that offers both SCORM APIs to the frame below it and records every call: a practice quiz
# must not find or use them.
SPY_HOST = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>host</title></head><body>
<script>
window.calls = [];
function spy(version) {
  return new Proxy({}, { get: function (target, name) {
    return function () { window.calls.push(version + "." + String(name)); return "true"; };
  } });
}
window.API = spy("1.2");
window.API_1484_11 = spy("2004");
</script>
<iframe id="quiz" title="quiz" src="web/QUIZ" style="width:100%;height:2000px"></iframe>
</body></html>"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    mini = tmp_path_factory.mktemp("course") / "mini"
    shutil.copytree(Path(__file__).parent / "fixtures" / "mini", mini)
    out = tmp_path_factory.mktemp("dist")
    result = run("build", mini, "-f", "web", "--out", out)
    assert result.exit_code == 0, result.output
    return out / "mini" / "web"


def test_every_module_page_links_its_practice_quiz(site: Path) -> None:
    course = load_course(Path(__file__).parent / "fixtures" / "mini")
    quizzes = build_quizzes(course).quizzes
    for module in course.modules:
        page = parse(site / f"module-{module.id}.html")
        link = page.xpath("//section[@id='practice-quiz']//a/@href")
        assert link == [f"quiz-{module.id}.html"], module.id
        quiz = parse(site / link[0])
        slots = set(quiz.xpath("//fieldset[@class='question']/@data-slot"))
        assert len(slots) == len(quizzes[module.id].slots)  # an item model's variants share a slot
        scripts = quiz.xpath("//script/@src")
        assert scripts == ["static/practice.js", "static/scorm/quiz.js"], scripts  # no SCORM runtime
        assert quiz.xpath(f"//a[@href='module-{module.id}.html']"), "no way back to the module"
    assert broken_references(site) == []
    assert network_loads(site) == []
    assert (site / "static" / "scorm" / "quiz.js").read_bytes() == (
        Path(__file__).parent.parent / "builder" / "static" / "scorm" / "quiz.js"
    ).read_bytes()


def test_practice_quiz_scores_in_the_page_and_calls_no_lms(site: Path, tmp_path: Path) -> None:
    needs_browser()
    root = tmp_path / "root"
    shutil.copytree(site, root / "web")
    (root / "host.html").write_text(SPY_HOST.replace("QUIZ", "quiz-alpha.html"), encoding="utf-8")
    (root / "favicon.ico").write_bytes(b"")
    with serve(root) as url, chromium() as browser:
        page = browser.new_page()
        requests: list[str] = []
        errors: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{url}/host.html")
        frame: Any = page.frame_locator("#quiz")
        frame.locator("#quiz-submit").wait_for()
        quiz = page.frames[1]
        data = quiz.evaluate("JSON.parse(document.getElementById('quiz-data').textContent)")
        answer(SimpleNamespace(frame=quiz), data, wrong=frozenset({0}))
        quiz.click("#quiz-submit")
        score = quiz.locator("#quiz-score")
        score.wait_for()
        assert "You scored" in score.inner_text()
        assert quiz.locator("#q1").get_attribute("class").endswith("is-incorrect")
        assert quiz.locator("#q1-feedback").is_visible()
        assert page.evaluate("window.calls") == []  # the LMS APIs above were never touched
        assert errors == []
        assert all(r.startswith(url) for r in requests), requests
