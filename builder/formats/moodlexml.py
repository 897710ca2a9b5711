"""The ``moodlexml`` format: every module quiz as a Moodle XML question bank, plus what GIFT shares.

One question category per module below a category for the course; each question keeps its quiz
model id as name and idnumber, and carries one tag per competency it checks. Texts are our Markdown
rendered to HTML (format "html"), as Moodle's own editor stores them, so Moodle shows exactly what
the web site shows. The element order follows what Moodle's exporter writes
(question/format/xml/format.php).

Moodle rejects some questions only when it imports them (lms-import-facts.md: a grade outside its
list stops the whole import; multichoice needs two answers, shortanswer a 100% answer, matching two
pairs with answers). ``check_question`` refuses such questions at build time instead.
"""

from __future__ import annotations

import html
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path

import lxml.html
from lxml import etree
from lxml.html import builder as html_builder

from builder import markdown
from builder import moodle_limits as limits
from builder.errors import BuildError
from builder.i18n import ntr
from builder.model import Course, Module
from builder.package import atomic_file
from builder.quiz import Question, QuestionType, build_quizzes
from builder.quiz.model import CHOICE_TYPES, is_grade

NAME = "moodlexml"

PENALTY = "0.3333333"  # Moodle's default penalty for each wrong try


def output_path(course: Course, out_dir: Path) -> Path:
    return out_dir / f"{course.id}-moodle.xml"


# --- helpers the GIFT writer shares ------------------------------------------------------------


def percent(weight: Fraction) -> str:
    """A weight as Moodle writes a grade: the fraction kept to 7 decimals, in percent, no trailing zeros.

    Moodle stores 1/3 as 0.3333333 and exports it as 33.33333; only such exact values match its
    grade list on import.
    """
    if not is_grade(weight):
        raise BuildError(f"{weight} is not a grade Moodle accepts")
    fraction = (Decimal(weight.numerator) / Decimal(weight.denominator)).quantize(
        Decimal("0.0000001"), rounding=ROUND_HALF_UP
    )
    return format((fraction * 100).normalize(), "f")


def html_text(text: str | None) -> str:
    """HTML of a Markdown text, rendered by the builder's own (safe) Markdown renderer."""
    return markdown.render_detached(text, top_heading=3) if text else ""


def inline_html(text: str) -> str:
    """HTML of a short Markdown text such as an option: a single paragraph loses its <p> wrapper."""
    return markdown.render_detached_inline(text)


def plain_html(text: str) -> str:
    """HTML showing a plain text as it is (matching prompts are plain in the quiz model)."""
    return html.escape(text, quote=False)


def number(value: Decimal) -> str:
    """A decimal as Moodle reads a number: plain notation, no exponent."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def rubric_html(question: Question, lang: str = "en") -> str:
    """An essay's rubric for graders: each criterion with its points, in the course language."""
    if not question.rubric:
        return ""
    e = html_builder
    total = sum(c.points for c in question.rubric)
    points = ntr  # "%(num)s point(s)" in the course language
    listing = e.UL(
        *(
            e.LI(f"{c.text} ({points(lang, '%(num)s point', '%(num)s points', c.points)})")
            for c in question.rubric
        )
    )
    parts = (e.P(ntr(lang, "Rubric (%(num)s point):", "Rubric (%(num)s points):", total)), listing)
    return "".join(lxml.html.tostring(part, encoding="unicode") for part in parts)


def category_path(*names: str) -> str:
    """A Moodle question category path below "top"; a "/" inside a name is written "//"."""
    parts = ["top"]
    for name in names:
        escaped = name.replace("/", "//")
        # Moodle pads a name that starts or ends with "/" so the doubled slash is not read as a separator.
        escaped = (" " if escaped.startswith("/") else "") + escaped + (" " if escaped.endswith("/") else "")
        parts.append(escaped)
    return "/".join(parts)


def course_category(course: Course) -> str:
    return category_path(limits.fit_name("question_categories.name", course.title))


def module_category(course: Course, module: Module) -> str:
    return category_path(
        limits.fit_name("question_categories.name", course.title),
        limits.fit_name("question_categories.name", module.title),
    )


def module_category_idnumber(course: Course, module: Module) -> str:
    """Question category idnumbers are unique per question bank: the course id keeps courses apart."""
    return limits.category_idnumber(course.id, module.id)


def check_question(file_name: str, question: Question) -> None:
    """Refuse a question Moodle's importer would reject, or accept but not save (BuildError)."""

    def fail(message: str) -> None:
        raise BuildError(f"{file_name}: question '{question.id}' {message}")

    for option in question.options:
        if not is_grade(option.weight):
            fail(f"has option '{option.id}' weighted {option.weight}, not a Moodle grade")
    if question.type in CHOICE_TYPES and len(question.options) < 2:
        fail("needs at least 2 options: Moodle cannot save a multichoice with fewer")
    if question.type is QuestionType.TRUE_FALSE and sorted(o.id for o in question.options) != [
        "false",
        "true",
    ]:
        fail("needs exactly the options 'true' and 'false'")
    if question.type is QuestionType.MATCHING and (
        len(question.pairs) < 2 or any(not p.prompt.strip() or not p.answer.strip() for p in question.pairs)
    ):
        fail("needs at least 2 pairs, each with a prompt and an answer")
    if question.type is QuestionType.ORDERING and len(question.steps) < 2:
        fail("needs at least 2 steps to put in order")
    if question.type is QuestionType.NUMERICAL and question.numeric is None:
        fail("needs a numeric answer")
    if question.type is QuestionType.SHORT_ANSWER and not any(a.text.strip() for a in question.answers):
        fail("needs an accepted answer: Moodle cannot save a shortanswer without a 100% answer")
    if question.type is QuestionType.MATCHING and len(
        {p.answer for p in question.pairs} | set(question.distractors)
    ) > len(limits.MATCH_LETTERS):
        fail("has more answers over 255 characters than letters A-Z; shorten its answers")


# --- Moodle XML -----------------------------------------------------------------------------------


def _text(parent: etree._Element, tag: str, content: str, fmt: str | None = None) -> etree._Element:
    """``<tag format=...><text>content</text></tag>``; markup goes in CDATA, as Moodle writes it."""
    element = etree.SubElement(parent, tag, {"format": fmt} if fmt else {})
    etree.SubElement(element, "text").text = (
        etree.CDATA(content)
        if content and "]]>" not in content and content != html.escape(content)
        else content
    )
    return element


def _value(parent: etree._Element, tag: str, value: str) -> None:
    etree.SubElement(parent, tag).text = value


def _answer(parent: etree._Element, weight: Fraction, text: str, fmt: str, feedback: str | None) -> None:
    answer = _text(parent, "answer", text, fmt)
    answer.set("fraction", percent(weight))
    _text(answer, "feedback", html_text(feedback), "html")


def _combined_feedback(question: etree._Element) -> None:
    for field in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        _text(question, field, "", "html")


_MOODLE_TYPE = {
    QuestionType.MULTIPLE_CHOICE: "multichoice",
    QuestionType.MULTIPLE_RESPONSE: "multichoice",
    QuestionType.TRUE_FALSE: "truefalse",
    QuestionType.MATCHING: "matching",
    QuestionType.SHORT_ANSWER: "shortanswer",
    QuestionType.ESSAY: "essay",
    QuestionType.ORDERING: "ordering",
    QuestionType.NUMERICAL: "numerical",
}
# Ordering: the whole order must be right for the marks, as in the SCORM quiz; items listed vertically.
ORDERING_OPTIONS = (
    ("layouttype", "VERTICAL"),
    ("selecttype", "ALL"),
    ("selectcount", "0"),
    ("gradingtype", "ALL_OR_NOTHING"),
    ("showgrading", "SHOW"),
    ("numberingstyle", "none"),
)


def _category(root: etree._Element, path: str, info: str, idnumber: str) -> None:
    element = etree.SubElement(root, "question", type="category")
    _text(element, "category", path)
    _text(element, "info", info, "html")
    _value(element, "idnumber", idnumber)


def _question(root: etree._Element, q: Question, lang: str) -> None:
    element = etree.SubElement(root, "question", type=_MOODLE_TYPE[q.type])
    _text(element, "name", limits.question_name(q))
    layout = limits.matching_layout(q) if q.type is QuestionType.MATCHING else None
    _text(element, "questiontext", html_text(q.stem) + (layout.extra_html if layout else ""), "html")
    _text(element, "generalfeedback", html_text(q.feedback), "html")
    _value(element, "defaultgrade", str(q.points))
    _value(element, "penalty", "1" if q.type is QuestionType.TRUE_FALSE else PENALTY)
    _value(element, "hidden", "0")
    _value(element, "idnumber", limits.question_idnumber(q))
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        _value(element, "single", "true" if q.type is QuestionType.MULTIPLE_CHOICE else "false")
        _value(element, "shuffleanswers", "true")
        _value(element, "answernumbering", "abc")
        _value(element, "showstandardinstruction", "1")
        _combined_feedback(element)
        for option in q.options:
            _answer(element, option.weight, inline_html(option.text), "html", option.feedback)
    elif q.type is QuestionType.TRUE_FALSE:
        for option in sorted(q.options, key=lambda o: o.id != "true"):
            # Moodle matches the answer texts "true" and "false" literally.
            _answer(element, option.weight, option.id, "moodle_auto_format", option.feedback)
    elif layout is not None:
        _value(element, "shuffleanswers", "true")
        _combined_feedback(element)
        for pair, answer in zip(q.pairs, layout.answers, strict=True):
            sub = _text(element, "subquestion", plain_html(pair.prompt), "html")
            _text(sub, "answer", answer)
        for distractor in layout.distractors:  # an answer that matches no prompt
            _text(_text(element, "subquestion", "", "html"), "answer", distractor)
    elif q.type is QuestionType.SHORT_ANSWER:
        _value(element, "usecase", "1" if q.case_sensitive else "0")
        for accepted in q.answers:
            _answer(element, Fraction(1), accepted.text, "moodle_auto_format", accepted.feedback)
    elif q.type is QuestionType.ESSAY:
        _value(element, "responseformat", "editor")
        _value(element, "responserequired", "1")
        _value(element, "responsefieldlines", "15")
        _value(element, "attachments", "0")
        _value(element, "attachmentsrequired", "0")
        _text(element, "graderinfo", rubric_html(q, lang), "html")
        _text(element, "responsetemplate", html_text(q.response_template), "html")
    elif q.type is QuestionType.ORDERING:
        for tag, value in ORDERING_OPTIONS:
            _value(element, tag, value)
        _combined_feedback(element)
        # Present (empty) as Moodle's exporter writes it; without it the importer adds hints that
        # PostgreSQL refuses (question_hints.hintformat NULL).
        _value(element, "shownumcorrect", "")
        for step in q.steps:  # in their right order
            _answer(element, Fraction(1), plain_html(step.text), "html", None)
    elif q.type is QuestionType.NUMERICAL:
        assert q.numeric is not None
        right = _text(element, "answer", number(q.numeric.value))
        right.set("fraction", "100")
        _text(right, "feedback", "", "html")
        _value(right, "tolerance", number(q.numeric.tolerance))
        for wrong in q.wrong_values:
            answer = _text(element, "answer", number(wrong.value))
            answer.set("fraction", "0")
            _text(answer, "feedback", html_text(wrong.feedback), "html")
            _value(answer, "tolerance", "0")
        if q.numeric.unit:
            unit = etree.SubElement(etree.SubElement(element, "units"), "unit")
            _value(unit, "multiplier", "1")
            _value(unit, "unit_name", limits.unit_name(q.numeric.unit))
        # Units optional and not graded: "12500" and "12500 EUR" both count.
        _value(element, "unitgradingtype", "0")
        _value(element, "unitpenalty", "0.1000000")
        _value(element, "showunits", "0" if q.numeric.unit else "3")
        _value(element, "unitsleft", "0")
    if q.competency_ids:
        tags = etree.SubElement(element, "tags")
        for competency in q.competency_ids:
            _text(tags, "tag", limits.tag_name(competency))


def question_bank(course: Course, file_name: str) -> etree._Element:
    """The ``<quiz>`` document: course category, then per module its category and its questions."""
    quizzes = build_quizzes(course).quizzes
    root = etree.Element("quiz")
    _category(root, course_category(course), html_text(course.description), course.id)
    for module in course.modules:
        quiz = quizzes[module.id]
        _category(
            root,
            module_category(course, module),
            html_text(module.summary),
            module_category_idnumber(course, module),
        )
        for question in quiz.bank:
            check_question(file_name, question)
            _question(root, question, course.language)
    return root


def build(course: Course, out_dir: Path) -> list[Path]:
    target = output_path(course, out_dir)
    document = question_bank(course, target.name)
    data = etree.tostring(document, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    with atomic_file(target) as tmp:
        tmp.write_bytes(data)
    return [target]
