"""The HTTP server: routing, identity, faults, the request log and the test controls."""

from __future__ import annotations

import base64
import copy
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlsplit

from . import discovery, drive, fields, forms, oauth, sheets
from .errors import ApiError, bad_request, not_found
from .state import Call, Json, State, check_enabled

HANDLERS: dict[str, Callable[[Call], Any]] = {**sheets.HANDLERS, **drive.HANDLERS, **forms.HANDLERS}
#: Handlers that apply the `fields` parameter themselves (with their own defaults).
FIELDS_APPLIED = {
    "sheets.spreadsheets.get",
    "drive.files.create",
    "drive.files.get",
    "drive.files.list",
    "drive.files.update",
    "drive.permissions.create",
    "drive.permissions.list",
    "drive.permissions.get",
    "drive.about.get",
}
CONTROL_ROUTES = (
    "/_fake/requests",
    "/_fake/faults",
    "/_fake/reset",
    "/_fake/authorized_user",
    "/_fake/token",
)
_MEMBER_ROUTE = re.compile(r"^/_fake/forms/(?P<formId>[^/]+)/responses$")
_EDIT_ROUTE = re.compile(r"^/_fake/forms/(?P<formId>[^/]+)/responses/(?P<responseId>[^/]+)$")
_VIEW_ROUTE = re.compile(r"^/_fake/forms/(?P<formId>[^/]+)/view$")
#: The drive.file scope: reaches only the files the token's app created or was given.
DRIVE_FILE = oauth.SCOPE_PREFIX + "drive.file"


@dataclass
class Fault:
    """A transient failure or delay injected by a test."""

    pattern: re.Pattern[str]
    status: int
    times: int
    delay_s: float


@dataclass
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json; charset=UTF-8"
    location: str = ""  # a redirect's target


def _json(status: int, value: Any) -> Reply:
    return Reply(status, json.dumps(value, ensure_ascii=False, indent=2).encode("utf-8"))


def _basic_client(headers: dict[str, str]) -> dict[str, str]:
    """The client id and secret of an ``Authorization: Basic`` header (RFC 6749 §2.3.1)."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return {}
    try:
        pair = base64.b64decode(value).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return {}
    client_id, _, secret = pair.partition(":")
    return {"client_id": unquote_plus(client_id), "client_secret": unquote_plus(secret)}


def _scope_insufficient(spec: discovery.Method) -> ApiError:
    """Google's answer to a token without any of the method's scopes (Drive adds ``errors``)."""
    host = {"sheets": "sheets", "drive": "drive", "forms": "forms"}[spec.api]
    errors = None
    if spec.api == "drive":
        errors = [{"message": "Insufficient Permission", "domain": "global",
                   "reason": "insufficientPermissions"}]
    return ApiError(
        403,
        "Request had insufficient authentication scopes.",
        "PERMISSION_DENIED",
        [{
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
            "domain": "googleapis.com",
            "metadata": {"method": spec.id, "service": f"{host}.googleapis.com"},
        }],
        errors,
    )


class App:
    """Everything behind the socket; one lock keeps each request's changes whole."""

    def __init__(self, state_file: Path | None = None) -> None:
        self.state_file = state_file
        self.state = State.load(state_file) if state_file else State()
        self.lock = threading.RLock()
        self.log: list[Json] = []
        self.faults: list[Fault] = []
        self.base_url = ""
        self._save()

    # --- control ------------------------------------------------------------------------------

    def reset(self) -> None:
        with self.lock:
            self.state = State()
            self.log.clear()
            self.faults.clear()
            self._save()

    def add_fault(self, match: str, status: int = 429, times: int = 1, delay_s: float = 0) -> None:
        try:
            pattern = re.compile(match)
        except re.error as err:
            raise bad_request(f"Invalid fault pattern: {err}") from None
        with self.lock:
            self.faults.append(Fault(pattern, int(status), int(times), float(delay_s)))

    def _save(self) -> None:
        if self.state_file is not None:
            self.state.save(self.state_file)

    # --- dispatch -----------------------------------------------------------------------------

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> Reply:
        parts = urlsplit(target)
        path = parts.path
        if path in CONTROL_ROUTES:
            return self._control(method, path, raw)
        reply = self._faulted(method, target)
        if reply is None:
            try:
                reply = self._route(method, path, parts.query, headers, raw)
            except ApiError as err:
                reply = _json(err.code, err.body())
            except oauth.OAuthError as err:
                reply = _json(err.code, err.body)
        with self.lock:
            self.log.append({"method": method, "path": target, "status": reply.status})
        return reply

    def _control(self, method: str, path: str, raw: bytes) -> Reply:
        if path == "/_fake/requests" and method == "GET":
            with self.lock:
                return _json(200, {"requests": copy.deepcopy(self.log)})
        if path == "/_fake/reset" and method == "POST":
            self.reset()
            return _json(200, {})
        if path in ("/_fake/authorized_user", "/_fake/token") and method == "POST":
            try:
                email = json.loads(raw or b"{}").get("email")
            except (ValueError, AttributeError):
                email = None
            if not isinstance(email, str) or "@" not in email:
                return _json(400, bad_request('Give {"email": "..."}').body())
            with self.lock:
                if path == "/_fake/token":
                    answer: Json = {"access_token": self.state.issue_token(email)}
                else:
                    answer = oauth.authorized_user_info(self.state, email, self.base_url)
                self._save()
            return _json(200, answer)
        if path == "/_fake/faults" and method == "POST":
            try:
                body = json.loads(raw or b"{}")
                if not isinstance(body, dict) or "match" not in body:
                    raise bad_request('A fault needs at least "match"')
                self.add_fault(
                    body["match"],
                    body.get("status", 429),
                    body.get("times", 1),
                    body.get("delay_s", 0),
                )
            except ApiError as err:
                return _json(err.code, err.body())
            except (ValueError, TypeError) as err:
                return _json(400, bad_request(f"Invalid fault: {err}").body())
            return _json(200, {})
        return _json(405, ApiError(405, "Method not allowed", "INVALID_ARGUMENT").body())

    def _faulted(self, method: str, target: str) -> Reply | None:
        line = f"{method} {target}"
        with self.lock:
            fault = next((f for f in self.faults if f.times > 0 and f.pattern.search(line)), None)
            if fault is not None:
                fault.times -= 1
        if fault is None:
            return None
        if fault.delay_s:
            time.sleep(fault.delay_s)
        if fault.status in (0, 200):
            return None  # latency only
        return _json(fault.status, ApiError(fault.status).body())

    def _route(
        self, method: str, path: str, query_text: str, headers: dict[str, str], raw: bytes
    ) -> Reply:
        if path == "/token" and method == "POST":
            form = {
                k: v[-1] for k, v in parse_qs(raw.decode("utf-8"), keep_blank_values=True).items()
            }
            form.update(_basic_client(headers))  # client_secret_basic, as Google accepts it
            with self.lock:
                answer = oauth.token(self.state, form, self.base_url + "/token")
                self._save()
            return _json(200, answer)
        if path == oauth.AUTH_PATH and method == "GET":
            query = {k: v[-1] for k, v in parse_qs(query_text, keep_blank_values=True).items()}
            with self.lock:
                target = oauth.consent(self.state, query)
                self._save()
            return Reply(302, b"", "text/html; charset=UTF-8", location=target)
        member = self._member(method, path, raw)
        if member is not None:
            return member
        found = discovery.match(method, path)
        if found is None:
            raise not_found(f"The requested URL {path} was not found on this server.")
        spec, path_params = found
        with self.lock:
            check_enabled(self.state, spec.api)
        email, grant = self._identity(headers)
        scopes = set(grant.get("scopes", oauth.FULL_SCOPES))
        usable = scopes & set(spec.scopes)
        if not usable:
            raise _scope_insufficient(spec)
        query = discovery.validate_query(spec, parse_qs(query_text, keep_blank_values=True))
        if query.get("fields"):
            discovery.validate_fields(spec, fields.parse(query["fields"]))
        body = self._parse_json(raw) if spec.request_ref else None
        discovery.validate_body(spec, body)
        handler = HANDLERS.get(spec.id)
        if handler is None:
            raise ApiError(501, f"The fake Google does not implement {spec.id}.", "UNIMPLEMENTED")
        with self.lock:
            call = Call(self.state, email, path_params, query, body, self.base_url,
                        app=str(grant.get("app", "")), app_only=usable == {DRIVE_FILE},
                        robot=bool(grant.get("robot")))
            result = handler(call)
            if method != "GET":
                self._save()
        if result is None:
            return Reply(204, b"")
        if isinstance(result, str):
            return Reply(200, result.encode("utf-8"), "text/csv")
        if query.get("fields") and spec.id not in FIELDS_APPLIED:
            result = fields.apply(result, fields.parse(query["fields"]))
        return _json(200, result)

    def _member(self, method: str, path: str, raw: bytes) -> Reply | None:
        """The member's side of a form: its published page, submitting, editing a response."""
        view = _VIEW_ROUTE.match(path)
        if view and method == "GET":
            with self.lock:
                return _json(200, forms.member_view(self.state, view.group("formId")))
        submit = _MEMBER_ROUTE.match(path)
        edit = _EDIT_ROUTE.match(path)
        if not (submit or edit) or method != "POST":
            return None
        body = self._parse_json(raw)
        with self.lock:
            if edit:
                answer = forms.member_edit(
                    self.state, edit.group("formId"), edit.group("responseId"), body
                )
            else:
                assert submit is not None
                answer = forms.member_submit(self.state, submit.group("formId"), body)
            self._save()
        return _json(200, answer)

    def _identity(self, headers: dict[str, str]) -> tuple[str, Json]:
        """The caller's email and what its token was granted (scopes, app)."""
        auth = headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        with self.lock:
            email = self.state.access_tokens.get(token) if scheme.lower() == "bearer" else None
            grant = dict(self.state.grants.get(token, {}))
        if email is None:
            raise ApiError(401)
        return email, grant

    @staticmethod
    def _parse_json(raw: bytes) -> Any:
        if not raw.strip():
            return None
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as err:
            raise bad_request(f"Invalid JSON payload received. {err}") from None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in separate writes
    server: _Server

    def _serve(self) -> None:
        raw = self._body()
        headers = {k.lower(): v for k, v in self.headers.items()}
        reply = self.server.app.handle(self.command, self.path, headers, raw)
        self.send_response(reply.status)
        if reply.status != 204:
            self.send_header("Content-Type", reply.content_type)
        if reply.location:
            self.send_header("Location", reply.location)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if reply.body and self.command != "HEAD":
            self.wfile.write(reply.body)

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # the app keeps its own log
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Stopping never waits for a client that keeps its connection open (a test's session):
    # that connection's thread serves the stopped fake's own App, not the next test's.
    block_on_close = False

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up mid-answer (a killed process under test) is not an error
        of the fake; anything else is reported as usual."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def serve(app: App, host: str = "127.0.0.1", port: int = 0) -> tuple[_Server, threading.Thread]:
    """Start the server in a background thread; port 0 picks a free port."""
    server = _Server((host, port), app)
    app.base_url = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fakegoogle",
        daemon=True,
    )
    thread.start()
    return server, thread
