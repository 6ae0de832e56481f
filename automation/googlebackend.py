"""Entry points of the google backend for the command line.

``connect`` gives the two adapters behind :mod:`automation.ports`;
``create_spreadsheet`` makes a new Sheet for ``automation init`` when none is
configured; ``diagnose`` is ``automation doctor``: one line per check, each
saying what to fix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import gspread
from google.auth.credentials import Credentials
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import Request

from automation import auth
from automation.config import Settings
from automation.forms import GoogleForms
from automation.googleapi import (
    Apis,
    Context,
    GoogleHTTPClient,
    NotFound,
    Transport,
    refresh_failure,
)
from automation.i18n import Text
from automation.ports import BackendError, InputError
from automation.sheets import GoogleSheet

NO_SPREADSHEET = Text(
    "Chưa có [google] spreadsheet_id trong cấu hình. Chạy `automation init` để tạo bảng tính mới, "
    "hoặc chép mã bảng tính (phần giữa /d/ và /edit trong đường link) vào cấu hình.",
    "[google] spreadsheet_id is not set in the config. Run `automation init` to create a new "
    "spreadsheet, or copy the spreadsheet's id (between /d/ and /edit in its link) into the "
    "config.",
)
CHECK_CONFIG = Text("Cấu hình: backend = \"google\", bảng tính {id}",
                    "Config: backend = \"google\", spreadsheet {id}")
NOT_GOOGLE = Text("Cấu hình: backend = \"{backend}\"; đặt backend = \"google\" để dùng Google.",
                  "Config: backend = \"{backend}\"; set backend = \"google\" to use Google.")
CHECK_CREDENTIALS = Text("Thông tin đăng nhập: {file} ({account})",
                         "Credentials: {file} ({account})")
CHECK_TOKEN = Text("Đăng nhập Google: lấy được token mới", "Google sign-in: a fresh token obtained")
CHECK_API = Text("{api}: đã bật", "{api}: enabled")
CHECK_SHEET = Text("Bảng tính: \"{title}\" đọc được ({tabs} trang tính)",
                   "Spreadsheet: \"{title}\" is readable ({tabs} tabs)")
SKIPPED = Text("{what}: chưa kiểm tra được (sửa lỗi phía trên trước)",
               "{what}: not checked (fix the problem above first)")
UNKNOWN_ACCOUNT = Text("tài khoản chưa rõ", "account not known")


def transport(settings: Settings, **overrides: Any) -> Transport:
    """Where and how requests go; tests and the bench override ``sleep`` / ``tries``."""
    return replace(Transport(endpoint=settings.endpoint), **overrides)


def _context(settings: Settings, creds: Credentials) -> Context:
    account = settings.google.subject.strip() or auth.account_of(creds)
    return Context(language=settings.language, account=account,
                   credentials_file=str(settings.google.credentials))


def sheets_client(settings: Settings, creds: Credentials | None = None, **overrides: Any
                  ) -> GoogleHTTPClient:
    """gspread's HTTP client with the endpoint, timeout and bounded retries."""
    creds = creds or auth.load_credentials(settings)
    return GoogleHTTPClient(creds, transport=transport(settings, **overrides),
                            context=_context(settings, creds))


def gspread_client(settings: Settings, **overrides: Any) -> gspread.Client:
    """A gspread ``Client`` over the same plumbing (endpoint, timeout, bounded retries),
    for scripts and tests that want gspread's own objects (``open_by_key`` …)."""
    creds = auth.load_credentials(settings)
    client = gspread.Client(creds)
    client.http_client = sheets_client(settings, creds, **overrides)
    return client


def connect(settings: Settings, *, clock: Callable[[], datetime] | None = None,
            **overrides: Any) -> tuple[GoogleSheet, GoogleForms]:
    """The configured spreadsheet (opened: one metadata read) and the forms service.

    ``clock`` tells the forms service the time (when a form opened and closed);
    ``overrides`` go to :class:`~automation.googleapi.Transport` (``sleep``,
    ``tries``, ``timeout``). Raises InputError / BackendError with the admin's message.
    """
    if not settings.google.spreadsheet_id.strip():
        raise InputError(NO_SPREADSHEET(settings.language))
    creds = auth.load_credentials(settings)
    client = sheets_client(settings, creds, **overrides)
    sheet = GoogleSheet(client, settings.google.spreadsheet_id.strip(),
                        language=settings.language, tz=settings.tz)
    apis = Apis(creds, transport=transport(settings, **overrides),
                context=_context(settings, creds))
    forms = GoogleForms(apis, share_with=settings.google.share_with, language=settings.language,
                        clock=clock or (lambda: datetime.now(UTC)))
    return sheet, forms


def create_spreadsheet(settings: Settings, title: str, **overrides: Any) -> tuple[str, str]:
    """A new, empty Google Sheet shared (as editor) with ``share_with``: ``(id, url)``.

    Created through Drive (as gspread does), so the app's ``drive.file`` scope
    may share it; its locale is Vietnamese when ``language = "vi"`` (dates
    typed day first are then dates) and its time zone the config's.
    ``automation init`` then adds the template tabs.
    """
    creds = auth.load_credentials(settings)
    client = sheets_client(settings, creds, **overrides)
    once = sheets_client(settings, creds, **{**overrides, "tries": 1})  # never two sheets
    drive = client.transport.rewrite("https://www.googleapis.com/drive/v3/files")
    created = once.request(
        "post", drive, json={"name": title, "mimeType": "application/vnd.google-apps.spreadsheet"},
        params={"supportsAllDrives": True, "fields": "id"},
    ).json()
    spreadsheet_id = str(created["id"])
    # The sheet reads typed dates in its locale: Vietnamese ones are day first. Its time zone
    # is the config's, so the secretary's NOW() agrees with the service.
    properties: dict[str, str] = {"timeZone": settings.timezone}
    if settings.language == "vi":
        properties["locale"] = "vi_VN"
    client.batch_update(spreadsheet_id, {"requests": [{"updateSpreadsheetProperties": {
        "properties": properties, "fields": ",".join(properties)}}]})
    for email in settings.google.share_with:
        client.request(
            "post", f"{drive}/{spreadsheet_id}/permissions",
            json={"type": "user", "role": "writer", "emailAddress": email},
            params={"supportsAllDrives": True, "sendNotificationEmail": True, "fields": "id"},
        )
    return spreadsheet_id, f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit"


def diagnose(settings: Settings, **overrides: Any) -> list[tuple[bool, str]]:
    """``automation doctor``: (ok, line) for config, credentials, token, each API, the sheet."""
    language = settings.language
    lines: list[tuple[bool, str]] = []
    if settings.backend != "google":
        lines.append((False, NOT_GOOGLE(language, backend=settings.backend)))
    if settings.google.spreadsheet_id.strip():
        lines.append((True, CHECK_CONFIG(language, id=settings.google.spreadsheet_id)))
    else:
        lines.append((False, NO_SPREADSHEET(language)))
    try:
        creds = auth.load_credentials(settings)
    except InputError as exc:
        lines.append((False, str(exc)))
        return lines + [(False, SKIPPED(language, what=w)) for w in
                        ("Token", "Google Sheets API", "Google Drive API", "Google Forms API")]
    context = _context(settings, creds)
    lines.append((True, CHECK_CREDENTIALS(
        language, file=settings.google.credentials,
        account=context.account or UNKNOWN_ACCOUNT(language))))
    try:
        creds.refresh(Request())
        lines.append((True, CHECK_TOKEN(language)))
    except (RefreshError, TransportError) as exc:
        lines.append((False, str(refresh_failure(exc, context))))
        return lines + [(False, SKIPPED(language, what=w)) for w in
                        ("Google Sheets API", "Google Drive API", "Google Forms API")]
    quick = {"tries": 1, **overrides}
    client = GoogleHTTPClient(creds, transport=transport(settings, **quick), context=context)
    apis = Apis(creds, transport=transport(settings, **quick), context=context)
    probe = "automation-doctor-probe"  # an id that cannot exist: "not found" means the API is on
    lines.append(_check(lambda: apis.execute(apis.service("drive").files().list(
        pageSize=1, fields="files(id)"), api="drive"), CHECK_API(language, api="Google Drive API")))
    lines.append(_check(lambda: _absent(lambda: apis.execute(
        apis.service("forms").forms().get(formId=probe), api="forms", what=probe)),
        CHECK_API(language, api="Google Forms API")))
    spreadsheet_id = settings.google.spreadsheet_id.strip()
    if not spreadsheet_id:
        client.what = probe
        lines.append(_check(lambda: _absent(lambda: client.spreadsheets_get(probe)),
                            CHECK_API(language, api="Google Sheets API")))
        return lines

    def open_sheet() -> str:
        sheet = GoogleSheet(client, spreadsheet_id, language=language)
        return CHECK_SHEET(language, title=sheet.title, tabs=len(sheet.tab_titles()))

    access = _check(open_sheet, "")
    if access[0]:
        lines.append((True, CHECK_API(language, api="Google Sheets API")))
    return [*lines, access]


def _absent(call: Callable[[], object]) -> None:
    """Run a probe for something that does not exist; only "not found" is the right answer."""
    try:
        call()
    except NotFound:
        return


def _check(action: Callable[[], object], ok_line: str) -> tuple[bool, str]:
    try:
        result = action()
    except (InputError, BackendError) as exc:
        return False, str(exc)
    return True, result if isinstance(result, str) else ok_line
