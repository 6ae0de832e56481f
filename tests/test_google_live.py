"""The google backend against real Google, when an admin points AUTOMATION_LIVE_CONFIG at a
config with real credentials (skipped otherwise). It plays one round's Google side end to
end on a small form marked with a unique round id (prepare, open, read the responses, close)
and moves that form to the trash at the end, whatever happened; the configured spreadsheet
is only read."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from automation import config, googlebackend
from automation.config import Settings
from automation.forms import GoogleForms
from automation.ports import FormQuestion, FormSpec

LIVE_CONFIG = os.environ.get("AUTOMATION_LIVE_CONFIG", "")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not LIVE_CONFIG, reason="AUTOMATION_LIVE_CONFIG is not set"),
]


@pytest.fixture
def live() -> Iterator[tuple[Settings, GoogleForms, list[str]]]:
    """The real services, and the ids of the forms the test made (trashed afterwards)."""
    settings = config.load(Path(LIVE_CONFIG))
    _, forms = googlebackend.connect(settings)
    made: list[str] = []
    yield settings, forms, made
    for form_id in made:  # Drive files.update trashed=true: the form goes to the trash
        forms.apis.execute(forms.apis.service("drive").files().update(
            fileId=form_id, body={"trashed": True}, fields="id"), api="drive")


def test_a_rounds_google_side_end_to_end(live: tuple[Settings, GoogleForms, list[str]]) -> None:
    settings, forms, made = live
    assert all(ok for ok, _ in googlebackend.diagnose(settings)), "automation doctor fails"
    round_id = "live-" + datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    spec = FormSpec(
        round_id=round_id, owner=settings.google.spreadsheet_id, title=f"Kiểm tra {round_id}",
        description="", identity=settings.quiz.identity, member_names=("Người thử",),
        shuffle_options=True, seconds_allowed=30, ask_code=True,
        questions=(FormQuestion("Đảng Cộng sản Việt Nam thành lập năm nào?",
                                ("1930", "1945"), multi=False, points=1, correct=("1930",),
                                explanation="Ngày 3/2/1930."),),
    )
    ref = forms.build(spec)  # prepare
    made.append(ref.form_id)
    assert ref.url.startswith("https://docs.google.com/forms/")
    assert forms.build(spec) == ref  # found again by its Drive mark: never a second form
    built = forms.apis.execute(forms.apis.service("forms").forms().get(formId=ref.form_id),
                               api="forms")
    assert not (built.get("settings", {}).get("quizSettings") or {}).get("isQuiz")  # no key
    assert "grading" not in str(built.get("items"))
    assert not forms.status(ref.form_id).accepting

    opened = forms.open(ref.form_id, timedelta(minutes=1))
    status = forms.status(ref.form_id)
    assert status.accepting and status.opened_at == opened
    permissions = forms.apis.execute(forms.apis.service("drive").permissions().list(
        fileId=ref.form_id, includePermissionsForView="published",
        fields="permissions(type,view)"), api="drive")["permissions"]
    assert {"type": "anyone", "view": "published"} in permissions
    assert forms.responses(ref.form_id) == []

    closed = forms.close(ref.form_id)
    status = forms.status(ref.form_id)
    assert not status.accepting and status.closed_at == closed
    assert forms.close(ref.form_id) == closed  # closing again keeps the first time
