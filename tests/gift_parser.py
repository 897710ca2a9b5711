"""A GIFT reader that follows Moodle's importer (question/format/gift/format.php) step by step.

Only the tests use it: they read the builder's GIFT back the way Moodle would, so a text that
Moodle would split, retype or decode differently shows up as a difference. Kept deliberately
literal, PHP quirks included (``trim``'s character set, ``empty("0")``, the order in which escapes
are replaced by stand-in tokens, as Moodle does), because those quirks are what a real import runs into.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Moodle's FORMAT_* names as GIFT writes them in [brackets].
FORMATS = ("moodle", "html", "plain", "markdown")
_WEIGHT = re.compile(r"^%\-*([0-9]{1,2})\.?([0-9]*)%")
_STAND_INS = {
    "\\:": "&&058;",
    "\\#": "&&035;",
    "\\=": "&&061;",
    "\\{": "&&123;",
    "\\}": "&&125;",
    "\\~": "&&126;",
    "\\n": "&&010",
}
_DECODED = {token: escaped[1] for escaped, token in _STAND_INS.items()} | {"&&010": "\n"}


class GiftError(ValueError):
    """What Moodle reports as an import error for one question (the import stops on it)."""


@dataclass(frozen=True)
class Text:
    text: str
    format: str  # one of FORMATS


@dataclass
class GiftAnswer:
    text: Text
    fraction: float
    feedback: Text


@dataclass
class GiftQuestion:
    qtype: str  # category, description, essay, multichoice, match, truefalse, shortanswer, numerical
    name: str | None = None  # None: Moodle makes one from the question text
    text: Text = Text("", "moodle")
    general_feedback: Text = Text("", "moodle")
    category: str | None = None
    single: bool | None = None  # multichoice
    answers: list[GiftAnswer] = field(default_factory=list)  # multichoice, shortanswer (numerical: not read)
    subquestions: list[tuple[Text, str]] = field(default_factory=list)  # match: (prompt, answer)
    correct: bool | None = None  # truefalse
    feedback_true: Text | None = None
    feedback_false: Text | None = None


def php_trim(text: str) -> str:
    return text.strip(" \t\n\r\0\x0b")


def php_empty(text: str) -> bool:
    return text in ("", "0")


def escapedchar_pre(text: str) -> str:
    text = text.replace("\\\\", "&&092;")
    for escaped, token in _STAND_INS.items():
        text = text.replace(escaped, token)
    return text.replace("&&092;", "\\")


def escapedchar_post(text: str) -> str:
    for token, char in _DECODED.items():
        text = text.replace(token, char)
    return text


def parse_text_with_format(text: str, default: str = "moodle") -> Text:
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        name = text[1:end] if end >= 0 else text[1:-1]
        if name in FORMATS:
            fmt = name
            text = text[end + 1 :]
    return Text(php_trim(escapedchar_post(text)), fmt)


def _comment(answer: str, default: str) -> tuple[Text, Text]:
    bits = answer.split("#", 1)
    feedback = parse_text_with_format(php_trim(bits[1]), default) if len(bits) > 1 else Text("", default)
    return parse_text_with_format(php_trim(bits[0]), default), feedback


def _weight(answer: str) -> tuple[float, str]:
    answer = answer[1:]
    end = answer.find("%")
    return float(answer[:end]) / 100, answer[end + 1 :]


def _split(answertext: str, separator: str) -> list[str]:
    answers = answertext.split(separator)
    answers[0] = php_trim(answers[0])
    if php_empty(answers[0]):
        answers.pop(0)
    return answers


def _question_type(answertext: str, description: bool) -> str:
    if description:
        return "description"
    if answertext == "":
        return "essay"
    if answertext[0] == "#":
        return "numerical"
    if "~" in answertext:
        return "multichoice"
    if "=" in answertext and "->" in answertext:
        return "match"
    check = answertext
    if answertext.find("#") > 0:
        check = php_trim(answertext[: answertext.find("#")])
    return "truefalse" if check in ("T", "TRUE", "F", "FALSE") else "shortanswer"


def read_question(lines: list[str]) -> GiftQuestion | None:
    """One question from its lines (qformat_gift::readquestion); None for a block of comments."""
    lines = [" " if php_trim(line).startswith("//") else php_trim(line) for line in lines]
    text = php_trim("\n".join(lines))
    if text == "":
        return None
    text = escapedchar_pre(text)
    if text.startswith("$CATEGORY:"):
        return GiftQuestion("category", category=php_trim(text[10:]))

    name = None
    if text.startswith("::"):
        text = text[2:]
        end = text.find("::")
        if end >= 0:
            name = php_trim(escapedchar_post(text[:end]))
            text = php_trim(text[end + 2 :])

    start, finish = text.find("{"), text.find("}")
    description = start < 0 and finish < 0
    if description:
        answertext, questiontext = "", text
    elif start < 0 or finish < 0:
        raise GiftError("braceerror: could not find a {...} answer block")
    elif finish < start:  # Moodle goes on with a garbled text here; nothing correct can come of it
        raise GiftError("braceerror: '}' comes before '{'")
    else:
        answertext = php_trim(text[start + 1 : finish])
        # The answer block is cut out; a block that does not end the text leaves a blank in it.
        filler = "" if text.endswith("}") else "_____"
        questiontext = text[:start] + filler + text[finish + 1 :]

    general = ""
    separator = answertext.rfind("####")
    if separator >= 0:
        general = answertext[separator + 4 :]
        answertext = php_trim(answertext[:separator])

    question_text = parse_text_with_format(questiontext)
    fmt = question_text.format
    question = GiftQuestion(
        _question_type(answertext, description),
        name=name,
        text=question_text,
        general_feedback=parse_text_with_format(general, fmt),
    )
    if question.qtype == "multichoice":
        question.single = "=" in answertext
        answers = _split(answertext.replace("=", "~="), "~")
        if len(answers) < 2:
            raise GiftError("importminerror: a multichoice question needs at least 2 answers")
        for answer in answers:
            answer = php_trim(answer)
            if answer.startswith("="):
                weight, answer = 1.0, answer[1:]
            elif _WEIGHT.match(answer):
                weight, answer = _weight(answer)
            else:
                weight = 0.0
            text_, feedback = _comment(answer, fmt)
            question.answers.append(GiftAnswer(text_, weight, feedback))
    elif question.qtype == "match":
        answers = _split(answertext, "=")
        if len(answers) < 2:
            raise GiftError("importminerror: a matching question needs at least 2 pairs")
        for answer in answers:
            answer = php_trim(answer)
            marker = answer.find("->")
            if marker < 0:
                raise GiftError(f"giftmatchingformat: no '->' in {answer!r}")
            prompt = parse_text_with_format(answer[:marker], fmt)
            question.subquestions.append((prompt, php_trim(escapedchar_post(answer[marker + 2 :]))))
    elif question.qtype == "truefalse":
        bits = answertext.split("#", 2)
        answer = parse_text_with_format(php_trim(bits[0]), fmt)
        wrong = parse_text_with_format(php_trim(bits[1]), fmt) if len(bits) > 1 else Text("", fmt)
        right = parse_text_with_format(php_trim(bits[2]), fmt) if len(bits) > 2 else Text("", fmt)
        question.correct = answer.text in ("T", "TRUE")
        chosen = (right, wrong) if question.correct else (wrong, right)
        question.feedback_true, question.feedback_false = chosen
    elif question.qtype == "shortanswer":
        answers = _split(answertext, "=")
        if not answers:
            raise GiftError("importminerror: no answer")
        for answer in answers:
            answer = php_trim(answer)
            weight = 1.0
            if _WEIGHT.match(answer):
                weight, answer = _weight(answer)
            text_, feedback = _comment(answer, fmt)
            question.answers.append(GiftAnswer(text_, weight, feedback))
    return question


def parse(content: str) -> list[GiftQuestion]:
    """Every question (and category switch) of a GIFT file, split on blank lines as Moodle does."""
    if content.startswith("\ufeff"):
        content = content[1:]
    questions: list[GiftQuestion] = []
    block: list[str] = []
    for line in [*content.split("\n"), ""]:
        if php_empty(php_trim(line)):
            if block and (question := read_question(block)):
                questions.append(question)
            block = []
        else:
            block.append(line)
    return questions
