"""Retries, give-ups and the messages an admin meets, through the fake Google over HTTP."""

from __future__ import annotations

import json
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from automation import auth, googleapi, googlebackend
from automation.config import ENV_ENDPOINT, GoogleSettings, Settings
from automation.ports import BackendError, FormQuestion, FormSpec, InputError

ADMIN = "admin@example.com"
OTHER = "someone@example.com"
SCHEDULE = {"Lịch thi": [["Kỳ thi", "Mở lúc"], ["2026-11", "29/11/2026 19:30"]]}


class Sleeps:
    """The injected sleep: records each backoff instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def signed_in(fake: Any, path: Path, email: str, scopes: Any = auth.SIGN_IN_SCOPES) -> Path:
    """A token file as `automation auth` saves it: with the account that signed in."""
    fake.authorized_user_file(path, email=email, scopes=scopes)
    info = json.loads(path.read_text())
    info["account"] = email  # auth.sign_in records it from the sign-in's ID token
    path.write_text(json.dumps(info))
    return path


@pytest.fixture
def setup(fake_google: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
          ) -> tuple[Any, Settings]:
    monkeypatch.setenv(ENV_ENDPOINT, fake_google.url)
    credentials = signed_in(fake_google, tmp_path / "credentials.json", ADMIN)
    spreadsheet_id = fake_google.create_spreadsheet(ADMIN, "Thi", SCHEDULE)
    settings = Settings(backend="google", google=GoogleSettings(
        spreadsheet_id=spreadsheet_id, credentials=credentials))
    return fake_google, settings


def calls_to(fake: Any, fragment: str) -> int:
    return sum(1 for r in fake.requests() if fragment in r["path"])


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_burst_of_transient_errors_is_survived(setup: Any, status: int) -> None:
    fake, settings = setup
    sleeps = Sleeps()
    sheet, _ = googlebackend.connect(settings, sleep=sleeps)
    fake.fault(r"GET .*includeGridData", status=status, times=3)
    assert sheet.read(["Lịch thi"])["Lịch thi"][1][0] == "2026-11"
    assert calls_to(fake, "includeGridData") == 4
    assert len(sleeps.waits) == 3
    assert sleeps.waits[0] < sleeps.waits[2] <= 4  # doubling, jittered between half and full


def test_retries_give_up_after_the_bound_with_a_clear_error(setup: Any) -> None:
    fake, settings = setup
    sheet, _ = googlebackend.connect(settings, sleep=Sleeps(), tries=4)
    fake.fault(r"GET .*includeGridData", status=503, times=50)
    with pytest.raises(BackendError, match=r"Google Sheets API.*4 lần thử"):
        sheet.read(["Lịch thi"])
    assert calls_to(fake, "includeGridData") == 4


def test_quota_still_exhausted_says_to_wait(setup: Any) -> None:
    fake, settings = setup
    settings = Settings(backend="google", language="en", google=settings.google)
    sheet, _ = googlebackend.connect(settings, sleep=Sleeps(), tries=2)
    fake.fault(r"GET .*includeGridData", status=429, times=50)
    with pytest.raises(BackendError, match=r"quota .* after 2 tries"):
        sheet.read(["Lịch thi"])


def test_a_slow_answer_times_out_and_is_tried_again(setup: Any) -> None:
    fake, settings = setup
    sheet, _ = googlebackend.connect(settings, sleep=Sleeps(), timeout=0.5)
    fake.fault(r"GET .*includeGridData", status=200, times=1, delay_s=1.5)
    assert sheet.read(["Lịch thi"])["Lịch thi"][1][0] == "2026-11"


def test_forms_calls_retry_through_the_client_library(setup: Any) -> None:
    fake, settings = setup
    sleeps = Sleeps()
    _, forms = googlebackend.connect(settings, sleep=sleeps)
    spec = FormSpec(round_id="2026-11", owner="x", title="Thi 2026-11", description="",
                    identity="roster", member_names=("A", "B"), shuffle_options=False,
                    seconds_allowed=30, questions=(FormQuestion(
                        "Câu 1", ("Có", "Không"), multi=False, points=1, correct=("Có",)),))
    ref = forms.build(spec)
    fake.fault(r"POST .*:setPublishSettings", status=503, times=2)
    forms.open(ref.form_id, timedelta(0))
    assert fake.form(ref.form_id)["publishSettings"]["publishState"]["isAcceptingResponses"]
    assert len(sleeps.waits) == 2


def test_a_slow_forms_answer_times_out_and_is_tried_again(setup: Any) -> None:
    fake, settings = setup
    sleeps = Sleeps()
    _, forms = googlebackend.connect(settings, sleep=sleeps, timeout=0.5)
    fake.fault(r"GET /v1/forms/", status=0, times=1, delay_s=1.5)
    with pytest.raises(InputError, match="nope"):  # answered (404) on the second try
        forms.responses("nope")
    assert len(sleeps.waits) == 1


def test_a_spreadsheet_not_shared_names_the_account(setup: Any, tmp_path: Path) -> None:
    fake, settings = setup
    theirs = fake.create_spreadsheet(OTHER, "Của người khác", SCHEDULE)
    other = Settings(backend="google", google=GoogleSettings(
        spreadsheet_id=theirs, credentials=settings.google.credentials))
    with pytest.raises(InputError, match=rf"{ADMIN}.*Chia sẻ") as caught:
        googlebackend.connect(other, sleep=Sleeps())
    assert theirs in str(caught.value)
    fake.share(theirs, ADMIN)
    sheet, _ = googlebackend.connect(other, sleep=Sleeps())
    assert sheet.tab_titles() == ["Lịch thi"]


def test_a_wrong_spreadsheet_id_says_to_check_it(setup: Any) -> None:
    _, settings = setup
    wrong = Settings(backend="google", language="en", google=GoogleSettings(
        spreadsheet_id="1NoSuchSheet", credentials=settings.google.credentials))
    with pytest.raises(InputError, match=r"the spreadsheet 1NoSuchSheet was not found"):
        googlebackend.connect(wrong, sleep=Sleeps())


@pytest.mark.parametrize(("api", "name"), [("sheets", "Google Sheets API"),
                                           ("forms", "Google Forms API"),
                                           ("drive", "Google Drive API")])
def test_an_api_not_enabled_is_named(setup: Any, api: str, name: str) -> None:
    fake, settings = setup
    fake.disable_api(api)
    lines = googlebackend.diagnose(settings, sleep=Sleeps())
    failed = [line for ok, line in lines if not ok]
    assert len(failed) == 1 and name in failed[0] and "chưa được bật" in failed[0]


def test_doctor_passes_every_check_when_all_is_well(setup: Any) -> None:
    _, settings = setup
    lines = googlebackend.diagnose(settings, sleep=Sleeps())
    assert all(ok for ok, _ in lines), lines
    text = "\n".join(line for _, line in lines)
    for expected in ("Google Sheets API", "Google Drive API", "Google Forms API", ADMIN, "Thi"):
        assert expected in text


def test_doctor_without_a_spreadsheet_still_checks_the_sheets_api(setup: Any) -> None:
    fake, settings = setup
    bare = Settings(backend="google", google=GoogleSettings(
        credentials=settings.google.credentials))
    lines = googlebackend.diagnose(bare, sleep=Sleeps())
    assert [ok for ok, _ in lines] == [False, True, True, True, True, True]
    assert "automation init" in lines[0][1] and "Google Sheets API" in lines[-1][1]
    fake.disable_api("sheets")
    assert "chưa được bật" in googlebackend.diagnose(bare, sleep=Sleeps())[-1][1]


def test_a_revoked_token_says_to_sign_in_again(setup: Any) -> None:
    _, settings = setup
    token = json.loads(settings.google.credentials.read_text())
    token["refresh_token"] = "1//revoked"
    token.pop("token", None)
    settings.google.credentials.write_text(json.dumps(token))
    with pytest.raises(InputError, match="automation auth"):
        googlebackend.connect(settings, sleep=Sleeps())
    lines = googlebackend.diagnose(settings, sleep=Sleeps())
    assert [ok for ok, _ in lines][:3] == [True, True, False]


def test_a_missing_or_wrong_credentials_file_says_what_to_do(tmp_path: Path) -> None:
    missing = Settings(backend="google", google=GoogleSettings(
        spreadsheet_id="x", credentials=tmp_path / "nope.json"))
    with pytest.raises(InputError, match=r"nope\.json.*automation auth"):
        googlebackend.connect(missing)
    secrets = tmp_path / "client_secret.json"
    secrets.write_text(json.dumps({"installed": {"client_id": "x", "client_secret": "y"}}))
    misplaced = Settings(backend="google", google=GoogleSettings(
        spreadsheet_id="x", credentials=secrets))
    with pytest.raises(InputError, match="client secret"):
        googlebackend.connect(misplaced)
    garbage = tmp_path / "garbage.json"
    garbage.write_text("{not json")
    with pytest.raises(InputError, match="JSON"):
        auth.load_credentials(Settings(google=GoogleSettings(credentials=garbage)))


def test_a_service_account_key_works_and_is_named(fake_google: Any, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_ENDPOINT, fake_google.url)
    robot = "quiz@project.iam.gserviceaccount.com"
    key = tmp_path / "key.json"
    fake_google.service_account_file(key, email=robot)
    spreadsheet_id = fake_google.create_spreadsheet(ADMIN, "Thi", SCHEDULE)
    settings = Settings(backend="google", google=GoogleSettings(
        spreadsheet_id=spreadsheet_id, credentials=key))
    with pytest.raises(InputError, match=robot):
        googlebackend.connect(settings, sleep=Sleeps())
    fake_google.share(spreadsheet_id, robot)
    sheet, _ = googlebackend.connect(settings, sleep=Sleeps())
    assert sheet.read(["Lịch thi"])["Lịch thi"][0] == ["Kỳ thi", "Mở lúc"]


def test_the_token_file_is_private(tmp_path: Path) -> None:
    target = tmp_path / "config" / "credentials.json"
    auth.write_private(target, '{"type": "authorized_user"}')
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_sign_in_without_client_secrets_explains_how_to_get_them(tmp_path: Path) -> None:
    settings = Settings(language="en", google=GoogleSettings(
        client_secrets=tmp_path / "client_secret.json"))
    with pytest.raises(InputError, match="Desktop app"):
        auth.sign_in(settings, open_browser=False)


def test_a_new_spreadsheet_is_shared_and_reads_dates_day_first(setup: Any) -> None:
    fake, settings = setup
    shared = Settings(backend="google", google=GoogleSettings(
        credentials=settings.google.credentials, share_with=(OTHER,)))
    spreadsheet_id, url = googlebackend.create_spreadsheet(shared, "Thi 2027", sleep=Sleeps())
    assert url.endswith(f"/d/{spreadsheet_id}/edit")
    other_token = Path(str(settings.google.credentials) + ".other")
    fake.authorized_user_file(other_token, email=OTHER)
    as_other = Settings(backend="google", google=GoogleSettings(
        spreadsheet_id=spreadsheet_id, credentials=other_token))
    sheet, _ = googlebackend.connect(as_other, sleep=Sleeps())
    assert sheet.title == "Thi 2027"
    assert sheet.locale == "vi_VN" and sheet.date_order == "dmy"
    assert fake.spreadsheet(spreadsheet_id)["properties"]["timeZone"] == "Asia/Ho_Chi_Minh"


# Google's error bodies, as Google sends them (the first copied from a recording of real
# traffic; the others in the documented google.rpc.ErrorInfo / legacy shapes).
NOT_SHARED_BODY = (b'{"error": {"code": 403, "message": "The caller does not have permission", '
                   b'"status": "PERMISSION_DENIED"}}')
DISABLED_BODY = json.dumps({"error": {
    "code": 403, "status": "PERMISSION_DENIED",
    "message": "Google Forms API has not been used in project 123 before or it is disabled.",
    "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "SERVICE_DISABLED",
                 "domain": "googleapis.com", "metadata": {
                     "service": "forms.googleapis.com", "consumer": "projects/123",
                     "activationUrl": "https://console.developers.google.com/apis/api/"
                                      "forms.googleapis.com/overview?project=123"}}]}})
SCOPES_BODY = json.dumps({"error": {
    "code": 403, "status": "PERMISSION_DENIED",
    "message": "Request had insufficient authentication scopes.",
    "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                 "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com",
                 "metadata": {"service": "forms.googleapis.com"}}]}})
RATE_BODY = json.dumps({"error": {
    "code": 403, "message": "User Rate Limit Exceeded",
    "errors": [{"domain": "usageLimits", "reason": "userRateLimitExceeded"}]}})


def test_google_error_bodies_become_the_admins_messages() -> None:
    ctx = googleapi.Context(language="en", account=ADMIN, credentials_file="token.json")

    def message(status: int, body: str | bytes, api: str = "forms") -> Exception:
        return googleapi.translate(googleapi.error_info(status, body), ctx, api=api,
                                   what="the spreadsheet X", tries=5)

    shared = message(403, NOT_SHARED_BODY, "sheets")
    assert isinstance(shared, InputError) and ADMIN in str(shared) and "Share" in str(shared)
    disabled = message(403, DISABLED_BODY, "sheets")
    assert isinstance(disabled, InputError)
    assert "Google Forms API" in str(disabled) and "project=123" in str(disabled)
    scopes = message(403, SCOPES_BODY)
    assert isinstance(scopes, InputError) and "automation auth" in str(scopes)
    rate = message(403, RATE_BODY)
    assert isinstance(rate, BackendError) and "quota" in str(rate)
    unknown = message(400, b"<html>Bad Request</html>")
    assert isinstance(unknown, BackendError) and "HTTP 400" in str(unknown)


def robot_settings(fake: Any, tmp_path: Path, subject: str = "") -> Settings:
    key = fake.service_account_file(tmp_path / "key.json", email=ROBOT)
    spreadsheet_id = fake.create_spreadsheet(ADMIN, "Thi", SCHEDULE)
    fake.share(spreadsheet_id, subject or ROBOT)
    return Settings(backend="google", google=GoogleSettings(
        spreadsheet_id=spreadsheet_id, credentials=key, subject=subject))


ROBOT = "quiz@project.iam.gserviceaccount.com"
ONE_QUESTION = FormSpec(round_id="2026-11", owner="x", title="Thi 2026-11", description="",
                        identity="roster", member_names=("A", "B"), shuffle_options=False,
                        seconds_allowed=30, questions=(FormQuestion(
                            "Câu 1", ("Có", "Không"), multi=False, points=1, correct=("Có",)),))


def test_a_service_account_without_subject_is_told_it_has_no_drive_storage(
    fake_google: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_ENDPOINT, fake_google.url)
    settings = robot_settings(fake_google, tmp_path)
    sheet, forms = googlebackend.connect(settings, sleep=Sleeps())
    assert sheet.tab_titles() == ["Lịch thi"]  # reading her sheet works
    with pytest.raises(InputError, match=r"không có dung lượng Drive riêng.*subject") as caught:
        forms.build(ONE_QUESTION)
    assert "hạn mức" not in str(caught.value)  # not a rate limit: no "wait and retry"
    assert calls_to(fake_google, "/v1/forms") == 1  # and not retried
    failed = [line for ok, line in googlebackend.diagnose(settings, sleep=Sleeps()) if not ok]
    assert len(failed) == 1 and "subject" in failed[0] and "100000000000000000001" in failed[0]


def test_delegation_not_authorised_tells_the_admin_where_to_authorise_it(
    fake_google: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_ENDPOINT, fake_google.url)
    settings = robot_settings(fake_google, tmp_path, subject=ADMIN)
    english = Settings(backend="google", language="en", google=settings.google)
    with pytest.raises(InputError) as caught:
        googlebackend.connect(english, sleep=Sleeps())
    message = str(caught.value)
    assert "Domain-wide delegation" in message and "100000000000000000001" in message
    assert all(scope in message for scope in auth.SCOPES)
    assert "new key" not in message
    fake_google.authorize_delegation(ROBOT, auth.SCOPES)
    _sheet, forms = googlebackend.connect(settings, sleep=Sleeps())
    assert forms.build(ONE_QUESTION).form_id  # acting as the admin: her Drive stores it
    assert all(ok for ok, _ in googlebackend.diagnose(settings, sleep=Sleeps()))


def test_a_token_without_a_needed_scope_says_to_sign_in_again(
    fake_google: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_ENDPOINT, fake_google.url)
    token = signed_in(fake_google, tmp_path / "credentials.json", ADMIN,
                      scopes=["https://www.googleapis.com/auth/spreadsheets"])
    settings = Settings(backend="google", google=GoogleSettings(
        spreadsheet_id=fake_google.create_spreadsheet(ADMIN, "Thi", SCHEDULE), credentials=token))
    sheet, forms = googlebackend.connect(settings, sleep=Sleeps())
    assert sheet.tab_titles() == ["Lịch thi"]
    with pytest.raises(InputError, match=r"thiếu quyền.*automation auth"):
        forms.build(ONE_QUESTION)


def test_doctor_names_the_account_drive_signed_in(
    fake_google: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_ENDPOINT, fake_google.url)
    token = tmp_path / "credentials.json"
    fake_google.authorized_user_file(token, email=ADMIN, scopes=auth.SIGN_IN_SCOPES)  # no name
    settings = Settings(backend="google", google=GoogleSettings(
        spreadsheet_id=fake_google.create_spreadsheet(ADMIN, "Thi", SCHEDULE), credentials=token))
    lines = googlebackend.diagnose(settings, sleep=Sleeps())
    assert all(ok for ok, _ in lines), lines
    assert any("tài khoản chưa rõ" in line for _, line in lines)  # the token does not say
    assert any(f"Tài khoản Google đang dùng: {ADMIN}" in line for _, line in lines)
