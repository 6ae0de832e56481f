"""`automation auth` against the fake's consent page and token endpoint, over HTTP, with the
flow's own local redirect server: no browser, a person played by a thread."""

from __future__ import annotations

import json
import threading
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from automation import auth, googlebackend
from automation.config import ENV_ENDPOINT, GoogleSettings, Settings
from automation.ports import InputError

ADMIN = "admin@example.com"


class Person:
    """Opens the consent link, unticks what they like, and lets Google redirect the browser
    back to the local page (in a thread: the sign-in waits for that page meanwhile)."""

    def __init__(self, untick: tuple[str, ...] = ()) -> None:
        self.untick = untick
        self.thread: threading.Thread | None = None
        self.landed: list[int] = []

    def __call__(self, url: str) -> None:
        link = f"{url}&login_hint={quote(ADMIN)}&fake_untick={quote(' '.join(self.untick))}"

        def browse() -> None:
            self.landed.append(requests.get(link, timeout=10).status_code)

        self.thread = threading.Thread(target=browse, daemon=True)
        self.thread.start()


@pytest.fixture
def settings(fake_google: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv(ENV_ENDPOINT, fake_google.url)
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake speaks http, not https
    secrets = fake_google.client_secrets_file(tmp_path / "client_secret.json")
    spreadsheet_id = fake_google.create_spreadsheet(ADMIN, "Thi", {"Lịch thi": [["Kỳ thi"]]})
    return Settings(backend="google", language="en", google=GoogleSettings(
        spreadsheet_id=spreadsheet_id, credentials=tmp_path / "config" / "credentials.json",
        client_secrets=secrets))


def test_sign_in_stores_a_token_that_works_with_the_narrow_scopes(settings: Settings) -> None:
    person = Person()
    path = auth.sign_in(settings, browser=person, wait_seconds=20)
    assert person.landed == [200]  # the local page answered the browser
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["account"] == ADMIN and saved["refresh_token"]
    assert set(saved["scopes"]) == set(auth.SIGN_IN_SCOPES)
    sheet, _ = googlebackend.connect(settings, sleep=lambda _: None)
    assert sheet.tab_titles() == ["Lịch thi"]


@pytest.mark.parametrize("language", ["en", "vi"])
@pytest.mark.parametrize("unticked", [auth.SCOPES[1], auth.SCOPES[0]])
def test_a_box_left_unticked_is_named_and_nothing_is_written(
    settings: Settings, unticked: str, language: str
) -> None:
    settings = replace(settings, language=language)
    with pytest.raises(InputError) as caught:
        auth.sign_in(settings, browser=Person(untick=(unticked,)), wait_seconds=20)
    message = str(caught.value)
    saved = {"en": "No token was saved", "vi": "Không lưu token nào"}[language]
    assert auth.SCOPE_NAMES[unticked](language) in message and saved in message, message
    other = next(s for s in auth.SCOPES if s != unticked)
    assert auth.SCOPE_NAMES[other](language) not in message  # only what is missing
    assert not settings.google.credentials.exists()


def test_a_sign_in_never_finished_gives_up(settings: Settings) -> None:
    with pytest.raises(InputError, match="not finished"):
        auth.sign_in(settings, browser=lambda url: None, wait_seconds=0.5)
    assert not settings.google.credentials.exists()
