"""The test-wise audit: each cue strategy catches the flaw it stands for, and the gates use it."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest

from builder.errors import Pos
from builder.load import load_course
from builder.quiz.audit import STRATEGIES, Seen, audit_problems, chance, item_wins
from builder.quiz.model import Level, Option, Pair, Question, QuestionType, Quiz

HERE = Pos(Path("assessment.yaml"))
SEEN = Seen("Budget Planning", "Estimating Programme Costs Reporting to Boards")


def mc(stem: str, key: str, *wrong: str) -> Question:
    options = (Option("k", key, Fraction(1)), *(Option(f"w{i}", t, Fraction(0)) for i, t in enumerate(wrong)))
    return Question("m.q", QuestionType.MULTIPLE_CHOICE, stem, ("c",), "authored", HERE, options=options)


def tf(stem: str, answer: bool) -> Question:
    options = (
        Option("true", "True", Fraction(int(answer))),
        Option("false", "False", Fraction(int(not answer))),
    )
    return Question("m.tf", QuestionType.TRUE_FALSE, stem, ("c",), "authored", HERE, options=options)


SOUND = mc(  # no cue: no stem words in any option, options of one length, none like another
    "A ministry's pilot ends next month. What should the team do before scaling it up?",
    "Review the lessons learnt",
    "Sign a five-year contract",
    "Hire an external big firm",
    "Freeze the current design",
)

# Each strategy and an item whose flaw it must find (it scores the item better than guessing).
FLAWED: dict[str, Question] = {
    "word overlap with the stem": mc(
        "Which licence review step comes first?",
        "The licence review of dependencies",
        "Ask the vendor for a discount",
        "Count the users in each office",
        "Print the source code for audit",
    ),
    "longest option": mc(
        "What does a sound exit plan hold?",
        "Terms for handing over code, data and documentation when the contract ends",
        "A penalty fee",
        "A press release",
        "A signing date",
    ),
    "shortest option": mc(
        "Which term names software anyone may reuse?",
        "Open source",
        "Software that only the original vendor is allowed to modify and redistribute",
        "Programs that a government licenses per seat for each civil servant in office",
        "Applications whose source is hidden but whose binaries are shared free of charge",
    ),
    "words of the module's own titles": mc(
        "What should the team produce first?",
        "An estimate of programme costs",
        "A logo for the new service",
        "A list of office locations",
        "A press release for launch",
    ),
    "option most like the others": mc(
        "Which practice keeps a community active?",
        "Regular community calls with open agendas",
        "Regular community calls with closed agendas",
        "Regular private calls with open agendas",
        "Yearly community calls with open minutes",
    ),
    "a/an agreement": mc(
        "A team that must publish its code should first choose an",
        "open licence",
        "vendor",
        "budget",
        "contract",
    ),
    "absolute or hedging words (true/false)": tf("Open-source software is always free of every cost.", False),
    "fewest words shared with the stem": mc(
        "Which step protects a ministry's open-source project when its vendor leaves?",
        "Keep the code in a public repository",
        "Ask the ministry's vendor to leave the project later",
        "Let the vendor's project team protect the ministry",
        "Protect the project by asking the ministry for steps",
    ),
    "middle-length option": mc(
        "What should a ministry publish with its code?",
        "Guides for people who deploy it",
        "A logo",
        "Nothing at all for the time being",
        "Its full internal email archive of the last ten years",
    ),
    "option least like the others": mc(
        "What keeps a community active?",
        "Answering newcomers within a day",
        "Yearly reports on community reports",
        "Yearly reports on partner reports",
        "Yearly partner reports on community",
    ),
}


FLAWED["all wording cues combined"] = FLAWED["word overlap with the stem"]


@pytest.mark.parametrize("name", sorted(FLAWED))
def test_each_strategy_catches_its_own_flaw(name: str) -> None:
    item = FLAWED[name]
    assert STRATEGIES[name](item, SEEN) > chance(item)
    assert name in item_wins(item, SEEN)


def test_a_sound_item_gives_no_strategy_an_edge() -> None:
    assert item_wins(SOUND, SEEN) == []
    assert chance(SOUND) == Fraction(1, 4)


def test_matching_by_shared_words_is_caught_and_disjoint_pairs_are_not() -> None:
    def matching(*pairs: tuple[str, str]) -> Question:
        return Question(
            "m.match",
            QuestionType.MATCHING,
            "Match each situation with its response.",
            ("c",),
            "authored",
            HERE,
            pairs=tuple(Pair(f"p{i}", p, a) for i, (p, a) in enumerate(pairs)),
        )

    flawed = matching(
        ("Budget overrun", "Revise the budget"),
        ("Licence doubt", "Ask a licence expert"),
        ("Late code", "Ship the code"),
    )
    sound = matching(
        ("Budget overrun", "Cut the lowest-value work"),
        ("Licence doubt", "Ask legal counsel"),
        ("Late code", "Move the release date"),
    )
    assert STRATEGIES["word overlap with the stem"](flawed, SEEN) == 1
    assert STRATEGIES["word overlap with the stem"](sound, SEEN) == chance(sound) == Fraction(1, 3)


def test_multiple_response_chance_is_the_expected_score_of_random_ticking() -> None:
    # 2 right (1/2 each) and 2 wrong (-1/2 each) of 4: ticking at random scores 3/16 on average.
    options = tuple(
        Option(f"o{i}", f"option {i}", w) for i, w in enumerate([Fraction(1, 2)] * 2 + [Fraction(-1, 2)] * 2)
    )
    q = Question(
        "m.mr", QuestionType.MULTIPLE_RESPONSE, "Which two?", ("c",), "authored", HERE, options=options
    )
    assert chance(q) == Fraction(3, 16)


def _quiz(module_id: str, items: list[Question]) -> Quiz:
    return Quiz(module_id, module_id, ("c",), tuple((q,) for q in items), 80)


def test_gates_fail_a_course_whose_quizzes_a_cue_strategy_passes(mini: Path) -> None:
    course = load_course(mini)
    flawed = [FLAWED["longest option"]] * 5
    problems = audit_problems([_quiz("alpha", flawed)], course)
    messages = [p.message for p in problems]
    assert any("'longest option' scores 75.0 points above blind guessing" in m for m in messages), messages
    assert any("'longest option' alone scores 100% in this quiz and passes it" in m for m in messages), (
        messages
    )


def test_gates_pass_sound_items(mini: Path) -> None:
    course = load_course(mini)
    assert audit_problems([_quiz("alpha", [SOUND] * 4)], course) == []


def test_essays_are_left_out_of_the_audit(mini: Path) -> None:
    course = load_course(mini)
    essay = Question("m.e", QuestionType.ESSAY, "Draft a plan.", ("c",), "authored", HERE, level=Level.CREATE)
    assert audit_problems([_quiz("alpha", [essay])], course) == []
