"""builder preview over HTTP: serves the web site on 127.0.0.1, rebuilds on a real file change, shows
source errors as path:line:col on the page, and reloads open pages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import edit


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def _version(base: str) -> dict:
    return json.loads(_get(base + "__preview/version"))


def _wait_for_version(base: str, after: int, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = _version(base)
        if state["version"] > after:
            return state
        time.sleep(0.2)
    raise AssertionError(f"no rebuild after version {after}")


@pytest.fixture
def preview(mini: Path) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "builder", "preview", str(mini), "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=mini.parent,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert "http://127.0.0.1:" in line, (line, proc.stderr.read() if proc.poll() is not None else "")
        yield line.split("at ", 1)[1].split(" ", 1)[0]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""


def test_preview_rebuilds_on_change_and_shows_errors(preview: str, mini: Path) -> None:
    base = preview
    page = _get(base + "module-alpha.html")
    assert '<script src="/__preview/reload.js"></script></body>' in page
    assert "Alpha Module" in page
    assert "location.reload()" in _get(base + "__preview/reload.js")
    first = _version(base)
    assert first["problems"] == []

    edit(mini / "modules" / "alpha" / "module.yaml", "title: Alpha Module", "title: Alpha Module Renamed")
    state = _wait_for_version(base, first["version"])
    assert state["problems"] == []
    assert "Alpha Module Renamed" in _get(base + "module-alpha.html")

    edit(mini / "modules" / "alpha" / "module.yaml", "summary:", "sumary:")
    state = _wait_for_version(base, state["version"])
    assert any("modules/alpha/module.yaml:" in p and "did you mean 'summary'" in p for p in state["problems"])
    error_page = _get(base + "index.html")
    assert "modules/alpha/module.yaml:5:1: unknown key" in error_page
    assert "/__preview/reload.js" in error_page

    edit(mini / "modules" / "alpha" / "module.yaml", "sumary:", "summary:")
    state = _wait_for_version(base, state["version"])
    assert state["problems"] == []
    assert "Alpha Module Renamed" in _get(base + "module-alpha.html")


def test_built_files_carry_no_reload_script(preview: str) -> None:
    """The script is added while serving; CSS and other files come unchanged."""
    css = _get(preview + "static/style.css")
    assert "__preview" not in css and css.startswith("/*")


def test_open_page_reloads_itself_after_a_change(preview: str, mini: Path) -> None:
    from tests.scorm_support import chromium, needs_browser

    needs_browser()
    with chromium() as browser:
        page = browser.new_page()
        page.goto(preview + "module-alpha.html")
        assert page.locator("h1").inner_text() == "Alpha Module"
        page.wait_for_timeout(700)  # the reload script has read the current version
        edit(mini / "modules" / "alpha" / "module.yaml", "title: Alpha Module", "title: Alpha Reloaded")
        page.wait_for_function("document.querySelector('h1').textContent === 'Alpha Reloaded'", timeout=30000)
