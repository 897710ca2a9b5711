"""The small expression language of item models: arithmetic and comparisons over variables.

Authors write keys, distractor rules and constraints such as ``devs * day_rate * 20`` or
``org.size == "small"``. Course files are untrusted, so nothing here reaches Python's ``eval``: the
text is parsed with :mod:`ast` and only the nodes below are interpreted, with exact rational
arithmetic (no float rounding in keys) and bounds on length, exponents and magnitude.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

Value = Fraction | str | bool | Mapping[str, "Value"]

MAX_LENGTH = 300  # characters of one expression
MAX_EXPONENT = 12
MAX_MAGNITUDE = Fraction(10) ** 15  # larger numbers are no course figure; refuse rather than grow


class ExpressionError(ValueError):
    """An expression that cannot be read or computed; the message says what to fix."""


def number(value: object) -> Fraction:
    """A YAML number (int or float) as an exact fraction; floats by their decimal text (0.1 is 1/10)."""
    if isinstance(value, bool):
        raise ExpressionError(f"{value!r} is not a number")
    if isinstance(value, int):
        return Fraction(value)
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    if isinstance(value, Fraction):
        return value
    raise ExpressionError(f"{value!r} is not a number")


def _round(x: Fraction, digits: Fraction = Fraction(0)) -> Fraction:
    if digits.denominator != 1 or not 0 <= digits <= 6:
        raise ExpressionError("round() takes 0 to 6 decimal places")
    scale = Fraction(10) ** int(digits)
    return Fraction(round(x * scale)) / scale


_FUNCTIONS: dict[str, Callable[..., Fraction]] = {
    "round": _round,
    "min": min,
    "max": max,
    "abs": abs,
}

_BINARY: dict[type[ast.operator], Callable[[Fraction, Fraction], Fraction]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.FloorDiv: lambda a, b: Fraction(a // b),
    ast.Mod: lambda a, b: a % b,
}

_COMPARE: dict[type[ast.cmpop], Callable[[Value, Value], bool]] = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,  # type: ignore[operator]
    ast.LtE: lambda a, b: a <= b,  # type: ignore[operator]
    ast.Gt: lambda a, b: a > b,  # type: ignore[operator]
    ast.GtE: lambda a, b: a >= b,  # type: ignore[operator]
}


@lru_cache(maxsize=1024)
def parse(text: str) -> ast.expr:
    """The syntax tree of ``text``; ExpressionError when it is no expression of the language."""
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression longer than {MAX_LENGTH} characters; split it up")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except (SyntaxError, ValueError) as exc:
        raise ExpressionError(f"cannot read expression '{text}': {getattr(exc, 'msg', exc)}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(
                f"'{ast.unparse(node) if isinstance(node, ast.expr) else text}' is not allowed in an "
                "expression: use numbers, variables (var or var.field), + - * / // % **, comparisons, "
                "and, or, not, round(), min(), max(), abs()"
            )
        if isinstance(node, ast.Call) and not (
            isinstance(node.func, ast.Name) and node.func.id in _FUNCTIONS
        ):
            raise ExpressionError(f"unknown function in '{text}': use round, min, max or abs")
        if isinstance(node, ast.Call) and node.keywords:
            raise ExpressionError(f"'{text}': functions take no named arguments")
    return tree


_ALLOWED = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.BoolOp,
    ast.Compare,
    ast.Constant,
    ast.Name,
    ast.Attribute,
    ast.Call,
    ast.Load,
    ast.operator,
    ast.unaryop,
    ast.boolop,
    ast.cmpop,
)


def evaluate(text: str, variables: Mapping[str, Value]) -> Value:
    """The value of ``text`` with ``variables`` bound; ExpressionError says what went wrong."""
    return _eval(parse(text), variables, text)


def _eval(node: ast.expr, env: Mapping[str, Value], text: str) -> Value:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, str):
            return node.value
        return number(node.value)
    if isinstance(node, ast.Name):
        if node.id in ("True", "False"):
            return node.id == "True"
        if node.id not in env:
            raise ExpressionError(f"unknown variable '{node.id}' in '{text}'; known: {', '.join(env)}")
        return env[node.id]
    if isinstance(node, ast.Attribute):
        record = _eval(node.value, env, text)
        if not isinstance(record, Mapping) or node.attr not in record:
            raise ExpressionError(f"'{ast.unparse(node)}' in '{text}': no field '{node.attr}' there")
        return record[node.attr]
    if isinstance(node, ast.UnaryOp):
        operand = _eval(node.operand, env, text)
        if isinstance(node.op, ast.Not):
            return not operand
        value = _num(operand, text)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BoolOp):
        values = [_eval(v, env, text) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare):
        left = _eval(node.left, env, text)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = _eval(right_node, env, text)
            if op.__class__ not in _COMPARE:
                raise ExpressionError(f"'{text}': use == != < <= > >= to compare")
            try:
                if not _COMPARE[op.__class__](left, right):
                    return False
            except TypeError:
                raise ExpressionError(f"'{text}' compares a number with a text") from None
            left = right
        return True
    if isinstance(node, ast.BinOp):
        a = _num(_eval(node.left, env, text), text)
        b = _num(_eval(node.right, env, text), text)
        if isinstance(node.op, ast.Pow):
            if b.denominator != 1 or abs(b) > MAX_EXPONENT:
                raise ExpressionError(f"'{text}': exponents must be whole numbers up to {MAX_EXPONENT}")
            return _bounded(a**b if b >= 0 or a else Fraction(0), text)
        if node.op.__class__ not in _BINARY:
            raise ExpressionError(f"operator not allowed in '{text}'")
        if isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod) and b == 0:
            raise ExpressionError(f"'{text}' divides by zero for these values")
        return _bounded(_BINARY[node.op.__class__](a, b), text)
    if isinstance(node, ast.Call):
        assert isinstance(node.func, ast.Name)
        args = [_num(_eval(a, env, text), text) for a in node.args]
        if not args:
            raise ExpressionError(f"'{text}': {node.func.id}() needs an argument")
        try:
            return _FUNCTIONS[node.func.id](*args)
        except TypeError:
            raise ExpressionError(f"'{text}': wrong number of arguments to {node.func.id}()") from None
    raise ExpressionError(f"'{text}' is not an expression of numbers and variables")


def _num(value: Value, text: str) -> Fraction:
    if isinstance(value, Fraction):
        return value
    raise ExpressionError(f"'{text}' does arithmetic on {value!r}, which is not a number")


def _bounded(value: Fraction, text: str) -> Fraction:
    if abs(value) > MAX_MAGNITUDE or value.denominator > 10**12:
        raise ExpressionError(f"'{text}' gives a number too large or too fine for a quiz")
    return value


def show_number(value: Fraction, grouping: bool = True) -> str:
    """A number as a reader sees it: whole numbers without decimals, others with the decimals they
    need up to 4 (rounded beyond), thousands grouped."""
    if value.denominator == 1:
        return f"{int(value):,}" if grouping else str(int(value))
    places = next((n for n in range(1, 5) if (value * 10**n).denominator == 1), 4)
    text = (
        f"{float(round(value, places)):,.{places}f}"
        if grouping
        else f"{float(round(value, places)):.{places}f}"
    )
    return text.rstrip("0").rstrip(".")


_PLACEHOLDER = re.compile(r"\{(=[^{}]+|[a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)\}")


def fill(template: str, variables: Mapping[str, Value]) -> str:
    """``template`` with ``{var}``, ``{var.field}`` and ``{=expression}`` replaced by their values."""

    def value(match: re.Match[str]) -> str:
        inner = match.group(1)
        result = evaluate(inner[1:] if inner.startswith("=") else inner, variables)
        if isinstance(result, Fraction):
            return show_number(result)
        if isinstance(result, Mapping):
            raise ExpressionError(f"'{{{inner}}}' is a record; name one of its fields: {', '.join(result)}")
        return str(result)

    return _PLACEHOLDER.sub(value, template)
