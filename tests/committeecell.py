"""A Party committee with a registry and a few cells, driven as its people drive it.

The committee's admin runs ``automation`` with ``registry`` set; each cell's
secretary edits her own spreadsheet; members answer their own cell's form of a
joint round. Local: workbooks (openpyxl) and the cells' forms stores; Google:
the fake Google (gspread, and the fake's member route).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl

from automation import config
from automation.backends import forms_db
from automation.cli import main
from automation.layout import CELLS, JOINT_ROUNDS, JOINT_SCHEDULE, QUESTIONS, TabSpec
from automation.localforms import LocalForms
from tests.cell import CellBase
from tests.googlecell import ADMIN, GoogleCell
from tests.localcell import LocalCell


class Committee:
    """The registry's admin: ``automation`` commands on the registry."""

    config_file: Path
    last_output = ""
    cells: dict[str, CellBase]

    def run(self, *args: str, now: datetime | None = None) -> int:
        argv = ["--config", str(self.config_file), *args]
        if now is not None:
            argv += ["--now", now.isoformat()]
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = main(argv)
        self.last_output = out.getvalue() + err.getvalue()
        return code

    def tick(self, now: datetime) -> int:
        return self.run("tick", now=now)

    def registry_tab(self, spec: TabSpec, rows: Sequence[Sequence[object]]) -> None:
        raise NotImplementedError

    def registry_grid(self, title: str) -> list[list[str]]:
        raise NotImplementedError

    def cells_tab(self, rows: Sequence[tuple[str, str, str]]) -> None:
        """``Chi bộ``: (name, spreadsheet, on)."""
        self.registry_tab(CELLS, [["Chi bộ", "Bảng tính", "Bật"], *map(list, rows)])

    def joint_schedule(self, rows: Sequence[Mapping[str, object]]) -> None:
        keys = ("round", "opens_at", "questions", "seconds")
        self.registry_tab(JOINT_SCHEDULE, [[JOINT_SCHEDULE.column(k).header("vi") for k in keys],
                                           *([r.get(k) for k in keys] for r in rows)])

    def joint_questions(self, rows: Sequence[Mapping[str, object]]) -> None:
        keys = [c.key for c in QUESTIONS.columns]
        self.registry_tab(QUESTIONS, [[QUESTIONS.column(k).header("vi") for k in keys],
                                      *([r.get(k) for k in keys] for r in rows)])

    def statuses(self) -> dict[str, str]:
        rows = self.registry_grid("Chi bộ")
        if "Trạng thái" not in rows[0]:
            return {}
        at = rows[0].index("Trạng thái")
        return {r[0]: r[at] if len(r) > at else "" for r in rows[1:] if r and r[0]}


def joint_rounds(cell: CellBase) -> dict[str, dict[str, str]]:
    """A cell's ``Thi chung`` as {round: {column key: text}}."""
    rows = cell.grid(JOINT_ROUNDS.title("vi"))  # type: ignore[attr-defined]
    keys = [(c.key if (c := JOINT_ROUNDS.find_column(h)) else h) for h in rows[0]]
    return {r[0]: dict(zip(keys, r, strict=False)) for r in rows[1:] if r and r[0]}


class LocalCommittee(Committee):
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        (folder / "config").mkdir(parents=True, exist_ok=True)
        self.config_file = folder / "config" / "settings.toml"
        self.config_file.write_text(
            'registry = "data/committee.xlsx"\ntimezone = "Asia/Ho_Chi_Minh"\n'
            '[local]\npublic_url = "http://quiz.local"\n', encoding="utf-8")
        self.settings = config.load(self.config_file)
        self.workbook = Path(self.settings.registry)
        self.cells = {}

    def add_cell(self, name: str, folder: Path) -> LocalCell:
        cell = LocalCell(folder)
        assert cell.run("init") == 0
        cell.schedule([])
        self.cells[name] = cell
        return cell

    def registry_tab(self, spec: TabSpec, rows: Sequence[Sequence[object]]) -> None:
        book = openpyxl.load_workbook(self.workbook)
        title = next((s for s in book.sheetnames if spec.matches(s)), spec.title("vi"))
        if title in book.sheetnames:
            del book[title]
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(list(row))
        book.save(self.workbook)

    def registry_grid(self, title: str) -> list[list[str]]:
        book = openpyxl.load_workbook(self.workbook)
        return [["" if c is None else str(c) for c in row]
                for row in book[title].iter_rows(values_only=True)]

    def titles(self) -> list[str]:
        return openpyxl.load_workbook(self.workbook, read_only=True).sheetnames

    def answer(self, name: str, round_id: str, member: str, *, wrong: int = 0,
               at: datetime) -> None:
        """A member of cell ``name`` answers its form of the joint round."""
        cell = self.cells[name]
        assert isinstance(cell, LocalCell)
        form_id = joint_rounds(cell)[round_id]["form_id"]
        forms = LocalForms(forms_db(cell.settings), public_url="", clock=lambda: at)
        try:
            form = forms.form(form_id)
            assert form is not None
            answers = {q.title: [next(o for o in q.options if o not in q.correct)] if i < wrong
                       else list(q.correct) for i, q in enumerate(form.spec.questions)}
            forms.start(form_id, member)
            forms.submit(form_id, member, answers)
        finally:
            forms.close_db()


class GoogleCommittee(Committee):
    def __init__(self, fake: Any, folder: Path) -> None:
        self.fake = fake
        self.folder = folder
        self.registry = GoogleCell(fake, folder / "registry")  # its sign-in and spreadsheet
        self.registry_id = fake.create_spreadsheet(ADMIN, "Đảng ủy xã", {"Chi bộ": [["Chi bộ"]]},
                                                   locale="vi_VN")
        (folder / "config").mkdir(parents=True, exist_ok=True)
        self.config_file = folder / "config" / "settings.toml"
        token = self.registry.folder / "config" / "credentials.json"
        self.config_file.write_text("\n".join([
            'backend = "google"', f'registry = "{self.registry_id}"',
            'timezone = "Asia/Ho_Chi_Minh"', "[google]",
            f'credentials = "{token.as_posix()}"', f'api_endpoint = "{fake.url}"', "",
        ]), encoding="utf-8")
        self.settings = config.load(self.config_file)
        self.cells = {}

    def add_cell(self, name: str, folder: Path) -> GoogleCell:
        cell = GoogleCell(self.fake, folder)
        cell.init()
        cell.schedule([])
        self.cells[name] = cell
        return cell

    def registry_tab(self, spec: TabSpec, rows: Sequence[Sequence[object]]) -> None:
        book = self.registry.gspread().open_by_key(self.registry_id)
        titles = [w.title for w in book.worksheets()]
        title = next((t for t in titles if spec.matches(t)), None)
        sheet = book.worksheet(title) if title else book.add_worksheet(spec.title("vi"), 100, 20)
        sheet.clear()
        values = [["" if v is None else (v.strftime("%d/%m/%Y %H:%M") if isinstance(
            v, datetime) else v) for v in row] for row in rows]
        sheet.update(values, "A1", value_input_option="RAW")

    def registry_grid(self, title: str) -> list[list[str]]:
        book = self.registry.gspread().open_by_key(self.registry_id)
        return book.worksheet(title).get_all_values()

    def titles(self) -> list[str]:
        return [t["properties"]["title"] for t in self.fake.spreadsheet(self.registry_id)["sheets"]]

    def answer(self, name: str, round_id: str, member: str, *, wrong: int = 0,
               at: datetime) -> None:
        cell = self.cells[name]
        assert isinstance(cell, GoogleCell)
        form_id = joint_rounds(cell)[round_id]["form_id"]
        cell.answer_form(form_id, member, wrong=wrong, at=at, key_from=self.registry_id)



def new_committee(request: Any, folder: Path) -> Committee:
    """A committee on the backend of ``request.param`` ("local" or "google": the fake)."""
    if request.param == "google":
        return GoogleCommittee(request.getfixturevalue("fake_google"), folder)
    return LocalCommittee(folder / "committee")
