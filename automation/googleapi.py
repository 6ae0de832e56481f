"""Google HTTP plumbing shared by the Sheets, Forms and Drive adapters.

Three jobs, kept in one place so every Google call behaves the same:

* **where**: every call goes to ``settings.endpoint`` when it is set
  (``AUTOMATION_GOOGLE_ENDPOINT`` / ``[google] api_endpoint``), so the whole
  backend can run against a fake Google server;
* **how long**: a timeout on every request and a bounded number of tries with
  exponential backoff and jitter on 408 / 429 / 5xx and network failures
  (gspread 6.2.1's ``BackOffHTTPClient`` never gives up, so we bring our own);
* **what it means**: Google's refusals become messages an admin can act on.

Which errors are whose (exit code):

* :class:`~automation.ports.InputError` (exit 1) when a person must fix
  something and retrying cannot help: the credentials file is missing or
  invalid, the token was revoked, the spreadsheet is not shared with the
  account, an API is not enabled, a spreadsheet / form / tab is missing.
* :class:`~automation.ports.BackendError` (exit 3) when Google failed: still
  unavailable or over quota after the retries, or a refusal we did not expect
  (with Google's own words, which never hold a secret).
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import google_auth_httplib2
import httplib2
import requests
from google.auth.credentials import Credentials
from google.auth.exceptions import RefreshError, TransportError
from googleapiclient import discovery
from googleapiclient.errors import HttpError
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from automation.i18n import Text
from automation.ports import BackendError, InputError

Sleep = Callable[[float], None]

#: Statuses worth another try: timeout, too many requests, server errors.
RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_TRIES = 5
DEFAULT_TIMEOUT = 60.0  # seconds per request
BACKOFF_BASE = 1.0  # seconds before the second try; doubles each time
BACKOFF_CAP = 32.0

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")

API_NAMES = {
    "sheets": "Google Sheets API",
    "drive": "Google Drive API",
    "forms": "Google Forms API",
}
_SERVICE_HOSTS = {
    "sheets.googleapis.com": "sheets",
    "drive.googleapis.com": "drive",
    "forms.googleapis.com": "forms",
}

TOKEN_REVOKED = Text(
    "Quyền truy cập Google trong {file} đã hết hạn hoặc bị thu hồi. Hãy chạy lại "
    "`automation auth` (ứng dụng OAuth để ở chế độ \"Testing\" làm token hết hạn sau 7 ngày: "
    "chuyển nó sang \"In production\").",
    "The Google access in {file} has expired or was revoked. Run `automation auth` again "
    "(an OAuth app left in \"Testing\" has its tokens expire after 7 days: switch it to "
    "\"In production\").",
)
KEY_REFUSED = Text(
    "Google từ chối khóa tài khoản dịch vụ trong {file} ({detail}). Hãy tạo khóa mới trong "
    "Google Cloud Console (IAM → Service accounts → Keys) và lưu vào {file}.",
    "Google refused the service-account key in {file} ({detail}). Create a new key in the "
    "Google Cloud Console (IAM → Service accounts → Keys) and save it as {file}.",
)
NOT_SHARED = Text(
    "Tài khoản {account} không có quyền với {what}. Mở nó trên Google, bấm \"Chia sẻ\" và thêm "
    "{account} với quyền Người chỉnh sửa.",
    "The account {account} has no access to {what}. Open it in Google, click \"Share\" and add "
    "{account} as an Editor.",
)
SERVICE_DISABLED = Text(
    "{api} chưa được bật trong dự án Google Cloud của thông tin đăng nhập. Bật nó tại {url} "
    "rồi chạy lại sau vài phút.",
    "The {api} is not enabled in the Google Cloud project of the credentials. Enable it at "
    "{url} and run again after a few minutes.",
)
QUOTA = Text(
    "{api} vẫn báo hết hạn mức sau {tries} lần thử. Đợi vài phút rồi chạy lại (dịch vụ tự thử lại "
    "ở lượt sau); nếu lặp lại, xin tăng hạn mức trong Google Cloud Console.",
    "The {api} still reports its quota used up after {tries} tries. Wait a few minutes and run "
    "again (the service retries at its next tick); if it keeps happening, ask for a higher "
    "quota in the Google Cloud Console.",
)
UNAVAILABLE = Text(
    "{api} không trả lời được sau {tries} lần thử ({detail}). Kiểm tra kết nối mạng rồi chạy lại; "
    "dịch vụ tự thử lại ở lượt sau.",
    "The {api} could not be reached after {tries} tries ({detail}). Check the network and run "
    "again; the service retries at its next tick.",
)
SCOPES_MISSING = Text(
    "Token trong {file} thiếu quyền mà {api} cần (token cũ, hoặc một ô quyền bị bỏ chọn khi đăng "
    "nhập). Chạy lại `automation auth` và chấp nhận mọi quyền được hỏi.",
    "The token in {file} lacks a permission the {api} needs (an old token, or a box left "
    "unticked at sign-in). Run `automation auth` again and accept every permission asked.",
)
NOT_FOUND = Text(
    "Không tìm thấy {what} trên Google (đã bị xóa, hoặc mã sai). Kiểm tra mã trong cấu hình "
    "hoặc trong bảng tính.",
    "{what} was not found on Google (deleted, or a wrong id). Check the id in the config or in "
    "the spreadsheet.",
)
REFUSED = Text(
    "{api} từ chối yêu cầu (HTTP {status}): {message}",
    "The {api} refused the request (HTTP {status}): {message}",
)
NOT_SHARED_UNKNOWN = Text(
    "Tài khoản Google đã đăng nhập bằng `automation auth` không có quyền với {what}. Mở nó trên "
    "Google, bấm \"Chia sẻ\" và thêm tài khoản đó với quyền Người chỉnh sửa.",
    "The Google account signed in with `automation auth` has no access to {what}. Open it in "
    "Google, click \"Share\" and add that account as an Editor.",
)


@dataclass(frozen=True)
class ErrorInfo:
    """The parts of a Google error body that decide what to tell the admin."""

    status: int
    code: str = ""  # e.g. PERMISSION_DENIED
    message: str = ""
    reason: str = ""  # e.g. SERVICE_DISABLED, accessNotConfigured
    service: str = ""  # e.g. sheets.googleapis.com
    activation_url: str = ""

    @property
    def disabled(self) -> bool:
        return self.reason in ("SERVICE_DISABLED", "accessNotConfigured")

    @property
    def bad_range(self) -> bool:
        return self.status == 400 and "Unable to parse range" in self.message


def error_info(status: int, body: bytes | str | None) -> ErrorInfo:
    """Read Google's error shape ``{"error": {"code", "message", "status", "details"}}``."""
    try:
        error = json.loads(body or b"{}").get("error", {})
    except (ValueError, AttributeError):
        error = {}
    if not isinstance(error, dict):
        return ErrorInfo(status, message=str(error)[:300])
    reason = service = url = ""
    for detail in error.get("details") or ():
        if isinstance(detail, dict) and detail.get("reason"):
            reason = str(detail["reason"])
            meta = detail.get("metadata") or {}
            service = str(meta.get("service", ""))
            url = str(meta.get("activationUrl", ""))
            break
    if not reason:
        for item in error.get("errors") or ():
            if isinstance(item, dict) and item.get("reason"):
                reason = str(item["reason"])
                break
    return ErrorInfo(
        status=status,
        code=str(error.get("status", "")),
        message=str(error.get("message", ""))[:300],
        reason=reason,
        service=service,
        activation_url=url,
    )


class BadRange(InputError):
    """Google could not find a tab named in a range (renamed or deleted meanwhile)."""


class NotFound(InputError):
    """The named spreadsheet or form does not exist (or is in the trash for good)."""


class Refused(BackendError):
    """A refusal we did not expect; ``info`` lets an adapter retry after a refresh."""

    def __init__(self, message: str, info: ErrorInfo) -> None:
        super().__init__(message)
        self.info = info


@dataclass(frozen=True)
class Context:
    """What the messages need to name: language, account, credentials file."""

    language: str = "vi"
    account: str = ""  # the email Google sees, if known
    credentials_file: str = ""



def _rate_limited(info: ErrorInfo) -> bool:
    reason = info.reason.lower().replace("_", "")
    return "ratelimit" in reason or "quota" in reason


def translate(info: ErrorInfo, ctx: Context, *, api: str, what: str = "", tries: int = 1
              ) -> Exception:
    """The exception (with its message) for a Google refusal that will not be retried."""
    lang = ctx.language
    name = API_NAMES.get(_SERVICE_HOSTS.get(info.service, api), API_NAMES.get(api, api))
    if info.disabled:
        url = info.activation_url or (
            f"https://console.cloud.google.com/apis/library/{api}.googleapis.com"
        )
        return InputError(SERVICE_DISABLED(lang, api=name, url=url))
    if info.reason == "ACCESS_TOKEN_SCOPE_INSUFFICIENT" or "insufficient authentication scopes" in (
        info.message
    ):
        return InputError(SCOPES_MISSING(lang, file=ctx.credentials_file, api=name))
    if info.status == 401:
        return InputError(TOKEN_REVOKED(lang, file=ctx.credentials_file))
    if info.status == 429 or info.code == "RESOURCE_EXHAUSTED" or _rate_limited(info):
        return BackendError(QUOTA(lang, api=name, tries=tries))
    if info.bad_range:
        return BadRange(REFUSED(lang, api=name, status=info.status, message=info.message))
    if info.status == 403 and what:
        if not ctx.account:
            return InputError(NOT_SHARED_UNKNOWN(lang, what=what))
        return InputError(NOT_SHARED(lang, account=ctx.account, what=what))
    if info.status == 404 and what:
        return NotFound(NOT_FOUND(lang, what=what))
    if info.status in RETRYABLE:
        return BackendError(UNAVAILABLE(lang, api=name, tries=tries, detail=f"HTTP {info.status}"))
    return Refused(REFUSED(lang, api=name, status=info.status, message=info.message), info)


def refresh_failure(exc: RefreshError | TransportError, ctx: Context, *, tries: int = 1
                    ) -> Exception:
    """A failed token refresh: Google's token service down (exit 3) or refused (exit 1)."""
    if isinstance(exc, TransportError) or getattr(exc, "retryable", False):
        return BackendError(UNAVAILABLE(ctx.language, api="Google OAuth", tries=tries,
                                        detail=type(exc).__name__))
    if ctx.account.endswith(".iam.gserviceaccount.com"):
        # Only the error code: the rest of the text may quote what was sent.
        detail = str(exc.args[0] if exc.args else exc).split(":")[0][:80]
        return InputError(KEY_REFUSED(ctx.language, file=ctx.credentials_file, detail=detail))
    return InputError(TOKEN_REVOKED(ctx.language, file=ctx.credentials_file))


@dataclass(frozen=True)
class Transport:
    """How every request is made: where to, how long to wait, how often to try."""

    endpoint: str = ""  # blank: Google itself
    timeout: float = DEFAULT_TIMEOUT
    tries: int = DEFAULT_TRIES
    sleep: Sleep = time.sleep
    rand: Callable[[], float] = random.random

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed try ``attempt`` (1-based): doubling, capped, jittered."""
        delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        return delay * (0.5 + self.rand() / 2)

    def rewrite(self, url: str) -> str:
        """Send a hard-coded Google URL to the configured endpoint, if any."""
        if not self.endpoint:
            return url
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                return self.endpoint.rstrip("/") + url[len(host):]
        return url


class GoogleHTTPClient(HTTPClient):
    """gspread's HTTP client with the endpoint override, a timeout and bounded retries.

    Permanent refusals and exhausted retries are raised as
    :class:`InputError` / :class:`BackendError` with an admin's message;
    ``what`` names the spreadsheet in "not shared" / "not found" messages.
    """

    def __init__(self, credentials: Credentials, *, transport: Transport, context: Context,
                 what: str = "") -> None:
        super().__init__(credentials)
        self.transport = transport
        self.context = context
        self.what = what
        self.set_timeout(transport.timeout)

    def request(  # type: ignore[override]  # the same parameters, passed on as they are
        self, method: str, endpoint: str, **kwargs: Any
    ) -> requests.Response:
        url = self.transport.rewrite(endpoint)
        api = "drive" if "/drive/" in url else "sheets"
        tries = self.transport.tries
        for attempt in range(1, tries + 1):
            last = attempt == tries
            try:
                return super().request(method, url, **kwargs)
            except APIError as exc:
                info = error_info(exc.response.status_code, exc.response.content)
                if last or info.status not in RETRYABLE:
                    raise translate(info, self.context, api=api, what=self.what,
                                    tries=attempt) from None
            except (RefreshError, TransportError) as exc:
                failure = refresh_failure(exc, self.context, tries=attempt)
                if last or isinstance(failure, InputError):
                    raise failure from None
            except requests.RequestException as exc:
                if last:
                    raise BackendError(UNAVAILABLE(self.context.language, api=API_NAMES[api],
                                                   tries=attempt, detail=type(exc).__name__)
                                       ) from None
            self.transport.sleep(self.transport.backoff(attempt))
        raise AssertionError("unreachable")  # pragma: no cover


class Apis:
    """Forms and Drive through google-api-python-client, with the same rules as Sheets."""

    def __init__(self, credentials: Credentials, *, transport: Transport, context: Context
                 ) -> None:
        self.credentials = credentials
        self.transport = transport
        self.context = context
        self._services: dict[str, Any] = {}

    def service(self, api: str) -> Any:
        """``"forms"`` (v1) or ``"drive"`` (v3), built from the bundled discovery document."""
        if api not in self._services:
            version = {"forms": "v1", "drive": "v3"}[api]
            options: dict[str, str] = {}
            if self.transport.endpoint:
                base = self.transport.endpoint.rstrip("/")
                options["api_endpoint"] = base + ("/drive/v3/" if api == "drive" else "/")
            http = google_auth_httplib2.AuthorizedHttp(
                self.credentials, http=httplib2.Http(timeout=self.transport.timeout)
            )
            self._services[api] = discovery.build(
                api, version, http=http, static_discovery=True, cache_discovery=False,
                client_options=options or None,
            )
        return self._services[api]

    def execute(self, request: Any, *, api: str, what: str = "", retry: bool = True) -> Any:
        """Run one request with the bounded retries; raise an admin's message when it fails.

        ``retry=False`` for a call that must not run twice (creating a form: a retry after
        a lost answer would make a second one); the next tick tries again instead.
        """
        tries = self.transport.tries if retry else 1
        # googleapiclient sleeps through this attribute between its retries; injected so
        # tests and the bench do not wait for real.
        request._sleep = self.transport.sleep
        try:
            return request.execute(num_retries=tries - 1)
        except HttpError as exc:
            info = error_info(exc.resp.status, exc.content)
            raise translate(info, self.context, api=api, what=what, tries=tries) from None
        except (RefreshError, TransportError) as exc:
            raise refresh_failure(exc, self.context, tries=tries) from None
        except (OSError, httplib2.HttpLib2Error) as exc:
            raise BackendError(UNAVAILABLE(self.context.language, api=API_NAMES[api], tries=tries,
                                           detail=type(exc).__name__)) from None


def body_size(payload: Mapping[str, Any] | list[Any]) -> int:
    """Bytes a JSON payload takes on the wire (UTF-8)."""
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
