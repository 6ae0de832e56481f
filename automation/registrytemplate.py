"""The ``automation init`` template of a committee's registry: its three tabs, with examples.

``Chi bộ`` lists three example cells (two from the article), ``Lịch thi chung`` one
joint round, and ``Câu hỏi`` the article's questions of the cell template (two of
them for the joint round). Every header carries a note saying what goes in it.
Meant for ``add_tabs``, which only adds the tabs missing: it never overwrites.

On Google the example cells are off and without a link (the committee pastes each
cell's link and clears ``Bật``); locally each is on, with a workbook path beside the
registry (``chi-bo/<path>.xlsx``).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from automation.i18n import Text
from automation.layout import CELL_OFF, CELL_ON, CELLS, JOINT_SCHEDULE, QUESTIONS, TabSpec
from automation.ports import SheetTab, Validation
from automation.registrycells import BACKENDS, example_path, word
from automation.tabcells import DATETIME_FORMAT
from automation.template import _NOTES as CELL_NOTES
from automation.template import TEMPLATE_ROWS, template_tabs
from automation.text import Cell

#: When the example joint round opens: a wall time in the configured zone.
EXAMPLE_JOINT_OPENS_AT = datetime(2027, 2, 16, 19, 30)
#: Its id: a joint round's results land in each cell's ``Kết quả <id>``, so a joint id
#: should not be one a cell uses for its own rounds (``2027-02``).
JOINT_SUFFIX = Text("chung", "joint")

EXAMPLE_CELLS = (
    "Chi bộ Trường Tiểu học Long Trị A1",
    "Chi bộ Quân sự xã Long Trị A",
    "Chi bộ Ấp 1",
)

_NOTES: dict[tuple[str, ...], Text] = {
    ("cells", "name"): Text(
        "Bắt buộc, không trùng nhau: tên chi bộ, như sẽ ghi trong Kết quả chung. Trang làm bài "
        "của chi bộ (bản chạy trên máy) có địa chỉ theo tên này, bỏ dấu: ví dụ "
        "Chi bộ Ấp 1 → /chi-bo-ap-1/.",
        "Required, no two alike: the cell's name, as the Joint results will show it. The "
        "cell's form (local version) has an address made from it, without accents: e.g. "
        "Chi bộ Ấp 1 → /chi-bo-ap-1/.",
    ),
    ("cells", "spreadsheet", "google"): Text(
        "Bắt buộc khi chi bộ bật: đường link bảng tính Google của chi bộ (dạng "
        "https://docs.google.com/spreadsheets/d/…/edit) hoặc mã của nó. Tài khoản của dịch vụ "
        "cần quyền chỉnh sửa bảng tính đó.",
        "Required when the cell is on: the link of the cell's Google Sheet (like "
        "https://docs.google.com/spreadsheets/d/…/edit) or its id. The service's account "
        "needs edit access to it.",
    ),
    ("cells", "spreadsheet", "local"): Text(
        "Bắt buộc khi chi bộ bật: đường dẫn tệp .xlsx của chi bộ, tính từ thư mục chứa tệp "
        "này, ví dụ chi-bo/chi-bo-ap-1.xlsx. Mỗi chi bộ một tệp riêng.",
        "Required when the cell is on: the path of the cell's .xlsx file, from the folder "
        "that holds this file, e.g. chi-bo/chi-bo-ap-1.xlsx. One file per cell.",
    ),
    ("cells", "on"): Text(
        "Để trống (hoặc {on}): dịch vụ phục vụ chi bộ này. Ghi {off}: tạm dừng. Dịch vụ nhận "
        "ra thay đổi trong vòng một phút.",
        "Blank (or {on}): the service serves this cell. {off}: paused. The service notices "
        "a change within a minute.",
    ),
    ("cells", "status"): Text(
        "Dịch vụ tự ghi: OK, hoặc điều cần sửa ở dòng này hay ở bảng tính của chi bộ.",
        "Written by the service: OK, or what needs fixing in this row or in the cell's "
        "spreadsheet.",
    ),
    ("cells", "checked_at"): Text(
        "Dịch vụ tự ghi: lần cuối dịch vụ kiểm tra bảng tính của chi bộ.",
        "Written by the service: when it last checked the cell's spreadsheet.",
    ),
    ("joint_schedule", "round"): Text(
        "Bắt buộc, không trùng nhau, ví dụ 2027-02-chung. Mọi chi bộ cùng thi kỳ này: mỗi chi "
        "bộ có trang Kết quả <mã> của mình, đảng ủy có trang Kết quả chung <mã>. Đừng dùng mã "
        "mà chi bộ dùng cho kỳ thi riêng (như 2027-02), và không dùng / \\ ? * [ ] :.",
        "Required, no two alike, e.g. 2027-02-joint. Every cell holds this round: each gets "
        "its own Results <id> tab, the committee a Joint results <id> tab. Do not use an id a "
        "cell uses for its own rounds (like 2027-02), nor / \\ ? * [ ] :.",
    ),
    ("joint_schedule", "opens_at"): Text(
        "Bắt buộc: ngày giờ mọi chi bộ cùng mở bài thi, dạng dd/mm/yyyy hh:mm (giờ địa "
        "phương). Dời giờ được cho đến khi bài thi của chi bộ mở.",
        "Required: when every cell's quiz opens, as dd/mm/yyyy hh:mm (local time). It can "
        "be moved until a cell's quiz has opened.",
    ),
    ("joint_schedule", "questions"): CELL_NOTES[("schedule", "questions")],
    ("joint_schedule", "seconds"): CELL_NOTES[("schedule", "seconds")],
    ("questions", "round"): Text(
        "Để trống: câu hỏi thuộc ngân hàng chung của các kỳ thi chung. Ghi mã kỳ thi (như ở "
        "trang Lịch thi chung): câu hỏi dành riêng cho kỳ đó và được chọn trước.",
        "Blank: the question is in the pool of every joint round. A round id (as in Joint "
        "schedule): the question belongs to that round and is chosen first.",
    ),
}


def registry_template(
    language: str, *, backend: str = "local", opens_at: datetime | None = None
) -> list[SheetTab]:
    """``Chi bộ``, ``Lịch thi chung`` and ``Câu hỏi`` with example rows, for ``automation init``.

    ``opens_at`` is the example joint round's opening (a wall time in the configured zone).
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {BACKENDS}, not {backend!r}")
    opens = opens_at or EXAMPLE_JOINT_OPENS_AT
    round_id = f"{opens:%Y-%m}-{JOINT_SUFFIX(language)}"
    on, off = word(CELL_ON, language), word(CELL_OFF, language)
    if backend == "google":
        cells: list[list[Cell]] = [[name, None, off] for name in EXAMPLE_CELLS]
    else:
        cells = [[name, example_path(name), None] for name in EXAMPLE_CELLS]
    return [
        _tab(CELLS, cells, language, backend, widths=(36, 60, 8, 60, 20),
             formats={4: DATETIME_FORMAT},
             validations=(Validation(2, 2, TEMPLATE_ROWS, (on, off)),)),
        _tab(JOINT_SCHEDULE, [[round_id, opens, 10, 30]], language, backend,
             widths=(16, 18, 8, 13), formats={1: "dd/mm/yyyy hh:mm"},
             validations=(Validation(2, 2, TEMPLATE_ROWS, tuple(map(str, range(5, 11)))),)),
        _questions(language, opens, round_id),
    ]


def _questions(language: str, opens: datetime, round_id: str) -> SheetTab:
    """The cell template's questions: those of its example round go to the joint one."""
    tab = next(t for t in template_tabs(language, opens_at=opens) if QUESTIONS.matches(t.title))
    columns = [c for c in QUESTIONS.columns if c.in_template]
    at = columns.index(QUESTIONS.column("round"))
    own = f"{opens:%Y-%m}"
    rows = [list(tab.rows[0])]
    for row in tab.rows[1:]:
        row = list(row)
        if row[at] == own:
            row[at] = round_id
        rows.append(row)
    notes = dict(tab.notes)
    notes[(1, at + 1)] = _NOTES[("questions", "round")](language)
    return replace(tab, rows=rows, notes=notes)


def _tab(
    spec: TabSpec,
    rows: list[list[Cell]],
    language: str,
    backend: str,
    *,
    widths: tuple[int, ...],
    formats: dict[int, str],
    validations: tuple[Validation, ...],
) -> SheetTab:
    on, off = word(CELL_ON, language), word(CELL_OFF, language)
    notes = {}
    for c, column in enumerate(spec.columns, start=1):
        note = _NOTES.get((spec.key, column.key)) or _NOTES[(spec.key, column.key, backend)]
        notes[(1, c)] = note(language, on=on, off=off)
    return SheetTab(
        title=spec.title(language),
        rows=[[column.header(language) for column in spec.columns], *rows],
        header_row=1,
        column_widths=widths,
        number_formats=formats,
        notes=notes,
        validations=validations,
    )
