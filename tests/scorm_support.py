"""Shared by the SCORM tests: a course with every question type, building and unpacking packages, and a
local web server plus headless Chromium for running SCOs against the mock LMS (fixtures/scorm_lms)."""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from lxml import etree, html

from tests.conftest import FIXTURES, edit, run

CHROMIUM = Path("/usr/bin/chromium")
MOCK_LMS = FIXTURES / "scorm_lms"

EVERY_TYPE_ITEMS = FIXTURES / "scorm_every_type.yaml"
HOSTILE_SHORT_ANSWER = (
    "A programme plan runs from its goals to its ____. </script><script>window.pwned = 1</script>"
)
HOSTILE_ESSAY = "{Reflect} Draft the opening of a progress report for your steering board."


def every_type_course(mini: Path, attempts: int = 2) -> Path:
    """The mini course with every question type in alpha's quiz (its own items, the items of
    fixtures/scorm_every_type.yaml), hostile stems (the short answer's tries to end the page's JSON
    script element, the essay's starts with "{", a SCORM 2004 delimiter) and a limit on submissions.
    Alpha keeps its item model: one slot of three numerical variants."""
    path = mini / "modules" / "alpha" / "assessment.yaml"
    assessment = yaml.safe_load(path.read_text(encoding="utf-8"))
    extra = yaml.safe_load(EVERY_TYPE_ITEMS.read_text(encoding="utf-8"))
    for objective in assessment["objectives"]:
        objective.setdefault("items", []).extend(extra.get(objective["competency"], []))
        for item in objective["items"]:
            if item["id"] == "fill-in":
                item["stem"] = HOSTILE_SHORT_ANSWER
            if item["id"] == "report-essay":
                item["stem"] = HOSTILE_ESSAY
    path.write_text(yaml.safe_dump(assessment, sort_keys=False, allow_unicode=True), encoding="utf-8")
    edit(mini / "course.yaml", "  pass_mark: 75", f"  pass_mark: 75\n  attempts: {attempts}")
    return mini


def build(course: Path, out: Path) -> dict[str, Path]:
    """Build both SCORM packages; format name -> zip."""
    result = run("build", course, "-f", "scorm12", "-f", "scorm2004", "--out", out)
    assert result.exit_code == 0, result.output
    folder = out / course.name
    return {name: folder / f"{course.name}-{name}.zip" for name in ("scorm12", "scorm2004")}


def manifest(package: Path) -> etree._Element:
    with zipfile.ZipFile(package) as zf:
        return etree.fromstring(zf.read("imsmanifest.xml"))


def page(package: Path, name: str) -> html.HtmlElement:
    with zipfile.ZipFile(package) as zf:
        return html.fromstring(zf.read(name))


def quiz_data(doc: html.HtmlElement) -> dict[str, Any]:
    return json.loads(doc.get_element_by_id("quiz-data").text)


def unpack(package: Path, dest: Path) -> Path:
    with zipfile.ZipFile(package) as zf:
        zf.extractall(dest)
    return dest


def needs_browser() -> None:
    """Browser tests run wherever Chromium is installed, and must run in CI."""
    if not CHROMIUM.exists() and not os.environ.get("CI"):
        pytest.skip("Debian's chromium is not installed (make test installs it)")


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve ``root`` on 127.0.0.1 in a thread; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


def site(packages: dict[str, Path], dest: Path) -> Path:
    """A folder to serve: the mock LMS in lms/, each package unpacked in its own folder."""
    shutil.copytree(MOCK_LMS, dest / "lms")
    (dest / "favicon.ico").write_bytes(b"")  # browsers ask for it; a 404 would count as a console error
    for name, package in packages.items():
        unpack(package, dest / name)
    return dest
