"""A module folder into the model: module.yaml (scope, audience, competencies, dependencies,
training materials, readings, discussion) and assessment.yaml (its objectives and items, kept raw
with their positions for builder.quiz).
"""

from __future__ import annotations

from pathlib import Path

from builder import i18n
from builder.course_files import ASSESSMENT_FILE, MODULE_FILE, CourseFiles
from builder.errors import CourseError, Pos
from builder.model import (
    Audience,
    AudienceRow,
    Competency,
    Dependency,
    Discussion,
    Module,
    ModuleQuiz,
    Section,
    TrainingMaterial,
)
from builder.overlay import module_doc
from builder.schema_messages import did_you_mean
from builder.yamlpos import YamlDoc


class ModuleReader(CourseFiles):
    """Reads module folders (the course loader in builder.load reads course.yaml and the rest)."""

    # --- documents ---------------------------------------------------------------------
    def module(self, folder: Path, doc: YamlDoc, competency_ids: dict[str, Pos]) -> Module:
        assessment, unreadable = self.assessment_doc(folder)
        d = doc.data
        if d["id"] != folder.name:
            self.out.error(
                doc.pos(("id",)),
                f"module id '{d['id']}' must equal its folder name '{folder.name}'",
            )
        self.unique(doc, ("sections",), d["sections"], "section")
        self.unique(doc, ("competencies",), d["competencies"], "competency", competency_ids)
        sections = tuple(
            Section(s["id"], s["title"], body, doc.pos(("sections", i)))
            for i, s in enumerate(d["sections"])
            if (body := self.markdown_file(doc, ("sections", i, "file"), s["file"])) is not None
        )
        audience = None
        if "audience" in d:
            a = d["audience"]
            audience = Audience(
                intro=self.markdown_file(doc, ("audience", "intro"), a["intro"]) if "intro" in a else None,
                notes=self.markdown_file(doc, ("audience", "notes"), a["notes"]) if "notes" in a else None,
                rows=tuple(
                    AudienceRow(
                        r["role"],
                        self.inline(doc, ("audience", "rows", i, "description"), r["description"])
                        if "description" in r
                        else None,
                        r.get("organisation_type"),
                        doc.pos(("audience", "rows", i)),
                    )
                    for i, r in enumerate(a["rows"])
                ),
            )
        if audience is not None and not (audience.intro or audience.notes or audience.rows):
            audience = None  # an empty audience table: no heading, no contents entry
        competencies = tuple(
            Competency(
                c["id"],
                c["title"],
                self.inline(doc, ("competencies", i, "description"), c["description"]),
                bool(c.get("derived", False)),
                d["id"],
                doc.pos(("competencies", i)),
            )
            for i, c in enumerate(d["competencies"])
        )
        dependencies = tuple(
            Dependency(
                dep.get("module"),
                dep.get("title"),
                self.inline(doc, ("dependencies", i, "description"), dep["description"]),
                doc.pos(("dependencies", i)),
            )
            for i, dep in enumerate(d.get("dependencies", []))
        )
        materials = tuple(
            TrainingMaterial(
                m["framework"],
                m["activity"],
                self.links_list(doc, ("training_materials", i, "resources"), m["resources"]),
                m.get("user_group"),
                m.get("licensing"),
                doc.pos(("training_materials", i)),
            )
            for i, m in enumerate(d.get("training_materials", []))
        )
        return Module(
            id=d["id"],
            title=d["title"],
            category_id=d["category"],
            summary=d["summary"],
            sections=sections,
            audience=audience,
            competencies=competencies,
            dependencies=dependencies,
            training_materials=materials,
            readings=self.links_list(doc, ("readings",), d.get("readings", [])),
            folder=folder,
            pos=doc.pos(()),
            quiz=self.module_quiz(doc, assessment, competencies, unreadable),
            discussion=self.discussion(doc),
            topics=tuple(d.get("topics", [])),
        )

    def discussion(self, doc: YamlDoc) -> Discussion | None:
        """The module's entry decides; without one, the course's ``discussions`` setting does."""
        entry = doc.data.get("discussion", {} if self.discussions else False)
        if entry is False:
            return None
        prompt = (
            self.markdown_file(doc, ("discussion", "prompt"), entry["prompt"]) if "prompt" in entry else None
        )
        title = entry.get("title") or i18n.tr(
            self.language, "Reflection: %(module)s", module=doc.data["title"]
        )
        return Discussion(title, prompt, doc.pos(("discussion",)))

    def module_quiz(
        self,
        doc: YamlDoc,
        assessment: YamlDoc | None,
        competencies: tuple[Competency, ...],
        unreadable: bool = False,
    ) -> ModuleQuiz:
        q = doc.data.get("quiz", {})
        if assessment is None:
            return ModuleQuiz(
                q.get("questions"), pos=doc.pos(()), settings_pos=doc.pos(("quiz",)), unreadable=unreadable
            )
        own = [c.id for c in competencies]
        seen: dict[str, Pos] = {}
        for i, objective in enumerate(assessment.data["objectives"]):
            pos = assessment.pos(("objectives", i, "competency"))
            if objective["competency"] not in own:
                self.out.error(
                    pos,
                    f"unknown competency '{objective['competency']}'"
                    f"{did_you_mean(objective['competency'], own)}; an objective assesses a "
                    f"competency of its own module: {', '.join(own)}",
                )
            elif objective["competency"] in seen:
                self.out.error(
                    pos,
                    f"competency '{objective['competency']}' has a second objective "
                    f"(first at {seen[objective['competency']]}); put all its items under one",
                )
            else:
                seen[objective["competency"]] = pos
        ids: dict[str, Pos] = {}
        for i, objective in enumerate(assessment.data["objectives"]):
            for kind in ("items", "models"):
                self.unique(assessment, ("objectives", i, kind), objective.get(kind, []), "item", ids)
        return ModuleQuiz(
            questions=q.get("questions"),
            assessment=assessment.data,
            positions=assessment.values,
            pos=assessment.pos(()),
            settings_pos=doc.pos(("quiz",)),
        )

    def assessment_doc(self, folder: Path) -> tuple[YamlDoc | None, bool]:
        """The module's assessment.yaml, schema-checked, and whether one is there but unusable
        (its problems recorded)."""
        if self.overlay is not None:
            try:
                merged = module_doc(self.overlay, folder.name, ASSESSMENT_FILE)
            except CourseError as exc:
                self.out.problems.extend(exc.problems)
                return None, True
            doc = self.checked(merged, "assessment.schema.json")
            return doc, merged is not None and doc is None
        file = folder / ASSESSMENT_FILE
        if not file.is_file():
            return None, False
        if not file.resolve().is_relative_to(self.root):
            self.out.error(Pos(file), f"{ASSESSMENT_FILE} is a link to a file outside the course")
            return None, True
        doc = self.yaml(file, "assessment.schema.json")
        return doc, doc is None

    def check_dependencies(self, module_id: str, mdoc: YamlDoc, known: list[str]) -> None:
        for i, dep in enumerate(mdoc.data.get("dependencies", [])):
            target = dep.get("module")
            if target is not None and self.overlay and target in self.overlay.dropped_modules:
                self.out.error(
                    mdoc.pos(("dependencies", i, "module")),
                    f"depends on module '{target}', which the overlay drops; give this module's "
                    f"`dependencies` without it in the overlay's modules/{module_id}/{MODULE_FILE}",
                )
            elif target is not None and target not in known:
                self.out.error(
                    mdoc.pos(("dependencies", i, "module")),
                    f"dependency on unknown module '{target}'{did_you_mean(target, known)}; "
                    f"known: {', '.join(known)}",
                )
            elif target == module_id:
                self.out.error(mdoc.pos(("dependencies", i, "module")), "a module cannot depend on itself")
