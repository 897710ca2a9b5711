"""The SCO runtime when the LMS refuses to save or hands out values outside their range (issue 12)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.test_scorm_runtime import VERSIONS, answer, base_url, browser, course, launch, quiz_data  # noqa: F401

STATUS = {"scorm12": "cmi.core.lesson_status", "scorm2004": "cmi.completion_status"}


@pytest.mark.parametrize("name", VERSIONS)
def test_learner_is_told_when_nothing_is_saved_and_saving_resumes(
    browser: Any,  # noqa: F811
    base_url: str,  # noqa: F811
    name: str,
) -> None:
    session = launch(browser, base_url, name, "module-gamma.html", height=200, refuse=1)
    session.frame.evaluate("document.getElementById('sco-complete').click()")
    notice = session.frame.locator("#sco-notice")
    refused = "Your progress could not be saved: the learning management system refused it"
    assert notice.inner_text().startswith(refused)
    assert "Keep this page open" in notice.inner_text()
    status = session.frame.locator("#sco-complete-status").inner_text()
    assert "Your progress has been recorded" not in status
    assert "not saved yet" in status
    assert STATUS[name] not in session.values() or session.values()[STATUS[name]] != "completed"
    # The LMS takes values again: the next commit sets what was refused, and the learner is told.
    session.page.evaluate("window.lms.refuse = false")
    session.frame.evaluate("window.ScoRuntime.commit()")
    assert session.values()[STATUS[name]] == "completed"
    assert notice.inner_text() == "Your progress is saved again."
    assert session.frame.evaluate("window.ScoRuntime.isSaved()") is True
    session.close()


@pytest.mark.parametrize("name", VERSIONS)
def test_a_quiz_answered_while_the_lms_refuses_is_saved_later(
    browser: Any,  # noqa: F811
    base_url: str,  # noqa: F811
    name: str,
) -> None:
    session = launch(browser, base_url, name, "quiz-alpha.html", refuse=1)
    data = quiz_data(session)
    answer(session, data)
    session.frame.click("#quiz-submit")
    assert session.frame.locator("#sco-notice").inner_text().startswith("Your progress could not be saved")
    assert "cmi.suspend_data" not in session.values() or not session.values()["cmi.suspend_data"]
    session.page.evaluate("window.lms.refuse = false")
    session.frame.evaluate("window.ScoRuntime.commit()")
    saved = session.values()
    assert saved["cmi.suspend_data"].startswith("q1,")
    raw = "cmi.core.score.raw" if name == "scorm12" else "cmi.score.raw"
    assert saved[raw] == "100"
    session.close()


@pytest.mark.parametrize(
    ("name", "held", "pass_mark"),
    [
        ("scorm12", {"cmi.student_data.mastery_score": "-1000000000"}, 75),
        ("scorm12", {"cmi.student_data.mastery_score": "150"}, 75),
        ("scorm12", {"cmi.student_data.mastery_score": "60"}, 60),
        ("scorm2004", {"cmi.scaled_passing_score": "-1000000000"}, 75),
        ("scorm2004", {"cmi.scaled_passing_score": "2"}, 75),
        ("scorm2004", {"cmi.scaled_passing_score": "0.6"}, 60),
    ],
)
def test_lms_pass_mark_is_used_only_within_its_range(
    browser: Any,  # noqa: F811
    base_url: str,  # noqa: F811
    name: str,
    held: dict[str, str],
    pass_mark: int,
) -> None:
    session = launch(browser, base_url, name, "quiz-alpha.html", data=held)
    data = quiz_data(session)
    answer(session, data)
    session.frame.click("#quiz-submit")
    assert f"The pass mark is {pass_mark}%" in session.frame.inner_text("#quiz-score")
    trusted = pass_mark != 75
    ignored = [p for p in session.runtime_problems() if p["code"] == "out of range"]
    assert bool(ignored) != trusted, ignored
    session.close()


@pytest.mark.parametrize("name", VERSIONS)
def test_counts_status_and_suspend_data_outside_their_range_are_ignored(
    browser: Any,  # noqa: F811
    base_url: str,  # noqa: F811
    name: str,
) -> None:
    location = "cmi.core.lesson_location" if name == "scorm12" else "cmi.location"
    held = {
        "cmi.interactions._count": "999999999",
        "cmi.objectives._count": "-5",
        STATUS[name]: "hacked",
        location: "section-" + "x" * (300 if name == "scorm12" else 1100),
    }
    if name == "scorm12":
        held["cmi.suspend_data"] = "c1," + "1" * 5000  # over SCORM 1.2's 4096 characters
    session = launch(browser, base_url, name, "module-alpha.html", data=held, height=250)
    problems = session.runtime_problems()
    ignored = sorted(p["args"][0] for p in problems if p["code"] == "out of range")
    expected = ["cmi.interactions._count", "cmi.objectives._count", STATUS[name], location]
    expected += ["cmi.suspend_data"] if name == "scorm12" else []
    assert ignored == sorted(expected)
    assert session.values()[STATUS[name]] == "incomplete"  # treated as a first launch
    gets = [args[0] for fn, args in session.calls() if fn.endswith("GetValue")]
    assert not any(g.startswith("cmi.objectives.") and g.endswith(".id") for g in gets)
    assert json.dumps(session.page_errors) == "[]"
    session.close()
