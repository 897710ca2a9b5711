"""Reflection discussion topics appear where the course asks for them, with the author's prompt."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from builder.formats.cc_versions import VERSIONS
from tests.conftest import edit, run
from tests.test_cc_cartridges import Cartridge


def topics(cartridge: Cartridge) -> dict[str, etree._Element]:
    """Module id -> its topic document."""
    found = {}
    for resource in cartridge.resources(cartridge.v.topic_type):
        module_id = resource.get("identifier").removeprefix("R_module_").removesuffix("_reflection")
        found[module_id] = cartridge.xml(cartridge.file_of(resource))
    return found


@pytest.mark.parametrize("version", sorted(VERSIONS))
def test_topics_follow_the_course_and_module_settings(mini: Path, tmp_path: Path, version: str) -> None:
    (mini / "modules/alpha/discuss.md").write_text(
        "Which milestone of **your** current plan is most at risk, and why?\n", encoding="utf-8"
    )
    with (mini / "modules/alpha/module.yaml").open("a", encoding="utf-8") as out:
        out.write("discussion:\n  title: Milestones at risk\n  prompt: discuss.md\n")
    assert run("build", mini, "-f", version, "--out", tmp_path / "a").exit_code == 0
    cartridge = Cartridge(tmp_path / "a" / "mini" / f"mini-{version}.imscc", VERSIONS[version])
    ns = {"dt": cartridge.v.topic}
    found = topics(cartridge)
    assert sorted(found) == ["alpha"]  # the course does not ask for discussions everywhere
    assert found["alpha"].findtext("dt:title", namespaces=ns) == "Milestones at risk"
    body = etree.HTML(found["alpha"].findtext("dt:text", namespaces=ns))
    assert body.xpath("//strong/text()") == ["your"]

    edit(mini / "course.yaml", "quiz:", "discussions: true\nquiz:")
    with (mini / "modules/gamma/module.yaml").open("a", encoding="utf-8") as out:
        out.write("discussion: false\n")
    assert run("build", mini, "-f", version, "--out", tmp_path / "b").exit_code == 0
    cartridge = Cartridge(tmp_path / "b" / "mini" / f"mini-{version}.imscc", VERSIONS[version])
    found = topics(cartridge)
    assert sorted(found) == ["alpha", "beta"]
    assert found["beta"].findtext("dt:title", namespaces=ns) == "Reflection: Beta Module"
    generated = etree.HTML(found["beta"].findtext("dt:text", namespaces=ns))
    assert generated.xpath("//li/strong/text()") == ["Growing Communities", "Moderating Communities"]
