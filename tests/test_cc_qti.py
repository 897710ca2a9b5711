"""QTI items of the cartridges: every question type, graded as Moodle's and Open edX's importers read them."""

from __future__ import annotations

import zipfile
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
import yaml
from lxml import etree

from builder.formats import FORMATS, cc, qti
from builder.formats.cc_rules import schematron_issues
from builder.formats.cc_versions import VERSIONS, entry_points
from builder.load import load_course
from builder.quiz import build_quizzes
from builder.xsd_check import validate_xml
from tests.conftest import FIXTURES, run
from tests.scorm_support import every_type_course
from tests.test_cc_cartridges import expected_items

NS = {"q": qti.QTI_NS}
CC_EXTRA = FIXTURES / "cc_extra_items.yaml"


@pytest.fixture
def authored(mini: Path) -> Path:
    """The every-type alpha quiz plus the QTI edge cases of fixtures/cc_extra_items.yaml; the short
    answer's first accepted answer gets feedback of its own."""
    every_type_course(mini)
    path = mini / "modules" / "alpha" / "assessment.yaml"
    assessment = yaml.safe_load(path.read_text(encoding="utf-8"))
    extra = yaml.safe_load(CC_EXTRA.read_text(encoding="utf-8"))
    for objective in assessment["objectives"]:
        objective["items"].extend(extra.get(objective["competency"], []))
        for item in objective["items"]:
            if item["id"] == "fill-in":
                item["answers"][0]["feedback"] = "Exactly."
    path.write_text(yaml.safe_dump(assessment, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return mini


@pytest.fixture
def alpha_items(authored: Path, tmp_path: Path) -> dict[str, dict[str, etree._Element]]:
    """Alpha's quiz items by ident, per version, from cartridges built by the CLI."""
    result = run("build", authored, "-f", "cc11", "-f", "cc13", "-o", tmp_path)
    assert result.exit_code == 0, result.stderr
    items = {}
    for name in VERSIONS:
        with zipfile.ZipFile(tmp_path / "mini" / f"mini-{name}.imscc") as zf:
            root = etree.fromstring(zf.read("R_module_alpha_quiz/assessment.xml"))
        items[name] = {i.get("ident"): i for i in root.iterfind(".//q:section/q:item", NS)}
    return items


def profile(item: etree._Element) -> str:
    return item.xpath(".//q:qtimetadatafield[q:fieldlabel='cc_profile']/q:fieldentry/text()", namespaces=NS)[
        0
    ]


def feedback_text(item: etree._Element, ident: str) -> str:
    (html,) = item.xpath(f"q:itemfeedback[@ident='{ident}']//q:mattext/text()", namespaces=NS)
    return "".join(etree.HTML(html).itertext())


def moodle_answer_scores(item: etree._Element) -> dict[str, Fraction]:
    """Moodle's converter (backup/cc/entity11.quiz.class.php) reading a choice item, written out.

    get_score: 1 when the condition whose first ``varequal`` is the option sets a non-empty score
    ("0" is empty in PHP); multiple response: the options in the SCORE=100 condition's
    ``varequal[@case='Yes']`` outside ``not`` share the points, as 1/N rounded to 7 places.
    """
    scores = {}
    for label in item.xpath(".//q:response_label/@ident", namespaces=NS):
        score = Fraction(0)
        for condition in item.xpath("q:resprocessing/q:respcondition", namespaces=NS):
            first = condition.xpath("q:conditionvar/q:varequal/text()", namespaces=NS)
            if first and first[0].lower() == label.lower():
                setvar = condition.xpath("q:setvar/text()", namespaces=NS)
                score = Fraction(1) if setvar and setvar[0] not in ("", "0") else Fraction(0)
        scores[label] = score
    if profile(item) == "cc.multiple_response.v0p1":
        keys = item.xpath(
            ".//q:setvar[@varname='SCORE'][.=100]/../q:conditionvar//q:varequal[@case='Yes'][not(parent::q:not)]/text()",
            namespaces=NS,
        )
        for key in keys:
            scores[key] = Fraction(round(1 / len(keys), 7)).limit_denominator(10**7)
    return scores


def edx_correct(item: etree._Element) -> set[str]:
    """Open edX cc2olx: every varequal (direct, or directly in and/or) before the first
    continue="No" condition counts as a right answer."""
    correct: set[str] = set()
    for condition in item.xpath("q:resprocessing/q:respcondition", namespaces=NS):
        found = condition.xpath("q:conditionvar/q:varequal/text()", namespaces=NS) or condition.xpath(
            "q:conditionvar/q:and/q:varequal/text() | q:conditionvar/q:or/q:varequal/text()", namespaces=NS
        )
        correct |= set(found)
        if condition.get("continue", "No") == "No":
            break
    return correct


def test_every_question_type_maps_to_a_cc_type(alpha_items: dict) -> None:
    items = alpha_items["cc11"]
    assert profile(items["alpha.plan-owner"]) == "cc.multiple_choice.v0p1"
    for option in ("staff", "hosting", "catering", "travel"):
        assert profile(items[f"alpha.cost-items.{option}"]) == "cc.true_false.v0p1"
    assert not any(profile(item) == "cc.multiple_response.v0p1" for item in items.values())
    assert profile(items["alpha.report-tf"]) == "cc.true_false.v0p1"
    assert profile(items["alpha.fill-in"]) == "cc.fib.v0p1"
    assert profile(items["alpha.budget-total"]) == "cc.fib.v0p1"
    for position in (1, 2, 3):
        assert profile(items[f"alpha.plan-order.position{position}"]) == "cc.multiple_choice.v0p1"
    # an item model's slot: its first variant only (a cartridge cannot draw)
    assert "alpha.budget-model.1" in items and "alpha.budget-model.2" not in items
    essay = items["alpha.report-essay"]
    assert profile(essay) == "cc.essay.v0p1"
    fields = dict(
        zip(
            essay.xpath(".//q:fieldlabel/text()", namespaces=NS),
            essay.xpath(".//q:fieldentry/text()", namespaces=NS),
            strict=True,
        )
    )
    assert fields["qmd_computerscored"] == "No" and fields["cc_weighting"] == "3"
    general = feedback_text(essay, "general_fb")
    assert general.startswith("A good answer names each milestone")
    assert "Rubric for grading:" in general
    assert "States progress against each milestone (2 points)" in general
    assert "Uses plain language a board member understands (1 point)" in general


def test_moodle_grades_choice_items_as_the_quiz_model_does(alpha_items: dict, authored: Path) -> None:
    quiz = build_quizzes(load_course(authored)).quizzes["alpha"]
    questions = {q.id: q for q in quiz.questions}
    for version, items in alpha_items.items():
        for ident in ("alpha.plan-owner", "alpha.report-tf"):
            weights = {o.id: o.weight for o in questions[ident].options}
            assert moodle_answer_scores(items[ident]) == weights, (version, ident)
        # Multiple response: Moodle's converter would give ticking every box full marks, so each option
        # is a true/false item of its own: "true" scores exactly for the right options, "false" for
        # the wrong ones.
        for option in questions["alpha.cost-items"].options:
            scores = moodle_answer_scores(items[f"alpha.cost-items.{option.id}"])
            expected = {"true": Fraction(option.correct), "false": Fraction(not option.correct)}
            assert scores == expected, (version, option.id)


def test_open_edx_finds_exactly_the_right_answers(alpha_items: dict) -> None:
    items = alpha_items["cc13"]
    assert edx_correct(items["alpha.plan-owner"]) == {"board"}
    assert edx_correct(items["alpha.report-tf"]) == {"true"}
    for option, right in (
        ("staff", "true"),
        ("hosting", "true"),
        ("catering", "false"),
        ("travel", "false"),
    ):
        assert edx_correct(items[f"alpha.cost-items.{option}"]) == {right}
    assert edx_correct(items["alpha.fill-in"]) == {"milestones", "milestone"}
    essay = items["alpha.report-essay"]
    first = essay.xpath("q:resprocessing/q:respcondition[1]/q:displayfeedback/@linkrefid", namespaces=NS)
    assert first == ["general_fb"]  # Open edX reads essay feedback from the first condition only


def test_feedback_reaches_each_option_and_the_general_feedback_stays_general(alpha_items: dict) -> None:
    item = alpha_items["cc11"]["alpha.plan-owner"]
    for option, text in (("board", "Right."), ("intern", "No."), ("vendor", "No.")):
        shown = item.xpath(
            f"q:resprocessing/q:respcondition[q:conditionvar/q:varequal[1]='{option}']/q:displayfeedback/@linkrefid",
            namespaces=NS,
        )
        assert [feedback_text(item, ident) for ident in shown] == [text]
    # Moodle takes general feedback from every continue="Yes" condition: only the general one is.
    general = item.xpath("q:resprocessing/q:respcondition[@continue='Yes']//@linkrefid", namespaces=NS)
    assert general == ["general_fb"] and feedback_text(item, "general_fb") == "The board owns the plan."
    # Answer texts are plain text; question text keeps its HTML and survives URL-decoding.
    assert item.xpath(".//q:response_label[@ident='vendor']//q:mattext/text()", namespaces=NS) == [
        "The vendor team"
    ]
    stem = item.xpath("q:presentation/q:material/q:mattext/text()", namespaces=NS)[0]
    assert "<em>your</em>" in stem and "100&#37;" in stem and "%" not in stem


def test_fill_in_the_blank_keeps_its_answer_feedback(alpha_items: dict) -> None:
    item = alpha_items["cc11"]["alpha.fill-in"]
    assert "“milestones”: Exactly." in feedback_text(item, "general_fb")
    scoring = item.xpath("q:resprocessing/q:respcondition[q:setvar='100']", namespaces=NS)
    assert len(scoring) == 1  # Moodle takes the accepted answers from the one SCORE=100 condition
    assert [v.get("case") for v in scoring[0].iterfind(".//q:varequal", NS)] == ["No", "No"]


def test_matching_becomes_one_choice_item_per_pair(alpha_items: dict) -> None:
    items = alpha_items["cc11"]
    pairs = {"plan": "Agreed goals", "track": "Dated checkpoints", "report": "A status note"}
    for pair, answer in pairs.items():
        item = items[f"alpha.match-terms.{pair}"]
        assert profile(item) == "cc.multiple_choice.v0p1"
        assert "matching" in item.get("title") and "matching question" in "".join(
            c.text for c in item.iter(etree.Comment)
        )
        options = item.xpath(".//q:response_label//q:mattext/text()", namespaces=NS)
        assert sorted(options) == sorted([*pairs.values(), "A signed invoice"])  # with the distractor
        key = edx_correct(item)
        assert key == {pair}
        assert moodle_answer_scores(item)[pair] == 1
        labels = dict(zip(item.xpath(".//q:response_label/@ident", namespaces=NS), options, strict=True))
        assert labels[pair] == answer
        assert labels["distractor.1"] == "A signed invoice"


def test_ordering_becomes_one_choice_item_per_position(alpha_items: dict) -> None:
    items = alpha_items["cc11"]
    steps = ["goals", "milestones", "review"]
    for position, (step, nth) in enumerate(zip(steps, ("first", "second", "third"), strict=True), start=1):
        item = items[f"alpha.plan-order.position{position}"]
        stem = item.xpath("q:presentation/q:material/q:mattext/text()", namespaces=NS)[0]
        assert f"which comes <strong>{nth}</strong>?" in stem
        assert sorted(item.xpath(".//q:response_label/@ident", namespaces=NS)) == sorted(steps)
        assert edx_correct(item) == {step}
        assert moodle_answer_scores(item) == {s: int(s == step) for s in steps}
        assert "ordering question alpha.plan-order" in "".join(c.text for c in item.iter(etree.Comment))


def test_numerical_becomes_fill_in_the_blank_with_the_numbers_written_forms(alpha_items: dict) -> None:
    item = alpha_items["cc11"]["alpha.budget-total"]
    accepted = item.xpath("q:resprocessing/q:respcondition[q:setvar='100']//q:varequal/text()", namespaces=NS)
    assert accepted == ["12500", "12,500", "12 500", "12500 EUR", "12,500 EUR", "12 500 EUR"]
    assert edx_correct(item) == set(accepted)
    stem = item.xpath("q:presentation/q:material/q:mattext/text()", namespaces=NS)[0]
    assert "Write the number only (in EUR)." in stem
    general = feedback_text(item, "general_fb")  # wrong values' feedback: no other place fill-in has
    assert "12,000: Hosting counts too." in general and "10,000: Licences and hosting count too." in general


def test_numerical_tolerance_lists_the_numbers_it_allows_or_becomes_a_choice(
    authored: Path, tmp_path: Path
) -> None:
    quiz = build_quizzes(load_course(authored)).quizzes["alpha"]
    total = next(q for q in quiz.questions if q.id == "alpha.budget-total")
    assert total.numeric is not None
    near = replace(total, numeric=replace(total.numeric, tolerance=Decimal(1)))
    (fib,) = qti.cc_items(near, seed=7)
    assert fib.profile is qti.Profile.FIB
    assert [a for a in fib.answers if " " not in a and "," not in a] == ["12499", "12500", "12501"]
    wide = replace(total, numeric=replace(total.numeric, tolerance=Decimal(100)))
    (choice,) = qti.cc_items(wide, seed=7)
    assert choice.profile is qti.Profile.MULTIPLE_CHOICE
    assert sorted((c.text, c.correct) for c in choice.choices) == [
        ("10,000 EUR", False),
        ("12,000 EUR", False),
        ("12,500 EUR", True),
    ]
    alone = replace(wide, wrong_values=())
    (exact,) = qti.cc_items(alone, seed=7)
    assert exact.profile is qti.Profile.FIB and "12500" in exact.answers


def test_two_option_questions_become_true_false(alpha_items: dict) -> None:
    """CC's multiple-choice type needs three options; a binary choice becomes a true/false item."""
    items = alpha_items["cc11"]
    two_options = items["alpha.hosting-line"]
    assert profile(two_options) == "cc.true_false.v0p1"
    stem = two_options.xpath("q:presentation/q:material/q:mattext/text()", namespaces=NS)[0]
    shown_right = "Server rent" in stem
    assert shown_right != ("Staff wages" in stem)
    assert edx_correct(two_options) == ({"true"} if shown_right else {"false"})
    assert sorted(two_options.xpath(".//q:response_label/@ident", namespaces=NS)) == ["false", "true"]


def test_converted_items_keep_the_questions_competencies_in_cc13(authored: Path, tmp_path: Path) -> None:
    assert run("build", authored, "-f", "cc13", "-o", tmp_path).exit_code == 0
    with zipfile.ZipFile(tmp_path / "mini" / "mini-cc13.imscc") as zf:
        manifest = etree.fromstring(zf.read("imsmanifest.xml"))
    ns = {"csmd": cc.CSM_NS}
    for pair in ("plan", "track", "report"):
        guids = manifest.xpath(
            f"//csmd:curriculumStandardsMetadataSet[@resourcePartId='alpha.match-terms.{pair}']//csmd:GUID/text()",
            namespaces=ns,
        )
        assert guids == ["alpha-planning"]
    guids = manifest.xpath(
        "//csmd:curriculumStandardsMetadataSet[@resourcePartId='alpha.plan-order.position2']//csmd:GUID/text()",
        namespaces=ns,
    )
    assert guids == ["alpha-planning"]


def test_items_pass_the_cc_qti_schema_and_profile_rules_and_the_rules_bite(alpha_items: dict) -> None:
    for version, items in alpha_items.items():
        root = next(iter(items.values())).getroottree().getroot()
        data = etree.tostring(root)
        assert validate_xml(data, version, "qti") == []
        assert schematron_issues(root, version, "qti") == []
    # A multiple-choice item with two options breaks profile rule 4d; a feedback without trigger 12d.
    item = alpha_items["cc11"]["alpha.plan-owner"]
    labels = item.xpath(".//q:response_label", namespaces=NS)
    labels[-1].getparent().remove(labels[-1])
    trigger = item.xpath(
        "q:resprocessing/q:respcondition[q:conditionvar/q:varequal='vendor']", namespaces=NS
    )[0]
    trigger.getparent().remove(trigger)
    issues = schematron_issues(item.getroottree().getroot(), "cc11", "qti")
    assert any("RULE 4d" in issue for issue in issues) and any("RULE 12d" in issue for issue in issues)


def test_moodle_problems_spots_items_moodle_would_drop() -> None:
    def doc(profile: str, labels: tuple[str, ...]) -> bytes:
        body = "".join(f'<response_label ident="{label}"/>' for label in labels)
        return (
            f'<questestinterop xmlns="{qti.QTI_NS}"><assessment ident="a" title="a"><section ident="s">'
            f'<item ident="i"><itemmetadata><qtimetadata><qtimetadatafield>'
            f"<fieldlabel>cc_profile</fieldlabel>"
            f"<fieldentry>{profile}</fieldentry></qtimetadatafield></qtimetadata></itemmetadata>"
            f"<presentation><response_lid><render_choice>{body}</render_choice></response_lid></presentation>"
            f"</item></section></assessment></questestinterop>"
        ).encode()

    assert qti.moodle_problems(doc("cc.true_false.v0p1", ("true", "false"))) == []
    assert "Moodle would drop" in qti.moodle_problems(doc("cc.matching.v0p1", ("a", "b")))[0]
    assert "true and false" in qti.moodle_problems(doc("cc.true_false.v0p1", ("yes", "no")))[0]


def test_a_build_fails_rather_than_emit_an_item_moodle_would_drop(
    authored: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = qti.item_element

    def unmapped(item: qti.CcItem) -> etree._Element:
        element = original(item)
        if item.ident == "alpha.report-essay":
            element.find(".//q:fieldentry", NS).text = "cc.matching.v0p1"
        return element

    monkeypatch.setattr(qti, "item_element", unmapped)
    result = run("build", authored, "-f", "cc11", "-o", tmp_path)
    assert result.exit_code == 1
    assert "Moodle would drop" in result.stderr and "alpha.report-essay" in result.stderr
    assert not (tmp_path / "mini" / "mini-cc11.imscc").exists()


def test_an_invalid_file_fails_the_build_and_writes_nothing(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = replace(VERSIONS["cc11"], schemaversion="1.2.0")
    monkeypatch.setitem(FORMATS, "cc11", entry_points(broken)[0])
    result = run("build", mini, "-f", "cc11", "-o", tmp_path)
    assert result.exit_code == 1
    assert "imsmanifest.xml" in result.stderr and "1.2.0" in result.stderr
    assert not (tmp_path / "mini" / "mini-cc11.imscc").exists()


def test_points_beyond_cc_weighting_are_an_author_error(mini: Path, tmp_path: Path) -> None:
    path = mini / "modules" / "alpha" / "assessment.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("points: 2}", "points: 99}"), encoding="utf-8")  # the essay's rubric
    result = run("build", mini, "-f", "cc11", "-o", tmp_path)
    assert result.exit_code == 2, result.output
    assert "assessment.yaml" in result.stderr and "at most 99" in result.stderr


def test_question_counts_per_cc_type(authored: Path, tmp_path: Path) -> None:
    course = load_course(authored)
    _, summary = cc.build_cartridge(course, tmp_path, VERSIONS["cc11"])
    quizzes = build_quizzes(course).quizzes.values()
    expected = sum(expected_items(z.questions) for z in quizzes)
    assert sum(summary.questions.values()) == expected
    # alpha: essay; fill-in, numerical and the item model's first numerical variant; beta: short answer
    assert summary.questions["cc.essay.v0p1"] == 1 and summary.questions["cc.fib.v0p1"] == 4


def test_both_cartridge_versions_hold_the_same_quiz_made_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The QTI of a module's quiz does not depend on the version: a process building CC 1.1 and then
    CC 1.3 makes it once and checks it against each version's schemas and rules."""
    alone = tmp_path / "alone"
    course = load_course(FIXTURES / "mini")
    build_quizzes(course)
    FORMATS["cc13"](course, alone)
    made = []
    original = qti.assessment_xml

    def counted(*args: object, **kwargs: object) -> qti.Assessment:
        made.append(args[1])
        return original(*args, **kwargs)

    monkeypatch.setattr(qti, "assessment_xml", counted)
    both = tmp_path / "both"
    course = load_course(FIXTURES / "mini")  # another course: nothing kept from the build above
    build_quizzes(course)
    FORMATS["cc11"](course, both)
    FORMATS["cc13"](course, both)
    assert len(made) == len(set(made)) == len([m for m in course.modules if m.quiz.assessment])

    def entries(folder: Path, name: str) -> dict[str, bytes]:
        with zipfile.ZipFile(next(folder.glob(f"*-{name}.imscc"))) as z:
            return {n: z.read(n) for n in z.namelist() if n.endswith("assessment.xml")}

    assert entries(both, "cc13") == entries(alone, "cc13")
    assert entries(both, "cc11") == entries(both, "cc13")
