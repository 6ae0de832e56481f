"""Everything the fake remembers, as plain JSON-able data so it can be saved to a file."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import secrets
import string
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from .errors import ApiError, denied, not_found

Json = dict[str, Any]

_ID_CHARS = string.ascii_letters + string.digits + "-_"
ROLE_RANK = {
    "reader": 1,
    "commenter": 2,
    "writer": 3,
    "fileOrganizer": 4,
    "organizer": 4,
    "owner": 5,
}


def new_id(length: int = 44, first: str = "1") -> str:
    """An id shaped like a Drive file id."""
    return first + "".join(secrets.choice(_ID_CHARS) for _ in range(length - len(first)))


def hex_id() -> str:
    """Forms item and question ids: 8 hex characters."""
    return secrets.token_hex(4)


def rfc3339(moment: datetime) -> str:
    """Google's timestamps: UTC, 'Z', milliseconds for Drive or more for Forms."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_rfc3339(text: str) -> datetime:
    cleaned = text.strip().replace("z", "Z")
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    if "." in cleaned:
        head, _, tail = cleaned.partition(".")
        digits = tail[: len(tail) - len(tail.lstrip("0123456789"))]
        zone = tail[len(digits) :]
        cleaned = f"{head}.{digits[:6].ljust(6, '0')}{zone}"
    moment = datetime.fromisoformat(cleaned)
    if moment.tzinfo is None:
        raise ValueError(text)
    return moment


@dataclass
class State:
    """The fake's data: Drive files, spreadsheets and their cells, forms, responses, identities."""

    files: dict[str, Json] = field(default_factory=dict)
    spreadsheets: dict[str, Json] = field(default_factory=dict)
    #: spreadsheetId → str(sheetId) → "row,col" → CellData (userEnteredValue, format, note)
    cells: dict[str, dict[str, dict[str, Json]]] = field(default_factory=dict)
    forms: dict[str, Json] = field(default_factory=dict)
    responses: dict[str, list[Json]] = field(default_factory=dict)
    access_tokens: dict[str, str] = field(default_factory=dict)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    #: access or refresh token → {"scopes": [...], "app": client id, "robot": bool}; a token
    #: without an entry may do everything (tests that call the fake directly)
    grants: dict[str, Json] = field(default_factory=dict)
    #: authorization code → {"email", "client_id", "redirect_uri", "scopes", "challenge"}
    auth_codes: dict[str, Json] = field(default_factory=dict)
    #: service-account email → public key (PEM) that its JWTs must be signed with
    service_keys: dict[str, str] = field(default_factory=dict)
    #: service-account email → scopes a Workspace admin authorised for domain-wide delegation
    delegations: dict[str, list[str]] = field(default_factory=dict)
    #: addresses that have no Google account (sharing with them needs an invitation email)
    no_account: list[str] = field(default_factory=list)
    #: Workspace domains whose policy forbids sharing a file with "anyone"
    closed_domains: list[str] = field(default_factory=list)
    disabled_apis: list[str] = field(default_factory=list)
    #: What "now" is for Drive's times (a benchmark's driven clock); not saved
    clock: Callable[[], datetime] | None = field(default=None, repr=False, compare=False)

    def now(self) -> datetime:
        return self.clock() if self.clock is not None else datetime.now(UTC)

    # --- persistence -------------------------------------------------------------------------

    def to_json(self) -> Json:
        return {f.name: copy.deepcopy(getattr(self, f.name)) for f in dataclasses.fields(self)
                if f.name != "clock"}

    @classmethod
    def from_json(cls, data: Json) -> State:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def save(self, path: Path) -> None:
        """Write atomically so a crash never leaves half a state file."""
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: Path) -> State:
        if not path.exists():
            return cls()
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))

    # --- identity and access -----------------------------------------------------------------

    def issue_token(self, email: str, grant: Json | None = None) -> str:
        """An access token for email; ``grant`` limits it (scopes, app, service account)."""
        token = "ya29.fake-" + secrets.token_urlsafe(24)
        self.access_tokens[token] = email
        if grant is not None:
            self.grants[token] = dict(grant)
        return token

    def add_file(self, owner: str, name: str, mime_type: str, file_id: str | None = None) -> Json:
        now = rfc3339(self.now())
        file_id = file_id or new_id()
        record: Json = {
            "kind": "drive#file",
            "id": file_id,
            "name": name,
            "mimeType": mime_type,
            "trashed": False,
            "createdTime": now,
            "modifiedTime": now,
            "version": "1",
            "owners": [user(owner)],
            "lastModifyingUser": user(owner),
            "permissions": [
                {
                    "kind": "drive#permission",
                    "id": new_id(20, "0"),
                    "type": "user",
                    "role": "owner",
                    "emailAddress": owner,
                }
            ],
        }
        self.files[file_id] = record
        return record

    def role_of(self, file_id: str, email: str) -> int:
        record = self.files.get(file_id)
        if record is None:
            return 0
        best = 0
        for perm in record.get("permissions", []):
            if perm.get("view"):
                continue  # a responder of the published form, not a reader of the file
            if (
                perm.get("type") == "anyone"
                or perm.get("emailAddress", "").lower() == email.lower()
            ):
                best = max(best, ROLE_RANK.get(perm.get("role", ""), 0))
        return best

    def require(
        self, file_id: str, email: str, write: bool, kind: str = "", app: str | None = None
    ) -> Json:
        """The Drive record of a file the caller may reach, or Google's 404 / 403.

        ``app``: the caller's token reaches files through ``drive.file`` only, so just the
        files that app created or was given count; any other is not found.
        """
        record = self.files.get(file_id)
        if record is None or (kind and record["mimeType"] != kind):
            raise not_found()
        if app is not None and not self.app_may_see(record, app):
            raise not_found()
        role = self.role_of(file_id, email)
        if role == 0 or (write and role < ROLE_RANK["writer"]):
            raise denied()
        return record

    @staticmethod
    def app_may_see(record: Json, app: str) -> bool:
        """drive.file: the files an app created, or that were opened with it."""
        return app in record.get("_apps", [])

    def touch(self, file_id: str, by: str = "") -> None:
        """A change to a file's content by ``by``: Drive's modifiedTime and version move
        on, and ``lastModifyingUser`` says who made it."""
        record = self.files.get(file_id)
        if record is not None:
            if by:
                record["lastModifyingUser"] = user(by)
            now = rfc3339(self.now())
            if now <= record.get("modifiedTime", ""):  # two changes within a millisecond
                later = parse_rfc3339(record["modifiedTime"]) + timedelta(milliseconds=1)
                now = rfc3339(later)
            record["modifiedTime"] = now
            record["version"] = str(int(record.get("version", "1")) + 1)


def check_enabled(state: State, api: str) -> None:
    """A test may switch an API off; Google then answers 403 SERVICE_DISABLED."""
    if api in state.disabled_apis:
        title = {
            "sheets": "Google Sheets API",
            "drive": "Google Drive API",
            "forms": "Google Forms API",
        }
        host = {"sheets": "sheets", "drive": "drive", "forms": "forms"}[api]
        raise ApiError(
            403,
            f"{title[api]} has not been used in project 000000000000 before or it is disabled. "
            f"Enable it by visiting https://console.developers.google.com/apis/api/"
            f"{host}.googleapis.com/overview?project=000000000000 then retry.",
            "PERMISSION_DENIED",
            [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "SERVICE_DISABLED",
                    "domain": "googleapis.com",
                    "metadata": {"service": f"{host}.googleapis.com"},
                }
            ],
        )


#: Drive's answer to a service account making a file in its own (absent) storage.
NO_STORAGE = (
    "Service Accounts do not have storage quota. Leverage shared drives "
    "(https://developers.google.com/workspace/drive/api/guides/about-shareddrives), or use "
    "OAuth delegation (http://support.google.com/a/answer/7281227) instead."
)


@dataclass
class Call:
    """One authenticated API call as the handlers see it."""

    state: State
    email: str
    path: dict[str, str]
    query: dict[str, Any]
    body: Any
    base_url: str
    #: the OAuth client (or service account) the token was issued to; "" when unknown
    app: str = ""
    #: the token reaches files through drive.file only (see State.require)
    app_only: bool = False
    #: a service account acting as itself (no domain-wide delegation): no Drive storage
    robot: bool = False

    @property
    def restrict(self) -> str | None:
        """The app whose files alone this call may reach, or None for every file."""
        return self.app if self.app_only else None

    def require(self, file_id: str, write: bool, kind: str = "") -> Json:
        return self.state.require(file_id, self.email, write, kind, app=self.restrict)

    def refuse_robot_storage(self) -> None:
        """A service account acting as itself owns no Drive storage: it cannot make files."""
        if self.robot:
            raise ApiError(403, NO_STORAGE, errors=[
                {"message": NO_STORAGE, "domain": "usageLimits", "reason": "storageQuotaExceeded"}
            ])

    def created(self, record: Json) -> Json:
        """A file this call made belongs to its app (drive.file reaches it from then on)."""
        if self.app:
            record.setdefault("_apps", []).append(self.app)
        return record


def user(email: str) -> Json:
    """A Drive ``User`` (``me`` is set per caller when the file is shown)."""
    return {"kind": "drive#user", "displayName": email.split("@")[0], "emailAddress": email,
            "me": False}
