"""Common Cartridge 1.1 and 1.3 of the OSEE course: valid, complete, and shaped for Moodle's importer."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest
from lxml import etree

from builder.formats import qti
from builder.formats.cc_rules import RULE_FILES, Compiled, _compiled, _passes, schematron_issues
from builder.formats.cc_versions import VERSIONS, Version
from builder.lms_rules import moodle_detects_cc
from builder.load import load_course
from builder.quiz import QuestionType, build_quizzes
from builder.schemas import default_catalog
from builder.xsd_check import validate_xml
from tests.conftest import OSEE, run
from tests.htmlcheck import broken_references, network_loads, parse

QTI = {"q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
CSM = "http://www.imsglobal.org/xsd/imsccv1p3/imscsmd_v1p0"
MOODLE_PROFILES = {
    "cc.multiple_choice.v0p1",
    "cc.multiple_response.v0p1",
    "cc.true_false.v0p1",
    "cc.fib.v0p1",
    "cc.pattern_match.v0p1",
    "cc.essay.v0p1",
}
# Resource types of the CC 1.1 profile (Moodle validates against exactly this list).
CC11_TYPES = {
    "webcontent",
    "imsqti_xmlv1p2/imscc_xmlv1p1/assessment",
    "imsqti_xmlv1p2/imscc_xmlv1p1/question-bank",
    "associatedcontent/imscc_xmlv1p1/learning-application-resource",
    "imsdt_xmlv1p1",
    "imswl_xmlv1p1",
    "imsbasiclti_xmlv1p0",
}


class Cartridge:
    def __init__(self, path: Path, version: Version) -> None:
        self.path, self.v = path, version
        self.zip = zipfile.ZipFile(path)
        self.names = set(self.zip.namelist())
        self.manifest_bytes = self.zip.read("imsmanifest.xml")
        self.manifest = etree.fromstring(self.manifest_bytes)
        self.ns = {"cp": version.cp, "lom": version.lom, "csmd": CSM}

    def xpath(self, node: etree._Element, path: str) -> list:
        return node.xpath(path, namespaces=self.ns)

    def resources(self, rtype: str | None = None) -> list[etree._Element]:
        where = f"[@type='{rtype}']" if rtype else ""
        return self.xpath(self.manifest, f"//cp:resource{where}")

    def file_of(self, resource: etree._Element) -> str:
        (href,) = self.xpath(resource, "cp:file/@href")
        return href

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.zip.read(name))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Cartridge]:
    out = tmp_path_factory.mktemp("dist")
    result = run("build", OSEE, "--format", "cc11", "--format", "cc13", "--out", out)
    assert result.exit_code == 0, result.stderr
    return {name: Cartridge(out / "osee" / f"osee-{name}.imscc", v) for name, v in VERSIONS.items()}


@pytest.fixture(params=sorted(VERSIONS))
def cartridge(request: pytest.FixtureRequest, built: dict[str, Cartridge]) -> Cartridge:
    return built[request.param]


def doc_type(cartridge: Cartridge, rtype: str) -> str:
    return {
        cartridge.v.assessment_type: "qti",
        cartridge.v.weblink_type: "weblink",
        cartridge.v.topic_type: "discussion",
    }[rtype]


def test_every_xml_file_validates_against_its_xsd(cartridge: Cartridge) -> None:
    set_name = cartridge.v.schema_set
    assert validate_xml(cartridge.manifest_bytes, set_name, "manifest", name="imsmanifest.xml") == []
    checked = Counter()
    for resource in cartridge.resources():
        if resource.get("type") == "webcontent":
            continue
        name = cartridge.file_of(resource)
        kind = doc_type(cartridge, resource.get("type"))
        assert validate_xml(cartridge.zip.read(name), set_name, kind, name=name) == []
        checked[kind] += 1
    xml_entries = {n for n in cartridge.names if n.endswith(".xml")}
    assert sum(checked.values()) + 1 == len(xml_entries)  # the manifest and every resource file
    assert checked["qti"] == checked["discussion"] == 9


def test_qti_and_manifest_pass_the_profiles_schematron_rules(cartridge: Cartridge) -> None:
    assert schematron_issues(cartridge.manifest, cartridge.v.schema_set, "manifest") == []
    for resource in cartridge.resources(cartridge.v.assessment_type):
        assert (
            schematron_issues(cartridge.xml(cartridge.file_of(resource)), cartridge.v.schema_set, "qti") == []
        )


def test_the_manifest_rules_bite_and_the_quick_check_agrees_with_the_exact_one(cartridge: Cartridge) -> None:
    # The one-XPath pre-check must never pass a document the rule-by-rule evaluation fails.
    set_name = cartridge.v.schema_set
    schema_dir = default_catalog().schema_dir
    (rel,) = RULE_FILES[(set_name, "manifest")]
    compiled = _compiled(schema_dir, set_name, rel)
    manifest = etree.fromstring(cartridge.manifest_bytes)
    assert _passes(manifest, compiled) and _passes_rule_by_rule(manifest, compiled)
    general = cartridge.xpath(manifest, "//lom:lom/lom:general")[0]
    general.append(etree.fromstring(etree.tostring(cartridge.xpath(general, "lom:title")[0])))
    assert not _passes(manifest, compiled) and not _passes_rule_by_rule(manifest, compiled)
    assert any("title" in issue for issue in schematron_issues(manifest, set_name, "manifest"))


def _passes_rule_by_rule(tree: etree._Element, compiled: Compiled) -> bool:
    return _passes(tree, replace(compiled, any_failure=lambda *_a, **_k: True))


def test_every_resource_file_is_in_the_zip_and_every_reference_resolves(cartridge: Cartridge) -> None:
    listed = set(cartridge.xpath(cartridge.manifest, "//cp:file/@href"))
    assert listed - cartridge.names == set()
    assert cartridge.names - listed == {"imsmanifest.xml"}  # nothing unlisted either
    for resource in cartridge.resources():
        href = resource.get("href")
        assert href is None or href in listed
    ids = set(cartridge.xpath(cartridge.manifest, "//cp:resource/@identifier"))
    refs = cartridge.xpath(cartridge.manifest, "//cp:item/@identifierref | //cp:dependency/@identifierref")
    assert set(refs) <= ids
    # Learning-application resources carry one file and no href (CC profile rules).
    for resource in cartridge.resources():
        if resource.get("type") != "webcontent":
            assert len(cartridge.xpath(resource, "cp:file")) == 1 and resource.get("href") is None


def expected_items(quiz_questions: tuple) -> int:
    """Matching questions become one item per pair, ordering ones one per step, multiple-response ones one
    item per option."""
    per_question = {
        QuestionType.MATCHING: lambda q: len(q.pairs),
        QuestionType.MULTIPLE_RESPONSE: lambda q: len(q.options),
        QuestionType.ORDERING: lambda q: len(q.steps),
    }
    return sum(per_question.get(q.type, lambda _q: 1)(q) for q in quiz_questions)


def test_each_quiz_has_the_quiz_models_questions(cartridge: Cartridge) -> None:
    course = load_course(OSEE)
    quizzes = build_quizzes(course).quizzes
    for module in course.modules:
        quiz = quizzes[module.id]
        name = f"R_module_{module.id}_quiz/assessment.xml"
        items = cartridge.xml(name).xpath("//q:assessment/q:section/q:item", namespaces=QTI)
        assert len(items) == expected_items(quiz.questions), module.id
        idents = [item.get("ident") for item in items]
        assert len(set(idents)) == len(idents)
        covered = {i for i in idents if i in {q.id for q in quiz.questions}}
        split_types = (QuestionType.MATCHING, QuestionType.MULTIPLE_RESPONSE, QuestionType.ORDERING)
        split = {q.id: q for q in quiz.questions if q.type in split_types}
        assert covered | set(split) == {q.id for q in quiz.questions}
        titles = [item.get("title") for item in items]
        for qid, q in split.items():  # each part of a split question names it in its title
            assert sum(t.startswith(f"{qid} (") for t in titles) == expected_items((q,)), qid


def test_every_quiz_item_carries_a_profile_moodle_maps(cartridge: Cartridge) -> None:
    for resource in cartridge.resources(cartridge.v.assessment_type):
        root = cartridge.xml(cartridge.file_of(resource))
        for item in root.iterfind(".//q:section/q:item", QTI):
            profiles = item.xpath(
                "q:itemmetadata/q:qtimetadata/q:qtimetadatafield[q:fieldlabel='cc_profile']/q:fieldentry/text()",
                namespaces=QTI,
            )
            assert len(profiles) == 1 and profiles[0] in MOODLE_PROFILES
            if profiles[0] == "cc.true_false.v0p1":
                assert sorted(item.xpath(".//q:response_label/@ident", namespaces=QTI)) == ["false", "true"]


def emulate_moodle_detection(manifest: bytes, limit: int) -> bool:
    """Moodle's check, written out: lower-case, drop whitespace and quotes, find the marker."""
    head = re.sub(r"[\s'\"]", "", manifest[:limit].decode("utf-8", "ignore").lower())
    return "xmlns=http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1" in head


def test_moodle_detects_the_cc11_cartridge(built: dict[str, Cartridge]) -> None:
    manifest = built["cc11"].manifest_bytes
    assert emulate_moodle_detection(manifest, 500) and moodle_detects_cc(manifest, "1.1", 500)
    assert emulate_moodle_detection(manifest, 1024)
    # The emulation is not trivially true: a prefixed declaration, or a long comment first, fails.
    prefixed = manifest.replace(b'xmlns="http', b'xmlns:cp="http', 1)
    assert not emulate_moodle_detection(prefixed, 500) and not moodle_detects_cc(prefixed, "1.1", 500)
    late = manifest.replace(b"?>", b"?>\n<!--" + b" " * 600 + b"-->", 1)
    assert not emulate_moodle_detection(late, 500) and not moodle_detects_cc(late, "1.1", 500)
    assert not emulate_moodle_detection(built["cc13"].manifest_bytes, 1024)


def test_cc11_manifest_and_qti_validate_against_moodles_own_schema_set(built: dict[str, Cartridge]) -> None:
    cc11 = built["cc11"]
    assert default_catalog().schema_set("cc11").folder == "cc11-moodle"  # Moodle's backup/cc/schemas11
    assert validate_xml(cc11.manifest_bytes, "cc11", "manifest") == []
    for resource in cc11.resources("imsqti_xmlv1p2/imscc_xmlv1p1/assessment"):
        name = cc11.file_of(resource)
        assert validate_xml(cc11.zip.read(name), "cc11", "qti", name=name) == []


def test_cc11_manifest_meets_moodles_import_rules(built: dict[str, Cartridge]) -> None:
    cc11 = built["cc11"]
    m = cc11.manifest
    assert cc11.xpath(m, "cp:metadata/cp:schema/text()") == ["IMS Common Cartridge"]
    assert cc11.xpath(m, "cp:metadata/cp:schemaversion/text()") == ["1.1.0"]
    assert len(cc11.xpath(m, "cp:metadata/lom:lom")) == 1
    (organization,) = cc11.xpath(m, "cp:organizations/cp:organization")
    assert organization.get("structure") == "rooted-hierarchy"
    (root,) = cc11.xpath(organization, "cp:item")
    assert cc11.xpath(root, "cp:title") == []
    for item in cc11.xpath(root, ".//cp:item"):
        assert cc11.xpath(item, "cp:title/text()"), item.get("identifier")
    assert {r.get("type") for r in cc11.resources()} <= CC11_TYPES


def test_organization_is_course_category_module(cartridge: Cartridge) -> None:
    course = load_course(OSEE)
    (root,) = cartridge.xpath(cartridge.manifest, "//cp:organization/cp:item")
    top = [cartridge.xpath(i, "cp:title/text()")[0] for i in cartridge.xpath(root, "cp:item")]
    assert top == ["About this course", *(c.title for c in course.categories)]
    for category in course.categories:
        (folder,) = cartridge.xpath(root, f"cp:item[@identifier='F_category_{category.id}']")
        modules = [
            cartridge.xpath(i, "cp:title/text()")[0] for i in cartridge.xpath(folder, "cp:item[cp:item]")
        ]
        assert modules == [m.title for m in course.modules_of(category)]
    for module in course.modules:
        (folder,) = cartridge.xpath(root, f".//cp:item[@identifier='F_module_{module.id}']")
        titles = cartridge.xpath(folder, "cp:item/cp:title/text()")
        assert titles[0] == f"Overview: {module.title}"
        assert titles[-2:] == [f"Quiz: {module.title}", f"Reflection: {module.title}"]
        types = [
            cartridge.xpath(cartridge.manifest, f"//cp:resource[@identifier='{ref}']/@type")[0]
            for ref in cartridge.xpath(folder, "cp:item/@identifierref")
        ]
        assert types[0] == "webcontent" and types[-2:] == [
            cartridge.v.assessment_type,
            cartridge.v.topic_type,
        ]


def _weblinks(cartridge: Cartridge) -> list[tuple[str, str]]:
    found = []
    for resource in cartridge.resources(cartridge.v.weblink_type):
        root = cartridge.xml(cartridge.file_of(resource))
        ns = {"wl": cartridge.v.weblink}
        found.append((root.findtext("wl:title", namespaces=ns), root.find("wl:url", ns).get("href")))
    return sorted(found)


@pytest.mark.parametrize("name", sorted(VERSIONS))
def test_web_links_for_every_material_and_reading_with_a_url(mini: Path, tmp_path: Path, name: str) -> None:
    course = load_course(mini)
    links = [r for m in course.modules for tm in m.training_materials for r in tm.resources]
    links += [r for m in course.modules for r in m.readings] + [
        r for c in course.categories for r in c.readings
    ]
    expected = sorted((link.title, link.url) for link in links if link.url)
    assert run("build", mini, "--format", name, "--out", tmp_path).exit_code == 0
    assert _weblinks(Cartridge(tmp_path / "mini" / f"mini-{name}.imscc", VERSIONS[name])) == expected
    assert len(expected) == 3


def test_osee_has_no_web_link_where_the_seed_gives_no_address(cartridge: Cartridge) -> None:
    assert _weblinks(cartridge) == []


def test_a_reflection_topic_per_module_lists_its_competencies(cartridge: Cartridge) -> None:
    course = load_course(OSEE)
    ns = {"dt": cartridge.v.topic}
    for module in course.modules:
        root = cartridge.xml(f"R_module_{module.id}_reflection/topic.xml")
        assert root.findtext("dt:title", namespaces=ns) == f"Reflection: {module.title}"
        text = root.find("dt:text", ns)
        assert text.get("texttype") == "text/html"
        body = etree.HTML(text.text)
        assert body.xpath("//li/strong/text()") == [c.title for c in module.competencies]


def test_manifest_lom_metadata(cartridge: Cartridge) -> None:
    course = load_course(OSEE)
    lom = cartridge.xpath(cartridge.manifest, "cp:metadata/lom:lom")[0]
    assert cartridge.xpath(lom, "lom:general/lom:title/lom:string/text()") == [course.title]
    assert cartridge.xpath(lom, "lom:general/lom:language/text()") == [course.language]
    assert cartridge.xpath(lom, "lom:general/lom:description/lom:string/text()") == [course.description]
    assert cartridge.xpath(lom, "lom:general/lom:keyword/lom:string/text()") == list(course.keywords)
    assert cartridge.xpath(lom, "lom:rights/lom:description/lom:string/text()") == [course.licence.title]
    assert cartridge.xpath(lom, "lom:rights/lom:copyrightAndOtherRestrictions/lom:value/text()") == ["yes"]


def test_cc13_ties_each_quiz_item_to_its_competency_ids(built: dict[str, Cartridge]) -> None:
    cc13 = built["cc13"]
    course = load_course(OSEE)
    titles = {c.id: c.title for c in course.competencies()}
    tied = 0
    for resource in cc13.resources(cc13.v.assessment_type):
        sets = {
            s.get("resourcePartId"): s
            for s in cc13.xpath(resource, "cp:metadata/csmd:curriculumStandardsMetadataSet")
        }
        for item in cc13.xml(cc13.file_of(resource)).iterfind(".//q:item", QTI):
            metadata = sets.get(item.get("ident"))
            if metadata is None:
                continue
            (provider,) = cc13.xpath(metadata, "csmd:curriculumStandardsMetadata/@providerId")
            assert provider == "osee"
            guids = cc13.xpath(metadata, ".//csmd:GUID/text()")
            labels = cc13.xpath(metadata, ".//csmd:label/text()")
            assert guids and all(g in titles for g in guids)
            assert labels == [titles[g] for g in guids]
            tied += 1
    quizzes = build_quizzes(course).quizzes.values()
    assert tied == sum(
        expected_items(tuple(q for q in quiz.questions if q.competency_ids)) for quiz in quizzes
    )
    assert built["cc11"].xpath(built["cc11"].manifest, "//csmd:curriculumStandardsMetadataSet") == []


def test_cc13_item_guids_are_the_quiz_models_competency_ids(built: dict[str, Cartridge]) -> None:
    cc13 = built["cc13"]
    course = load_course(OSEE)
    quiz = build_quizzes(course).quizzes["strategy"]
    (resource,) = cc13.xpath(cc13.manifest, "//cp:resource[@identifier='R_module_strategy_quiz']")
    for question in quiz.questions:
        if not question.competency_ids:
            continue
        for item in qti.cc_items(question, course.quiz.seed):  # a split question: each of its items
            metadata = f"cp:metadata/csmd:curriculumStandardsMetadataSet[@resourcePartId='{item.ident}']"
            path = f"{metadata}//csmd:GUID/text()"
            assert tuple(cc13.xpath(resource, path)) == question.competency_ids, item.ident


def test_pages_are_self_contained_and_offline(cartridge: Cartridge, tmp_path: Path) -> None:
    cartridge.zip.extractall(tmp_path)
    site = tmp_path / "web_resources"
    assert broken_references(site) == []
    assert network_loads(site) == []
    module = parse(site / "module-strategy.html")
    assert module.xpath("//a[@class='skip-link']") == [] and module.xpath("//script") == []
    assert module.xpath("//link[@rel='stylesheet']/@href") == ["$IMS-CC-FILEBASE$/static/style.css"]
    assert module.xpath("//header|//footer|//nav[@class='pager']") == []
    assert module.xpath("//h1/text()") == ["Strategy"]
    for resource in cartridge.resources("webcontent"):
        if resource.get("href"):
            assert resource.get("href").endswith(".html")  # Open edX inlines only exactly .html


def test_cartridges_are_deterministic(built: dict[str, Cartridge], tmp_path: Path) -> None:
    result = run("build", OSEE, "--format", "cc11", "--format", "cc13", "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    for name, cartridge in built.items():
        assert (tmp_path / "osee" / f"osee-{name}.imscc").read_bytes() == cartridge.path.read_bytes()
