"""The parser-free path for one-line texts without Markdown gives exactly the parser's HTML."""

from __future__ import annotations

import random
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.load import load_course
from builder.markdown import _DETACHED, _PARSER, _plain_paragraph, plain_text, plain_text_of, render
from builder.quiz import build_quizzes
from tests.conftest import OSEE

# Letters, digits, spaces and every character that means something somewhere in CommonMark.
PIECES = [*"ab1 .)-+=>*_`[]<>&!#|~\\\"'\t\n\r\x00\u00a0\u2028é—:;/()", "ab", "12", "1.", "www.x.org"]
TRICKY = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


def _parsed(text: str) -> str:
    """The parser's HTML, bypassing render()'s plain path."""
    return _DETACHED.renderer.render(_DETACHED.parse(text), _DETACHED.options, {}).strip()


@settings(max_examples=3000, deadline=None)
@given(TRICKY)
def test_the_plain_path_agrees_with_the_parser(text: str) -> None:
    plain = _plain_paragraph(text)
    if plain is not None:
        assert plain == _parsed(text)
        assert render(text, lambda target, image: target) == _PARSER.renderer.render(
            _PARSER.parse(text), _PARSER.options, {}
        )


def test_plain_texts_take_the_plain_path() -> None:
    for text in (
        'Terms for ending the deal and handing over "data", code and know-how',
        "2020 was a year",
        "One line\nand the next",
        "First paragraph.\n\n\nSecond paragraph.",
    ):
        assert _plain_paragraph(text) == _parsed(text)
    for text in (
        "1. first",
        "- item",
        "*stress*",
        "a\n- b",
        "a  \nb",
        "a\n    b",
        " padded",
        "R&D",
        "[link](x.html)",
    ):
        assert _plain_paragraph(text) is None


def test_the_plain_path_agrees_on_random_and_course_texts() -> None:
    """Random strings over every ASCII punctuation mark, odd spaces and symbols, and every OSEE
    quiz text: where the plain path applies, HTML and plain text equal the parser's."""
    rng = random.Random(15)
    alphabet = string.ascii_letters + string.digits + string.punctuation + "    \t\n\r\xa0\u2028éß“’—€😀\x00"
    samples = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(4000)]
    samples += [
        "".join(rng.choice(string.ascii_letters + " .,?:;'%/-#+=\"") for _ in range(30)) for _ in range(2000)
    ]
    for quiz in build_quizzes(load_course(OSEE)).quizzes.values():
        for q in quiz.questions:
            samples += [q.stem, q.feedback or "", *(o.text for o in q.options)]
    plain = [text for text in samples if _plain_paragraph(text) is not None]
    assert 1000 < len(plain) < len(samples)
    for text in plain:
        assert _plain_paragraph(text) == _parsed(text), text
        assert plain_text(text) == plain_text_of(_parsed(text)), text
