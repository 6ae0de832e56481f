"""Replaying recorded real Google traffic (vcrpy cassettes) against the fake.

A recording is replayed request by request, in order. Ids that Google handed out
(file ids, sheet ids, named-range ids) differ in the fake, so every id seen in a
recorded answer is mapped to the id in the fake's answer at the same place, and
later requests are rewritten with the mapping. Answers match when the status is the
same and the JSON has the same keys and value types, recursively.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from . import discovery, sheet_requests
from .fake import FakeGoogle
from .server import HANDLERS

HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
ID_KEYS = {"id", "spreadsheetId", "sheetId", "namedRangeId", "chartId", "protectedRangeId"}
_FILE_ID = re.compile(r"/(?:spreadsheets|files)/([A-Za-z0-9_-]{20,})")


@dataclass
class Outcome:
    name: str
    matched: bool
    problems: list[str] = field(default_factory=list)


def load(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["interactions"]


def _path_of(uri: str) -> tuple[str, str]:
    for host in HOSTS:
        if uri.startswith(host):
            rest = uri[len(host) :]
            parts = urlsplit(rest)
            return parts.path, parts.query
    raise ValueError(uri)


def supported(interactions: list[dict[str, Any]]) -> bool:
    """Whether the fake implements every request of a recording, and the recording stands
    alone: a Drive listing shows only files the recording made itself (two recordings list
    the recorder's whole Drive, which no replay can rebuild)."""
    created: set[str] = set()
    for interaction in interactions:
        answer = interaction["response"]["body"]["string"] or ""
        if interaction["request"]["method"] == "POST" and '"drive#file"' in answer:
            created.add(json.loads(answer)["id"])
        if '"drive#fileList"' in answer:
            listed = {f.get("id") for f in json.loads(answer).get("files", [])}
            if not listed <= created:
                return False
        request = interaction["request"]
        try:
            path, _ = _path_of(request["uri"])
        except ValueError:
            return False
        found = discovery.match(request["method"], path)
        if found is None or found[0].id not in HANDLERS:
            return False
        if found[0].id == "sheets.spreadsheets.batchUpdate" and request["body"]:
            kinds = {k for r in json.loads(request["body"]).get("requests", []) for k in r}
            if not kinds <= set(sheet_requests.REQUESTS):
                return False
    return True


def shape_problems(expected: Any, actual: Any, where: str = "$") -> list[str]:
    """Differences in keys and value types (numbers are one type, as in JSON)."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {type(actual).__name__}"]
        problems = []
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                problems.append(f"{where}.{key}: missing")
            elif key not in expected:
                problems.append(f"{where}.{key}: unexpected")
            else:
                problems += shape_problems(expected[key], actual[key], f"{where}.{key}")
        return problems
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {type(actual).__name__}"]
        if len(expected) != len(actual):
            return [f"{where}: expected {len(expected)} items, got {len(actual)}"]
        problems = []
        for i, (one, other) in enumerate(zip(expected, actual, strict=True)):
            problems += shape_problems(one, other, f"{where}[{i}]")
        return problems
    if _kind(expected) != _kind(actual):
        return [f"{where}: expected {_kind(expected)} {expected!r}, got {_kind(actual)} {actual!r}"]
    return []


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if value is None:
        return "null"
    return type(value).__name__


def _learn(expected: Any, actual: Any, ids: dict[Any, Any], key: str = "") -> None:
    if isinstance(expected, dict) and isinstance(actual, dict):
        for k, v in expected.items():
            if k in actual:
                _learn(v, actual[k], ids, k)
    elif isinstance(expected, list) and isinstance(actual, list):
        for one, other in zip(expected, actual, strict=False):
            _learn(one, other, ids, key)
    elif key in ID_KEYS and expected != actual and not isinstance(expected, bool):
        ids[expected] = actual
        if isinstance(expected, int):
            ids[str(expected)] = str(actual)


def _rewrite(value: Any, ids: dict[Any, Any], key: str = "") -> Any:
    if isinstance(value, dict):
        return {k: _rewrite(v, ids, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_rewrite(v, ids, key) for v in value]
    if key in ID_KEYS and not isinstance(value, bool) and value in ids:
        return ids[value]
    if isinstance(value, str):
        for old, new in ids.items():
            if isinstance(old, str) and len(old) >= 20:
                value = value.replace(old, new)
    return value


def replay(fake: FakeGoogle, name: str, interactions: list[dict[str, Any]]) -> Outcome:
    """Replay one recording against a freshly reset fake."""
    fake.reset()
    token = fake.token_for("recorder@example.com")
    session = requests.Session()
    ids: dict[Any, Any] = {}
    outcome = Outcome(name, True)
    for n, interaction in enumerate(interactions):
        request, response = interaction["request"], interaction["response"]
        uri = request["uri"]
        for found in _FILE_ID.finditer(uri):
            file_id = found.group(1)
            if file_id not in ids and response["status"]["code"] == 403:
                # a file the recorder could not open: someone else's spreadsheet
                ids[file_id] = fake.create_spreadsheet("stranger@example.com", "Private", None)
        path, query = _path_of(_rewrite(uri, ids))
        body = request["body"]
        if body:
            body = json.dumps(_rewrite(json.loads(body), ids))
        answer = session.request(
            request["method"],
            f"{fake.url}{path}" + (f"?{query}" if query else ""),
            data=body.encode() if body else None,
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
            timeout=30,
        )
        expected_status = response["status"]["code"]
        where = f"#{n} {request['method']} {path}"
        if answer.status_code != expected_status:
            outcome.matched = False
            outcome.problems.append(
                f"{where}: status {answer.status_code} != {expected_status}: {answer.text[:300]}"
            )
            continue
        text = response["body"]["string"] or ""
        try:
            expected = json.loads(text) if text.strip() else None
        except json.JSONDecodeError:
            if answer.text != text:
                outcome.matched = False
                outcome.problems.append(f"{where}: body {answer.text!r} != {text!r}")
            continue
        actual = answer.json() if answer.content.strip() else None
        problems = shape_problems(expected, actual)
        if problems:
            outcome.matched = False
            outcome.problems += [f"{where}: {p}" for p in problems[:5]]
        _learn(expected, actual, ids)
    return outcome
