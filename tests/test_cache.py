"""The output cache of `builder build`: a rebuild of unchanged sources is byte-identical to a cold build."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import edit, run

FORMATS = ("-f", "web", "-f", "cc13", "-f", "gift")


def tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def cached(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.delenv("BUILDER_NO_CACHE")
    monkeypatch.setenv("BUILDER_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_rebuild_from_the_cache_is_byte_identical_and_skips_loading(
    mini: Path, tmp_path: Path, cached: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = tmp_path / "cold"
    assert run("build", mini, *FORMATS, "--out", cold, "--no-cache").exit_code == 0
    # --no-cache neither reads nor fills the output cache (compiled templates, like .pyc files,
    # are kept in its templates/ folder all the same)
    assert not list(cached.glob("*/entry.json"))
    assert run("build", mini, *FORMATS, "--out", tmp_path / "first").exit_code == 0
    import builder.load

    def no_load(_: Path) -> None:
        raise AssertionError("a full cache hit must not load the course")

    monkeypatch.setattr(builder.load, "load_course", no_load)
    warm = tmp_path / "warm"
    result = run("build", mini, *FORMATS, "--out", warm)
    assert result.exit_code == 0, result.output
    assert "gift: " in result.output and "web/index.html" in result.output
    assert tree(warm / "mini") == tree(cold / "mini")
    assert len(tree(warm / "mini")) > 3


def test_a_changed_source_misses_the_cache(mini: Path, tmp_path: Path, cached: Path) -> None:
    out = tmp_path / "out"
    assert run("build", mini, *FORMATS, "--out", out).exit_code == 0
    edit(mini / "modules" / "alpha" / "scope.md", "", "Cache check paragraph.\n\n")
    assert run("build", mini, *FORMATS, "--out", out).exit_code == 0
    cold = tmp_path / "cold"
    assert run("build", mini, *FORMATS, "--out", cold, "--no-cache").exit_code == 0
    assert tree(out / "mini") == tree(cold / "mini")
    assert "Cache check paragraph." in (out / "mini" / "web" / "module-alpha.html").read_text(
        encoding="utf-8"
    )


def test_output_folder_inside_the_course_is_no_source(
    mini: Path, cached: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(mini)
    assert run("build", "-f", "gift").exit_code == 0
    entries = set(cached.iterdir())
    assert run("build", "-f", "gift").exit_code == 0  # dist/ inside the course changed: still a hit
    assert set(cached.iterdir()) == entries
    assert (mini / "dist" / "mini" / "mini-gift.txt").is_file()


def test_an_overlay_misses_the_cache_when_its_base_changes(tmp_path: Path, cached: Path) -> None:
    """An overlay reads its base's files: a change there must rebuild it, not copy stale output."""
    import shutil

    from tests.conftest import FIXTURES

    base = tmp_path / "mini"
    shutil.copytree(FIXTURES / "mini", base)
    overlay = tmp_path / "mini-local"
    overlay.mkdir()
    (overlay / "course.yaml").write_text("extends: ../mini\nid: mini-local\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run("build", overlay, "-f", "web", "--out", out).exit_code == 0
    page = out / "mini-local" / "web" / "index.html"
    assert "Welcome" in page.read_text(encoding="utf-8")
    edit(base / "pages" / "welcome.md", "\n", "\n\nA sentence added upstream.\n\n")
    assert run("build", overlay, "-f", "web", "--out", out).exit_code == 0
    welcome = next((out / "mini-local" / "web").glob("page-*.html"))
    assert "A sentence added upstream." in welcome.read_text(encoding="utf-8")


def test_each_language_has_its_own_cache_entry(tmp_path: Path, cached: Path) -> None:
    from builder.cache import BuildCache

    course = Path(__file__).parent / "fixtures" / "mini"
    assert BuildCache(course, variant="fr", root=cached).sources != BuildCache(course, root=cached).sources


@pytest.mark.parametrize(
    "hostile",
    ["seed: " + "9" * 5000, "seed: &a [*a]", "seed: " + "[" * 200 + "]" * 200],
    ids=["5000-digit number", "recursive alias", "deep nesting"],
)
def test_the_cache_key_reads_a_hostile_course_yaml_without_a_traceback(
    mini: Path, tmp_path: Path, cached: Path, hostile: str
) -> None:
    """Before loading, the cache reads course.yaml for the courses it extends: with the same
    limits as the loader, so the build reports the problem instead of crashing."""
    edit(mini / "course.yaml", "seed: 7", hostile)
    result = run("build", mini, "-f", "gift", "--out", tmp_path / "out")
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and f"{mini / 'course.yaml'}:" in result.stderr


def test_a_format_is_cached_with_its_own_files_only(
    mini: Path, tmp_path: Path, cached: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Formats write into one staging folder at once: a file another one has in flight there (its
    temporary zip) is not cached as part of this one, and a rebuild from the cache does not bring
    it back."""
    import builder.formats.gift as gift

    real = gift.build

    def build(course: object, out: Path) -> list[Path]:
        (out / ".mini-cc13.imscc.tmp").write_bytes(b"PK half a zip")  # another format's, in flight
        return real(course, out)

    monkeypatch.setattr(gift, "build", build)
    assert run("build", mini, "-f", "gift", "--out", tmp_path / "first").exit_code == 0
    monkeypatch.setattr(gift, "build", real)
    warm = tmp_path / "warm"
    assert run("build", mini, "-f", "gift", "--out", warm).exit_code == 0
    assert sorted(p.name for p in (warm / "mini").iterdir()) == ["mini-gift.txt"]


def test_every_format_rebuilt_from_the_cache_is_whole(mini: Path, tmp_path: Path, cached: Path) -> None:
    cold = tmp_path / "cold"
    assert run("build", mini, "--out", cold, "--no-cache").exit_code == 0
    assert run("build", mini, "--out", tmp_path / "first").exit_code == 0
    warm = tmp_path / "warm"
    assert run("build", mini, "--out", warm).exit_code == 0
    assert tree(warm / "mini") == tree(cold / "mini")
