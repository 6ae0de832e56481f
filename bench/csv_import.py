"""Benchmark: reading a CSV answer cell with thousands of commas.

A checkbox answer cell of a Google Forms export is split by the question's
known options (option texts may hold commas). The old way tried every run of
pieces at every piece: a cell of 3,000 commas took 181 s while the tick held
its lock. This prints the time of :func:`split_choices` and of a whole
:func:`read_export` for cells of 3,000 and 30,000 commas (known options with
commas, stray text, and a run of bare commas), and the ratio between the two
sizes: about 10 means linear. Goal: the 30,000-comma export read in ≤ 1 s.

Run from the repository root: ``python bench/csv_import.py``.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from automation.csvimport import read_export, split_choices
from automation.model import Question
from automation.text import normalize

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
GOAL_SECONDS = 1.0
QUESTION = Question(
    2,
    "Những văn bản nào chi bộ đã học tập? (chọn tất cả)",
    (
        "Chỉ thị số 22, ngày 13-7-2022",
        "Quy định số 1120, ngày 01-6-2022, của Ban Chấp hành Đảng bộ tỉnh",
        "Kết luận số 01 của Bộ Chính trị",
        "Nghị quyết số 99",
    ),
    frozenset("ABC"),
)


def cell_with(commas: int) -> str:
    """About ``commas`` commas: the known options now and then, mostly bare commas and stray
    words between them (what a hostile or broken export holds; the csv module refuses a
    field of more than 131,072 characters, and a Google Sheets cell holds at most 50,000)."""
    parts: list[str] = []
    count = 0
    while count < commas:
        for piece in (*QUESTION.options, "ý khác, không rõ", *[""] * 40, "x"):
            parts.append(piece)
            count += piece.count(",") + 1
    return ",".join(parts)


def timed(run: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    result = run()
    return time.perf_counter() - began, result


def main() -> int:
    options = {normalize(o): o for o in QUESTION.options}
    figures: dict[int, tuple[float, float]] = {}
    for commas in (3_000, 30_000):
        cell = cell_with(commas)
        split_s, chosen = timed(lambda cell=cell: split_choices(cell, options))
        buffer = io.StringIO()
        csv.writer(buffer).writerows([
            ["Dấu thời gian", "Họ và tên", QUESTION.text],
            ["13/03/2023 9:05:12", "Lê Quang Qui", cell],
        ])
        text = buffer.getvalue()
        export_s, _ = timed(lambda text=text: read_export(text, questions=[QUESTION], tz=TZ))
        figures[commas] = (split_s, export_s)
        print(
            f"{cell.count(','):,} commas ({len(cell):,} characters): split_choices "
            f"{split_s:.3f} s → {len(chosen)} answers; read_export {export_s:.3f} s"
        )
    small, large = figures[3_000][0], figures[30_000][0]
    print(f"split_choices 30,000 / 3,000 commas: ×{large / max(small, 1e-9):.1f} (linear ≈ ×10)")
    met = figures[30_000][1] <= GOAL_SECONDS
    print(f"goal: 30,000-comma export read in ≤ {GOAL_SECONDS} s: {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
