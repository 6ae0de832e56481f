"""Drive v3: files (create, get, list with `q`, update, delete, export), permissions (create,
list, get, delete) and about.get."""

from __future__ import annotations

import copy
import csv
import io
import re
from collections.abc import Callable
from typing import Any

from . import fields
from .errors import ApiError, denied
from .forms import FORM_MIME, new_form
from .grid import SPREADSHEET_MIME, formatted, grid_of, new_spreadsheet
from .state import ROLE_RANK, Call, Json, State, new_id

FILE_DEFAULT_FIELDS = "kind,id,name,mimeType"
PERMISSION_DEFAULT_FIELDS = "kind,id,type,role"
#: Fields a client may set with files.create / files.update.
WRITABLE = {
    "name",
    "mimeType",
    "description",
    "appProperties",
    "properties",
    "parents",
    "starred",
    "trashed",
    "originalFilename",
    "viewersCanCopyContent",
    "writersCanShare",
    "copyRequiresWriterPermission",
    "folderColorRgb",
    "contentHints",
    "modifiedTime",
    "createdTime",
}


def drive_error(code: int, message: str, reason: str, location: str | None = None) -> ApiError:
    """Drive adds an `errors` list with a reason; the top level stays in Google's shape."""
    item: Json = {"message": message, "domain": "global", "reason": reason}
    if location:
        item.update({"location": location, "locationType": "parameter"})
    return ApiError(code, message, errors=[item])


def _seen_by(record: Json, email: str) -> Json:
    """The file as the caller sees it: `owners[].me` says whether the caller owns it."""
    public = copy.deepcopy({k: v for k, v in record.items() if not k.startswith("_")})
    for person in [*public.get("owners", []), public.get("lastModifyingUser") or {}]:
        if person:
            person["me"] = person.get("emailAddress", "").lower() == email.lower()
    return public


def _select(record: Json, call: Call, default: str) -> Json:
    return fields.apply(
        _seen_by(record, call.email), fields.parse(call.query.get("fields") or default)
    )


def _file(call: Call, write: bool = False) -> Json:
    file_id = call.path["fileId"]
    record = call.state.files.get(file_id)
    restrict = call.restrict
    if record is None or (restrict is not None and not call.state.app_may_see(record, restrict)):
        raise drive_error(404, f"File not found: {file_id}.", "notFound", "fileId")
    return call.require(file_id, write)



def _check_writable(body: Json) -> None:
    for key in body:
        if key not in WRITABLE:
            raise drive_error(
                403,
                "The resource body includes fields which are not directly writable.",
                "fieldNotWritable",
            )


def create(call: Call) -> Json:
    body = call.body or {}
    _check_writable(body)
    mime = body.get("mimeType") or "application/octet-stream"
    name = body.get("name") or "Untitled"
    call.refuse_robot_storage()
    record = call.created(call.state.add_file(call.email, name, mime))
    for key in ("description", "appProperties", "properties", "parents", "starred"):
        if key in body and body[key] is not None:
            record[key] = copy.deepcopy(body[key])
    if mime == SPREADSHEET_MIME:
        new_spreadsheet(call.state, record["id"], name)
    elif mime == FORM_MIME:
        new_form(call.state, record["id"], name, name, call.base_url, published=True)
    return _select(record, call, FILE_DEFAULT_FIELDS)


def get(call: Call) -> Json:
    if call.query.get("alt") == "media":
        raise drive_error(
            403, "Only files with binary content can be downloaded.", "fileNotDownloadable"
        )
    return _select(_file(call), call, FILE_DEFAULT_FIELDS)


def update(call: Call) -> Json:
    record = _file(call, write=True)
    body = call.body or {}
    _check_writable(body)
    if "mimeType" in body and body["mimeType"] != record["mimeType"]:
        raise drive_error(403, "The file's MIME type cannot be changed.", "fieldNotWritable")
    for key, value in body.items():
        if key in ("appProperties", "properties"):
            merged = record.setdefault(key, {})
            for prop, prop_value in (value or {}).items():
                if prop_value is None:
                    merged.pop(prop, None)
                else:
                    merged[prop] = prop_value
            if not merged:
                record.pop(key)
        elif value is None:
            record.pop(key, None)
        else:
            record[key] = copy.deepcopy(value)
    if "name" in body and record["id"] in call.state.spreadsheets:
        call.state.spreadsheets[record["id"]]["properties"]["title"] = record["name"]
    if "name" in body and record["id"] in call.state.forms:
        call.state.forms[record["id"]]["info"]["documentTitle"] = record["name"]
    call.state.touch(record["id"], call.email)
    return _select(record, call, FILE_DEFAULT_FIELDS)


def delete(call: Call) -> None:
    record = _file(call)
    if call.state.role_of(record["id"], call.email) < ROLE_RANK["owner"]:
        raise drive_error(
            403,
            "The user does not have sufficient permissions for this file.",
            "insufficientFilePermissions",
        )
    remove(call.state, record["id"])


def remove(state: State, file_id: str) -> None:
    """Forget a file and whatever it holds (sheet cells, a form and its responses)."""
    state.files.pop(file_id, None)
    state.spreadsheets.pop(file_id, None)
    state.cells.pop(file_id, None)
    state.forms.pop(file_id, None)
    state.responses.pop(file_id, None)


def export(call: Call) -> str:
    record = _file(call)
    if record["mimeType"] != SPREADSHEET_MIME or call.query.get("mimeType") != "text/csv":
        raise drive_error(400, "Export only supports Docs Editors files.", "badRequest")
    ss = call.state.spreadsheets[record["id"]]
    sheet = ss["sheets"][0]
    grid = grid_of(call.state, ss, sheet)
    rows = [
        [
            formatted(grid.get(f"{r},{c}") or {})
            for c in range(sheet["properties"]["gridProperties"]["columnCount"])
        ]
        for r in range(sheet["properties"]["gridProperties"]["rowCount"])
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    writer.writerows(rows)
    return out.getvalue().rstrip("\r\n")


# --- files.list and its query language -------------------------------------------------------

_Q_TOKEN = re.compile(
    r"\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\")|(?P<op>!=|<=|>=|=|<|>|\(|\)|\{|\})"
    r"|(?P<word>[A-Za-z_]+))"
)

Predicate = Callable[[Json], bool]


class _Query:
    """Recursive-descent parser for the subset of Drive's `q` the project uses."""

    def __init__(self, text: str, state: State) -> None:
        self.text = text
        self.state = state
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text.rstrip()):
            found = _Q_TOKEN.match(text, pos)
            if not found:
                raise self.invalid()
            kind = found.lastgroup or ""
            self.tokens.append((kind, found.group(kind)))
            pos = found.end()
        self.pos = 0

    def invalid(self) -> ApiError:
        return drive_error(400, "Invalid Value", "invalid", "q")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self, kind: str | None = None, text: str | None = None) -> str:
        token = self.peek()
        if token is None or (kind and token[0] != kind) or (text and token[1].lower() != text):
            raise self.invalid()
        self.pos += 1
        return token[1]

    def string(self) -> str:
        raw = self.take("str")
        return re.sub(r"\\(.)", r"\1", raw[1:-1])

    def parse(self) -> Predicate:
        predicate = self.disjunction()
        if self.peek() is not None:
            raise self.invalid()
        return predicate

    def disjunction(self) -> Predicate:
        parts = [self.conjunction()]
        while self.peek() and self.peek()[1].lower() == "or":  # type: ignore[index]
            self.pos += 1
            parts.append(self.conjunction())
        return lambda f: any(p(f) for p in parts)

    def conjunction(self) -> Predicate:
        parts = [self.negation()]
        while self.peek() and self.peek()[1].lower() == "and":  # type: ignore[index]
            self.pos += 1
            parts.append(self.negation())
        return lambda f: all(p(f) for p in parts)

    def negation(self) -> Predicate:
        token = self.peek()
        if token and token[1].lower() == "not":
            self.pos += 1
            inner = self.negation()
            return lambda f: not inner(f)
        if token and token[1] == "(":
            self.pos += 1
            inner = self.disjunction()
            self.take("op", ")")
            return inner
        return self.term()

    def term(self) -> Predicate:
        token = self.peek()
        if token is None:
            raise self.invalid()
        if token[0] == "str":
            value = self.string()
            self.take("word", "in")
            collection = self.take("word")
            return self.membership(value, collection)
        field = self.take("word")
        if field in ("appProperties", "properties"):
            self.take("word", "has")
            self.take("op", "{")
            self.take("word", "key")
            self.take("op", "=")
            key = self.string()
            self.take("word", "and")
            self.take("word", "value")
            self.take("op", "=")
            value = self.string()
            self.take("op", "}")
            return lambda f: (f.get(field) or {}).get(key) == value
        op = self.take()
        if field == "trashed" or field == "starred":
            literal = self.take("word").lower()
            if literal not in ("true", "false") or op not in ("=", "!="):
                raise self.invalid()
            wanted = literal == "true"
            return lambda f: (bool(f.get(field)) == wanted) == (op == "=")
        if field not in (
            "name",
            "mimeType",
            "fullText",
            "modifiedTime",
            "createdTime",
            "description",
        ):
            raise self.invalid()
        if op == "contains":
            value = self.string()
            return lambda f: value.lower() in str(f.get(field, "")).lower()
        if op not in ("=", "!=", "<", "<=", ">", ">="):
            raise self.invalid()
        value = self.string()
        compare: dict[str, Callable[[str, str], bool]] = {
            "=": lambda a, b: a == b,
            "!=": lambda a, b: a != b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }
        return lambda f: compare[op](str(f.get(field, "")), value)

    def membership(self, value: str, collection: str) -> Predicate:
        state = self.state
        if collection == "parents":
            return lambda f: value in (f.get("parents") or [])
        minimum = {"owners": 5, "writers": 3, "readers": 1}.get(collection)
        if minimum is None:
            raise self.invalid()

        def has_role(f: Json) -> bool:
            return state.role_of(f["id"], value) >= minimum

        return has_role


def list_files(call: Call) -> Json:
    query = call.query
    page_size = query.get("pageSize", 100)
    if not 1 <= page_size <= 1000:
        raise drive_error(
            400,
            f"Invalid value '{page_size}'. Values must be within the range: [1, 1000]",
            "invalidParameter",
            "pageSize",
        )
    predicate: Predicate = (
        _Query(query["q"], call.state).parse() if query.get("q") else (lambda f: True)
    )
    restrict = call.restrict
    visible = [
        f
        for f in call.state.files.values()
        if call.state.role_of(f["id"], call.email) > 0
        and (restrict is None or call.state.app_may_see(f, restrict))
        and predicate(f)
    ]
    order = (query.get("orderBy") or "").split(",")[0].strip()
    if order:
        name, _, direction = order.partition(" ")
        visible.sort(key=lambda f: str(f.get(name, "")), reverse=direction.lower() == "desc")
    start = _page_start(query.get("pageToken"))
    page = [_seen_by(f, call.email) for f in visible[start : start + page_size]]
    out: Json = {"kind": "drive#fileList", "incompleteSearch": False, "files": page}
    if start + page_size < len(visible):
        out["nextPageToken"] = f"page-{start + page_size}"
    mask = query.get("fields") or "kind,incompleteSearch,nextPageToken,files(kind,id,name,mimeType)"
    return fields.apply(_public(out), fields.parse(mask))


def _public(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


def _page_start(token: str | None) -> int:
    if not token:
        return 0
    found = re.fullmatch(r"page-(\d+)", token)
    if not found:
        raise drive_error(400, "Invalid Value", "invalid", "pageToken")
    return int(found.group(1))


# --- permissions -----------------------------------------------------------------------------

_ROLES = {"owner", "organizer", "fileOrganizer", "writer", "commenter", "reader"}
_TYPES = {"user", "group", "domain", "anyone"}


def create_permission(call: Call) -> Json:
    record = _file(call)
    role_here = call.state.role_of(record["id"], call.email)
    if role_here < ROLE_RANK["writer"]:
        raise drive_error(
            403,
            "The user does not have sufficient permissions for this file.",
            "insufficientFilePermissions",
        )
    body = call.body or {}
    role, kind = body.get("role"), body.get("type")
    if role not in _ROLES:
        raise drive_error(
            400,
            "The permission role field is required and must be valid.",
            "required" if role is None else "invalid",
            "permission.role",
        )
    if kind not in _TYPES:
        raise drive_error(
            400,
            "The permission type field is required and must be valid.",
            "required" if kind is None else "invalid",
            "permission.type",
        )
    if kind in ("user", "group") and not body.get("emailAddress"):
        raise drive_error(
            400,
            "The permission emailAddress field is required.",
            "required",
            "permission.emailAddress",
        )
    if role == "owner" and not call.query.get("transferOwnership"):
        raise drive_error(
            403,
            "The transferOwnership parameter must be enabled when the permission role is 'owner'.",
            "forbidden",
        )
    view = body.get("view")
    if view is not None and (
        view != "published" or record["mimeType"] != FORM_MIME or role != "reader"
    ):
        raise drive_error(
            400,
            "The view field only supports 'published' with role 'reader' on forms.",
            "invalid",
            "permission.view",
        )
    if view == "published" and not _published(call.state, record["id"]):
        # Google's guide: a form must be published before it is shared with responders.
        raise drive_error(
            400,
            "The form must be published before responders can be added.",
            "invalidSharingRequest",
        )
    if kind == "anyone" and _domain(record) in call.state.closed_domains:
        raise drive_error(400, 'Bad Request. User message: ""', "publishOutNotPermitted")
    email = str(body.get("emailAddress") or "")
    if (
        kind == "user"
        and email.lower() in call.state.no_account
        and not call.query.get("sendNotificationEmail", True)
    ):
        raise drive_error(
            400,
            f'Bad Request. User message: "You are trying to invite {email}. Since there is no '
            "Google account associated with this email address, you must check the \"Notify "
            'people\" box to invite this recipient."',
            "invalidSharingRequest",
        )
    permission: Json = {
        "kind": "drive#permission",
        "id": "anyoneWithLink" if kind == "anyone" else new_id(20, "0"),
        "type": kind,
        "role": role,
    }
    if body.get("emailAddress"):
        permission["emailAddress"] = body["emailAddress"]
    if body.get("domain"):
        permission["domain"] = body["domain"]
    if view:
        permission["view"] = view
    record.setdefault("permissions", []).append(permission)
    return fields.apply(
        permission, fields.parse(call.query.get("fields") or PERMISSION_DEFAULT_FIELDS)
    )


def _published(state: State, form_id: str) -> bool:
    form = state.forms.get(form_id) or {}
    return bool(((form.get("publishSettings") or {}).get("publishState") or {}).get("isPublished"))


def _domain(record: Json) -> str:
    owners = record.get("owners") or [{}]
    return str(owners[0].get("emailAddress", "")).rpartition("@")[2].lower()


def _permission(call: Call, record: Json) -> Json:
    wanted = call.path["permissionId"]
    for permission in record.get("permissions", []):
        if permission.get("id") == wanted:
            return permission
    raise drive_error(404, f"Permission not found: {wanted}.", "notFound", "permissionId")


def get_permission(call: Call) -> Json:
    record = _file(call)
    if call.state.role_of(record["id"], call.email) < ROLE_RANK["writer"]:
        raise denied()
    permission = _permission(call, record)
    mask = call.query.get("fields") or PERMISSION_DEFAULT_FIELDS
    return fields.apply(copy.deepcopy(permission), fields.parse(mask))


def delete_permission(call: Call) -> None:
    record = _file(call)
    if call.state.role_of(record["id"], call.email) < ROLE_RANK["writer"]:
        raise drive_error(
            403,
            "The user does not have sufficient permissions for this file.",
            "insufficientFilePermissions",
        )
    permission = _permission(call, record)
    if permission.get("role") == "owner":
        raise drive_error(
            403, "The owner of a file cannot be removed.", "cannotRemoveOwner"
        )
    record["permissions"].remove(permission)


def about(call: Call) -> Json:
    """The signed-in user; Drive requires ``fields`` here (it has no default)."""
    if not call.query.get("fields"):
        raise drive_error(
            400, "The 'fields' parameter is required for this method.", "required", "fields"
        )
    user: Json = {
        "kind": "drive#user",
        "displayName": call.email.partition("@")[0],
        "me": True,
        "permissionId": str(abs(hash(call.email)) % 10**20),
        "emailAddress": call.email,
    }
    out: Json = {"kind": "drive#about", "user": user}
    return fields.apply(out, fields.parse(call.query["fields"]))


def list_permissions(call: Call) -> Json:
    record = _file(call)
    if call.state.role_of(record["id"], call.email) < ROLE_RANK["writer"]:
        raise denied()
    include_view = call.query.get("includePermissionsForView")
    if include_view not in (None, "published"):
        raise drive_error(400, "Invalid Value", "invalid", "includePermissionsForView")
    permissions = [
        p for p in record.get("permissions", []) if "view" not in p or p["view"] == include_view
    ]
    out = {"kind": "drive#permissionList", "permissions": permissions}
    mask = (
        call.query.get("fields") or f"kind,nextPageToken,permissions({PERMISSION_DEFAULT_FIELDS})"
    )
    return fields.apply(copy.deepcopy(out), fields.parse(mask))


HANDLERS: dict[str, Callable[[Call], Any]] = {
    "drive.files.create": create,
    "drive.files.get": get,
    "drive.files.list": list_files,
    "drive.files.update": update,
    "drive.files.delete": delete,
    "drive.files.export": export,
    "drive.permissions.create": create_permission,
    "drive.permissions.list": list_permissions,
    "drive.permissions.get": get_permission,
    "drive.permissions.delete": delete_permission,
    "drive.about.get": about,
}
