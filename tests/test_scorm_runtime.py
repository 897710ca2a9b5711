"""The SCO runtime in headless Chromium against a strict mock LMS (SCORM 1.2 and 2004): what a learner
does on a content page and a quiz, and the calls, values and formats the LMS receives."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from builder.formats.scorm_quiz import quiz_suspend_worst_case
from builder.load import load_course
from builder.quiz import build_quizzes
from tests.conftest import FIXTURES
from tests.scorm_support import build, chromium, every_type_course, needs_browser, serve, site

VERSIONS = {"scorm12": "1.2", "scorm2004": "2004"}
SESSION_TIME = {"scorm12": r"^\d{4}:\d{2}:\d{2}\.\d{2}$", "scorm2004": r"^PT(\d+H)?(\d+M)?\d+(\.\d{1,2})?S$"}
WRONG = {"scorm12": "wrong", "scorm2004": "incorrect"}


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("course") / "mini"
    shutil.copytree(FIXTURES / "mini", target)
    return every_type_course(target)


@pytest.fixture(scope="module")
def base_url(course: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    needs_browser()
    packages = build(course, tmp_path_factory.mktemp("dist"))
    with serve(site(packages, tmp_path_factory.mktemp("site"))) as url:
        yield url


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[Any]:
    with chromium() as b:
        yield b


class Session:
    """One launch of a SCO in the mock LMS (or on its own): the page, the SCO's frame, what went wrong."""

    def __init__(
        self, browser: Any, url: str, sco: str | None, viewport: dict[str, int] | None = None
    ) -> None:
        self.page = browser.new_page(viewport=viewport or {"width": 1000, "height": 800})
        self.page_errors: list[str] = []
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.on("console", lambda m: self.page_errors.append(m.text) if m.type == "error" else None)
        self.page.goto(url)
        self.frame = self.page.main_frame
        if sco is not None:
            self.page.wait_for_function("window.lms.calls.length > 0")
            self.frame = next(f for f in self.page.main_frame.child_frames if f.url.endswith(sco))
        self.frame.wait_for_function("window.ScoRuntime !== undefined")

    def calls(self) -> list[tuple[str, list[str]]]:
        return [(c["fn"], c["args"]) for c in self.page.evaluate("window.lms.calls")]

    def values(self) -> dict[str, str]:
        return self.page.evaluate("window.lms.store")

    def lms_errors(self) -> list[dict[str, Any]]:
        return self.page.evaluate("window.lms.errors")

    def runtime_problems(self) -> list[dict[str, Any]]:
        return self.frame.evaluate("window.ScoRuntime.problems()")

    def leave(self) -> None:
        """The LMS unloads the SCO, as when the learner picks another item."""
        self.page.evaluate("document.getElementById('sco').src = 'about:blank'")
        self.page.wait_for_function("window.lms.state() === 'terminated'")

    def close(self) -> None:
        self.page.close()


def launch(
    browser: Any, base_url: str, name: str, sco: str, data: dict[str, str] | None = None, **extra: Any
) -> Session:
    query = f"version={VERSIONS[name]}&sco=../{name}/{sco}"
    if data is not None:
        query += "&data=" + quote(json.dumps(data))
    for key, value in extra.items():
        query += f"&{key}={value}"
    return Session(browser, f"{base_url}/lms/mock-lms.html?{query}", sco)


def quiz_data(session: Session) -> dict[str, Any]:
    return session.frame.evaluate("JSON.parse(document.getElementById('quiz-data').textContent)")


def shown(session: Session, data: dict[str, Any]) -> list[int]:
    """Indices (in data["questions"]) of the questions drawn for this attempt: one per slot, in order."""
    found = session.frame.evaluate(
        "(n) => [...Array(n).keys()].filter((i) => !document.getElementById('q' + (i + 1)).hidden)",
        len(data["questions"]),
    )
    assert [data["questions"][i]["slot"] for i in found] == list(range(len(data["slots"])))
    return found


def arrange(frame: Any, n: int, order: list[int]) -> None:
    """Put the steps of ordering question ``n`` in ``order`` (shown-step indices) with the move buttons."""
    for target, step in enumerate(order):
        while True:
            now = frame.eval_on_selector_all(
                f"#q{n}-steps > li", "(items) => items.map((li) => +li.dataset.step)"
            )
            if now.index(step) == target:
                break
            frame.click(f"#q{n}-steps > li[data-step='{step}'] button[data-move='-1']")


def wrong_order(key: list[int]) -> list[int]:
    return [key[1], key[0], *key[2:]]


def number_text(value: str, unit: str | None) -> str:
    """The key as a learner may type it: grouped by commas, with the unit."""
    return f"{int(value):,}" + (f" {unit}" if unit else "") if value.isdigit() else value


def answer(session: Session, data: dict[str, Any], wrong: frozenset[int] = frozenset()) -> None:
    """Answer every question drawn, rightly except those whose index is in ``wrong``."""
    frame = session.frame
    for i in shown(session, data):
        q = data["questions"][i]
        n, bad = i + 1, i in wrong
        if q["kind"] in ("multiple_choice", "true_false"):
            weights = q["weights"]
            pick = weights.index(min(weights)) if bad else weights.index(max(weights))
            frame.check(f"#q{n}-o{pick}")
        elif q["kind"] == "multiple_response":
            for o, weight in enumerate(q["weights"]):
                if (weight > 0) != bad:
                    frame.check(f"#q{n}-o{o}")
        elif q["kind"] == "matching":
            for p, key in enumerate(q["key"]):
                choice = (key + 1) % len(q["key"]) if bad else key
                frame.select_option(f"#q{n}-p{p}", str(choice))
        elif q["kind"] == "ordering":
            arrange(frame, n, wrong_order(q["key"]) if bad else q["key"])
        elif q["kind"] == "numerical":
            frame.fill(f"#q{n}-text", q["wrongValues"][0] if bad else number_text(q["value"], q["unit"]))
        elif q["kind"] == "short_answer":
            frame.fill(f"#q{n}-text", "no idea" if bad else q["accepted"][0].upper())
        else:
            frame.fill(f"#q{n}-text", "{Plain} words, milestones: and a chart.")


def last_set(calls: list[tuple[str, list[str]]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for fn, args in calls:
        if fn.endswith("SetValue"):
            values[args[0]] = args[1]
    return values


def assert_clean_end(session: Session, name: str) -> dict[str, str]:
    """One Initialize first; session time, exit, Commit, then one Terminate last; nothing rejected."""
    calls = session.calls()
    init, finish = ("LMSInitialize", "LMSFinish") if name == "scorm12" else ("Initialize", "Terminate")
    fns = [fn for fn, _ in calls]
    assert fns[0] == init and fns.count(init) == 1
    assert fns[-1] == finish and fns.count(finish) == 1
    assert fns[-2].endswith("Commit")
    assert session.lms_errors() == []
    assert session.page_errors == []
    values = last_set(calls)
    session_time = "cmi.core.session_time" if name == "scorm12" else "cmi.session_time"
    exit_element = "cmi.core.exit" if name == "scorm12" else "cmi.exit"
    assert re.match(SESSION_TIME[name], values[session_time]), values[session_time]
    assert values[exit_element] == "suspend"
    assert [args[0] for fn, args in calls[-4:-2]] == [session_time, exit_element]
    return values


@pytest.mark.parametrize("name", VERSIONS)
def test_learner_completes_a_content_sco_by_reaching_the_end(browser: Any, base_url: str, name: str) -> None:
    session = launch(browser, base_url, name, "module-alpha.html", height=250)
    status = "cmi.core.lesson_status" if name == "scorm12" else "cmi.completion_status"
    assert session.values()[status] == "incomplete"  # never left "not attempted" (Moodle would complete it)
    assert session.runtime_problems() == []  # 2004: the 403 of a first launch is expected, not a problem
    link = session.frame.locator("a.dep-target[href='module-beta.html']")
    assert (link.get_attribute("target"), link.get_attribute("rel")) == ("_blank", "noopener")
    # Jumping to the end completes nothing: the button is still there to press.
    session.frame.locator("#module-end").scroll_into_view_if_needed()
    session.page.wait_for_timeout(300)
    assert session.values()[status] == "incomplete"
    assert session.frame.locator("#sco-complete").is_enabled()
    # Reading on through every section completes it, and the button gives way to what was recorded.
    for section in session.frame.locator("main > section[id]").all():
        section.scroll_into_view_if_needed()
        session.page.wait_for_timeout(50)
    session.page.wait_for_function(f"window.lms.store['{status}'] === 'completed'")
    assert session.frame.locator("#sco-complete-status").inner_text() == (
        "You have completed this module. Your course has recorded it as completed."
    )
    assert session.frame.locator("#sco-complete").is_hidden()
    session.leave()
    values = assert_clean_end(session, name)
    assert re.fullmatch(r"c1,1+", values["cmi.suspend_data"])
    location = "cmi.core.lesson_location" if name == "scorm12" else "cmi.location"
    assert values[location] == "module-end"
    if name == "scorm2004":
        assert values["cmi.progress_measure"] == "1"
    session.close()


@pytest.mark.parametrize("name", VERSIONS)
def test_mark_as_complete_works_from_the_keyboard(browser: Any, base_url: str, name: str) -> None:
    session = launch(browser, base_url, name, "module-gamma.html", height=200)
    status = "cmi.core.lesson_status" if name == "scorm12" else "cmi.completion_status"
    assert session.values()[status] == "incomplete"
    session.frame.evaluate("document.getElementById('sco-complete').focus({preventScroll: true})")
    session.page.keyboard.press("Enter")
    session.page.wait_for_function(f"window.lms.store['{status}'] === 'completed'")
    session.leave()
    assert_clean_end(session, name)
    session.close()


@pytest.mark.parametrize("name", VERSIONS)
def test_quiz_reports_score_status_interactions_and_objectives(
    browser: Any, base_url: str, course: Path, name: str
) -> None:
    session = launch(browser, base_url, name, "quiz-alpha.html")
    data = quiz_data(session)
    questions = data["questions"]
    drawn = shown(session, data)
    wrong = next(i for i in drawn if questions[i]["kind"] == "multiple_choice")
    answer(session, data, wrong=frozenset({wrong}))
    session.frame.click("#quiz-submit")
    assert session.frame.evaluate("document.activeElement.id") == "quiz-results"
    score_text = session.frame.inner_text("#quiz-score")
    # 8 points (the essay's 3 are the trainer's), 7 earned.
    assert "87.5% (7 of 8 points)" in score_text and "passed" in score_text
    assert "Essays are graded by your trainer" in score_text
    assert session.runtime_problems() == []
    session.leave()
    values = assert_clean_end(session, name)

    if name == "scorm12":
        assert values["cmi.core.score.raw"] == "87.5"
        assert (values["cmi.core.score.min"], values["cmi.core.score.max"]) == ("0", "100")
        assert values["cmi.core.lesson_status"] == "passed"
    else:
        assert values["cmi.score.raw"] == "87.5" and values["cmi.score.scaled"] == "0.875"
        assert (values["cmi.success_status"], values["cmi.completion_status"]) == ("passed", "completed")

    stored = session.values()
    assert stored["cmi.interactions._count"] == str(len(data["slots"]))  # one per slot: the drawn variant
    response = "student_response" if name == "scorm12" else "learner_response"
    types = set()
    for n, i in enumerate(drawn):
        q = questions[i]
        base = f"cmi.interactions.{n}."
        assert values[base + "id"] == q["id"]
        assert values[base + "type"] == q["interaction"]
        types.add(q["interaction"])
        assert values[base + "weighting"] == str(q["points"])
        for m, pattern in enumerate(q["correct"]):
            assert values[f"{base}correct_responses.{m}.pattern"] == pattern
        assert f"{base}correct_responses.{len(q['correct'])}.pattern" not in values
        assert [values[f"{base}objectives.{m}.id"] for m in range(len(q["competencies"]))] == q[
            "competencies"
        ]
        expected = "neutral" if q["kind"] == "essay" else WRONG[name] if i == wrong else "correct"
        assert values[base + "result"] == expected, q["id"]
        assert re.match(SESSION_TIME[name], values[base + "latency"])
        if (
            q["kind"] in ("matching", "ordering", "multiple_response", "multiple_choice", "true_false")
            and i != wrong
        ):
            assert values[base + response] == q["correct"][0], q["id"]
        if q["kind"] == "numerical":
            assert values[base + response] == q["value"]  # "12,500 EUR" typed: the number is sent
        if q["kind"] == "short_answer":
            assert values[base + response] == q["accepted"][0].upper()  # case does not matter here
        if q["kind"] == "essay":
            text = "{Plain} words, milestones: and a chart."
            assert values[base + response] == (text if name == "scorm12" else text.lstrip("{"))
    expected_types = {"sequencing", "choice", "matching", "fill-in", "numeric", "true-false"}
    assert types == expected_types | ({"fill-in"} if name == "scorm12" else {"long-fill-in"})
    if name == "scorm2004":
        assert values["cmi.interactions.0.timestamp"].startswith("20")

    objectives = {values[f"cmi.objectives.{i}.id"]: i for i in range(int(stored["cmi.objectives._count"]))}
    assert set(objectives) == {c["id"] for c in data["competencies"]}
    for competency, i in objectives.items():
        status = values[
            f"cmi.objectives.{i}.status" if name == "scorm12" else f"cmi.objectives.{i}.success_status"
        ]
        assert status in ("passed", "failed"), competency
    draw = "".join(str(slot.index(i)) for slot, i in zip(data["slots"], drawn, strict=True))
    assert values["cmi.suspend_data"].startswith(f"q2,1,1,87.5,{draw},")
    session.close()


@pytest.mark.parametrize("name", VERSIONS)
def test_every_new_type_scores_right_and_wrong(browser: Any, base_url: str, name: str) -> None:
    """Ordering, numerical (a wrong value with its feedback), matching with a distractor, short answer:
    each answered wrong reports the wrong result and the learner's response in the version's format."""
    session = launch(browser, base_url, name, "quiz-alpha.html")
    data = quiz_data(session)
    questions = data["questions"]
    drawn = shown(session, data)
    kinds = ("ordering", "numerical", "matching", "short_answer")
    wrong = frozenset(i for i in drawn if questions[i]["kind"] in kinds)
    answer(session, data, wrong=wrong)
    session.frame.click("#quiz-submit")
    assert "37.5% (3 of 8 points)" in session.frame.inner_text("#quiz-score")  # 5 wrong of 8 points
    numerical = next(i for i in drawn if questions[i]["kind"] == "numerical")
    feedback = session.frame.locator(f"#q{numerical + 1} .value-feedback:visible")
    assert feedback.count() == 1 and feedback.get_attribute("data-wrong") == "0"
    session.leave()
    values = assert_clean_end(session, name)
    response = "student_response" if name == "scorm12" else "learner_response"
    list_separator, pair_separator = (",", ".") if name == "scorm12" else ("[,]", "[.]")
    for n, i in enumerate(drawn):
        q, base = questions[i], f"cmi.interactions.{n}."
        if i not in wrong:
            continue
        assert values[base + "result"] == WRONG[name], q["id"]
        if q["kind"] == "ordering":
            expected = list_separator.join(q["stepIds"][k] for k in wrong_order(q["key"]))
        elif q["kind"] == "numerical":
            expected = q["wrongValues"][0]
        elif q["kind"] == "matching":
            chosen = [(k + 1) % len(q["key"]) for k in q["key"]]
            expected = list_separator.join(
                f"{s}{pair_separator}{q['targets'][c]}" for s, c in zip(q["sources"], chosen, strict=True)
            )
        else:
            expected = "no idea"
        assert values[base + response] == expected, q["id"]
    session.close()


@pytest.mark.parametrize("name", VERSIONS)
def test_learner_resumes_a_quiz_from_suspend_data(browser: Any, base_url: str, name: str) -> None:
    first = launch(browser, base_url, name, "quiz-alpha.html")
    data = quiz_data(first)
    drawn = shown(first, data)
    kind = {data["questions"][i]["kind"]: i + 1 for i in drawn}
    choice, matching, text, order, number = (
        kind["multiple_response"],
        kind["matching"],
        kind["short_answer"],
        kind["ordering"],
        kind["numerical"],
    )
    first.frame.check(f"#q{choice}-o0")
    first.frame.check(f"#q{choice}-o2")
    first.frame.select_option(f"#q{matching}-p1", "2")
    first.frame.fill(f"#q{text}-text", "goals, then: milestones")
    first.frame.click(f"#q{order}-steps > li[data-step='0'] button[data-move='1']")
    first.frame.fill(f"#q{number}-text", "12 345,5")
    first.frame.locator(f"#q{choice}-o1").focus()  # leaving the text field commits it
    first.leave()
    saved = first.values()
    assert len(saved["cmi.suspend_data"]) <= 4096
    first.close()

    second = launch(browser, base_url, name, "quiz-alpha.html", data=saved)
    frame = second.frame
    assert shown(second, data) == drawn  # the same variants
    assert frame.is_checked(f"#q{choice}-o0") and frame.is_checked(f"#q{choice}-o2")
    assert not frame.is_checked(f"#q{choice}-o1")
    assert frame.input_value(f"#q{matching}-p1") == "2" and frame.input_value(f"#q{matching}-p0") == ""
    assert frame.input_value(f"#q{text}-text") == "goals, then: milestones"
    assert frame.input_value(f"#q{number}-text") == "12 345,5"
    steps = frame.eval_on_selector_all(
        f"#q{order}-steps > li", "(items) => items.map((li) => +li.dataset.step)"
    )
    assert steps == [1, 0, 2]
    assert frame.is_hidden("#quiz-results")
    second.leave()
    assert_clean_end(second, name)
    second.close()


def test_each_attempt_draws_the_next_variant_of_an_item_model(browser: Any, base_url: str) -> None:
    session = launch(browser, base_url, "scorm2004", "quiz-alpha.html", data={})
    data = quiz_data(session)
    model = next(s for s, slot in enumerate(data["slots"]) if len(slot) > 1)
    first = shown(session, data)[model]
    answer(session, data, wrong=frozenset(range(len(data["questions"]))))
    session.frame.click("#quiz-submit")
    session.frame.click("#quiz-retry")
    second = shown(session, data)[model]
    variants = data["slots"][model]
    assert variants.index(second) == (variants.index(first) + 1) % len(variants)
    answer(session, data)
    session.frame.click("#quiz-submit")
    session.leave()
    values = assert_clean_end(session, "scorm2004")
    # the journal names the variant each attempt drew
    count = len(data["slots"])
    ids = [values[f"cmi.interactions.{n}.id"] for n in (model, count + model)]
    assert ids == [data["questions"][first]["id"], data["questions"][second]["id"]]
    assert values["cmi.suspend_data"].split(",")[4][model] == str(variants.index(second))
    session.close()


@pytest.mark.parametrize("name", VERSIONS)
def test_learner_resumes_a_content_sco_where_they_left(browser: Any, base_url: str, name: str) -> None:
    first = launch(browser, base_url, name, "module-alpha.html", height=250)
    first.frame.locator("#competencies").scroll_into_view_if_needed()
    location = "cmi.core.lesson_location" if name == "scorm12" else "cmi.location"
    first.page.wait_for_function(f"window.lms.store['{location}'] === 'competencies'")
    first.leave()
    saved = first.values()
    first.close()
    second = launch(browser, base_url, name, "module-alpha.html", data=saved, height=250)
    link = second.frame.locator("#sco-notice a")
    assert link.get_attribute("href") == "#competencies"
    assert link.inner_text() == "Acquired competencies"
    second.close()


def test_attempts_run_out_and_the_right_answers_show(browser: Any, base_url: str) -> None:
    session = launch(browser, base_url, "scorm2004", "quiz-alpha.html")
    data = quiz_data(session)
    everything = frozenset(range(len(data["questions"])))
    answer(session, data, wrong=everything)
    session.frame.click("#quiz-submit")
    assert session.frame.is_visible("#quiz-retry")
    assert session.frame.locator(".key-mark").first.is_hidden()  # not while attempts remain
    # Failed with an attempt left: not completed, so that an LMS counting completed SCOs counts passes.
    stored = session.values()
    assert (stored["cmi.completion_status"], stored["cmi.success_status"]) == ("incomplete", "failed")
    session.frame.click("#quiz-retry")
    assert session.frame.is_hidden("#quiz-results") and not session.frame.is_checked("#q2-o0")
    answer(session, data, wrong=everything)
    session.frame.click("#quiz-submit")
    assert session.frame.is_hidden("#quiz-retry")
    assert "Attempt 2 of 2" in session.frame.inner_text("#quiz-attempts")
    assert session.frame.locator(".key-mark:visible").count() > 0
    assert session.frame.locator("fieldset:visible div.key-mark li").count() == 3  # the right order
    session.leave()
    values = assert_clean_end(session, "scorm2004")
    assert session.values()["cmi.interactions._count"] == str(2 * len(data["slots"]))  # a journal
    assert (values["cmi.success_status"], values["cmi.completion_status"]) == ("failed", "completed")
    assert values["cmi.suspend_data"].startswith("q2,2,1,")
    session.close()


@pytest.mark.parametrize("sco", ["quiz-alpha.html", "module-alpha.html"])
def test_sco_works_without_an_lms(browser: Any, base_url: str, sco: str) -> None:
    session = Session(browser, f"{base_url}/scorm12/{sco}", None)
    notice = session.frame.inner_text("#sco-notice")
    assert "not recorded" in notice
    if sco.startswith("quiz"):
        answer(session, quiz_data(session))
        session.frame.click("#quiz-submit")
        assert "100% (8 of 8 points)" in session.frame.inner_text("#quiz-score")
    else:
        # A page short enough to show every section at once is read (and completed) as it opens.
        if session.frame.locator("#sco-complete").is_visible():
            session.frame.click("#sco-complete")
        session.frame.wait_for_function("document.getElementById('sco-complete-status').textContent !== ''")
        assert session.frame.inner_text("#sco-complete-status") == "You have completed this module."
        assert session.frame.locator("#sco-complete").is_hidden()
    assert session.page_errors == []
    session.close()


def test_sco_in_a_new_window_finds_the_api_through_its_opener(browser: Any, base_url: str) -> None:
    page = browser.new_page()
    with page.expect_popup() as popup_info:
        page.goto(f"{base_url}/lms/mock-lms.html?version=1.2&popup=1&sco=../scorm12/module-alpha.html")
    popup = popup_info.value
    popup.wait_for_load_state()
    page.wait_for_function("window.lms.calls.some(c => c.fn === 'LMSInitialize')")
    popup.close()
    page.wait_for_function("window.lms.state() === 'terminated'")
    assert page.evaluate("window.lms.errors") == []
    page.close()


@pytest.mark.parametrize("sco", ["quiz-alpha.html", "module-alpha.html"])
def test_pages_fit_a_390px_phone(browser: Any, base_url: str, sco: str) -> None:
    session = Session(browser, f"{base_url}/scorm2004/{sco}", None, viewport={"width": 390, "height": 844})
    if sco.startswith("quiz"):
        answer(session, quiz_data(session))
        session.frame.click("#quiz-submit")
    width = session.frame.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    session.close()


def test_quiz_is_keyboard_operable_with_visible_focus(browser: Any, base_url: str) -> None:
    session = Session(browser, f"{base_url}/scorm12/quiz-alpha.html", None)
    keyboard = session.page.keyboard
    for _ in range(20):
        keyboard.press("Tab")
        if session.frame.evaluate("document.activeElement.type") == "radio":
            break
    else:
        pytest.fail("Tab never reached an answer option")
    outline = session.frame.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")
    keyboard.press("Space")
    assert session.frame.evaluate("document.activeElement.checked") is True
    session.frame.evaluate("document.getElementById('quiz-submit').focus()")
    keyboard.press("Enter")
    assert session.frame.is_visible("#quiz-results")
    session.close()


def test_longest_possible_answers_fill_exactly_the_computed_worst_case(
    browser: Any, base_url: str, course: Path
) -> None:
    session = launch(browser, base_url, "scorm12", "quiz-alpha.html")
    data = quiz_data(session)
    frame = session.frame
    for i in shown(session, data):
        q, n = data["questions"][i], i + 1
        if q["kind"] == "multiple_response":
            for o in range(len(q["weights"])):
                frame.check(f"#q{n}-o{o}")
        elif q["kind"] in ("multiple_choice", "true_false"):
            frame.check(f"#q{n}-o{len(q['weights']) - 1}")
        elif q["kind"] == "matching":
            for p in range(len(q["key"])):
                frame.select_option(f"#q{n}-p{p}", "0")
        elif q["kind"] == "ordering":
            arrange(frame, n, q["key"])
        else:
            frame.fill(f"#q{n}-text", "é;," * q["maxLength"])  # maxlength cuts it, as for a learner
    frame.click("#quiz-submit")
    suspend = session.values()["cmi.suspend_data"]
    worst = quiz_suspend_worst_case(build_quizzes(load_course(course)).quizzes["alpha"])
    header = suspend.split(",", 4)
    answers_part = len(suspend) - len(",".join(header[:4]))  # the draw and the answers
    assert answers_part == worst - len("q2,999,1,66.67")
    assert len(suspend) <= worst <= 4096
    session.close()


def test_quiz_uses_the_lms_pass_mark_and_the_objectives_it_already_holds(browser: Any, base_url: str) -> None:
    """A sequencing LMS fills cmi.objectives from the manifest and cmi.scaled_passing_score from it."""
    held = {"cmi.objectives._count": "3", "cmi.scaled_passing_score": "0.5"}
    for i, competency in enumerate(["alpha-reporting", "alpha-planning", "alpha-budgeting"]):
        held[f"cmi.objectives.{i}.id"] = competency
    session = launch(browser, base_url, "scorm2004", "quiz-alpha.html", data=held)
    data = quiz_data(session)
    graded = [i for i in shown(session, data) if data["questions"][i]["graded"]]
    answer(session, data, wrong=frozenset(graded[:4]))  # 4 of 8 points: 50%
    session.frame.click("#quiz-submit")
    assert "The pass mark is 50%" in session.frame.inner_text("#quiz-score")
    session.leave()
    values = assert_clean_end(session, "scorm2004")
    assert values["cmi.score.scaled"] == "0.5" and values["cmi.success_status"] == "passed"
    assert session.values()["cmi.objectives._count"] == "3"
    assert {k for k in values if k.startswith("cmi.objectives.") and k.endswith(".id")} == set()
    assert all(f"cmi.objectives.{i}.success_status" in values for i in range(3))
    session.close()
