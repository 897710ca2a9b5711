"""``questions.xml``: the course's question bank, one category per module quiz, native question types.

Categories live in the course context: "top", a category named after the course, one per module
(idnumber as in the Moodle XML bank), and below a module's category one per quiz slot that draws
one of several variants (the quiz's random question draws from it). Every text is HTML rendered by
the builder's Markdown renderer, as in the Moodle XML bank; values are fitted to Moodle's columns
(``moodle_limits``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from itertools import count

from lxml import etree

from builder import moodle_limits as limits
from builder.formats.moodle_backup.plan import COURSE_CONTEXT, COURSE_ID, Plan
from builder.formats.moodle_backup.xml import Value, add, fields, group, root, to_bytes
from builder.formats.moodlexml import (
    PENALTY,
    html_text,
    inline_html,
    module_category,
    number,
    plain_html,
    rubric_html,
)
from builder.quiz.model import Question, QuestionType

HTML = 1  # FORMAT_HTML
PLAIN = 0  # FORMAT_MOODLE for plain answers
ADMIN = 2  # the user id Moodle's own backups name as owner; restore maps it or uses the restorer

QTYPE = {
    QuestionType.MULTIPLE_CHOICE: "multichoice",
    QuestionType.MULTIPLE_RESPONSE: "multichoice",
    QuestionType.TRUE_FALSE: "truefalse",
    QuestionType.MATCHING: "match",
    QuestionType.SHORT_ANSWER: "shortanswer",
    QuestionType.ESSAY: "essay",
    QuestionType.ORDERING: "ordering",
    QuestionType.NUMERICAL: "numerical",
}
ORDERING_ALL_OR_NOTHING = -1  # qtype_ordering_question::GRADING_ALL_OR_NOTHING, as in the SCORM quiz
UNIT_INPUT, UNIT_NONE = 0, 3  # qtype_numerical::UNITINPUT (optional, not graded), ::UNITNONE


@dataclass(frozen=True)
class SlotRef:
    """What a quiz slot points at: a question bank entry, or a category to draw a random question from."""

    points: int
    entry: int | None = None
    category: int | None = None


@dataclass
class Category:
    id: int
    name: str
    parent: int
    info: str
    idnumber: str | None
    questions: list[tuple[int, Question]] = field(default_factory=list)


class QuestionBank:
    """Ids and XML of every category and question, and the slots of each quiz."""

    def __init__(self, plan: Plan, when: int) -> None:
        self.plan, self.when = plan, when
        course = plan.course
        self.language = course.language
        self._ids = count(1)
        self._answer_ids = count(1)
        self._sub_ids = count(1)
        self.categories: list[Category] = []
        top = self._category("top", 0, "", None)
        course_cat = self._category(
            limits.fit_name("question_categories.name", course.title),
            top.id,
            html_text(course.description),
            None,
        )
        self.slots: dict[str, list[SlotRef]] = {}
        for activity in plan.quizzes():
            module, quiz = activity.module, activity.quiz
            assert module is not None and quiz is not None
            name = module_category(course, module).rsplit("/", 1)[-1]
            home = self._category(
                name, course_cat.id, html_text(module.summary), limits.category_idnumber(course.id, module.id)
            )
            refs: list[SlotRef] = []
            for position, variants in enumerate(quiz.slots, start=1):
                if len(variants) == 1:
                    refs.append(SlotRef(variants[0].points, entry=self._question(home, variants[0])))
                    continue
                draw = self._category(
                    limits.fit_name("question_categories.name", f"{name}: question {position} (variants)"),
                    home.id,
                    "",
                    None,
                )
                for variant in variants:
                    self._question(draw, variant)
                refs.append(SlotRef(variants[0].points, category=draw.id))
            self.slots[module.id] = refs

    def _category(self, name: str, parent: int, info: str, idnumber: str | None) -> Category:
        made = Category(len(self.categories) + 1, name, parent, info, idnumber)
        self.categories.append(made)
        return made

    def _question(self, category: Category, question: Question) -> int:
        ident = next(self._ids)
        category.questions.append((ident, question))
        return ident

    def category_ids(self) -> list[int]:
        return [c.id for c in self.categories]

    def stamp(self, kind: str, ident: int) -> str:
        """Moodle's stamps identify a category or question across sites: derived from the course, stable."""
        digest = hashlib.sha1(f"{self.plan.course.id}/{kind}/{ident}".encode()).hexdigest()[:6]
        return f"lms-package-builder+{self.plan.course.id}+{kind}{ident}+{digest}"

    # --- XML

    def xml(self) -> bytes:
        document = root("question_categories")
        for category in self.categories:
            element = add(document, "question_category", id=category.id)
            fields(
                element,
                {
                    "name": category.name,
                    "contextid": COURSE_CONTEXT,
                    "contextlevel": 50,
                    "contextinstanceid": COURSE_ID,
                    "info": category.info,
                    "infoformat": HTML,
                    "stamp": self.stamp("category", category.id),
                    "parent": category.parent,
                    "sortorder": 0 if category.parent == 0 else 999,
                    "idnumber": category.idnumber,
                },
            )
            entries = group(element, "question_bank_entries")
            for ident, question in category.questions:
                self._entry(entries, category.id, ident, question)
        return to_bytes(document)

    def _entry(self, parent: etree._Element, category: int, ident: int, q: Question) -> None:
        entry = add(parent, "question_bank_entry", id=ident)
        fields(
            entry,
            {"questioncategoryid": category, "idnumber": limits.question_idnumber(q), "ownerid": ADMIN},
        )
        version = add(add(entry, "question_version"), "question_versions", id=ident)
        fields(version, {"version": 1, "status": "ready"})
        question = add(add(version, "questions"), "question", id=ident)
        layout = limits.matching_layout(q) if q.type is QuestionType.MATCHING else None
        fields(
            question,
            {
                "parent": 0,
                "name": limits.question_name(q),
                "questiontext": html_text(q.stem) + (layout.extra_html if layout else ""),
                "questiontextformat": HTML,
                "generalfeedback": html_text(q.feedback),
                "generalfeedbackformat": HTML,
                "defaultmark": f"{q.points:.7f}",
                "penalty": "1.0000000" if q.type is QuestionType.TRUE_FALSE else PENALTY,
                "qtype": QTYPE[q.type],
                "length": 1,
                "stamp": self.stamp("question", ident),
                "timecreated": self.when,
                "timemodified": self.when,
                "createdby": ADMIN,
                "modifiedby": ADMIN,
            },
        )
        plugin = add(question, f"plugin_qtype_{QTYPE[q.type]}_question")
        self._plugin(plugin, q, ident)
        group(group(question, "plugin_qbank_comment_question"), "comments")
        group(group(question, "plugin_qbank_customfields_question"), "customfields")
        group(question, "question_hints")
        tags = group(question, "tags")
        for order, competency in enumerate(q.competency_ids, start=1):
            tag = add(tags, "tag", id=ident * 100 + order)
            name = limits.tag_name(competency)
            fields(tag, {"name": name.lower(), "rawname": name})

    def _answers(self, plugin: etree._Element, rows: list[tuple[str, int, Fraction, str]]) -> list[int]:
        answers = group(plugin, "answers")
        ids = []
        for text, fmt, fraction, feedback in rows:
            ident = next(self._answer_ids)
            ids.append(ident)
            answer = add(answers, "answer", id=ident)
            fields(
                answer,
                {
                    "answertext": text,
                    "answerformat": fmt,
                    "fraction": fraction,
                    "feedback": html_text(feedback),
                    "feedbackformat": HTML,
                },
            )
        return ids

    def _plugin(self, plugin: etree._Element, q: Question, ident: int) -> None:
        combined = {
            "correctfeedback": "",
            "correctfeedbackformat": HTML,
            "partiallycorrectfeedback": "",
            "partiallycorrectfeedbackformat": HTML,
            "incorrectfeedback": "",
            "incorrectfeedbackformat": HTML,
        }
        if q.type in (QuestionType.MULTIPLE_CHOICE, QuestionType.MULTIPLE_RESPONSE):
            self._answers(
                plugin, [(inline_html(o.text), HTML, o.weight, o.feedback or "") for o in q.options]
            )
            options = add(plugin, "multichoice", id=ident)
            fields(
                options,
                {"layout": 0, "single": int(q.type is QuestionType.MULTIPLE_CHOICE), "shuffleanswers": 1}
                | combined
                | {"answernumbering": "abc", "shownumcorrect": 1, "showstandardinstruction": 1},
            )
        elif q.type is QuestionType.TRUE_FALSE:
            by_id = {o.id: o for o in q.options}
            rows = [
                (label, PLAIN, by_id[key].weight, by_id[key].feedback or "")
                for label, key in (("True", "true"), ("False", "false"))
            ]
            true_id, false_id = self._answers(plugin, rows)
            fields(
                add(plugin, "truefalse", id=ident),
                {"trueanswer": true_id, "falseanswer": false_id, "showstandardinstruction": 1},
            )
        elif q.type is QuestionType.MATCHING:
            layout = limits.matching_layout(q)
            fields(
                add(plugin, "matchoptions", id=ident),
                {"shuffleanswers": 1} | combined | {"shownumcorrect": 1},
            )
            matches = group(plugin, "matches")
            rows = [(plain_html(p.prompt), a) for p, a in zip(q.pairs, layout.answers, strict=True)]
            rows += [("", d) for d in layout.distractors]  # answers that match no prompt
            for prompt, answer in rows:
                match = add(matches, "match", id=next(self._sub_ids))
                fields(match, {"questiontext": prompt, "questiontextformat": HTML, "answertext": answer})
        elif q.type is QuestionType.SHORT_ANSWER:
            self._answers(plugin, [(a.text, PLAIN, Fraction(1), a.feedback or "") for a in q.answers])
            fields(add(plugin, "shortanswer", id=ident), {"usecase": int(q.case_sensitive)})
        elif q.type is QuestionType.ESSAY:
            fields(
                add(plugin, "essay", id=ident),
                {
                    "responseformat": "editor",
                    "responserequired": 1,
                    "responsefieldlines": 15,
                    "minwordlimit": None,
                    "maxwordlimit": None,
                    "attachments": 0,
                    "attachmentsrequired": 0,
                    "graderinfo": rubric_html(q, self.language),
                    "graderinfoformat": HTML,
                    "responsetemplate": html_text(q.response_template),
                    "responsetemplateformat": HTML,
                    "filetypeslist": None,
                    "maxbytes": 0,
                },
            )

        elif q.type is QuestionType.ORDERING:
            # The right order is the answers' order, which Moodle keeps in their fraction (1, 2, ...).
            self._answers(
                plugin, [(plain_html(step.text), HTML, Fraction(n), "") for n, step in enumerate(q.steps, 1)]
            )
            values: dict[str, Value] = {"layouttype": 0, "selecttype": 0, "selectcount": 0}
            values |= {"gradingtype": ORDERING_ALL_OR_NOTHING, "showgrading": 1, "numberingstyle": "none"}
            fields(add(plugin, "ordering", id=ident), values | combined | {"shownumcorrect": 1})
        elif q.type is QuestionType.NUMERICAL:
            assert q.numeric is not None
            rows = [(number(q.numeric.value), PLAIN, Fraction(1), "")]
            rows += [(number(w.value), PLAIN, Fraction(0), w.feedback or "") for w in q.wrong_values]
            answer_ids = self._answers(plugin, rows)
            units = group(plugin, "numerical_units")
            if q.numeric.unit:
                unit = add(units, "numerical_unit", id=ident)
                fields(unit, {"multiplier": "1.0000000000", "unit": limits.unit_name(q.numeric.unit)})
            option = add(group(plugin, "numerical_options"), "numerical_option", id=ident)
            showunits = UNIT_INPUT if q.numeric.unit else UNIT_NONE
            fields(
                option,
                {"showunits": showunits, "unitsleft": 0, "unitgradingtype": 0, "unitpenalty": "0.1000000"},
            )
            records = group(plugin, "numerical_records")
            tolerances = [q.numeric.tolerance] + [Decimal(0)] * len(q.wrong_values)
            for answer_id, tolerance in zip(answer_ids, tolerances, strict=True):
                fields(
                    add(records, "numerical_record", id=answer_id),
                    {"answer": answer_id, "tolerance": number(tolerance)},
                )

    def entries(self) -> Iterator[tuple[int, Question]]:
        for category in self.categories:
            yield from category.questions
