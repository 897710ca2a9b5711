"""Excerpts for stems and options: cut only where a sentence or block ends, never inside a word."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.quiz.ids import stable_id
from builder.quiz.model import ID_PATTERN
from builder.quiz.roles import roles_overlap
from builder.quiz.text import CUT, MIN_WORDS, blank_out, cut_mid_sentence, excerpt, unlink

WORDS = ["open", "source", "public", "e.g.", "sector", "Ltd.", "data", "policy", "3.5", "code", "i.e."]


def test_short_text_is_kept_whole() -> None:
    assert excerpt("Trainees can plan. They review plans.", 300) == "Trainees can plan. They review plans."


def test_cut_after_the_last_sentence_that_fits() -> None:
    text = "First sentence is here and it is long enough. Second one follows it. " + "Third " * 60
    assert excerpt(text, 80) == "First sentence is here and it is long enough. Second one follows it. " + CUT


def test_a_long_first_sentence_stays_whole() -> None:
    sentence = "One very long sentence " + "that goes on " * 40 + "until here."
    assert excerpt(sentence + " Next sentence.", 100) == f"{sentence} {CUT}"


def test_abbreviations_and_list_numbers_are_not_sentence_ends() -> None:
    text = "Use open tools (e.g. Docker, Kubernetes) for every public service you run. " + "More text. " * 40
    assert excerpt(text, 40).startswith("Use open tools (e.g. Docker, Kubernetes) for every public service")


def test_a_bold_lead_in_is_too_short_to_stand_alone() -> None:
    text = "**Understanding TCO:**\n\n" + "Stakeholders need to evaluate ongoing costs " * 8 + "too."
    assert excerpt(text, 100) == unlink(text).strip()


def test_list_items_without_full_stops_are_block_ends() -> None:
    text = "The community should focus on these principles and values:\n\n" + "\n".join(
        f"- Goal number {n} of the community and its many members" for n in range(20)
    )
    short = excerpt(text, 200)
    assert short.endswith(f"\n\n{CUT}") and not cut_mid_sentence(short)
    assert text.startswith(short.removesuffix(f"\n\n{CUT}"))


def test_links_are_reduced_to_their_text() -> None:
    assert excerpt("See [the guide](https://example.org/guide) and ![logo](logo.png).", 300) == (
        "See the guide and logo."
    )


def test_blank_out_hides_the_title_as_whole_words() -> None:
    text = "Change management strategies; unchanged management."
    assert blank_out(text, "change management") == r"\_\_\_\_ strategies; unchanged management."


def test_cut_marker_checks() -> None:
    assert not cut_mid_sentence(f"A whole sentence. {CUT}")
    assert not cut_mid_sentence(f"> - a list item\n>\n> {CUT}")
    assert cut_mid_sentence(f"A sentence cut in the mid {CUT}")


def test_stable_ids_are_valid_and_short() -> None:
    assert stable_id("describes", "strategy-capacity-building") == "describes.strategy-capacity-building"
    long = stable_id("describes", "x" * 64)
    assert ID_PATTERN.match(long) and len(long) == 64
    assert long != stable_id("describes", "x" * 63 + "y")


def test_look_alike_roles() -> None:
    assert roles_overlap("Policy Makers", "Budgetary Policy Makers")
    assert roles_overlap("Policy Makers", "Decision Makers (Government Officials, Policy Makers)")
    assert roles_overlap("Academic and Research Institutions", "Academic and Training Institutions")
    assert roles_overlap("Business manager", "Business managers.")
    assert not roles_overlap("Project Managers", "Program Managers")
    assert not roles_overlap("Software Engineers", "Data Analysts")


sentence = st.builds(
    lambda words, end: " ".join(words).capitalize() + end,
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=12),
    st.sampled_from([".", "!", "?", ".)", "", ":"]),
)
paragraph = st.lists(sentence, min_size=1, max_size=6).map(" ".join)
markdown_text = st.lists(
    st.one_of(paragraph, paragraph.map(lambda p: f"- {p}"), paragraph.map(lambda p: f"**{p}**")),
    min_size=1,
    max_size=5,
).map("\n\n".join)


@settings(max_examples=300, deadline=None)
@given(markdown_text, st.integers(min_value=20, max_value=400))
def test_excerpts_are_prefixes_cut_at_boundaries(text: str, limit: int) -> None:
    source = unlink(text).strip()
    short = excerpt(text, limit)
    assert not cut_mid_sentence(short)
    if CUT not in short:
        assert short == source
        return
    head = re.sub(r"\s*" + re.escape(CUT) + r"$", "", short)
    assert source.startswith(head) and len(head) < len(source)
    assert source[len(head)].isspace()  # never inside a word
    assert head[-1] in ".!?)*\"”’'_]" or source[len(head)] == "\n"
    assert len(head.split()) >= MIN_WORDS
