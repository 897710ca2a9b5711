"""Schema catalog, lock and validation against the official XSD sets (../shared/schemas by default)."""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from lxml import etree

from builder import schemas
from builder.errors import BuildError
from builder.schemas import (
    ENV_VAR,
    SchemaCatalog,
    SchemaLockError,
    SchemaMissingError,
    SchemaSetupError,
    default_catalog,
    schema_dir_option,
)
from builder.xsd_check import assert_valid, assert_valid_tree, hardened_parser, validate_xml
from tests.xxe import ENTITY_REFS, hostile_doctype

XML = Path(__file__).parent / "fixtures" / "xml"

# fixture, set, doc type, and for the *_invalid twin a fragment of the expected message
DOCUMENTS = [
    ("scorm12_manifest", "scorm12", "manifest", "The value 'lesson' is not an element of the set"),
    ("scorm2004_manifest", "scorm2004-4th", "manifest", "'tree-shaped' is not a valid value"),
    ("cc11_manifest", "cc11", "manifest", "The value '1.2.0' is not an element of the set"),
    ("cc13_manifest", "cc13", "manifest", "does not match the fixed value constraint"),
    ("cc11_qti_assessment", "cc11", "qti", "The value 'One' is not an element of the set"),
]


@pytest.fixture
def catalog() -> SchemaCatalog:
    return default_catalog()


@pytest.fixture
def schema_copy(tmp_path: Path, catalog: SchemaCatalog) -> Path:
    """A private copy of the schema dir: other tests keep using the shared, cached one."""
    target = tmp_path / "schemas"
    shutil.copytree(catalog.schema_dir, target)
    return target


def invalid_line(path: Path) -> int:
    """Each *_invalid fixture marks its one bad line with an INVALID comment."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if "INVALID" in line)


def all_documents() -> list[tuple[str, str]]:
    catalog = default_catalog()
    return [(name, doc) for name in catalog.set_names for doc in catalog.schema_set(name).documents]


@pytest.mark.parametrize(("set_name", "doc_type"), all_documents())
def test_every_document_type_compiles_with_lxml(catalog: SchemaCatalog, set_name: str, doc_type: str) -> None:
    compiled = catalog.schema(set_name, doc_type)
    assert compiled.engine == "lxml"
    assert compiled is SchemaCatalog(catalog.schema_dir).schema(set_name, doc_type)  # once per process


def test_lock_pins_exactly_the_files_the_catalog_lists(catalog: SchemaCatalog) -> None:
    listed = {rel for name in catalog.set_names for rel in catalog.schema_set(name).locked_files}
    locked = {line.split()[1] for line in schemas.LOCK_FILE.read_text().splitlines() if line}
    assert listed == locked
    for name in catalog.set_names:
        for doc in catalog.schema_set(name).documents.values():
            assert doc.driver in listed


def test_files_lists_a_sets_own_files_for_packaging(catalog: SchemaCatalog) -> None:
    files = dict(catalog.files("scorm12"))
    assert set(files) == {
        "imscp_rootv1p1p2.xsd", "adlcp_rootv1p2.xsd", "imsmd_rootv1p2p1.xsd", "ims_xml.xsd",
    }  # fmt: skip
    assert all(path.is_file() and path.is_absolute() for path in files.values())
    assert "common/dataTypes.xsd" in dict(catalog.files("scorm2004-4th"))


def test_altered_schema_file_is_a_loud_error(schema_copy: Path) -> None:
    altered = schema_copy / "cc11-moodle" / "xml.xsd"
    data = bytearray(altered.read_bytes())
    data[-2] ^= 0x01
    altered.write_bytes(bytes(data))
    catalog = SchemaCatalog(schema_copy)
    with pytest.raises(SchemaLockError) as error:
        catalog.schema("cc11", "manifest")
    message = str(error.value)
    assert str(altered) in message
    assert "ed597c15005f3635f9668ec52e15ebfc4f422d905e8c16368af7b34f515b2027" in message  # expected
    assert hashlib.sha256(bytes(data)).hexdigest() in message  # actual
    with pytest.raises(SchemaLockError):
        catalog.files("cc11")


def test_missing_schema_file_is_a_loud_error(schema_copy: Path) -> None:
    (schema_copy / "drivers" / "scorm12_manifest.xsd").unlink()
    with pytest.raises(SchemaLockError, match=r"scorm12_manifest\.xsd: missing"):
        SchemaCatalog(schema_copy).schema("scorm12", "manifest")


def test_missing_schema_dir_names_what_was_tried(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SchemaSetupError, match=r"absent \(from --schema-dir\)"):
        SchemaCatalog(tmp_path / "absent")
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "from-env"))
    with pytest.raises(SchemaSetupError, match=rf"from-env \(from \${ENV_VAR}\)"):
        SchemaCatalog()
    monkeypatch.delenv(ENV_VAR)
    monkeypatch.setattr(schemas, "DEFAULT_SCHEMA_DIR", tmp_path / "default")
    with pytest.raises(
        SchemaMissingError,
        match=r"not installed \(looked in .*xdg.*, .*default\): run `builder schemas fetch`",
    ):
        SchemaCatalog()


def test_env_var_overrides_default_and_argument_overrides_env(
    schema_copy: Path, catalog: SchemaCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_VAR, str(schema_copy))
    assert SchemaCatalog().schema_dir == schema_copy.resolve()
    assert SchemaCatalog(catalog.schema_dir).schema_dir == catalog.schema_dir


def test_schema_dir_option_passes_a_path(tmp_path: Path) -> None:
    @click.command()
    @schema_dir_option
    def command(schema_dir: Path | None) -> None:
        click.echo(repr(schema_dir))

    assert CliRunner().invoke(command, []).output.strip() == "None"
    result = CliRunner().invoke(command, ["--schema-dir", str(tmp_path)])
    assert result.output.strip() == repr(tmp_path)


@pytest.mark.parametrize(("fixture", "set_name", "doc_type", "error"), DOCUMENTS)
def test_minimal_document_is_valid(
    catalog: SchemaCatalog, fixture: str, set_name: str, doc_type: str, error: str
) -> None:
    assert validate_xml(XML / f"{fixture}.xml", set_name, doc_type, catalog) == []
    assert_valid(XML / f"{fixture}.xml", set_name, doc_type, catalog)


@pytest.mark.parametrize(("fixture", "set_name", "doc_type", "error"), DOCUMENTS)
def test_invalid_variant_reports_line_and_message(
    catalog: SchemaCatalog, fixture: str, set_name: str, doc_type: str, error: str
) -> None:
    path = XML / f"{fixture}_invalid.xml"
    issues = validate_xml(path.read_bytes(), set_name, doc_type, catalog, name="bad.xml")
    assert [(issue.line, error in issue.message) for issue in issues] == [(invalid_line(path), True)]
    assert issues[0].xpath and issues[0].xpath.startswith("/")
    assert str(issues[0]).startswith(f"bad.xml:{invalid_line(path)}:")
    assert str(issues[0]).endswith(f" ({issues[0].xpath})")
    with pytest.raises(BuildError) as raised:
        assert_valid(path, set_name, doc_type, catalog)
    assert f"{path}:{invalid_line(path)}:" in str(raised.value)


@pytest.mark.parametrize(("fixture", "set_name", "doc_type", "error"), DOCUMENTS)
def test_a_tree_built_in_memory_is_judged_as_its_serialisation_and_reported_with_its_lines(
    catalog: SchemaCatalog, fixture: str, set_name: str, doc_type: str, error: str
) -> None:
    for variant in (fixture, f"{fixture}_invalid"):
        # A tree rebuilt element by element (no source lines), serialised as the writers do.
        parsed = etree.fromstring((XML / f"{variant}.xml").read_bytes(), hardened_parser())
        root = _rebuilt(parsed)
        data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
        from_bytes = validate_xml(data, set_name, doc_type, catalog, name="built.xml")
        from_tree = validate_xml(data, set_name, doc_type, catalog, name="built.xml", tree=root.getroottree())
        assert [i.message for i in from_tree] == [i.message for i in from_bytes]
        if variant == fixture:
            assert_valid_tree(root, data, set_name, doc_type, catalog, name="built.xml")
            continue
        assert from_bytes and error in from_bytes[0].message
        with pytest.raises(BuildError) as raised:
            assert_valid_tree(root, data, set_name, doc_type, catalog, name="built.xml")
        assert str(raised.value).splitlines()[1:] == [str(issue) for issue in from_bytes]


def _rebuilt(source: etree._Element) -> etree._Element:
    """A copy of source made element by element, as the writers build their documents."""
    root = etree.Element(source.tag, dict(source.attrib), nsmap=source.nsmap)

    def copy_children(source: etree._Element, target: etree._Element) -> None:
        target.text = source.text
        for child in source:
            if isinstance(child.tag, str):
                copy = etree.SubElement(target, child.tag, dict(child.attrib))
                copy_children(child, copy)
            else:
                copy = etree.Comment(child.text)
                target.append(copy)
            copy.tail = child.tail

    copy_children(source, root)
    return root


def test_xpath_uses_the_documents_prefixes(catalog: SchemaCatalog) -> None:
    issues = validate_xml(XML / "scorm2004_manifest_invalid.xml", "scorm2004-4th", "manifest")
    assert issues[0].xpath == "/manifest/metadata/lom:lom/lom:general/lom:structure/lom:value"


def test_syntax_error_and_wrong_root_are_issues(catalog: SchemaCatalog) -> None:
    [broken] = validate_xml(b"<manifest>\n  <oops>\n</manifest>", "cc11", "manifest", catalog)
    assert (broken.line, broken.column) == (3, 12) and "mismatch" in broken.message
    qti = XML / "cc11_qti_assessment.xml"
    [wrong] = validate_xml(qti, "cc11", "manifest", catalog)
    assert "root element is {http://www.imsglobal.org/xsd/ims_qtiasiv1p2}questestinterop" in wrong.message


def test_detect_by_root_element(catalog: SchemaCatalog) -> None:
    qti = catalog.detect("{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}questestinterop")
    assert [(d.set_name, d.doc_type) for d in qti] == [("cc11", "qti"), ("cc13", "qti")]
    root = etree.QName("http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1", "manifest")
    assert [(d.set_name, d.doc_type) for d in catalog.detect(root)] == [("cc11", "manifest")]
    assert catalog.detect("{urn:nothing}manifest") == []


def test_unsupported_and_unknown_document_types_explain_themselves(catalog: SchemaCatalog) -> None:
    with pytest.raises(SchemaSetupError, match="Unique Particle Attribution"):
        catalog.schema("cc10", "qti")
    with pytest.raises(SchemaSetupError, match="no document type 'quiz'"):
        catalog.schema("cc11", "quiz")
    with pytest.raises(SchemaSetupError, match="unknown schema set 'cc12'"):
        catalog.schema("cc12", "manifest")


def test_loading_an_unlisted_file_is_refused(schema_copy: Path) -> None:
    catalog = SchemaCatalog(schema_copy)
    spec = catalog.schema_set("cc11")
    unlisted = dataclasses.replace(spec, files=tuple(f for f in spec.files if f != "xml.xsd"))
    with pytest.raises(SchemaSetupError, match=r"loads cc11-moodle/xml\.xsd, which catalog\.json"):
        catalog._compile_set(unlisted)


def test_unmapped_remote_import_is_refused_not_downloaded(schema_copy: Path) -> None:
    catalog = SchemaCatalog(schema_copy)
    unmapped = dataclasses.replace(catalog.schema_set("cc13"), url_map={})
    with pytest.raises(SchemaSetupError, match=r"imports http://www\.imsglobal\.org/.* no local"):
        catalog._compile_set(unmapped)


def test_falls_back_to_xmlschema_when_lxml_cannot_compile(
    schema_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*_: object) -> None:
        raise etree.XMLSchemaParseError("simulated libxml2 failure")

    monkeypatch.setattr(schemas, "_compile_lxml", refuse)
    catalog = SchemaCatalog(schema_copy)
    assert catalog.schema("cc11", "manifest").engine == "xmlschema"
    assert validate_xml(XML / "cc11_manifest.xml", "cc11", "manifest", catalog) == []
    path = XML / "cc11_manifest_invalid.xml"
    [issue] = validate_xml(path, "cc11", "manifest", catalog)
    assert issue.line == invalid_line(path) and "1.1.0" in issue.message
    assert issue.xpath == "/manifest/metadata/schemaversion"


def test_external_entities_are_neither_read_nor_fetched(tmp_path: Path, catalog: SchemaCatalog) -> None:
    with hostile_doctype(tmp_path) as doctype:
        manifest = (XML / "cc11_manifest.xml").read_text(encoding="utf-8")
        manifest = manifest.replace("<manifest ", doctype + "<manifest ", 1)
        manifest = manifest.replace("Welcome<", f"{ENTITY_REFS}<", 1)
        issues = validate_xml(manifest.encode(), "cc11", "manifest", catalog, name="xxe.xml")
        parsed = etree.tostring(etree.fromstring(manifest.encode(), hardened_parser()))
    assert b"TOP-SECRET" not in parsed and b"&file;" in parsed
    assert [issue.line for issue in issues if "DOCTYPE not allowed" in issue.message] == [2]
    assert not any("TOP-SECRET" in str(issue) for issue in issues)
