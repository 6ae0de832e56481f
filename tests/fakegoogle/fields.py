"""Partial responses: Google's `fields` parameter ("a,b/c,d(e,f)")."""

from __future__ import annotations

import copy
from typing import Any

from .errors import bad_request

Mask = dict[str, "Mask | None"]


def parse(text: str) -> Mask:
    """Parse a fields expression into a tree; a None leaf keeps the whole value."""
    mask, rest = _parse_list(text.replace(" ", ""), 0)
    if rest != len(text.replace(" ", "")):
        raise bad_request(f"Invalid field selection {text}")
    return mask


def _parse_list(text: str, i: int) -> tuple[Mask, int]:
    mask: Mask = {}
    while i < len(text) and text[i] != ")":
        j = i
        while j < len(text) and text[j] not in ",()":
            j += 1
        path = [p for p in text[i:j].replace(".", "/").split("/") if p]
        if not path:
            raise bad_request(f"Invalid field selection {text}")
        sub: Mask | None = None
        if j < len(text) and text[j] == "(":
            sub, j = _parse_list(text, j + 1)
            if j >= len(text) or text[j] != ")":
                raise bad_request(f"Invalid field selection {text}")
            j += 1
        _insert(mask, path, sub)
        if j < len(text) and text[j] == ",":
            j += 1
        i = j
    return mask, i


def _insert(mask: Mask, path: list[str], leaf: Mask | None) -> None:
    head, rest = path[0], path[1:]
    if not rest:
        if head in mask and mask[head] is not None and leaf is not None:
            for key, value in leaf.items():
                _insert(mask[head], [key], value)  # type: ignore[arg-type]
        else:
            mask[head] = leaf
        return
    current = mask.get(head, {})
    if current is None:
        return  # already the whole value
    mask[head] = current
    _insert(current, rest, leaf)


def mentions(mask: Mask, path: list[str]) -> bool:
    """Whether the mask asks for anything under path (e.g. sheets.data)."""
    node: Mask | None = mask
    for part in path:
        if node is None:
            return True
        if part not in node:
            return False
        node = node[part]
    return True


def apply(value: Any, mask: Mask | None) -> Any:
    """Keep only what the mask selects; lists are filtered element by element."""
    if mask is None:
        return value
    if isinstance(value, list):
        return [apply(item, mask) for item in value]
    if isinstance(value, dict):
        if "*" in mask:
            return {k: apply(v, mask.get(k)) for k, v in value.items()}
        return {k: apply(v, mask[k]) for k, v in value.items() if k in mask}
    return value


def apply_mask(
    target: Any, source: Any, paths: list[list[str]], *, keep: tuple[str, ...] = ()
) -> None:
    """Copy the masked fields from source into target; masked but absent fields are cleared.

    A ``*`` mask replaces the whole object, except the ``keep`` keys (ids the API owns).
    """
    for path in paths:
        if path == ["*"]:
            kept = {k: target[k] for k in keep if k in target}
            target.clear()
            target.update(copy.deepcopy(source))
            target.update(kept)
            return
        src: Any = source
        for part in path:
            src = src.get(part) if isinstance(src, dict) else None
        node = target
        for part in path[:-1]:
            node = node.setdefault(part, {})
        if src is None:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = copy.deepcopy(src)
