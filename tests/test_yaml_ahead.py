"""builder.yaml_ahead: a helper process parses the course's YAML while the build loads its code;
what load_yaml takes from it is what it would have parsed, and a file changed since is parsed again."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder import yaml_ahead
from builder.load import load_course
from builder.yamlpos import load_yaml
from tests.conftest import OSEE, run

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the helper is forked")


@pytest.fixture
def course(tmp_path: Path) -> Iterator[Path]:
    copy = tmp_path / "osee"
    shutil.copytree(OSEE, copy)
    yield copy
    yaml_ahead.stop()


def _taken(course: Path) -> list[Path]:
    taken = []
    original = yaml_ahead.YamlAhead.take

    def take(self: yaml_ahead.YamlAhead, file: Path) -> object:
        doc = original(self, file)
        if doc is not None:
            taken.append(file)
        return doc

    yaml_ahead.YamlAhead.take = take  # type: ignore[method-assign]
    try:
        yaml_ahead.start(course)
        load_course(course)
    finally:
        yaml_ahead.YamlAhead.take = original  # type: ignore[method-assign]
        yaml_ahead.stop()
    return taken


def test_documents_from_the_helper_equal_those_parsed_here(course: Path) -> None:
    files = sorted(course.rglob("*.yaml"))
    yaml_ahead.start(course)
    ahead = [yaml_ahead.take(f) for f in files]
    yaml_ahead.stop()
    assert all(doc is not None for doc in ahead)
    for doc, file in zip(ahead, files, strict=True):
        assert doc._later is not None  # keys and raw are unpickled only when read
        here = load_yaml(file)
        assert (doc.file, doc.data, doc.raw) == (here.file, here.data, here.raw)
        assert doc.values == here.values and doc.keys == here.keys  # the same Pos for every path
    assert _taken(course), "the course's own load takes the helper's documents"
    assert load_course(course) is not None


def test_a_file_saved_after_the_helper_read_it_is_parsed_again(course: Path) -> None:
    module = next(course.glob("modules/*/module.yaml"))
    yaml_ahead.start(course)
    assert yaml_ahead.take(course / "nowhere.yaml") is None  # waits until the helper sent every file
    text = module.read_text(encoding="utf-8")
    module.write_text(text + "\n# saved during the build\n", encoding="utf-8")
    assert yaml_ahead.take(module) is None
    assert yaml_ahead.take(course / "course.yaml") is not None
    yaml_ahead.stop()
    assert yaml_ahead.take(course / "course.yaml") is None  # stopped: every file is parsed here


def test_a_file_the_helper_cannot_parse_is_reported_by_the_build(course: Path, tmp_path: Path) -> None:
    module = next(course.glob("modules/*/module.yaml"))
    module.write_text("title: [unclosed\n", encoding="utf-8")
    result = run("build", course, "-f", "gift", "-o", tmp_path / "out", "--no-cache", "--jobs", "2")
    assert result.exit_code == 2
    assert "module.yaml:" in result.stderr and "YAML syntax error" in result.stderr
    assert "Traceback" not in result.output


def test_parallel_builds_with_the_helper_equal_serial_ones(course: Path, tmp_path: Path) -> None:
    for jobs in ("1", "2"):
        result = run(
            "build", course, "-f", "gift", "-f", "cc13", "-o", tmp_path / jobs, "--no-cache", "--jobs", jobs
        )
        assert result.exit_code == 0, result.output
    for name in ("osee-gift.txt", "osee-cc13.imscc"):
        assert (tmp_path / "1" / "osee" / name).read_bytes() == (tmp_path / "2" / "osee" / name).read_bytes()


def test_a_helper_that_dies_leaves_the_build_to_parse(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_ahead, "_help", lambda *args: os._exit(3))
    yaml_ahead.start(course)
    assert yaml_ahead.take(course / "course.yaml") is None
    yaml_ahead.stop()
    assert load_course(course) is not None


def test_the_helper_checks_the_json_schemas_and_the_load_trusts_only_that(
    course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from builder import json_validation

    yaml_ahead.start(course)
    docs = {
        f.name: yaml_ahead.take(f)
        for f in (course / "course.yaml", next(course.glob("modules/*/module.yaml")))
    }
    assert docs["course.yaml"].valid_against == {"course.schema.json"}
    assert docs["module.yaml"].valid_against == {"module.schema.json"}
    yaml_ahead.stop()
    assert load_yaml(course / "course.yaml").valid_against == frozenset()  # parsed here: checked here

    def nothing_checked_here(path: Path, instance: object) -> list[object]:
        raise AssertionError(f"{path.name} checked again")

    monkeypatch.setattr("builder.schema_messages.schema_errors", nothing_checked_here)
    yaml_ahead.start(course)
    assert load_course(course) is not None  # every document the helper found valid
    yaml_ahead.stop()
    assert json_validation.valid_against({"title": 3}) == frozenset()


def test_a_document_the_helper_finds_invalid_is_reported_with_the_usual_message(
    course: Path, tmp_path: Path
) -> None:
    module = next(course.glob("modules/*/module.yaml"))
    module.write_text(module.read_text(encoding="utf-8") + "colour: blue\n", encoding="utf-8")
    result = run("build", course, "-f", "gift", "-o", tmp_path / "out", "--no-cache", "--jobs", "2")
    assert result.exit_code == 2
    assert "module.yaml:" in result.stderr and "unknown key 'colour'" in result.stderr


def test_the_helper_tells_the_course_language_first(course: Path) -> None:
    from tests.conftest import edit

    edit(course / "course.yaml", "language: en", "language: fr")
    yaml_ahead.start(course)
    assert yaml_ahead.course_language() == "fr"
    assert yaml_ahead.take(course / "course.yaml").data["language"] == "fr"
    yaml_ahead.stop()
    assert yaml_ahead.course_language() is None  # no helper


def test_an_overlay_takes_its_base_files_from_the_helper(tmp_path: Path) -> None:
    from tests.conftest import REPO

    base, overlay = tmp_path / "osee", tmp_path / "osee-campus"
    shutil.copytree(OSEE, base)
    shutil.copytree(REPO / "courses" / "osee-campus", overlay)
    taken = _taken(overlay)
    assert any(base in file.parents for file in taken) and any(overlay in file.parents for file in taken)


def test_a_parallel_build_process_imports_neither_the_yaml_parser_nor_the_validator(
    course: Path, tmp_path: Path
) -> None:
    """The helper parses and checks every file: the build process loads neither library."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from builder.cli import main\n"
        f"main(['build', {str(course)!r}, '-f', 'cc13', '-o', {str(tmp_path / 'out')!r}, '--no-cache', "
        "'--jobs', '2'], standalone_mode=False)\n"
        "print(sorted(m for m in ('yaml', 'jsonschema_rs') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]", result.stderr


def test_each_file_is_taken_as_soon_as_the_helper_has_parsed_it(
    course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load works a file behind the helper: it does not wait for files it has not come to."""
    import time

    from builder import yamlpos

    modules = sorted(course.glob("modules/*/module.yaml"))
    last, parse = modules[-1], yamlpos.load_yaml

    def slow_on_the_last(file: Path) -> yamlpos.YamlDoc:
        if file == last:
            time.sleep(1.5)
        return parse(file)

    monkeypatch.setattr(yamlpos, "load_yaml", slow_on_the_last)  # the helper, forked below, has it
    started = time.monotonic()
    yaml_ahead.start(course)
    assert yaml_ahead.take(modules[0]) is not None
    assert time.monotonic() - started < 1.2  # not held up by the last file
    assert yaml_ahead.take(last) is not None
    assert time.monotonic() - started >= 1.5
