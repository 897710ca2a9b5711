"""QTI 1.2 assessments in the Common Cartridge profile, written from the quiz model.

Knows nothing of manifests: ``cc_items`` turns a question into the items CC can carry and
``assessment_xml`` writes a quiz as a ``questestinterop`` document. CC 1.1 and 1.3 share the QTI
namespace and this structure; only the profile schema that checks it differs.

Item shapes follow what importers read, verified in their code:

* Moodle maps an item only by its ``cc_profile`` field (anything else is dropped silently), reads
  correct multiple-response options from ``varequal case="Yes"`` inside the condition setting
  ``SCORE`` to 100, gives every other option 0, and takes general feedback from conditions with
  ``continue="Yes"``;
* Open edX (cc2olx) takes every ``varequal`` before the first ``continue="No"`` condition as a right
  answer, so the only condition before the scoring one is the general feedback on ``<other/>``
  (the place the CC profile itself prescribes for it), and reads an essay's feedback from the first
  condition;
* answer texts are plain text (some importers insert them without parsing HTML).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

import lxml.html
from lxml import etree

from builder import markdown
from builder.errors import BuildError, CourseError, Problem
from builder.lms_rules import Profile
from builder.quiz.choices import rng_for
from builder.quiz.ids import stable_id
from builder.quiz.model import Question, QuestionType, Quiz
from builder.xsd_check import hardened_parser

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RESPONSE = "response"  # ident of the one response of every item
GENERAL_FB = "general_fb"
MAX_WEIGHTING = 99  # cc_weighting is an integer 1..99 (profile rule 2c)
MIN_CHOICES = 3  # a CC multiple-choice item needs more than two options (profile rule 4d)


CHOICE_PROFILES = frozenset({Profile.MULTIPLE_CHOICE, Profile.MULTIPLE_RESPONSE, Profile.TRUE_FALSE})


@dataclass(frozen=True)
class Choice:
    ident: str
    text: str  # plain text
    correct: bool
    feedback: str | None = None  # Markdown


@dataclass(frozen=True)
class CcItem:
    """One QTI item as CC can carry it; a question of a type CC lacks becomes several."""

    ident: str
    title: str
    profile: Profile
    stem: str  # Markdown
    question_id: str
    competency_ids: tuple[str, ...]
    points: int
    choices: tuple[Choice, ...] = ()
    answers: tuple[str, ...] = ()  # accepted answers of a fill-in-the-blank item
    case_sensitive: bool = False
    feedback: str | None = None  # Markdown, shown whatever the answer
    converted_from: str | None = None  # what the item stands in for, when it is not the question itself


@dataclass(frozen=True)
class Assessment:
    xml: bytes
    items: tuple[CcItem, ...]


def _escape_md(text: str) -> str:
    """Plain text made literal inside Markdown (CommonMark lets any ASCII punctuation be escaped)."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!<>|~\"'])", r"\\\1", text)


def _html(text: str) -> str:
    """Markdown as HTML for ``mattext``. Links to course files are dropped (quiz text may only link
    http(s)/mailto). ``%`` is written as a character reference because Open edX URL-decodes
    question text, which would turn ``%25`` into ``%``; every HTML reader shows it as ``%``."""
    return markdown.render_detached(text).replace("%", "&#37;")


def plain_text(text: str) -> str:
    """Markdown reduced to its text, whitespace collapsed."""
    rendered = markdown.render_detached(text)
    if not rendered:
        return ""
    return " ".join(lxml.html.fragment_fromstring(rendered, create_parent="div").text_content().split())


def _join_md(*parts: str | None) -> str | None:
    kept = [p for p in parts if p]
    return "\n\n".join(kept) if kept else None


def _binary(
    base: CcItem, stem: str, statement: str, choices: tuple[Choice, ...], rng: random.Random
) -> CcItem:
    """A two-option choice as a true/false item on one of the options, drawn at random: CC's
    multiple-choice type needs three options, and true/false is its two-option type."""
    shown = rng.choice(choices)
    return CcItem(
        ident=base.ident,
        title=base.title,
        profile=Profile.TRUE_FALSE,
        stem=f"{stem}\n\nTrue or false: {statement.format(answer=_escape_md(shown.text))}",
        question_id=base.question_id,
        competency_ids=base.competency_ids,
        points=base.points,
        choices=(Choice("true", "True", shown.correct), Choice("false", "False", not shown.correct)),
        feedback=_join_md(shown.feedback, base.feedback),
        converted_from=base.converted_from or "two-option multiple-choice question",
    )


def _matching(q: Question, seed: int) -> tuple[CcItem, ...]:
    """CC has no matching type: each pair becomes a choice among every pair's answer."""
    items = []
    for number, pair in enumerate(q.pairs, start=1):
        note = f"pair {number} of {len(q.pairs)} of matching question {q.id}"
        rng = rng_for(seed, "cc-matching", q.id, pair.id)
        choices = [Choice(other.id, other.answer, other.id == pair.id) for other in q.pairs]
        rng.shuffle(choices)
        base = CcItem(
            ident=stable_id(q.id, pair.id),
            title=f"{q.id} (matching pair {number} of {len(q.pairs)})",
            profile=Profile.MULTIPLE_CHOICE,
            stem=f"{q.stem}\n\nWhich of these matches **{_escape_md(pair.prompt)}**?",
            question_id=q.id,
            competency_ids=q.competency_ids,
            points=q.points,
            choices=tuple(choices),
            feedback=q.feedback,
            converted_from=note,
        )
        if len(choices) < MIN_CHOICES:
            statement = f"**{_escape_md(pair.prompt)}** matches “{{answer}}”."
            base = _binary(base, q.stem, statement, base.choices, rng)
        items.append(base)
    return tuple(items)


def _per_option(q: Question, base: CcItem, choices: tuple[Choice, ...]) -> tuple[CcItem, ...]:
    """A multiple-response question as one true/false item per option.

    Moodle's CC importer grades cc.multiple_response by giving each right option its share and every
    wrong one 0, so ticking every box scores full marks; a true/false item per option is graded
    exactly there and everywhere else.
    """
    items = []
    for number, choice in enumerate(choices, start=1):
        items.append(
            replace(
                base,
                ident=stable_id(q.id, choice.ident),
                title=f"{q.id} (option {number} of {len(choices)})",
                profile=Profile.TRUE_FALSE,
                stem=f"{q.stem}\n\nTrue or false: “{_escape_md(choice.text)}” is one of the right answers.",
                choices=(
                    Choice("true", "True", choice.correct),
                    Choice("false", "False", not choice.correct),
                ),
                feedback=_join_md(choice.feedback, q.feedback),
                converted_from=f"option {number} of {len(choices)} of multiple-response question {q.id}",
            )
        )
    return tuple(items)


def cc_items(q: Question, seed: int) -> tuple[CcItem, ...]:
    """The CC items standing for ``q``: one, except that a matching question gives one per pair and a
    multiple-response question one true/false item per option."""
    if q.type is QuestionType.MATCHING:
        return _matching(q, seed)
    base = CcItem(
        ident=q.id,
        title=q.id,
        profile=Profile.ESSAY,
        stem=q.stem,
        question_id=q.id,
        competency_ids=q.competency_ids,
        points=q.points,
        feedback=q.feedback,
    )
    if q.type is QuestionType.ESSAY:
        return (base,)
    if q.type is QuestionType.SHORT_ANSWER:
        # Per-answer feedback has no place Moodle reads for fill-in-the-blank: it joins the general one.
        notes = "\n".join(f"- “{_escape_md(a.text)}”: {a.feedback}" for a in q.answers if a.feedback)
        fib = replace(
            base,
            profile=Profile.FIB,
            answers=tuple(a.text for a in q.answers),
            case_sensitive=q.case_sensitive,
            feedback=_join_md(q.feedback, notes),
        )
        return (fib,)
    if q.type is QuestionType.TRUE_FALSE:
        tf = tuple(Choice(o.id, o.id.capitalize(), o.correct, o.feedback) for o in q.options)
        return (replace(base, profile=Profile.TRUE_FALSE, choices=tf),)
    choices = tuple(Choice(o.id, plain_text(o.text), o.correct, o.feedback) for o in q.options)
    if q.type is QuestionType.MULTIPLE_RESPONSE:
        return _per_option(q, base, choices)
    single = replace(base, profile=Profile.MULTIPLE_CHOICE, choices=choices)
    if len(choices) < MIN_CHOICES:
        rng = rng_for(seed, "cc-binary", q.id)
        return (_binary(single, q.stem, "“{answer}” is the right answer.", choices, rng),)
    return (single,)


# --- XML -------------------------------------------------------------------------------------------


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _q(tag), attrs)
    element.text = text
    return element


def _metadata(parent: etree._Element, fields: Iterable[tuple[str, str]]) -> None:
    metadata = _sub(parent, "qtimetadata")
    for label, entry in fields:
        field = _sub(metadata, "qtimetadatafield")
        _sub(field, "fieldlabel", label)
        _sub(field, "fieldentry", entry)


def _material(parent: etree._Element, text: str, texttype: str) -> None:
    _sub(_sub(parent, "material"), "mattext", text, texttype=texttype)


def _feedback_ident(choice: Choice) -> str:
    return f"fb.{choice.ident}"  # never general_fb, whatever the option id


def _varequal(parent: etree._Element, value: str, *, case: bool | None = None) -> etree._Element:
    attrs = {"respident": RESPONSE}
    if case is not None:
        attrs["case"] = "Yes" if case else "No"
    return _sub(parent, "varequal", value, **attrs)


def _condition(resprocessing: etree._Element, *, cont: bool, title: str | None = None) -> etree._Element:
    attrs = {"continue": "Yes" if cont else "No"}
    if title:
        attrs["title"] = title
    return _sub(resprocessing, "respcondition", **attrs)


def _show(condition: etree._Element, linkrefid: str) -> None:
    _sub(condition, "displayfeedback", feedbacktype="Response", linkrefid=linkrefid)


def _score(condition: etree._Element) -> None:
    _sub(condition, "setvar", "100", varname="SCORE", action="Set")


def _presentation(item: etree._Element, cc: CcItem) -> None:
    presentation = _sub(item, "presentation")
    _material(presentation, _html(cc.stem), "text/html")
    if cc.profile in CHOICE_PROFILES:
        cardinality = "Multiple" if cc.profile is Profile.MULTIPLE_RESPONSE else "Single"
        lid = _sub(presentation, "response_lid", ident=RESPONSE, rcardinality=cardinality)
        render = _sub(lid, "render_choice", shuffle="No")  # the quiz model already ordered the options
        for choice in cc.choices:
            _material(_sub(render, "response_label", ident=choice.ident), choice.text, "text/plain")
    else:
        essay = cc.profile is Profile.ESSAY
        text = _sub(presentation, "response_str", ident=RESPONSE, rcardinality="Single")
        _sub(
            text,
            "render_fib",
            fibtype="String",
            prompt="Box",
            rows="15" if essay else "1",
            columns="80" if essay else "40",
        )


def _resprocessing(item: etree._Element, cc: CcItem) -> list[tuple[str, str]]:
    """Conditions in the order importers need; returns (ident, Markdown) of each feedback shown."""
    processing = _sub(item, "resprocessing")
    _sub(
        _sub(processing, "outcomes"),
        "decvar",
        varname="SCORE",
        vartype="Decimal",
        minvalue="0",
        maxvalue="100",
    )
    feedback: list[tuple[str, str]] = []
    if cc.feedback:
        general = _condition(processing, cont=True, title="General feedback")
        _sub(_sub(general, "conditionvar"), "other")
        _show(general, GENERAL_FB)
        feedback.append((GENERAL_FB, cc.feedback))
    if cc.profile is Profile.ESSAY:
        if not cc.feedback:  # resprocessing needs a condition; an essay is marked by a person
            _sub(_sub(_condition(processing, cont=False), "conditionvar"), "other")
        return feedback
    scoring = _condition(processing, cont=False, title="Correct")
    conditions = _sub(scoring, "conditionvar")
    if cc.profile is Profile.FIB:
        for answer in cc.answers:
            _varequal(conditions, answer, case=cc.case_sensitive)
        _score(scoring)
        return feedback
    if cc.profile is Profile.MULTIPLE_RESPONSE:
        every = _sub(conditions, "and")
        for choice in cc.choices:
            _varequal(every if choice.correct else _sub(every, "not"), choice.ident, case=True)
    else:
        (key,) = (c for c in cc.choices if c.correct)
        _varequal(conditions, key.ident)
    _score(scoring)
    for choice in cc.choices:
        if not choice.feedback:
            continue
        if cc.profile is not Profile.MULTIPLE_RESPONSE and choice.correct:
            _show(scoring, _feedback_ident(choice))
        else:
            # No setvar here: Moodle gives full marks to any option whose condition sets a score.
            condition = _condition(processing, cont=False)
            _varequal(_sub(condition, "conditionvar"), choice.ident)
            _show(condition, _feedback_ident(choice))
        feedback.append((_feedback_ident(choice), choice.feedback))
    return feedback


def item_element(cc: CcItem) -> etree._Element:
    item = etree.Element(_q("item"), ident=cc.ident, title=cc.title)
    if cc.converted_from:
        item.append(etree.Comment(f" Converted for Common Cartridge: {cc.converted_from} "))
    fields = [("cc_profile", cc.profile.value)]
    if cc.points > 1:
        fields.append(("cc_weighting", str(cc.points)))
    fields.append(("qmd_computerscored", "No" if cc.profile is Profile.ESSAY else "Yes"))
    _metadata(_sub(item, "itemmetadata"), fields)
    _presentation(item, cc)
    for ident, text in _resprocessing(item, cc):
        _material(_sub(_sub(item, "itemfeedback", ident=ident), "flow_mat"), _html(text), "text/html")
    return item


def _check_points(quiz: Quiz) -> None:
    problems = [
        Problem(
            q.pos,
            f"question '{q.id}' is worth {q.points} points; Common Cartridge allows at most {MAX_WEIGHTING}",
        )
        for q in quiz.questions
        if q.points > MAX_WEIGHTING
    ]
    if problems:
        raise CourseError(problems)


def assessment_xml(
    quiz: Quiz, ident: str, title: str, rubric: str, *, language: str, seed: int
) -> Assessment:
    """The quiz as one CC assessment: a single section holding every item, in quiz order."""
    _check_points(quiz)
    items = tuple(item for q in quiz.questions for item in cc_items(q, seed))
    if not items:
        # Moodle's importer aborts the whole course on a quiz without a question it can convert.
        raise BuildError(f"quiz {quiz.module_id} has no question")
    root = etree.Element(_q("questestinterop"), nsmap={None: QTI_NS})
    assessment = _sub(root, "assessment", ident=ident, title=title)
    assessment.set(XML_LANG, language)
    _metadata(
        assessment,
        [
            ("cc_profile", "cc.exam.v0p1"),
            ("qmd_assessmenttype", "Examination"),
            ("qmd_scoretype", "Percentage"),
            ("qmd_feedbackpermitted", "Yes"),
            ("qmd_hintspermitted", "No"),
            ("qmd_solutionspermitted", "No"),
            ("cc_maxattempts", "unlimited"),
        ],
    )
    _material(_sub(assessment, "rubric"), _html(rubric), "text/html")
    section = _sub(assessment, "section", ident=f"{ident}.section", title=title)
    for item in items:
        section.append(item_element(item))
    xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return Assessment(xml, items)


def moodle_problems(xml: bytes) -> list[str]:
    """What Moodle's importer would drop or choke on: an item without exactly one ``cc_profile`` it
    maps, or a true/false item whose answers are not ``true`` and ``false``."""
    root = etree.fromstring(xml, hardened_parser())
    ns = {"q": QTI_NS}
    problems = []
    for item in root.iterfind(".//q:section/q:item", ns):
        ident = item.get("ident")
        profiles = item.xpath(
            "q:itemmetadata/q:qtimetadata/q:qtimetadatafield[q:fieldlabel='cc_profile']/q:fieldentry/text()",
            namespaces=ns,
        )
        if len(profiles) != 1 or profiles[0] not in set(Profile):
            problems.append(f"item {ident}: cc_profile {profiles or 'missing'}; Moodle would drop it")
        elif profiles[0] == Profile.TRUE_FALSE:
            labels = item.xpath(".//q:response_label/@ident", namespaces=ns)
            if sorted(labels) != ["false", "true"]:
                problems.append(f"item {ident}: true/false answers {labels}; Moodle needs true and false")
    if not problems and not root.xpath(".//q:section/q:item", namespaces=ns):
        problems.append("no item: Moodle would abort the whole import")
    return problems
