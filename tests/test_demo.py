"""``automation demo``: the first thing a newcomer runs, end to end, in under a minute."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_the_demo_runs_a_whole_round_offline_and_says_where_the_results_are(
    tmp_path: Path,
) -> None:
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "automation", "demo", "--folder", str(tmp_path)],
        cwd=tmp_path,  # no config file there: the demo needs none
        capture_output=True,
        text=True,
        timeout=90,
    )
    took = time.monotonic() - began
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert took < 60, f"the demo took {took:.0f} s"
    workbook = tmp_path / "quiz.xlsx"
    assert str(workbook) in out
    assert "Hạng" in out and "Nộp muộn" in out and "Nộp lại" in out and "Chưa tham gia" in out
    book = openpyxl.load_workbook(workbook)
    assert {"Kết quả demo", "Bài làm demo", "Thống kê câu hỏi"} <= set(book.sheetnames)
    rows = list(book["Kết quả demo"].iter_rows(values_only=True))
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Hạng")
    ranked = []
    for row in rows[start + 1 :]:
        if not row or not isinstance(row[0], int):
            break
        ranked.append(row)
    assert len(ranked) == 11  # thirteen members: one late, one absent; the repeat counts once
    # And the "6 tốt" rating: twelve months marked, the year's proposal printed and written.
    year = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).year - 1
    assert f"Đề xuất xếp loại năm {year}" in out and "Hoàn thành" in out
    assert f"Xếp loại {year}" in book.sheetnames and "Tiêu chí" in book.sheetnames
    assert all(f"Đánh giá {year}-{m:02d}" in book.sheetnames for m in range(1, 13))
