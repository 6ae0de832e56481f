"""Properties of reading the bank that must hold for any input (hypothesis)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from automation.bank import parse_answer, read_bank
from automation.layout import OPTION_LETTERS, SECRETARY_TABS
from automation.model import Bank
from automation.text import Cell, normalize
from tests.test_bank import DEFECTS, QUIZ, TZ, Tabs, clean_tabs

TITLES = ("Câu hỏi", "Đảng viên", "Lịch thi")


def read(tabs: Tabs) -> Bank:
    return read_bank(tabs, quiz=QUIZ, tz=TZ)


def permuted(rows: list[list[Cell]], order: list[int]) -> list[list[Cell]]:
    width = len(order)
    return [[(row + [None] * width)[i] for i in order] for row in rows]


# Which header wins when one is written twice depends on column order by design.
ORDER_FREE = [d for d in DEFECTS if d.name != "same header twice"]


@st.composite
def column_orders(draw: st.DrawFn) -> dict[str, list[int]]:
    widths = {title: max(len(r) for r in clean_tabs()[title]) + 1 for title in TITLES}
    return {title: draw(st.permutations(range(width))) for title, width in widths.items()}


@given(st.sampled_from([None, *ORDER_FREE]), column_orders())
def test_any_column_order_gives_the_same_bank(defect: object, orders: dict[str, list[int]]) -> None:
    tabs = clean_tabs()
    quiz = QUIZ
    if defect is not None:
        defect.make(tabs)  # type: ignore[attr-defined]
        quiz = defect.quiz  # type: ignore[attr-defined]
    shuffled = {t: permuted(rows, orders[t]) if t in orders else rows for t, rows in tabs.items()}
    before = read_bank(tabs, quiz=quiz, tz=TZ)
    after = read_bank(shuffled, quiz=quiz, tz=TZ)
    assert (after.questions, after.members, after.rounds) == (
        before.questions, before.members, before.rounds)
    assert sorted(map(repr, after.problems)) == sorted(map(repr, before.problems))
    for spec in SECRETARY_TABS:
        if spec.key in after.places:
            place = after.places[spec.key]
            header = shuffled[place.title][0]
            for key, column in place.columns.items():
                assert spec.find_column(str(header[column - 1])) == spec.column(key)


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


VARIANTS: list[Callable[[str], str]] = [
    str.upper, str.lower, str.title, nfd, lambda t: f"  {t} ", lambda t: t.replace(" ", "   "),
]


@given(st.data())
def test_headers_match_whatever_their_case_spacing_or_unicode_form(data: st.DataObject) -> None:
    tabs = clean_tabs()
    for title in TITLES:
        header = tabs[title][0]
        for i, text in enumerate(header):
            header[i] = data.draw(st.sampled_from(VARIANTS))(str(text))
    bank = read(tabs)
    clean = read(clean_tabs())
    assert bank.problems == ()
    assert (bank.questions, bank.members, bank.rounds) == (
        clean.questions, clean.members, clean.rounds)


NAMES = ["Lê Quang Qui", "Nguyễn Thị Lan", "Trần Văn Bình", "Phạm Thu Hà", "Võ Minh Đức"]


@given(st.lists(st.tuples(st.sampled_from(NAMES), st.sampled_from(VARIANTS)), max_size=12))
def test_member_names_are_unique_after_normalisation(picks: list[tuple[str, object]]) -> None:
    rows: list[list[Cell]] = [["Họ và tên"]]
    rows += [[variant(name)] for name, variant in picks]  # type: ignore[operator]
    tabs = clean_tabs()
    tabs["Đảng viên"] = rows
    bank = read(tabs)
    seen: set[str] = set()
    repeated = set()
    for number, (name, _) in enumerate(picks, start=2):
        if name in seen:
            repeated.add(number)
        seen.add(name)
    assert {p.row for p in bank.problems} == repeated
    first_seen = dict.fromkeys(name for name, _ in picks)
    assert [m.key for m in bank.members] == [normalize(name) for name in first_seen]
    assert all(m.name == unicodedata.normalize("NFC", m.name).strip() for m in bank.members)


SEPARATORS = [", ", ",", ";", "; ", " ", " và ", "/", " + ", " and "]


@given(
    st.lists(st.sampled_from(OPTION_LETTERS), min_size=1, max_size=6),
    st.lists(st.sampled_from(SEPARATORS), min_size=6, max_size=6),
    st.lists(st.sampled_from(["", "."]), min_size=6, max_size=6),
    st.booleans(),
)
def test_any_list_of_letters_reads_as_that_set(
    letters: list[str], separators: list[str], dots: list[str], lower: bool
) -> None:
    text = "".join(
        (sep if i else "") + (letter.lower() if lower else letter) + dot
        for i, (letter, sep, dot) in enumerate(zip(letters, separators, dots, strict=False))
    )
    assert parse_answer(text) == frozenset(letters)


CELLS: list[Cell] = [
    None, "", "x", "y", "Quy định 1120", 1120, 3, 0, 12, -1, 2.5, "A", "b.", "A, C", "G", "AC",
    "2024-03", "2024-04", "2024-13", "05/03/2024 14:00", "31/02/2024 14:00", "05/03/2024",
    datetime(2024, 3, 5, 14, 0), "Chờ", "Xong", "#N/A", "an@example.vn", "an@", True,
]


@st.composite
def random_tab(draw: st.DrawFn, title: str) -> list[list[Cell]]:
    header = clean_tabs()[title][0]
    rows = draw(st.lists(st.lists(st.sampled_from(CELLS), max_size=len(header)), max_size=8))
    return [list(header), *rows]


@given(random_tab("Câu hỏi"), random_tab("Đảng viên"), random_tab("Lịch thi"))
def test_every_non_blank_row_is_either_a_record_or_named_in_a_problem(
    questions: list[list[Cell]], members: list[list[Cell]], schedule: list[list[Cell]]
) -> None:
    tabs = {"Câu hỏi": questions, "Đảng viên": members, "Lịch thi": schedule}
    bank = read(tabs)
    records = {
        "Câu hỏi": {q.row for q in bank.questions},
        "Đảng viên": {m.row for m in bank.members},
        "Lịch thi": {r.row for r in bank.rounds},
    }
    for title, rows in tabs.items():
        named = {p.row for p in bank.problems if p.tab == title}
        filled = {n for n, row in enumerate(rows[1:], start=2)
                  if any(v is not None and str(v).strip() for v in row)}
        assert records[title].isdisjoint(named), title
        assert records[title] | named == filled, title
    assert len({normalize(q.text) for q in bank.questions}) == len(bank.questions)
    assert len({r.round_id for r in bank.rounds}) == len(bank.rounds)
    for question in bank.questions:
        assert len(question.options) >= 2 and all(question.options)
        assert question.answer <= set(question.letters)
