"""The gift format, read back with tests/gift_parser.py, which first has to pass Moodle's GIFT rules."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from builder.errors import BuildError
from builder.formats import gift
from builder.formats.moodlexml import html_text, inline_html, module_category, plain_html, rubric_html
from builder.load import load_course
from builder.moodle_limits import matching_layout
from builder.quiz import Question, QuestionType, build_quizzes
from tests.conftest import OSEE
from tests.gift_parser import GiftError, GiftQuestion, Text, parse, read_question
from tests.test_moodlexml import add_special_quiz, build_to, moodle_grade, special  # noqa: F401

# --- the parser against GIFT's rules (Moodle docs, lms-import-facts.md) ----------------------------


def one(text: str) -> GiftQuestion:
    questions = parse(text)
    assert len(questions) == 1
    return questions[0]


def test_multiple_choice_and_missing_word() -> None:
    q = one("Who's buried in Grant's tomb?{~Grant ~Jefferson =no one}")
    assert (q.qtype, q.single, q.text.text) == ("multichoice", True, "Who's buried in Grant's tomb?")
    assert [(a.text.text, a.fraction) for a in q.answers] == [("Grant", 0), ("Jefferson", 0), ("no one", 1)]
    missing = one("Grant is {~buried =entombed ~living} in Grant's tomb.")
    assert missing.text.text == "Grant is _____ in Grant's tomb."


def test_weights_without_equals_make_a_multiple_answer_question() -> None:
    q = one("Pick two{~%50%A#good ~%50%B ~%-100%C#bad}")
    assert q.single is False
    assert [(a.text.text, a.fraction, a.feedback.text) for a in q.answers] == [
        ("A", 0.5, "good"),
        ("B", 0.5, ""),
        ("C", -1.0, "bad"),
    ]


def test_type_is_guessed_from_the_answer_block() -> None:
    assert one("Yes or no?{=Yes}").qtype == "shortanswer"  # not true/false
    assert one("Grant is buried in Grant's tomb.{FALSE}").correct is False
    assert one("Sky is blue{T#wrong#right}").feedback_true == Text("right", "moodle")
    assert one("Write{}").qtype == "essay"
    assert one("Just text").qtype == "description"
    pairs = one("Capitals{=Canada->Ottawa =Italy->Rome =Japan->Tokyo}").subquestions
    assert [(p.text, a) for p, a in pairs] == [("Canada", "Ottawa"), ("Italy", "Rome"), ("Japan", "Tokyo")]


def test_too_few_answers_are_import_errors() -> None:
    with pytest.raises(GiftError, match="2 answers"):
        one("One?{~only}")
    with pytest.raises(GiftError, match="2 pairs"):
        one("One pair{=a->b}")
    with pytest.raises(GiftError, match="braceerror"):
        one("Open {brace only")


def test_an_unescaped_brace_moves_the_answer_block() -> None:
    moved = one("Use {braces} here{=x}")
    assert (moved.qtype, moved.answers[0].text.text) == ("shortanswer", "braces")
    kept = one("Use \\{braces\\} here{=x}")
    assert (kept.text.text, kept.answers[0].text.text) == ("Use {braces} here", "x")


def test_only_moodles_escapes_are_decoded() -> None:
    q = one("::N\\:1::A \\~ \\= \\# \\{ \\} \\: \\\\ \\n \\t \\a{=x}")
    assert q.name == "N:1"
    assert q.text.text == "A ~ = # { } : \\ \n \\t \\a"


def test_names_formats_comments_categories_and_general_feedback() -> None:
    questions = parse(
        "// a comment\n$CATEGORY: top/Course/Module\n\n"
        "// comment inside\n::Q1::[html]<p>Stem</p>{\n\t=[html]<b>A</b>#[html]<i>fb</i>\n"
        "\t~B\n\t####[html]<p>gf</p>\n}\n\n"
        # PHP's empty("0") is true: a line holding only 0 separates questions like a blank one.
        "0\n::Q2::[markdown]*x*{TRUE}"
    )
    category, first, second = questions
    assert category.category == "top/Course/Module"
    assert (first.name, first.text) == ("Q1", Text("<p>Stem</p>", "html"))
    assert first.answers[0].text == Text("<b>A</b>", "html") and first.answers[1].text == Text("B", "html")
    assert first.answers[0].feedback == Text("<i>fb</i>", "html")
    assert first.general_feedback == Text("<p>gf</p>", "html")
    assert (second.name, second.text, second.qtype) == ("Q2", Text("*x*", "markdown"), "truefalse")
    assert read_question(["// only a comment"]) is None


# --- the builder's GIFT, read back ----------------------------------------------------------------


def check_question(parsed: GiftQuestion, q: Question) -> None:
    """Compare a question Moodle would import with the quiz model it came from."""
    html = "html"
    assert parsed.name == q.id
    layout = matching_layout(q) if q.type is QuestionType.MATCHING else None
    assert parsed.text.format == html
    assert parsed.text.text.startswith(html_text(q.stem) + (layout.extra_html if layout else ""))
    if q.type is QuestionType.ESSAY:
        assert parsed.qtype == "essay"
        assert parsed.general_feedback == Text(html_text(q.feedback) + rubric_html(q), html)
        return
    assert parsed.general_feedback.text == html_text(q.feedback)
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        assert parsed.qtype == "multichoice"
        assert parsed.single is (q.type is QuestionType.MULTIPLE_CHOICE)
        assert len(parsed.answers) == len(q.options)
        for answer, option in zip(parsed.answers, q.options, strict=True):
            assert answer.text == Text(inline_html(option.text), html)
            assert moodle_grade(str(answer.fraction * 100)) == pytest.approx(float(option.weight), abs=1e-7)
            assert answer.feedback.text == html_text(option.feedback)
    elif q.type is QuestionType.TRUE_FALSE:
        options = {o.id: o for o in q.options}
        assert parsed.qtype == "truefalse"
        assert parsed.correct is options["true"].correct
        assert parsed.feedback_true.text == html_text(options["true"].feedback)
        assert parsed.feedback_false.text == html_text(options["false"].feedback)
    elif q.type is QuestionType.MATCHING:
        assert parsed.qtype == "match"
        assert layout is not None
        assert [(p.text, a) for p, a in parsed.subquestions] == [
            (plain_html(p.prompt), a) for p, a in zip(q.pairs, layout.answers, strict=True)
        ] + [("", d) for d in layout.distractors]
        assert all(len(a) <= 255 for _, a in parsed.subquestions)
    elif q.type is QuestionType.ORDERING:  # GIFT has no ordering: each step matched to its position
        assert parsed.qtype == "match"
        assert [(p.text, a) for p, a in parsed.subquestions] == [
            (plain_html(step.text), str(n)) for n, step in enumerate(q.steps, start=1)
        ]
        assert "its position in the order" in parsed.text.text
    elif q.type is QuestionType.NUMERICAL:
        assert parsed.qtype == "numerical" and q.numeric is not None
        assert not q.numeric.unit or f"Answer in {q.numeric.unit}" in parsed.text.text
    elif q.type is QuestionType.SHORT_ANSWER:
        assert parsed.qtype == "shortanswer"
        assert [(a.text.text, a.fraction) for a in parsed.answers] == [(a.text, 1.0) for a in q.answers]
        assert [a.feedback.text for a in parsed.answers] == [html_text(a.feedback) for a in q.answers]


def read_back(course_dir: Path, out: Path) -> tuple[list[GiftQuestion], str]:
    build_to(course_dir, out, "gift")
    content = (out / course_dir.name / f"{course_dir.name}-gift.txt").read_text(encoding="utf-8")
    return parse(content), content


def test_special_characters_round_trip(special: Path, tmp_path: Path) -> None:  # noqa: F811
    parsed, content = read_back(special, tmp_path)
    course = load_course(special)
    quizzes = build_quizzes(course).quizzes
    category = None
    seen: dict[str, tuple[GiftQuestion, str | None]] = {}
    for q in parsed:
        if q.qtype == "category":
            category = q.category
        else:
            seen[q.name or ""] = (q, category)
    for module in course.modules:
        for q in quizzes[module.id].bank:
            parsed_q, placed = seen.pop(q.id)
            check_question(parsed_q, q)
            assert placed == module_category(course, module)
    assert not seen
    assert {q.type for quiz in quizzes.values() for q in quiz.bank} == set(QuestionType)
    assert "\n\n\n" not in content and "\r" not in content


def test_an_arrow_in_a_short_answer_fails_the_build(special: Path, tmp_path: Path) -> None:  # noqa: F811
    module = special / "modules" / "beta" / "assessment.yaml"
    module.write_text(
        module.read_text(encoding="utf-8").replace("text: conduct code", "text: conduct->code"),
        encoding="utf-8",
    )
    with pytest.raises(BuildError, match="matching pair"):
        gift.gift_document(load_course(special), "mini-gift.txt")


ALPHABET = st.sampled_from(list("~=#{}:\\->%[]/ab \n\tT"))


@given(
    stem=st.text(ALPHABET, max_size=30),
    right=st.text(ALPHABET, min_size=1, max_size=20),
    wrong=st.text(ALPHABET, min_size=1, max_size=20),
    feedback=st.text(ALPHABET, max_size=20),
)
def test_escaping_survives_any_mix_of_reserved_characters(
    stem: str, right: str, wrong: str, feedback: str
) -> None:
    text = (
        f"::q::[html]{gift.escape(stem)}{{\n\t=[html]{gift.escape(right)}#[html]{gift.escape(feedback)}"
        f"\n\t~[html]{gift.escape(wrong)}\n}}"
    )
    q = one(text)
    assert q.text.text == stem.strip(" \t\n")
    assert [a.text.text for a in q.answers] == [right.strip(" \t\n"), wrong.strip(" \t\n")]
    assert q.answers[0].feedback.text == feedback.strip(" \t\n")


@pytest.fixture(scope="module")
def osee_gift(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[GiftQuestion], str]:
    return read_back(OSEE, tmp_path_factory.mktemp("dist"))


def test_osee_gift_holds_every_quiz_question(osee_gift: tuple[list[GiftQuestion], str]) -> None:
    parsed, _ = osee_gift
    quizzes = build_quizzes(load_course(OSEE)).quizzes
    model = {q.id: q for quiz in quizzes.values() for q in quiz.bank}
    questions = {q.name: q for q in parsed if q.qtype != "category"}
    assert questions.keys() == model.keys()
    for name, q in questions.items():
        check_question(q, model[name])
    assert Counter(q.qtype for q in parsed)["category"] == len(quizzes)
