"""``builder new course DIR`` and ``builder new module COURSE ID``: sources that pass ``lint`` at once.

Every YAML file starts with the editor header pointing at the course JSON Schemas, which ``new
course`` copies into ``DIR/.schemas/`` so completion and checking work in an editor without a
checkout (see README, editor support).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import click

from builder.errors import CourseError, Pos, Problem
from builder.schema_commands import write_json_schemas

SCHEMA_FOLDER = ".schemas"
ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _title(ident: str) -> str:
    return ident.replace("-", " ").capitalize()


def _check_id(ident: str, what: str, where: Path) -> None:
    if not ID_PATTERN.match(ident) or len(ident) > 64:
        suggestion = re.sub(r"[^a-z0-9]+", "-", ident.lower()).strip("-") or "my-course"
        raise CourseError(
            [
                Problem(
                    Pos(where),
                    f"'{ident}' cannot be a {what} id: use lower-case letters, digits and single "
                    f"hyphens, e.g. '{suggestion}'",
                )
            ]
        )


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")
    return path


def _assessment(module_id: str) -> str:
    """An assessment.yaml that shows each kind of entry an author writes (objective, scenario item,
    true/false, ordering, essay with a rubric) and passes every quiz rule as it stands."""
    return f"""# yaml-language-server: $schema=../../{SCHEMA_FOLDER}/assessment.schema.json
# How learners show each competency: replace these examples with items on your own text.
# `builder quiz` shows the quiz, `builder lint` checks it (README: Quizzes).
objectives:
  - competency: {module_id}-explain
    verb: explain
    level: apply
    objective: Explain the main ideas of the module to a colleague.
    items:
      - id: explain-colleague
        type: multiple_choice
        level: apply
        source: {{file: module.yaml, quote: explain the main ideas}}
        stem: A co-worker missed the session and asks you what it covered. What do you offer?
        options:
          - id: a
            text: A summary in plain words
            correct: true
            feedback: Right; saying it in your own words is what explaining asks.
          - id: b
            text: A copy of the slide deck
            misconception: handing over material is explaining
            feedback: Material alone does not show that you can explain it.
          - id: c
            text: The trainer's phone line
            misconception: the expert should always do the explaining
            feedback: The competency is yours, not the trainer's.
          - id: d
            text: A hint to skip all of it
            misconception: missed sessions do not matter
            feedback: The co-worker still needs the main ideas.
        feedback: Explaining means putting the main ideas in your own words for someone else.
      - id: explain-reading-aloud
        type: true_false
        level: understand
        source: {{file: module.yaml, quote: in their own words}}
        stem: Reading the slides of the topic aloud counts as explaining it.
        answer: false
        feedback_true: Reading aloud repeats the slides; explaining puts the ideas in your own words.
  - competency: {module_id}-apply
    verb: plan
    level: create
    objective: Plan how to use an idea of the module in a project of your organisation.
    items:
      - id: apply-steps
        type: ordering
        level: apply
        source: {{file: module.yaml, quote: to a project of their own organisation}}
        stem: You want to try an idea from the course at work. Put these steps in order.
        steps:
          - {{id: project, text: Pick a project where it fits}}
          - {{id: idea, text: Choose one idea to try there}}
          - {{id: review, text: Look back at what changed}}
        feedback: First the project, then the idea to try in it, then a look at what it changed.
      - id: apply-plan
        type: essay
        level: create
        source: {{file: module.yaml, quote: to a project of their own organisation}}
        stem: Describe how you will use one idea of this module in your organisation's next project.
        rubric:
          - {{criterion: Names one idea of the module and the project it goes into, points: 2}}
          - {{criterion: Says what will change and how they will know, points: 2}}
        feedback: A good plan names the idea, the project, the change expected and how to see it.
"""


def module_files(folder: Path, module_id: str, category_id: str, title: str) -> list[Path]:
    """module.yaml, its first section and its assessment.yaml, with two competencies."""
    header = f"# yaml-language-server: $schema=../../{SCHEMA_FOLDER}/module.schema.json\n"
    yaml_text = f"""{header}id: {module_id}
title: {title}
category: {category_id}
summary: >-
  One or two sentences on what this module covers and who it is for.
sections:
  - id: scope
    title: Scope and purpose
    file: scope.md
competencies:
  - id: {module_id}-explain
    title: Explaining the topic
    description: >-
      Trainees can explain the main ideas of {title.lower()} to colleagues in their own words.
  - id: {module_id}-apply
    title: Applying the topic
    description: >-
      Trainees can apply what {title.lower()} teaches to a project of their own organisation.
"""
    section = f"""# Scope and purpose

Write what learners of *{title}* will read here, in Markdown. Link other course files by
relative paths, and images saved in the course folder with `![description](image.png)`.
"""
    return [
        _write(folder / "module.yaml", yaml_text),
        _write(folder / "scope.md", section),
        _write(folder / "assessment.yaml", _assessment(module_id)),
    ]


def new_course(folder: Path) -> list[Path]:
    """A complete course in folder (which must not exist or be empty); returns the files written."""
    course_id = folder.resolve().name
    _check_id(course_id, "course (the folder name is the course id)", folder)
    if folder.exists() and any(folder.iterdir()):
        raise CourseError([Problem(Pos(folder), "folder is not empty; choose a new folder for the course")])
    title = _title(course_id)
    header = f"# yaml-language-server: $schema={SCHEMA_FOLDER}/course.schema.json\n"
    course_yaml = f"""{header}id: {course_id}
title: {title}
version: "1.0"
release_date: "{date.today().isoformat()}"
language: en
description: >-
  What the course is about and who it is for, in two or three sentences.
licence:
  name: CC BY 4.0
  url: https://creativecommons.org/licenses/by/4.0/
publisher:
  name: Your organisation
pages:
  - id: overview
    title: Overview
    file: pages/overview.md
categories:
  - id: getting-started
    title: Getting started
    intro: categories/getting-started.md
    modules: [first-module]
"""
    written = [
        _write(folder / "course.yaml", course_yaml),
        _write(
            folder / "pages" / "overview.md",
            f"# Overview\n\nWelcome to *{title}*. Say here how the course is organised and how to use it.\n",
        ),
        _write(
            folder / "categories" / "getting-started.md",
            "# Getting started\n\nWhat the modules of this category have in common.\n",
        ),
    ]
    written += module_files(
        folder / "modules" / "first-module", "first-module", "getting-started", "First module"
    )
    written += write_json_schemas(folder / SCHEMA_FOLDER)
    return written


def new_module(course: Path, module_id: str, category_id: str | None) -> list[Path]:
    """modules/ID/ in course, listed at the end of a category of course.yaml (default: the last)."""
    course_file = course / "course.yaml"
    if not course_file.is_file():
        raise CourseError([Problem(Pos(course_file), "no course.yaml here; is this a course folder?")])
    _check_id(module_id, "module", course_file)
    folder = course / "modules" / module_id
    if folder.exists():
        raise CourseError([Problem(Pos(folder), f"module folder modules/{module_id} already exists")])
    from builder.yamlpos import load_yaml  # imported when used: `builder --help` stays fast

    doc = load_yaml(course_file)
    categories = doc.data.get("categories") if isinstance(doc.data, dict) else None
    if not isinstance(categories, list) or not categories or not all(isinstance(c, dict) for c in categories):
        raise CourseError([Problem(Pos(course_file), "course.yaml lists no categories; run `builder lint`")])
    ids = [c.get("id") for c in categories]
    index = (
        len(categories) - 1 if category_id is None else ids.index(category_id) if category_id in ids else -1
    )
    if index < 0:
        raise CourseError(
            [Problem(doc.pos(("categories",)), f"no category '{category_id}'; categories: {ids}")]
        )
    _list_module(course_file, doc.pos(("categories", index, "modules")), module_id)
    return module_files(folder, module_id, str(ids[index]), _title(module_id))


def _list_module(course_file: Path, at: Pos, module_id: str) -> None:
    """Add module_id to the modules list that starts at ``at``, keeping the file's comments and layout."""
    lines = course_file.read_text(encoding="utf-8").splitlines(keepends=True)
    line = lines[at.line - 1]
    start = at.col - 1
    if line[start : start + 1] == "[":
        end = line.index("]", start) if "]" in line[start:] else -1
        if end < 0:
            raise CourseError(
                [Problem(at, f"add '{module_id}' to this modules list yourself (it spans lines)")]
            )
        inner = line[start + 1 : end].strip()
        lines[at.line - 1] = (
            line[: start + 1] + (f"{inner}, {module_id}" if inner else module_id) + line[end:]
        )
    else:
        # A block list: the new entry goes after the last "- id" line of the same indentation.
        indent = len(line) - len(line.lstrip())
        last = at.line - 1
        for i in range(at.line, len(lines)):
            text = lines[i]
            if text.strip() and (
                len(text) - len(text.lstrip()) < indent or not text.lstrip().startswith("-")
            ):
                break
            if text.strip():
                last = i
        lines.insert(last + 1, " " * indent + f"- {module_id}\n")
    course_file.write_text("".join(lines), encoding="utf-8", newline="\n")


@click.group("new")
def new_command() -> None:
    """Start a course or add a module: files that pass `builder lint` at once."""


@new_command.command("course")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
def new_course_command(folder: Path) -> None:
    """Create a course in FOLDER (its name is the course id): course.yaml, an overview page, a
    category with one module, and the JSON Schemas for your editor in FOLDER/.schemas/."""
    from builder.cli import _user_errors

    written = _user_errors(new_course)(folder)
    click.echo(f"created {len(written)} files in {folder}; next: builder preview {folder}")


@new_command.command("module")
@click.argument("course", type=click.Path(path_type=Path, file_okay=False))
@click.argument("module_id", metavar="ID")
@click.option("-c", "--category", "category_id", help="Category to list it in (default: the last one).")
def new_module_command(course: Path, module_id: str, category_id: str | None) -> None:
    """Add module ID to COURSE: modules/ID/module.yaml, a first section and an example
    assessment.yaml, listed in course.yaml."""
    from builder.cli import _user_errors

    written = _user_errors(new_module)(course, module_id, category_id)
    click.echo(f"created {', '.join(str(p) for p in written)}")
