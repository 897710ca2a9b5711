"""The WCAG 2.1 AA claim of every HTML page the builder produces, checked in headless Chromium.

axe-core (pinned in tests/a11y) runs with the WCAG 2.0/2.1 A and AA rules on every page of the OSEE course's
web site, SCORM SCOs (quizzes also after each kind of submission, when feedback appears) and Common
Cartridge pages, and on a quiz with every question type (the mini course's, served on its own, so its
widgets are checked whatever the OSEE course holds). Then: nothing scrolls sideways on a 390 px wide
phone, and a keyboard-only learner can answer and submit a quiz (moving ordering steps with their
buttons), always seeing where the focus is."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from builder.load import load_course
from tests.conftest import FIXTURES, OSEE, REPO, run
from tests.scorm_support import CHROMIUM, chromium, every_type_course, serve, unpack

AXE = REPO / "tests" / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE_WIDTH = 390
PHONE = {"width": PHONE_WIDTH, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
OSEE_PACKAGES = {
    "scorm12": "osee-scorm12.zip",
    "scorm2004": "osee-scorm2004.zip",
    "cc11": "osee-cc11.imscc",
    "cc13": "osee-cc13.imscc",
}
EVERY_TYPE_QUIZ = "every-type/quiz-alpha.html"  # the mini course's SCORM 1.2 quiz with every question type


@dataclass(frozen=True)
class Site:
    """The served outputs: paths below ``url``, by kind of page."""

    url: str
    web: list[str]
    sco_content: list[str]
    sco_quiz: list[str]
    cc: list[str]

    def every_page(self) -> list[str]:
        return self.web + self.sco_content + self.sco_quiz + self.cc


def _needs_axe() -> None:
    """Skipped only on a developer machine without the browser or `npm ci --prefix tests/a11y`; CI runs it."""
    if os.environ.get("CI"):
        assert AXE.exists(), "axe-core is not installed: run `npm ci --prefix tests/a11y`"
    elif not (CHROMIUM.exists() and AXE.exists()):
        pytest.skip("needs Debian's chromium and `npm ci --prefix tests/a11y` (make test installs both)")


def _resources(package_dir: Path) -> list[etree._Element]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    manifest = etree.parse(str(package_dir / "imsmanifest.xml"), parser)
    return manifest.xpath("//*[local-name()='resource']")


def _sco_pages(root: Path, folder: str) -> list[str]:
    """What an LMS launches: every SCO of the manifest."""
    scormtype = "string(@*[local-name()='scormtype' or local-name()='scormType'])"
    return [f"{folder}/{r.get('href')}" for r in _resources(root / folder) if r.xpath(scormtype) == "sco"]


def _cc_pages(root: Path, folder: str) -> list[str]:
    """What an LMS shows as a page: every HTML webcontent resource of the cartridge."""
    return [
        f"{folder}/{r.get('href')}"
        for r in _resources(root / folder)
        if r.get("type") == "webcontent" and (r.get("href") or "").endswith(".html")
    ]


def _build(course: Path, out: Path, *formats: str) -> Path:
    result = run("build", course, *[arg for f in formats for arg in ("-f", f)], "--out", out)
    assert result.exit_code == 0, result.output
    return out / course.name


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _needs_axe()
    root = tmp_path_factory.mktemp("site")
    osee = _build(OSEE, tmp_path_factory.mktemp("dist"), "web", *OSEE_PACKAGES)
    shutil.copytree(osee / "web", root / "web")
    for folder, package in OSEE_PACKAGES.items():
        unpack(osee / package, root / folder)
    # A cartridge page as an LMS shows it: Moodle drops the $IMS-CC-FILEBASE$/ token and resolves the
    # rest from the page's folder (web_resources/, where the styles and images are).
    for page in [*(root / "cc11").rglob("*.html"), *(root / "cc13").rglob("*.html")]:
        page.write_text(page.read_text(encoding="utf-8").replace("$IMS-CC-FILEBASE$/", ""), encoding="utf-8")
    _serve_axe(root)
    course = load_course(OSEE)
    web = [f"web/{p.name}" for p in sorted((root / "web").glob("*.html"))]
    practice = [w for w in web if w.startswith("web/quiz-")]  # a practice quiz per module
    assert len(practice) == len(course.modules), web
    assert len(web) == 2 + len(course.pages) + len(course.categories) + 2 * len(course.modules), web
    scos = _sco_pages(root, "scorm12") + _sco_pages(root, "scorm2004")
    content = [s for s in scos if "/module-" in s]
    quizzes = [s for s in scos if "/quiz-" in s]
    assert len(content) == len(quizzes) == 2 * len(course.modules), scos
    cc = _cc_pages(root, "cc11") + _cc_pages(root, "cc13")
    assert len(cc) == 2 * (len(web) - len(practice) - 1), cc  # web pages but the index and quizzes
    seen: set[bytes] = set()
    kinds = [distinct(root, pages, seen) for pages in (web, content, quizzes, cc)]
    with serve(root) as url:
        yield Site(url, *kinds)


def _serve_axe(root: Path) -> None:
    # Served beside the pages, so Chromium caches the compiled script instead of parsing it on every page.
    (root / "axe").mkdir()
    shutil.copyfile(AXE, root / "axe" / "axe.min.js")


@pytest.fixture(scope="module")
def every_type(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The mini course's every-type quiz (SCORM 1.2), served with axe."""
    _needs_axe()
    root = tmp_path_factory.mktemp("every-type-site")
    mini = tmp_path_factory.mktemp("course") / "mini"
    shutil.copytree(FIXTURES / "mini", mini)
    built = _build(every_type_course(mini), tmp_path_factory.mktemp("dist"), "scorm12")
    unpack(built / "mini-scorm12.zip", root / "every-type")
    _serve_axe(root)
    with serve(root) as url:
        yield Site(url, [], [], [EVERY_TYPE_QUIZ], [])


def distinct(root: Path, pages: list[str], seen: set[bytes]) -> list[str]:
    """``pages`` less those whose document was already listed: CC 1.3 pages are CC 1.1's, and SCORM 2004
    SCOs are SCORM 1.2's but for the API the runtime looks for, which makes no difference standalone."""
    kept = []
    for page in pages:
        text = re.sub(rb'data-scorm-version="[^"]*"', b"", (root / page).read_bytes())
        if text not in seen:
            seen.add(text)
            kept.append(page)
    return kept


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    _needs_axe()
    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def desktop(browser: Any) -> Iterator[Any]:
    page = browser.new_page(viewport=DESKTOP)
    yield page
    page.close()


@pytest.fixture(scope="module")
def phone(browser: Any) -> Iterator[Any]:
    page = browser.new_page(viewport=PHONE)
    yield page
    page.close()


# --- axe ------------------------------------------------------------------------------------------------

Findings = list[dict[str, Any]]

# Violations, and what axe could not decide ("needs review"): a page that leaves axe undecided has not
# shown that it meets the rule.
RUN_AXE = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
    const found = (kind) => (rule) => ({
        id: rule.id, kind: kind, impact: rule.impact, help: rule.help,
        nodes: rule.nodes.map((n) => ({target: n.target.join(' '), summary: n.failureSummary || ''})),
    });
    return [...result.violations.map(found('violation')), ...result.incomplete.map(found('needs review'))];
}"""


def axe(page: Any, site: Site) -> Findings:
    """What axe-core's WCAG 2.0/2.1 A and AA rules find wrong or undecidable on the page as it is now."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(url=f"{site.url}/axe/axe.min.js")
    return page.evaluate(RUN_AXE, WCAG_AA)


def report(found: dict[str, Findings]) -> str:
    lines = ["axe-core (WCAG 2.0/2.1 A and AA rules) found:"]
    for where, findings in found.items():
        for f in findings:
            lines.append(f"{where}: {f['kind']}: {f['id']} ({f['impact']}): {f['help']}")
            for node in f["nodes"][:10]:
                lines.append(f"    {node['target']}: {' '.join(node['summary'].split())}")
            if len(f["nodes"]) > 10:
                lines.append(f"    ... {len(f['nodes']) - 10} more")
    return "\n".join(lines)


def assert_no_findings(page: Any, site: Site, paths: list[str]) -> None:
    found: dict[str, Findings] = {}
    for path in paths:
        page.goto(f"{site.url}/{path}")
        findings = axe(page, site)
        if findings:
            found[path] = findings
    if found:
        pytest.fail(report(found))


def test_the_checker_reports_violations(desktop: Any, site: Site) -> None:
    """The harness itself: axe runs with the AA rules and what it finds reaches the assertion."""
    desktop.goto(f"{site.url}/{site.web[0]}")
    desktop.evaluate(
        """() => document.querySelector('main').insertAdjacentHTML('beforeend',
            '<p style="color:#999;background:#fff">faint</p><input type="text">')"""
    )
    found = {(f["kind"], f["id"]) for f in axe(desktop, site)}
    assert {("violation", "color-contrast"), ("violation", "label")} <= found


def test_web_pages(desktop: Any, site: Site) -> None:
    assert_no_findings(desktop, site, site.web)


def test_scorm_content_pages(desktop: Any, site: Site) -> None:
    assert_no_findings(desktop, site, site.sco_content)


def test_scorm_quiz_pages(desktop: Any, site: Site) -> None:
    assert_no_findings(desktop, site, site.sco_quiz)


def test_quiz_page_with_every_question_type(desktop: Any, every_type: Site) -> None:
    assert_no_findings(desktop, every_type, every_type.sco_quiz)


def test_cc_pages(desktop: Any, site: Site) -> None:
    assert_no_findings(desktop, site, site.cc)


# Answers every question shown without the LMS (the page runs standalone) and submits: a wrong choice
# everywhere (per-option feedback, "Try again"), or the key (passed: the right answers shown).
ANSWER_AND_SUBMIT = """(right) => {
    const data = JSON.parse(document.getElementById('quiz-data').textContent);
    data.questions.forEach((q, i) => {
        const box = document.getElementById('q' + (i + 1));
        if (box.hidden) return;  // a variant not drawn for this attempt
        const fields = [...box.querySelectorAll('input, select, textarea')];
        if (q.kind === 'ordering') {
            const steps = () => [...box.querySelectorAll('ol.steps > li')];
            const order = right ? q.key : [steps()[1], steps()[0]].map((li) => Number(li.dataset.step));
            order.forEach((step, target) => {
                let at;
                while ((at = steps().findIndex((li) => Number(li.dataset.step) === step)) > target) {
                    steps()[at].querySelector('button[data-move="-1"]').click();
                }
            });
        } else if (q.kind === 'numerical') {
            fields[0].value = right ? q.value : 'An answer';
        } else if (q.kind === 'short_answer' || q.kind === 'essay') {
            fields[0].value = right && q.accepted ? q.accepted[0] : 'An answer';
        } else if (q.kind === 'matching') {
            fields.forEach((select, p) => {
                select.value = String(right ? q.key[p] : (q.key[p] + 1) % q.targets.length);
            });
        } else {
            const best = Math.max(...q.weights), worst = q.weights.indexOf(Math.min(...q.weights));
            fields.forEach((option) => {
                const w = q.weights[Number(option.value)];
                const key = q.kind === 'multiple_response' ? w > 0 : w === best;
                option.checked = right ? key : Number(option.value) === worst;
            });
        }
    });
    document.getElementById('quiz-submit').click();
}"""


def check_feedback(phone: Any, site: Site) -> None:
    """Feedback appears only after a submission; checked on a phone, where it must not widen the page."""
    found: dict[str, Findings] = {}
    too_wide: dict[str, int] = {}

    def check(state: str) -> None:
        findings, width = axe(phone, site), scroll_width(phone)
        if findings:
            found[f"{path} ({state})"] = findings
        if width > PHONE_WIDTH:
            too_wide[f"{path} ({state})"] = width

    for path in site.sco_quiz:
        phone.goto(f"{site.url}/{path}")
        phone.evaluate(ANSWER_AND_SUBMIT, False)
        assert "not passed yet" in phone.inner_text("#quiz-score") and phone.is_visible("#quiz-retry"), path
        check("first choices submitted: per-option feedback")
        phone.click("#quiz-retry")
        phone.evaluate(ANSWER_AND_SUBMIT, True)
        assert "not passed" not in phone.inner_text("#quiz-score"), path
        assert phone.locator(".key-mark:visible").count() > 0, path
        check("right answers submitted: the answer key shown")
    if found:
        pytest.fail(report(found))
    assert too_wide == {}


def test_quiz_feedback_after_submitting(phone: Any, site: Site) -> None:
    check_feedback(phone, site)


def test_every_type_quiz_feedback_after_submitting(phone: Any, every_type: Site) -> None:
    check_feedback(phone, every_type)


def test_content_sco_after_marking_it_complete(desktop: Any, site: Site) -> None:
    # At desktop width: on a phone the wide tables scroll in their regions, where axe cannot see the
    # background of the clipped cells (their contrast is decided on the desktop instead).
    found: dict[str, Findings] = {}
    for path in site.sco_content:
        desktop.goto(f"{site.url}/{path}")
        desktop.click("#sco-complete")
        assert desktop.inner_text("#sco-complete-status") == "You have completed this module.", path
        findings = axe(desktop, site)
        if findings:
            found[f"{path} (marked complete)"] = findings
    if found:
        pytest.fail(report(found))


# --- a 390 px wide phone --------------------------------------------------------------------------------


def scroll_width(page: Any) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


# Tables wider than the phone, each with the element that scrolls it (null: none, the page would).
WIDE_TABLES = """(width) => [...document.querySelectorAll('table')]
    .filter((t) => t.getBoundingClientRect().width > width)
    .map((t) => {
        let box = t.parentElement;
        while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
        return {table: t.caption ? t.caption.textContent : t.outerHTML.slice(0, 60),
                region: box && box !== document.documentElement && box !== document.body
                    ? {right: box.getBoundingClientRect().right, focusable: box.tabIndex >= 0,
                       named: !!box.getAttribute('aria-label')}
                    : null};
    })"""


def test_no_page_scrolls_sideways_on_a_phone(phone: Any, site: Site) -> None:
    too_wide: dict[str, int] = {}
    unscrollable: dict[str, list[Any]] = {}
    wide_tables = 0
    for path in site.every_page():
        phone.goto(f"{site.url}/{path}")
        if scroll_width(phone) > PHONE_WIDTH:
            too_wide[path] = scroll_width(phone)
        tables = phone.evaluate(WIDE_TABLES, PHONE_WIDTH)
        wide_tables += len(tables)
        # A wide table scrolls inside its own region, which fits the screen and a keyboard user can scroll.
        bad = [
            t
            for t in tables
            if not t["region"]
            or t["region"]["right"] > PHONE_WIDTH
            or not t["region"]["focusable"]
            or not t["region"]["named"]
        ]
        if bad:
            unscrollable[path] = bad
    assert too_wide == {}
    assert unscrollable == {}
    assert wide_tables > 0  # the course has tables wider than a phone: the check above was exercised


# --- keyboard only ---------------------------------------------------------------------------------------

TAB_STOPS = "a[href], button:not([hidden]), input, select, textarea, [tabindex='0']"

FOCUSED = """() => {
    const el = document.activeElement, style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
    const box = el.getBoundingClientRect();
    const onScreen = box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
        && box.left < innerWidth && box.top < innerHeight;
    const steps = el.closest('ol.steps');
    return {id: el.id, tag: el.tagName.toLowerCase(), type: el.type || '', checked: !!el.checked,
            move: el.matches('button.move'), moved: !!steps && steps.dataset.moved === '1',
            endOfList: el.getAttribute('aria-disabled') === 'true',
            question: el.closest('fieldset.question') ? el.closest('fieldset.question').id : null,
            focusVisible: el.matches(':focus-visible'),
            indicator: (outline || style.boxShadow !== 'none') && onScreen ? 'shown' : 'none',
            where: el.outerHTML.slice(0, 80)};
}"""


def tab_to(page: Any, wanted: str, limit: int, seen: list[dict[str, Any]]) -> dict[str, Any]:
    """Press Tab until the focused element matches the CSS selector ``wanted``; every stop is recorded."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        seen.append(focused)
        if page.evaluate("(s) => document.activeElement.matches(s)", wanted):
            return focused
    pytest.fail(
        f"{limit} presses of Tab never reached {wanted}; focus went through {[s['where'] for s in seen]}"
    )


def operate(page: Any, focused: dict[str, Any]) -> None:
    """Answer with the keys a keyboard user has, on whatever control has the focus."""
    if focused["type"] in ("radio", "checkbox") and not focused["checked"]:
        page.keyboard.press("Space")
    elif focused["tag"] == "select":
        page.keyboard.press("ArrowDown")
    elif focused["tag"] == "textarea" or focused["type"] == "text":
        page.keyboard.type("An answer")
    elif focused["move"] and not focused["moved"] and not focused["endOfList"]:
        page.keyboard.press("Space")  # moves the step; the focus stays on its button
        after = page.evaluate(FOCUSED)
        assert after["move"] and after["moved"] and after["where"] == focused["where"], (
            "the move lost the focus"
        )


def choose_by_keyboard(page: Any, focused: dict[str, Any]) -> None:
    """Space chooses the focused option; an arrow key moves the choice to the next one."""
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked"), "Space did not choose the focused option"
    page.keyboard.press("ArrowDown")
    moved = page.evaluate(FOCUSED)
    assert moved["checked"] and moved["id"] != focused["id"], "the arrow key did not move the choice"
    assert page.locator(f"#{focused['question']} input:checked").count() == 1


@pytest.mark.parametrize(
    ("served", "quiz"), [("site", "scorm12/quiz-strategy.html"), ("every_type", EVERY_TYPE_QUIZ)]
)
def test_quiz_by_keyboard_alone(desktop: Any, request: pytest.FixtureRequest, served: str, quiz: str) -> None:
    """Tab to the first answer, Space and arrows to choose, Tab on through every question to Submit, Enter."""
    site: Site = request.getfixturevalue(served)
    assert quiz in site.sco_quiz
    desktop.goto(f"{site.url}/{quiz}")
    stops: list[dict[str, Any]] = []
    first = tab_to(desktop, "#quiz :is(input, select, textarea, button.move)", 5, stops)
    assert [s["id"] for s in stops[:-1]] == [""] and "skip-link" in stops[0]["where"], "Tab wandered first"
    radios = 0
    focused = first
    while focused["id"] != "quiz-submit":
        if focused["type"] == "radio":
            if radios == 0:
                choose_by_keyboard(desktop, focused)
            radios += 1
        operate(desktop, desktop.evaluate(FOCUSED))
        focused = tab_to(desktop, "#quiz :is(input, select, textarea, button)", 5, stops)
    assert radios > 0
    no_ring = [s["where"] for s in stops if not s["focusVisible"] or s["indicator"] == "none"]
    assert no_ring == [], "focused without a visible focus indicator"
    desktop.keyboard.press("Enter")
    desktop.wait_for_selector("#quiz-results", state="visible")
    results = desktop.evaluate(FOCUSED)
    assert results["id"] == "quiz-results" and results["indicator"] == "shown"
    questions = desktop.locator("fieldset.question:visible").count()
    assert desktop.locator(".question-feedback:visible").count() == questions
    unanswered = desktop.locator(".question-feedback .result", has_text="Not answered").count()
    assert unanswered == 0, "a question could not be answered from the keyboard"


def test_every_tab_stop_of_the_web_site_shows_focus(desktop: Any, site: Site) -> None:
    for path in ("web/index.html", "web/module-resource-mobilisation.html"):
        desktop.goto(f"{site.url}/{path}")
        count = desktop.evaluate(
            """(stops) => {
                window.reached = new Set();
                document.addEventListener('focusin', (e) => window.reached.add(e.target));
                return document.querySelectorAll(stops).length;
            }""",
            TAB_STOPS,
        )
        stops: list[dict[str, Any]] = []
        for _ in range(count):
            desktop.keyboard.press("Tab")
            stops.append(desktop.evaluate(FOCUSED))
        missed = desktop.evaluate(
            "(s) => [...document.querySelectorAll(s)].filter((e) => !reached.has(e)).map((e) => e.outerHTML)",
            TAB_STOPS,
        )
        assert missed == [], f"{path}: Tab never reached these"
        no_ring = [s["where"] for s in stops if not s["focusVisible"] or s["indicator"] == "none"]
        assert no_ring == [], f"{path}: focused without a visible focus indicator"
