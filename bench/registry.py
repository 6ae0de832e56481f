"""Benchmark: the committee's pure core for many cells.

A committee's tick reads its registry, keeps every cell's ``Thi chung`` in step,
and after a joint round reads each cell's ``Kết quả`` back and writes
``Kết quả chung``. This times, for ``CELLS`` cells of ``MEMBERS`` members and
``ROUNDS`` joint rounds: reading the registry (``read_registry``), planning
every cell's ledger from scratch and again once in step (``plan_joint_ledger``),
reading every cell's results tab back (``read_cell_results``), the joint ranking
(``rank_joint``) and its tab. Goal: under 2 seconds in all (the contract asks for
at least 100 cells; a tick's Google calls take far longer).

Run from the repository root: ``python bench/registry.py``.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from automation import report
from automation.config import QuizSettings
from automation.joint import plan_joint_ledger
from automation.jointresults import joint_results_tab, rank_joint, read_cell_results
from automation.model import Member, Question
from automation.ports import FormResponse
from automation.ranking import rank_round, to_submission
from automation.registry import read_registry
from automation.text import Cell

CELLS = 200
MEMBERS = 50
ROUNDS = 12
GOAL_SECONDS = 2.0
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
OPENS = datetime(2027, 1, 12, 19, 30, tzinfo=TZ)


def registry_tabs() -> dict[str, list[list[Cell]]]:
    cells: list[list[Cell]] = [["Chi bộ", "Bảng tính", "Bật", "Trạng thái", "Kiểm tra lúc"]]
    cells += [[f"Chi bộ Ấp {n}", f"https://docs.google.com/spreadsheets/d/1{n:043d}/edit#gid=0",
               "Tắt" if n % 10 == 0 else None, "OK"] for n in range(1, CELLS + 1)]
    joint: list[list[Cell]] = [["Kỳ thi", "Mở lúc", "Số câu", "Giây mỗi câu"]]
    joint += [[f"2027-{m:02d}-chung", f"12/{m:02d}/2027 19:30", 10, 30]
              for m in range(1, ROUNDS + 1)]
    questions: list[list[Cell]] = [["Kỳ thi", "Câu hỏi", "A", "B", "C", "D", "Đáp án"]]
    questions += [[None, f"Câu hỏi số {n}?", "a", "b", "c", "d", "ABCD"[n % 4]]
                  for n in range(1, 201)]
    return {"Chi bộ": cells, "Lịch thi chung": joint, "Câu hỏi": questions}


def main() -> None:
    quiz = QuizSettings()
    tabs = registry_tabs()
    start = time.perf_counter()
    registry = read_registry(tabs, quiz=quiz, tz=TZ, backend="google")
    read = time.perf_counter() - start
    assert not registry.problems and len(registry.rounds) == ROUNDS

    start = time.perf_counter()
    writes = 0
    ledgers = []
    for _ in registry.active:
        plan = plan_joint_ledger(None, registry.rounds, "vi", tz=TZ, quiz=quiz)
        writes += len(plan.writes)
        grid: list[list[Cell]] = []
        for w in plan.writes:
            while len(grid) < w.row:
                grid.append([])
            grid[w.row - 1].extend([None] * (w.column - len(grid[w.row - 1])))
            grid[w.row - 1][w.column - 1] = w.value
        ledgers.append(grid)
    made = time.perf_counter() - start
    start = time.perf_counter()
    again = sum(len(plan_joint_ledger(g, registry.rounds, "vi", tz=TZ, quiz=quiz).writes)
                for g in ledgers)
    in_step = time.perf_counter() - start
    assert again == 0

    rng = random.Random(7)
    questions = [Question(row=n, text=f"Câu {n}?", options=("a", "b", "c", "d"),
                          answer=frozenset("A")) for n in range(10)]
    members = [Member(i + 2, f"Đảng viên {i}") for i in range(MEMBERS)]
    result_rows = []
    for n in range(len(registry.active)):
        responses = [FormResponse(f"{n}-{i}", m.name,
                                  OPENS + timedelta(seconds=rng.randint(30, 300)),
                                  {q.text: (rng.choice(q.options),) for q in questions})
                     for i, m in enumerate(members) if rng.random() < 0.8]
        result = rank_round(round_id="2027-01-chung", questions=questions, members=members,
                            submissions=[to_submission(r, questions) for r in responses],
                            opened_at=OPENS, deadline=OPENS + timedelta(minutes=6))
        result_rows.append(report.results_tab(result, language="vi", tz=TZ).rows)

    start = time.perf_counter()
    parts = [read_cell_results(cell.name, "2027-01-chung", rows, language="vi", tz=TZ)
             for cell, rows in zip(registry.active, result_rows, strict=True)]
    joint = rank_joint("2027-01-chung", parts, opens_at=OPENS)
    tab = joint_results_tab(joint, language="vi", tz=TZ)
    results = time.perf_counter() - start

    total = read + made + in_step + results
    print(f"cells: {CELLS} ({len(registry.active)} on), joint rounds: {ROUNDS}, "
          f"members per cell: {MEMBERS}")
    print(f"read the registry: {read * 1000:.0f} ms")
    print(f"make every ledger: {made * 1000:.0f} ms ({writes} cell writes); "
          f"once in step: {in_step * 1000:.0f} ms (0 writes)")
    print(f"read {len(parts)} results tabs + joint ranking + tab: {results * 1000:.0f} ms "
          f"({len(joint.rows)} ranked, {len(tab.rows)} rows)")
    verdict = "ok" if total < GOAL_SECONDS else "SLOW"
    print(f"total: {total:.3f} s (goal < {GOAL_SECONDS} s): {verdict}")


if __name__ == "__main__":
    main()
