"""A cell on the local backend, driven the way its people drive it.

The admin runs ``automation`` commands (``main([...])``, with ``--now`` for the
clock); the secretary edits the ``.xlsx`` file with a spreadsheet program
(openpyxl here); members answer through the local forms store. Tests read the
workbook back the way the secretary would.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl

from automation import config
from automation.backends import forms_db
from automation.layout import MEMBERS, QUESTIONS, SCHEDULE, TabSpec
from automation.localforms import LocalForms, Receipt
from automation.report import plain_name
from tests.cell import CellBase, toml_value

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime:
    """``"10/03/2023 14:00"`` in the cell's time zone."""
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=TZ)


def question_rows(
    count: int, *, prefix: str = "Câu", round_id: str = ""
) -> list[dict[str, object]]:
    """``count`` distinct questions whose answer is always B."""
    return [
        {
            "round": round_id,
            "question": f"{prefix} {n}: văn bản nào quy định nội dung số {n}?",
            "A": f"Phương án sai {n}",
            "B": f"Phương án đúng {n}",
            "C": f"Phương án khác {n}",
            "answer": "B",
            "source": f"Văn bản {n}",
        }
        for n in range(1, count + 1)
    ]


class LocalCell(CellBase):
    """A workbook, its settings, and the people around it."""

    def __init__(self, folder: Path, *, language: str = "vi",
                 rating: Mapping[str, object] | None = None, **quiz: object) -> None:
        self.folder = folder
        (folder / "config").mkdir(parents=True, exist_ok=True)
        lines = [f'language = "{language}"', 'timezone = "Asia/Ho_Chi_Minh"', "[quiz]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in quiz.items()]
        lines += ["[local]", 'workbook = "data/quiz.xlsx"', 'public_url = "http://quiz.local"']
        lines += ["[rating]", *(f"{k} = {toml_value(v)}" for k, v in (rating or {}).items())]
        self.config_file = folder / "config" / "settings.toml"
        self.config_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.settings = config.load(self.config_file)
        self.workbook = self.settings.local.workbook
        self.last_output = ""

    # --- the admin ----------------------------------------------------------

    # --- the secretary ------------------------------------------------------

    def write_tab(
        self, spec: TabSpec, rows: Sequence[Mapping[str, object]], *, language: str = "vi"
    ) -> None:
        """Replace a secretary tab's content with a header row and ``rows``."""
        book = openpyxl.load_workbook(self.workbook)
        title = next((s for s in book.sheetnames if spec.matches(s)), spec.title(language))
        if title in book.sheetnames:
            del book[title]
        sheet = book.create_sheet(title)
        # Opt-in columns (the personal code) only when a row fills them.
        keys = [c.key for c in spec.columns if c.in_template or any(c.key in r for r in rows)]
        sheet.append([spec.column(k).header(language) for k in keys])
        for row in rows:
            sheet.append([row.get(k) for k in keys])
        book.save(self.workbook)

    def edit(self, spec: TabSpec, row: int, key: str, value: object) -> None:
        """Change one cell as the secretary would (``row`` as the sheet numbers it)."""
        book = openpyxl.load_workbook(self.workbook)
        sheet = book[next(s for s in book.sheetnames if spec.matches(s))]
        header = [c.value for c in sheet[1]]
        column = next(i for i, h in enumerate(header, 1) if h and spec.column(key).matches(h))
        sheet.cell(row=row, column=column, value=value)
        book.save(self.workbook)

    def set_cells(self, title: str, values: Mapping[tuple[int, int], object]) -> None:
        book = openpyxl.load_workbook(self.workbook)
        for (row, column), value in values.items():
            book[title].cell(row=row, column=column, value=value)
        book.save(self.workbook)

    # --- reading the workbook back ------------------------------------------

    def grid(self, title: str) -> list[list[str]]:
        return [["" if c is None else str(c) for c in row] for row in self.tab(title)]

    def tab(self, title: str) -> list[list[object]]:
        book = openpyxl.load_workbook(self.workbook)
        return [list(r) for r in book[title].iter_rows(values_only=True)]

    def titles(self) -> list[str]:
        return openpyxl.load_workbook(self.workbook, read_only=True).sheetnames

    def rounds(self) -> dict[str, dict[str, str]]:
        """The schedule as {round: {column key: text}}, blank cells as ``""``."""
        rows = self.tab(next(t for t in self.titles() if SCHEDULE.matches(t)))
        header = rows[0]
        keys = []
        for cell in header:
            column = SCHEDULE.find_column(str(cell or ""))
            keys.append(column.key if column else str(cell))
        return {
            str(row[0]): {k: "" if v is None else str(v) for k, v in zip(keys, row, strict=False)}
            for row in rows[1:]
            if row and row[0] is not None
        }

    def text(self, title: str) -> str:
        """A whole tab as text, a line per row."""
        return "\n".join(" | ".join(str(c) for c in r if c is not None) for r in self.tab(title))

    def used(self) -> dict[int, str]:
        """The ``Đã dùng`` cells that are filled in, by sheet row."""
        rows = self.tab(next(t for t in self.titles() if QUESTIONS.matches(t)))
        column = next(
            i for i, h in enumerate(rows[0]) if h and QUESTIONS.column("used_in").matches(h)
        )
        return {
            n: str(r[column])
            for n, r in enumerate(rows, 1)
            if n > 1 and len(r) > column and r[column]
        }

    def fingerprint(self) -> object:
        """Changes whenever the service writes to the workbook."""
        return self.workbook.stat().st_mtime_ns

    def ranked(self, round_id: str) -> list[tuple[object, ...]]:
        """(rank, name, score) of the ranked table in the results tab."""
        rows = self.tab(f"Kết quả {round_id}")
        start = next(i for i, r in enumerate(rows) if r and r[0] in ("Hạng", "Rank"))
        out = []
        for row in rows[start + 1 :]:
            if not row or not isinstance(row[0], int):
                break
            out.append((row[0], plain_name(str(row[1])), row[2]))  # no 'Về nhất'
        return out

    # --- the members ----------------------------------------------------------

    def member_code(self, name: str) -> str:
        """The personal code the Members tab gives ``name`` (blank when none)."""
        rows = self.tab(next(t for t in self.titles() if MEMBERS.matches(t)))
        header = [str(h or "") for h in rows[0]]
        named = next(i for i, h in enumerate(header) if MEMBERS.column("name").matches(h))
        coded = next(i for i, h in enumerate(header) if MEMBERS.column("code").matches(h))
        row = next(r for r in rows[1:] if r and str(r[named]) == name)
        return "" if coded >= len(row) or row[coded] is None else str(row[coded])

    def answer(
        self,
        round_id: str,
        name: str,
        *,
        wrong: int = 0,
        started: datetime,
        submitted: datetime | None = None,
        code: str | None = None,
    ) -> Receipt:
        """A member opens the form at ``started`` and submits at ``submitted``.

        All answers are right except the first ``wrong`` questions of the form. A form that
        asks for the personal code gets ``code``, else the member's own from ``Đảng viên``.
        """
        form_id = str(self.rounds()[round_id]["form_id"])
        moment = {"now": started}
        forms = LocalForms(
            forms_db(self.settings), public_url="http://quiz.local", clock=lambda: moment["now"]
        )
        try:
            form = forms.form(form_id)
            assert form is not None, f"no form {form_id}"
            answers = {}
            for index, question in enumerate(form.spec.questions):
                if index < wrong:
                    answers[question.title] = [
                        next(o for o in question.options if o not in question.correct)
                    ]
                else:
                    answers[question.title] = list(question.correct)
            forms.start(form_id, name)
            moment["now"] = submitted or started + timedelta(seconds=40)
            if form.spec.ask_code and code is None:
                code = self.member_code(name)
            return forms.submit(form_id, name, answers, code=code if form.spec.ask_code else None)
        finally:
            forms.close_db()
