"""Google sign-in: ``automation auth`` once, then credentials loaded without a browser.

Two kinds of credentials file at ``[google] credentials``:

* an **authorized-user token** written by :func:`sign_in` (the installed-app
  OAuth flow, run once by the admin). This is what a personal Google account
  needs: a service account has no Drive storage of its own, so it cannot own
  the new forms. An OAuth app left in "Testing" has its tokens expire after
  7 days; publish it ("In production") to keep the token.
* a **service-account key** (Google Workspace), optionally acting as
  ``[google] subject`` through domain-wide delegation.

Scopes, the narrowest that cover every call the backend makes:

* ``spreadsheets``: read and write the secretary's existing Sheet (not
  created by this app, so ``drive.file`` alone would not reach it);
* ``forms.body`` and ``forms.responses.readonly``: build, open, close the
  forms and read their responses;
* ``drive.file``: Drive calls on files this app created (mark a form with
  appProperties and find it again, share it, create a new spreadsheet).
  The full ``drive`` scope is not needed, and it is a restricted scope that
  needs Google's verification;
* ``openid`` and ``userinfo.email`` (sign-in only): to record which account
  signed in, so that "not shared" messages can name it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

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
    "https://www.googleapis.com/auth/forms.body",
    "https://www.googleapis.com/auth/forms.responses.readonly",
    "https://www.googleapis.com/auth/drive.file",
)
SIGN_IN_SCOPES = ("openid", "https://www.googleapis.com/auth/userinfo.email", *SCOPES)

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
NOT_JSON = Text("không phải JSON hợp lệ", "it is not valid JSON")
UNKNOWN_KIND = Text(
    "không phải token người dùng hay khóa tài khoản dịch vụ",
    "it is neither a user token nor a service-account key",
)


def sign_in(settings: Settings, *, open_browser: bool = True, port: int = 0) -> Path:
    """Run the installed-app OAuth flow once; store the refreshable token (mode 0600).

    Opens the browser on Google's consent page and waits on a local port for
    the answer. Returns the path of the token written.
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
    creds = flow.run_local_server(port=port, open_browser=open_browser)
    info = json.loads(creds.to_json())
    info["account"] = _email_of(getattr(creds, "id_token", None)) or info.get("account", "")
    target = settings.google.credentials
    write_private(target, json.dumps(info, indent=2))
    return target


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


def account_of(creds: Credentials) -> str:
    """The email Google sees for these credentials, or ``""`` when unknown."""
    for attribute in ("service_account_email", "account"):
        value = getattr(creds, attribute, "")
        if isinstance(value, str) and value:
            return value
    return ""
