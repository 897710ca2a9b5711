"""The ``moodle`` format: a Moodle 2 course backup (``DIST/<course-id>/<course-id>.mbz``).

What Moodle restores with full fidelity is its own backup (lms-import-facts.md), so this writes one
the way Moodle 4.5's backup does (gzip'd tar with ``.ARCHIVE_INDEX``, ``moodle_backup.xml``,
``course/``, ``sections/``, ``activities/``, ``questions.xml``, ``files.xml`` and the ``files/`` pool):

* section 0 "About this course" with the course pages and the attributions; a section per category,
  named after it, its introduction as summary, holding its readings and its modules;
* per module: a page (the web format's module page, its stylesheet scoped into it, images and
  attachments in the page's file area), a URL per training material and reading with a URL, the
  discussion forum where the course asks for one, and the quiz as a native Moodle quiz (``plan``,
  ``questions``, ``activities``);
* completion tracking on; pages complete on view, quizzes on a pass grade; the course completes
  when every quiz is passed;
* the competency framework's idnumbers (as in the competency CSV and CASE files) linked to the
  course and each quiz to its module's competencies. Moodle restores those links only when a
  framework with that idnumber is on the site: import the competency CSV first.

Ids are fixed by ``plan``, times come from the course's release date or SOURCE_DATE_EPOCH, so the
same sources give a byte-identical backup. Before writing, the backup is checked with the same
code as ``builder validate`` (``builder.inspect.moodle_backup``): any error fails the build.
"""

from __future__ import annotations

import hashlib
import mimetypes
from pathlib import Path

from builder import markdown
from builder.errors import BuildError
from builder.formats.discussion_prompt import generated_prompt
from builder.formats.moodle_backup import activities as acts
from builder.formats.moodle_backup.content import AreaFile, FileArea, fragment_of, main_html, moodle_html
from builder.formats.moodle_backup.course import (
    StoredFile,
    course_files,
    course_inforef_xml,
    files_xml,
    moodle_backup_xml,
    root_files,
    section_xml,
)
from builder.formats.moodle_backup.plan import COURSE_CONTEXT, COURSE_ID, Activity, Plan, make_plan
from builder.formats.moodle_backup.questions import QuestionBank
from builder.formats.moodle_backup.spill import Spill
from builder.formats.moodlexml import check_question
from builder.i18n import percent, tr
from builder.inspect.moodle_backup import check_backup_entries
from builder.model import Course
from builder.package import build_timestamp, write_tgz
from builder.quiz import build_quizzes
from builder.render import Renderer, category_url, index_url, module_url, page_url

NAME = "moodle"
_TYPES = mimetypes.MimeTypes()  # Python's own table only, not the machine's: the same everywhere


def output_path(course: Course, out_dir: Path) -> Path:
    return out_dir / f"{course.id}.mbz"


class _Backup:
    """Collects the entries of one backup while walking the plan."""

    def __init__(self, course: Course, entries: Spill) -> None:
        self.course = course
        self.when = int(build_timestamp(course.release_date).timestamp())
        quizzes = build_quizzes(course).quizzes
        self.plan: Plan = make_plan(course, quizzes)
        self.bank = QuestionBank(self.plan, self.when)
        for _, question in self.bank.entries():
            check_question(output_path(course, Path()).name, question)
        self.renderer = Renderer(course, chrome=False)
        self.entries = entries
        self.stored: list[StoredFile] = []
        self.links = self._link_tokens()

    def _link_tokens(self) -> dict[str, str]:
        tokens = {index_url(): f"$@COURSEVIEWBYID*{COURSE_ID}@$"}
        tokens |= {category_url(c): tokens[index_url()] for c in self.course.categories}
        for activity in self.plan.activities:
            if activity.modname != "page":
                continue
            token = f"$@PAGEVIEWBYID*{activity.cmid}@$"
            if activity.page is not None:
                tokens[page_url(activity.page)] = token
            elif activity.module is not None:
                tokens[module_url(activity.module)] = token
            elif activity.attributions:
                tokens["attributions.html"] = token
        return tokens

    def _store(self, files: list[AreaFile]) -> list[int]:
        ids = []
        for file in files:
            with file.source.open("rb") as stream:  # streamed: attachments may be large
                digest = hashlib.file_digest(stream, "sha1").hexdigest()
            mimetype = _TYPES.guess_type(file.filename)[0] or "application/octet-stream"
            size = file.source.stat().st_size
            record = StoredFile(len(self.stored) + 1, file, digest, size, mimetype)
            self.stored.append(record)
            self.entries[f"files/{digest[:2]}/{digest}"] = file.source
            ids.append(record.id)
        return ids

    def _page_html(self, activity: Activity) -> tuple[str, list[int]]:
        if activity.page is not None:
            document = self.renderer.lms_page("page.html", activity.page.title, page=activity.page)
        elif activity.module is not None:
            document = self.renderer.lms_page("module.html", activity.module.title, module=activity.module)
        else:
            document = self.renderer.lms_page("attributions.html", "Attributions")
        area = FileArea(activity.contextid, "mod_page", "content")
        html, files = moodle_html(main_html(document), area, self.course.file, self.links.get, styled=True)
        return html, self._store(files)

    def activity(self, activity: Activity) -> None:
        file_ids: list[int] = []
        competency_ids: tuple[str, ...] = ()
        categories: list[int] = []
        grade_items: list[int] = []
        if activity.modname == "page":
            html, file_ids = self._page_html(activity)
            own = acts.page_xml(activity, html, self.when)
        elif activity.modname == "url":
            own = acts.url_xml(activity, self.when)
        elif activity.modname == "forum":
            assert activity.module is not None and activity.module.discussion is not None
            prompt = activity.module.discussion.prompt
            body = (
                markdown.render_detached(prompt.text, top_heading=3)
                if prompt is not None
                else generated_prompt(activity.module, self.course.language)
            )
            own = acts.forum_xml(activity, body, self.when)
        else:
            assert activity.module is not None and activity.quiz is not None and activity.grade_item
            lang = self.course.language
            text = tr(
                lang,
                "This quiz checks the competencies of the module *%(module)s*. "
                "Pass mark: %(pass_mark)s of the points.",
                module=activity.module.title,
                pass_mark=percent(activity.quiz.pass_mark, lang),
            )
            intro = markdown.render_detached(text, top_heading=3)
            own = acts.quiz_xml(
                activity,
                intro,
                self.bank.slots[activity.module.id],
                self.course.quiz.attempts,
                COURSE_CONTEXT,
                self.when,
            )
            competency_ids = tuple(c.id for c in activity.module.competencies)
            categories = self.bank.category_ids()
            grade_items = [activity.grade_item]
        self.entries.update(
            acts.activity_files(
                activity,
                own,
                self.when,
                competencies=acts.competencies_xml(competency_ids, self.course.id),
                inforef=acts.inforef_xml(file_ids, grade_items, categories),
            )
        )

    def sections(self) -> None:
        for section in self.plan.sections:
            file_ids: list[int] = []
            if section.category_id is None:
                summary = markdown.render_detached(self.course.description, top_heading=3)
            else:
                category = self.course.category(section.category_id)
                area = FileArea(COURSE_CONTEXT, "course", "section", section.id)
                fragment = fragment_of(str(self.renderer.markdown(category.intro, top_heading=3)))
                summary, files = moodle_html(fragment, area, self.course.file, self.links.get, styled=False)
                file_ids = self._store(files)
            self.entries[f"{section.directory}/section.xml"] = section_xml(section, summary, self.when)
            self.entries[f"{section.directory}/inforef.xml"] = acts.inforef_xml(file_ids, [], [])

    def write(self, target: Path) -> None:
        # First, while little is held: its tree is the largest this format builds.
        self.entries["questions.xml"] = self.bank.xml()
        self.sections()
        for activity in self.plan.activities:
            self.activity(activity)
        course = self.course
        summary = markdown.render_detached(course.description, top_heading=3)
        self.entries.update(
            course_files(self.plan, summary, [c.id for c in course.competencies()], self.when)
        )
        self.entries["course/inforef.xml"] = course_inforef_xml([], self.bank.category_ids())
        self.entries.update(root_files(self.plan, self.when))
        self.entries["files.xml"] = files_xml(self.stored, self.when)
        self.entries["moodle_backup.xml"] = moodle_backup_xml(self.plan, target.name, self.when)
        self._check(target.name)
        write_tgz(target, self.entries, build_timestamp(course.release_date))

    def _check(self, name: str) -> None:
        def read(member: str) -> bytes:
            data = self.entries[member]
            return data if isinstance(data, bytes) else data.read_bytes()

        errors = [f for f in check_backup_entries(frozenset(self.entries), read) if f.severity == "error"]
        if errors:
            raise BuildError(
                f"{name}: the backup breaks Moodle's restore rules:\n"
                + "\n".join(f"{f.file or name}: {f.message}" for f in errors)
            )


def build(course: Course, out_dir: Path) -> list[Path]:
    target = output_path(course, out_dir)
    with Spill(out_dir) as entries:
        _Backup(course, entries).write(target)
    return [target]
