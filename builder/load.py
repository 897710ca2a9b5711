"""Load a course folder (course.yaml, modules/*/module.yaml, Markdown) into the typed model.

Strict by design: unknown keys, wrong types, duplicate ids, dangling references and missing or
empty files are all errors with ``path:line:col`` so the author can fix them in one pass.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from builder import limits, markdown
from builder.attachments import attachment_problem, image_problem
from builder.errors import Collector, CourseError, Pos, Problem
from builder.model import (
    Audience,
    AudienceRow,
    Category,
    Competency,
    Course,
    Dependency,
    Discussion,
    Link,
    Markdown,
    Module,
    ModuleQuiz,
    Page,
    QuizSettings,
    Section,
    TrainingMaterial,
)
from builder.schema_messages import did_you_mean, schema_problems
from builder.yamlpos import FORBIDDEN_CHARS, YamlDoc, forbidden_char, load_yaml

MODULE_FILE = "module.yaml"
ASSESSMENT_FILE = "assessment.yaml"  # beside module.yaml: objectives, items and item models
COURSE_FILE = "course.yaml"
LIMIT_CHECKS = {
    "course.schema.json": limits.course_problems,
    "module.schema.json": limits.module_problems,
    "assessment.schema.json": lambda doc: [],
}


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = Collector()
        self.attachments: set[Path] = set()
        self.discussions = False  # course.yaml's default for modules without a discussion entry
        self.page_links: list[tuple[Path, Pos]] = []  # links to .md/.yaml/folders, checked once all are known
        self.listed: dict[str, tuple[str, Pos]] = {}  # module id -> (category id, where course.yaml lists it)

    # --- files -------------------------------------------------------------------------
    def yaml(self, file: Path, schema_name: str) -> YamlDoc | None:
        """A YAML file that parses and fits its JSON Schema, else None (its problems recorded)."""
        try:
            doc = load_yaml(file)
        except CourseError as exc:
            self.out.problems.extend(exc.problems)
            return None
        found = schema_problems(doc, schema_name) or LIMIT_CHECKS[schema_name](doc)
        self.out.problems.extend(found)
        return None if found else doc

    def markdown_file(self, doc: YamlDoc, path: tuple[str | int, ...], rel: str) -> Markdown | None:
        pos = doc.pos(path)
        if problem := limits.path_problem(doc.file.parent / rel):
            self.out.error(pos, f"'{rel}' {problem}")
            return None
        target = (doc.file.parent / rel).resolve()
        if not target.is_relative_to(self.root):
            self.out.error(
                pos,
                f"'{rel}' is outside the course folder; keep course files inside {self.root.name}/",
            )
            return None
        if not target.is_file():
            siblings = [f.name for f in target.parent.iterdir()] if target.parent.is_dir() else []
            hint = did_you_mean(target.name, siblings)
            self.out.error(pos, f"file '{rel}' not found (looked for {target.relative_to(self.root)}){hint}")
            return None
        if problem := limits.size_problem(target, limits.MAX_MARKDOWN_BYTES, f"'{rel}'"):
            self.out.error(pos, problem)
            return None
        try:
            text = target.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.out.error(Pos(target), f"not valid UTF-8 ({exc.reason}); save the file as UTF-8")
            return None
        if long := limits.long_line(text):
            self.out.error(Pos(target, long[0], long[1]), long[2])
            return None
        if not text.strip():
            self.out.error(pos, f"file '{rel}' is empty; write its content or remove the entry")
            return None
        if bad := forbidden_char(text):
            before = text[: FORBIDDEN_CHARS.search(text).start()]  # type: ignore[union-attr]
            at = Pos(target, before.count("\n") + 1, len(before) - before.rfind("\n"))
            self.out.error(at, f"the control character {bad} cannot be carried by any package; remove it")
            return None
        body = Markdown(text, Pos(target), target.parent)
        self.check_links(body, inline=False)
        return body

    def inline(self, doc: YamlDoc, path: tuple[str | int, ...], text: str) -> Markdown:
        if long := limits.long_line(text):
            self.out.error(doc.pos(path), f"text {long[2]}")
            text = ""
        body = Markdown(text, doc.pos(path), doc.file.parent)
        self.check_links(body, inline=True)
        return body

    def check_links(self, body: Markdown, *, inline: bool) -> None:
        for ref in markdown.links(body.text, body.pos, inline=inline):
            if ref.scheme and ref.scheme not in markdown.SAFE_SCHEMES:
                self.out.error(
                    ref.pos,
                    f"link '{ref.target}' uses the unsafe scheme '{ref.scheme}:'; "
                    "use an http(s) address or a relative path inside the course",
                )
            elif ref.image and not ref.is_relative:
                self.out.error(
                    ref.pos,
                    f"image '{ref.target}' is not a file of the course; packages load nothing from the "
                    "internet: save the image in the course folder and link it by a relative path",
                )
            elif ref.is_relative:
                self.check_relative(ref, body)
            elif ref.target.startswith("/") or ref.target.startswith("//"):
                self.out.error(
                    ref.pos,
                    f"link '{ref.target}' is absolute; use a relative path inside the course",
                )

    def check_relative(self, ref: markdown.LinkRef, body: Markdown) -> None:
        rel = markdown.resolve_relative(ref, body.base, self.root)
        if rel is None:
            if not ref.target.startswith("#"):
                self.out.error(ref.pos, f"link '{ref.target}' points outside the course folder")
            return
        full = self.root / rel
        if problem := limits.path_problem(full):
            self.out.error(ref.pos, f"link '{ref.target}' {problem}")
        elif not full.exists():
            self.out.error(ref.pos, f"link '{ref.target}' points to a missing file ({rel})")
        elif not full.resolve().is_relative_to(self.root):
            self.out.error(
                ref.pos, f"link '{ref.target}' leads outside the course folder through a symbolic link"
            )
        elif full.is_dir() or rel.suffix in (".md", ".yaml"):
            self.page_links.append((rel, ref.pos))
        elif problem := attachment_problem(full, rel):
            self.out.error(ref.pos, f"link '{ref.target}': {problem}")
        elif ref.image and (problem := image_problem(full)):
            self.out.error(ref.pos, f"image '{ref.target}' {problem}")
        else:
            self.attachments.add(rel)

    def check_page_links(self, pages, categories, modules) -> None:  # type: ignore[no-untyped-def]
        """Links between course files must land on something that becomes a page."""
        known = {Path("."), Path(COURSE_FILE)}
        known |= {p.body.pos.file.relative_to(self.root) for p in pages}
        known |= {c.intro.pos.file.relative_to(self.root) for c in categories}
        for module_id in self.listed:  # a module whose module.yaml is broken is reported once, there
            known |= {Path("modules", module_id), Path("modules", module_id, MODULE_FILE)}
        for m in modules:
            folder = m.folder.relative_to(self.root)
            known |= {folder, folder / MODULE_FILE}
            known |= {s.body.pos.file.relative_to(self.root) for s in m.sections}
        for rel, pos in self.page_links:
            if rel not in known:
                self.out.error(
                    pos,
                    f"link to '{rel.as_posix()}', which is not a page, category intro, "
                    "module or module section; link to one of those",
                )

    # --- shared pieces -----------------------------------------------------------------
    def links_list(self, doc: YamlDoc, path: tuple[str | int, ...], items: list[dict]) -> tuple[Link, ...]:
        return tuple(
            Link(item["title"], item.get("url"), doc.pos((*path, i))) for i, item in enumerate(items)
        )

    def unique(
        self,
        doc: YamlDoc,
        path: tuple[str | int, ...],
        items: list[dict],
        what: str,
        seen: dict[str, Pos] | None = None,
    ) -> None:
        seen = {} if seen is None else seen
        for i, item in enumerate(items):
            pos = doc.pos((*path, i, "id"))
            if item["id"] in seen:
                self.out.error(pos, f"duplicate {what} id '{item['id']}' (first used at {seen[item['id']]})")
            else:
                seen[item["id"]] = pos

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
        title = entry.get("title", f"Reflection: {doc.data['title']}")
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
            if target is not None and target not in known:
                self.out.error(
                    mdoc.pos(("dependencies", i, "module")),
                    f"dependency on unknown module '{target}'{did_you_mean(target, known)}; "
                    f"known: {', '.join(known)}",
                )
            elif target == module_id:
                self.out.error(mdoc.pos(("dependencies", i, "module")), "a module cannot depend on itself")

    def provisional(self, course_file: Path, modules: tuple[Module, ...]) -> Course:
        """A stand-in course around the modules that loaded while course.yaml is broken, so lint can
        still check their quizzes and content; never built (its problems make loading fail)."""
        nobody = Link(self.root.name, None, Pos(course_file))
        return Course(
            id=self.root.name,
            title=self.root.name,
            version="0",
            release_date=date(2000, 1, 1),
            language="en",
            description="",
            licence=nobody,
            publisher=None,
            authors=(),
            keywords=(),
            source=None,
            pages=(),
            categories=(),
            modules=modules,
            quiz=QuizSettings(),
            root=self.root,
            pos=Pos(course_file),
            attachments=frozenset(self.attachments),
        )

    def course(self) -> Course:
        """The course (provisional when course.yaml is unusable). Problems go to ``self.out``; with a
        broken module.yaml the other modules are still checked, so one run lists everything."""
        course_file = self.root / COURSE_FILE
        if not course_file.is_file():
            raise CourseError([Problem(Pos(course_file), f"no {COURSE_FILE} here; is this a course folder?")])
        doc = self.yaml(course_file, "course.schema.json")
        modules_dir = self.root / "modules"
        folders = sorted(p.name for p in modules_dir.iterdir() if p.is_dir()) if modules_dir.is_dir() else []
        if doc is None:
            # Still check every module folder, so fixing course.yaml does not reveal a second round.
            found: dict[str, Module] = {}
            for name in folders:
                if (modules_dir / name / MODULE_FILE).is_file():
                    mdoc = self.yaml(modules_dir / name / MODULE_FILE, "module.schema.json")
                    if mdoc is not None:
                        found[name] = self.module(modules_dir / name, mdoc, {})
                        self.check_dependencies(name, mdoc, folders)
            return self.provisional(course_file, tuple(found.values()))
        d = doc.data
        if d["id"] != self.root.name:
            self.out.error(
                doc.pos(("id",)),
                f"course id '{d['id']}' must equal its folder name '{self.root.name}'",
            )
        self.unique(doc, ("categories",), d["categories"], "category")
        self.unique(doc, ("pages",), d.get("pages", []), "page")

        listed = self.listed
        for ci, cat in enumerate(d["categories"]):
            for mi, module_id in enumerate(cat["modules"]):
                pos = doc.pos(("categories", ci, "modules", mi))
                if module_id in listed:
                    self.out.error(
                        pos,
                        f"module '{module_id}' is listed twice (first at {listed[module_id][1]})",
                    )
                else:
                    listed[module_id] = (cat["id"], pos)

        module_docs: dict[str, YamlDoc] = {}
        for module_id, (_, pos) in listed.items():
            file = self.root / "modules" / module_id / MODULE_FILE
            if problem := limits.path_problem(file):
                self.out.error(pos, f"modules/{module_id}/{MODULE_FILE} {problem}")
                continue
            if not file.is_file():
                unlisted = [f for f in folders if f not in listed]
                self.out.error(
                    pos,
                    f"module '{module_id}' has no modules/{module_id}/{MODULE_FILE}"
                    + did_you_mean(module_id, unlisted),
                )
                continue
            if not file.resolve().is_relative_to(self.root):
                self.out.error(
                    pos, f"modules/{module_id}/{MODULE_FILE} is a link to a file outside the course"
                )
                continue
            if (mdoc := self.yaml(file, "module.schema.json")) is not None:
                module_docs[module_id] = mdoc
        for name in folders:
            if name not in listed:
                self.out.error(
                    Pos(modules_dir / name / MODULE_FILE),
                    f"module folder '{name}' is not listed in any category of {COURSE_FILE}",
                )

        competency_ids: dict[str, Pos] = {}
        self.discussions = d.get("discussions", False)
        modules = {
            mid: self.module(self.root / "modules" / mid, mdoc, competency_ids)
            for mid, mdoc in module_docs.items()
        }
        category_ids = [c["id"] for c in d["categories"]]
        for module_id, mdoc in module_docs.items():
            expected = listed[module_id][0]
            if mdoc.data["category"] != expected:
                self.out.error(
                    mdoc.pos(("category",)),
                    f"category '{mdoc.data['category']}' differs from the category that lists this "
                    f"module in {COURSE_FILE} ('{expected}')"
                    + (
                        did_you_mean(mdoc.data["category"], category_ids)
                        if mdoc.data["category"] not in category_ids
                        else ""
                    ),
                )
            self.check_dependencies(module_id, mdoc, list(listed))

        categories = tuple(
            Category(
                c["id"],
                c["title"],
                intro,
                tuple(c["modules"]),
                self.links_list(doc, ("categories", i, "readings"), c.get("readings", [])),
                doc.pos(("categories", i)),
            )
            for i, c in enumerate(d["categories"])
            if (intro := self.markdown_file(doc, ("categories", i, "intro"), c["intro"])) is not None
        )
        pages = tuple(
            Page(p["id"], p["title"], body, doc.pos(("pages", i)))
            for i, p in enumerate(d.get("pages", []))
            if (body := self.markdown_file(doc, ("pages", i, "file"), p["file"])) is not None
        )
        self.check_page_links(pages, categories, modules.values())
        quiz = d.get("quiz", {})
        return Course(
            id=d["id"],
            title=d["title"],
            version=d["version"],
            release_date=date.fromisoformat(d["release_date"]),
            language=d["language"],
            description=d["description"],
            licence=Link(d["licence"]["name"], d["licence"].get("url"), doc.pos(("licence",))),
            publisher=Link(d["publisher"]["name"], d["publisher"].get("url"), doc.pos(("publisher",)))
            if "publisher" in d
            else None,
            authors=tuple(d.get("authors", [])),
            keywords=tuple(d.get("keywords", [])),
            source=Link(d["source"]["title"], d["source"].get("url"), doc.pos(("source",)))
            if "source" in d
            else None,
            pages=pages,
            categories=categories,
            modules=tuple(modules[m] for c in categories for m in c.module_ids if m in modules),
            quiz=QuizSettings(
                seed=quiz.get("seed", 0),
                pass_mark=quiz.get("pass_mark", 80),
                attempts=quiz.get("attempts", 0),
            ),
            root=self.root,
            pos=doc.pos(()),
            attachments=frozenset(self.attachments),
        )


def _root(path: Path | str) -> Path:
    root = Path(path).resolve()
    if root.is_file() and root.name == COURSE_FILE:
        root = root.parent
    if not root.is_dir():
        raise CourseError([Problem(Pos(root), "course folder not found")])
    return root


def check_course(path: Path | str) -> tuple[Course, list[Problem]]:
    """Load as far as possible and return every problem found (for lint). With problems, the course
    lacks the broken parts (a provisional one around the modules when course.yaml is unusable)."""
    loader = _Loader(_root(path))
    course = loader.course()
    return course, loader.out.problems


def load_course(path: Path | str) -> Course:
    """Load and check a course; raises CourseError listing every problem found."""
    course, problems = check_course(path)
    if problems:
        raise CourseError(problems)
    return course
