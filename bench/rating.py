"""Benchmark: the "6 tốt" rating of a large cell, a whole year.

A tick refreshes the current month's tab and may write the year's proposal;
both must stay small next to the spreadsheet calls around them. This builds
12 month tabs of ``MEMBERS`` members (10 criteria a side), marks them, then
times refreshing every month (``plan_month``, writes applied), reading them
back (``read_month``) and the year (``year_table`` and ``year_tab``). Goal:
the whole year under 2 seconds (a real cell has 9 to 50 members).

Run from the repository root: ``python bench/rating.py``.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from automation.config import RatingSettings
from automation.model import Member, RoundScore
from automation.rating import month_id, read_criteria
from automation.ratingmonth import plan_month, read_month
from automation.ratingtabs import month_tab, year_tab
from automation.ratingyear import year_table
from automation.text import Cell

MEMBERS = 500
CRITERIA = 10
GOAL_SECONDS = 2.0


def main() -> None:
    settings = RatingSettings()
    rows: list[list[Cell]] = [["Đối tượng", "Số", "Tiêu chí", "Trọng số"]]
    for side in ("Đảng viên", "Chi bộ"):
        rows += [[side, n, f"{side}: tiêu chí {n}", 1 + n % 3] for n in range(1, CRITERIA + 1)]
    criteria = read_criteria({"Tiêu chí": rows})
    members = [Member(i + 2, f"Đảng viên số {i + 1}") for i in range(MEMBERS)]
    rng = random.Random(6)
    tabs = []
    for month in range(1, 13):
        tab = month_tab(month_id(2024, month), members=members, criteria=criteria,
                        settings=settings)
        for row in tab.rows[1:]:
            row[1:1 + CRITERIA] = [rng.choice(("Đạt", "Đạt", "Đạt", "Chưa đạt"))
                                   for _ in range(CRITERIA)]
        tabs.append(tab)

    start = time.perf_counter()
    writes = 0
    for month, tab in enumerate(tabs, 1):
        result = plan_month(month_id(2024, month), tab.title, tab.rows, criteria=criteria,
                            members=members, settings=settings)
        writes += len(result.writes)
        for w in result.writes:
            tab.rows[w.row - 1][w.column - 1] = w.value
    planned = time.perf_counter() - start

    start = time.perf_counter()
    sheets = [read_month(month_id(2024, m), t.title, t.rows, criteria=criteria, settings=settings)
              for m, t in enumerate(tabs, 1)]
    scores = [RoundScore(f"2024-{r:02d}", m.name, 1, rng.uniform(0, 10))
              for r in range(1, 9) for m in members]
    table = year_table(2024, sheets, members=members, quiz_scores=scores, rounds_held=8,
                       settings=settings)
    tab = year_tab(table, settings=settings)
    year = time.perf_counter() - start

    total = planned + year
    print(f"members: {MEMBERS}, criteria per side: {CRITERIA}, months: 12")
    print(f"refresh 12 months: {planned:.3f} s ({writes} cell writes), "
          f"{planned / 12 * 1000:.0f} ms a month")
    print(f"read 12 months + year table + year tab: {year:.3f} s ({len(tab.rows)} rows)")
    verdict = "ok" if total < GOAL_SECONDS else "SLOW"
    print(f"total: {total:.3f} s (goal < {GOAL_SECONDS} s): {verdict}")


if __name__ == "__main__":
    main()
