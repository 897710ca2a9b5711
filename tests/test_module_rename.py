"""A course that builds keeps building when its modules are renamed (issue 15, point 5).

Nothing in the quizzes may depend on a module's id: which items a module gets, where each key is
shown and what the test-wise audit finds come from the authored items and the course's seed. Every
OSEE module is renamed (folder, id and every reference), then lint and the audit are compared.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import OSEE, run


def _renamed_copy(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    course = tmp_path / "osee"
    shutil.copytree(OSEE, course)
    names = {m.name: f"zz-{m.name[::-1]}" for m in sorted((course / "modules").iterdir()) if m.is_dir()}
    for path in course.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        for old, new in names.items():
            text = text.replace(f"modules/{old}/", f"modules/{new}/")
            forms = ("id: {}\n", "module: {}\n") if path.name == "module.yaml" else ("- {}\n",)
            for form in forms:  # a module's own id, its dependencies; course.yaml's module lists
                text = text.replace(form.format(old), form.format(new))
        path.write_text(text, encoding="utf-8")
    for old, new in names.items():
        (course / "modules" / old).rename(course / "modules" / new)
    return course, names


def test_renaming_every_module_changes_no_quiz(tmp_path: Path) -> None:
    course, names = _renamed_copy(tmp_path)
    result = run("lint", course)
    assert result.exit_code == 0, result.stderr + result.stdout
    before = json.loads(run("quiz", OSEE, "--json").stdout)
    after = json.loads(run("quiz", course, "--json").stdout)
    assert [q["module"] for q in after["quizzes"]] == [names[q["module"]] for q in before["quizzes"]]
    assert after["audit"] == before["audit"]
    renamed = {names[m]: n for m, n in before["counts"]["per_module"].items()}
    assert after["counts"] == before["counts"] | {"per_module": renamed}
    assert _shown(after) == _shown(before)


def _shown(quiz_json: dict) -> list[list[object]]:
    """Each item as a learner sees it: stem and options in their order (ids carry the module's)."""
    return [
        [(item["stem"], [o["text"] for o in item.get("options") or []]) for item in q["questions"]]
        for q in quiz_json["quizzes"]
    ]
