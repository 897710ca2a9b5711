"""HTML rendering shared by every format that shows pages (web, SCORM, Common Cartridge).

Pages are flat files so any page links to any other by file name, which keeps links working
inside an LMS frame, a zip or a local folder alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
from markupsafe import Markup

from builder import markdown
from builder.model import Category, Course, Markdown, Module, Page
from builder.paths import TEMPLATES

ASSETS_DIR = "assets"
STATIC_DIR = "static"


def index_url() -> str:
    return "index.html"


def page_url(page: Page) -> str:
    return f"page-{page.id}.html"


def category_url(category: Category) -> str:
    return f"category-{category.id}.html"


def module_url(module: Module) -> str:
    return f"module-{module.id}.html"


def asset_url(rel: Path) -> str:
    return f"{ASSETS_DIR}/" + quote(rel.as_posix())


@dataclass
class LinkTargets:
    """Maps course-relative source paths to the output page that shows them."""

    course: Course
    by_source: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        root = self.course.root
        targets: dict[str, str] = {"course.yaml": index_url(), ".": index_url()}
        for page in self.course.pages:
            targets[_rel(page.body, root)] = page_url(page)
        for cat in self.course.categories:
            targets[_rel(cat.intro, root)] = category_url(cat)
        for module in self.course.modules:
            folder = module.folder.relative_to(root).as_posix()
            targets[folder] = targets[f"{folder}/module.yaml"] = module_url(module)
            for section in module.sections:
                targets[_rel(section.body, root)] = f"{module_url(module)}#section-{section.id}"
        for rel in self.course.attachments:
            targets[rel.as_posix()] = asset_url(rel)
        self.by_source = targets

    def resolve(self, body: Markdown, target: str) -> str | None:
        parts = urlsplit(target)
        ref = markdown.LinkRef(parts.path, body.pos, False)
        rel = markdown.resolve_relative(ref, body.base, self.course.root)
        if rel is None:
            return None
        url = self.by_source.get(rel.as_posix())
        if url is None:
            return None
        if parts.fragment:
            url = url.split("#", 1)[0] + "#" + parts.fragment
        return url


def _rel(body: Markdown, root: Path) -> str:
    return body.pos.file.relative_to(root).as_posix()


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once per process and shared by every Renderer (one per format; all are
    made by Renderer.__init__ with the same settings, which the compiled code depends on)."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (code := self.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


class Renderer:
    """Jinja environment bound to one course; ``render(template, **context)`` gives a page's HTML."""

    def __init__(self, course: Course, *, chrome: bool = True) -> None:
        self.course = course
        self.targets = LinkTargets(course)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=_COMPILED,
        )
        self.env.filters["md"] = self.markdown
        self.env.globals.update(
            course=course,
            chrome=chrome,
            index_url=index_url,
            page_url=page_url,
            category_url=category_url,
            module_url=module_url,
            static=f"{STATIC_DIR}/",
        )

    def markdown(self, body: Markdown | None, top_heading: int = 2) -> Markup:
        if body is None:
            return Markup("")

        def rewrite(target: str, _image: bool) -> str | None:
            return self.targets.resolve(body, target)

        return Markup(markdown.render(body.text, rewrite, top_heading=top_heading))

    def render(self, template: str, **context: object) -> str:
        return self.env.get_template(template).render(**context)
