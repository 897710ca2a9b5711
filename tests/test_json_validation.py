"""The compiled validator (jsonschema_rs) and the detailed one (jsonschema) agree on every document.

The build trusts the compiled validator's "valid" and asks jsonschema for the errors only when it
says "invalid"; a document the compiled one passes but jsonschema rejects would lose its errors.
Seeded mutations of every OSEE YAML file (values of the wrong type, unknown keys, empty or
malformed strings, dropped keys) are checked with both.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import jsonschema_rs
import pytest

from builder.json_validation import _schema, detailed_validator, schema_errors
from builder.paths import SCHEMAS
from builder.yamlpos import load_yaml
from tests.conftest import OSEE

SEED = 20261206
REPLACEMENTS: tuple[Any, ...] = (
    None,
    "",
    " ",
    "x",
    "Not-An-Id!",
    "2026-13-45",
    "2026-02-28",
    0,
    -1,
    1.5,
    True,
    [],
    ["x"],
    {},
    {"unexpected": 1},
    "a" * 300,
)


def _schema_for(path: Path) -> str:
    name = path.name.split(".")[0]
    return {"course": "course", "module": "module", "assessment": "assessment", "category": "category"}.get(
        name, ""
    )


def _documents() -> list[tuple[Path, str, Any]]:
    docs = []
    for path in sorted(OSEE.rglob("*.yaml")):
        kind = _schema_for(path)
        if kind and (SCHEMAS / f"{kind}.schema.json").is_file():
            docs.append((path, f"{kind}.schema.json", load_yaml(path).data))
    return docs


def _places(node: Any, trail: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [trail]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _places(value, (*trail, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _places(value, (*trail, i))
    return out


def _mutate(doc: Any, rng: random.Random) -> Any:
    doc = copy.deepcopy(doc)
    trail = rng.choice(_places(doc)[1:] or [()])
    if not trail:
        return rng.choice(REPLACEMENTS)
    parent = doc
    for step in trail[:-1]:
        parent = parent[step]
    last = trail[-1]
    action = rng.random()
    if action < 0.15 and isinstance(parent, dict):
        del parent[last]
    elif action < 0.3 and isinstance(parent, dict):
        parent[f"{last}x"] = parent[last]
    else:
        parent[last] = rng.choice(REPLACEMENTS)
    return doc


def test_the_osee_documents_are_valid_in_both() -> None:
    docs = _documents()
    assert len(docs) == 19  # course.yaml, 9 module.yaml, 9 assessment.yaml
    for path, schema, data in docs:
        assert schema_errors(SCHEMAS / schema, data) == [], path


@pytest.mark.parametrize("round_", range(4))
def test_both_validators_agree_on_mutated_documents(round_: int) -> None:
    rng = random.Random(SEED + round_)
    compiled: dict[str, Any] = {}
    disagreements, invalid = [], 0
    for path, schema, data in _documents():
        fast = compiled.setdefault(
            schema, jsonschema_rs.validator_for(_schema(SCHEMAS / schema), validate_formats=True)
        )
        for _ in range(15):
            mutated = _mutate(data, rng)
            quick = fast.is_valid(mutated)
            detailed = not list(detailed_validator(SCHEMAS / schema).iter_errors(mutated))
            invalid += not detailed
            if quick != detailed:
                disagreements.append((path.name, mutated if len(str(mutated)) < 300 else "(long)"))
    assert not disagreements, disagreements[:3]
    assert invalid > 50  # the mutations do break documents
