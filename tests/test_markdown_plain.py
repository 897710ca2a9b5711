"""The parser-free path for one-line texts without Markdown gives exactly the parser's HTML."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.markdown import _DETACHED, _drop_link, _plain_paragraph, render

# Letters, digits, spaces and every character that means something somewhere in CommonMark.
PIECES = [*"ab1 .)-+=>*_`[]<>&!#|~\\\"'\t\n\r\x00\u00a0\u2028é—:;/()", "ab", "12", "1.", "www.x.org"]
TRICKY = st.lists(st.sampled_from(PIECES), max_size=12).map("".join)


def _parsed(text: str) -> str:
    return render(text, _drop_link, md=_DETACHED).strip()


@settings(max_examples=3000, deadline=None)
@given(TRICKY)
def test_the_plain_path_agrees_with_the_parser(text: str) -> None:
    plain = _plain_paragraph(text)
    if plain is not None:
        assert plain == _parsed(text)


def test_plain_texts_take_the_plain_path() -> None:
    for text in ('Terms for ending the deal and handing over "data", code and know-how', "2020 was a year"):
        assert _plain_paragraph(text) == _parsed(text)
    for text in ("1. first", "- item", "*stress*", "a\nb", " padded", "R&D", "[link](x.html)"):
        assert _plain_paragraph(text) is None
