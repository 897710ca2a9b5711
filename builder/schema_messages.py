"""Course JSON Schema errors as messages an author can act on: the file's own name instead of
"document", "did you mean" for misspelt keys and values, and how to fix a wrong type."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from builder.errors import Problem
from builder.json_validation import detailed_validator, schema_errors
from builder.paths import SCHEMAS
from builder.yamlpos import JsonPath, YamlDoc

if TYPE_CHECKING:
    import jsonschema


def validator(name: str) -> jsonschema.Draft202012Validator:
    """The detailed validator of the course schema ``name`` (schemas/NAME)."""
    return detailed_validator(SCHEMAS / name)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest candidate, or "" when none is close."""
    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def dotted(path: JsonPath, file_name: str) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or f"the top level of {file_name}"


def schema_problems(doc: YamlDoc, schema_name: str) -> list[Problem]:
    """Every way doc breaks the JSON Schema, one problem each, at the key or value concerned."""
    if schema_name in doc.valid_against:  # checked already, where it was parsed
        return []
    problems = []
    name = doc.file.name
    for err in schema_errors(SCHEMAS / schema_name, doc.data):
        path = tuple(err.absolute_path)
        where = dotted(path, name)
        if err.validator == "additionalProperties" and isinstance(err.instance, dict):
            allowed = set(err.schema.get("properties", {}))
            for key in sorted(set(err.instance) - allowed):
                problems.append(
                    Problem(
                        doc.pos((*path, key), key=True),
                        f"unknown key '{key}' in {where}{did_you_mean(key, allowed)}; "
                        f"allowed keys: {', '.join(sorted(allowed))}",
                    )
                )
            continue
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else err.message
            problems.append(Problem(doc.pos(path), f"{where}: missing required key '{missing}'"))
            continue
        problems.append(Problem(doc.pos(path), f"{where}: {_message(err, doc, path)}"))
    return problems


def _message(err: jsonschema.ValidationError, doc: YamlDoc, path: JsonPath) -> str:
    hint = err.schema.get("description") if isinstance(err.schema, dict) else None
    if err.validator == "type":
        message = f"must be {_a(err.validator_value)}, not {_a(type(err.instance).__name__)}"
        return message + _type_fix(err, doc, path)
    if err.validator == "enum" and isinstance(err.instance, str):
        options = [str(v) for v in err.validator_value]
        return f"'{err.instance}' is not one of: {', '.join(options)}{did_you_mean(err.instance, options)}"
    return {
        "pattern": f"{err.instance!r} has the wrong form" + (f" ({hint})" if hint else ""),
        "minLength": "must not be empty",
        "minItems": "must list at least one entry",
    }.get(str(err.validator), err.message)


def _type_fix(err: jsonschema.ValidationError, doc: YamlDoc, path: JsonPath) -> str:
    """How to write the value so YAML reads it as the expected type."""
    expected = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
    raw = doc.raw.get(path)
    if "string" in expected and raw is not None and not isinstance(err.instance, str | dict | list):
        escaped = raw.replace("\\", "\\\\").replace('"', '\\"')
        written = f'{path[-1]}: "{escaped}"' if path and isinstance(path[-1], str) else f'- "{escaped}"'
        return f"; quote it: {written}"
    if "string" in expected and err.instance is None:
        return "; write the text after the colon, or remove the key"
    if "array" in expected and not isinstance(err.instance, list):
        return "; write one entry per line, each starting with '- '"
    if "object" in expected and not isinstance(err.instance, dict):
        return "; write 'key: value' lines indented below it"
    if "integer" in expected and isinstance(err.instance, str) and err.instance.strip().isdigit():
        return f"; remove the quotes: {path[-1] if path else 'value'}: {err.instance.strip()}"
    if "boolean" in expected:
        return "; write true or false"
    return ""


def _a(type_name: object) -> str:
    names = {
        "string": "text",
        "str": "text",
        "integer": "a whole number",
        "int": "a whole number",
        "object": "a mapping",
        "dict": "a mapping",
        "array": "a list",
        "list": "a list",
        "boolean": "true or false",
        "bool": "true or false",
        "NoneType": "empty",
        "float": "a number",
    }
    if isinstance(type_name, list):
        return " or ".join(names.get(t, t) for t in type_name)
    return names.get(str(type_name), str(type_name))
