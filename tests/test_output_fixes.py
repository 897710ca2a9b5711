"""Output fixes found while adapting a second course (issue 14, item 4)."""

from __future__ import annotations

import json
import posixpath
import zipfile
from pathlib import Path

import lxml.html
import pytest

from builder import markdown
from tests.conftest import OSEE, edit, run

FILEBASE = "$IMS-CC-FILEBASE$/"
BLOCKS = {"p", "div", "ul", "ol", "li", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6"}


def test_empty_audience_table_gives_no_heading_and_no_contents_entry(mini: Path, tmp_path: Path) -> None:
    edit(
        mini / "modules" / "alpha" / "module.yaml",
        "audience:\n  rows:\n    - role: Planners\n      description: People who plan programmes.\n"
        "    - role: Budget Officers\n      description: People who manage budgets.\n",
        "audience:\n  rows: []\n",
    )
    assert run("build", mini, "--out", tmp_path, "-f", "web").exit_code == 0
    page = (tmp_path / "mini" / "web" / "module-alpha.html").read_text(encoding="utf-8")
    assert "Target audience" not in page and 'href="#audience"' not in page
    other = (tmp_path / "mini" / "web" / "module-beta.html").read_text(encoding="utf-8")
    assert 'href="#audience"' in other  # a module with an audience still has both


@pytest.fixture(scope="module")
def osee_cc(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cc")
    assert run("build", OSEE, "--out", out, "-f", "cc11", "-f", "scorm12").exit_code == 0
    return out / "osee"


def test_cartridge_pages_link_files_through_the_filebase_token(osee_cc: Path) -> None:
    with zipfile.ZipFile(osee_cc / "osee-cc11.imscc") as z:
        names = set(z.namelist())
        pages = [n for n in names if n.startswith("web_resources/") and n.endswith(".html")]
        tokens = 0
        for name in pages:
            doc = lxml.html.fromstring(z.read(name))
            for element in doc.iter():
                for attr in ("src", "href"):
                    value = element.get(attr) if isinstance(element.tag, str) else None
                    if not value or "://" in value or value.startswith(("#", "mailto:")):
                        continue
                    # Every file link carries the token (Open edX rewrites nothing else) ...
                    assert value.startswith(FILEBASE), f"{name}: {attr}={value}"
                    # ... and names a file of web_resources/ (Canvas), the page's own folder (Moodle).
                    target = posixpath.join(posixpath.dirname(name), value[len(FILEBASE) :].split("#")[0])
                    assert target in names, f"{name}: {value} -> {target} missing"
                    tokens += 1
    assert tokens >= len(pages)  # at least the stylesheet of every page


def test_lists_and_links_survive_as_plain_text() -> None:
    text = "Trainees can:\n\n- plan [milestones](https://example.org/m)\n- report\n\n1. first\n2. second"
    assert markdown.plain_text(text) == (
        "Trainees can:\n\n- plan milestones (https://example.org/m)\n- report\n\n1. first\n2. second"
    )


def test_lists_and_links_in_competency_descriptions_reach_case_and_qti(mini: Path, tmp_path: Path) -> None:
    edit(
        mini / "modules" / "alpha" / "module.yaml",
        "    description: Trainees can plan a programme from goals to milestones and review the plan"
        " every quarter.\n",
        "    description: |-\n      Trainees can plan a programme from goals to milestones:\n\n"
        "      - set goals with the [logic model](https://example.org/logic)\n"
        "      - review the plan every quarter\n",
    )
    assert run("build", mini, "--out", tmp_path, "-f", "competencies").exit_code == 0
    case = json.loads((tmp_path / "mini" / "mini-case.json").read_text(encoding="utf-8"))
    statement = next(
        i["fullStatement"] for i in case["CFItems"] if i.get("humanCodingScheme") == "alpha-planning"
    )
    assert statement == (
        "Trainees can plan a programme from goals to milestones:\n\n"
        "- set goals with the logic model (https://example.org/logic)\n- review the plan every quarter"
    )


def test_phrasing_only_where_labels_need_it() -> None:
    html = markdown.render_phrasing("One.\n\nTwo **bold**.\n\n- a [link](https://example.org)\n- b")
    fragment = lxml.html.fragment_fromstring(f"<label>{html}</label>")
    assert not {e.tag for e in fragment.iter()} & BLOCKS
    assert fragment.text_content() == "One.Two bold.• a link• b"
    assert markdown.render_phrasing("plain *em* text") == "plain <em>em</em> text"


def test_no_block_element_inside_any_label_of_the_quiz_pages(osee_cc: Path) -> None:
    with zipfile.ZipFile(osee_cc / "osee-scorm12.zip") as z:
        quizzes = [n for n in z.namelist() if n.endswith(".html") and "quiz" in n]
        assert quizzes
        for name in quizzes:
            doc = lxml.html.fromstring(z.read(name))
            for label in doc.iter("label"):
                inside = {e.tag for e in label.iterdescendants() if isinstance(e.tag, str)}
                assert not inside & BLOCKS, f"{name}: <label> holds {inside & BLOCKS}"
