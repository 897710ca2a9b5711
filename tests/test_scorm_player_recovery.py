# ruff: noqa: F811  (the fixtures of test_scorm_runtime, imported by name, are parameters here)
"""SCOs in players that keep one API object for every SCO (Moodle 4.5's SCORM 2004 player).

Such a player leaves its API terminated once the first SCO terminates, so the next SCO's Initialize
fails with 104. The runtime then asks for a fresh player page for itself (Moodle: ``player.php`` with
the query of the frame's ``loadSCO.php``); when no player can be asked it says so and keeps the
learner's answers on the device until a launch the LMS accepts. It also turns off Moodle's switch to
``navigator.sendBeacon`` while it is not leaving, so its saves reach the server in order.
"""

from __future__ import annotations

import json
from typing import Any

from tests.test_scorm_runtime import (  # noqa: F401  (fixtures)
    answer,
    base_url,
    browser,
    course,
    launch,
    quiz_data,
    shown,
)

LOAD_SCO = "/mod/scorm/loadSCO.php?a=3&scoid=7&currentorg=ORG-osee&mode=normal&attempt=1"


def test_a_sco_left_with_a_terminated_api_reopens_itself_in_a_fresh_player(
    browser: Any, base_url: str
) -> None:
    session = launch(browser, base_url, "scorm2004", "module-alpha.html")
    page = session.page
    fresh = f"{base_url}/lms/mock-lms.html?version=2004&sco=../scorm2004/quiz-alpha.html"
    asked: list[str] = []

    def player(route: Any) -> None:
        asked.append(route.request.url)
        route.fulfill(status=302, headers={"Location": fresh})

    quiz = f"{base_url}/scorm2004/quiz-alpha.html"
    page.route(
        "**/mod/scorm/loadSCO.php*", lambda route: route.fulfill(status=302, headers={"Location": quiz})
    )
    page.route("**/mod/scorm/player.php*", player)
    session.leave()  # the module page terminates: this player's one API object stays terminated
    page.evaluate(f"document.getElementById('sco').src = '{LOAD_SCO}'")  # the learner picks the quiz
    page.wait_for_url(fresh)
    page.wait_for_function("window.lms && window.lms.state() === 'running'")
    assert asked == [base_url + LOAD_SCO.replace("loadSCO.php", "player.php")]
    frame = next(f for f in page.main_frame.child_frames if f.url.endswith("quiz-alpha.html"))
    frame.wait_for_function("window.ScoRuntime && window.ScoRuntime.isConnected()")
    assert frame.evaluate("window.ScoRuntime.problems()") == []
    session.close()


def test_without_a_player_to_ask_the_answers_wait_on_the_device(browser: Any, base_url: str) -> None:
    session = launch(browser, base_url, "scorm2004", "module-alpha.html")
    page = session.page
    session.leave()
    page.evaluate("document.getElementById('sco').src = '../scorm2004/quiz-alpha.html'")
    page.wait_for_function("document.getElementById('sco').contentWindow.ScoRuntime !== undefined")
    session.frame = next(f for f in page.main_frame.child_frames if f.url.endswith("quiz-alpha.html"))
    session.frame.wait_for_function("document.getElementById('sco-notice') !== null")
    notice = session.frame.inner_text("#sco-notice")
    assert "did not accept this page" in notice and "kept on this device" in notice
    data = quiz_data(session)
    first = next(i for i in shown(session, data) if data["questions"][i]["kind"] == "multiple_choice")
    session.frame.check(f"#q{first + 1}-o0")
    kept = session.frame.evaluate("localStorage.getItem('scorm-kept:' + location.pathname)")
    assert kept is not None and '"suspendData":"q2,' in kept
    # A later launch the LMS accepts (same browser) takes the kept answers and records them.
    page.goto(f"{base_url}/lms/mock-lms.html?version=2004&sco=../scorm2004/quiz-alpha.html")
    page.wait_for_function("window.lms.state() === 'running'")
    frame = next(f for f in page.main_frame.child_frames if f.url.endswith("quiz-alpha.html"))
    frame.wait_for_function("window.ScoRuntime !== undefined")
    page.wait_for_function("(window.lms.store['cmi.suspend_data'] || '').startsWith('q2,')")
    assert page.evaluate("window.lms.store['cmi.suspend_data']") == json_value(kept, "suspendData")
    assert frame.is_checked(f"#q{first + 1}-o0")
    assert frame.evaluate("localStorage.getItem('scorm-kept:' + location.pathname)") is None
    session.close()


def json_value(text: str, key: str) -> str:
    return str(json.loads(text)[key])


def test_saves_go_one_after_another_while_the_sco_is_not_leaving(browser: Any, base_url: str) -> None:
    session = launch(browser, base_url, "scorm12", "quiz-alpha.html")
    page = session.page
    page.evaluate("window.mod_scorm_useBeaconAPI = true")  # as Moodle leaves it after a click in its menu
    data = quiz_data(session)
    answer(session, data)
    assert page.evaluate("window.mod_scorm_useBeaconAPI") is False
    page.evaluate("window.mod_scorm_useBeaconAPI = true")
    session.leave()  # leaving: the beacon Moodle chose for the unload stays
    assert page.evaluate("window.mod_scorm_useBeaconAPI") is True
    session.close()


def test_a_page_the_lms_reopens_says_which_unfinished_page_the_learner_was_last_in(
    browser: Any, base_url: str
) -> None:
    session = launch(browser, base_url, "scorm12", "quiz-alpha.html")
    title = session.frame.inner_text("main h1")
    session.leave()  # the quiz is left under way; the LMS reopens the module page (its first unfinished SCO)
    session.page.goto(f"{base_url}/lms/mock-lms.html?version=1.2&sco=../scorm12/module-alpha.html")
    session.page.wait_for_function("window.lms.state() === 'running'")
    frame = next(f for f in session.page.main_frame.child_frames if f.url.endswith("module-alpha.html"))
    frame.wait_for_function("document.getElementById('sco-notice') !== null")
    assert f"Last time you were in “{title}” and have not finished it" in frame.inner_text("#sco-notice")
    session.close()
