"""The "6 tốt" rating's tabs: the ``Tiêu chí`` template, a new month's tab, the year's proposal.

Plain :class:`~automation.ports.SheetTab` data, as in :mod:`automation.report`;
the arithmetic lives in :mod:`automation.rating`. The year's tab is meant for
paper: a header block that says it is a proposal, one row per member grouped
by the proposed level (each group under its own bold heading), the cell last,
columns that fit the width of an A4 page in landscape (about 130 characters),
long texts broken into lines rather than cut off.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from automation.config import RatingSettings
from automation.i18n import Text
from automation.layout import (
    CRITERIA,
    DISCIPLINED,
    MEMBERS,
    MONTH_COLUMNS,
    MONTH_NAME,
    NOT_ENOUGH_MONTHS,
    RATING_YEAR,
    Mark,
    Side,
)
from automation.model import Member
from automation.ports import CellStyle, PageSetup, SheetTab, Validation
from automation.rating import (
    Criteria,
    Criterion,
    cell_label,
    month_levels,
    month_title,
    year_levels,
)
from automation.ratingyear import YearRow, YearTable
from automation.text import Cell, clean, normalize

#: Rows below the last one of a new month's tab that still get the drop-downs (members
#: added later are written there).
SPARE_ROWS = 100

# --- the Tiêu chí template ---------------------------------------------------------------

#: The article's criteria ("Chi bộ 6 tốt, đảng viên 6 tốt", Đảng ủy xã Long Trị A), worded
#: to stand alone and shortened; the militia's own discipline is put as the unit's.
ARTICLE_CRITERIA: tuple[tuple[Side, Text], ...] = (
    (Side.MEMBER, Text(
        "Thực hiện tốt việc học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.",
        "Studies and follows Ho Chi Minh's thought, morality and style well.",
    )),
    (Side.MEMBER, Text(
        "Rèn luyện, tu dưỡng đạo đức, lối sống; phòng, chống những biểu hiện “tự diễn biến”, "
        "“tự chuyển hóa” trong nội bộ.",
        "Cultivates morality and lifestyle; guards against any sign of “self-evolution” and "
        "“self-transformation” within.",
    )),
    (Side.MEMBER, Text(
        "Chấp hành và thực hiện tốt kỷ luật của cơ quan, đơn vị; bảo đảm bí mật, an toàn "
        "tuyệt đối và hiệu quả.",
        "Observes the unit's discipline well; keeps secrets, absolute safety and "
        "effectiveness.",
    )),
    (Side.MEMBER, Text(
        "Đoàn kết tốt trong nội bộ, thương yêu, giúp đỡ đồng chí, đồng đội; kính trọng, gần "
        "gũi, gắn bó mật thiết với Nhân dân; sống có nghĩa, có tình.",
        "Keeps internal unity, cares for and helps comrades; respects, stays close to and "
        "bonds with the People; lives with loyalty and affection.",
    )),
    (Side.MEMBER, Text(
        "Luôn thể hiện và làm tốt tính tiên phong, gương mẫu trước tập thể.",
        "Always sets a pioneering example before the collective.",
    )),
    (Side.MEMBER, Text(
        "Luôn nhận và hoàn thành tốt chức trách, nhiệm vụ được giao; có bản cam kết và khắc "
        "phục tốt những hạn chế, khuyết điểm của bản thân đã được chỉ ra.",
        "Takes on and fulfils the duties assigned; makes a written commitment and remedies "
        "the shortcomings pointed out.",
    )),
    (Side.CELL, Text(
        "Lãnh đạo thực hiện tốt công tác giáo dục chính trị, tư tưởng và việc phòng, chống "
        "suy thoái về tư tưởng chính trị, đạo đức, lối sống, “tự diễn biến”, “tự chuyển hóa” "
        "trong nội bộ.",
        "Leads political and ideological education well, and the fight against political, "
        "ideological, moral and lifestyle degradation, “self-evolution” and "
        "“self-transformation” within.",
    )),
    (Side.CELL, Text(
        "Lãnh đạo chấp hành, thực hiện tốt chủ trương, nghị quyết, chỉ thị của Đảng, chính "
        "sách, pháp luật của Nhà nước, kỷ luật của đơn vị; bảo đảm bí mật, an toàn tuyệt đối "
        "và hiệu quả.",
        "Leads the observance of the Party's policies, resolutions and directives, the "
        "State's policies and laws and the unit's discipline; keeps secrets, absolute safety "
        "and effectiveness.",
    )),
    (Side.CELL, Text(
        "Lãnh đạo tốt việc xây dựng đoàn kết nội bộ, tập trung dân chủ, quy chế làm việc của "
        "cơ quan và của chi bộ.",
        "Leads the building of internal unity, democratic centralism and the working rules "
        "of the unit and of the cell.",
    )),
    (Side.CELL, Text(
        "Lãnh đạo thực hiện hoàn thành tốt nhiệm vụ chính trị được giao.",
        "Leads the fulfilment of the political tasks assigned.",
    )),
    (Side.CELL, Text(
        "Lãnh đạo thực hiện tốt công tác kiểm tra, giám sát, kỷ luật đảng trong chi bộ.",
        "Leads inspection, supervision and Party discipline within the cell well.",
    )),
    (Side.CELL, Text(
        "Lãnh đạo thực hiện tốt việc khắc phục hạn chế, khuyết điểm đã được nêu ra.",
        "Leads the remedy of the shortcomings and weaknesses pointed out.",
    )),
)

_CRITERIA_NOTES = {
    "side": Text(
        "Bắt buộc: Đảng viên (tiêu chí chấm cho từng đảng viên) hoặc Chi bộ (tiêu chí chấm "
        "cho chi bộ).",
        "Required: Member (a criterion each member is rated on) or Cell (one the cell is "
        "rated on).",
    ),
    "number": Text(
        "Bắt buộc: 1, 2, 3…, đánh số riêng cho Đảng viên và cho Chi bộ, nhiều nhất 10 tiêu chí "
        "mỗi bên. Số này là tiêu đề cột của tiêu chí trong các trang Đánh giá hằng tháng.",
        "Required: 1, 2, 3…, numbered apart for members and for the cell, at most 10 each. "
        "The number heads the criterion's column in every monthly Rating tab.",
    ),
    "text": Text(
        "Bắt buộc: nội dung tiêu chí; hiện ở ghi chú của tiêu đề cột trong trang Đánh giá và "
        "trong phiếu tự đánh giá. Mẫu theo mô hình “Chi bộ 6 tốt, đảng viên 6 tốt” của Đảng "
        "ủy xã Long Trị A: hãy sửa cho sát với chi bộ mình.",
        "Required: the criterion; shown in the note of its column header in the Rating tabs "
        "and in the self-assessment form. The examples follow the “six good cell, six good "
        "member” model of the Long Trị A commune Party committee: adapt them to your cell.",
    ),
    "weight": Text(
        "Không bắt buộc: số nguyên dương, mặc định 1. Điểm tháng = tổng trọng số các tiêu chí "
        "đạt / tổng trọng số × 100.",
        "Optional: a positive whole number, default 1. A month's points = weights of the "
        "criteria met / all weights × 100.",
    ),
}


def criteria_template(language: str) -> SheetTab:
    """``Tiêu chí`` for ``automation init``: the article's six criteria for members, six for
    the cell, weight 1 each; every header carries a note."""
    counters = {Side.MEMBER: 0, Side.CELL: 0}
    columns = [c for c in CRITERIA.columns if c.in_template]
    rows: list[list[Cell]] = [[c.header(language) for c in columns]]
    for side, text in ARTICLE_CRITERIA:
        counters[side] += 1
        values: dict[str, Cell] = {"side": side.label(language), "number": counters[side],
                                   "weight": 1, "text": text(language)}
        rows.append([values[c.key] for c in columns])
    notes = {
        (1, c): _CRITERIA_NOTES[column.key](language)
        for c, column in enumerate(columns, start=1)
    }
    sides = tuple(side.label(language) for side in Side)
    return SheetTab(
        title=CRITERIA.title(language),
        rows=rows,
        header_row=1,
        column_widths=(12, 6, 10, 100),
        number_formats={1: "0", 2: "0"},
        notes=notes,
        validations=(Validation(0, 2, len(rows) + SPARE_ROWS, sides),),
    )


# --- a new month's tab -------------------------------------------------------------------

_PAGE_FOOTER = Text("Trang {page}/{pages}", "Page {page} of {pages}")

_NAME_NOTE = Text(
    "Dịch vụ ghi họ và tên theo trang {members} và một dòng {cell} cho chi bộ. Không sửa "
    "tên: tên phải khớp với trang {members} để tính xếp loại năm.",
    "Written by the service from the {members} tab, with a {cell} row for the cell. Keep the "
    "names as they are: they must match {members} to count in the year.",
)
_CRITERION_NOTE = Text("{side}: {text}", "{side}: {text}")
_CRITERION_WEIGHT = Text(" (trọng số {weight})", " (weight {weight})")
_CRITERION_NONE = Text(
    "{side}: không có tiêu chí số {number}, để trống.",
    "{side}: no criterion {number}; leave blank.",
)
_CRITERION_FILL = Text(
    "Chi ủy chọn {met} hoặc {not_met}; để trống là chưa đánh giá.",
    "The cell committee picks {met} or {not_met}; blank is not rated yet.",
)
_NOT_APPLICABLE_NOTE = Text(
    "{side} không có tiêu chí số {number}: để trống ô này.",
    "{side} has no criterion {number}: leave this cell blank.",
)
_MONTH_NOTES = {
    "disciplined": Text(
        "Ghi {yes} (hoặc hình thức kỷ luật) nếu trong tháng bị kỷ luật; để trống nếu không. "
        "Có tháng bị kỷ luật thì đề xuất xếp loại năm không quá mức {second}.",
        "Write {yes} (or the form of discipline) if disciplined during the month; blank if "
        "not. A disciplined month caps the year's proposal at {second}.",
    ),
    "note": Text("Không bắt buộc; dịch vụ không đọc cột này.",
                 "Optional; the service does not read it."),
    "self": Text(
        "Dịch vụ tự ghi (khi bật tự đánh giá): ý kiến tự đánh giá của đảng viên, ví dụ "
        "5/6 — chưa đạt: 3. Điểm vẫn theo đánh giá của chi ủy.",
        "Written by the service (when self-assessment is on): the member's own view, e.g. "
        "5/6 — not met: 3. The points still follow the cell committee's marks.",
    ),
    "points": Text(
        "Dịch vụ tự tính khi đã đánh giá đủ mọi tiêu chí của dòng: tổng trọng số tiêu chí đạt "
        "/ tổng trọng số × 100.",
        "Worked out by the service once every criterion of the row is marked: weights met / "
        "all weights × 100.",
    ),
    "level": Text(
        "Dịch vụ tự ghi: {levels}. Dòng chưa đánh giá đủ ghi các tiêu chí còn trống.",
        "Written by the service: {levels}. A row not fully marked lists the criteria still "
        "blank.",
    ),
}
_LEVEL_RULE = Text("{name} (từ {threshold} điểm)", "{name} (from {threshold} points)")
_LEVEL_LAST = Text("{name} (dưới {threshold})", "{name} (below {threshold})")


def month_tab(
    month: str,
    *,
    members: Sequence[Member],
    criteria: Criteria,
    settings: RatingSettings,
    language: str = "vi",
    self_assessments: Mapping[str, str] | None = None,
) -> SheetTab:
    """``Đánh giá <yyyy-mm>``: one row per member, then ``Chi bộ``; blank marks to fill.

    One column per criterion number (member and cell criteria share the
    numbered columns; the header's note gives both texts), each a drop-down
    ``Đạt`` / ``Chưa đạt``; then ``Kỷ luật`` (drop-down ``Có``), ``Ghi chú`` and
    the service columns. The drop-downs reach :data:`SPARE_ROWS` rows further,
    where :func:`automation.rating.plan_month` adds members who join later.
    """
    if not criteria.usable:
        raise ValueError("the criteria have problems (or there is no Tiêu chí tab)")
    numbers = criteria.numbers
    by_side = {side: {c.number: c for c in criteria.of(side)} for side in Side}
    selves = {normalize(k): clean(v) for k, v in (self_assessments or {}).items()}
    # The numbers as text, so they sit left like the marks under them.
    header: list[Cell] = [MONTH_NAME.header(language), *(str(n) for n in numbers),
                          *(c.header(language) for c in MONTH_COLUMNS)]
    rest = len(MONTH_COLUMNS)
    rows: list[list[Cell]] = [header]
    for member in members:
        self_text = selves.get(member.key) or None
        rows.append([member.name, *([None] * len(numbers)), None, None, self_text, None, None])
    rows.append([cell_label(language), *([None] * (len(numbers) + rest))])
    cell_row = len(rows)
    last = cell_row + SPARE_ROWS
    member_ranges = [(2, cell_row - 1), (cell_row + 1, last)] if members else [
        (cell_row + 1, last)]

    notes: dict[tuple[int, int], str] = {
        (1, 1): _NAME_NOTE(language, members=MEMBERS.title(language), cell=cell_label(language))
    }
    validations: list[Validation] = []
    marks = (Mark.MET.label(language), Mark.NOT_MET.label(language))
    for offset, number in enumerate(numbers):
        column = 2 + offset
        lines = []
        for side in Side:
            criterion = by_side[side].get(number)
            lines.append(_criterion_line(side, number, criterion, language))
        lines.append(_CRITERION_FILL(language, met=marks[0], not_met=marks[1]))
        notes[(1, column)] = "\n".join(lines)
        ranges = []
        if number in by_side[Side.MEMBER]:
            ranges += member_ranges
        if number in by_side[Side.CELL]:
            ranges.append((cell_row, cell_row))
        else:
            notes[(cell_row, column)] = _NOT_APPLICABLE_NOTE(
                language, side=Side.CELL.label(language), number=number)
        validations += [Validation(column - 1, first, end, marks)
                        for first, end in _joined(ranges)]
    first_rest = 2 + len(numbers)
    second = year_levels(settings, language)[1]
    yes = DISCIPLINED[1] if language == "en" else DISCIPLINED[0]
    for offset, spec in enumerate(MONTH_COLUMNS):
        note = _MONTH_NOTES[spec.key]
        fields: dict[str, object] = {"yes": yes, "second": second,
                                     "levels": _level_rules(settings, language)}
        notes[(1, first_rest + offset)] = note(language, **fields)
    validations.append(Validation(first_rest - 1, 2, last, (yes,)))
    points_column = first_rest + 3
    return SheetTab(
        title=month_title(month, language),
        rows=rows,
        header_row=1,
        bold_rows=frozenset({cell_row}),
        column_widths=(28, *([9] * len(numbers)), 9, 24, 26, 8, 20),
        number_formats={points_column - 1: "0.00"},
        notes=notes,
        validations=tuple(validations),
        page=PageSetup(landscape=True, repeat_rows=(1, 1), footer=_PAGE_FOOTER(language)),
    )


def _criterion_line(side: Side, number: int, criterion: Criterion | None, language: str) -> str:
    if criterion is None:
        return _CRITERION_NONE(language, side=side.label(language), number=number)
    line = _CRITERION_NOTE(language, side=side.label(language), text=clean(criterion.text))
    if criterion.weight != 1:
        line += _CRITERION_WEIGHT(language, weight=criterion.weight)
    return line


def _level_rules(settings: RatingSettings, language: str) -> str:
    names = month_levels(settings, language)
    thresholds = [_figure(t, language) for t in settings.month_thresholds]
    parts = [_LEVEL_RULE(language, name=n, threshold=t)
             for n, t in zip(names, thresholds, strict=False)]
    parts.append(_LEVEL_LAST(language, name=names[-1], threshold=thresholds[-1]))
    return "; ".join(parts)


def _joined(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Row ranges with touching ones merged, in order."""
    merged: list[tuple[int, int]] = []
    for first, end in sorted(r for r in ranges if r[0] <= r[1]):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((first, end))
    return merged


def _figure(value: float, language: str) -> str:
    """A threshold as people write it: ``80``, ``85,5`` (vi) / ``85.5`` (en)."""
    text = f"{value:g}"
    return text if language == "en" else text.replace(".", ",")


# --- the year's proposal -----------------------------------------------------------------

YEAR_HEADING = Text(
    "ĐỀ XUẤT XẾP LOẠI CHẤT LƯỢNG NĂM {year} — “CHI BỘ 6 TỐT, ĐẢNG VIÊN 6 TỐT”",
    "PROPOSED QUALITY RATING FOR {year} — “SIX GOOD CELL, SIX GOOD MEMBERS”",
)
YEAR_PROPOSAL = Text(
    "Đây là bản đề xuất để chi bộ xem xét tại cuộc họp đánh giá, xếp loại cuối năm; việc "
    "quyết định thuộc về chi bộ và cấp ủy cấp trên theo quy định của Đảng. Chương trình không "
    "tự thay đổi mức nào.",
    "This is a proposal for the cell's year-end rating meeting; the decision rests with the "
    "cell and the higher Party committee, as Party rules say. The program changes no level "
    "by itself.",
)
YEAR_BASIS = Text(
    "Căn cứ: các trang Đánh giá tháng 1 đến tháng {through}/{year}. Mức đề xuất theo điểm "
    "trung bình các tháng đã đánh giá: {rules}. Có tháng bị kỷ luật: không quá mức {second}. "
    "Dưới {min_months} tháng được đánh giá: {not_enough}.",
    "Based on: the Rating tabs of months 1 to {through} of {year}. The proposal follows the "
    "average points of the rated months: {rules}. A disciplined month: at most {second}. "
    "Fewer than {min_months} rated months: {not_enough}.",
)
YEAR_RULE = Text("từ {threshold} điểm: {name}", "from {threshold} points: {name}")
YEAR_RULE_LAST = Text("dưới {threshold}: {name}", "below {threshold}: {name}")
YEAR_SUMMARY = Text("Tổng hợp đề xuất ({members} đảng viên): {counts}.",
                    "Proposals ({members} members): {counts}.")
YEAR_CAP = Text(
    "LƯU Ý: {excellent} đảng viên được đề xuất {first}, nhiều hơn {percent}% của {good} đảng "
    "viên được đề xuất {second} (tối đa {allowed}). Chi bộ cân nhắc tại cuộc họp; chương "
    "trình không tự thay đổi.",
    "NOTE: {excellent} members are proposed for {first}, more than {percent}% of the {good} "
    "proposed for {second} (at most {allowed}). The cell weighs this at its meeting; the "
    "program changes nothing by itself.",
)
YEAR_MADE = Text("Lập ngày {day}.", "Made on {day}.")
YEAR_CELL_GROUP = Text("Chi bộ (tổ chức đảng)", "The cell (the Party organisation)")
YEAR_GROUP = Text("{name}: {count}", "{name}: {count}")
YEAR_LEVELS_GROUP = Text("Số tháng theo xếp loại tháng", "Months per monthly level")
# Two header rows: (upper, lower) of each column; the monthly levels come after the third.
YEAR_COLUMNS = (
    Text("\nSTT", "\nNo."),
    Text("\nHọ và tên", "\nName"),
    Text("Số tháng\nđánh giá", "Months\nrated"),
    Text("Điểm TB\ntháng", "Average\npoints"),
    Text("Số tháng\nkỷ luật", "Months\ndisciplined"),
    Text("Số kỳ thi\nđã dự (/{held})", "Quiz rounds\ntaken (/{held})"),
    Text("Điểm thi\nTB (/10)", "Quiz avg\n(/10)"),
    Text("ĐỀ XUẤT\nxếp loại năm", "PROPOSED\nyear level"),
)
NOTE_MISSING = Text("chưa đánh giá tháng {months}", "months {months} not rated")
NOTE_TOO_FEW = Text(
    "mới đánh giá {rated}/{needed} tháng cần có", "only {rated} of the {needed} months needed"
)
NOTE_CAPPED = Text(
    "bị kỷ luật tháng {months}: không quá {second} (theo điểm: {by_points})",
    "disciplined in month {months}: at most {second} (by points: {by_points})",
)
NOTE_LINE = Text("Ghi chú: {notes}.", "Note: {notes}.")
# The level columns take the fourth width. 129 characters in all: one A4 page in landscape.
YEAR_WIDTHS = (4, 22, 8, 7, 8, 11, 11, 9, 28)
LINE_WIDTH = 140  # characters of a header block line or a note: the table's width (text is
# narrower than the digit a column width counts)


def year_tab(
    table: YearTable, *, settings: RatingSettings, language: str = "vi",
    made_on: date | None = None,
) -> SheetTab:
    """``Xếp loại <year>``: the year's proposal, for printing and for the cell's meeting.

    A header block (what this is, the rules applied, the counts, the cap
    warning in a line of its own), then one row per member under the heading
    of the proposed level, best first, each member's notes (months missing,
    the discipline cap) on the line below; the cell last. No cell holds more
    than one line, so nothing is cut off or overlaps on paper.
    """
    year_names = year_levels(settings, language)
    month_names = month_levels(settings, language)
    not_enough = NOT_ENOUGH_MONTHS[1] if language == "en" else NOT_ENOUGH_MONTHS[0]
    members = [r for r in table.rows if r.side is Side.MEMBER]
    level_count = len(month_names)
    width = len(YEAR_COLUMNS) + level_count
    rules = [YEAR_RULE(language, threshold=_figure(t, language), name=n)
             for t, n in zip(settings.year_thresholds, year_names, strict=False)]
    rules.append(YEAR_RULE_LAST(language, threshold=_figure(settings.year_thresholds[-1],
                                                             language), name=year_names[-1]))
    counts = [f"{name}: {table.count(i)}" for i, name in enumerate(year_names)]
    counts.append(f"{not_enough}: {sum(1 for r in members if r.proposal is None)}")

    rows: list[list[Cell]] = []
    bold: set[int] = set()
    highlight: set[int] = set()

    def lines(text: str, column: int = 0, *, padded: bool = False) -> list[int]:
        """``text`` on as many rows as it takes, from ``column``; their row numbers."""
        added = []
        for line in _wrap(text, LINE_WIDTH - sum(YEAR_WIDTHS[:column])).split("\n"):
            row: list[Cell] = [*([None] * column), line]
            rows.append(row + [None] * (width - len(row)) if padded else row)
            added.append(len(rows))
        return added

    bold.update(lines(YEAR_HEADING(language, year=table.year)))
    lines(YEAR_PROPOSAL(language))
    lines(YEAR_BASIS(language, through=table.through, year=table.year, rules="; ".join(rules),
                     second=year_names[1], min_months=settings.min_months,
                     not_enough=not_enough))
    lines(YEAR_SUMMARY(language, members=len(members), counts="; ".join(counts)))
    if table.cap_exceeded:
        warning = lines(YEAR_CAP(language, excellent=table.count(0), first=year_names[0],
                                 percent=table.cap_percent, good=table.count(1),
                                 second=year_names[1], allowed=table.cap_allowed),
                        padded=True)
        highlight.update(warning)
        bold.update(warning)
    if made_on is not None:
        lines(YEAR_MADE(language, day=made_on.strftime("%d/%m/%Y")))
    rows.append([])
    rows.append([None, None, None, YEAR_LEVELS_GROUP(language)])
    held = max((r.quiz_held for r in table.rows), default=0)
    heads = [t(language, held=held).split("\n") for t in YEAR_COLUMNS]
    levels = [_wrap(name, YEAR_WIDTHS[3], balanced=True).split("\n") for name in month_names]
    heads[3:3] = [["", *parts] if len(parts) == 1 else parts[:2] for parts in levels]
    rows.append([upper or None for upper, _ in heads])
    rows.append([lower for _, lower in heads])
    header_row = len(rows)
    bold.update({header_row - 2, header_row - 1})

    groups: list[tuple[str, list[YearRow]]] = [
        (name, [r for r in members if r.proposal == i]) for i, name in enumerate(year_names)
    ]
    groups.append((not_enough, [r for r in members if r.proposal is None]))
    cell_rows = [r for r in table.rows if r.side is Side.CELL]
    groups.append((YEAR_CELL_GROUP(language), cell_rows))
    number = 0
    for title, group in groups:
        if not group:
            continue
        heading = title if group is cell_rows else YEAR_GROUP(language, name=title,
                                                             count=len(group))
        rows.append([None, heading])
        bold.add(len(rows))
        for row in sorted(group, key=lambda r: -(r.average or 0)):
            if row.side is Side.MEMBER:
                number += 1
            rows.append(_year_row(number if row.side is Side.MEMBER else None, row,
                                  year_names, not_enough, language))
            notes = _year_notes(row, year_names, settings, language)
            if notes:
                lines(NOTE_LINE(language, notes="; ".join(notes)), column=2)
    first = 3 + level_count
    formats = {0: "0", 2: "0", **{3 + i: "0" for i in range(level_count)},
               first: "0.00", first + 1: "0", first + 2: "0", first + 3: "0.00"}
    widths = (*YEAR_WIDTHS[:3], *([YEAR_WIDTHS[3]] * level_count), *YEAR_WIDTHS[4:])
    # Numbers stand at the right of their columns: so do their headings, or on paper a
    # heading reads as the next column's.
    numeric_heads = {(row, column + 1): CellStyle(bold=True, align="right")
                     for row in (header_row - 1, header_row) for column in range(2, first + 4)}
    return SheetTab(
        title=RATING_YEAR.title(language, str(table.year)),
        rows=rows,
        header_row=header_row,
        bold_rows=frozenset(bold),
        highlight_rows=frozenset(highlight),
        column_widths=widths,
        number_formats=formats,
        cell_styles=numeric_heads,
        # One landscape A4 page across, the table's three header rows atop every page.
        page=PageSetup(landscape=True, repeat_rows=(header_row - 2, header_row),
                       footer=_PAGE_FOOTER(language)),
    )


def _year_row(number: int | None, row: YearRow, names: Sequence[str], not_enough: str,
              language: str) -> list[Cell]:
    return [
        number,
        cell_label(language) if row.side is Side.CELL else row.name,
        len(row.months_rated),
        *row.by_level,
        float(row.average) if row.average is not None else None,
        len(row.months_disciplined),
        row.quiz_taken,
        float(row.quiz_average) if row.quiz_average is not None else None,
        names[row.proposal] if row.proposal is not None else not_enough,
    ]


def _year_notes(row: YearRow, names: Sequence[str], settings: RatingSettings,
                language: str) -> list[str]:
    """Why a row's proposal is what it is, beyond the figures: months missing, the cap."""
    notes = []
    if row.proposal is None:
        notes.append(NOTE_TOO_FEW(language, rated=len(row.months_rated),
                                  needed=settings.min_months))
    if row.months_missing:
        months = ", ".join(str(int(m[5:])) for m in row.months_missing)
        notes.append(NOTE_MISSING(language, months=months))
    if row.capped:
        assert row.by_points is not None
        months = ", ".join(str(int(m[5:])) for m in row.months_disciplined)
        notes.append(NOTE_CAPPED(language, months=months, second=names[1],
                                 by_points=names[row.by_points]))
    return notes


def _wrap(text: str, width: int, *, balanced: bool = False) -> str:
    """``text`` broken into lines of at most ``width`` characters at spaces (a longer word
    stands alone). ``balanced``: two lines as even as the words allow (for short headers;
    in running Vietnamese text it would split words such as "xuất sắc")."""
    words = text.split()
    if len(text) <= width or len(words) < 2:
        return text
    lines: list[str] = []
    line = ""
    for word in words:
        candidate = f"{line} {word}" if line else word
        if len(candidate) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    lines.append(line)
    if balanced and len(lines) == 2:  # two lines: split where the longer of the two is shortest
        splits = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
        best = min(splits, key=lambda s: (max(len(s[0]), len(s[1])), len(s[0])))
        return "\n".join(best)
    return "\n".join(lines)
