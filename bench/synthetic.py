"""Synthetic courses for `make bench`: N modules passing every quiz gate, and their questions for text2qti.

Every module has ``competencies`` competencies, each assessed by multiple-choice items (one at apply
level, the rest at understand level), so coverage holds; the items pass the test-wise audit: the four
options of an item are made-up words of one length (nothing shared with the stem, the titles or each
other), and the builder spreads the keys over positions. The text is deterministic: the same
arguments write the same files.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

CONSONANTS = "bdfgklmnprstvz"
VOWELS = "aeiou"
PARAGRAPH = (
    "Teams that {verb} their work in the open keep a short record of every decision, who took it and why. "
    "The record lives next to the code, so a newcomer can follow the reasoning without asking around."
)


def nonce_words() -> Iterator[str]:
    """Distinct made-up words of six letters (consonant-vowel syllables), in a fixed order."""
    syllables = [c + v for c in CONSONANTS for v in VOWELS]
    for a, b, c in itertools.product(syllables, repeat=3):
        yield (a + b + c).capitalize()


def mcq(words: Iterator[str], number: int) -> tuple[str, list[str]]:
    """A stem and four options (the first is the key) of two made-up words each."""
    stem = f"Which pair of terms does reference card {number} print in its heading?"
    return stem, [f"{next(words)} {next(words)}" for _ in range(4)]


def write_course(
    root: Path, modules: int, competencies: int = 2, items: int = 2, paragraphs: int = 3
) -> Path:
    """Write a course of ``modules`` modules into root/<id>/ and return that folder."""
    course_id = f"bench{modules}"
    course = root / course_id
    words = nonce_words()
    number = itertools.count(1)
    (course / "categories").mkdir(parents=True, exist_ok=True)
    per_category = 10
    categories = []
    module_ids = [f"m{i:04d}" for i in range(1, modules + 1)]
    for c, start in enumerate(range(0, modules, per_category), 1):
        ids = module_ids[start : start + per_category]
        (course / "categories" / f"c{c}.md").write_text(f"Category {c} groups {len(ids)} modules.\n")
        categories.append(
            f"  - id: c{c}\n    title: Category {c}\n    intro: categories/c{c}.md\n"
            f"    modules: [{', '.join(ids)}]\n"
        )
        for module_id in ids:
            _write_module(
                course / "modules" / module_id,
                module_id,
                f"c{c}",
                competencies,
                items,
                paragraphs,
                words,
                number,
            )
    (course / "course.yaml").write_text(
        f'id: {course_id}\ntitle: Benchmark Course of {modules} Modules\nversion: "1.0"\n'
        'release_date: "2024-03-01"\nlanguage: en-GB\n'
        "description: A generated course for timing the builder.\n"
        "licence:\n  name: CC BY 4.0\n  url: https://creativecommons.org/licenses/by/4.0/\n"
        "quiz:\n  seed: 7\n  pass_mark: 75\n"
        "categories:\n" + "".join(categories),
        encoding="utf-8",
    )
    return course


def _write_module(
    folder: Path,
    module_id: str,
    category: str,
    competencies: int,
    items: int,
    paragraphs: int,
    words: Iterator[str],
    number: Iterator[int],
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    body = "\n\n".join(PARAGRAPH.format(verb=("plan", "review", "share")[p % 3]) for p in range(paragraphs))
    (folder / "scope.md").write_text(
        f"## Overview\n\n{body}\n\n- keep decisions visible\n- write things down\n", encoding="utf-8"
    )
    comps, objectives = [], []
    for c in range(1, competencies + 1):
        description = f"Trainees can keep decision record number {c} of unit {module_id} up to date."
        comps.append(
            f"  - id: {module_id}-k{c}\n    title: Decision Record {c}\n    description: {description}\n"
        )
        item_yaml = []
        for i in range(items):
            n = next(number)
            stem, options = mcq(words, n)
            level = "apply" if i == 0 else "understand"
            opts = "".join(
                f"          - {{id: o{k}, text: {text}"
                + (", correct: true" if k == 0 else f", misconception: confuses card {n} with another")
                + "}\n"
                for k, text in enumerate(options)
            )
            item_yaml.append(
                f"      - id: q{n}\n        type: multiple_choice\n        level: {level}\n"
                f'        source: {{file: module.yaml, quote: "{description}"}}\n'
                f"        stem: {stem}\n        options:\n{opts}"
                f"        feedback: Card {n} prints {options[0]}.\n"
            )
        objectives.append(
            f"  - competency: {module_id}-k{c}\n    verb: apply\n    level: apply\n"
            f"    objective: Apply decision record {c} of unit {module_id}.\n    items:\n"
            + "".join(item_yaml)
        )
    (folder / "module.yaml").write_text(
        f"id: {module_id}\ntitle: Unit {module_id}\ncategory: {category}\n"
        f"summary: Unit {module_id} keeps decisions in the open.\n"
        "sections:\n  - id: scope\n    title: Scope\n    file: scope.md\n"
        "competencies:\n" + "".join(comps),
        encoding="utf-8",
    )
    (folder / "assessment.yaml").write_text("objectives:\n" + "".join(objectives), encoding="utf-8")


def text2qti_quiz(course: Path) -> str:
    """The course's multiple-choice items as one text2qti quiz (its Markdown-based format)."""
    import yaml

    out = [f"Quiz title: {course.name}\nQuiz description: The benchmark's questions.\n"]
    for assessment in sorted(course.glob("modules/*/assessment.yaml")):
        for objective in yaml.safe_load(assessment.read_text(encoding="utf-8"))["objectives"]:
            for item in objective["items"]:
                n = len(out)
                lines = [f"{n}.  {item['stem']}"]
                for letter, option in zip("abcd", item["options"], strict=False):
                    mark = "*" if option.get("correct") else ""
                    lines.append(f"{mark}{letter}) {option['text']}")
                out.append("\n".join(lines) + "\n")
    return "\n".join(out)
