"""What the SCORM 1.2 and 2004 packages share: the SCO pages, their files, the suspend_data budget, the zip.

Each module becomes two SCOs: its content page (``module-<id>.html``, the web page without the site's
chrome) and its quiz (``quiz-<id>.html``). Pages stay flat at the zip root, so the links the renderer
writes between modules keep working. Both versions run the same small runtime from
``builder/static/scorm/``; a page learns its version from the ``data-scorm-version`` attribute of the
runtime's script tag. The per-version writers (scorm12.py, scorm2004.py) only build the manifest.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml import html as lxml_html
from markupsafe import Markup

from builder import output
from builder.errors import BuildError
from builder.formats.scorm_quiz import QuizPage, quiz_page, quiz_suspend_worst_case
from builder.model import Course, Module
from builder.package import build_timestamp, safe_member, write_zip
from builder.paths import STATIC
from builder.quiz import build_quizzes
from builder.quiz.model import Quiz
from builder.render import (
    ASSETS_DIR,
    STATIC_DIR,
    Renderer,
    category_url,
    index_url,
    module_url,
    page_url,
)
from builder.schemas import default_catalog
from builder.xsd_check import assert_valid

RUNTIME_DIR = "scorm"  # below builder/static/ and below static/ in the package
CONTENT_STATE_TAG = "c1"  # first field of a content SCO's suspend_data (format version)


@dataclass(frozen=True)
class Flavour:
    """What differs between the two SCORM versions outside the manifest."""

    name: str  # format name: scorm12 / scorm2004
    runtime_version: str  # data-scorm-version: 1.2 / 2004
    schema_set: str
    suspend_limit: int  # characters of cmi.suspend_data the LMS must store


SCORM12 = Flavour("scorm12", "1.2", "scorm12", 4096)
SCORM2004 = Flavour("scorm2004", "2004", "scorm2004-4th", 64000)


@dataclass(frozen=True)
class Sco:
    """One SCO: its page, its item title and the worst-case size of its suspend_data."""

    module: Module
    kind: str  # "content" or "quiz"
    href: str
    title: str
    suspend_worst: int
    quiz: Quiz | None = None


@dataclass
class Package:
    """Everything a manifest writer needs: SCOs in course order and the files they share."""

    course: Course
    flavour: Flavour
    scos: list[Sco]
    pages: dict[str, bytes]  # SCO pages by file name
    shared: dict[str, bytes | Path] = field(default_factory=dict)  # every other file SCOs use

    def scos_of(self, module: Module) -> list[Sco]:
        return [s for s in self.scos if s.module.id == module.id]


def xml_id(prefix: str, *ids: str) -> str:
    """A stable XML ID (NCName) from course/module/category ids, e.g. ``ITEM.osee.strategy.quiz``.

    Course ids may start with a digit, which an NCName may not: hence the prefix. The ids never
    contain dots, so joining with dots cannot make two different tuples collide.
    """
    return ".".join((prefix, *ids))


def build_package(
    course: Course,
    out_dir: Path,
    flavour: Flavour,
    manifest: Callable[[Package], tuple[bytes, dict[str, bytes]]],
) -> list[Path]:
    """Assemble, check and zip one package; ``manifest`` returns imsmanifest.xml and any extra files."""
    package = assemble(course, flavour)
    check_suspend_budget(package)
    manifest_xml, extra = manifest(package)
    target = out_dir / f"{course.id}-{flavour.name}.zip"
    assert_valid(manifest_xml, flavour.schema_set, "manifest", name=f"{target.name}:imsmanifest.xml")
    entries: dict[str, bytes | Path] = {"imsmanifest.xml": manifest_xml, **extra}
    for name, path in default_catalog().files(flavour.schema_set):
        entries[name] = path  # SCORM packages carry the schemas their manifest names, at the root
    for name, data in [*package.pages.items(), *package.shared.items()]:
        if name in entries:
            raise BuildError(f"{target.name}: two files would be stored as {name}")
        entries[name] = data
    write_zip(target, entries, build_timestamp(course.release_date))
    report_suspend_budget(package)
    return [target]


def assemble(course: Course, flavour: Flavour) -> Package:
    quizzes = build_quizzes(course).quizzes
    renderer = Renderer(course, chrome=False)
    context = {"scorm_version": flavour.runtime_version, "prev": None, "next": None, "breadcrumbs": []}
    scos: list[Sco] = []
    pages: dict[str, bytes] = {}
    for module in course.modules:
        href = module_url(module)
        page = renderer.render(
            "sco_content.html", title=module.title, current=f"module-{module.id}", module=module, **context
        )
        pages[href] = page.encode("utf-8")
        scos.append(Sco(module, "content", href, module.title, content_suspend_worst_case(page)))
        quiz = quizzes.get(module.id)
        if quiz is None or not quiz.questions:
            continue
        view: QuizPage = quiz_page(course, module, quiz, flavour.runtime_version, flavour.suspend_limit)
        href = quiz_url(module)
        page = renderer.render(
            "quiz.html",
            title=view.title,
            current=f"quiz-{module.id}",
            module=module,
            quiz=view,
            data_json=Markup(view.data_json),
            **context,
        )
        pages[href] = page.encode("utf-8")
        scos.append(Sco(module, "quiz", href, view.title, quiz_suspend_worst_case(quiz), quiz))
    package = Package(course, flavour, scos, pages)
    package.shared = shared_files(package, renderer)
    return package


def quiz_url(module: Module) -> str:
    return f"quiz-{module.id}.html"


def content_suspend_worst_case(page: str) -> int:
    """``c1,`` then one 0/1 per part of the page the runtime tracks (its top-level sections)."""
    parts = lxml_html.fromstring(page).xpath("//main/section[@id]")
    return len(CONTENT_STATE_TAG) + 1 + len(parts)


def check_suspend_budget(package: Package) -> None:
    limit = package.flavour.suspend_limit
    over = [s for s in package.scos if s.suspend_worst > limit]
    if over:
        details = "; ".join(f"{s.href}: {s.suspend_worst} characters" for s in over)
        raise BuildError(
            f"{package.flavour.name}: worst-case cmi.suspend_data exceeds the {limit}-character limit "
            f"({details}); use fewer essay or short-answer questions in these quizzes"
        )


def report_suspend_budget(package: Package) -> None:
    """One line per module on stderr: worst-case suspend_data of each of its SCOs against the limit."""
    limit = package.flavour.suspend_limit
    for module in package.course.modules:
        sizes = ", ".join(f"{s.kind} {s.suspend_worst}" for s in package.scos_of(module))
        line = f"{package.flavour.name}: suspend_data worst case / {limit}: {module.id}: {sizes}"
        output.detail(line)


# --- files the SCO pages use --------------------------------------------------------------------------


def shared_files(package: Package, renderer: Renderer) -> dict[str, bytes | Path]:
    """Runtime, styles, and whatever the SCO pages link to (followed through linked pages).

    Links between modules point at other SCO pages; links to course pages, category pages or the
    contents page pull those in, rendered without chrome, as shared (untracked) files.
    """
    course = package.course
    static = STATIC / RUNTIME_DIR
    shared: dict[str, bytes | Path] = {f"{STATIC_DIR}/style.css": STATIC / "style.css"}
    for path in sorted(static.iterdir()):
        if path.is_file():
            shared[f"{STATIC_DIR}/{RUNTIME_DIR}/{path.name}"] = path
    attachments = {f"{ASSETS_DIR}/{rel.as_posix()}": course.root / rel for rel in course.attachments}
    linkable = _linkable_pages(course, renderer)
    queue = [(name, data) for name, data in package.pages.items()]
    while queue:
        name, data = queue.pop()
        for ref in sorted(page_references(data)):
            if ref in package.pages or ref in shared:
                continue
            if ref in attachments:
                shared[ref] = attachments[ref]
            elif ref in linkable:
                page = linkable[ref]().encode("utf-8")
                shared[ref] = page
                queue.append((ref, page))
            else:
                raise BuildError(f"{package.flavour.name}: {name} links to {ref}, not in the package")
    return shared


def _linkable_pages(course: Course, renderer: Renderer) -> dict[str, Callable[[], str]]:
    def render(template: str, title: str, **context: object) -> Callable[[], str]:
        return lambda: renderer.render(
            template, title=title, current="", breadcrumbs=[], prev=None, next=None, **context
        )

    pages = {index_url(): render("index.html", "Contents")}
    pages["attributions.html"] = render("attributions.html", "Attributions")
    for page in course.pages:
        pages[page_url(page)] = render("page.html", page.title, page=page)
    for cat in course.categories:
        pages[category_url(cat)] = render("category.html", cat.title, category=cat)
    return pages


def page_references(page: bytes) -> set[str]:
    """Package paths an HTML page loads or links to (external URLs and same-page fragments left out)."""
    doc = lxml_html.fromstring(page)
    found = set()
    for value in doc.xpath("//a/@href | //link/@href | //img/@src | //script/@src"):
        parts = urlsplit(str(value))
        if parts.scheme or parts.netloc or not parts.path:
            continue
        path = PurePosixPath(unquote(parts.path)).as_posix()
        try:
            found.add(safe_member(path))
        except ValueError as exc:
            raise BuildError(f"a SCO page links outside the package: {exc}") from None
    return found


_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(text: str) -> str:
    """Course text as XML character data: control characters XML cannot hold are dropped."""
    return _XML_UNSAFE.sub("", text)


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    """Append ``tag`` (Clark notation) with optional text; attribute names may be Clark names too."""
    child = etree.SubElement(parent, tag, attrs)
    if text is not None:
        child.text = xml_text(text)
    return child


XSI = "http://www.w3.org/2001/XMLSchema-instance"


@dataclass(frozen=True)
class ManifestSpec:
    """What the two versions' manifests do differently; the tree around it is the same.

    Moodle reads the literal ``adlcp:`` prefix of the scormtype attribute, so the adlcp namespace is
    always bound to that prefix.
    """

    cp: str  # the content-packaging namespace (default namespace of the manifest)
    adlcp: str
    namespaces: dict[str, str]  # further prefixes to declare on the root
    schema_location: str
    schemaversion: str  # exactly what Moodle compares with
    scormtype: str  # attribute name: scormtype (1.2) / scormType (2004)
    metadata: Callable[[etree._Element, Course], None]  # fills <metadata> after schemaversion
    item: Callable[[etree._Element, Sco], None]  # adds to a SCO's <item> after its title
    folder: Callable[[etree._Element], None] = lambda _element: None  # closes a category/organization


def manifest_tree(package: Package, spec: ManifestSpec) -> etree._Element:
    """One organization; an item per category holding, per module, its SCOs; one shared asset resource."""
    course = package.course

    def cp(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        return sub(parent, f"{{{spec.cp}}}{tag}", text, **attrs)

    root = etree.Element(
        f"{{{spec.cp}}}manifest",
        nsmap={None: spec.cp, "adlcp": spec.adlcp, **spec.namespaces, "xsi": XSI},
        identifier=xml_id("MANIFEST", course.id),
        version=course.version,
    )
    root.set(f"{{{XSI}}}schemaLocation", spec.schema_location)
    metadata = cp(root, "metadata")
    cp(metadata, "schema", "ADL SCORM")
    cp(metadata, "schemaversion", spec.schemaversion)
    spec.metadata(metadata, course)

    org_id = xml_id("ORG", course.id)
    organization = cp(cp(root, "organizations", default=org_id), "organization", identifier=org_id)
    cp(organization, "title", course.title)
    shared_id = xml_id("RES", course.id, "shared")
    resources = cp(root, "resources")
    scormtype = f"{{{spec.adlcp}}}{spec.scormtype}"
    for category in course.categories:
        folder = cp(organization, "item", identifier=xml_id("CAT", course.id, category.id))
        cp(folder, "title", category.title)
        for module in course.modules_of(category):
            for sco in package.scos_of(module):
                resource_id = xml_id("RES", course.id, module.id, sco.kind)
                item_id = xml_id("ITEM", course.id, module.id, sco.kind)
                item = cp(folder, "item", identifier=item_id, identifierref=resource_id)
                cp(item, "title", sco.title)
                spec.item(item, sco)
                resource = cp(
                    resources, "resource", identifier=resource_id, type="webcontent", href=sco.href,
                    **{scormtype: "sco"},
                )  # fmt: skip
                cp(resource, "file", href=sco.href)
                cp(resource, "dependency", identifierref=shared_id)
        spec.folder(folder)
    spec.folder(organization)
    shared = cp(resources, "resource", identifier=shared_id, type="webcontent", **{scormtype: "asset"})
    for name in sorted(package.shared):
        cp(shared, "file", href=name)
    return root


def xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
