"""The ``cc11`` and ``cc13`` formats: IMS Common Cartridge 1.1 (what Moodle imports) and 1.3.

One writer for both versions; everything that differs sits in ``cc_versions.VERSIONS``. A cartridge holds:

* an organization: a root item, then "About this course" (the course pages, the attributions), then
  a folder per category (its introduction, its readings) holding a folder per module;
* per module: the module page (webcontent, rendered like the web format without its navigation),
  a web link (imswl) per training-material resource and reading that has a URL, the module quiz
  (QTI assessment, see ``qti.py``) and a discussion topic (imsdt) for the learners' reflection;
* LOM metadata on the manifest; in CC 1.3, curriculum-standards metadata tying each quiz item and
  each module page to its competency ids.

Moodle maps top-level items to sections (the first becomes section 0, folder titles become section
summaries) and nested folders to labels, so the course reads there as it does in the web format.
Every XML file is validated against its XSD and the profile's Schematron rules before the zip is
written, and the CC 1.1 manifest against Moodle's detection and import rules.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from builder import forked_jobs, markdown
from builder.errors import BuildError
from builder.formats import cc_assessment, cc_rules
from builder.formats.cc_versions import ASSESSMENT_PART, MODULE_PAGE_PART, Version
from builder.formats.discussion_prompt import generated_prompt
from builder.i18n import tr
from builder.lms_rules import OLD_MOODLE_DETECTION_BYTES, moodle_detects_cc
from builder.model import Category, Course, Discussion, Link, Module
from builder.package import build_timestamp, write_zip
from builder.paths import STATIC
from builder.render import ASSETS_DIR, STATIC_DIR, Renderer, category_url, index_url, module_url, page_url

WEB = "web_resources"  # folder of every page and asset (the name Canvas also uses for course files)
MANIFEST = "imsmanifest.xml"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CSM_NS = "http://www.imsglobal.org/xsd/imsccv1p3/imscsmd_v1p0"


def cartridge_path(course: Course, out_dir: Path, version: Version) -> Path:
    return out_dir / f"{course.id}-{version.name}.imscc"


@dataclass
class Summary:
    """What a cartridge holds, for the build report and tests."""

    resources: Counter[str] = field(default_factory=Counter)  # resource type -> count
    questions: Counter[str] = field(default_factory=Counter)  # cc_profile -> QTI items
    files: int = 0


# --- small XML helpers -------------------------------------------------------------------------------


def _el(parent: etree._Element, ns: str, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{ns}}}{tag}", attrs)
    element.text = text
    return element


def _xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _vcard(name: str) -> str:
    escaped = name.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;")
    return f"BEGIN:VCARD\nVERSION:3.0\nFN:{escaped}\nEND:VCARD"


# --- the writer --------------------------------------------------------------------------------------


class _Cartridge:
    """Collects the zip entries and the manifest of one cartridge while walking the course."""

    def __init__(self, course: Course, version: Version) -> None:
        self.course, self.v = course, version
        self.renderer = _renderer(course)
        self.entries: dict[str, bytes | Path] = {}
        self.summary = Summary()
        self.competencies = {c.id: c for c in course.competencies()}
        nsmap = {None: version.cp, "lomimscc": version.lom, "xsi": XSI}
        if version.curriculum_standards:
            nsmap["csmd"] = CSM_NS
        self.manifest = etree.Element(f"{{{version.cp}}}manifest", nsmap=nsmap)
        self.manifest.set("identifier", f"M_{course.id}_{version.name}")
        self.manifest.set(f"{{{XSI}}}schemaLocation", version.schema_location)
        self._metadata()
        organization = self._cp(self._cp(self.manifest, "organizations"), "organization")
        organization.set("identifier", "O_course")
        organization.set("structure", "rooted-hierarchy")
        self.root = self._cp(organization, "item", identifier="I_root")
        self.resources = self._cp(self.manifest, "resources")
        self.shared = f"R_{WEB}"

    def _cp(self, parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        return _el(parent, self.v.cp, tag, text, **attrs)

    def _lom(self, parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
        return _el(parent, self.v.lom, tag, text, **attrs)

    def _langstring(self, parent: etree._Element, tag: str, text: str) -> None:
        self._lom(self._lom(parent, tag), "string", text, language=self.course.language)

    def _metadata(self) -> None:
        """Manifest LOM: title, description, language, keywords, contributors and rights."""
        course = self.course
        metadata = self._cp(self.manifest, "metadata")
        self._cp(metadata, "schema", "IMS Common Cartridge")
        self._cp(metadata, "schemaversion", self.v.schemaversion)
        lom = self._lom(metadata, "lom")
        general = self._lom(lom, "general")
        self._langstring(general, "title", course.title)
        self._lom(general, "language", course.language)
        self._langstring(general, "description", course.description)
        for keyword in course.keywords:
            self._langstring(general, "keyword", keyword)
        contributors = [("publisher", course.publisher.title)] if course.publisher else []
        contributors += [("author", a) for a in course.authors]
        # lifeCycle needs at least one contribute: without publisher or authors it is left out.
        lifecycle = self._lom(lom, "lifeCycle") if contributors else None
        for role, name in contributors:
            contribute = self._lom(lifecycle, "contribute")
            self._lom(self._lom(contribute, "role"), "value", role)
            self._lom(contribute, "entity", _vcard(name))
            self._lom(self._lom(contribute, "date"), "dateTime", course.release_date.isoformat())
        rights = self._lom(lom, "rights")
        self._lom(self._lom(rights, "copyrightAndOtherRestrictions"), "value", "yes")
        licence = course.licence.title + (f" {course.licence.url}" if course.licence.url else "")
        self._langstring(rights, "description", licence)

    # --- organization and resources

    def folder(self, parent: etree._Element, ident: str, title: str) -> etree._Element:
        item = self._cp(parent, "item", identifier=f"F_{ident}")
        self._cp(item, "title", title)
        return item

    def _resource(
        self, ident: str, rtype: str, files: list[str], *, href: str | None = None
    ) -> etree._Element:
        attrs = {"identifier": ident, "type": rtype}
        if href:
            attrs["href"] = href
        resource = self._cp(self.resources, "resource", **attrs)
        for name in files:
            self._cp(resource, "file", href=name)
        self.summary.resources[rtype] += 1
        return resource

    def _link_item(self, parent: etree._Element, ident: str, title: str, resource: str) -> None:
        self._cp(self._cp(parent, "item", identifier=f"I_{ident}", identifierref=resource), "title", title)

    def page(
        self, parent: etree._Element, ident: str, title: str, filename: str, html: str
    ) -> etree._Element:
        """A webcontent resource for one rendered page, using the shared styles and attachments."""
        name = f"{WEB}/{filename}"
        self.entries[name] = html.encode("utf-8")
        resource = self._resource(f"R_{ident}", "webcontent", [name], href=name)
        self._cp(resource, "dependency", identifierref=self.shared)
        self._link_item(parent, ident, title, f"R_{ident}")
        return resource

    def render(self, layout: str, title: str, **context: object) -> str:
        return _cartridge_links(self.renderer.lms_page(layout, title, **context))

    def weblinks(self, parent: etree._Element, owner: str, links: list[Link]) -> None:
        for number, link in enumerate(links, start=1):
            if not link.url:
                continue
            ident = f"R_{owner}_link{number}"
            root = etree.Element(f"{{{self.v.weblink}}}webLink", nsmap={None: self.v.weblink})
            _el(root, self.v.weblink, "title", link.title)
            _el(root, self.v.weblink, "url", href=link.url, target="_blank")
            self.add_xml(f"{ident}/weblink.xml", root, "weblink")
            self._resource(ident, self.v.weblink_type, [f"{ident}/weblink.xml"])
            self._link_item(parent, f"{owner}_link{number}", link.title, ident)

    def add_xml(self, name: str, root: etree._Element, doc_type: str, data: bytes | None = None) -> None:
        """An XML entry from its root element (``data``: its serialisation, when already made),
        checked against its XSD and the profile's Schematron rules now: no tree is kept for later."""
        self.entries[name] = cc_rules.checked_xml(name, root, self.v.schema_set, doc_type, data)

    def shared_resource(self) -> None:
        """Styles, attachments and the contents page: what the pages link to, in no item of its own."""
        names = [f"{WEB}/{index_url()}"]
        contents = tr(self.course.language, "Contents")
        self.entries[names[0]] = self.render("index.html", contents).encode("utf-8")
        for asset in sorted(STATIC.iterdir()):
            if asset.is_file():
                names.append(f"{WEB}/{STATIC_DIR}/{asset.name}")
                self.entries[names[-1]] = asset
        for rel in sorted(self.course.attachments):
            names.append(f"{WEB}/{ASSETS_DIR}/{rel.as_posix()}")
            self.entries[names[-1]] = self.course.file(rel)
        self._resource(self.shared, "webcontent", names)

    # --- curriculum standards (CC 1.3)

    def standards(self, resource: etree._Element, label: str, part: str | None, ids: tuple[str, ...]) -> None:
        """A curriculumStandardsMetadataSet naming the competency ids verbatim as GUIDs."""
        if not self.v.curriculum_standards or not ids:
            return
        metadata = resource.find(f"{{{self.v.cp}}}metadata")
        if metadata is None:
            metadata = etree.Element(f"{{{self.v.cp}}}metadata")
            resource.insert(0, metadata)
        attrs = {"resourceLabel": label} | ({"resourcePartId": part} if part else {})
        metadata_set = _el(metadata, CSM_NS, "curriculumStandardsMetadataSet", **attrs)
        standards = _el(metadata_set, CSM_NS, "curriculumStandardsMetadata", providerId=self.course.id)
        guids = _el(standards, CSM_NS, "setOfGUIDs", version=self.course.version)
        for competency_id in ids:
            labelled = _el(guids, CSM_NS, "labelledGUID")
            _el(labelled, CSM_NS, "label", self.competencies[competency_id].title)
            _el(labelled, CSM_NS, "GUID", competency_id)

    # --- module activities

    def quiz(self, parent: etree._Element, module: Module) -> None:
        ident, title = cc_assessment.ident(module), cc_assessment.title(self.course, module)
        key = (self.v.name, ASSESSMENT_PART, module.id)
        assessment = forked_jobs.part(
            key, lambda: cc_assessment.checked_assessment(self.course, self.v, module)
        )
        self.entries[f"{ident}/assessment.xml"] = assessment.xml
        resource = self._resource(ident, self.v.assessment_type, [f"{ident}/assessment.xml"])
        for item in assessment.items:
            self.summary.questions[item.profile.value] += 1
            self.standards(resource, "assessment item", item.ident, item.competency_ids)
        self._link_item(parent, f"module_{module.id}_quiz", title, ident)

    def discussion(self, parent: etree._Element, module: Module, discussion: Discussion) -> None:
        """The module's reflection topic: the author's prompt, or one asking how learners will apply
        each of the module's competencies."""
        ident = f"R_module_{module.id}_reflection"
        title = discussion.title
        if discussion.prompt is not None:
            body = markdown.render_detached(discussion.prompt.text, top_heading=3)
        else:
            body = generated_prompt(module, self.course.language)
        root = etree.Element(f"{{{self.v.topic}}}topic", nsmap={None: self.v.topic})
        _el(root, self.v.topic, "title", title)
        _el(root, self.v.topic, "text", body, texttype="text/html")
        self.add_xml(f"{ident}/topic.xml", root, "discussion")
        self._resource(ident, self.v.topic_type, [f"{ident}/topic.xml"])
        self._link_item(parent, f"module_{module.id}_reflection", title, ident)

    def module(self, parent: etree._Element, module: Module) -> None:
        folder = self.folder(parent, f"module_{module.id}", module.title)
        key = (self.v.name, MODULE_PAGE_PART, module.id)
        html = forked_jobs.part(key, lambda: module_page(self.course, module))
        resource = self.page(
            folder,
            f"module_{module.id}",
            tr(self.course.language, "Overview: %(module)s", module=module.title),
            module_url(module),
            html,
        )
        self.standards(resource, "module page", None, tuple(c.id for c in module.competencies))
        self.weblinks(
            folder,
            f"module_{module.id}_material",
            [r for tm in module.training_materials for r in tm.resources],
        )
        self.weblinks(folder, f"module_{module.id}_reading", list(module.readings))
        self.quiz(folder, module)
        if module.discussion is not None:
            self.discussion(folder, module, module.discussion)

    def category(self, category: Category) -> None:
        folder = self.folder(self.root, f"category_{category.id}", category.title)
        html = self.render("category.html", category.title, category=category)
        self.page(
            folder,
            f"category_{category.id}",
            tr(self.course.language, "Introduction: %(category)s", category=category.title),
            category_url(category),
            html,
        )
        self.weblinks(folder, f"category_{category.id}_reading", list(category.readings))
        for module in self.course.modules_of(category):
            self.module(folder, module)

    def about(self) -> None:
        folder = self.folder(self.root, "about", tr(self.course.language, "About this course"))
        for page in self.course.pages:
            self.page(
                folder,
                f"page_{page.id}",
                page.title,
                page_url(page),
                self.render("page.html", page.title, page=page),
            )
        attributions = tr(self.course.language, "Attributions")
        html = self.render("attributions.html", attributions)
        self.page(folder, "attributions", attributions, "attributions.html", html)

    # --- checks

    def validate(self, manifest: bytes) -> None:
        """What holds for the whole cartridge (each XML file was checked when added): every listed
        file present, and Moodle's detection of a CC 1.1 manifest; any problem fails."""
        listed = self.manifest.xpath("//cp:file/@href", namespaces={"cp": self.v.cp})
        missing = sorted(set(listed) - set(self.entries))
        if missing:
            raise BuildError(f"{MANIFEST} lists files missing from the cartridge: {', '.join(missing)}")
        if self.v.name == "cc11" and not moodle_detects_cc(manifest, "1.1", OLD_MOODLE_DETECTION_BYTES):
            raise BuildError(
                f"{MANIFEST}: Moodle would not recognise the cartridge: the default namespace "
                f"{self.v.cp} is not declared in the first {OLD_MOODLE_DETECTION_BYTES} bytes"
            )

    def write(self, target: Path) -> None:
        manifest = _xml(self.manifest)
        self.add_xml(MANIFEST, self.manifest, "manifest", manifest)
        self.validate(manifest)
        self.summary.files = len(self.entries)
        write_zip(target, self.entries, build_timestamp(self.course.release_date))


_last_renderer: Renderer | None = None


def _renderer(course: Course) -> Renderer:
    """The pages' renderer (no site navigation), one per course and process."""
    global _last_renderer
    if _last_renderer is None or _last_renderer.course is not course:
        _last_renderer = Renderer(course, chrome=False)
    return _last_renderer


def module_page(course: Course, module: Module) -> str:
    """A module's page as the cartridge holds it (the same in every version)."""
    return _cartridge_links(_renderer(course).lms_page("module.html", module.title, module=module))


def build_cartridge(course: Course, out_dir: Path, version: Version) -> tuple[Path, Summary]:
    cartridge = _Cartridge(course, version)
    cartridge.about()
    for category in course.categories:
        cartridge.category(category)
    cartridge.shared_resource()
    target = cartridge_path(course, out_dir, version)
    cartridge.write(target)
    return target, cartridge.summary


FILEBASE = "$IMS-CC-FILEBASE$"


def _cartridge_links(html: str) -> str:
    """The page with its links as a cartridge needs them (one parse for both rewrites below)."""
    doc = lxml.html.document_fromstring(html)
    _without_page_links(doc)
    _filebase_links(doc)
    return lxml.html.tostring(doc, doctype="<!DOCTYPE html>", encoding="unicode") + "\n"


def _filebase_links(doc: lxml.html.HtmlElement) -> None:
    """Stylesheet, image and attachment links of a page start with $IMS-CC-FILEBASE$/.

    The token stands for the folder of the cartridge's web files (web_resources/, where the pages
    are too): Open edX's converter rewrites only links that carry it, Canvas resolves it against
    web_resources/, and Moodle removes it and resolves the rest against the page's own folder.
    """
    for element in doc.iter(etree.Element):
        for attr in ("src", "href"):
            value = element.get(attr, "")
            if value.startswith((f"{STATIC_DIR}/", f"{ASSETS_DIR}/")):
                element.set(attr, f"{FILEBASE}/{value}")


def _without_page_links(doc: lxml.html.HtmlElement) -> None:
    """Links from one cartridge page to another become plain text.

    LMSs import each page as an activity of its own: Moodle copies no HTML file into the course files
    (backup/cc entities::get_all_files) and Open edX rewrites only $IMS-CC-FILEBASE$ links, so a link to
    another page would be broken there; the course structure of the LMS leads to every page instead.
    Links within the page, to attachments and to the web stay.
    """
    for anchor in doc.iter("a"):
        parts = urlsplit(anchor.get("href", ""))
        if not parts.scheme and not parts.netloc and parts.path.endswith(".html"):
            anchor.tag = "span"
            for attr in ("href", "rel", "target"):
                anchor.attrib.pop(attr, None)
