"""A deliberately small formula evaluator: arithmetic, text joins, same-sheet references, SUM.

Anything else evaluates to Google's #NAME? error value, so a test never mistakes an
unsupported formula for a computed one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from . import a1

Json = dict[str, Any]
_TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+(?:\.\d+)?)|(?P<str>\"(?:[^\"]|\"\")*\")|(?P<range>\$?[A-Za-z]{1,3}\$?\d+:\$?[A-Za-z]{1,3}\$?\d+)"
    r"|(?P<ref>\$?[A-Za-z]{1,3}\$?\d+)|(?P<name>[A-Za-z_]+)\s*\(|(?P<op>[-+*/&(),]))"
)


class _Unsupported(Exception):
    pass


def evaluate(formula: str, grid: dict[str, Json], key: Callable[[int, int], str]) -> Json:
    """Evaluate formula text against one sheet's cells → an ExtendedValue."""
    try:
        tokens = _tokens(formula[1:])
        value, pos = _expr(tokens, 0, grid, key)
        if pos != len(tokens):
            raise _Unsupported
    except ZeroDivisionError:
        return {"errorValue": {"type": "DIVIDE_BY_ZERO", "message": "Division by zero."}}
    except TypeError:
        return {"errorValue": {"type": "VALUE", "message": "A value has the wrong type."}}
    except (_Unsupported, ValueError, IndexError):
        return {"errorValue": {"type": "NAME", "message": "Unknown function or formula."}}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        return {"numberValue": int(value) if float(value).is_integer() else value}
    return {"stringValue": str(value)}


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text.rstrip()):
        found = _TOKEN.match(text, pos)
        if not found:
            raise _Unsupported
        kind = found.lastgroup or ""
        out.append((kind, found.group(kind)))
        pos = found.end()
    return out


def _cell_value(grid: dict[str, Json], key: Callable[[int, int], str], ref: str) -> Any:
    row0, _, col0, _ = a1.parse_cells(ref.replace("$", ""))
    cell = grid.get(key(row0 or 0, col0 or 0)) or {}
    value = cell.get("effectiveValue") or cell.get("userEnteredValue") or {}
    for kind in ("numberValue", "stringValue", "boolValue"):
        if kind in value:
            return value[kind]
    return 0


def _expr(
    tokens: list[tuple[str, str]], pos: int, grid: dict[str, Json], key: Callable[[int, int], str]
) -> tuple[Any, int]:
    value, pos = _term(tokens, pos, grid, key)
    while pos < len(tokens) and tokens[pos][1] in ("+", "-", "&"):
        op = tokens[pos][1]
        right, pos = _term(tokens, pos + 1, grid, key)
        value = f"{value}{right}" if op == "&" else (value + right if op == "+" else value - right)
    return value, pos


def _term(
    tokens: list[tuple[str, str]], pos: int, grid: dict[str, Json], key: Callable[[int, int], str]
) -> tuple[Any, int]:
    value, pos = _atom(tokens, pos, grid, key)
    while pos < len(tokens) and tokens[pos][1] in ("*", "/"):
        op = tokens[pos][1]
        right, pos = _atom(tokens, pos + 1, grid, key)
        value = value * right if op == "*" else value / right
    return value, pos


def _atom(
    tokens: list[tuple[str, str]], pos: int, grid: dict[str, Json], key: Callable[[int, int], str]
) -> tuple[Any, int]:
    kind, text = tokens[pos]
    if kind == "num":
        return float(text), pos + 1
    if kind == "str":
        return text[1:-1].replace('""', '"'), pos + 1
    if kind == "ref":
        return _cell_value(grid, key, text), pos + 1
    if text == "-":
        value, pos = _atom(tokens, pos + 1, grid, key)
        return -value, pos
    if text == "(":
        value, pos = _expr(tokens, pos + 1, grid, key)
        if tokens[pos][1] != ")":
            raise _Unsupported
        return value, pos + 1
    if kind == "name" and text.upper() == "SUM":
        total = 0.0
        pos += 1
        while tokens[pos][1] != ")":
            if tokens[pos][0] == "range":
                row0, row1, col0, col1 = a1.parse_cells(tokens[pos][1].replace("$", ""))
                for r in range(row0 or 0, row1 or 0):
                    for c in range(col0 or 0, col1 or 0):
                        value = _cell_value(grid, key, f"{a1.column_letters(c)}{r + 1}")
                        total += (
                            value
                            if isinstance(value, int | float) and not isinstance(value, bool)
                            else 0
                        )
                pos += 1
            else:
                value, pos = _expr(tokens, pos, grid, key)
                total += value
            if tokens[pos][1] == ",":
                pos += 1
        return total, pos + 1
    raise _Unsupported
