"""Google HTTP plumbing shared by the Sheets, Forms and Drive adapters.

Three jobs, kept in one place so every Google call behaves the same:

* **where**: every call goes to ``settings.endpoint`` when it is set
  (``AUTOMATION_GOOGLE_ENDPOINT`` / ``[google] api_endpoint``), so the whole
  backend can run against a fake Google server;
* **how long**: a timeout on every attempt (the token refresh included) and a
  time budget for each call, every try and backoff included, with exponential
  backoff and jitter on 408 / 429 / 5xx and network failures (gspread 6.2.1's
  ``BackOffHTTPClient`` never gives up, and googleapiclient's own retries wait
  a full timeout each, so we bring our own). A Google that accepts connections
  but never answers costs one call's budget, then the command stops (exit 3)
  naming what did not answer;
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

import functools
import json
import random
import socket
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import google_auth_httplib2
import httplib2
import requests
from google.auth.credentials import Credentials
from google.auth.exceptions import RefreshError, TransportError
from google.auth.transport.requests import Request
from googleapiclient import discovery
from googleapiclient.errors import HttpError
from gspread.exceptions import APIError
from gspread.http_client import HTTPClient

from automation.i18n import Text
from automation.ports import BackendError, InputError
from automation.throttle import Deferred, Throttle, kind_of

Sleep = Callable[[float], None]

#: Statuses worth another try: timeout, too many requests, server errors.
RETRYABLE = frozenset({408, 429, 500, 502, 503, 504})
DEFAULT_TRIES = 5
DEFAULT_TIMEOUT = 15.0  # seconds per attempt (connecting, and between bytes of the answer)
DEFAULT_BUDGET = 45.0  # seconds per call, every attempt and backoff included
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
NO_ANSWER = Text(
    "{what} không trả lời sau {seconds} giây ({tries} lần thử). Kiểm tra kết nối mạng (tường lửa, "
    "proxy) rồi chạy lại; dịch vụ tự thử lại ở lượt sau.",
    "{what} did not answer within {seconds} s ({tries} tries). Check the network (firewall, "
    "proxy) and run again; the service retries at its next tick.",
)
SIGN_IN = Text("Đăng nhập Google (token)", "Google sign-in (token)")
STORAGE_ROBOT = Text(
    "Google Drive không cho tài khoản dịch vụ {account} tạo tệp mới: tài khoản dịch vụ không có "
    "dung lượng Drive riêng. Đặt [google] subject là người dùng Workspace mà nó thay mặt "
    "(ủy quyền toàn miền), hoặc đăng nhập bằng tài khoản của một người với `automation auth`.",
    "Google Drive refuses new files to the service account {account}: a service account has no "
    "Drive storage of its own. Set [google] subject to the Workspace user it acts for "
    "(domain-wide delegation), or sign in as a person with `automation auth`.",
)
STORAGE_FULL = Text(
    "Google Drive của {account} đã hết dung lượng nên không tạo được tệp mới. Giải phóng dung "
    "lượng (xóa tệp, dọn thùng rác) hoặc mua thêm, rồi chạy lại.",
    "The Google Drive of {account} is full, so no new file can be made. Free some space "
    "(delete files, empty the trash) or buy more, and run again.",
)
DELEGATION_REFUSED = Text(
    "Google chưa cho tài khoản dịch vụ trong {file} thay mặt {subject} (ủy quyền toàn miền chưa "
    "được cấp). Quản trị viên Workspace vào Admin console → Security → API controls → "
    "Domain-wide delegation, thêm Client ID {client_id} với các quyền: {scopes}. Thay đổi có thể "
    "mất vài phút mới có hiệu lực.",
    "Google does not let the service account in {file} act as {subject} (domain-wide "
    "delegation is not authorised). A Workspace admin must open the Admin console → Security → "
    "API controls → Domain-wide delegation and add the client ID {client_id} with the scopes: "
    "{scopes}. It may take a few minutes to apply.",
)
NO_GOOGLE_ACCOUNT = Text(
    "Không chia sẻ được {what} với {address} ([google] share_with): địa chỉ này không có tài khoản "
    "Google. Sửa share_with thành một địa chỉ Gmail hoặc Google Workspace, hoặc tạo tài khoản "
    "Google cho địa chỉ đó.",
    "{what} cannot be shared with {address} ([google] share_with): that address has no Google "
    "account. Change share_with to a Gmail or Google Workspace address, or create a Google "
    "account for it.",
)
ANYONE_FORBIDDEN = Text(
    "Chính sách Google Workspace của tổ chức không cho chia sẻ {what} với \"bất kỳ ai có đường "
    "link\", nên đảng viên không mở được biểu mẫu. Nhờ quản trị viên Workspace cho phép (Admin "
    "console → Apps → Google Workspace → Drive and Docs → Sharing settings, và cài đặt chia sẻ "
    "của Forms), hoặc dùng identity = \"email\" với tài khoản trong tổ chức.",
    "The organisation's Google Workspace policy forbids sharing {what} with \"anyone with the "
    "link\", so members cannot open the form. Ask the Workspace admin to allow it (Admin console "
    "→ Apps → Google Workspace → Drive and Docs → Sharing settings, and the Forms sharing "
    "settings), or use identity = \"email\" with accounts of the organisation.",
)
OUTSIDE_FORBIDDEN = Text(
    "Chính sách Google Workspace của tổ chức không cho chia sẻ {what} với {address} (ngoài tổ "
    "chức; [google] share_with). Dùng một địa chỉ trong tổ chức, hoặc nhờ quản trị viên cho phép "
    "chia sẻ ra ngoài.",
    "The organisation's Google Workspace policy forbids sharing {what} with {address} (outside "
    "the organisation; [google] share_with). Use an address of the organisation, or ask the "
    "admin to allow sharing outside it.",
)
#: Drive's reasons for a share that the organisation's policy forbids.
POLICY_REASONS = frozenset({"publishOutNotPermitted", "shareOutNotPermitted",
                            "shareOutNotPermittedToUser", "domainPolicy",
                            "cannotShareTeamDriveWithNonGoogleAccounts"})
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
    client_id: str = ""  # a service-account key's client id (domain-wide delegation)
    scopes: tuple[str, ...] = ()  # what the credentials ask for


def _rate_limited(info: ErrorInfo) -> bool:
    """Too many requests (worth retrying), not a full Drive (storageQuotaExceeded)."""
    if _storage_full(info):
        return False
    reason = info.reason.lower().replace("_", "")
    return "ratelimit" in reason or "quota" in reason


def _storage_full(info: ErrorInfo) -> bool:
    return info.reason == "storageQuotaExceeded" or "do not have storage quota" in info.message


def retryable(info: ErrorInfo) -> bool:
    """Worth another try: a transient status, or a rate limit (Drive says 403 for those)."""
    return info.status in RETRYABLE or (info.status == 403 and _rate_limited(info))


def translate(info: ErrorInfo, ctx: Context, *, api: str, what: str = "", tries: int = 1,
              share: str = "") -> Exception:
    """The exception (with its message) for a Google refusal that will not be retried.

    ``share``: the address a permission was being made for ("" for "anyone").
    """
    lang = ctx.language
    if info.reason in POLICY_REASONS:
        if share and info.reason != "publishOutNotPermitted":
            return InputError(OUTSIDE_FORBIDDEN(lang, what=what, address=share))
        return InputError(ANYONE_FORBIDDEN(lang, what=what))
    if info.reason == "invalidSharingRequest" and share and "Google account" in info.message:
        return InputError(NO_GOOGLE_ACCOUNT(lang, what=what, address=share))
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
    if _storage_full(info):
        robot = ctx.account.endswith(".iam.gserviceaccount.com")
        account = ctx.account or SIGN_IN(lang)
        return InputError((STORAGE_ROBOT if robot else STORAGE_FULL)(lang, account=account))
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


def timed_out(exc: BaseException) -> bool:
    """Whether a failure (or what it wraps) is a timeout: Google accepted but did not answer."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, requests.Timeout | TimeoutError | socket.timeout):
            return True
        if "timed out" in str(seen).lower():
            return True
        inner = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = inner or seen.__cause__ or seen.__context__
    return False


class NoAnswer(BackendError):
    """Google accepted the connection but did not answer within the call's budget."""


def no_answer(what: str, ctx: Context, attempts: Attempts) -> NoAnswer:
    return NoAnswer(NO_ANSWER(ctx.language, what=what, tries=attempts.made,
                              seconds=round(attempts.spent())))


def refresh_failure(exc: RefreshError | TransportError, ctx: Context, *, tries: int = 1
                    ) -> Exception:
    """A failed token refresh: Google's token service down (exit 3) or refused (exit 1)."""
    lang = ctx.language
    if isinstance(exc, TransportError) or getattr(exc, "retryable", False):
        return BackendError(UNAVAILABLE(lang, api=SIGN_IN(lang), tries=tries,
                                        detail=type(exc).__name__))
    # Only the error code: the rest of the text may quote what was sent.
    code = str(exc.args[0] if exc.args else exc).split(":")[0].strip()[:80]
    if code == "unauthorized_client" and ctx.client_id:
        return InputError(DELEGATION_REFUSED(
            lang, file=ctx.credentials_file, subject=ctx.account, client_id=ctx.client_id,
            scopes=", ".join(ctx.scopes)))
    if ctx.account.endswith(".iam.gserviceaccount.com") or ctx.client_id:
        return InputError(KEY_REFUSED(lang, file=ctx.credentials_file, detail=code))
    return InputError(TOKEN_REVOKED(lang, file=ctx.credentials_file))


@dataclass(frozen=True)
class Transport:
    """How every request is made: where to, how long to wait, how often to try.

    ``timeout`` bounds each attempt; ``budget`` bounds a whole call: a retry is made only
    if it can still finish (backoff plus a full attempt) within the budget.
    """

    endpoint: str = ""  # blank: Google itself
    timeout: float = DEFAULT_TIMEOUT
    tries: int = DEFAULT_TRIES
    budget: float = DEFAULT_BUDGET
    sleep: Sleep = time.sleep
    rand: Callable[[], float] = random.random
    clock: Callable[[], float] = time.monotonic
    # Many cells under one account: their Sheets requests share one budget (a request
    # beyond it is deferred, and a 429 pauses every cell), instead of each retrying.
    throttle: Throttle | None = None

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after failed try ``attempt`` (1-based): doubling, capped, jittered."""
        delay = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))
        return delay * (0.5 + self.rand() / 2)

    def attempts(self, tries: int | None = None) -> Attempts:
        return Attempts(self, self.tries if tries is None else tries)

    def rewrite(self, url: str) -> str:
        """Send a hard-coded Google URL to the configured endpoint, if any."""
        if not self.endpoint:
            return url
        for host in GOOGLE_HOSTS:
            if url.startswith(host):
                return self.endpoint.rstrip("/") + url[len(host):]
        return url


@dataclass
class Attempts:
    """One call's tries: how many so far, and whether another fits in the budget."""

    transport: Transport
    tries: int
    made: int = 0
    started: float = field(default=0.0)
    slept: float = 0.0

    def __post_init__(self) -> None:
        self.started = self.transport.clock()

    def next(self) -> int:
        self.made += 1
        return self.made

    def spent(self) -> float:
        """Seconds this call has taken so far (the backoff waits included)."""
        return self.transport.clock() - self.started + self.slept

    def again(self) -> bool:
        """After a failed try: wait the backoff and say yes, or say no (bound reached)."""
        if self.made >= self.tries:
            return False
        wait = self.transport.backoff(self.made)
        if self.spent() + wait + self.transport.timeout > self.transport.budget:
            return False
        self.transport.sleep(wait)
        self.slept += wait
        return True


def ensure_token(credentials: Credentials, transport: Transport) -> None:
    """Refresh an expired or missing access token ourselves, with the attempt's timeout, so a
    token service that does not answer is named as such (not as the API being called)."""
    if credentials.valid:
        return
    request = functools.partial(Request(), timeout=transport.timeout)
    credentials.refresh(request)


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
        return run_attempts(self.transport, self.context, api, self.what,
                            lambda: self._once(method, url, **kwargs))

    def _once(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        ensure_token(self.auth, self.transport)
        throttle, kind = self.transport.throttle, kind_of(method, url)
        if throttle is not None and kind:
            throttle.take(kind)  # Deferred when the shared budget is spent
        try:
            answer = super().request(method, url, **kwargs)
        except APIError as exc:
            info = error_info(exc.response.status_code, exc.response.content)
            if throttle is not None and kind and info.status == 429:
                throttle.refused(kind)  # every cell slows down, none retries on its own
                raise Deferred(f"{kind}: Google asks to slow down; tried again after a "
                               "pause") from None
            raise HttpFailure(info) from None
        if throttle is not None and kind:
            throttle.answered(kind)
        return answer


class HttpFailure(Exception):
    """An HTTP error answer from Google, whichever client library read it."""

    def __init__(self, info: ErrorInfo) -> None:
        super().__init__(info.message)
        self.info = info


def run_attempts(transport: Transport, ctx: Context, api: str, what: str,
                 once: Callable[[], Any], *, tries: int | None = None, share: str = "") -> Any:
    """Call ``once`` until it succeeds, a refusal is permanent, or the tries or the time
    budget run out; then raise the admin's message (InputError or BackendError)."""
    attempts = transport.attempts(tries)
    while True:
        attempt = attempts.next()
        try:
            return once()
        except HttpFailure as exc:
            if not retryable(exc.info) or not attempts.again():
                raise translate(exc.info, ctx, api=api, what=what, tries=attempt,
                                share=share) from None
        except (RefreshError, TransportError) as exc:
            failure = refresh_failure(exc, ctx, tries=attempt)
            if isinstance(failure, InputError) or not attempts.again():
                if timed_out(exc):
                    raise no_answer(SIGN_IN(ctx.language), ctx, attempts) from None
                raise failure from None
        except (requests.RequestException, OSError, httplib2.HttpLib2Error) as exc:
            if not attempts.again():
                if timed_out(exc):
                    raise no_answer(API_NAMES[api], ctx, attempts) from None
                raise BackendError(UNAVAILABLE(ctx.language, api=API_NAMES[api], tries=attempt,
                                               detail=type(exc).__name__)) from None


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

    def execute(self, request: Any, *, api: str, what: str = "", retry: bool = True,
                share: str = "") -> Any:
        """Run one request with the bounded retries; raise an admin's message when it fails.

        ``retry=False`` for a call that must not run twice (creating a form: a retry after
        a lost answer would make a second one); the next tick tries again instead.
        googleapiclient's own retries are off: ours keep to the call's time budget.
        ``share``: the address a permission is made for, named if Google refuses it.
        """
        def once() -> Any:
            ensure_token(self.credentials, self.transport)
            try:
                return request.execute(num_retries=0)
            except HttpError as exc:
                raise HttpFailure(error_info(exc.resp.status, exc.content)) from None

        return run_attempts(self.transport, self.context, api, what, once,
                            tries=None if retry else 1, share=share)


def body_size(payload: Mapping[str, Any] | list[Any]) -> int:
    """Bytes a JSON payload takes on the wire (UTF-8)."""
    return len(json.dumps(payload, ensure_ascii=False).encode("utf-8"))
