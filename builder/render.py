"""HTML rendering shared by every format that shows pages (web, SCORM, Common Cartridge).

Pages are flat files so any page links to any other by file name, which keeps links working
inside an LMS frame, a zip or a local folder alike.
"""

from __future__ import annotations

import json
import os
import pickle
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
import jinja2.ext
import jinja2.sandbox
from markupsafe import Markup

from builder import i18n, markdown
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
        targets: dict[str, str] = {"course.yaml": index_url(), ".": index_url()}
        for page in self.course.pages:
            targets[_rel(page.body, self.course)] = page_url(page)
        for cat in self.course.categories:
            targets[_rel(cat.intro, self.course)] = category_url(cat)
        for module in self.course.modules:
            folder = self.course.rel(module.folder).as_posix()
            targets[folder] = targets[f"{folder}/module.yaml"] = module_url(module)
            for section in module.sections:
                targets[_rel(section.body, self.course)] = f"{module_url(module)}#section-{section.id}"
        tag = f".{self.course.language}."
        for source, url in list(targets.items()):  # a link names the original of a translated file
            if tag in source:
                targets.setdefault(source.replace(tag, ".", 1), url)
        for rel in self.course.attachments:
            targets[rel.as_posix()] = asset_url(rel)
        self.by_source = targets

    def resolve(self, body: Markdown, target: str) -> str | None:
        parts = urlsplit(target)
        ref = markdown.LinkRef(parts.path, body.pos, False)
        rel = markdown.resolve_relative(ref, body.base, self.course.layer_of(body.base))
        if rel is None:
            return None
        url = self.by_source.get(rel.as_posix())
        if url is None:
            return None
        if parts.fragment:
            url = url.split("#", 1)[0] + "#" + parts.fragment
        return url


def _rel(body: Markdown, course: Course) -> str:
    return course.rel(body.pos.file).as_posix()


class _CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled once and shared by every Renderer (one per format; all are made by
    Renderer.__init__ with the same settings, which the compiled code depends on).

    Compiled code is kept in memory for the process and, like Python's own .pyc files, on disk in
    the cache folder's ``templates/`` for the next process (compiling the templates takes ~0.14 s,
    a fifth of a cold build). Jinja checks each file's format version and the template source's
    checksum when it loads it, so an edited template or another Jinja is compiled afresh; a disk
    that cannot be read or written only means compiling again.
    """

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}
        self._folder: Path | None = None

    def folder(self) -> Path:
        if self._folder is None:
            from builder.cache import cache_dir

            self._folder = cache_dir() / "templates"
        return self._folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if (code := self.compiled.get(bucket.key)) is not None:
            bucket.bytecode_from_string(code)
            return
        try:
            with open(self.folder() / f"{bucket.key}.jinja", "rb") as stored:
                bucket.load_bytecode(stored)  # resets the bucket when version or checksum differ
        except (OSError, ValueError, EOFError, pickle.UnpicklingError):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.compiled[bucket.key] = code = bucket.bytecode_to_string()
        target = self.folder() / f"{bucket.key}.jinja"
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=target.parent, prefix=".jinja-", delete=False) as tmp:
                tmp.write(code)
            os.replace(tmp.name, target)
        except OSError:
            pass


_COMPILED = _CompiledTemplates()


class _PageHtml:
    """Each Markdown body, and each page shown inside an LMS, of one course rendered once per build,
    whichever formats show it.

    A body's HTML depends only on its text, its folder, the heading level and the course's link
    targets, which every Renderer of the same course shares; an LMS page (``Renderer.lms_page``)
    only on the course, its layout, title and the model objects it shows. So the cache holds one
    course at a time (the one last rendered) and starts afresh for another.
    """

    def __init__(self) -> None:
        self.course: Course | None = None
        self.html: dict[tuple[str, str, int], str] = {}
        self.pages: dict[tuple[object, ...], tuple[str, tuple[object, ...]]] = {}

    def for_course(self, course: Course) -> _PageHtml:
        if self.course is not course:
            self.course, self.html, self.pages = course, {}, {}
        return self


_PAGE_HTML = _PageHtml()


class Renderer:
    """Jinja environment bound to one course; ``render(template, **context)`` gives a page's HTML."""

    def __init__(self, course: Course, *, chrome: bool = True) -> None:
        self.course = course
        self.chrome = chrome
        self.targets = LinkTargets(course)
        # An overlay course may replace any template with its own (templates/ beside its course.yaml);
        # course templates are untrusted, so they run sandboxed.
        own = [str(layer / "templates") for layer in course.layers if (layer / "templates").is_dir()]
        environment = jinja2.sandbox.SandboxedEnvironment if own else jinja2.Environment
        self.env = environment(
            loader=jinja2.FileSystemLoader([*own, str(TEMPLATES)]),
            extensions=[jinja2.ext.i18n],  # imported with this module: forked workers inherit it
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=_COMPILED,
            auto_reload=False,  # templates do not change during a build: no stat per page rendered
        )
        self.env.filters["md"] = self.markdown
        language = course.language
        self.env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
        messages = json.dumps(i18n.js_catalogue(language), ensure_ascii=False, sort_keys=True)
        self.env.globals.update(
            course=course,
            chrome=chrome,
            index_url=index_url,
            page_url=page_url,
            category_url=category_url,
            module_url=module_url,
            asset_url=asset_url,
            static=f"{STATIC_DIR}/",
            text_direction=i18n.direction(language),
            long_date=lambda day: i18n.long_date(day, language),
            # JSON inside <script>: "</" would end the element early, so it is escaped.
            js_messages=Markup(messages.replace("</", "<\\/")),
        )

    def markdown(self, body: Markdown | None, top_heading: int = 2) -> Markup:
        if body is None:
            return Markup("")
        rendered = _PAGE_HTML.for_course(self.course).html
        key = (body.text, str(body.base), top_heading)
        if (html := rendered.get(key)) is None:

            def rewrite(target: str, _image: bool) -> str | None:
                return self.targets.resolve(body, target)

            html = rendered[key] = markdown.render(body.text, rewrite, top_heading=top_heading)
        return Markup(html)

    def render(self, template: str, **context: object) -> str:
        return self.env.get_template(template).render(**context)

    def lms_page(self, layout: str, title: str, **context: object) -> str:
        """A page as an LMS shows it inside its own frame (no site navigation): ``layout`` (such as
        module.html) in cc_page.html. The cartridges and the Moodle backup show the same pages, so
        each is rendered once per course (keyed by the model objects it shows)."""
        pages = _PAGE_HTML.for_course(self.course).pages
        key = (layout, title, self.chrome, *sorted((name, id(value)) for name, value in context.items()))
        if (hit := pages.get(key)) is not None:
            return hit[0]
        html = self.render(
            "cc_page.html",
            layout=layout,
            title=title,
            current="",
            breadcrumbs=[],
            prev=None,
            next=None,
            **context,
        )
        pages[key] = (html, tuple(context.values()))  # the objects stay alive: their ids stay theirs
        return html
