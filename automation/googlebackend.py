"""Entry points of the google backend for the command line.

``connect`` gives the two adapters behind :mod:`automation.ports`;
``create_spreadsheet`` makes a new Sheet for ``automation init`` when none is
configured; ``diagnose`` is ``automation doctor``: one line per check, each
saying what to fix.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, NamedTuple

import gspread
from google.auth.credentials import Credentials
from google.auth.transport.requests import Request

from automation import auth
from automation.config import Settings
from automation.forms import GoogleForms
from automation.googleapi import (
    Apis,
    Context,
    GoogleHTTPClient,
    NoAnswer,
    NotFound,
    Transport,
    run_attempts,
)
from automation.i18n import Text
from automation.ports import BackendError, InputError
from automation.sheets import GoogleSheet
from automation.throttle import Throttle

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
SIGNED_IN_AS = Text("Tài khoản Google đang dùng: {account}", "Signed in to Google as: {account}")
ROBOT_WITHOUT_SUBJECT = Text(
    "{file} là khóa tài khoản dịch vụ nhưng [google] subject còn trống: tài khoản dịch vụ không "
    "có dung lượng Drive riêng nên không tạo được biểu mẫu nào. Đặt subject là người dùng "
    "Workspace mà nó thay mặt (ủy quyền toàn miền cho Client ID {client_id} với các quyền "
    "{scopes}), hoặc dùng `automation auth` với tài khoản của một người.",
    "{file} is a service-account key but [google] subject is blank: a service account has no "
    "Drive storage of its own, so it cannot make any form. Set subject to the Workspace user it "
    "acts for (domain-wide delegation for the client ID {client_id} with the scopes {scopes}), "
    "or use `automation auth` with a person's account.",
)


def transport(settings: Settings, **overrides: Any) -> Transport:
    """Where and how requests go; tests and the bench override ``sleep`` / ``tries``."""
    return replace(Transport(endpoint=settings.endpoint), **overrides)


def _context(settings: Settings, creds: Credentials) -> Context:
    account = settings.google.subject.strip() or auth.account_of(creds)
    return Context(language=settings.language, account=account,
                   credentials_file=str(settings.google.credentials),
                   client_id=auth.client_id_of(settings), scopes=auth.SCOPES)


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


class Edit(NamedTuple):
    """A spreadsheet's change as Drive reports it."""

    version: str
    by_me: bool  # the last edit was this account's own (the service's writes)


class Account:
    """One Google sign-in for many spreadsheets: a committee's cells, under one account.

    The credentials are loaded and refreshed once; every cell's spreadsheet and
    forms go through the same :class:`~automation.googleapi.Transport`, so a
    :class:`~automation.throttle.Throttle` given here is one budget for them all.
    """

    def __init__(self, settings: Settings, *, clock: Callable[[], datetime],
                 throttle: Throttle | None = None, **overrides: Any) -> None:
        self.settings = settings
        self.clock = clock
        self.creds = auth.load_credentials(settings)
        self.transport = transport(settings, throttle=throttle, **overrides)
        self.context = _context(settings, self.creds)
        self.apis = Apis(self.creds, transport=self.transport, context=self.context)

    def sheet(self, spreadsheet_id: str, settings: Settings) -> GoogleSheet:
        """A cell's spreadsheet (opened: one metadata read, within the shared budget)."""
        client = GoogleHTTPClient(self.creds, transport=self.transport, context=self.context)
        return GoogleSheet(client, spreadsheet_id, language=settings.language, tz=settings.tz)

    def forms(self, settings: Settings) -> GoogleForms:
        """A cell's forms, through clients of its own (an HTTP connection is not shared
        between threads, and the service acts for many cells at once)."""
        apis = Apis(self.creds, transport=self.transport, context=self.context)
        return GoogleForms(apis, share_with=settings.google.share_with,
                           language=settings.language, clock=self.clock)

    def version(self, file_id: str) -> str | None:
        """The file's Drive version (it changes with every edit); None when Drive cannot
        see the file (the ``drive.file`` scope sees only files this app made or opened)."""
        try:
            answer = self.apis.execute(self.apis.service("drive").files().get(
                fileId=file_id, fields="version"), api="drive", what=file_id)
        except (NotFound, InputError):
            return None
        return str(answer.get("version", ""))

    def changed_since(self, moment: datetime) -> dict[str, Edit]:
        """Spreadsheets edited since ``moment`` (id → its version, and whether this
        account made the last edit), in one Drive request."""
        stamp = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
        query = (f"mimeType = 'application/vnd.google-apps.spreadsheet' and "
                 f"modifiedTime > '{stamp}' and trashed = false")
        found: dict[str, Edit] = {}
        token: str | None = None
        while True:
            answer = self.apis.execute(self.apis.service("drive").files().list(
                q=query, spaces="drive", pageSize=1000, pageToken=token,
                fields="nextPageToken,files(id,version,lastModifyingUser(me))"), api="drive")
            found.update({str(f["id"]): Edit(str(f.get("version", "")), bool(
                (f.get("lastModifyingUser") or {}).get("me"))) for f in answer.get("files", [])})
            token = answer.get("nextPageToken")
            if not token:
                return found


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


class DoctorHalted(BackendError):
    """Google did not answer: the checks so far, the one that hung, and those skipped."""

    def __init__(self, lines: list[tuple[bool, str]]) -> None:
        super().__init__("\n".join(f"{'✓' if ok else '✗'} {line}" for ok, line in lines))
        self.lines = lines


def diagnose(settings: Settings, *, halt: bool = False, **overrides: Any
             ) -> list[tuple[bool, str]]:
    """``automation doctor``: (ok, line) for config, credentials, token, each API, the sheet.

    Every call is bounded like the service's own; once Google did not answer at all, the
    checks after it are skipped (each would wait as long again), and with ``halt`` the
    lines come as a :class:`DoctorHalted` (exit 3: an outside service failed).
    """
    lines, unanswered = _diagnose(settings, **overrides)
    if halt and unanswered:
        raise DoctorHalted(lines)
    return lines


def _diagnose(settings: Settings, **overrides: Any) -> tuple[list[tuple[bool, str]], bool]:
    """The doctor's lines, and whether it stopped because Google did not answer."""
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
                        ("Token", "Google Sheets API", "Google Drive API", "Google Forms API")
                        ], False
    context = _context(settings, creds)
    lines.append((True, CHECK_CREDENTIALS(
        language, file=settings.google.credentials,
        account=context.account or UNKNOWN_ACCOUNT(language))))
    robot = context.account.endswith(".iam.gserviceaccount.com")
    if robot and not settings.google.subject.strip():
        lines.append((False, ROBOT_WITHOUT_SUBJECT(
            language, file=settings.google.credentials, client_id=context.client_id or "?",
            scopes=", ".join(auth.SCOPES))))
    quick = {"tries": 1, **overrides}
    link = transport(settings, **quick)
    try:
        run_attempts(link, context, "drive", "", lambda: creds.refresh(
            functools.partial(Request(), timeout=link.timeout)))
        lines.append((True, CHECK_TOKEN(language)))
    except (InputError, BackendError) as exc:
        lines.append((False, str(exc)))
        return lines + [(False, SKIPPED(language, what=w)) for w in
                        ("Google Sheets API", "Google Drive API", "Google Forms API")
                        ], isinstance(exc, NoAnswer)
    client = GoogleHTTPClient(creds, transport=link, context=context)
    apis = Apis(creds, transport=link, context=context)
    probe = "automation-doctor-probe"  # an id that cannot exist: "not found" means the API is on

    def who() -> str:
        answer = apis.execute(apis.service("drive").about().get(
            fields="user(emailAddress,displayName)"), api="drive")
        email = str((answer.get("user") or {}).get("emailAddress", ""))
        return CHECK_API(language, api="Google Drive API") + (
            "; " + SIGNED_IN_AS(language, account=email) if email else "")

    checks: list[tuple[str, Callable[[], object], str]] = [
        ("Google Drive API", who, ""),
        ("Google Forms API", lambda: _absent(lambda: apis.execute(
            apis.service("forms").forms().get(formId=probe), api="forms", what=probe)),
         CHECK_API(language, api="Google Forms API")),
    ]
    spreadsheet_id = settings.google.spreadsheet_id.strip()

    def open_sheet() -> str:
        sheet = GoogleSheet(client, spreadsheet_id, language=language)
        return CHECK_SHEET(language, title=sheet.title, tabs=len(sheet.tab_titles()))

    def probe_sheets() -> None:
        client.what = probe
        _absent(lambda: client.spreadsheets_get(probe))

    if spreadsheet_id:
        checks.append(("Google Sheets API", open_sheet, ""))
    else:
        checks.append(("Google Sheets API", probe_sheets,
                       CHECK_API(language, api="Google Sheets API")))
    for index, (name, action, ok_line) in enumerate(checks):
        try:
            result = action()
        except NoAnswer as exc:  # the checks after it would wait as long again
            lines.append((False, str(exc)))
            skipped = [(False, SKIPPED(language, what=n)) for n, _, _ in checks[index + 1:]]
            return lines + skipped, True
        except (InputError, BackendError) as exc:
            lines.append((False, str(exc)))
            continue
        if name == "Google Sheets API" and spreadsheet_id:
            lines.append((True, CHECK_API(language, api=name)))
        lines.append((True, result if isinstance(result, str) else ok_line))
    return lines, False


def _absent(call: Callable[[], object]) -> None:
    """Run a probe for something that does not exist; only "not found" is the right answer."""
    try:
        call()
    except NotFound:
        return
