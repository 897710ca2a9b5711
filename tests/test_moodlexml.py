"""The moodlexml format: the question bank read back as Moodle's importer reads it, against the quiz model."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree

from builder.errors import BuildError, Pos
from builder.formats import moodlexml
from builder.formats.moodlexml import html_text, inline_html, number, percent, plain_html, rubric_html
from builder.load import load_course
from builder.moodle_limits import matching_layout
from builder.quiz import AcceptedAnswer, Option, Pair, Question, QuestionType, build_quizzes
from builder.xsd_check import hardened_parser
from tests.conftest import OSEE, run

# Every character GIFT reserves, plus what looks like GIFT syntax: a weight, a format, a comment.
SPECIAL = "a~b = c#d {e} f:g h\\i -> %50% [html] // k"


def add_special_quiz(course: Path) -> None:
    """Put characters every format must escape into the mini course's items (every question type)."""

    def edit_items(module: str, change: Callable[[dict[str, dict[str, Any]]], None]) -> None:
        path = course / "modules" / module / "assessment.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change({i["id"]: i for o in data["objectives"] for i in o.get("items", [])})
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def alpha(items: dict[str, dict[str, Any]]) -> None:
        review = items["plan-review"]
        review["stem"] += f" {SPECIAL}\nSecond line with <script>alert(1)</script> & more."
        review["options"][0].update(text="Every quarter ~ = # { } :", feedback="Yes: #1 {ok}")
        review["options"][1]["text"] = "%50% once at the end"
        review["options"][2]["text"] = "[html] every single week"
        review["feedback"] = "General: ####, \\n and \\\\ stay as they are."
        items["report-tf"]["stem"] += " {true} = #yes?"
        items["plan-order"]["steps"][0]["text"] = "Agree goals {a} = b -> c"
        items["report-essay"]["stem"] += " {sceptical} board ~ #1"
        items["budget-total"]["stem"] += " {sum} = #"

    def beta(items: dict[str, dict[str, Any]]) -> None:
        pairs = items["moderate-match"]["pairs"]
        pairs[0].update(prompt="Two members trade insults {a} = b", answer="Step in: ~calm~ #1")
        pairs[1].update(prompt="Nobody knows the rules <b>", answer="Publish a code -> of \\ conduct")
        items["moderate-term"]["answers"].append({"text": "code=of{x}:y~z#w\\v", "feedback": "Right: #1"})
        items["moderate-term"]["case_sensitive"] = True

    edit_items("alpha", alpha)
    edit_items("beta", beta)


@pytest.fixture
def special(mini: Path) -> Path:
    add_special_quiz(mini)
    return mini


def build_to(course: Path, out: Path, *formats: str) -> None:
    args = [arg for name in formats for arg in ("--format", name)]
    result = run("build", course, *args, "--out", out)
    assert result.exit_code == 0, result.output + result.stderr


def parse_xml(path: Path) -> etree._Element:
    return etree.fromstring(path.read_bytes(), hardened_parser())


def text_of(element: etree._Element, tag: str) -> str:
    """What Moodle's importer reads: ``tag/text``, trimmed (missing: empty)."""
    found = element.find(f"{tag}/text")
    return (found.text or "").strip() if found is not None else ""


# Moodle's grade list (question_bank::fraction_options_full), and its 'Stop on error' match.
MOODLE_GRADES = [1, 0.9, 0.8333333, 0.8, 0.75, 0.7, 0.6666667, 0.6, 0.5, 0.4, 0.3333333, 0.3, 0.25, 0.2]
MOODLE_GRADES += [0.1666667, 0.1428571, 0.125, 0.1111111, 0.1, 0.05, 0]
MOODLE_GRADES += [-g for g in MOODLE_GRADES if g]


def moodle_grade(fraction_attribute: str) -> float:
    fraction = float(fraction_attribute) / 100
    match = [grade for grade in MOODLE_GRADES if abs(fraction - grade) < 0.00000005]
    assert match, f"grade {fraction_attribute}% is not one Moodle accepts: the import would stop"
    return match[0]


def matches_weight(fraction_attribute: str, weight: Fraction) -> bool:
    return abs(moodle_grade(fraction_attribute) - float(weight)) < 0.0000001


def questions_by_name(root: etree._Element) -> dict[str, etree._Element]:
    return {text_of(q, "name"): q for q in root.iter("question") if q.get("type") != "category"}


def check_question(element: etree._Element, q: Question) -> None:
    """Compare one <question> with its model, field by field as Moodle's importer reads them."""
    expected_type = moodlexml._MOODLE_TYPE[q.type]
    assert element.get("type") == expected_type
    assert text_of(element, "name") == q.id
    assert element.findtext("idnumber") == q.id
    assert element.find("questiontext").get("format") == "html"
    layout = matching_layout(q) if q.type is QuestionType.MATCHING else None
    assert text_of(element, "questiontext") == html_text(q.stem) + (layout.extra_html if layout else "")
    assert element.findtext("defaultgrade") == str(q.points)
    assert [text_of(tag, ".") for tag in element.findall("tags/tag")] == list(q.competency_ids)
    answers = element.findall("answer")
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        single = q.type is QuestionType.MULTIPLE_CHOICE
        assert element.findtext("single") == ("true" if single else "false")
        assert len(answers) == len(q.options) >= 2
        for answer, option in zip(answers, q.options, strict=True):
            assert answer.get("format") == "html"
            assert text_of(answer, ".") == inline_html(option.text)
            assert matches_weight(answer.get("fraction"), option.weight)
            assert text_of(answer, "feedback") == html_text(option.feedback)
    if q.type is QuestionType.TRUE_FALSE:
        options = {o.id: o for o in q.options}
        assert [text_of(a, ".") for a in answers] == ["true", "false"]
        for answer in answers:
            assert matches_weight(answer.get("fraction"), options[text_of(answer, ".")].weight)
    if q.type is QuestionType.MATCHING:
        subs = element.findall("subquestion")
        assert layout is not None
        assert [(text_of(s, "."), text_of(s, "answer")) for s in subs] == [
            (plain_html(p.prompt), a) for p, a in zip(q.pairs, layout.answers, strict=True)
        ] + [("", d) for d in layout.distractors]
        assert all(len(text_of(s, "answer")) <= 255 for s in subs)
    if q.type is QuestionType.SHORT_ANSWER:
        assert element.findtext("usecase") == ("1" if q.case_sensitive else "0")
        assert [text_of(a, ".") for a in answers] == [a.text for a in q.answers]
        assert {a.get("fraction") for a in answers} == {"100"}
        assert [text_of(a, "feedback") for a in answers] == [html_text(a.feedback) for a in q.answers]
    if q.type is QuestionType.ESSAY:
        assert element.findtext("responseformat") == "editor"
        assert text_of(element, "graderinfo") == rubric_html(q)
        assert all(c.text in rubric_html(q) for c in q.rubric)
    if q.type is QuestionType.ORDERING:
        assert [text_of(a, ".") for a in answers] == [plain_html(step.text) for step in q.steps]
        assert element.findtext("gradingtype") == "ALL_OR_NOTHING"
    if q.type is QuestionType.NUMERICAL:
        assert q.numeric is not None
        values = [(text_of(a, "."), a.get("fraction"), a.findtext("tolerance")) for a in answers]
        assert values[0] == (number(q.numeric.value), "100", number(q.numeric.tolerance))
        assert values[1:] == [(number(w.value), "0", "0") for w in q.wrong_values]
        assert element.findtext("units/unit/unit_name") == q.numeric.unit
    assert text_of(element, "generalfeedback") == html_text(q.feedback)


def test_every_question_type_reads_back_as_the_quiz_model(special: Path, tmp_path: Path) -> None:
    build_to(special, tmp_path, "moodlexml")
    root = parse_xml(tmp_path / "mini" / "mini-moodle.xml")
    course = load_course(special)
    quizzes = build_quizzes(course).quizzes
    by_name = questions_by_name(root)
    model = [q for quiz in quizzes.values() for q in quiz.bank]
    assert sorted(by_name) == sorted(q.id for q in model)
    for q in model:
        check_question(by_name[q.id], q)
    assert {q.type for q in model} == set(QuestionType), "the fixture must cover every question type"


def test_categories_one_per_module_below_the_course(special: Path, tmp_path: Path) -> None:
    build_to(special, tmp_path, "moodlexml")
    root = parse_xml(tmp_path / "mini" / "mini-moodle.xml")
    course = load_course(special)
    quizzes = build_quizzes(course).quizzes
    current, placed = None, {}
    categories = []
    for element in root.iter("question"):
        if element.get("type") == "category":
            current = text_of(element, "category")
            categories.append((current, element.findtext("idnumber")))
        else:
            placed[text_of(element, "name")] = current
    top = "top/Mini Course for Tests"
    assert categories == [(top, "mini")] + [(f"{top}/{m.title}", f"mini.{m.id}") for m in course.modules]
    for module in course.modules:
        for q in quizzes[module.id].bank:
            assert placed[q.id] == f"{top}/{module.title}"


def test_untrusted_text_stays_text(special: Path, tmp_path: Path) -> None:
    build_to(special, tmp_path, "moodlexml")
    root = parse_xml(tmp_path / "mini" / "mini-moodle.xml")
    stem = text_of(questions_by_name(root)["alpha.plan-review"], "questiontext")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in stem and "<script" not in stem
    assert "a~b = c#d {e} f:g h\\i -&gt; %50% [html] // k" in stem, "reserved characters arrive unchanged"
    prompt = text_of(questions_by_name(root)["beta.moderate-match"].find("subquestion[2]"), ".")
    assert prompt == "Nobody knows the rules &lt;b&gt;"


@pytest.mark.parametrize(
    ("weight", "written"),
    [
        (Fraction(1), "100"),
        (Fraction(0), "0"),
        (Fraction(1, 3), "33.33333"),
        (Fraction(-1, 3), "-33.33333"),
        (Fraction(1, 6), "16.66667"),
        (Fraction(1, 7), "14.28571"),
        (Fraction(1, 9), "11.11111"),
        (Fraction(2, 3), "66.66667"),
        (Fraction(5, 6), "83.33333"),
        (Fraction(1, 8), "12.5"),
        (Fraction(1, 20), "5"),
        (Fraction(-1, 2), "-50"),
    ],
)
def test_grades_are_written_as_moodle_writes_them(weight: Fraction, written: str) -> None:
    assert percent(weight) == written
    assert moodle_grade(written) == pytest.approx(float(weight), abs=1e-7)


def test_a_weight_outside_moodles_grade_list_fails() -> None:
    with pytest.raises(BuildError, match="not a grade Moodle accepts"):
        percent(Fraction(1, 11))


def question(kind: QuestionType, **fields: Any) -> Question:
    fields.setdefault("competency_ids", ())
    return Question(id="q1", type=kind, stem="Stem", generator="test", pos=Pos(Path("x.yaml")), **fields)


ONE, ZERO = Fraction(1), Fraction(0)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            question(QuestionType.MULTIPLE_CHOICE, options=(Option("a", "A", ONE),)),
            "at least 2 options",
        ),
        (question(QuestionType.MATCHING, pairs=(Pair("a", "A", "B"),)), "at least 2 pairs"),
        (question(QuestionType.MATCHING, pairs=(Pair("a", "A", "B"), Pair("b", "C", " "))), "each with"),
        (question(QuestionType.SHORT_ANSWER, answers=(AcceptedAnswer(" "),)), "100% answer"),
        (
            question(QuestionType.TRUE_FALSE, options=(Option("yes", "Yes", ONE), Option("no", "No", ZERO))),
            "'true' and 'false'",
        ),
        (
            question(QuestionType.MULTIPLE_RESPONSE, options=(Option("a", "A", Fraction(1, 11)),) * 2),
            "not a Moodle grade",
        ),
    ],
)
def test_questions_moodle_would_reject_fail_the_build(broken: Question, message: str) -> None:
    with pytest.raises(BuildError, match=message):
        moodlexml.check_question("x-moodle.xml", broken)


@pytest.fixture(scope="module")
def osee_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    build_to(OSEE, out, "moodlexml")
    return out / "osee" / "osee-moodle.xml"


def test_osee_bank_holds_every_quiz_question(osee_bank: Path) -> None:
    root = parse_xml(osee_bank)
    quizzes = build_quizzes(load_course(OSEE)).quizzes
    model = {q.id: q for quiz in quizzes.values() for q in quiz.bank}
    by_name = questions_by_name(root)
    assert by_name.keys() == model.keys()
    for name, element in by_name.items():
        check_question(element, model[name])
    types = Counter(element.get("type") for element in by_name.values())
    assert types == Counter(moodlexml._MOODLE_TYPE[q.type] for q in model.values())
    categories = [q for q in root.iter("question") if q.get("type") == "category"]
    assert len(categories) == 1 + len(quizzes)


def test_build_is_deterministic(osee_bank: Path, tmp_path: Path) -> None:
    build_to(OSEE, tmp_path, "moodlexml")
    assert (tmp_path / "osee" / "osee-moodle.xml").read_bytes() == osee_bank.read_bytes()
