"""A cell on the google backend, against the fake Google over real HTTP.

The admin runs ``automation`` commands; the secretary edits the Google Sheet
(through the real gspread); members submit the Google Form (through the
fake's member route, as Google's own form page would).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import gspread

from automation import auth, config, googlebackend
from automation.forms import CODE_QUESTION_ID
from automation.layout import MEMBERS, QUESTIONS, SCHEDULE, TabSpec
from automation.report import plain_name
from tests.cell import CellBase, toml_value

ADMIN = "admin@example.com"


class GoogleCell(CellBase):
    """A Google Sheet, its settings, and the people around it."""

    def __init__(self, fake: Any, folder: Path, *, rating: Mapping[str, object] | None = None,
                 **quiz: object) -> None:
        self.fake = fake
        self.folder = folder
        self.rating_config = dict(rating or {})
        (folder / "config").mkdir(parents=True, exist_ok=True)
        # The token `automation auth` gets: the project's own narrow scopes, nothing more.
        token = fake.authorized_user_file(
            folder / "config" / "credentials.json", email=ADMIN, scopes=auth.SIGN_IN_SCOPES
        )
        saved = json.loads(token.read_text(encoding="utf-8"))
        saved["account"] = ADMIN  # `automation auth` records who signed in
        token.write_text(json.dumps(saved), encoding="utf-8")
        self.quiz = quiz
        self.spreadsheet_id = ""
        self.config_file = folder / "config" / "settings.toml"
        self._write_config()
        self.last_output = ""
        self.read_with_gspread = True

    def _write_config(self) -> None:
        lines = ['backend = "google"', 'timezone = "Asia/Ho_Chi_Minh"', "[quiz]"]
        lines += [f"{key} = {toml_value(value)}" for key, value in self.quiz.items()]
        lines += ["[rating]", *(f"{k} = {toml_value(v)}"
                                for k, v in getattr(self, "rating_config", {}).items())]
        lines += [
            "[google]",
            f'spreadsheet_id = "{self.spreadsheet_id}"',
            f'api_endpoint = "{self.fake.url}"',
        ]
        self.config_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.settings = config.load(self.config_file)

    # --- the admin ----------------------------------------------------------

    def init(self) -> None:
        """``automation init`` with no spreadsheet yet: it makes one and says its id."""
        assert self.run("init") == 0, self.last_output
        found = re.search(r'spreadsheet_id = "([^"]+)"', self.last_output)
        assert found, self.last_output
        self.spreadsheet_id = found.group(1)
        self._write_config()
        assert self.run("init") == 0, self.last_output  # now the template tabs

    # --- the secretary ------------------------------------------------------

    def book(self) -> gspread.Spreadsheet:
        return self.gspread().open_by_key(self.spreadsheet_id)

    def gspread(self) -> gspread.Client:
        """gspread signed in as this cell's admin."""
        return googlebackend.gspread_client(self.settings)

    def write_tab(self, spec: TabSpec, rows: Sequence[Mapping[str, object]]) -> None:
        sheet = self.book().worksheet(spec.title("vi"))
        # Opt-in columns (the personal code) only when a row fills them.
        keys = [c.key for c in spec.columns if c.in_template or any(c.key in r for r in rows)]
        values = [[spec.column(k).header("vi") for k in keys]]
        values += [["" if row.get(k) is None else row.get(k) for k in keys] for row in rows]
        sheet.clear()
        if len(values) > sheet.row_count:  # she adds rows at the bottom, as in the Sheets UI
            sheet.add_rows(len(values) - sheet.row_count + 20)
        if len(keys) > sheet.col_count:  # and a column at the right
            sheet.add_cols(len(keys) - sheet.col_count)
        sheet.update(values, "A1", value_input_option="RAW")

    def edit(self, spec: TabSpec, row: int, key: str, value: object) -> None:
        """Change one cell as the secretary would (``row`` as the sheet numbers it)."""
        sheet = self.book().worksheet(spec.title("vi"))
        header = sheet.row_values(1)
        column = next(i for i, h in enumerate(header, 1) if spec.column(key).matches(h))
        if isinstance(value, datetime):
            value = value.strftime("%d/%m/%Y %H:%M")
        sheet.update_cell(row, column, value)

    def set_cells(self, title: str, values: Mapping[tuple[int, int], object]) -> None:
        sheet = self.book().worksheet(title)
        sheet.batch_update([{"range": gspread.utils.rowcol_to_a1(row, column), "values": [[v]]}
                            for (row, column), v in values.items()], value_input_option="RAW")

    # --- reading back -------------------------------------------------------

    def grid(self, title: str) -> list[list[str]]:
        return self.values(title)

    def titles(self) -> list[str]:
        return [
            tab["properties"]["title"]
            for tab in self.fake.spreadsheet(self.spreadsheet_id)["sheets"]
        ]

    def text(self, title: str) -> str:
        """A whole tab as text, a line per row."""
        return "\n".join(" | ".join(c for c in row if c) for row in self.values(title))

    def used(self) -> dict[int, str]:
        """The ``Đã dùng`` cells that are filled in, by sheet row."""
        rows = self.values(QUESTIONS.title("vi"))
        column = next(i for i, h in enumerate(rows[0]) if QUESTIONS.column("used_in").matches(h))
        return {
            n: r[column] for n, r in enumerate(rows, 1) if n > 1 and len(r) > column and r[column]
        }

    def fingerprint(self) -> object:
        """Changes whenever the service writes to Google."""
        return sum(
            1 for r in self.fake.requests() if r["method"] != "GET" and r["path"] != "/token"
        )

    def values(self, title: str) -> list[list[str]]:
        """A tab as the secretary sees it, read back with gspread (or, with
        ``read_with_gspread`` off, straight from the fake, making no Google call)."""
        if not self.read_with_gspread:
            return [
                [str(c) for c in row]
                for row in self.fake.spreadsheet_values(self.spreadsheet_id, title)
            ]
        return self.book().worksheet(title).get_all_values()

    def rounds(self) -> dict[str, dict[str, str]]:
        rows = self.values(SCHEDULE.title("vi"))
        keys = [(c.key if (c := SCHEDULE.find_column(h)) else h) for h in rows[0]]
        return {r[0]: dict(zip(keys, r, strict=False)) for r in rows[1:] if r and r[0]}

    def ranked(self, round_id: str) -> list[tuple[int, str, float]]:
        rows = self.values(f"Kết quả {round_id}")
        start = next(i for i, r in enumerate(rows) if r and r[0] == "Hạng")
        out = []
        for row in rows[start + 1 :]:
            if not row or not row[0].isdigit():
                break
            out.append((int(row[0]), plain_name(row[1]), float(row[2])))  # no 'Về nhất'
        return out

    # --- the members ----------------------------------------------------------

    def answer(
        self,
        round_id: str,
        name: str,
        *,
        wrong: int = 0,
        at: datetime | None = None,
        started: datetime | None = None,
        submitted: datetime | None = None,
        email: str | None = None,
        code: str | None = None,
    ) -> None:
        """Submit the round's form as ``name``: right but for the first ``wrong`` questions.

        Google knows only when a response was submitted (``at``, or ``submitted``);
        ``started`` is accepted for symmetry with the local cell and ignored. The form
        holds no answer key, so the right answers come from the secretary's Questions tab.
        A form that asks for the personal code gets ``code``, else the member's own.
        """
        at = at or submitted or (started + timedelta(seconds=40) if started else None)
        assert at is not None, "when was it submitted?"
        self.answer_form(self.rounds()[round_id]["form_id"], name, wrong=wrong, at=at,
                         email=email, code=code)

    def answer_form(self, form_id: str, name: str, *, wrong: int = 0, at: datetime,
                    email: str | None = None, code: str | None = None,
                    key_from: str | None = None) -> None:
        """Submit the form ``form_id`` as ``name``; its key from the Questions tab of
        ``key_from`` (a committee's registry, for a joint round) or of this cell."""
        form = self.fake.form(form_id)
        key = self._answer_key(key_from)
        answers: dict[str, list[str]] = {}
        graded = 0
        for item in form["items"]:
            question = item["questionItem"]["question"]
            if question.get("questionId") == CODE_QUESTION_ID:
                answers[CODE_QUESTION_ID] = [code if code is not None else self._code(name)]
                continue
            choices = [o["value"] for o in question["choiceQuestion"]["options"]]
            if question["choiceQuestion"]["type"] == "DROP_DOWN":  # the roster
                answers[question["questionId"]] = [name]
                continue
            correct = key[_one_line(item["title"])]
            if graded < wrong:
                answers[question["questionId"]] = [next(c for c in choices if c not in correct)]
            else:
                answers[question["questionId"]] = correct
            graded += 1
        self.fake.submit(form_id, answers, email=email, submit_time=at)

    def _answer_key(self, spreadsheet_id: str | None = None) -> dict[str, list[str]]:
        """Question text → its correct option texts, from the Questions tab (no API call)."""
        rows = self.fake.spreadsheet_values(spreadsheet_id or self.spreadsheet_id,
                                            QUESTIONS.title("vi"))
        header = [QUESTIONS.find_column(str(h)) for h in rows[0]]
        keys = [c.key if c else "" for c in header]
        out: dict[str, list[str]] = {}
        for row in rows[1:]:
            cells = dict(zip(keys, (str(c) for c in row), strict=False))
            if not cells.get("question"):
                continue
            letters = [x.strip().rstrip(".").upper() for x in cells.get("answer", "").split(",")]
            out[_one_line(cells["question"])] = [
                _one_line(cells[letter]) for letter in letters if cells.get(letter)
            ]
        return out

    def _code(self, name: str) -> str:
        rows = self.fake.spreadsheet_values(self.spreadsheet_id, MEMBERS.title("vi"))
        keys = [(c.key if (c := MEMBERS.find_column(str(h))) else "") for h in rows[0]]
        for row in rows[1:]:
            cells = dict(zip(keys, (str(c) for c in row), strict=False))
            if cells.get("name") == name:
                return cells.get("code", "")
        return ""


def _one_line(text: str) -> str:
    return " ".join(str(text).split())
