"""The google backend against real Google, when an admin points AUTOMATION_LIVE_CONFIG at a
config with real credentials (skipped otherwise). It creates one small form per run, marked
with a unique round id, and reads the configured spreadsheet without writing to it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from automation import config, googlebackend
from automation.ports import FormQuestion, FormSpec

LIVE_CONFIG = os.environ.get("AUTOMATION_LIVE_CONFIG", "")

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(not LIVE_CONFIG, reason="AUTOMATION_LIVE_CONFIG is not set"),
]


def test_build_open_close_and_read_a_real_form() -> None:
    settings = config.load(Path(LIVE_CONFIG))
    assert all(ok for ok, _ in googlebackend.diagnose(settings))
    sheet, forms = googlebackend.connect(settings)
    assert sheet.tab_titles()
    round_id = "live-" + datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    spec = FormSpec(
        round_id=round_id, owner=settings.google.spreadsheet_id, title=f"Kiểm tra {round_id}",
        description="", identity=settings.quiz.identity, member_names=("Người thử",),
        shuffle_options=True, seconds_allowed=30,
        questions=(FormQuestion("Đảng Cộng sản Việt Nam thành lập năm nào?",
                                ("1930", "1945"), multi=False, points=1, correct=("1930",),
                                explanation="Ngày 3/2/1930."),),
    )
    ref = forms.build(spec)
    assert ref.url.startswith("https://docs.google.com/forms/")
    assert forms.build(spec) == ref  # found again by its Drive mark: never a second form
    forms.open(ref.form_id, timedelta(minutes=1))
    forms.close(ref.form_id)
    assert forms.responses(ref.form_id) == []
