"""The files of a course folder as the loader reads them: layered folders (an overlay and its
base), YAML documents checked against the course JSON Schemas, Markdown files and inline texts with
their links checked, and the pieces every document shares (link lists, unique ids).

Every problem goes to one Collector with its ``path:line:col``, so all are reported in one pass.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from builder import limits, markdown
from builder.attachments import attachment_problem, image_problem
from builder.errors import Collector, CourseError, Pos, Problem
from builder.model import (
    Link,
    Markdown,
)
from builder.overlay import Overlay, merge
from builder.schema_messages import did_you_mean, schema_problems
from builder.yamlpos import FORBIDDEN_CHARS, YamlDoc, forbidden_char, load_yaml

MODULE_FILE = "module.yaml"
ASSESSMENT_FILE = "assessment.yaml"  # beside module.yaml: objectives, items and item models
COURSE_FILE = "course.yaml"
MIN_CONTRAST = 4.5  # WCAG 2.1 AA, normal text


class CourseFiles:
    """What every part of the loader reads through: the folders, the documents, the problems."""

    def __init__(self, root: Path, translation: str | None = None) -> None:
        self.root = root
        # Build in this language from the course's translated sources (module.fr.yaml beside
        # module.yaml, scope.fr.md beside scope.md...); None: the course's own language.
        self.translation = translation
        self.out = Collector()
        self.attachments: set[Path] = set()
        self.discussions = False  # course.yaml's default for modules without a discussion entry
        self.page_links: list[tuple[Path, Pos]] = []  # links to .md/.yaml/folders, checked once all are known
        self.listed: dict[str, tuple[str, Pos]] = {}  # module id -> (category id, where course.yaml lists it)
        self.overlay: Overlay | None = None  # set when course.yaml extends another course
        self.language = "en"  # the course's, once course.yaml is read: generated titles use it
        self.layers: tuple[Path, ...] = (root,)  # folders course files are looked up in, first wins
        self.extends = False  # course.yaml names a base course (its module files are partial)
        self._resolved: dict[Path, Path] = {}

    # --- layered course folders (an overlay and its base) ------------------------------
    def resolved(self, path: Path) -> Path:
        """``path.resolve()``, once per path and load (a file is looked up several times)."""
        found = self._resolved.get(path)
        if found is None:
            found = self._resolved[path] = path.resolve()
        return found

    def layer_of(self, path: Path) -> Path:
        """The course folder (overlay or base) a path lies in; the course's own when none."""
        resolved = self.resolved(path)
        return next((layer for layer in self.layers if resolved.is_relative_to(layer)), self.root)

    def inside(self, path: Path) -> bool:
        resolved = self.resolved(path)
        return any(resolved.is_relative_to(layer) for layer in self.layers)

    def rel(self, path: Path) -> Path:
        """A path inside the course as a course-relative path, whichever layer holds it."""
        return self.resolved(path).relative_to(self.layer_of(path))

    def find(self, rel: Path) -> Path:
        """The file a course-relative path names: the overlay's if it has one, else the base's."""
        return self.overlay.find(rel) if self.overlay else self.root / rel

    def translated_doc(self, doc: YamlDoc) -> YamlDoc:
        """``doc`` with its translation (``name.<lang>.yaml`` beside it, in any layer) merged over it
        by id, as an overlay is: what the translation lacks stays in the original language."""
        if self.translation is None:
            return doc
        for file in {pos.file for pos in doc.values.values()} | {doc.file}:
            rel = self.rel(file) if self.inside(file) else None
            if rel is None or ".".join(rel.name.split(".")[-2:-1]) == self.translation:
                continue
            own = self.find(rel.with_name(f"{rel.stem}.{self.translation}{rel.suffix}"))
            if own.is_file():
                doc = merge(doc, load_yaml(own), [], own.name)
                break
        return doc

    def checked(
        self, doc: YamlDoc | None, schema_name: str, limit: Callable[[YamlDoc], list[Problem]] | None = None
    ) -> YamlDoc | None:
        """The document when it fits its JSON Schema and its limits, else None (problems recorded)."""
        if doc is None:
            return None
        try:
            doc = self.translated_doc(doc)
        except CourseError as exc:
            self.out.problems.extend(exc.problems)
            return None
        found = schema_problems(doc, schema_name) or (limit(doc) if limit else [])
        self.out.problems.extend(found)
        return None if found else doc

    # --- files -------------------------------------------------------------------------
    def yaml(
        self, file: Path, schema_name: str, limit: Callable[[YamlDoc], list[Problem]] | None = None
    ) -> YamlDoc | None:
        """A YAML file that parses, fits its JSON Schema and its limits, else None (problems recorded)."""
        try:
            doc = load_yaml(file)
        except CourseError as exc:
            self.out.problems.extend(exc.problems)
            return None
        return self.checked(doc, schema_name, limit)

    def markdown_file(self, doc: YamlDoc, path: tuple[str | int, ...], rel: str) -> Markdown | None:
        pos = doc.pos(path)
        folder = pos.file.parent  # of the file that gave the value (an overlay's or its base's)
        if problem := limits.path_problem(folder / rel):
            self.out.error(pos, f"'{rel}' {problem}")
            return None
        target = self.resolved(folder / rel)
        if not self.inside(target):
            self.out.error(
                pos,
                f"'{rel}' is outside the course folder; keep course files inside {self.root.name}/",
            )
            return None
        target = self.resolved(self.find(self.rel(target)))
        if (
            self.translation
            and (own := target.with_name(f"{target.stem}.{self.translation}{target.suffix}")).is_file()
        ):
            target = own  # scope.fr.md beside scope.md
        if not target.is_file():
            siblings = [f.name for f in target.parent.iterdir()] if target.parent.is_dir() else []
            hint = did_you_mean(target.name, siblings)
            self.out.error(pos, f"file '{rel}' not found (looked for {self.rel(target)}){hint}")
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
        body = Markdown(text, doc.pos(path), doc.pos(path).file.parent)
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
        rel = markdown.resolve_relative(ref, body.base, self.layer_of(body.base))
        if rel is None:
            if not ref.target.startswith("#"):
                self.out.error(ref.pos, f"link '{ref.target}' points outside the course folder")
            return
        full = self.find(rel)
        if problem := limits.path_problem(full):
            self.out.error(ref.pos, f"link '{ref.target}' {problem}")
        elif not full.exists():
            self.out.error(ref.pos, f"link '{ref.target}' points to a missing file ({rel})")
        elif not self.inside(full):
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
        known |= {self.rel(p.body.pos.file) for p in pages}
        known |= {self.rel(c.intro.pos.file) for c in categories}
        for module_id in self.listed:  # a module whose module.yaml is broken is reported once, there
            known |= {Path("modules", module_id), Path("modules", module_id, MODULE_FILE)}
        for m in modules:
            folder = self.rel(m.folder)
            known |= {folder, folder / MODULE_FILE}
            known |= {self.rel(s.body.pos.file) for s in m.sections}
        if self.translation:  # a link names the original file; its translation stands in for it
            tag = f".{self.translation}"
            known |= {k.with_name(k.name.replace(tag + k.suffix, k.suffix)) for k in known if k.name}
        for rel, pos in self.page_links:
            dropped = self.overlay.dropped_modules if self.overlay else {}
            if len(rel.parts) > 1 and rel.parts[0] == "modules" and rel.parts[1] in dropped:
                self.out.error(
                    pos,
                    f"link to module '{rel.parts[1]}', which the overlay drops; override this text "
                    "in the overlay without the link, or keep the module",
                )
                continue
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
