"""Properties of reading the registry that must hold for any input (hypothesis)."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from automation.layout import RESERVED_PATHS
from automation.registry import Registry, cell_path, read_registry
from automation.text import Cell
from tests.test_bank import QUIZ, TZ, Tabs
from tests.test_bank_properties import permuted
from tests.test_registry import CELL_HEADERS, JOINT_HEADERS, link, sheet_id

PATH = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
VIETNAMESE = ("aăâbcdđeêghiklmnoôơpqrstuưvxy"
              "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")

names = st.sampled_from([
    "Chi bộ Ấp 1", "chi bộ ấp  1", "Chi bo Ap 1", "Chi bộ Ấp 2", "Chi bộ Trường Tiểu học A1",
    "Chi bộ Quân sự xã", "CHI BỘ QUÂN SỰ XÃ", "F", "static", "★", "", None, "#REF!",
])
sheets = st.one_of(
    st.integers(1, 4).map(link),
    st.integers(1, 4).map(sheet_id),
    st.sampled_from([None, "", "https://docs.google.com/document/d/1abc/edit", "a1.xlsx",
                     "https://docs.google.com/spreadsheets/d/1short/edit"]),
)
switches = st.sampled_from([None, "", "Bật", "Tắt", "off", "có lẽ", True, False])
statuses = st.sampled_from([None, "OK", "Lỗi cũ"])
rows = st.lists(st.tuples(names, sheets, switches, statuses), max_size=8)


def tabs_of(cell_rows: list[tuple[Cell, Cell, Cell, Cell]]) -> Tabs:
    return {"Chi bộ": [list(CELL_HEADERS), *([*row] for row in cell_rows)]}


def read(tabs: Tabs) -> Registry:
    return read_registry(tabs, quiz=QUIZ, tz=TZ, backend="google")


def filled(value: Cell) -> bool:
    return not (value is None or (isinstance(value, str) and not value.strip()))


@given(rows)
def test_every_non_blank_row_is_a_cell_or_a_problem(cell_rows: list[tuple[Cell, ...]]) -> None:
    registry = read(tabs_of(cell_rows))  # type: ignore[arg-type]
    cells = {c.row for c in registry.cells}
    wrong = {p.row for p in registry.problems}
    for number, (name, sheet, switch, _) in enumerate(cell_rows, start=2):
        if any(filled(v) for v in (name, sheet, switch)):
            assert (number in cells) != (number in wrong), number
        else:
            assert number not in cells | wrong, number


@given(rows, st.permutations(range(6)))
def test_column_order_does_not_matter(cell_rows: list[tuple[Cell, ...]],
                                      order: list[int]) -> None:
    tabs = tabs_of(cell_rows)  # type: ignore[arg-type]
    tabs["Chi bộ"][0].append("Ghi chú riêng")  # an unknown column, kept and ignored
    before = read(tabs)
    after = read({"Chi bộ": permuted(tabs["Chi bộ"], order)})
    assert after.cells == before.cells
    assert sorted(map(repr, after.problems)) == sorted(map(repr, before.problems))


unique_rows = st.lists(
    st.tuples(st.sampled_from(["Chi bộ Ấp 1", "Chi bộ Ấp 2", "Chi bộ Trường A1",
                               "Chi bộ Quân sự", "Chi bộ Ấp 3"]),
              st.integers(1, 9), st.sampled_from([None, "Tắt", "Bật"])),
    max_size=5, unique_by=(lambda r: r[0], lambda r: r[1]),
)


@given(unique_rows, st.randoms())
def test_row_order_does_not_matter(cell_rows: list[tuple[str, int, Cell]], rng: object) -> None:
    written = [(name, link(n), switch, None) for name, n, switch in cell_rows]
    shuffled = list(written)
    rng.shuffle(shuffled)  # type: ignore[attr-defined]
    before, after = read(tabs_of(written)), read(tabs_of(shuffled))  # type: ignore[arg-type]
    assert before.problems == after.problems == ()

    def seen(registry: Registry) -> set[tuple[str, str, str, bool]]:
        return {(c.name, c.path, c.location, c.on) for c in registry.cells}

    assert seen(before) == seen(after)
    assert len(before.cells) == len(cell_rows)


@given(rows)
def test_the_cells_paths_are_unique_url_safe_and_not_the_forms_own(
        cell_rows: list[tuple[Cell, ...]]) -> None:
    paths = [c.path for c in read(tabs_of(cell_rows)).cells]  # type: ignore[arg-type]
    assert len(paths) == len(set(paths))
    for path in paths:
        assert PATH.match(path), path
        assert path not in RESERVED_PATHS


@given(st.text())
def test_a_path_is_url_safe_and_stable(name: str) -> None:
    path = cell_path(name)
    assert path == "" or PATH.match(path)
    assert cell_path(path) == path
    assert cell_path(unicodedata.normalize("NFD", name)) == cell_path(
        unicodedata.normalize("NFC", name))


@given(st.text(alphabet=VIETNAMESE + VIETNAMESE.upper() + " 0123456789-", min_size=1))
def test_a_vietnamese_name_gives_its_path_whatever_the_case(name: str) -> None:
    assert cell_path(name.upper()) == cell_path(name.lower()) == cell_path(name)
    if any(c.isalnum() for c in name):
        assert cell_path(name)


joint_rows = st.lists(
    st.tuples(st.sampled_from(["2027-02-chung", "2027-02-CHUNG", "2027/03", "x" * 40, None]),
              st.sampled_from(["16/02/2027 19:30", "tối thứ Ba", None]),
              st.sampled_from([None, 4, 6, "mười"]), st.sampled_from([None, 20, 0])),
    max_size=5,
)


@given(joint_rows, st.permutations(range(5)))
def test_joint_schedule_column_order_does_not_matter(
        schedule: list[tuple[Cell, ...]], order: list[int]) -> None:
    rows_ = [[*JOINT_HEADERS, "Trạng thái"], *([*row, "Đã xếp hạng"] for row in schedule)]
    question = [["Câu hỏi", "A", "B", "Đáp án"], ["Câu một?", "a", "b", "A"]]
    before = read({"Lịch thi chung": rows_, "Câu hỏi": question})
    after = read({"Lịch thi chung": permuted(rows_, order), "Câu hỏi": question})
    assert after.rounds == before.rounds
    assert sorted(map(repr, after.problems)) == sorted(map(repr, before.problems))
    written = {n for n, row in enumerate(schedule, start=2) if any(filled(v) for v in row)}
    wrong = {p.row for p in before.problems if p.tab == "Lịch thi chung"}
    assert {r.row for r in before.rounds} ^ wrong == written
