"""Every kind of author mistake gives one `path:line:col: message` line and exit code 2."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import edit, line_of, run

Case = tuple[Callable[[Path], None], str, str, str]  # mutate, file, line needle, message regex

CASES: dict[str, Case] = {
    "unknown course key": (
        lambda c: edit(c / "course.yaml", "keywords:", "colour: blue\nkeywords:"),
        "course.yaml",
        "colour: blue",
        r"unknown key 'colour'",
    ),
    "unknown module key": (
        lambda c: edit(c / "modules/alpha/module.yaml", "summary:", "sumary: typo\nsummary:"),
        "modules/alpha/module.yaml",
        "sumary:",
        r"unknown key 'sumary'",
    ),
    "wrong type": (
        lambda c: edit(c / "modules/beta/module.yaml", "title: Beta Module", "title: [Beta]"),
        "modules/beta/module.yaml",
        "title: [Beta]",
        r"title: must be text, not a list",
    ),
    "missing description": (
        lambda c: edit(
            c / "modules/gamma/module.yaml",
            "    description: Trainees can deploy an open-source service on a server and keep it patched.\n",
            "",
        ),
        "modules/gamma/module.yaml",
        "- id: gamma-hosting",
        r"missing required key 'description'",
    ),
    "duplicate competency id across modules": (
        lambda c: edit(c / "modules/beta/module.yaml", "id: beta-growing", "id: alpha-planning"),
        "modules/beta/module.yaml",
        "id: alpha-planning",
        r"duplicate competency id 'alpha-planning'",
    ),
    "duplicate section id": (
        lambda c: edit(
            c / "modules/alpha/module.yaml",
            "audience:",
            "  - id: scope  # again\n    title: Again\n    file: scope.md\naudience:",
        ),
        "modules/alpha/module.yaml",
        "# again",
        r"duplicate section id 'scope'",
    ),
    "dangling dependency": (
        lambda c: edit(c / "modules/gamma/module.yaml", "module: alpha", "module: omega"),
        "modules/gamma/module.yaml",
        "module: omega",
        r"unknown module 'omega'",
    ),
    "listed module without folder": (
        lambda c: edit(c / "course.yaml", "modules: [gamma]", "modules: [gamma, delta]"),
        "course.yaml",
        "modules: [gamma, delta]",
        r"module 'delta' has no modules/delta/module.yaml",
    ),
    "module folder not listed": (
        lambda c: edit(c / "course.yaml", "modules: [alpha, beta]", "modules: [alpha]"),
        "modules/beta/module.yaml",
        None,
        r"module folder 'beta' is not listed",
    ),
    "missing markdown file": (
        lambda c: edit(c / "modules/beta/module.yaml", "file: scope.md", "file: scoop.md"),
        "modules/beta/module.yaml",
        "file: scoop.md",
        r"file 'scoop.md' not found",
    ),
    "empty markdown file": (
        lambda c: (c / "categories/first.md").write_text("  \n", encoding="utf-8"),
        "course.yaml",
        "intro: categories/first.md",
        r"is empty",
    ),
    "yaml syntax error": (
        lambda c: edit(c / "modules/alpha/module.yaml", "title: Alpha Module", "title: [Alpha"),
        "modules/alpha/module.yaml",
        None,
        r"YAML syntax error",
    ),
    "duplicate yaml key": (
        lambda c: edit(c / "course.yaml", "language: en-GB", "language: en-GB\nlanguage: fr"),
        "course.yaml",
        "language: fr",
        r"duplicate key 'language'",
    ),
    "javascript link in markdown": (
        lambda c: edit(
            c / "modules/beta/scope.md",
            "of **practice**.",
            "of **practice**.\n\nClick [here](javascript:alert(1)).",
        ),
        "modules/beta/scope.md",
        "javascript:",
        r"unsafe scheme 'javascript:'",
    ),
    "data link in inline description": (
        lambda c: edit(
            c / "modules/beta/module.yaml",
            "People who run communities.",
            "People who run [communities](data:text/html;base64,PHNjcmlwdD4=).",
        ),
        "modules/beta/module.yaml",
        "data:text/html",
        r"unsafe scheme 'data:'",
    ),
    "link outside the course": (
        lambda c: edit(
            c / "modules/gamma/scope.md",
            "Gamma covers hosting.",
            "Gamma covers [hosting](../../../../etc/passwd).",
        ),
        "modules/gamma/scope.md",
        "etc/passwd",
        r"points outside the course folder",
    ),
    "markdown file outside the course": (
        lambda c: edit(c / "modules/gamma/module.yaml", "file: scope.md", "file: ../../../x.md"),
        "modules/gamma/module.yaml",
        "file: ../../../x.md",
        r"outside the course folder",
    ),
    "bad language tag": (
        lambda c: edit(c / "course.yaml", "language: en-GB", "language: english_uk"),
        "course.yaml",
        "language: english_uk",
        r"language: 'english_uk' has the wrong form",
    ),
    "impossible date": (
        lambda c: edit(c / "course.yaml", '"2024-03-01"', '"2024-02-30"'),
        "course.yaml",
        "release_date",
        r"release_date: .*'2024-02-30' is not a 'date'",
    ),
    "category mismatch": (
        lambda c: edit(c / "modules/gamma/module.yaml", "category: second", "category: first"),
        "modules/gamma/module.yaml",
        "category: first",
        r"differs from the category that lists",
    ),
    "id differs from folder": (
        lambda c: edit(c / "modules/beta/module.yaml", "id: beta\n", "id: betta\n"),
        "modules/beta/module.yaml",
        "id: betta",
        r"must equal its folder name 'beta'",
    ),
    "bad id form": (
        lambda c: edit(c / "modules/alpha/module.yaml", "id: alpha-reporting", "id: Alpha_Reporting"),
        "modules/alpha/module.yaml",
        "id: Alpha_Reporting",
        r"'Alpha_Reporting' has the wrong form",
    ),
    "invalid utf-8": (
        lambda c: (c / "modules/gamma/scope.md").write_bytes(b"Gamma \xff covers hosting.\n"),
        "modules/gamma/scope.md",
        None,
        r"not valid UTF-8",
    ),
    "link to a missing file": (
        lambda c: edit(c / "pages/welcome.md", "../files/handout.txt", "../files/handbook.txt"),
        "pages/welcome.md",
        "handbook.txt",
        r"points to a missing file",
    ),
    "script attachment": (
        lambda c: (
            (c / "files/evil.html").write_text("<script>alert(1)</script>", encoding="utf-8"),
            edit(c / "categories/first.md", "modules.", "modules. [Open](../files/evil.html)"),
        ),
        "categories/first.md",
        "evil.html",
        r"type '.html' cannot be attached",
    ),
    "svg with script": (
        lambda c: (c / "files/diagram.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            encoding="utf-8",
        ),
        "pages/welcome.md",
        "diagram.svg",
        r"SVG contains a <script> element",
    ),
    "link to a non-page markdown file": (
        lambda c: edit(
            c / "modules/alpha/scope.md",
            "[Beta](../beta/module.yaml)",
            "[Beta](../beta/audience-intro.md)",
        ),
        "modules/alpha/scope.md",
        "audience-intro.md",
        r"not a page, category intro, module",
    ),
    "symlinked attachment leading outside": (
        lambda c: (
            (c / "files" / "leak.txt").symlink_to(c.parent / "secret.txt"),
            (c.parent / "secret.txt").write_text("secret\n", encoding="utf-8"),
            edit(
                c / "modules/gamma/scope.md",
                "Gamma covers hosting.",
                "Gamma covers [x](../../files/leak.txt).",
            ),
        ),
        "modules/gamma/scope.md",
        "leak.txt",
        r"outside the course folder through a symbolic link",
    ),
    "symlinked module file leading outside": (
        lambda c: (
            (c.parent / "outside.yaml").write_text(
                (c / "modules/gamma/module.yaml").read_text(), encoding="utf-8"
            ),
            (c / "modules/gamma/module.yaml").unlink(),
            (c / "modules/gamma/module.yaml").symlink_to(c.parent / "outside.yaml"),
        ),
        "course.yaml",
        "modules: [gamma]",
        r"is a link to a file outside the course",
    ),
    "svg with an entity-hidden script": (
        lambda c: (c / "files/diagram.svg").write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x "<script>alert(1)</script>">]>\n'
            '<svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
            encoding="utf-8",
        ),
        "pages/welcome.md",
        "diagram.svg",
        r"SVG has a DOCTYPE",
    ),
    "svg with an animated javascript link": (
        lambda c: (c / "files/diagram.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg"><a><set attributeName="href" to="javascript:alert(1)"/>'
            "<text>x</text></a></svg>",
            encoding="utf-8",
        ),
        "pages/welcome.md",
        "diagram.svg",
        r"SVG contains a <set> element",
    ),
    "svg loading a remote stylesheet": (
        lambda c: (c / "files/diagram.svg").write_text(
            '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://tracker.example/x.css);</style>'
            "</svg>",
            encoding="utf-8",
        ),
        "pages/welcome.md",
        "diagram.svg",
        r"SVG style loads another resource",
    ),
    "remote image": (
        lambda c: edit(
            c / "modules/beta/scope.md",
            "of **practice**.",
            "of **practice**.\n\n![pixel](https://tracker.example/p.gif?learner=1)",
        ),
        "modules/beta/scope.md",
        "tracker.example",
        r"packages load nothing from the internet",
    ),
    "attachment name that breaks LMS links": (
        lambda c: (
            (c / "files/a&b.txt").write_text("x\n", encoding="utf-8"),
            edit(c / "categories/first.md", "modules.", "modules. [Notes](../files/a%26b.txt)"),
        ),
        "categories/first.md",
        "a%26b.txt",
        r"file name contains '&'",
    ),
    "alias bomb": (
        lambda c: edit(
            c / "course.yaml",
            "keywords: [testing]",
            "keywords: [testing]\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            + "".join(
                f"x{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, "
                f"*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n"
                for i in range(1, 9)
            ),
        ),
        "course.yaml",
        None,
        r"aliases expanding too much",
    ),
    "recursive alias": (
        lambda c: edit(c / "course.yaml", "keywords: [testing]", "keywords: &k [testing, *k]"),
        "course.yaml",
        "keywords: &k",
        r"recursive alias",
    ),
    "merge key": (
        lambda c: edit(
            c / "course.yaml", "keywords: [testing]", "keywords: [testing]\nquizz:\n  <<: {seed: 1}"
        ),
        "course.yaml",
        "<<:",
        r"merge keys \(<<\) are not supported",
    ),
    "python tag": (
        lambda c: edit(
            c / "course.yaml",
            "title: Mini Course for Tests",
            "title: !!python/object/apply:os.system [echo hi]",
        ),
        "course.yaml",
        "!!python",
        r"unsupported YAML (value|tag)",
    ),
    "raw control character in yaml": (
        lambda c: edit(
            c / "modules/beta/module.yaml", "summary: Beta is about", "summary: Beta \x0b is about"
        ),
        "modules/beta/module.yaml",
        "summary: Beta",
        r"character U\+000B is not allowed",
    ),
    "escaped control character in yaml": (
        lambda c: edit(c / "modules/beta/module.yaml", "title: Beta Module", 'title: "Beta\\v Module"'),
        "modules/beta/module.yaml",
        'title: "Beta',
        r"control character U\+000B",
    ),
    "control character in markdown": (
        lambda c: edit(c / "modules/gamma/scope.md", "Gamma covers hosting.", "Gamma covers\x01 hosting."),
        "modules/gamma/scope.md",
        "Gamma covers",
        r"control character U\+0001",
    ),
    "deep nesting": (
        lambda c: edit(c / "course.yaml", "keywords: [testing]", "keywords: " + "[" * 3000 + "]" * 3000),
        "course.yaml",
        None,
        r"nested more than 64 levels|YAML",
    ),
    "missing discussion prompt": (
        lambda c: edit(
            c / "modules/beta/module.yaml", "dependencies:", "discussion:\n  prompt: talk.md\ndependencies:"
        ),
        "modules/beta/module.yaml",
        "prompt: talk.md",
        r"file 'talk.md' not found",
    ),
    "no course.yaml": (
        lambda c: (c / "course.yaml").unlink(),
        "course.yaml",
        None,
        r"no course.yaml here",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("command", ["build", "lint"])
def test_bad_input_reports_file_line_and_exits_2(mini: Path, tmp_path: Path, name: str, command: str) -> None:
    mutate, rel, needle, message = CASES[name]
    mutate(mini)
    out = tmp_path / "out"
    result = run(command, mini, *(["--out", out] if command == "build" else []))
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "no message printed"
    pattern = re.compile(rf"^(\S*/)?{re.escape(rel)}:(\d+):(\d+): .*{message}")
    matching = [m for line in lines if (m := pattern.search(line))]
    assert matching, f"expected {rel}:LINE: ~{message!r} in:\n{result.stderr}"
    if needle is not None:
        assert int(matching[0].group(2)) == line_of(mini / rel, needle.splitlines()[0] or needle), (
            result.stderr
        )
    assert not out.exists() or not any(out.rglob("*.html")), "nothing may be written for bad input"
