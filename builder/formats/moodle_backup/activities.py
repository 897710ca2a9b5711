"""``activities/<mod>_<cmid>/``: module.xml, the activity's own XML, grades, competencies and inforef.

Completion as the course asks: pages complete on view, quizzes on a pass grade (grade to pass =
the pass mark). A quiz is graded out of 100 with ``sumgrades`` the sum of its slots' marks, one
slot per question (or per drawn variant group), every question on one page with free navigation,
the attempts of the course's quiz settings (0: unlimited). Each quiz is linked to its module's
competencies with the rule "attach evidence" when the activity is completed.
"""

from __future__ import annotations

import copy
import functools
import json
from fractions import Fraction

from lxml import etree

from builder.formats.moodle_backup.plan import COURSE_GRADE_CATEGORY, Activity
from builder.formats.moodle_backup.questions import SlotRef
from builder.formats.moodle_backup.xml import add, empty_files, fields, group, root, to_bytes

MODULE_VERSION = 2022112800  # Moodle 4.1's plugin versions: 4.1 and later restore what these describe
QUIZ_GRADE = 100
RULE_OUTCOME_EVIDENCE = 1  # competency rule: complete the activity -> attach evidence
COMPLETION_AUTOMATIC = 2
REVIEW_ALWAYS = 69904  # review options: during, immediately after, later while open, after close
REVIEW_AFTER = 4368  # overall feedback: not during the attempt


def module_xml(activity: Activity, when: int) -> bytes:
    completion = activity.completion
    element = root("module", id=activity.cmid, version=MODULE_VERSION)
    fields(
        element,
        {
            "modulename": activity.modname,
            "sectionid": activity.section.id,
            "sectionnumber": activity.section.number,
            "idnumber": "",
            "added": when,
            "score": 0,
            "indent": 0,
            "visible": 1,
            "visibleoncoursepage": 1,
            "visibleold": 1,
            "groupmode": 0,
            "groupingid": 0,
            "completion": COMPLETION_AUTOMATIC if completion else 0,
            "completiongradeitemnumber": 0 if completion == "pass" else None,
            "completionpassgrade": int(completion == "pass"),
            "completionview": int(completion == "view"),
            "completionexpected": 0,
            "availability": None,
            "showdescription": 0,
            "downloadcontent": 1,
            "lang": None,
        },
    )
    group(element, "tags")
    return to_bytes(element)


def _activity(activity: Activity) -> tuple[etree._Element, etree._Element]:
    document = root(
        "activity",
        id=activity.instance,
        moduleid=activity.cmid,
        modulename=activity.modname,
        contextid=activity.contextid,
    )
    return document, add(document, activity.modname, id=activity.instance)


def page_xml(activity: Activity, content: str, when: int) -> bytes:
    document, page = _activity(activity)
    fields(
        page,
        {
            "name": activity.title,
            "intro": "",
            "introformat": 1,
            "content": content,
            "contentformat": 1,
            "legacyfiles": 0,
            "legacyfileslast": None,
            "display": 0,
            "displayoptions": 'a:2:{s:10:"printintro";i:0;s:17:"printlastmodified";i:0;}',
            "revision": 1,
            "timemodified": when,
        },
    )
    return to_bytes(document)


def url_xml(activity: Activity, when: int) -> bytes:
    assert activity.link is not None and activity.link.url
    document, url = _activity(activity)
    fields(
        url,
        {
            "name": activity.title,
            "intro": "",
            "introformat": 1,
            "externalurl": activity.link.url,
            "display": 0,  # automatic: Moodle picks how to open it
            "displayoptions": 'a:1:{s:10:"printintro";i:1;}',
            "parameters": "a:0:{}",
            "timemodified": when,
        },
    )
    return to_bytes(document)


def forum_xml(activity: Activity, prompt: str, when: int) -> bytes:
    document, forum = _activity(activity)
    values: dict[str, str | int | None] = {"type": "general", "name": activity.title, "intro": prompt}
    values |= {"introformat": 1, "duedate": 0, "cutoffdate": 0, "assessed": 0, "assesstimestart": 0}
    values |= {"assesstimefinish": 0, "scale": 0, "maxbytes": 0, "maxattachments": 1, "forcesubscribe": 0}
    values |= {"trackingtype": 1, "rsstype": 0, "rssarticles": 0, "timemodified": when, "warnafter": 0}
    values |= {"blockafter": 0, "blockperiod": 0, "completiondiscussions": 0, "completionreplies": 0}
    values |= {"completionposts": 0, "displaywordcount": 0, "lockdiscussionafter": 0, "grade_forum": 0}
    fields(forum, values)
    for tag in (
        "discussions",
        "subscriptions",
        "digests",
        "readposts",
        "trackedprefs",
        "poststags",
        "grades",
    ):
        group(forum, tag)
    return to_bytes(document)


def quiz_xml(
    activity: Activity, intro: str, slots: list[SlotRef], attempts: int, course_context: int, when: int
) -> bytes:
    assert activity.quiz is not None
    document, quiz = _activity(activity)
    sumgrades = sum(slot.points for slot in slots)
    values: dict[str, str | int | None] = {"name": activity.title, "intro": intro, "introformat": 1}
    values |= {"timeopen": 0, "timeclose": 0, "timelimit": 0, "overduehandling": "autosubmit"}
    values |= {"graceperiod": 86400, "preferredbehaviour": "deferredfeedback", "canredoquestions": 0}
    values |= {"attempts_number": attempts, "attemptonlast": 0, "grademethod": 1, "decimalpoints": 2}
    values |= {"questiondecimalpoints": -1}
    for review in ("attempt", "correctness", "maxmarks", "marks", "specificfeedback", "generalfeedback"):
        values[f"review{review}"] = REVIEW_ALWAYS
    values |= {"reviewrightanswer": REVIEW_ALWAYS, "reviewoverallfeedback": REVIEW_AFTER}
    values |= {"questionsperpage": 0, "navmethod": "free", "shuffleanswers": 1}
    values |= {"sumgrades": f"{sumgrades:.5f}", "grade": f"{QUIZ_GRADE:.5f}"}
    values |= {
        "timecreated": when,
        "timemodified": when,
        "password": "",
        "subnet": "",
        "browsersecurity": "-",
    }
    values |= {"delay1": 0, "delay2": 0, "showuserpicture": 0, "showblocks": 0}
    values |= {"completionattemptsexhausted": 0, "completionminattempts": 0, "allowofflineattempts": 0}
    fields(quiz, values)
    group(quiz, "subplugin_quizaccess_seb_quiz")
    group(quiz, "quiz_grade_items")
    instances = group(quiz, "question_instances")
    for number, slot in enumerate(slots, start=1):
        instance = add(instances, "question_instance", id=activity.instance * 1000 + number)
        fields(
            instance,
            {
                "quizid": activity.instance,
                "slot": number,
                "page": 1,
                "displaynumber": None,
                "requireprevious": 0,
                "maxmark": f"{slot.points:.7f}",
                "quizgradeitemid": None,
            },
        )
        ref_id = activity.instance * 1000 + number
        if slot.entry is not None:
            reference = add(instance, "question_reference", id=ref_id)
            fields(
                reference,
                {
                    "usingcontextid": activity.contextid,
                    "component": "mod_quiz",
                    "questionarea": "slot",
                    "questionbankentryid": slot.entry,
                    "version": None,
                },
            )
        else:
            condition = {"questioncategoryid": str(slot.category), "includingsubcategories": "0"}
            reference = add(instance, "question_set_reference", id=ref_id)
            fields(
                reference,
                {
                    "usingcontextid": activity.contextid,
                    "component": "mod_quiz",
                    "questionarea": "slot",
                    "questionscontextid": course_context,
                    "filtercondition": json.dumps(condition, separators=(",", ":")),
                },
            )
    section = add(group(quiz, "sections"), "section", id=activity.instance)
    fields(section, {"firstslot": 1, "heading": "", "shufflequestions": 0})
    for tag in ("feedbacks", "overrides", "grades", "attempts"):
        group(quiz, tag)
    return to_bytes(document)


def pass_grade(pass_mark: int) -> Fraction:
    return Fraction(QUIZ_GRADE * pass_mark, 100)


def grades_xml(activity: Activity, when: int) -> bytes:
    document = root("activity_gradebook")
    items = group(document, "grade_items")
    if activity.quiz is not None and activity.grade_item is not None:
        item = add(items, "grade_item", id=activity.grade_item)
        fields(
            item,
            {
                "categoryid": COURSE_GRADE_CATEGORY,
                "itemname": activity.title,
                "itemtype": "mod",
                "itemmodule": "quiz",
                "iteminstance": activity.instance,
                "itemnumber": 0,
                "iteminfo": None,
                "idnumber": "",
                "calculation": None,
                "gradetype": 1,
                "grademax": f"{QUIZ_GRADE:.5f}",
                "grademin": "0.00000",
                "scaleid": None,
                "outcomeid": None,
                "gradepass": f"{float(pass_grade(activity.quiz.pass_mark)):.5f}",
                "multfactor": "1.00000",
                "plusfactor": "0.00000",
                "aggregationcoef": "0.00000",
                "aggregationcoef2": "0.00000",
                "weightoverride": 0,
                "sortorder": activity.grade_item,
                "display": 0,
                "decimals": None,
                "hidden": 0,
                "locked": 0,
                "locktime": 0,
                "needsupdate": 0,
                "timecreated": when,
                "timemodified": when,
            },
        )
        group(item, "grade_grades")
    group(document, "grade_letters")
    return to_bytes(document)


def competencies_xml(competency_ids: tuple[str, ...], framework: str) -> bytes:
    document = root("course_module_competencies")
    links = group(document, "competencies")
    for order, idnumber in enumerate(competency_ids):
        link = add(links, "competency")
        fields(
            link,
            {
                "idnumber": idnumber,
                "ruleoutcome": RULE_OUTCOME_EVIDENCE,
                "sortorder": order,
                "frameworkidnumber": framework,
                "overridegrade": 0,
            },
        )
    return to_bytes(document)


def inforef_xml(file_ids: list[int], grade_items: list[int], categories: list[int]) -> bytes:
    document = root("inforef")
    for wrapper, tag, ids in (
        ("fileref", "file", file_ids),
        ("grade_itemref", "grade_item", grade_items),
        ("question_categoryref", "question_category", categories),
    ):
        if ids:
            document.append(copy.deepcopy(_references(wrapper, tag, tuple(ids))))
    return to_bytes(document)


@functools.lru_cache(maxsize=16)
def _references(wrapper: str, tag: str, ids: tuple[int, ...]) -> etree._Element:
    """``<wrapper><tag><id>..</id></tag>...</wrapper>``, built once per list of ids (every quiz's
    inforef names all question categories) and copied into each document."""
    refs = etree.Element(wrapper)
    for ident in ids:
        add(add(refs, tag), "id", ident)
    return refs


def activity_files(
    activity: Activity,
    own: bytes,
    when: int,
    *,
    competencies: bytes,
    inforef: bytes,
) -> dict[str, bytes]:
    """Every file of one activity directory, by path inside the backup."""
    files = {
        "module.xml": module_xml(activity, when),
        f"{activity.modname}.xml": own,
        "grades.xml": grades_xml(activity, when),
        "competencies.xml": competencies,
        "inforef.xml": inforef,
        **empty_files(),
    }
    if activity.modname == "forum":
        files["grading.xml"] = to_bytes(root("areas"))
    return {f"{activity.directory}/{name}": data for name, data in sorted(files.items())}
