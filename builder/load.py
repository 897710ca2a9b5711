"""Load a course folder (course.yaml, modules/*/module.yaml, Markdown) into the typed model.

Strict by design: unknown keys, wrong types, duplicate ids, dangling references and missing or
empty files are all errors with ``path:line:col`` so the author can fix them in one pass.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

import jsonschema

from builder import limits, markdown
from builder.attachments import attachment_problem
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
from builder.paths import SCHEMAS
from builder.yamlpos import FORBIDDEN_CHARS, YamlDoc, forbidden_char, load_yaml

MODULE_FILE = "module.yaml"
COURSE_FILE = "course.yaml"


@cache
def _validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / name).read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "document"


def _schema_problems(doc: YamlDoc, schema_name: str) -> list[Problem]:
    problems = []
    validator = _validator(schema_name)
    for err in validator.iter_errors(doc.data):
        path = tuple(err.absolute_path)
        where = _dotted(path)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            for key in sorted(set(err.instance) - allowed):
                problems.append(
                    Problem(
                        doc.pos((*path, key), key=True),
                        f"unknown key '{key}' in {where}; allowed keys: {', '.join(sorted(allowed))}",
                    )
                )
            continue
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else err.message
            problems.append(Problem(doc.pos(path), f"{where}: missing required key '{missing}'"))
            continue
        hint = err.schema.get("description") if isinstance(err.schema, dict) else None
        message = {
            "pattern": f"{err.instance!r} has the wrong form" + (f" ({hint})" if hint else ""),
            "minLength": "must not be empty",
            "minItems": "must list at least one entry",
            "type": f"must be {_a(err.validator_value)}, not {_a(type(err.instance).__name__)}",
        }.get(str(err.validator), err.message)
        problems.append(Problem(doc.pos(path), f"{where}: {message}"))
    return problems


def _a(type_name: object) -> str:
    names = {
        "string": "text",
        "str": "text",
        "integer": "a whole number",
        "int": "a whole number",
        "object": "a mapping",
        "dict": "a mapping",
        "array": "a list",
        "list": "a list",
        "boolean": "true or false",
        "bool": "true or false",
        "NoneType": "empty",
        "float": "a number",
    }
    if isinstance(type_name, list):
        return " or ".join(names.get(t, t) for t in type_name)
    return names.get(str(type_name), str(type_name))


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.out = Collector()
        self.attachments: set[Path] = set()
        self.discussions = False  # course.yaml's default for modules without a discussion entry
        self.page_links: list[tuple[Path, Pos]] = []  # links to .md/.yaml/folders, checked once all are known

    # --- files -------------------------------------------------------------------------
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
            self.out.error(pos, f"file '{rel}' not found (looked for {target.relative_to(self.root)})")
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
        else:
            self.attachments.add(rel)

    def check_page_links(self, pages, categories, modules) -> None:  # type: ignore[no-untyped-def]
        """Links between course files must land on something that becomes a page."""
        known = {Path("."), Path(COURSE_FILE)}
        known |= {p.body.pos.file.relative_to(self.root) for p in pages}
        known |= {c.intro.pos.file.relative_to(self.root) for c in categories}
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
            quiz=self.module_quiz(doc, competencies),
            discussion=self.discussion(doc),
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

    def module_quiz(self, doc: YamlDoc, competencies: tuple[Competency, ...]) -> ModuleQuiz:
        q = doc.data.get("quiz", {})
        authored = q.get("authored", [])
        self.unique(doc, ("quiz", "authored"), authored, "quiz question")
        own = [c.id for c in competencies]
        for i, question in enumerate(authored):
            for j, competency_id in enumerate(question["competencies"]):
                if competency_id not in own:
                    self.out.error(
                        doc.pos(("quiz", "authored", i, "competencies", j)),
                        f"unknown competency '{competency_id}'; a quiz question checks competencies "
                        f"of its own module: {', '.join(own)}",
                    )
        return ModuleQuiz(
            questions=q.get("questions"),
            generators=tuple(q["generators"]) if "generators" in q else None,
            authored=tuple(authored),
            # Relative to ``quiz`` so builder.quiz can report authored mistakes where they are written.
            positions={path[1:]: pos for path, pos in doc.values.items() if path[:1] == ("quiz",)},
            pos=doc.pos(("quiz",)),
        )

    def course(self) -> Course:
        course_file = self.root / COURSE_FILE
        if not course_file.is_file():
            raise CourseError([Problem(Pos(course_file), f"no {COURSE_FILE} here; is this a course folder?")])
        doc = load_yaml(course_file)
        problems = _schema_problems(doc, "course.schema.json") or limits.course_problems(doc)
        if problems:
            raise CourseError(problems)
        d = doc.data
        if d["id"] != self.root.name:
            self.out.error(
                doc.pos(("id",)),
                f"course id '{d['id']}' must equal its folder name '{self.root.name}'",
            )
        self.unique(doc, ("categories",), d["categories"], "category")
        self.unique(doc, ("pages",), d.get("pages", []), "page")

        listed: dict[str, tuple[str, Pos]] = {}
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
        schema_problems: list[Problem] = []
        for module_id, (_, pos) in listed.items():
            file = self.root / "modules" / module_id / MODULE_FILE
            if problem := limits.path_problem(file):
                self.out.error(pos, f"modules/{module_id}/{MODULE_FILE} {problem}")
                continue
            if not file.is_file():
                self.out.error(pos, f"module '{module_id}' has no modules/{module_id}/{MODULE_FILE}")
                continue
            if not file.resolve().is_relative_to(self.root):
                self.out.error(
                    pos, f"modules/{module_id}/{MODULE_FILE} is a link to a file outside the course"
                )
                continue
            try:
                mdoc = load_yaml(file)
            except CourseError as exc:
                schema_problems.extend(exc.problems)
                continue
            found = _schema_problems(mdoc, "module.schema.json") or limits.module_problems(mdoc)
            schema_problems.extend(found)
            if not found:
                module_docs[module_id] = mdoc
        modules_dir = self.root / "modules"
        if modules_dir.is_dir():
            for folder in sorted(p for p in modules_dir.iterdir() if p.is_dir()):
                if folder.name not in listed:
                    self.out.error(
                        Pos(folder / MODULE_FILE),
                        f"module folder '{folder.name}' is not listed in any category of {COURSE_FILE}",
                    )
        if schema_problems:
            raise CourseError([*schema_problems, *self.out.problems])

        competency_ids: dict[str, Pos] = {}
        self.discussions = d.get("discussions", False)
        modules = {
            mid: self.module(self.root / "modules" / mid, mdoc, competency_ids)
            for mid, mdoc in module_docs.items()
        }
        for module_id, mdoc in module_docs.items():
            expected = listed[module_id][0]
            if mdoc.data["category"] != expected:
                self.out.error(
                    mdoc.pos(("category",)),
                    f"category '{mdoc.data['category']}' differs from the category that lists this "
                    f"module in {COURSE_FILE} ('{expected}')",
                )
            for i, dep in enumerate(mdoc.data.get("dependencies", [])):
                target = dep.get("module")
                if target is not None and target not in listed:
                    self.out.error(
                        mdoc.pos(("dependencies", i, "module")),
                        f"dependency on unknown module '{target}'; known: {', '.join(listed)}",
                    )
                elif target == module_id:
                    self.out.error(
                        mdoc.pos(("dependencies", i, "module")), "a module cannot depend on itself"
                    )

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
        self.out.raise_if_any()
        quiz = d.get("quiz", {})
        return Course(
            id=d["id"],
            title=d["title"],
            version=d["version"],
            release_date=date.fromisoformat(d["release_date"]),
            language=d["language"],
            description=d["description"],
            licence=Link(d["licence"]["name"], d["licence"].get("url"), doc.pos(("licence",))),
            publisher=Link(d["publisher"]["name"], d["publisher"].get("url"), doc.pos(("publisher",))),
            authors=tuple(d.get("authors", [])),
            keywords=tuple(d.get("keywords", [])),
            source=Link(d["source"]["title"], d["source"].get("url"), doc.pos(("source",)))
            if "source" in d
            else None,
            pages=pages,
            categories=categories,
            modules=tuple(modules[m] for c in categories for m in c.module_ids),
            quiz=QuizSettings(
                seed=quiz.get("seed", 0),
                pass_mark=quiz.get("pass_mark", 80),
                attempts=quiz.get("attempts", 0),
            ),
            root=self.root,
            pos=doc.pos(()),
            attachments=frozenset(self.attachments),
        )


def load_course(path: Path | str) -> Course:
    """Load and check a course; raises CourseError listing every problem found."""
    root = Path(path).resolve()
    if root.is_file() and root.name == COURSE_FILE:
        root = root.parent
    if not root.is_dir():
        raise CourseError([Problem(Pos(root), "course folder not found")])
    return _Loader(root).course()
