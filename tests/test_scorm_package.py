"""SCORM 1.2 and 2004 packages: valid manifests, complete file lists, the structure LMSs track, metadata,
deterministic zips, and the suspend_data budget."""

from __future__ import annotations

import dataclasses
import hashlib
import re
import zipfile
from pathlib import Path

import pytest
import xmlschema
import yaml
from lxml import etree

from builder.formats import scorm12, scorm2004, scorm_common
from builder.formats.scorm_quiz import ESSAY_MAX, quiz_suspend_worst_case
from builder.load import load_course
from builder.quiz import build_quizzes
from builder.schemas import default_catalog
from builder.xsd_check import validate_xml
from tests.conftest import OSEE, edit, run
from tests.htmlcheck import broken_references, network_loads
from tests.scorm_support import build, every_type_course, manifest, page, quiz_data, unpack

NS12 = {"cp": scorm12.CP, "adlcp": scorm12.ADLCP, "md": scorm12.MD}
NS04 = {"cp": scorm2004.CP, "adlcp": scorm2004.ADLCP, "imsss": scorm2004.IMSSS, "lom": scorm2004.LOM}
SCHEMA_SETS = {"scorm12": "scorm12", "scorm2004": "scorm2004-4th"}


@pytest.fixture(scope="module")
def osee(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    result = run("build", OSEE, "-f", "scorm12", "-f", "scorm2004", "--out", tmp_path_factory.mktemp("dist"))
    assert result.exit_code == 0, result.output
    paths = dict(line.split(": ", 1) for line in result.stdout.splitlines())
    return {name: Path(path) for name, path in paths.items()}


def listed_files(root: etree._Element, ns: dict[str, str]) -> dict[str, list[str]]:
    """Resource identifier -> file hrefs."""
    return {
        r.get("identifier"): r.xpath("cp:file/@href", namespaces=ns)
        for r in root.xpath("//cp:resource", namespaces=ns)
    }


def test_packages_are_named_and_placed_as_documented(osee: dict[str, Path]) -> None:
    assert osee["scorm12"].name == "osee-scorm12.zip" and osee["scorm12"].parent.name == "osee"
    assert osee["scorm2004"].name == "osee-scorm2004.zip" and osee["scorm2004"].parent.name == "osee"


@pytest.mark.parametrize("name", ["scorm12", "scorm2004"])
def test_manifest_is_valid_against_the_official_schemas(osee: dict[str, Path], name: str) -> None:
    with zipfile.ZipFile(osee[name]) as zf:
        data = zf.read("imsmanifest.xml")
        names = set(zf.namelist())
    assert validate_xml(data, SCHEMA_SETS[name], "manifest") == []
    # The schemas travel at the zip root, as SCORM packages conventionally carry them.
    assert {n for n, _ in default_catalog().files(SCHEMA_SETS[name])} <= names


def test_moodle_reads_version_and_sco_type_literally(osee: dict[str, Path]) -> None:
    with zipfile.ZipFile(osee["scorm12"]) as zf:
        raw12 = zf.read("imsmanifest.xml")
    with zipfile.ZipFile(osee["scorm2004"]) as zf:
        raw04 = zf.read("imsmanifest.xml")
    assert b"<schemaversion>1.2</schemaversion>" in raw12
    assert b"<schemaversion>2004 4th Edition</schemaversion>" in raw04
    course = load_course(OSEE)
    scos = 2 * len(course.modules)
    assert len(re.findall(rb'adlcp:scormtype="sco"', raw12)) == scos
    assert len(re.findall(rb'adlcp:scormType="sco"', raw04)) == scos
    assert b'adlcp:scormtype="asset"' in raw12 and b'adlcp:scormType="asset"' in raw04


@pytest.mark.parametrize(("name", "ns"), [("scorm12", NS12), ("scorm2004", NS04)])
def test_organization_has_a_category_item_with_content_then_quiz_per_module(
    osee: dict[str, Path], name: str, ns: dict[str, str]
) -> None:
    course = load_course(OSEE)
    root = manifest(osee[name])
    organizations = root.xpath("cp:organizations/cp:organization", namespaces=ns)
    assert len(organizations) == 1
    assert root.xpath("cp:organizations/@default", namespaces=ns) == [organizations[0].get("identifier")]
    categories = organizations[0].xpath("cp:item", namespaces=ns)
    assert [c.get("identifier") for c in categories] == [f"CAT.osee.{c.id}" for c in course.categories]
    resources = {r.get("identifier"): r for r in root.xpath("//cp:resource", namespaces=ns)}
    for category, item in zip(course.categories, categories, strict=True):
        assert item.xpath("cp:title/text()", namespaces=ns) == [category.title]
        expected = [(m.id, kind) for m in course.modules_of(category) for kind in ("content", "quiz")]
        children = item.xpath("cp:item", namespaces=ns)
        assert [c.get("identifier") for c in children] == [f"ITEM.osee.{m}.{k}" for m, k in expected]
        for child, (module_id, kind) in zip(children, expected, strict=True):
            resource = resources[child.get("identifierref")]
            assert resource.get("identifier") == f"RES.osee.{module_id}.{kind}"
            href = f"module-{module_id}.html" if kind == "content" else f"quiz-{module_id}.html"
            assert resource.get("href") == href
            assert resource.xpath("cp:file/@href", namespaces=ns) == [href]
            assert resource.xpath("cp:dependency/@identifierref", namespaces=ns) == ["RES.osee.shared"]


@pytest.mark.parametrize(("name", "ns"), [("scorm12", NS12), ("scorm2004", NS04)])
def test_every_file_is_listed_and_every_listed_file_exists(
    osee: dict[str, Path], name: str, ns: dict[str, str]
) -> None:
    root = manifest(osee[name])
    listed = [href for hrefs in listed_files(root, ns).values() for href in hrefs]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    with zipfile.ZipFile(osee[name]) as zf:
        names = set(zf.namelist())
    schemas = {n for n, _ in default_catalog().files(SCHEMA_SETS[name])}
    unlisted = {"imsmanifest.xml", *schemas}
    if name == "scorm12":
        unlisted.add(root.xpath("cp:metadata/adlcp:location/text()", namespaces=ns)[0])
    assert set(listed) <= names
    assert names - set(listed) == unlisted
    shared = listed_files(root, ns)["RES.osee.shared"]
    assert {"static/style.css", "static/scorm/scorm-runtime.js", "static/scorm/quiz.js"} <= set(shared)


def test_scorm12_metadata_file_holds_the_course_metadata(osee: dict[str, Path]) -> None:
    course = load_course(OSEE)
    with zipfile.ZipFile(osee["scorm12"]) as zf:
        lom = etree.fromstring(zf.read(scorm12.METADATA_FILE))
    assert lom.tag == f"{{{scorm12.MD}}}lom"
    text = lambda path: lom.xpath(path, namespaces=NS12)  # noqa: E731
    assert text("md:general/md:title/md:langstring/text()") == [course.title]
    assert text("md:general/md:language/text()") == [course.language]
    assert text("md:general/md:description/md:langstring/text()") == [course.description]
    assert text("md:general/md:keyword/md:langstring/text()") == list(course.keywords)
    assert text("md:lifecycle/md:version/md:langstring/text()") == [course.version]
    assert course.licence.title in text("md:rights/md:description/md:langstring/text()")[0]


def test_scorm12_metadata_file_is_valid_ims_md(osee: dict[str, Path]) -> None:
    """No validator compiles IMS MD 1.2.1 (it breaks Unique Particle Attribution); xmlschema in lax
    mode builds it anyway, which is enough to check our file element by element."""
    catalog = default_catalog()
    files = dict(catalog.files("scorm12"))
    xml_xsd = str(catalog.schema_dir / "scorm2004-4th" / "xml.xsd")  # the stand-in the catalog maps
    schema = xmlschema.XMLSchema(
        str(files["imsmd_rootv1p2p1.xsd"]),
        validation="lax",
        allow="local",
        uri_mapper=lambda url: xml_xsd if url.endswith("ims_xml.xsd") else url,
    )
    with zipfile.ZipFile(osee["scorm12"]) as zf:
        data = etree.fromstring(zf.read(scorm12.METADATA_FILE))
    assert [str(e) for e in schema.iter_errors(data)] == []
    data.append(etree.Element(f"{{{scorm12.MD}}}general"))  # a second <general> is not allowed
    assert list(schema.iter_errors(data))


def test_scorm2004_inline_lom_holds_the_course_metadata(osee: dict[str, Path]) -> None:
    course = load_course(OSEE)
    lom = manifest(osee["scorm2004"]).xpath("cp:metadata/lom:lom", namespaces=NS04)[0]
    text = lambda path: lom.xpath(path, namespaces=NS04)  # noqa: E731
    assert text("lom:general/lom:title/lom:string/text()") == [course.title]
    assert text("lom:general/lom:language/text()") == [course.language]
    assert text("lom:general/lom:description/lom:string/text()") == [course.description]
    assert text("lom:general/lom:keyword/lom:string/text()") == list(course.keywords)
    assert text("lom:lifeCycle/lom:version/lom:string/text()") == [course.version]
    assert course.licence.title in text("lom:rights/lom:description/lom:string/text()")[0]


def test_quiz_items_carry_the_pass_mark_and_one_objective_per_competency(osee: dict[str, Path]) -> None:
    course = load_course(OSEE)
    root12, root04 = manifest(osee["scorm12"]), manifest(osee["scorm2004"])
    for module in course.modules:
        item12 = root12.xpath(f"//cp:item[@identifier='ITEM.osee.{module.id}.quiz']", namespaces=NS12)[0]
        assert item12.xpath("adlcp:masteryscore/text()", namespaces=NS12) == [str(course.quiz.pass_mark)]
        item04 = root04.xpath(f"//cp:item[@identifier='ITEM.osee.{module.id}.quiz']", namespaces=NS04)[0]
        objectives = item04.xpath("imsss:sequencing/imsss:objectives", namespaces=NS04)[0]
        primary = objectives.xpath("imsss:primaryObjective", namespaces=NS04)[0]
        assert primary.get("satisfiedByMeasure") == "true"
        threshold = f"{course.quiz.pass_mark / 100:.2f}"
        assert primary.xpath("imsss:minNormalizedMeasure/text()", namespaces=NS04) == [threshold]
        ids = objectives.xpath("imsss:objective/@objectiveID", namespaces=NS04)
        assert ids == [c.id for c in module.competencies]  # competency ids verbatim
        content = root04.xpath(f"//cp:item[@identifier='ITEM.osee.{module.id}.content']", namespaces=NS04)[0]
        rollup = content.xpath("imsss:sequencing/imsss:rollupRules", namespaces=NS04)[0]
        assert rollup.get("rollupObjectiveSatisfied") == "false"
    assert root04.xpath(
        "cp:organizations/cp:organization/imsss:sequencing/imsss:controlMode/@flow", namespaces=NS04
    ) == ["true"]


def test_pass_mark_comes_from_course_yaml(mini: Path, tmp_path: Path) -> None:
    edit(mini / "course.yaml", "pass_mark: 75", "pass_mark: 60")
    packages = build(mini, tmp_path / "out")
    assert manifest(packages["scorm12"]).xpath("//adlcp:masteryscore/text()", namespaces=NS12) == ["60"] * 3
    measures = manifest(packages["scorm2004"]).xpath("//imsss:minNormalizedMeasure/text()", namespaces=NS04)
    assert set(measures) == {"0.60"}
    assert quiz_data(page(packages["scorm12"], "quiz-alpha.html"))["passMark"] == 60


def test_builds_are_byte_identical_with_fixed_timestamps(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = build(mini, tmp_path / "a")
    second = build(mini, tmp_path / "b")
    for name in first:
        assert (
            hashlib.sha256(first[name].read_bytes()).digest()
            == hashlib.sha256(second[name].read_bytes()).digest()
        )
        with zipfile.ZipFile(first[name]) as zf:
            infos = zf.infolist()
        assert [i.filename for i in infos] == sorted(i.filename for i in infos)
        assert {i.date_time for i in infos} == {(2024, 3, 1, 0, 0, 0)}  # the course's release date
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    third = build(mini, tmp_path / "c")
    with zipfile.ZipFile(third["scorm12"]) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2023, 11, 14, 22, 13, 20)}


def test_pages_work_offline_and_links_resolve(osee: dict[str, Path], tmp_path: Path) -> None:
    for name, package in osee.items():
        folder = unpack(package, tmp_path / name)
        assert broken_references(folder) == []
        assert network_loads(folder) == []


def test_pages_a_module_links_to_are_packaged_with_what_they_use(mini: Path, tmp_path: Path) -> None:
    scope = mini / "modules" / "alpha" / "scope.md"
    scope.write_text(
        scope.read_text(encoding="utf-8") + "\nSee the [welcome page](../../pages/welcome.md).\n"
    )
    packages = build(mini, tmp_path / "out")
    shared = listed_files(manifest(packages["scorm12"]), NS12)["RES.mini.shared"]
    assert {"page-welcome.html", "assets/files/diagram.svg", "assets/files/handout.txt"} <= set(shared)
    assert broken_references(unpack(packages["scorm2004"], tmp_path / "site")) == []


def test_worst_case_suspend_data_of_every_osee_quiz_fits_scorm12(osee: dict[str, Path]) -> None:
    course = load_course(OSEE)
    quizzes = build_quizzes(course).quizzes
    sizes = {module_id: quiz_suspend_worst_case(quiz) for module_id, quiz in quizzes.items()}
    assert len(sizes) == len(course.modules)
    assert max(sizes.values()) <= scorm_common.SCORM12.suspend_limit


def test_suspend_data_worst_case_counts_the_draw_and_the_longest_variant_of_each_slot(mini: Path) -> None:
    quiz = build_quizzes(load_course(every_type_course(mini))).quizzes["alpha"]
    kinds = [slot[0].type.value for slot in quiz.slots]
    header = len("q2,999,1,66.67,") + len(quiz.slots)  # the draw: one digit per slot
    per_slot = {
        "ordering": 3,
        "multiple_choice": 1,
        "true_false": 1,
        "matching": 3,
        "short_answer": len("200:") + 200,
        "numerical": len("30:") + 30,
        "multiple_response": 4,
        "essay": len("1000:") + ESSAY_MAX,
    }
    assert quiz_suspend_worst_case(quiz) == header + sum(1 + per_slot[k] for k in kinds)


def test_build_reports_each_sco_suspend_data_against_the_limit(mini: Path, tmp_path: Path) -> None:
    result = run("-v", "build", mini, "-f", "scorm12", "--out", tmp_path / "out")  # a diagnostic: -v only
    assert result.exit_code == 0
    lines = [line for line in result.stderr.splitlines() if "suspend_data" in line]
    assert len(lines) == 3
    assert all(re.search(r"worst case / 4096: \w+: content \d+, quiz \d+$", line) for line in lines)


def test_build_fails_when_suspend_data_could_exceed_the_scorm12_limit(mini: Path, tmp_path: Path) -> None:
    path = mini / "modules" / "alpha" / "assessment.yaml"
    assessment = yaml.safe_load(path.read_text(encoding="utf-8"))
    essay = next(i for o in assessment["objectives"] for i in o.get("items", []) if i["type"] == "essay")
    objective = assessment["objectives"][0]
    objective["items"] += [
        {**essay, "id": f"essay-{i}", "stem": f"Reflect on part {i} of the plan."} for i in range(4)
    ]
    path.write_text(yaml.safe_dump(assessment, sort_keys=False), encoding="utf-8")
    result = run("build", mini, "-f", "scorm12", "--out", tmp_path / "out")
    assert result.exit_code == 1, result.output
    assert "quiz-alpha.html" in result.stderr and "4096" in result.stderr
    assert not (tmp_path / "out" / "mini" / "mini-scorm12.zip").exists()
    assert run("build", mini, "-f", "scorm2004", "--out", tmp_path / "out").exit_code == 0


def test_schema_error_fails_the_build_and_names_the_file(
    mini: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_flow(parent: etree._Element) -> None:
        scorm2004._ss(scorm2004._ss(parent, "sequencing"), "controlMode", flow="sometimes")

    monkeypatch.setattr(scorm2004, "SPEC", dataclasses.replace(scorm2004.SPEC, folder=broken_flow))
    result = run("build", mini, "-f", "scorm2004", "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert "mini-scorm2004.zip:imsmanifest.xml" in result.stderr and "sometimes" in result.stderr
    assert not (tmp_path / "out" / "mini" / "mini-scorm2004.zip").exists()


def test_quiz_page_is_an_accessible_form_whose_data_cannot_end_its_script(mini: Path, tmp_path: Path) -> None:
    packages = build(every_type_course(mini), tmp_path / "out")
    doc = page(packages["scorm2004"], "quiz-alpha.html")
    assert doc.get("lang") == "en-GB" and len(doc.xpath("//h1")) == 1
    questions = doc.xpath("//form[@id='quiz']/fieldset[contains(@class, 'question')]")
    data = quiz_data(doc)
    # 9 slots, one of them an item model's 3 variants: all on the page, one shown per slot.
    assert len(questions) == len(data["questions"]) == 11
    assert [len(slot) for slot in data["slots"]] == [1] * 6 + [3] + [1] * 2
    shown = [f for f in questions if f.get("hidden") is None]
    assert len(shown) == 9
    assert {f.xpath("string(legend)").split(" (")[0] for f in questions} == {
        f"Question {n} of 9" for n in range(1, 10)
    }
    for fieldset in questions:
        assert fieldset.xpath("legend")
        controls = fieldset.xpath(".//input | .//select | .//textarea")
        buttons = fieldset.xpath(".//button")
        assert controls or buttons
        for control in controls:
            assert doc.xpath(f"//label[@for='{control.get('id')}']"), control.get("id")
        for button in buttons:  # move buttons: the visible words, then the step they move
            assert button.get("type") == "button" and button.text_content().startswith(
                ("Move up: ", "Move down: ")
            )
        assert fieldset.xpath(".//p[@class='checks']")
    # The stem that tries to close the script element stays text, and the data still parses.
    assert [s.get("src") or s.get("type") for s in doc.xpath("//script")] == [
        "application/json",
        "static/scorm/scorm-runtime.js",
        "static/scorm/quiz.js",
    ]
    assert "</script>" not in doc.get_element_by_id("quiz-data").text
    kinds = {q["kind"]: q for q in data["questions"] if not q["id"].startswith("alpha.budget-model")}
    assert kinds["essay"]["interaction"] == "long-fill-in" and kinds["essay"]["graded"] is False
    assert doc.xpath("//textarea/@maxlength") == [str(ESSAY_MAX)]
    essay = doc.get_element_by_id(f"q{data['questions'].index(kinds['essay']) + 1}")
    assert "graded by your trainer" in essay.text_content()
    assert [li.text_content() for li in essay.xpath(".//ul[@class='rubric']/li")] == [
        "States progress against each milestone (2 points)",
        "Uses plain language a board member understands (1 point)",
    ]
    assert "do not count towards the score" in doc.xpath("string(//p[@class='lead'])")
    numerical = doc.get_element_by_id(f"q{data['questions'].index(kinds['numerical']) + 1}")
    assert numerical.xpath("string(.//label)") == "Your answer: a number, in EUR"
    assert numerical.xpath(".//input/@inputmode") == ["decimal"]
    assert len(numerical.xpath(".//div[@data-wrong]")) == 2  # one per wrong value with feedback
    ordering = doc.get_element_by_id(f"q{data['questions'].index(kinds['ordering']) + 1}")
    shown_steps = [
        li.xpath("string(span[@class='step-text'])") for li in ordering.xpath(".//ol[@class='steps']/li")
    ]
    right = [
        "Agree what the programme must achieve",
        "Set dated checkpoints on the way",
        "Look again at the plan each quarter",
    ]
    assert sorted(shown_steps) == sorted(right) and shown_steps != right  # never shown solved
    assert ordering.xpath(".//*[@aria-live='polite']")


def test_interaction_formats_differ_per_version(mini: Path, tmp_path: Path) -> None:
    course_dir = every_type_course(mini)
    packages = build(course_dir, tmp_path / "out")
    by_version = {}
    for name, package in packages.items():
        by_version[name] = {
            q["id"].split(".", 1)[1]: q for q in quiz_data(page(package, "quiz-alpha.html"))["questions"]
        }
    v12, v04 = by_version["scorm12"], by_version["scorm2004"]
    # 1.2 names options by their shown position (the builder spreads keys over the positions), 2004 by id.
    model = {q.id.split(".", 1)[1]: q for q in build_quizzes(load_course(course_dir)).quizzes["alpha"].bank}
    shown = {
        k: ",".join("abcdefghij"[i] for i, o in enumerate(q.options) if o.correct) for k, q in model.items()
    }
    assert (v12["plan-review"]["interaction"], v12["plan-review"]["correct"]) == (
        "choice",
        [shown["plan-review"]],
    )
    assert v04["plan-review"]["correct"] == ["a"]
    assert v12["cost-items"]["correct"] == [shown["cost-items"]]
    assert sorted(v04["cost-items"]["correct"][0].split("[,]")) == ["hosting", "staff"]
    assert (v12["report-tf"]["interaction"], v12["report-tf"]["correct"]) == ("true-false", ["t"])
    assert v04["report-tf"]["correct"] == ["true"]
    # Answers listed by text: A signed invoice (distractor), A status note, Agreed goals, Dated checkpoints.
    assert v12["match-terms"]["correct"] == ["a.c,b.d,c.b"]
    assert v12["match-terms"]["targets"] == ["a", "b", "c", "d"]
    assert v04["match-terms"]["correct"] == ["plan[.]plan[,]track[.]track[,]report[.]report"]
    assert v04["match-terms"]["targets"] == ["distractor.1", "report", "plan", "track"]
    assert v12["fill-in"]["correct"] == ["milestones", "milestone"]
    assert v04["fill-in"]["correct"] == ["{case_matters=false}milestones", "{case_matters=false}milestone"]
    assert (v12["report-essay"]["interaction"], v04["report-essay"]["interaction"]) == (
        "fill-in",
        "long-fill-in",
    )
    assert v12["report-essay"]["correct"] == v04["report-essay"]["correct"] == []
    # Ordering: sequencing; 1.2 names steps by their shown position, 2004 by their ids, in the right order.
    assert v12["plan-order"]["interaction"] == v04["plan-order"]["interaction"] == "sequencing"
    assert v04["plan-order"]["correct"] == ["goals[,]milestones[,]review"]
    ids12 = v12["plan-order"]["stepIds"]
    assert v12["plan-order"]["correct"] == [",".join(ids12[k] for k in v12["plan-order"]["key"])]
    assert sorted(ids12) == ["a", "b", "c"]
    # Numerical: numeric; 1.2 the key (a CMIDecimal), 2004 the range the tolerance allows.
    assert v12["budget-total"]["interaction"] == v04["budget-total"]["interaction"] == "numeric"
    assert v12["budget-total"]["correct"] == ["12500"]
    assert v04["budget-total"]["correct"] == ["12500[:]12500"]
    assert v04["budget-total"]["wrongValues"] == ["12000", "10000"] and v04["budget-total"]["unit"] == "EUR"
    # Every variant of the item model is in the data, in one slot.
    variants = [k for k in v04 if k.startswith("budget-model.")]
    assert len(variants) == 3 and len({v04[k]["slot"] for k in variants}) == 1
    # Moodle's 2004 runtime rejects hyphens in identifiers.
    ids = [
        i
        for q in v04.values()
        for key in ("responseIds", "targets", "sources", "stepIds")
        for i in q.get(key, [])
    ]
    assert ids and all(re.fullmatch(r"[\w.]+", i) for i in ids)


def test_numeric_pattern_states_the_tolerance_in_scorm2004(mini: Path, tmp_path: Path) -> None:
    edit(mini / "modules" / "alpha" / "assessment.yaml", "        tolerance: 0\n", "        tolerance: 2.5\n")
    packages = build(mini, tmp_path / "out")
    v04 = {q["id"]: q for q in quiz_data(page(packages["scorm2004"], "quiz-alpha.html"))["questions"]}
    v12 = {q["id"]: q for q in quiz_data(page(packages["scorm12"], "quiz-alpha.html"))["questions"]}
    assert v04["alpha.budget-total"]["correct"] == ["12497.5[:]12502.5"]
    assert v12["alpha.budget-total"]["correct"] == ["12500"]
    assert v12["alpha.budget-total"]["tolerance"] == "2.5"
