"""Where the builder's own data lives, in a checkout (installed editable) and in an installed wheel.

The wheel carries ``schemas/`` (course JSON Schemas, XSD catalog, lock, the project's driver XSDs) as
``builder/course_schemas/``; a checkout reads ``schemas/`` at its root. The bundled OSEE course and
``../shared/schemas`` exist only beside a checkout.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
IN_CHECKOUT = (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "schemas").is_dir()
_PACKAGED_SCHEMAS = PACKAGE_DIR / "course_schemas"
SCHEMAS = _PACKAGED_SCHEMAS if (_PACKAGED_SCHEMAS / "catalog.json").is_file() else PROJECT_ROOT / "schemas"
COURSE_SCHEMAS = ("course.schema.json", "module.schema.json", "assessment.schema.json")  # in SCHEMAS
DEFAULT_COURSE: Path | None = PROJECT_ROOT / "courses" / "osee" if IN_CHECKOUT else None
TEMPLATES = PACKAGE_DIR / "templates"
STATIC = PACKAGE_DIR / "static"


def course_or_default(course: Path | None) -> Path:
    """The COURSE argument, else the current folder when it holds course.yaml, else (in a checkout)
    the bundled course; otherwise a usage error (exit 2) saying how to get a course."""
    import click

    if course is not None:
        return course
    if Path("course.yaml").is_file():
        return Path(".")
    if DEFAULT_COURSE is not None and DEFAULT_COURSE.is_dir():
        return DEFAULT_COURSE
    raise click.UsageError(
        "no COURSE given and no course.yaml in this folder; pass a course folder, "
        "or start one with `builder new course DIR`"
    )
