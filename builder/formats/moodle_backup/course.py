"""The backup's course-level files: ``moodle_backup.xml``, ``course/``, ``sections/`` and the root XML files.

``moodle_backup.xml`` claims Moodle 4.1 (the oldest release this backup's structure fits), so Moodle
4.1 to 4.5 accept it: restore refuses a backup from a newer Moodle than itself.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from builder import moodle_limits as limits
from builder.formats.moodle_backup.content import AreaFile
from builder.formats.moodle_backup.plan import (
    COURSE_CONTEXT,
    COURSE_GRADE_CATEGORY,
    COURSE_GRADE_ITEM,
    COURSE_ID,
    STUDENT_ROLE,
    SYSTEM_CONTEXT,
    Plan,
    Section,
)
from builder.formats.moodle_backup.xml import Value, add, empty, empty_files, fields, group, root, to_bytes

MOODLE_VERSION = 2022112800
MOODLE_RELEASE = "4.1 (Build: 20221128)"
BACKUP_RELEASE = "4.1"
COMPLETION_CRITERIA_ACTIVITY = 4
AGGREGATION_ALL = 1
AGGREGATION_NATURAL = 13

ROOT_SETTINGS: tuple[tuple[str, str | int], ...] = (
    ("imscc11", 0),
    ("users", 0),
    ("anonymize", 0),
    ("role_assignments", 0),
    ("activities", 1),
    ("blocks", 0),
    ("files", 1),
    ("filters", 0),
    ("comments", 0),
    ("badges", 0),
    ("calendarevents", 0),
    ("userscompletion", 0),
    ("logs", 0),
    ("grade_histories", 0),
    ("questionbank", 1),
    ("groups", 0),
    ("competencies", 1),
    ("customfield", 0),
    ("contentbankcontent", 0),
    ("xapistate", 0),
    ("legacyfiles", 0),
)


@dataclass(frozen=True)
class StoredFile:
    """A file record of files.xml, with its bytes' SHA-1 (the pool name)."""

    id: int
    file: AreaFile
    contenthash: str
    size: int
    mimetype: str


def site_hash(course_id: str) -> str:
    """Stands for the original site: not any real site's, so restore treats the backup as from elsewhere."""
    return hashlib.md5(f"lms-package-builder/{course_id}".encode()).hexdigest()


def moodle_backup_xml(plan: Plan, filename: str, when: int) -> bytes:
    course = plan.course
    document = root("moodle_backup")
    info = add(document, "information")
    values: dict[str, Value] = {"name": filename, "moodle_version": MOODLE_VERSION}
    values |= {"moodle_release": MOODLE_RELEASE, "backup_version": MOODLE_VERSION}
    values |= {"backup_release": BACKUP_RELEASE, "backup_date": when, "mnet_remoteusers": 0}
    values |= {"include_files": 1, "include_file_references_to_external_content": 0}
    values |= {"original_wwwroot": "https://lms-package-builder.invalid"}
    values |= {"original_site_identifier_hash": site_hash(course.id), "original_course_id": COURSE_ID}
    values |= {"original_course_format": "topics"}
    values |= {"original_course_fullname": limits.fit_name("course.fullname", course.title)}
    values |= {"original_course_shortname": limits.fit_name("course.shortname", course.id)}
    values |= {"original_course_startdate": when, "original_course_enddate": 0}
    values |= {"original_course_contextid": COURSE_CONTEXT, "original_system_contextid": SYSTEM_CONTEXT}
    fields(info, values)
    detail = add(add(info, "details"), "detail", backup_id=hashlib.md5(filename.encode()).hexdigest())
    fields(
        detail,
        {
            "type": "course",
            "format": "moodle2",
            "interactive": 1,
            "mode": 10,
            "execution": 1,
            "executiontime": 0,
        },
    )
    contents = add(info, "contents")
    activities = group(contents, "activities")
    for activity in plan.activities:
        fields(
            add(activities, "activity"),
            {
                "moduleid": activity.cmid,
                "sectionid": activity.section.id,
                "modulename": activity.modname,
                "title": activity.title,
                "directory": activity.directory,
            },
        )
    sections = group(contents, "sections")
    for section in plan.sections:
        fields(
            add(sections, "section"),
            {
                "sectionid": section.id,
                "title": section.name or str(section.number),
                "directory": section.directory,
            },
        )
    fields(add(contents, "course"), {"courseid": COURSE_ID, "title": course.id, "directory": "course"})
    settings = add(info, "settings")
    for name, value in (("filename", filename), *ROOT_SETTINGS):
        fields(add(settings, "setting"), {"level": "root", "name": name, "value": value})
    for section in plan.sections:
        for suffix, value in (("included", 1), ("userinfo", 0)):
            fields(
                add(settings, "setting"),
                {
                    "level": "section",
                    "section": section.key,
                    "name": f"{section.key}_{suffix}",
                    "value": value,
                },
            )
        for activity in section.activities:
            for suffix, value in (("included", 1), ("userinfo", 0)):
                fields(
                    add(settings, "setting"),
                    {
                        "level": "activity",
                        "activity": activity.key,
                        "name": f"{activity.key}_{suffix}",
                        "value": value,
                    },
                )
    return to_bytes(document)


def course_xml(plan: Plan, summary: str, when: int) -> bytes:
    course = plan.course
    element = root("course", id=COURSE_ID, contextid=COURSE_CONTEXT)
    values: dict[str, Value] = {"shortname": limits.fit_name("course.shortname", course.id)}
    values |= {"fullname": limits.fit_name("course.fullname", course.title), "idnumber": ""}
    values |= {"summary": summary, "summaryformat": 1, "format": "topics", "showgrades": 1, "newsitems": 0}
    values |= {"startdate": when, "enddate": 0, "marker": 0, "maxbytes": 0, "legacyfiles": 0}
    values |= {"showreports": 0, "visible": 1, "groupmode": 0, "groupmodeforce": 0, "defaultgroupingid": 0}
    values |= {"lang": course.language.split("-")[0].lower(), "theme": "", "timecreated": when}
    values |= {"timemodified": when, "requested": 0, "showactivitydates": 0, "showcompletionconditions": 1}
    values |= {"pdfexportfont": None, "enablecompletion": 1, "completionnotify": 0}
    fields(element, values)
    fields(add(element, "category", id=1), {"name": "Miscellaneous", "description": None})
    tags = group(element, "tags")
    for keyword in course.keywords:
        tag = add(tags, "tag", id=len(tags) + 1)
        name = limits.fit_name("tag.rawname", keyword)
        fields(tag, {"name": name.lower(), "rawname": name})
    group(element, "customfields")
    options = group(element, "courseformatoptions")
    for name, value in (("hiddensections", 1), ("coursedisplay", 0)):
        fields(
            add(options, "courseformatoption"),
            {"format": "topics", "sectionid": 0, "name": name, "value": value},
        )
    return to_bytes(element)


def course_competencies_xml(competency_ids: list[str], framework: str) -> bytes:
    document = root("course_competencies")
    links = group(document, "competencies")
    for order, idnumber in enumerate(competency_ids):
        fields(
            add(links, "competency"),
            {
                "id": order + 1,
                "idnumber": idnumber,
                "ruleoutcome": 1,  # course completed -> attach evidence
                "sortorder": order,
                "frameworkid": 1,
                "frameworkidnumber": framework,
            },
        )
    group(document, "user_competencies")
    return to_bytes(document)


def section_xml(section: Section, summary: str, when: int) -> bytes:
    element = root("section", id=section.id)
    fields(
        element,
        {
            "number": section.number,
            "name": section.name,
            "summary": summary,
            "summaryformat": 1,
            "sequence": ",".join(str(a.cmid) for a in section.activities),
            "visible": 1,
            "availabilityjson": None,
            "timemodified": when,
        },
    )
    return to_bytes(element)


def course_inforef_xml(file_ids: list[int], categories: list[int]) -> bytes:
    document = root("inforef")
    if file_ids:
        refs = add(document, "fileref")
        for ident in file_ids:
            add(add(refs, "file"), "id", ident)
    add(add(add(document, "roleref"), "role"), "id", STUDENT_ROLE)
    refs = add(document, "question_categoryref")
    for ident in categories:
        add(add(refs, "question_category"), "id", ident)
    return to_bytes(document)


def gradebook_xml(when: int) -> bytes:
    document = root("gradebook")
    group(document, "attributes")
    category = add(group(document, "grade_categories"), "grade_category", id=COURSE_GRADE_CATEGORY)
    values: dict[str, Value] = {
        "parent": None,
        "depth": 1,
        "path": f"/{COURSE_GRADE_CATEGORY}/",
        "fullname": "?",
    }
    values |= {"aggregation": AGGREGATION_NATURAL, "keephigh": 0, "droplow": 0, "aggregateonlygraded": 1}
    values |= {"aggregateoutcomes": 0, "timecreated": when, "timemodified": when, "hidden": 0}
    fields(category, values)
    item = add(group(document, "grade_items"), "grade_item", id=COURSE_GRADE_ITEM)
    values = {"categoryid": None, "itemname": None, "itemtype": "course", "itemmodule": None}
    values |= {"iteminstance": COURSE_GRADE_CATEGORY, "itemnumber": None, "iteminfo": None, "idnumber": None}
    values |= {"calculation": None, "gradetype": 1, "grademax": "100.00000", "grademin": "0.00000"}
    values |= {"scaleid": None, "outcomeid": None, "gradepass": "0.00000", "multfactor": "1.00000"}
    values |= {"plusfactor": "0.00000", "aggregationcoef": "0.00000", "aggregationcoef2": "0.00000"}
    values |= {"weightoverride": 0, "sortorder": 1, "display": 0, "decimals": None, "hidden": 0, "locked": 0}
    values |= {"locktime": 0, "needsupdate": 1, "timecreated": when, "timemodified": when}
    fields(item, values)
    group(item, "grade_grades")
    group(document, "grade_letters")
    setting = add(group(document, "grade_settings"), "grade_setting", id="")
    fields(setting, {"name": "minmaxtouse", "value": 1})
    return to_bytes(document)


def completion_xml(plan: Plan) -> bytes:
    """Course completion: every quiz passed (activity completion, all of them)."""
    document = root("course_completion")
    for number, quiz in enumerate(plan.quizzes(), start=1):
        criteria = add(document, "course_completion_criteria", id=number)
        values: dict[str, Value] = {"course": COURSE_ID, "criteriatype": COMPLETION_CRITERIA_ACTIVITY}
        values |= {"module": "quiz", "moduleinstance": quiz.cmid, "courseinstanceshortname": None}
        values |= {
            "enrolperiod": None,
            "timeend": None,
            "gradepass": None,
            "role": None,
            "roleshortname": None,
        }
        fields(criteria, values)
        group(criteria, "course_completion_crit_completions")
    for number, criteriatype in enumerate((None, COMPLETION_CRITERIA_ACTIVITY), start=1):
        fields(
            add(document, "course_completion_aggr_methd", id=number),
            {"course": COURSE_ID, "criteriatype": criteriatype, "method": AGGREGATION_ALL, "value": None},
        )
    return to_bytes(document)


def files_xml(stored: list[StoredFile], when: int) -> bytes:
    document = root("files")
    for record in stored:
        element = add(document, "file", id=record.id)
        area = record.file.area
        values: dict[str, Value] = {"contenthash": record.contenthash, "contextid": area.contextid}
        values |= {"component": area.component, "filearea": area.filearea, "itemid": area.itemid}
        values |= {"filepath": record.file.filepath, "filename": record.file.filename, "userid": None}
        values |= {"filesize": record.size, "mimetype": record.mimetype, "status": 0}
        values |= {"timecreated": when, "timemodified": when, "source": record.file.filename}
        values |= {"author": None, "license": None, "sortorder": 0, "repositorytype": None}
        values |= {"repositoryid": None, "reference": None}
        fields(element, values)
    return to_bytes(document)


def course_files(plan: Plan, summary: str, competency_ids: list[str], when: int) -> dict[str, bytes]:
    """course/*.xml but inforef.xml (the writer knows the files and question categories)."""
    enrolments = root("enrolments")
    group(enrolments, "enrols")
    left_empty = empty_files()  # the same empty roles, filters and calendar as every activity's
    return {
        "course/course.xml": course_xml(plan, summary, when),
        "course/competencies.xml": course_competencies_xml(competency_ids, plan.course.id),
        "course/completiondefaults.xml": to_bytes(empty("course_completion_defaults")),
        "course/enrolments.xml": to_bytes(enrolments),
        "course/roles.xml": left_empty["roles.xml"],
        "course/filters.xml": left_empty["filters.xml"],
        "course/calendar.xml": left_empty["calendar.xml"],
        "course/contentbank.xml": to_bytes(empty("contents")),
    }


def root_files(plan: Plan, when: int) -> dict[str, bytes]:
    role = add(root("roles_definition"), "role", id=STUDENT_ROLE)
    fields(
        role,
        {
            "name": "",
            "shortname": "student",
            "nameincourse": None,
            "description": "",
            "sortorder": 5,
            "archetype": "student",
        },
    )
    groups = root("groups")
    group(groups, "groupcustomfields")
    group(group(groups, "groupings"), "groupingcustomfields")
    history = root("grade_history")
    group(history, "grade_grades")
    return {
        "gradebook.xml": gradebook_xml(when),
        "completion.xml": completion_xml(plan),
        "roles.xml": to_bytes(role.getparent()),
        "scales.xml": to_bytes(empty("scales_definition")),
        "outcomes.xml": to_bytes(empty("outcomes_definition")),
        "groups.xml": to_bytes(groups),
        "badges.xml": to_bytes(empty("badges")),
        "grade_history.xml": to_bytes(history),
        "moodle_backup.log": b"",
    }
