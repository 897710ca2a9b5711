"""Moodle's column limits: every value the Moodle writers emit fits, and lint says what was changed."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from lxml import etree

from builder import moodle_limits as limits
from builder.xsd_check import hardened_parser
from tests.conftest import FIXTURES, edit, line_of, run
from tests.gift_parser import parse
from tests.test_moodle_harness import moodle_import

LONG_COURSE_ID = "overflowing-course-" + "c" * 45  # 64 characters, the most an id may have
LONG_COMPETENCY = "alpha-planning-" + "p" * 45  # 60 characters: over the 50 Moodle keeps of a tag
LONG_ANSWER = "A milestone plan that " + "names every deliverable and its owner, " * 8  # > 255
LONG_MODULE_ID = "gamma-" + "g" * 58  # with the course id, over the 100 of a category idnumber
LONG_TITLE = "Alpha Module " + "with a very long title " * 12  # > 255


@pytest.fixture
def overflowing(tmp_path: Path) -> Path:
    """The mini course with values over Moodle's columns: ids, a title, a tag and a matching answer."""
    course = tmp_path / LONG_COURSE_ID
    shutil.copytree(FIXTURES / "mini", course)
    edit(course / "course.yaml", "id: mini", f"id: {LONG_COURSE_ID}")
    edit(
        course / "modules" / "beta" / "assessment.yaml",
        "answer: Start a fresh discussion thread}",
        f"answer: '{LONG_ANSWER}'}}",
    )
    (course / "modules" / "gamma").rename(course / "modules" / LONG_MODULE_ID)
    edit(course / "course.yaml", "modules: [gamma]", f"modules: [{LONG_MODULE_ID}]")
    edit(course / "modules" / LONG_MODULE_ID / "module.yaml", "id: gamma", f"id: {LONG_MODULE_ID}")
    edit(course / "modules" / "alpha" / "scope.md", "../gamma/", f"../{LONG_MODULE_ID}/")
    for name in ("module.yaml", "assessment.yaml"):
        path = course / "modules" / "alpha" / name
        path.write_text(
            path.read_text(encoding="utf-8").replace("alpha-planning", LONG_COMPETENCY), encoding="utf-8"
        )
    edit(course / "modules" / "alpha" / "module.yaml", "title: Alpha Module", f"title: {LONG_TITLE}")
    return course


def _build(course: Path, out: Path, *formats: str) -> Path:
    args = [arg for name in formats for arg in ("--format", name)]
    result = run("build", course, *args, "--out", out)
    assert result.exit_code == 0, result.output + result.stderr
    return out / course.name


def test_identifiers_and_names_fit_keeping_unique_and_stable() -> None:
    long_id = "x" * 150
    fitted = limits.fit_identifier(long_id, 100)
    assert len(fitted) == 100 and fitted.startswith("x" * 90) and fitted != long_id
    assert limits.fit_identifier(long_id + "y", 100) != fitted
    assert limits.fit_identifier("short", 100) == "short"
    assert limits.fit_name("question.name", "n" * 300) == "n" * 254 + "…"
    assert limits.tag_name(LONG_COMPETENCY) == limits.tag_name(LONG_COMPETENCY)
    assert len(limits.tag_name(LONG_COMPETENCY)) == limits.TAG_MAX_LENGTH


def test_moodle_xml_values_fit_moodles_columns(overflowing: Path, tmp_path: Path) -> None:
    out = _build(overflowing, tmp_path / "dist", "moodlexml")
    root = etree.parse(str(out / f"{LONG_COURSE_ID}-moodle.xml"), hardened_parser()).getroot()
    match = root.xpath("//question[@type='matching']")[0]
    answers = match.xpath("subquestion/answer/text/text()")
    assert answers and all(len(a) <= 255 for a in answers)
    assert sorted(answers) == ["A", "B", "C", "D"]  # three pairs and a distractor, by letter
    assert LONG_ANSWER.strip() in match.findtext("questiontext/text")
    for question in root.xpath("//question[@type!='category']"):
        assert len(question.findtext("name/text")) <= 255
        assert len(question.findtext("idnumber")) <= 100
        assert all(len(tag) <= limits.TAG_MAX_LENGTH for tag in question.xpath("tags/tag/text/text()"))
    assert all(len(i) <= 100 for i in root.xpath("//question[@type='category']/idnumber/text()"))
    assert limits.tag_name(LONG_COMPETENCY) in root.xpath("//tags/tag/text/text()")


def test_gift_values_fit_moodles_columns(overflowing: Path, tmp_path: Path) -> None:
    out = _build(overflowing, tmp_path / "dist", "gift")
    parsed = parse((out / f"{LONG_COURSE_ID}-gift.txt").read_text(encoding="utf-8"))
    questions = [q for q in parsed if q.qtype == "match"]
    assert questions
    for question in questions:
        assert all(len(answer) <= 255 for _, answer in question.subquestions)
    assert any(LONG_ANSWER.strip() in q.text.text for q in questions)


def test_lint_says_what_the_moodle_writers_change_with_positions(overflowing: Path) -> None:
    result = run("lint", overflowing)
    assessment = overflowing / "modules" / "beta" / "assessment.yaml"
    lines = result.stderr.splitlines()
    answer_line = line_of(assessment, "names every deliverable")  # the pair whose answer is too long
    assert any(
        f"assessment.yaml:{answer_line}:" in line and "qtype_match_subquestions.answertext" in line
        for line in lines
    ), result.stderr
    assert any("question_categories.idnumber" in line for line in lines), result.stderr
    assert any(f"competency id '{LONG_COMPETENCY}'" in line for line in lines), result.stderr
    assert any("page.name" in line and "module.yaml" in line for line in lines), result.stderr
    assert result.exit_code == 1


def test_the_competency_csv_fits_short_names(overflowing: Path, tmp_path: Path) -> None:
    out = _build(overflowing, tmp_path / "dist", "competencies")
    rows = list(
        csv.reader(io.StringIO((out / f"{LONG_COURSE_ID}-competencies.csv").read_text(encoding="utf-8")))
    )
    assert all(0 < len(row[1]) <= 100 and 0 < len(row[2]) <= 100 for row in rows[1:])
    assert any(row[2].endswith("…") and row[2].startswith("Alpha Module with") for row in rows[1:])


@pytest.mark.moodle
def test_the_overflowing_course_goes_into_a_real_moodle_whole(overflowing: Path, tmp_path: Path) -> None:
    """Moodle's own import and restore, PostgreSQL's column limits: nothing refused, nothing lost."""
    out = _build(overflowing, tmp_path / "dist", "moodle", "moodlexml", "gift", "competencies")
    framework = moodle_import("competencies", out / f"{LONG_COURSE_ID}-competencies.csv")
    assert framework["verdict"] == "accepted" and framework["problems"] == []
    for kind, name in (("moodlexml", "moodle.xml"), ("gift", "gift.txt")):
        report = moodle_import(kind, out / f"{LONG_COURSE_ID}-{name}")
        assert report["verdict"] == "accepted" and report["import"]["completed"], report.get("reason")
        assert report["import"]["questions_saved"] == report["import"]["questions_parsed"] > 0
    restored = moodle_import("mbz", out / f"{LONG_COURSE_ID}.mbz")
    assert restored["verdict"] == "accepted" and restored["problems"] == [], restored.get("reason")
    assert restored["competencies"]["dropped"] == {"course": [], "modules": []}
