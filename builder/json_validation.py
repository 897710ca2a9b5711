"""JSON Schema validation in two passes: a compiled validator says whether a document is valid,
and only an invalid one goes through ``jsonschema`` for the detailed errors authors read.

``jsonschema_rs`` (Rust) checks a valid course in about 1% of the time ``jsonschema`` takes; its
errors are not worded for authors, so the messages still come from ``jsonschema``, which is
imported only when a document fails. Both follow Draft 2020-12 with format checks; should they
ever disagree on a document, the detailed pass decides (no error found: the document passes).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jsonschema


@cache
def _schema(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def _fast_check(path: Path) -> Callable[[Any], bool] | None:
    """The compiled validator's ``is_valid``, or None where jsonschema_rs is not installed."""
    try:
        import jsonschema_rs
    except ImportError:  # the detailed pass alone still gives the right answer
        return None
    return jsonschema_rs.validator_for(_schema(path), validate_formats=True).is_valid


@cache
def detailed_validator(path: Path) -> jsonschema.Draft202012Validator:
    """The ``jsonschema`` validator of the schema at ``path`` (Draft 2020-12, formats checked)."""
    import jsonschema

    schema = _schema(path)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def valid_against(instance: Any) -> frozenset[str]:
    """The course schemas (names in builder.paths.COURSE_SCHEMAS) the compiled validator finds
    ``instance`` valid against; none where jsonschema_rs is not installed."""
    from builder.paths import COURSE_SCHEMAS, SCHEMAS

    found = set()
    for name in COURSE_SCHEMAS:
        fast = _fast_check(SCHEMAS / name)
        try:
            if fast is not None and fast(instance):
                found.add(name)
        except (ValueError, TypeError, OverflowError):
            pass
    return frozenset(found)


def schema_errors(path: Path, instance: Any) -> list[jsonschema.ValidationError]:
    """Every error of ``instance`` against the schema at ``path``; [] when it is valid."""
    fast = _fast_check(path)
    try:
        if fast is not None and fast(instance):
            return []
    except (ValueError, TypeError, OverflowError):  # a value JSON cannot hold: the detailed pass words it
        pass
    return list(detailed_validator(path).iter_errors(instance))
