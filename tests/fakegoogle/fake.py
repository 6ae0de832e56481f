"""FakeGoogle: a running fake server plus the helpers tests use to arrange and inspect it."""

from __future__ import annotations

import copy
import json
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

from . import grid, oauth
from .errors import ApiError
from .server import App, serve
from .state import Json, State, new_id, rfc3339

API_NAMES = ("sheets", "drive", "forms")


class FakeGoogle:
    """Start with FakeGoogle.start(); every helper reads or changes the live server's state."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self._server, self._thread = serve(app, host, port)
        self.url: str = app.base_url

    @classmethod
    def start(
        cls, state_file: Path | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> FakeGoogle:
        return cls(App(state_file), host, port)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def state(self) -> State:
        return self.app.state

    # --- identities ---------------------------------------------------------------------------

    def token_for(self, email: str, scopes: list[str] | tuple[str, ...] | None = None,
                  app: str = oauth.CLIENT_ID) -> str:
        """An access token for email, without going through /token (``scopes`` None: it may
        do everything)."""
        grant = None if scopes is None else {"scopes": list(scopes), "app": app}
        with self.app.lock:
            return self.state.issue_token(email, grant)

    def authorized_user_file(
        self,
        path: Path,
        email: str = "secretary@example.com",
        scopes: tuple[str, ...] | list[str] | None = None,
    ) -> Path:
        """Write an OAuth authorized-user JSON (as `automation auth` saves it) whose refresh
        token signs in as email at this fake, granted ``scopes`` (None: every API wholly)."""
        with self.app.lock:
            info = oauth.authorized_user_info(self.state, email, self.url, scopes)
        path = Path(path)
        path.write_text(json.dumps(info, indent=2), encoding="utf-8")
        return path

    def service_account_file(
        self, path: Path, email: str = "quiz-bot@fake-project.iam.gserviceaccount.com"
    ) -> Path:
        """Write a service-account key file with a real RSA key that this fake trusts."""
        key = oauth.session_key()
        with self.app.lock:
            oauth.register_service_account(self.state, email, key)
        info = {
            "type": "service_account",
            "project_id": "fake-project",
            "private_key_id": "fakekey0001",
            "private_key": oauth.private_pem(key),
            "client_email": email,
            "client_id": "100000000000000000001",
            "auth_uri": f"{self.url}/auth",
            "token_uri": f"{self.url}/token",
        }
        path = Path(path)
        path.write_text(json.dumps(info, indent=2), encoding="utf-8")
        return path

    def client_secrets_file(self, path: Path) -> Path:
        """Write an installed app's client-secrets JSON whose endpoints are this fake's."""
        path = Path(path)
        path.write_text(json.dumps(oauth.client_secrets(self.url), indent=2), encoding="utf-8")
        return path

    def authorize_delegation(self, service_account: str, scopes: list[str] | tuple[str, ...]
                             ) -> None:
        """A Workspace admin authorises the service account's client for domain-wide
        delegation with these scopes (Admin console → Security → API controls)."""
        with self.app.lock:
            self.state.delegations[service_account] = list(scopes)
            self.app._save()

    def without_google_account(self, email: str) -> None:
        """This address has no Google account: sharing with it needs an invitation email."""
        with self.app.lock:
            self.state.no_account.append(email.lower())

    def forbid_anyone_sharing(self, domain: str) -> None:
        """The Workspace policy of ``domain`` forbids sharing its users' files with anyone."""
        with self.app.lock:
            self.state.closed_domains.append(domain.lower())

    def open_with_app(self, file_id: str, app: str = oauth.CLIENT_ID) -> None:
        """The user opened the file with the app (Drive's picker): drive.file reaches it."""
        with self.app.lock:
            self.state.files[file_id].setdefault("_apps", []).append(app)

    # --- arranging state ----------------------------------------------------------------------

    def create_spreadsheet(
        self,
        owner: str,
        title: str,
        tabs: dict[str, list[list[Any]]] | None = None,
        locale: str = "en_US",
    ) -> str:
        """A spreadsheet owned by owner; tabs maps tab title → rows, typed in as USER_ENTERED
        (so "29/11/2026 19:30" is a date-time in a day-first locale such as vi_VN)."""
        with self.app.lock:
            record = self.state.add_file(owner, title, grid.SPREADSHEET_MIME)
            names = list(tabs or {"Sheet1": []})
            ss = grid.new_spreadsheet(
                self.state, record["id"], title, [{"title": n} for n in names]
            )
            ss["properties"]["locale"] = locale
            for name, rows in (tabs or {}).items():
                if rows:
                    grid.write_values(
                        self.state,
                        ss,
                        grid.a1.quote_title(name) + "!A1",
                        {"values": rows},
                        "USER_ENTERED",
                    )
            grid.recalculate(self.state, ss)
            self.app._save()
        return record["id"]

    def share(self, file_id: str, email: str, role: str = "writer") -> None:
        """Grant email a role on a file (email "anyone" shares with everybody)."""
        with self.app.lock:
            record = self.state.files[file_id]
            permission: Json = {
                "kind": "drive#permission",
                "id": new_id(20, "0"),
                "type": "user",
                "role": role,
            }
            if email == "anyone":
                permission.update({"type": "anyone", "id": "anyoneWithLink"})
            else:
                permission["emailAddress"] = email
            record.setdefault("permissions", []).append(permission)
            self.app._save()

    def submit(
        self,
        form_id: str,
        answers: dict[str, list[str]],
        email: str | None = None,
        submit_time: datetime | None = None,
    ) -> Json:
        """Submit as a member through the HTTP member route; raises ApiError on refusal.

        Returns the response as Google stores it (what responses.list gives the owner).
        """
        shown = self.member_submit(form_id, answers, email, submit_time)
        return self.stored_response(form_id, shown["responseId"])

    def member_submit(
        self,
        form_id: str,
        answers: dict[str, list[str]],
        email: str | None = None,
        submit_time: datetime | None = None,
        response_id: str = "",
    ) -> Json:
        """Submit (or, given ``response_id``, edit) as a member: ``{"responseId", "shown"}``,
        ``shown`` being what the form's page shows the member right after."""
        body: Json = {
            "answers": {
                qid: {"textAnswers": {"answers": [{"value": v} for v in values]}}
                for qid, values in answers.items()
            }
        }
        if email is not None:
            body["respondentEmail"] = email
        if submit_time is not None:
            body["submitTime"] = rfc3339(submit_time)
        path = f"/_fake/forms/{form_id}/responses" + (f"/{response_id}" if response_id else "")
        return self._member_call("POST", path, body)

    def edit_response(
        self, form_id: str, response_id: str, answers: dict[str, list[str]],
        submit_time: datetime | None = None,
    ) -> Json:
        """A member edits their response: new answers, a later ``lastSubmittedTime``."""
        self.member_submit(form_id, answers, submit_time=submit_time, response_id=response_id)
        return self.stored_response(form_id, response_id)

    def member_view(self, form_id: str) -> Json:
        """The form's published page as a member sees it (no key, no score)."""
        return self._member_call("GET", f"/_fake/forms/{form_id}/view", None)

    def stored_response(self, form_id: str, response_id: str) -> Json:
        with self.app.lock:
            return copy.deepcopy(next(r for r in self.state.responses[form_id]
                                      if r["responseId"] == response_id))

    def _member_call(self, method: str, path: str, body: Json | None) -> Json:
        request = urllib.request.Request(
            self.url + path,
            data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return dict(json.loads(answer.read()))
        except urllib.error.HTTPError as err:
            error = json.loads(err.read())["error"]
            raise ApiError(error["code"], error["message"], error["status"]) from None

    def fault(self, match: str, status: int = 429, times: int = 1, delay_s: float = 0) -> None:
        """Make the next `times` requests whose "METHOD path" matches fail with status
        (after delay_s); status 0 only delays."""
        self.app.add_fault(match, status, times, delay_s)

    def disable_api(self, api: str) -> None:
        if api not in API_NAMES:
            raise ValueError(f"api must be one of {API_NAMES}")
        with self.app.lock:
            if api not in self.state.disabled_apis:
                self.state.disabled_apis.append(api)

    def enable_api(self, api: str) -> None:
        with self.app.lock:
            if api in self.state.disabled_apis:
                self.state.disabled_apis.remove(api)

    def expire_tokens(self) -> None:
        """Every access token handed out so far stops working (401), as when an hour has
        passed; refresh tokens and service-account keys still sign in."""
        with self.app.lock:
            self.state.access_tokens.clear()

    def reset(self) -> None:
        self.app.reset()

    # --- inspecting state ---------------------------------------------------------------------

    def requests(self) -> list[Json]:
        with self.app.lock:
            return copy.deepcopy(self.app.log)

    def spreadsheet_values(
        self, spreadsheet_id: str, title: str, render: str = "FORMATTED_VALUE"
    ) -> list[list[Any]]:
        """The tab's values as values.get would return them (trailing blanks trimmed)."""
        with self.app.lock:
            ss = self.state.spreadsheets[spreadsheet_id]
            box, _ = grid.resolve(ss, grid.a1.quote_title(title))
            return grid.read_box(self.state, ss, box, render, "FORMATTED_STRING", "ROWS")

    def spreadsheet(self, spreadsheet_id: str) -> Json:
        with self.app.lock:
            return copy.deepcopy(self.state.spreadsheets[spreadsheet_id])

    def file(self, file_id: str) -> Json:
        with self.app.lock:
            return copy.deepcopy(self.state.files[file_id])

    def form(self, form_id: str) -> Json:
        with self.app.lock:
            return copy.deepcopy(self.state.forms[form_id])

    def responses(self, form_id: str) -> list[Json]:
        with self.app.lock:
            return copy.deepcopy(self.state.responses.get(form_id, []))
