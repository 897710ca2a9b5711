"""The real Moodle: packages imported and restored by Moodle 4.5's own code (../shared/tools/moodle-full).

Marked ``moodle``; skipped when the harness is not installed (``install`` not run, exit 3), so the
usual suite stays fast. Each import makes a fresh course; the competency framework is imported
before the backup is restored, as the README tells trainers to do.
"""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from builder.load import load_course
from builder.model import Course
from builder.quiz import QuestionType, build_quizzes
from tests.conftest import FIXTURES, OSEE, REPO, run

pytestmark = pytest.mark.moodle

HARNESS = REPO.parent / "shared" / "tools" / "moodle-full" / "import"
NOT_INSTALLED = 3
QTYPE = {
    QuestionType.MULTIPLE_CHOICE: "multichoice(single)",
    QuestionType.MULTIPLE_RESPONSE: "multichoice(multi)",
    QuestionType.TRUE_FALSE: "truefalse",
    QuestionType.MATCHING: "match",
    QuestionType.SHORT_ANSWER: "shortanswer",
    QuestionType.ESSAY: "essay",
    QuestionType.ORDERING: "ordering",
    QuestionType.NUMERICAL: "numerical",
}
BANK_QTYPE = {
    **QTYPE,
    QuestionType.MULTIPLE_CHOICE: "multichoice",
    QuestionType.MULTIPLE_RESPONSE: "multichoice",
}


def moodle_import(kind: str, package: Path) -> dict[str, Any]:
    """The harness's JSON report for one import; skips the test when Moodle is not installed."""
    if not HARNESS.exists():
        pytest.skip(f"the Moodle harness is not here ({HARNESS})")
    done = subprocess.run(
        [str(HARNESS), "--as", kind, str(package), "--json"], capture_output=True, text=True, timeout=900
    )
    if done.returncode == NOT_INSTALLED:
        pytest.skip("Moodle is not installed: run ../shared/tools/moodle-full/install (see its README)")
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module", params=[FIXTURES / "mini", OSEE], ids=["mini", "osee"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Course, Path]:
    course_dir: Path = request.param
    out = tmp_path_factory.mktemp("moodle")
    args = [a for f in ("moodle", "moodlexml", "gift", "competencies") for a in ("--format", f)]
    result = run("build", course_dir, *args, "--out", out)
    assert result.exit_code == 0, result.output + result.stderr
    return load_course(course_dir), out / course_dir.name


def test_every_bank_question_is_saved_from_moodle_xml_and_gift(built: tuple[Course, Path]) -> None:
    course, out = built
    bank = [q for quiz in build_quizzes(course).quizzes.values() for q in quiz.bank]
    expected = Counter(BANK_QTYPE[q.type] for q in bank)
    for kind, name in (("moodlexml", f"{course.id}-moodle.xml"), ("gift", f"{course.id}-gift.txt")):
        report = moodle_import(kind, out / name)
        assert report["verdict"] == "accepted", report.get("reason")
        assert report["import"]["completed"] and report["import"]["questions_saved"] == len(bank)
        gift_ordering = expected.pop("ordering", 0) if kind == "gift" else 0  # GIFT: ordering -> match
        assert Counter(report["saved"]["by_qtype"]) == expected + Counter({"match": gift_ordering})
        if gift_ordering:
            expected["ordering"] = gift_ordering
        assert report["problems"] == []


def test_the_backup_restores_with_everything_wired(built: tuple[Course, Path]) -> None:
    course, out = built
    framework = moodle_import("competencies", out / f"{course.id}-competencies.csv")
    assert framework["verdict"] == "accepted" and framework["problems"] == []
    report = moodle_import("mbz", out / f"{course.id}.mbz")
    assert report["verdict"] == "accepted", report.get("reason")
    assert report["problems"] == [] and report["restore"]["precheck"]["errors"] == []
    assert [s["name"] for s in report["sections"]] == [
        "About this course",
        *(c.title for c in course.categories),
    ]
    assert report["course"]["enablecompletion"] == 1
    quizzes = build_quizzes(course).quizzes
    restored = report["quizzes"]
    assert [q["name"] for q in restored] == [f"Quiz: {m.title}" for m in course.modules]
    for module, quiz in zip(course.modules, restored, strict=True):
        model = quizzes[module.id]
        assert quiz["slots"] == len(model.slots) and quiz["sumgrades"] == model.points
        assert quiz["random_slots"] == sum(len(slot) > 1 for slot in model.slots)
        fixed = [slot[0] for slot in model.slots if len(slot) == 1]
        assert quiz["qtypes_detail"] == dict(Counter(QTYPE[q.type] for q in fixed))
        assert [s["maxmark"] for s in quiz["slot_list"]] == [q.points for q in fixed]
        assert Fraction(quiz["gradepass"]) / Fraction(quiz["grade"]) == Fraction(model.pass_mark, 100)
    completion = {m["modname"]: m["completion"] for m in report["modules"]}
    assert completion["page"]["completionview"] == 1
    assert completion["quiz"]["completionpassgrade"] == 1
    assert len(report["course_completion"]["criteria"]) == len(course.modules)
    links = report["competencies"]
    assert links["course_links"] == len(course.competencies())
    assert links["dropped"] == {"course": [], "modules": []}
    by_quiz = {m["name"]: [c["idnumber"] for c in m["competencies"]] for m in links["modules"]}
    assert by_quiz == {f"Quiz: {m.title}": [c.id for c in m.competencies] for m in course.modules}
    bank = sum(len(q.bank) for q in quizzes.values())
    assert report["question_bank"]["questions"] == bank
