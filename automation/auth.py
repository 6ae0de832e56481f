"""Google sign-in: ``automation auth`` once, then credentials loaded without a browser.

Two kinds of credentials file at ``[google] credentials``:

* an **authorized-user token** written by :func:`sign_in` (the installed-app
  OAuth flow, run once by the admin). This is what a personal Google account
  needs: a service account has no Drive storage of its own, so it cannot own
  the new forms. An OAuth app left in "Testing" has its tokens expire after
  7 days; publish it ("In production") to keep the token.
* a **service-account key** (Google Workspace), optionally acting as
  ``[google] subject`` through domain-wide delegation.

Scopes, the narrowest that cover every call the backend makes (each method's
``scopes`` in Google's discovery documents was checked):

* ``spreadsheets``: read and write the secretary's existing Sheet (not
  created by this app, so ``drive.file`` alone would not reach it);
* ``drive.file``: every Forms call (create, get, batchUpdate,
  setPublishSettings, responses.list all accept it) and every Drive call
  (mark a form with appProperties and find it again, share it, create a new
  spreadsheet, who signed in) on the files this app created. The full
  ``drive`` scope is not needed (it is a restricted scope that needs Google's
  verification), nor ``forms.body`` / ``forms.responses.readonly``;
* ``openid`` and ``userinfo.email`` (sign-in only): to record which account
  signed in, so that "not shared" messages can name it.

Google's consent screen lets the user untick a scope; the sign-in then keeps
what was granted, names what is missing and writes no token.
"""

from __future__ import annotations

import json
import os
import time
import webbrowser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from google.auth import jwt
from google.auth.credentials import Credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from google_auth_oauthlib.flow import InstalledAppFlow

from automation.config import Settings
from automation.i18n import Text
from automation.ports import InputError

SCOPES = (
    "https://www.googleapis.com/auth/spreadsheets",
    "https://www.googleapis.com/auth/drive.file",
)
SIGN_IN_SCOPES = ("openid", "https://www.googleapis.com/auth/userinfo.email", *SCOPES)
#: What each needed permission is called on Google's consent screen.
SCOPE_NAMES = {
    SCOPES[0]: Text(
        "Xem, chỉnh sửa, tạo và xóa bảng tính Google Trang tính của bạn",
        "See, edit, create and delete all your Google Sheets spreadsheets",
    ),
    SCOPES[1]: Text(
        "Xem, chỉnh sửa, tạo và xóa chỉ những tệp Google Drive cụ thể mà bạn dùng với ứng dụng này",
        "See, edit, create and delete only the specific Google Drive files you use with this app",
    ),
}
SIGN_IN_WAIT = 300.0  # seconds the admin has to finish the consent screen
TOKEN_TIMEOUT = 15.0  # seconds for Google's token endpoint to answer

CREDENTIALS_MISSING = Text(
    "Không có tệp thông tin đăng nhập Google {file}. Chạy `automation auth` (tài khoản Google cá "
    "nhân) hoặc lưu khóa tài khoản dịch vụ vào đó, hoặc sửa [google] credentials trong cấu hình.",
    "The Google credentials file {file} does not exist. Run `automation auth` (personal Google "
    "account), or save a service-account key there, or fix [google] credentials in the config.",
)
CREDENTIALS_INVALID = Text(
    "Tệp thông tin đăng nhập Google {file} không dùng được: {problem}. Chạy lại `automation auth` "
    "hoặc tải lại khóa tài khoản dịch vụ.",
    "The Google credentials file {file} cannot be used: {problem}. Run `automation auth` again "
    "or download the service-account key again.",
)
CLIENT_SECRETS_GIVEN = Text(
    "{file} là tệp client secret của ứng dụng OAuth, chưa phải token. Đặt nó ở {secrets} "
    "([google] client_secrets) rồi chạy `automation auth`.",
    "{file} is an OAuth client-secrets file, not a token. Put it at {secrets} "
    "([google] client_secrets) and run `automation auth`.",
)
SECRETS_MISSING = Text(
    "Không có tệp client secret {file}. Trong Google Cloud Console → APIs & Services → "
    "Credentials, tạo \"OAuth client ID\" loại \"Desktop app\", tải JSON về và lưu thành {file}.",
    "The client-secrets file {file} does not exist. In the Google Cloud Console → APIs & "
    "Services → Credentials, create an \"OAuth client ID\" of type \"Desktop app\", download "
    "its JSON and save it as {file}.",
)
SECRETS_INVALID = Text(
    "Tệp client secret {file} không dùng được: {problem}. Tải lại JSON của \"OAuth client ID\" "
    "loại \"Desktop app\".",
    "The client-secrets file {file} cannot be used: {problem}. Download the JSON of a "
    "\"Desktop app\" OAuth client ID again.",
)
SCOPES_NOT_GRANTED = Text(
    "Đăng nhập chưa đủ quyền: trên màn hình đồng ý của Google, các ô sau đã bị bỏ chọn: {missing}. "
    "Không lưu token nào. Chạy lại `automation auth` và đánh dấu mọi ô.",
    "The sign-in did not grant everything needed: on Google's consent screen these boxes were "
    "left unticked: {missing}. No token was saved. Run `automation auth` again and tick every "
    "box.",
)
SIGN_IN_OPEN = Text(
    "Mở đường link này trong trình duyệt để đăng nhập Google (nếu trình duyệt chưa tự mở):\n{url}",
    "Open this link in a browser to sign in to Google (if none opened by itself):\n{url}",
)
SIGN_IN_DONE = Text(
    "Đã đăng nhập xong. Có thể đóng trang này và quay lại cửa sổ lệnh.",
    "Signed in. You may close this page and go back to the command window.",
)
SIGN_IN_TIMEOUT = Text(
    "Không nhận được trả lời của Google sau {seconds} giây: chưa đăng nhập xong. Chạy lại "
    "`automation auth`.",
    "No answer from Google's sign-in after {seconds} s: the sign-in was not finished. Run "
    "`automation auth` again.",
)
SIGN_IN_REFUSED = Text(
    "Google không đăng nhập ({error}): không lưu token nào. Chạy lại `automation auth`.",
    "Google did not sign you in ({error}): no token was saved. Run `automation auth` again.",
)
NOT_JSON = Text("không phải JSON hợp lệ", "it is not valid JSON")
UNKNOWN_KIND = Text(
    "không phải token người dùng hay khóa tài khoản dịch vụ",
    "it is neither a user token nor a service-account key",
)


def sign_in(settings: Settings, *, open_browser: bool = True, port: int = 0,
            browser: Callable[[str], object] | None = None,
            wait_seconds: float = SIGN_IN_WAIT) -> Path:
    """Run the installed-app OAuth flow once; store the refreshable token (mode 0600).

    Shows Google's consent page (``browser``, else the system browser when
    ``open_browser``; the link is printed too) and waits on a local port for the
    answer, at most ``wait_seconds``. The scopes granted are compared with
    :data:`SCOPES`: if the admin unticked one, nothing is written and the message
    names what is missing. Returns the path of the token written.
    """
    language = settings.language
    secrets = settings.google.client_secrets
    if not secrets.is_file():
        raise InputError(SECRETS_MISSING(language, file=secrets))
    try:
        flow = InstalledAppFlow.from_client_secrets_file(str(secrets), scopes=list(SIGN_IN_SCOPES))
    except (ValueError, KeyError) as exc:
        problem = NOT_JSON(language) if isinstance(exc, json.JSONDecodeError) else str(exc)[:120]
        raise InputError(SECRETS_INVALID(language, file=secrets, problem=problem)) from None
    with _Redirects(port, SIGN_IN_DONE(language)) as redirects:
        flow.redirect_uri = f"http://localhost:{redirects.port}/"
        url, _ = flow.authorization_url(prompt="consent")
        print(SIGN_IN_OPEN(language, url=url), flush=True)
        show = browser or (webbrowser.open if open_browser else None)
        if show is not None:
            show(url)
        answer = redirects.wait(wait_seconds)
    if answer is None:
        raise InputError(SIGN_IN_TIMEOUT(language, seconds=round(wait_seconds)))
    query = parse_qs(urlsplit(answer).query)
    if "code" not in query:
        error = (query.get("error") or ["?"])[0][:80]
        raise InputError(SIGN_IN_REFUSED(language, error=error))
    token = _fetch(flow, answer, language)
    granted = token.get("scope") or []
    granted = set(granted.split() if isinstance(granted, str) else granted)
    missing = [scope for scope in SCOPES if scope not in granted]
    if missing:
        names = "; ".join(f"\"{SCOPE_NAMES[s](language)}\"" for s in missing)
        raise InputError(SCOPES_NOT_GRANTED(language, missing=names))
    creds = flow.credentials
    info = json.loads(creds.to_json())
    info["type"] = "authorized_user"  # to_json() leaves it out; load_credentials needs it
    info["account"] = _email_of(getattr(creds, "id_token", None)) or info.get("account", "")
    target = settings.google.credentials
    write_private(target, json.dumps(info, indent=2))
    return target


def _fetch(flow: Any, answer: str, language: str) -> dict[str, Any]:
    """Exchange the code for tokens, accepting fewer scopes than asked (compared after).

    oauthlib refuses a changed scope ("Scope has changed") unless
    ``OAUTHLIB_RELAX_TOKEN_SCOPE`` is set; it is set for this exchange only.
    """
    # The redirect reached us over http on localhost; oauthlib insists on https there.
    response = answer.replace("http://", "https://", 1)
    try:
        with _relaxed_scope():
            return dict(flow.fetch_token(authorization_response=response, timeout=TOKEN_TIMEOUT))
    except Exception as exc:  # oauthlib, requests or Google's refusal: none holds a secret
        error = getattr(exc, "error", "") or type(exc).__name__
        raise InputError(SIGN_IN_REFUSED(language, error=str(error)[:80])) from None


@contextmanager
def _relaxed_scope() -> Iterator[None]:
    saved = os.environ.get("OAUTHLIB_RELAX_TOKEN_SCOPE")
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("OAUTHLIB_RELAX_TOKEN_SCOPE", None)
        else:
            os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = saved


class _Redirects:
    """The local page Google's consent screen sends the browser back to (one answer)."""

    def __init__(self, port: int, done: str) -> None:
        answers: list[str] = []
        body = f"<!doctype html><meta charset=utf-8><p>{done}</p>".encode()
        redirects = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                query = parse_qs(urlsplit(self.path).query)
                if "code" in query or "error" in query:
                    answers.append(f"http://localhost:{redirects.port}{self.path}")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self.answers = answers
        self.server = HTTPServer(("127.0.0.1", port), Handler)
        self.port = int(self.server.server_port)

    def __enter__(self) -> _Redirects:
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.server_close()

    def wait(self, seconds: float) -> str | None:
        """The first redirect that carries Google's answer, or None after ``seconds``."""
        deadline = time.monotonic() + seconds
        while not self.answers:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.server.timeout = min(left, 1.0)
            self.server.handle_request()
        return self.answers[0]


def _email_of(id_token: Any) -> str:
    """The email claim of the sign-in's ID token (only shown in messages, not trusted)."""
    if not isinstance(id_token, str):
        return ""
    try:
        return str(jwt.decode(id_token, verify=False).get("email", ""))
    except ValueError:
        return ""


def write_private(path: Path, text: str) -> None:
    """Write a secret readable by its owner only (0600), replacing any older file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(temporary, 0o600)
    os.replace(temporary, path)


def load_credentials(settings: Settings) -> Credentials:
    """The credentials in ``[google] credentials``; never opens a browser.

    An authorized-user token keeps the scopes it was granted; a service-account
    key gets :data:`SCOPES` and acts as ``[google] subject`` when one is set.
    """
    language = settings.language
    file = settings.google.credentials
    if not file.is_file():
        raise InputError(CREDENTIALS_MISSING(language, file=file))
    try:
        info = json.loads(file.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise InputError(CREDENTIALS_INVALID(language, file=file, problem=NOT_JSON(language))
                         ) from None
    if not isinstance(info, dict):
        raise InputError(CREDENTIALS_INVALID(language, file=file, problem=UNKNOWN_KIND(language)))
    if "installed" in info or "web" in info:
        raise InputError(CLIENT_SECRETS_GIVEN(language, file=file,
                                              secrets=settings.google.client_secrets))
    kind = info.get("type")
    # The token endpoint follows the API endpoint override too (a fake Google in tests);
    # otherwise google-auth's own choice stands (Google's, for user tokens).
    token_uri = settings.endpoint.rstrip("/") + "/token" if settings.endpoint else ""
    try:
        if kind == "authorized_user":
            user = user_credentials.Credentials.from_authorized_user_info(info)
            return user.with_token_uri(token_uri) if token_uri else user
        if kind == "service_account":
            robot = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
            robot = robot.with_token_uri(token_uri) if token_uri else robot
            subject = settings.google.subject.strip()
            return robot.with_subject(subject) if subject else robot
    except (ValueError, KeyError) as exc:
        # google-auth names the missing field; it never echoes the secret values.
        problem = str(exc).split("\n")[0][:120]
        raise InputError(CREDENTIALS_INVALID(language, file=file, problem=problem)) from None
    raise InputError(CREDENTIALS_INVALID(language, file=file, problem=UNKNOWN_KIND(language)))


def client_id_of(settings: Settings) -> str:
    """A service-account key's client id (what domain-wide delegation is granted to)."""
    try:
        info = json.loads(settings.google.credentials.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        return ""
    if isinstance(info, dict) and info.get("type") == "service_account":
        return str(info.get("client_id", ""))
    return ""


def account_of(creds: Credentials) -> str:
    """The email Google sees for these credentials, or ``""`` when unknown."""
    for attribute in ("service_account_email", "account"):
        value = getattr(creds, attribute, "")
        if isinstance(value, str) and value:
            return value
    return ""
