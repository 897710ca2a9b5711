"""QTI 1.2 assessments in the Common Cartridge profile, written from the quiz model.

Knows nothing of manifests: ``cc_items`` (in ``qti_items``) turns a question into the items CC can carry and
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

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from lxml import etree

from builder import markdown
from builder.errors import BuildError, CourseError, Problem
from builder.formats.qti_items import CHOICE_PROFILES, CcItem, Choice, Profile, cc_items
from builder.quiz.model import Quiz
from builder.xsd_check import hardened_parser

__all__ = [
    "QTI_NS",
    "Assessment",
    "CcItem",
    "Profile",
    "assessment_xml",
    "cc_items",
    "item_element",
    "moodle_problems",
]

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RESPONSE = "response"  # ident of the one response of every item
GENERAL_FB = "general_fb"
MAX_WEIGHTING = 99  # cc_weighting is an integer 1..99 (profile rule 2c)


@dataclass(frozen=True)
class Assessment:
    xml: bytes
    items: tuple[CcItem, ...]
    root: etree._Element  # the questestinterop element xml was serialised from


def _html(text: str) -> str:
    """Markdown as HTML for ``mattext``. Links to course files are dropped (quiz text may only link
    http(s)/mailto). ``%`` is written as a character reference because Open edX URL-decodes
    question text, which would turn ``%25`` into ``%``; every HTML reader shows it as ``%``."""
    return markdown.render_detached(text).replace("%", "&#37;")


# --- XML -------------------------------------------------------------------------------------------


@cache
def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _q(tag), attrs)
    if text is not None:  # a new element has no text: setting None would only cost time
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
    items = tuple(item for q in quiz.questions for item in cc_items(q, seed, language))
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
    return Assessment(xml, items, root)


_NS = {"q": QTI_NS}
_ITEMS = etree.XPath(".//q:section/q:item", namespaces=_NS)
_PROFILES = etree.XPath(
    "q:itemmetadata/q:qtimetadata/q:qtimetadatafield[q:fieldlabel='cc_profile']/q:fieldentry/text()",
    namespaces=_NS,
)
_LABELS = etree.XPath(".//q:response_label/@ident", namespaces=_NS)
_MOODLE_PROFILES = frozenset(Profile)  # the cc_profile values Moodle maps


def moodle_problems(xml: bytes | etree._Element) -> list[str]:
    """What Moodle's importer would drop or choke on: an item without exactly one ``cc_profile`` it
    maps, or a true/false item whose answers are not ``true`` and ``false``. ``xml`` is the document
    or its root element."""
    root = etree.fromstring(xml, hardened_parser()) if isinstance(xml, bytes) else xml
    problems = []
    items = _ITEMS(root)
    for item in items:
        ident = item.get("ident")
        profiles = _PROFILES(item)
        if len(profiles) != 1 or profiles[0] not in _MOODLE_PROFILES:
            problems.append(f"item {ident}: cc_profile {profiles or 'missing'}; Moodle would drop it")
        elif profiles[0] == Profile.TRUE_FALSE:
            labels = _LABELS(item)
            if sorted(labels) != ["false", "true"]:
                problems.append(f"item {ident}: true/false answers {labels}; Moodle needs true and false")
    if not problems and not items:
        problems.append("no item: Moodle would abort the whole import")
    return problems
