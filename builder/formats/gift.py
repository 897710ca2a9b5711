"""The ``gift`` format: the Moodle XML question bank's questions in GIFT, Moodle's plain-text format.

Moodle's GIFT importer (question/format/gift/format.php) guesses each question's type from its
answer block and takes the first "{" as the block's start, so every text is escaped the way Moodle's
own exporter does (``\\ # = ~ { } :`` and line breaks; only those escapes are decoded on import). Every
text carries an explicit ``[html]`` marker: a text starting with "[" would otherwise be read as a
format name. Categories switch with ``$CATEGORY:`` lines, one per module, below a course category.

What GIFT cannot say, and how it degrades (Moodle XML and the course backup keep all of it):

* ordering: GIFT has no ordering syntax, so an ordering question becomes a matching question that
  pairs each step with its position ("1" is first), graded the same way (every step in its place);
  the question text says so;
* essay: no grader information: the rubric follows the model answer in the general feedback;
* numerical: no units: the unit is named in the question text, the answer is the number alone;
* short answer: no case sensitivity: answers import case-insensitive.
"""

from __future__ import annotations

from pathlib import Path

from builder import moodle_limits as limits
from builder.errors import BuildError
from builder.formats.moodlexml import (
    check_question,
    html_text,
    inline_html,
    module_category,
    number,
    percent,
    plain_html,
    rubric_html,
)
from builder.model import Course
from builder.package import atomic_file
from builder.quiz import Question, QuestionType, build_quizzes

NAME = "gift"

_RESERVED = ("\\", "#", "=", "~", "{", "}", ":")


def output_path(course: Course, out_dir: Path) -> Path:
    return out_dir / f"{course.id}-gift.txt"


def escape(text: str) -> str:
    """Text as Moodle's GIFT exporter writes it: reserved characters and line breaks escaped."""
    for char in _RESERVED:  # the backslash first, so the escapes added later stay single
        text = text.replace(char, "\\" + char)
    return text.replace("\r", "").replace("\n", "\\n")


def _html(content: str) -> str:
    return "[html]" + escape(content)


def _feedback(text: str | None) -> str:
    return "#" + _html(html_text(text)) if text else ""


def _general_feedback(text: str | None) -> str:
    return "\t####" + _html(html_text(text)) + "\n" if text else ""


def _check_plain(file_name: str, question: Question, text: str) -> None:
    # "->" with "=" marks a matching question; escaping cannot hide it in an answer stored as plain text.
    if "->" in text:
        raise BuildError(
            f"{file_name}: question '{question.id}' has the answer {text!r}: GIFT would read '->' "
            "as a matching pair; remove '->' from the answer"
        )


def question_text(file_name: str, q: Question, lang: str = "en") -> str:
    """One question in GIFT: ``::name::[html]stem{answers}``, lines without blank ones in between."""
    layout = limits.matching_layout(q) if q.type is QuestionType.MATCHING else None
    stem = html_text(q.stem) + (layout.extra_html if layout else "")
    if q.type is QuestionType.ORDERING:
        stem += "<p>Match each step with its position in the order (1 is the first step).</p>"
    if q.type is QuestionType.NUMERICAL and q.numeric is not None and q.numeric.unit:
        stem += f"<p>Answer in {plain_html(limits.unit_name(q.numeric.unit))}, with the number only.</p>"
    head = f"::{escape(limits.question_name(q))}::{_html(stem)}"
    if q.type is QuestionType.ESSAY:
        general = html_text(q.feedback) + rubric_html(q, lang)
        return head + "{" + (f"####{_html(general)}" if general else "") + "}\n"
    if q.type is QuestionType.TRUE_FALSE:
        options = {o.id: o for o in q.options}
        right = options["true"] if options["true"].correct else options["false"]
        wrong = options["false"] if right is options["true"] else options["true"]
        answer = "TRUE" if right is options["true"] else "FALSE"
        # {TRUE#feedback when wrong#feedback when right}
        feedbacks = ""
        if wrong.feedback or right.feedback:
            feedbacks = _feedback(wrong.feedback) or "#"
            feedbacks += _feedback(right.feedback)
        general = _general_feedback(q.feedback).strip()
        return f"{head}{{{answer}{feedbacks}{general}}}\n"
    lines = [head + "{"]
    if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
        single = q.type is QuestionType.MULTIPLE_CHOICE
        for option in q.options:
            if single and option.weight == 1:
                marker = "="
            elif option.weight == 0:
                marker = "~"
            else:  # without any "=", Moodle makes the question multiple-answer
                marker = f"~%{percent(option.weight)}%"
            lines.append(f"\t{marker}{_html(inline_html(option.text))}{_feedback(option.feedback)}")
    elif layout is not None:
        for pair, answer in zip(q.pairs, layout.answers, strict=True):
            lines.append(f"\t={_html(plain_html(pair.prompt))} -> {escape(answer)}")
        for distractor in layout.distractors:  # an answer that matches no prompt
            lines.append(f"\t= -> {escape(distractor)}")
    elif q.type is QuestionType.ORDERING:
        for position, step in enumerate(q.steps, start=1):
            lines.append(f"\t={_html(plain_html(step.text))} -> {position}")
    elif q.type is QuestionType.NUMERICAL and q.numeric is not None:
        lines[0] = head + "{#"
        lines.append(f"\t=%100%{number(q.numeric.value)}:{number(q.numeric.tolerance)}#")
        for wrong in q.wrong_values:
            lines.append(f"\t=%0%{number(wrong.value)}:0{_feedback(wrong.feedback) or '#'}")
    elif q.type is QuestionType.SHORT_ANSWER:
        for accepted in q.answers:
            _check_plain(file_name, q, accepted.text)
            # An explicit weight, so an answer that starts with "%" is not read as one.
            lines.append(f"\t=%100%{escape(accepted.text)}{_feedback(accepted.feedback)}")
    lines.append(_general_feedback(q.feedback).rstrip("\n"))
    return "\n".join(line for line in lines if line) + "\n}\n"


def gift_document(course: Course, file_name: str) -> str:
    quizzes = build_quizzes(course).quizzes
    blocks = [f"// {course.title}: module quizzes for Moodle's question bank (GIFT format)"]
    for module in course.modules:
        blocks.append(f"$CATEGORY: {module_category(course, module)}")
        for question in quizzes[module.id].bank:
            check_question(file_name, question)
            blocks.append(question_text(file_name, question, course.language))
    # A blank line ends each question; a question never contains one (line breaks are escaped).
    return "\n\n".join(block.rstrip("\n") for block in blocks) + "\n"


def build(course: Course, out_dir: Path) -> list[Path]:
    target = output_path(course, out_dir)
    text = gift_document(course, target.name)
    with atomic_file(target) as tmp:
        tmp.write_bytes(text.encode("utf-8"))
    return [target]
