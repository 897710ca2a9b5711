"""Load a course folder (course.yaml, modules/*/module.yaml, Markdown) into the typed model.

Strict by design: unknown keys, wrong types, duplicate ids, dangling references and missing or
empty files are all errors with ``path:line:col`` so the author can fix them in one pass.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from builder import limits
from builder.attachments import image_problem
from builder.course_files import ASSESSMENT_FILE, COURSE_FILE, MIN_CONTRAST, MODULE_FILE
from builder.errors import CourseError, Pos, Problem
from builder.model import (
    Branding,
    Category,
    Course,
    Link,
    Module,
    Page,
    QuizSettings,
)
from builder.module_reader import ModuleReader
from builder.overlay import compose_course, module_doc, module_folders
from builder.schema_messages import did_you_mean
from builder.yamlpos import YamlDoc, load_yaml

__all__ = ["ASSESSMENT_FILE", "COURSE_FILE", "MODULE_FILE", "check_course", "contrast", "load_course"]


def contrast(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class _Loader(ModuleReader):
    """The whole course: course.yaml, its categories, pages and modules, branding, overlays."""

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
            layers=self.layers,
        )

    def branding(self, doc: YamlDoc) -> Branding:
        """``branding`` of course.yaml: the logo must be an image of the course, colours readable."""
        b = doc.data.get("branding", {})
        colours = b.get("colours", {})
        for name, background in (("accent", "#ffffff"), ("header", None)):
            colour = colours.get(name)
            if colour is None:
                continue
            pair = (colour, background) if background else ("#ffffff", colour)
            if (ratio := contrast(*pair)) < MIN_CONTRAST:
                what = "on white" if background else "behind white text"
                self.out.error(
                    doc.pos(("branding", "colours", name)),
                    f"colour {colour} has a contrast of {ratio:.1f}:1 {what}; WCAG AA needs "
                    f"{MIN_CONTRAST}:1: choose a darker colour",
                )
        logo = None
        if "logo" in b:
            pos = doc.pos(("branding", "logo"))
            path = pos.file.parent / b["logo"]
            if not self.inside(path):
                self.out.error(pos, f"logo '{b['logo']}' is outside the course folder")
            else:
                rel = self.rel(path)
                full = self.find(rel)
                if not full.is_file():
                    self.out.error(pos, f"logo '{b['logo']}' not found (looked for {rel})")
                elif problem := image_problem(full):
                    self.out.error(pos, f"logo '{b['logo']}' {problem}")
                else:
                    logo = rel
                    self.attachments.add(rel)
        return Branding(
            b.get("institution"), logo, colours.get("accent"), colours.get("header"), b.get("footer")
        )

    def course_doc(self, course_file: Path) -> YamlDoc | None:
        """course.yaml, merged over its base's when it extends another course, schema-checked."""
        try:
            doc = load_yaml(course_file)
            self.extends = isinstance(doc.data, dict) and "extends" in doc.data
            if self.extends:
                doc, self.overlay = compose_course(doc, self.root)
                self.layers = self.overlay.layers
        except CourseError as exc:
            self.out.problems.extend(exc.problems)
            return None
        return self.checked(doc, "course.schema.json", limits.course_problems)

    def module_yaml(self, folder: Path) -> YamlDoc | None:
        """A module's module.yaml (the overlay's merged over the base's), schema-checked."""
        if self.overlay is None:
            file = folder / MODULE_FILE
            return self.yaml(file, "module.schema.json", limits.module_problems) if file.is_file() else None
        try:
            doc = module_doc(self.overlay, folder.name, MODULE_FILE)
        except CourseError as exc:
            self.out.problems.extend(exc.problems)
            return None
        if doc is None:
            self.out.error(Pos(folder / MODULE_FILE), f"module folder '{folder.name}' has no {MODULE_FILE}")
        return self.checked(doc, "module.schema.json", limits.module_problems)

    def course(self) -> Course:
        """The course (provisional when course.yaml is unusable). Problems go to ``self.out``; with a
        broken module.yaml the other modules are still checked, so one run lists everything."""
        course_file = self.root / COURSE_FILE
        if not course_file.is_file():
            raise CourseError([Problem(Pos(course_file), f"no {COURSE_FILE} here; is this a course folder?")])
        doc = self.course_doc(course_file)
        modules_dir = self.root / "modules"
        if self.overlay is not None:
            module_dirs = module_folders(self.overlay)
        else:
            module_dirs = (
                {p.name: p for p in sorted(modules_dir.iterdir()) if p.is_dir()}
                if modules_dir.is_dir()
                else {}
            )
        folders = sorted(module_dirs)
        if doc is None and self.extends and self.overlay is None:
            # An overlay whose base cannot be read: its module files are partial, nothing to check.
            return self.provisional(course_file, ())
        if doc is None:
            # Still check every module folder, so fixing course.yaml does not reveal a second round.
            found: dict[str, Module] = {}
            for name in folders:
                if (mdoc := self.module_yaml(module_dirs[name])) is not None:
                    found[name] = self.module(module_dirs[name], mdoc, {})
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
            file = module_dirs.get(module_id, modules_dir / module_id) / MODULE_FILE
            if self.overlay is not None and module_id in module_dirs:
                if (mdoc := self.module_yaml(module_dirs[module_id])) is not None:
                    module_docs[module_id] = mdoc
                continue
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
            if (mdoc := self.yaml(file, "module.schema.json", limits.module_problems)) is not None:
                module_docs[module_id] = mdoc
        for name in folders:
            if name not in listed:
                self.out.error(
                    Pos(module_dirs[name] / MODULE_FILE),
                    f"module folder '{name}' is not listed in any category of {COURSE_FILE}",
                )

        competency_ids: dict[str, Pos] = {}
        self.discussions = d.get("discussions", False)
        self.language = self.translation or d["language"]
        modules = {
            mid: self.module(module_dirs.get(mid, modules_dir / mid), mdoc, competency_ids)
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
        branding = self.branding(doc)
        quiz = d.get("quiz", {})
        translated = self.translation not in (None, d["language"])
        return Course(
            # A translation is a package of its own beside the original's: same content ids,
            # its own package and framework identifiers, so one LMS can offer both.
            id=f"{d['id']}-{self.translation}" if translated else d["id"],
            title=d["title"],
            version=d["version"],
            release_date=date.fromisoformat(d["release_date"]),
            language=self.translation if translated else d["language"],
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
            layers=self.layers,
            overlay=self.overlay,
            branding=branding,
            framework_name=d.get("framework_name"),
        )


def _root(path: Path | str) -> Path:
    root = Path(path).resolve()
    if root.is_file() and root.name == COURSE_FILE:
        root = root.parent
    if not root.is_dir():
        raise CourseError([Problem(Pos(root), "course folder not found")])
    return root


def check_course(path: Path | str, language: str | None = None) -> tuple[Course, list[Problem]]:
    """Load as far as possible and return every problem found (for lint). With problems, the course
    lacks the broken parts (a provisional one around the modules when course.yaml is unusable).
    ``language``: the course in that language, from its translated sources (``*.<language>.yaml``,
    ``*.<language>.md``)."""
    loader = _Loader(_root(path), language)
    course = loader.course()
    return course, loader.out.problems


def load_course(path: Path | str, language: str | None = None) -> Course:
    """Load and check a course (in ``language`` from its translations); raises CourseError listing
    every problem found."""
    course, problems = check_course(path, language)
    if problems:
        raise CourseError(problems)
    return course
