"""The wheel works anywhere: built from this checkout, installed into a fresh virtual environment and
run from an empty folder outside the checkout: schemas fetch from a local mirror, new course, lint,
build, preview. Third-party dependencies come from the test environment (no download)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import urllib.request
import zipfile
from pathlib import Path

import pytest

from builder import schemas
from tests.scorm_support import serve

REPO = Path(__file__).resolve().parent.parent
SHARED = schemas.DEFAULT_SCHEMA_DIR  # ../shared/schemas beside the checkout, as the other tests find it


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-build-isolation",
            "--no-deps",
            "-w",
            str(out),
            ".",
        ],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("lms_package_builder-*.whl")
    return found


def test_wheel_carries_the_builders_data_but_no_third_party_xsd(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    data = "builder/course_schemas/"
    for name in (
        "course.schema.json",
        "module.schema.json",
        "case-1.0.schema.json",
        "catalog.json",
        "schemas.lock",
        "sources.json",
    ):
        assert data + name in names, name
    for folder in ("builder/templates/", "builder/static/", "builder/static/scorm/"):
        source = REPO / folder
        expected = {folder + p.name for p in source.iterdir() if p.is_file()}
        assert expected <= names, expected - names
    # the interface catalogues (read as .po at run time: builder/i18n.py)
    catalogues = {p.relative_to(REPO).as_posix() for p in (REPO / "builder" / "locale").rglob("*.po*")}
    assert {"builder/locale/messages.pot", "builder/locale/fr/LC_MESSAGES/messages.po"} <= catalogues <= names
    xsds = sorted(n for n in names if n.endswith(".xsd"))
    assert xsds == [
        f"{data}drivers/{n}" for n in sorted(p.name for p in (REPO / "schemas" / "drivers").iterdir())
    ]
    assert not any(n.startswith(("schemas/", "courses/", "tests/")) for n in names)


def test_installed_wheel_works_from_an_empty_folder(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # The dependencies (lxml, jinja2, ...) of the test environment, after the venv's own packages.
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    work = tmp_path / "empty"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in (schemas.ENV_VAR, "PYTHONPATH")}
    env["XDG_DATA_HOME"] = str(tmp_path / "data")
    builder = str(venv / "bin" / "builder")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [builder, *args], cwd=work, env=env, capture_output=True, text=True, timeout=300
        )

    where = subprocess.run(
        [str(python), "-c", "import builder; print(builder.__file__)"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(venv)), where  # the installed copy, not the checkout

    no_course = cli("build")
    assert no_course.returncode == 2 and "builder new course" in no_course.stderr, no_course.stderr
    assert "Traceback" not in no_course.stderr
    assert cli("new", "course", "demo").returncode == 0
    missing = cli("build", "demo", "-f", "scorm12")
    assert missing.returncode == 2 and "builder schemas fetch" in missing.stderr, missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1

    with serve(SHARED) as url:
        fetched = cli("schemas", "fetch", "--from", url)
    assert fetched.returncode == 0, fetched.stderr
    status = cli("schemas", "status")
    assert status.returncode == 0 and status.stdout.count("verified") == 5, status.stdout
    assert str(tmp_path / "data") in status.stdout

    lint = cli("lint", "demo")
    assert lint.returncode == 0, lint.stdout + lint.stderr
    built = cli("build", "demo")
    assert built.returncode == 0, built.stderr
    dist = work / "dist" / "demo"
    for name in (
        "web/index.html",
        "web/quiz-first-module.html",
        "demo-scorm12.zip",
        "demo-scorm2004.zip",
        "demo-cc11.imscc",
        "demo-cc13.imscc",
        "demo-moodle.xml",
        "demo-gift.txt",
        "demo-case.json",
    ):
        assert (dist / name).is_file(), name

    preview = subprocess.Popen(
        [builder, "preview", "demo", "--port", "0"],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert preview.stdout is not None
        line = preview.stdout.readline()
        url = line.split("at ", 1)[1].split(" ", 1)[0]
        with urllib.request.urlopen(url + "module-first-module.html", timeout=10) as response:
            assert b"First module" in response.read()
    finally:
        preview.terminate()
        preview.wait(timeout=10)
