"""The ``automation init`` template: the secretary's three tabs with the article's examples.

A new spreadsheet starts with 16 example questions built from the facts of the
article the practice comes from, six fictional members and one example round,
and a note on every header saying what goes in it, so a secretary can learn
the layout by reading it and replace the examples with her own.
"""

from __future__ import annotations

from datetime import datetime

from automation import layout
from automation.i18n import Text
from automation.ports import SheetTab, Validation
from automation.tabcells import DATETIME_FORMAT
from automation.text import Cell

#: When the example round opens: a wall time in the configured zone, edited by the secretary.
EXAMPLE_OPENS_AT = datetime(2027, 1, 12, 19, 30)

CHI_THI_22 = "Chỉ thị số 22, ngày 13-7-2022"
QUY_DINH_1120 = "Quy định số 1120, ngày 01-6-2022"
KET_LUAN_01 = "Kết luận số 01 của Bộ Chính trị"
THE_LE = "Thể lệ thi trắc nghiệm hằng tháng của chi bộ"
MO_HINH = "Mô hình “Khắc sâu tư tưởng của đảng viên”, Chi bộ Trường Tiểu học Long Trị A1"
SAU_TOT = "Mô hình “Chi bộ 6 tốt, đảng viên 6 tốt”, Đảng ủy xã Long Trị A"

# (question, options, answer, points, source, explanation, for the example round)
_EXAMPLES: tuple[tuple[str, tuple[Cell, ...], str, int | None, str, str, bool], ...] = (
    (
        "Chỉ thị số 22, ngày 13-7-2022 về tăng cường sự lãnh đạo của Đảng trong xây dựng "
        "đội ngũ cán bộ, đảng viên, công chức, viên chức của tỉnh nào?",
        ("Hậu Giang", "Cần Thơ", "Sóc Trăng", "Bạc Liêu"),
        "A",
        None,
        CHI_THI_22,
        "Chỉ thị số 22 nói về đội ngũ cán bộ, đảng viên, công chức, viên chức tỉnh Hậu Giang.",
        False,
    ),
    (
        "Chỉ thị số 22 về xây dựng đội ngũ cán bộ, đảng viên, công chức, viên chức tỉnh "
        "Hậu Giang được ban hành ngày nào?",
        ("01-6-2022", "13-7-2022", "19-5-2022", "02-9-2022"),
        "B",
        None,
        CHI_THI_22,
        "Chỉ thị số 22 ban hành ngày 13-7-2022.",
        False,
    ),
    (
        "Theo Chỉ thị số 22, đội ngũ cán bộ, đảng viên, công chức, viên chức tỉnh Hậu Giang "
        "cần có những phẩm chất nào? (Chọn tất cả các ý đúng.)",
        (
            "Bản lĩnh chính trị vững vàng",
            "Phẩm chất đạo đức tốt",
            "Có khát vọng, năng lực, uy tín ngang tầm nhiệm vụ",
            "Chỉ cần có thâm niên công tác lâu năm",
        ),
        "A, B, C",
        2,
        CHI_THI_22,
        "Chỉ thị nêu: bản lĩnh chính trị vững vàng, phẩm chất đạo đức tốt, có khát vọng, "
        "năng lực, uy tín ngang tầm nhiệm vụ.",
        False,
    ),
    (
        "Quy định số 1120, ngày 01-6-2022 của Ban Chấp hành Đảng bộ tỉnh quy định về nội dung gì?",
        (
            "Chế độ sinh hoạt chi bộ hằng tháng",
            "Bộ tiêu chí đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức, "
            "người lao động",
            "Công tác thi đua, khen thưởng",
            "Tuyển dụng công chức, viên chức",
        ),
        "B",
        None,
        QUY_DINH_1120,
        "Quy định số 1120 quy định bộ tiêu chí đánh giá, xếp loại chất lượng cán bộ, công chức, "
        "viên chức, người lao động trên địa bàn tỉnh.",
        False,
    ),
    (
        "Quy định về bộ tiêu chí đánh giá, xếp loại chất lượng cán bộ, công chức, viên chức, "
        "người lao động trên địa bàn tỉnh, ngày 01-6-2022, mang số nào?",
        (22, 1120, 5, 1),
        "B",
        None,
        QUY_DINH_1120,
        "Đó là Quy định số 1120.",
        False,
    ),
    (
        "Quy định số 1120, ngày 01-6-2022 do cơ quan nào ban hành?",
        ("Bộ Chính trị", "Ban Chấp hành Đảng bộ tỉnh", "Thị ủy Long Mỹ", "Ban Bí thư"),
        "B",
        None,
        QUY_DINH_1120,
        "Quy định số 1120 là của Ban Chấp hành Đảng bộ tỉnh.",
        False,
    ),
    (
        "Kết luận số 01 của Bộ Chính trị là về tiếp tục thực hiện văn bản nào?",
        ("Chỉ thị số 05 của Bộ Chính trị", CHI_THI_22, QUY_DINH_1120, "Nghị quyết đại hội chi bộ"),
        "A",
        None,
        KET_LUAN_01,
        "Kết luận số 01 là về tiếp tục thực hiện Chỉ thị số 05 của Bộ Chính trị.",
        False,
    ),
    (
        "Chỉ thị số 05 của Bộ Chính trị, được Kết luận số 01 tiếp tục thực hiện, có nội dung gì?",
        (
            "Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",
            "Bộ tiêu chí đánh giá, xếp loại chất lượng cán bộ",
            "Tăng cường công tác kiểm tra, giám sát",
            "Xây dựng chi bộ trong sạch, vững mạnh",
        ),
        "A",
        None,
        KET_LUAN_01,
        "Chỉ thị số 05 về “Đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách "
        "Hồ Chí Minh”.",
        False,
    ),
    (
        "Kết luận số 01 về tiếp tục thực hiện Chỉ thị số 05 do cơ quan nào ban hành?",
        ("Quốc hội", "Chính phủ", "Bộ Chính trị", "Ban Chấp hành Đảng bộ tỉnh"),
        "C",
        None,
        KET_LUAN_01,
        "Đó là Kết luận số 01 của Bộ Chính trị.",
        False,
    ),
    (
        "Mỗi kỳ thi trắc nghiệm hằng tháng của chi bộ có bao nhiêu câu hỏi?",
        ("3 câu", "Từ 5 đến 10 câu, tùy theo nội dung", "20 câu", "50 câu"),
        "B",
        None,
        THE_LE,
        "Mỗi kỳ có từ 5 đến 10 câu hỏi, tùy theo nội dung.",
        False,
    ),
    (
        "Số điểm tối đa của mỗi kỳ thi trắc nghiệm là bao nhiêu?",
        (5, 10, 20, 100),
        "B",
        None,
        THE_LE,
        "Điểm tối đa là 10.",
        False,
    ),
    (
        "Thời gian bình quân cho mỗi câu trả lời trực tuyến là bao lâu?",
        ("10 giây", "30 giây", "1 phút", "5 phút"),
        "B",
        None,
        THE_LE,
        "Bình quân 30 giây cho mỗi câu.",
        False,
    ),
    (
        "Ai là người về nhất trong kỳ thi tháng?",
        (
            "Người nộp bài sớm nhất, dù điểm thấp",
            "Người có điểm cao nhất; nếu bằng điểm, người nộp bài sớm hơn",
            "Người lớn tuổi đảng nhất",
            "Người được chi ủy chỉ định",
        ),
        "B",
        None,
        THE_LE,
        "Người có điểm cao nhất và nộp bài sớm nhất về nhất, được tuyên dương, tặng quà lưu niệm.",
        False,
    ),
    (
        "Trong mô hình “Chi bộ 6 tốt, đảng viên 6 tốt”, nội dung “đảng viên 6 tốt” được xác "
        "định trên bao nhiêu tiêu chí?",
        (4, 5, 6, 8),
        "C",
        None,
        SAU_TOT,
        "“Đảng viên 6 tốt” được xác định trên 6 tiêu chí.",
        False,
    ),
    (
        "Mô hình “Khắc sâu tư tưởng của đảng viên” được Chi bộ Trường Tiểu học Long Trị A1 "
        "thực hiện vào năm nào?",
        (2020, 2021, 2022, 2023),
        "C",
        None,
        MO_HINH,
        "Mô hình được thực hiện vào năm 2022; đầu năm 2023 được Thị ủy Long Mỹ công nhận.",
        True,
    ),
    (
        "Chi bộ tổ chức thi trắc nghiệm tìm hiểu chỉ thị, nghị quyết vào dịp nào?",
        (
            "Trong cuộc sinh hoạt chi bộ hằng tháng",
            "Chỉ vào dịp đại hội chi bộ",
            "Vào hội nghị tổng kết cuối năm",
            "Khi có đợt kiểm tra của cấp trên",
        ),
        "A",
        None,
        MO_HINH,
        "Chi bộ tổ chức thi trong cuộc sinh hoạt lệ hằng tháng.",
        True,
    ),
)

_MEMBERS = (
    ("Nguyễn Văn An", "an.nguyen@example.com", "Bí thư chi bộ (ví dụ)"),
    ("Trần Thị Bích Ngọc", "ngoc.tran@example.com", ""),
    ("Lê Hoàng Phúc", "", ""),
    ("Phạm Thu Hà", "ha.pham@example.com", ""),
    ("Võ Minh Khoa", "", ""),
    ("Huỳnh Thị Mai", "", ""),
)

_OPTION_NOTE = Text(
    "Phương án {letter}. Điền ít nhất 2 phương án, liên tiếp từ A (không bỏ trống B rồi điền C), "
    "không trùng nhau.",
    "Option {letter}. Fill at least 2 options, in order from A (no C without B), no two alike.",
)
_NOTES = {
    ("questions", "round"): Text(
        "Để trống: câu hỏi thuộc ngân hàng chung, dùng cho mọi kỳ. Ghi mã kỳ thi (như ở trang "
        "Lịch thi, ví dụ 2023-03): câu hỏi dành riêng cho kỳ đó và được chọn trước.",
        "Blank: the question is in the general pool. A round id (as in Schedule, e.g. "
        "2023-03): the question belongs to that round and is chosen first.",
    ),
    ("questions", "question"): Text("Nội dung câu hỏi (bắt buộc).", "The question (required)."),
    ("questions", "answer"): Text(
        "Bắt buộc: chữ cái của phương án đúng, ví dụ B. Câu phải chọn đủ nhiều phương án mới "
        "đúng: ghi các chữ cách nhau bằng dấu phẩy, ví dụ A, C.",
        "Required: the letter of the correct option, e.g. B. For a question where several "
        "must all be ticked, separate the letters with commas, e.g. A, C.",
    ),
    ("questions", "points"): Text(
        "Không bắt buộc: số nguyên dương, mặc định 1 (câu khó có thể cho 2). "
        "Tổng điểm được quy về thang điểm 10.",
        "Optional: a positive whole number, default 1 (a hard question may count 2). "
        "The total is scaled to 10.",
    ),
    ("questions", "source"): Text(
        "Không bắt buộc: văn bản mà câu hỏi tìm hiểu; hiện trong trang Thống kê câu hỏi.",
        "Optional: the document the question tests; shown in Question stats.",
    ),
    ("questions", "explanation"): Text(
        "Không bắt buộc: lời giải thích hiện cho đảng viên sau khi nộp bài.",
        "Optional: the explanation shown to the member after submitting.",
    ),
    ("questions", "used_in"): Text(
        "Dịch vụ tự ghi các kỳ thi đã dùng câu hỏi này; không cần sửa. "
        "Câu đã dùng không được chọn lại từ ngân hàng chung.",
        "Written by the service: the rounds that used this question; leave it. "
        "A used question is not drawn again from the general pool.",
    ),
    ("members", "name"): Text(
        "Bắt buộc, không trùng nhau. Đảng viên chọn tên này khi làm bài.",
        "Required, no two alike. Members pick this name when taking the quiz.",
    ),
    ("members", "email"): Text(
        'Không bắt buộc; cần khi cấu hình identity = "email" (đăng nhập tài khoản Google).',
        'Optional; required when the config says identity = "email" (Google sign-in).',
    ),
    ("members", "note"): Text(
        "Không bắt buộc; dịch vụ không đọc cột này.",
        "Optional; the service does not read it.",
    ),
    ("schedule", "round"): Text(
        "Bắt buộc, không trùng nhau, ví dụ 2023-03. Trang kết quả mang tên này "
        "(không dùng các ký tự / \\ ? * [ ] :).",
        "Required, no two alike, e.g. 2023-03. The results tab is named after it "
        "(no / \\ ? * [ ] : characters).",
    ),
    ("schedule", "opens_at"): Text(
        "Bắt buộc: ngày giờ mở bài thi, dạng dd/mm/yyyy hh:mm (giờ địa phương). Sửa sang giờ "
        "mới để dời lịch.",
        "Required: when the quiz opens, as dd/mm/yyyy hh:mm (local time). Change it to reschedule.",
    ),
    ("schedule", "questions"): Text(
        "Không bắt buộc: từ 5 đến 10 câu; để trống thì theo cấu hình.",
        "Optional: 5 to 10 questions; blank takes the configured number.",
    ),
    ("schedule", "seconds"): Text(
        "Không bắt buộc: số giây cho mỗi câu, mặc định 30.",
        "Optional: seconds per question, default 30.",
    ),
    ("schedule", "status"): Text(
        "Dịch vụ tự ghi: Chờ, Đã chuẩn bị, Đang mở, Đã đóng, Đã xếp hạng, Lỡ lịch, Lỗi. "
        "Muốn chấm lại sau khi sửa đáp án, ghi: Xếp hạng lại.",
        "Written by the service: Pending, Prepared, Open, Closed, Ranked, Missed, Error. "
        "To rank again after fixing an answer, write: Rank again.",
    ),
    ("schedule", "form_link"): Text(
        "Dịch vụ tự ghi: đường link đảng viên mở để làm bài.",
        "Written by the service: the link members open.",
    ),
    ("schedule", "form_id"): Text(
        "Dịch vụ tự ghi; không sửa.", "Written by the service; leave it."
    ),
    ("schedule", "opened_at"): Text(
        "Dịch vụ tự ghi: lúc bài thi thực sự bắt đầu nhận bài.",
        "Written by the service: when the quiz actually started taking responses.",
    ),
    ("schedule", "closed_at"): Text(
        "Dịch vụ tự ghi: lúc bài thi đóng.", "Written by the service: when the quiz closed."
    ),
    ("schedule", "note"): Text(
        "Dịch vụ tự ghi khi có việc cần sửa (Trạng thái Lỗi hoặc Lỡ lịch): làm theo hướng dẫn "
        "ở đây, lần chạy sau sẽ thử lại.",
        "Written by the service when something needs fixing (status Error or Missed): "
        "follow it; the next run retries.",
    ),
}
#: How many rows the template's drop-downs cover.
TEMPLATE_ROWS = 500


def template_tabs(language: str, *, opens_at: datetime | None = None) -> list[SheetTab]:
    """The secretary's three tabs with example rows, for ``automation init``.

    The examples come from the article the practice comes from (14 questions
    in the general pool, one that needs several options, two for the example
    round; six fictional members; one round opening at ``opens_at``, a wall
    time in the configured zone). Every header carries a note saying what
    goes in it.
    """
    opens = opens_at or EXAMPLE_OPENS_AT
    round_id = f"{opens:%Y-%m}"
    questions = layout.QUESTIONS
    question_rows: list[list[Cell]] = []
    for text, options, answer, points, source, explanation, in_round in _EXAMPLES:
        padded = [*options, *([None] * (len(layout.OPTION_LETTERS) - len(options)))]
        question_rows.append(
            [
                round_id if in_round else None,
                text,
                *padded,
                answer,
                points,
                source,
                explanation,
                None,
            ]
        )
    members: list[list[Cell]] = [
        [name, email or None, note or None] for name, email, note in _MEMBERS
    ]
    schedule: list[list[Cell]] = [[round_id, opens, 10, 30]]
    return [
        _template(
            questions,
            question_rows,
            language,
            widths=(10, 60, *([26] * len(layout.OPTION_LETTERS)), 9, 7, 32, 45, 14),
        ),
        _template(layout.MEMBERS, members, language, widths=(28, 30, 30)),
        _template(
            layout.SCHEDULE,
            schedule,
            language,
            widths=(10, 18, 8, 13, 14, 40, 20, 20, 20, 50),
            formats={1: "dd/mm/yyyy hh:mm", 7: DATETIME_FORMAT, 8: DATETIME_FORMAT},
            validations=(Validation(2, 2, TEMPLATE_ROWS, tuple(str(n) for n in range(5, 11))),),
        ),
    ]


def _template(
    spec: layout.TabSpec,
    rows: list[list[Cell]],
    language: str,
    *,
    widths: tuple[int, ...],
    formats: dict[int, str] | None = None,
    validations: tuple[Validation, ...] = (),
) -> SheetTab:
    notes = {}
    columns = [column for column in spec.columns if column.in_template]
    for c, column in enumerate(columns, start=1):
        note = _NOTES.get((spec.key, column.key))
        if note is None and column.key in layout.OPTION_LETTERS:
            note = _OPTION_NOTE
            notes[(1, c)] = note(language, letter=column.key)
        elif note is not None:
            notes[(1, c)] = note(language)
    return SheetTab(
        title=spec.title(language),
        rows=[[column.header(language) for column in columns], *rows],
        header_row=1,
        column_widths=widths,
        number_formats=formats or {},
        notes=notes,
        validations=validations,
    )
