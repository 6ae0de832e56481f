"""Routes and strict validation taken from the discovery documents googleapiclient ships.

The fake answers only what Google documents: every route comes from a discovery
document, every query parameter and JSON body is checked against the method's
schema, and failures use Google's wording (unknown name, wrong type, bad enum).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import googleapiclient

from .errors import ApiError, bad_request

DOCUMENTS = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents"

#: api name → (discovery file, protobuf package used in Google's error messages)
APIS: dict[str, tuple[str, str]] = {
    "sheets": ("sheets.v4.json", "google.apps.sheets.v4"),
    "drive": ("drive.v3.json", "google.apps.drive.v3"),
    "forms": ("forms.v1.json", "google.apps.forms.v1"),
}

#: Drive answers unknown query parameters by ignoring them (recorded: files.get with
#: includeItemsFromAllDrives → 200); Sheets and Forms reject them.
LENIENT_QUERY = {"drive"}

#: Methods whose body is bound to a named request field; Google prefixes field paths with it.
BODY_FIELD: dict[str, str] = {
    "sheets.spreadsheets.values.update": "data",
    "sheets.spreadsheets.values.append": "data",
    "forms.forms.create": "form",
}


def snake(name: str) -> str:
    """Google reports field paths in proto (snake_case) form."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _join(path: str, name: str) -> str:
    return f"{path}.{snake(name)}" if path else snake(name)


def invalid_value(path: str, type_name: str, value: Any) -> ApiError:
    shown = json.dumps(value, ensure_ascii=False)
    message = f"Invalid value at '{path}' ({type_name}), {shown}"
    return ApiError(
        400,
        message,
        "INVALID_ARGUMENT",
        [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": path, "description": message}],
            }
        ],
    )


def unknown_name(name: str, path: str) -> ApiError:
    where = f" at '{path}'" if path else ""
    message = f'Invalid JSON payload received. Unknown name "{name}"{where}: Cannot find field.'
    return ApiError(
        400,
        message,
        "INVALID_ARGUMENT",
        [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": path, "description": message}],
            }
        ],
    )


@dataclass(frozen=True)
class Method:
    """One discovery method and the regex that recognises its HTTP path."""

    api: str
    id: str
    http_method: str
    pattern: re.Pattern[str]
    parameters: dict[str, dict[str, Any]]
    request_ref: str | None
    response_ref: str | None
    literal_length: int
    #: the OAuth scopes any one of which lets a token call this method
    scopes: tuple[str, ...] = ()


@dataclass
class Api:
    name: str
    package: str
    doc: dict[str, Any]
    methods: list[Method] = field(default_factory=list)

    @property
    def schemas(self) -> dict[str, dict[str, Any]]:
        return self.doc["schemas"]

    @property
    def global_parameters(self) -> dict[str, dict[str, Any]]:
        return self.doc.get("parameters", {})


def _pattern(service_path: str, flat_path: str) -> tuple[re.Pattern[str], int]:
    out = ["^/", re.escape(service_path)]
    literal = len(service_path)
    for part in re.split(r"(\{\+?[A-Za-z_]+\})", flat_path):
        if part.startswith("{"):
            name = part.strip("{}+")
            out.append(f"(?P<{name}>.+)" if name == "range" else f"(?P<{name}>[^/:]+)")
        else:
            out.append(re.escape(part))
            literal += len(part)
    out.append("$")
    return re.compile("".join(out)), literal


def _collect(api: Api, resource: dict[str, Any], service_path: str) -> None:
    for method in resource.get("methods", {}).values():
        flat = method.get("flatPath", method["path"])
        pattern, literal = _pattern(service_path, flat)
        request = method.get("request", {}).get("$ref")
        response = method.get("response", {}).get("$ref")
        api.methods.append(
            Method(
                api.name,
                method["id"],
                method["httpMethod"],
                pattern,
                method.get("parameters", {}),
                request,
                response,
                literal,
                tuple(method.get("scopes", ())),
            )
        )
    for sub in resource.get("resources", {}).values():
        _collect(api, sub, service_path)


@cache
def load(name: str) -> Api:
    """Load one API's discovery document (cached for the process)."""
    filename, package = APIS[name]
    doc = json.loads((DOCUMENTS / filename).read_text(encoding="utf-8"))
    api = Api(name, package, doc)
    _collect(api, doc, doc.get("servicePath", ""))
    api.methods.sort(key=lambda m: -m.literal_length)
    return api


def match(http_method: str, raw_path: str) -> tuple[Method, dict[str, str]] | None:
    """Find the discovery method for a request path (still percent-encoded)."""
    for name in APIS:
        for method in load(name).methods:
            if method.http_method != http_method:
                continue
            found = method.pattern.match(raw_path)
            if found:
                return method, {k: unquote(v) for k, v in found.groupdict().items()}
    return None


def _enum_type(api: Api, name: str) -> str:
    return f"type.googleapis.com/{api.package}.{name[:1].upper()}{name[1:]}"


def _scalar_query(api: Api, spec: dict[str, Any], name: str, raw: str) -> Any:
    path = snake(name)
    kind = spec.get("type", "string")
    if kind == "boolean":
        lowered = raw.lower()
        if lowered not in ("true", "false", "1", "0"):
            raise invalid_value(path, "TYPE_BOOL", raw)
        return lowered in ("true", "1")
    if kind == "integer":
        try:
            return int(raw)
        except ValueError:
            raise invalid_value(path, "TYPE_INT32", raw) from None
    if kind == "number":
        try:
            return float(raw)
        except ValueError:
            raise invalid_value(path, "TYPE_DOUBLE", raw) from None
    if "enum" in spec and raw not in spec["enum"]:
        raise invalid_value(path, _enum_type(api, name), raw)
    return raw


def validate_query(method: Method, query: dict[str, list[str]]) -> dict[str, Any]:
    """Check query parameters against the method and return them typed.

    Repeated parameters come back as lists, others as one value (the last given).
    """
    api = load(method.api)
    typed: dict[str, Any] = {}
    for name, raws in query.items():
        spec = method.parameters.get(name) or api.global_parameters.get(name)
        if spec is None and method.api in LENIENT_QUERY:
            continue
        if spec is None or spec.get("location") == "path":
            raise bad_request(
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query '
                f"parameter. Field '{name}' could not be found in request message."
            )
        values = [_scalar_query(api, spec, name, raw) for raw in raws]
        typed[name] = values if spec.get("repeated") else values[-1]
    for name, spec in method.parameters.items():
        if spec.get("required") and spec.get("location") == "query" and name not in typed:
            raise bad_request(f"Required parameter missing: {name}")
    return typed


def validate_body(method: Method, body: Any) -> None:
    """Validate a JSON body recursively against the method's request schema."""
    if method.request_ref is None:
        return
    api = load(method.api)
    root = BODY_FIELD.get(method.id, "")
    if body is None:
        return
    _check(api, {"$ref": method.request_ref}, body, root)


def validate_schema(api_name: str, ref: str, value: Any, path: str = "") -> None:
    """Validate a value against a named schema (used for nested, untyped bodies)."""
    _check(load(api_name), {"$ref": ref}, value, path)


def _check(api: Api, spec: dict[str, Any], value: Any, path: str) -> None:
    if value is None:
        return
    ref = spec.get("$ref")
    if ref is not None:
        schema = api.schemas[ref]
        if not isinstance(value, dict):
            raise invalid_value(path, f"type.googleapis.com/{api.package}.{ref}", value)
        _check_object(api, schema, value, path, free_form=False)
        return
    kind = spec.get("type")
    if kind == "object":
        if not isinstance(value, dict):
            raise invalid_value(path, "type.googleapis.com/google.protobuf.Struct", value)
        _check_object(api, spec, value, path, free_form=True)
    elif kind == "array":
        if not isinstance(value, list):
            raise invalid_value(path, "type.googleapis.com/google.protobuf.ListValue", value)
        items = spec.get("items", {})
        for i, item in enumerate(value):
            _check(api, items, item, f"{path}[{i}]")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise invalid_value(path, "TYPE_BOOL", value)
    elif kind == "integer":
        if isinstance(value, bool) or not _is_integral(value):
            raise invalid_value(path, "TYPE_INT32", value)
    elif kind == "number":
        if isinstance(value, bool) or not _is_number(value):
            raise invalid_value(path, "TYPE_DOUBLE", value)
    elif kind == "string":
        fmt = spec.get("format")
        if fmt in ("int64", "uint64"):
            if isinstance(value, bool) or not _is_integral(value):
                raise invalid_value(path, "TYPE_INT64", value)
        elif not isinstance(value, str):
            raise invalid_value(path, "TYPE_STRING", value)
        elif "enum" in spec and value not in spec["enum"]:
            raise invalid_value(path, "TYPE_ENUM", value)
    # "any" (and unknown kinds) accept every JSON value.


def _check_object(
    api: Api, schema: dict[str, Any], value: dict[str, Any], path: str, free_form: bool
) -> None:
    properties: dict[str, Any] | None = schema.get("properties")
    additional = schema.get("additionalProperties")
    for key, item in value.items():
        if properties is not None and key in properties:
            _check(api, properties[key], item, _join(path, key))
        elif additional is not None:
            _check(api, additional, item, f"{path}[{json.dumps(key)}]" if path else key)
        elif properties is None and free_form:
            continue  # a free-form object (protobuf Struct)
        else:
            raise unknown_name(key, path)


def _is_integral(value: Any) -> bool:
    if isinstance(value, int):
        return True
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, str):
        return re.fullmatch(r"-?\d+", value) is not None
    return False


def _is_number(value: Any) -> bool:
    if isinstance(value, int | float):
        return True
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value in ("NaN", "Infinity", "-Infinity")
        return True
    return False


def validate_fields(method: Method, mask: dict[str, Any]) -> None:
    """A `fields` selection may only name fields of the method's response schema."""
    if method.response_ref is None:
        return
    api = load(method.api)
    _check_mask(api, {"$ref": method.response_ref}, mask, "")


def _check_mask(api: Api, spec: dict[str, Any], mask: dict[str, Any] | None, path: str) -> None:
    if mask is None:
        return
    while True:
        if "$ref" in spec:
            spec = api.schemas[spec["$ref"]]
        elif spec.get("type") == "array":
            spec = spec.get("items", {})
        else:
            break
    properties = spec.get("properties")
    for key, sub in mask.items():
        where = f"{path}.{key}" if path else key
        if key == "*":
            continue  # every field
        if properties is not None and key in properties:
            _check_mask(api, properties[key], sub, where)
        elif "additionalProperties" in spec:
            _check_mask(api, spec["additionalProperties"], sub, where)
        elif (
            properties is None and spec.get("type") in ("object", "any", None) and "id" not in spec
        ):
            continue  # free-form value
        else:
            raise bad_request(f"Invalid field selection {where}")
