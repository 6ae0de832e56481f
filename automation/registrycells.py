"""The registry's ``Chi bộ`` (``Cells``) tab: each cell, its spreadsheet, on or off.

Pure core, read with the bank's rules (:mod:`automation.bank`): headers in either
language and any order, every problem named by row and column with what to do.
Each row is checked whether the cell is on or off (a wrong link is wrong either
way), but a blank spreadsheet is a problem only for a cell that is on. A row with
a problem is left out of the cells.

* ``Bảng tính`` (``Spreadsheet``) on Google: a spreadsheet link
  (``https://docs.google.com/spreadsheets/d/<id>/edit#gid=0``, ``/u/0/`` and any
  ending accepted) or the bare id, read as the id; a link to a Doc, a Form, a
  Drive file or folder, a published copy, or one cut off when copied is a
  problem that says what to paste instead. Local: a ``.xlsx`` path, relative to
  the registry's folder unless absolute (``\\`` read as ``/``).
* ``Bật`` (``On``): blank, ``Bật`` / ``On`` or a ticked checkbox is on;
  ``Tắt`` / ``Off`` or an unticked one is off (accents optional).
* Each cell's name gives its path for the local web form (:func:`cell_path`);
  two names with one path are a problem of the second row, naming the first.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass

from automation.bank import _Row, _short, _Tab
from automation.i18n import Text
from automation.layout import CELL_OFF, CELL_ON, QUESTIONS, RESERVED_PATHS
from automation.ports import InputError
from automation.text import Cell, cell_text, is_blank, normalize

BACKENDS = ("local", "google")
#: A Google spreadsheet id is 44 characters; one much shorter was cut off when copied.
MIN_SHEET_ID = 20

# --- messages ---------------------------------------------------------------------------

NAME_BLANK = Text(
    "Tên chi bộ để trống nhưng dòng này có dữ liệu khác. Hãy ghi tên chi bộ, hoặc xóa cả dòng.",
    "The cell's name is blank but the row has other data. Write the name, or delete the "
    "whole row.",
)
NAME_TWICE = Text(
    '"{value}" trùng với chi bộ ở dòng {first}. Mỗi chi bộ chỉ ghi một dòng; hãy xóa dòng '
    "thừa hoặc sửa tên cho khác.",
    '"{value}" is the same cell as in row {first}. One row per cell: delete the extra row or '
    "tell the names apart.",
)
PATH_EMPTY = Text(
    'Không tạo được địa chỉ trang làm bài từ tên "{value}": tên cần có ít nhất một chữ cái '
    "(a–z, có dấu cũng được) hoặc chữ số. Hãy sửa tên chi bộ.",
    'No web address for the form can be made from the name "{value}": it needs at least one '
    "letter (a–z, accents are fine) or digit. Change the name.",
)
PATH_RESERVED = Text(
    'Tên "{value}" cho địa chỉ /{path}/ mà trang làm bài đã dùng vào việc khác. Hãy thêm chữ '
    'vào tên, ví dụ "Chi bộ {value}".',
    'The name "{value}" gives the address /{path}/, which the form itself uses. Add a word '
    'to the name, e.g. "Cell {value}".',
)
PATH_TWICE = Text(
    'Tên "{value}" cho cùng địa chỉ trang làm bài /{path}/ với chi bộ "{first_name}" ở dòng '
    "{first} (địa chỉ bỏ dấu và không phân biệt chữ hoa). Hãy sửa cho hai tên khác nhau hơn, "
    "ví dụ thêm tên ấp hoặc đơn vị.",
    'The name "{value}" gives the same form address /{path}/ as the cell "{first_name}" in '
    "row {first} (addresses drop accents and case). Make the names differ more, e.g. add "
    "the hamlet or the unit.",
)
ON_BAD = Text(
    '"{value}" không rõ là bật hay tắt. Hãy để trống (hoặc ghi {on}) để bật, ghi {off} để '
    "tắt chi bộ này.",
    '"{value}" is neither on nor off. Leave it blank (or write {on}) for on; write {off} to '
    "switch this cell off.",
)
SPREADSHEET_BLANK = Text(
    "Chưa có bảng tính của chi bộ. {how} Nếu chi bộ chưa tham gia, ghi {off} ở cột {column}.",
    "The cell's spreadsheet is blank. {how} If the cell is not taking part yet, write {off} "
    "in the {column} column.",
)
HOW_GOOGLE = Text(
    "Hãy dán đường link bảng tính Google của chi bộ (dạng "
    "https://docs.google.com/spreadsheets/d/…/edit).",
    "Paste the link of the cell's Google Sheet (like "
    "https://docs.google.com/spreadsheets/d/…/edit).",
)
HOW_LOCAL = Text(
    "Hãy ghi đường dẫn tệp .xlsx của chi bộ, tính từ thư mục chứa bảng tính này, ví dụ "
    "{example}.",
    "Write the path of the cell's .xlsx file, from the folder that holds this spreadsheet, "
    "e.g. {example}.",
)
NOT_A_SHEET = Text(
    "Đường link này dẫn tới {kind}, không phải bảng tính Google. Hãy mở bảng tính của chi bộ "
    "và chép đường link trên thanh địa chỉ (dạng https://docs.google.com/spreadsheets/d/…/edit).",
    "This link leads to {kind}, not a Google Sheet. Open the cell's spreadsheet and copy the "
    "link from the address bar (like https://docs.google.com/spreadsheets/d/…/edit).",
)
KINDS = {
    "document": Text("một tài liệu Google Docs", "a Google Docs document"),
    "forms": Text("một biểu mẫu Google Forms", "a Google Form"),
    "presentation": Text("một bản trình bày Google Slides", "a Google Slides presentation"),
    "drawings": Text("một bản vẽ Google", "a Google drawing"),
    "folders": Text("một thư mục Google Drive", "a Google Drive folder"),
    "other": Text("một trang khác", "another page"),
}
DRIVE_FILE = Text(
    "Đường link này dẫn tới một tệp lưu trên Google Drive (có thể là tệp Excel), chưa phải "
    "bảng tính Google. Hãy mở tệp, chọn Tệp → Lưu dưới dạng Google Trang tính, rồi chép "
    "đường link của bảng tính mới (dạng https://docs.google.com/spreadsheets/d/…/edit).",
    "This link leads to a file stored in Google Drive (perhaps an Excel file), not a Google "
    "Sheet. Open it, choose File → Save as Google Sheets, then copy the new sheet's link "
    "(like https://docs.google.com/spreadsheets/d/…/edit).",
)
PUBLISHED = Text(
    "Đây là đường link “công bố lên web” của bảng tính, chỉ để xem. Hãy mở chính bảng tính "
    "và chép đường link trên thanh địa chỉ (dạng https://docs.google.com/spreadsheets/d/…/edit).",
    "This is the sheet's “publish to the web” link, for viewing only. Open the spreadsheet "
    "itself and copy the link from the address bar "
    "(like https://docs.google.com/spreadsheets/d/…/edit).",
)
SHEET_ID_CUT = Text(
    'Mã bảng tính "{id}" quá ngắn: đường link có lẽ đã bị cắt khi chép. Hãy chép lại cả '
    "đường link của bảng tính.",
    'The spreadsheet id "{id}" is too short: the link was probably cut off when copied. '
    "Copy the whole link again.",
)
NOT_A_LINK = Text(
    '"{value}" không phải đường link hay mã của một bảng tính Google. Hãy dán đường link '
    "bảng tính của chi bộ (dạng https://docs.google.com/spreadsheets/d/…/edit), hoặc chỉ mã "
    "của nó (đoạn giữa /d/ và /edit).",
    '"{value}" is not the link or id of a Google Sheet. Paste the cell\'s spreadsheet link '
    "(like https://docs.google.com/spreadsheets/d/…/edit), or just its id (the part between "
    "/d/ and /edit).",
)
GOOGLE_NOT_FILE = Text(
    '"{value}" là tên tệp, nhưng dịch vụ đang dùng bảng tính Google (backend = "google"). '
    "Hãy dán đường link bảng tính Google của chi bộ "
    "(dạng https://docs.google.com/spreadsheets/d/…/edit).",
    '"{value}" is a file name, but the service uses Google Sheets (backend = "google"). '
    "Paste the link of the cell's Google Sheet "
    "(like https://docs.google.com/spreadsheets/d/…/edit).",
)
LOCAL_NOT_LINK = Text(
    'Dịch vụ đang dùng tệp trên máy (backend = "local"), nên cần đường dẫn tệp .xlsx của chi '
    "bộ, không phải đường link. Ví dụ: {example}.",
    'The service uses files on this computer (backend = "local"), so write the path of the '
    "cell's .xlsx file, not a link. For example: {example}.",
)
LOCAL_NOT_XLSX = Text(
    '"{value}" không phải tệp .xlsx. Hãy ghi đường dẫn tệp bảng tính của chi bộ, kết thúc '
    "bằng .xlsx, ví dụ {example}.",
    '"{value}" is not an .xlsx file. Write the path of the cell\'s workbook, ending in .xlsx, '
    "e.g. {example}.",
)
LOCAL_BAD_CHARACTER = Text(
    'Đường dẫn "{value}" có ký tự {chars} mà tên tệp không được có. Hãy sửa, ví dụ {example}.',
    'The path "{value}" holds {chars}, which a file name may not have. Change it, e.g. '
    "{example}.",
)
SPREADSHEET_TWICE = Text(
    'Bảng tính này đã ghi cho chi bộ "{first_name}" ở dòng {first}. Mỗi chi bộ cần bảng tính '
    "riêng; hãy sửa lại một trong hai dòng.",
    'This spreadsheet is already listed for the cell "{first_name}" in row {first}. Each '
    "cell needs its own spreadsheet; correct one of the two rows.",
)
REGISTRY_ITSELF = Text(
    "Đây là chính bảng tính đăng ký của đảng ủy (trang {questions} ở đây là câu hỏi thi "
    "chung). Mỗi chi bộ cần bảng tính riêng của mình.",
    "This is the committee's registry itself (its {questions} tab holds the joint "
    "questions). Each cell needs a spreadsheet of its own.",
)


# --- the records ------------------------------------------------------------------------


@dataclass(frozen=True)
class RegistryCell:
    """One valid row of ``Chi bộ``: a cell the service serves (when ``on``)."""

    row: int
    name: str
    path: str  # its segment of the local web form's address: cell_path(name)
    spreadsheet: str  # as written
    # Google: the spreadsheet id; local: the workbook path as written ("/" between
    # folders), relative to the registry's folder unless absolute. Blank for an off cell
    # without a spreadsheet.
    location: str
    on: bool = True
    status: str = ""  # Trạng thái as read
    checked_at: Cell = None  # Kiểm tra lúc as read

    @property
    def key(self) -> str:
        return normalize(self.name)


@dataclass(frozen=True)
class CellRow:
    """Any non-blank row of ``Chi bộ`` (valid or not), with its service cells as read."""

    row: int
    name: str
    status: str
    checked_at: Cell


# --- cell paths -------------------------------------------------------------------------

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def cell_path(name: str) -> str:
    """A cell's path segment for the local web form: readable, URL-safe, stable.

    ``Chi bộ Trường Tiểu học Long Trị A1`` → ``chi-bo-truong-tieu-hoc-long-tri-a1``:
    accents dropped, ``đ`` → ``d``, lower case, every run of other characters one
    ``-``. Only ``a-z``, ``0-9`` and inner ``-``; blank when the name has no letter
    or digit that Latin script can spell.
    """
    text = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return _NOT_ALNUM.sub("-", bare).strip("-")


# --- the spreadsheet column ---------------------------------------------------------------

_SHEET_LINK = re.compile(
    r"^(?:https?://)?docs\.google\.com/spreadsheets/(?:u/\d+/)?d/(?P<id>[A-Za-z0-9_-]+)"
    r"(?P<rest>[/?#].*)?$",
    re.IGNORECASE,
)
_GOOGLE_LINK = re.compile(
    r"^(?:https?://)?(?:docs|drive)\.google\.com/(?:(?:u/\d+/)?(?P<kind>[a-z]+)/|.*)",
    re.IGNORECASE,
)
_SHEET_ID = re.compile(r"^[A-Za-z0-9_-]+$")
_URL = re.compile(r"^[a-z][a-z0-9+.-]*://|^www\.|^docs\.google\.com|^drive\.google\.com",
                  re.IGNORECASE)
_FILE_FORBIDDEN = '<>"|?*'


def _google_location(value: str, language: str) -> tuple[str, str]:
    """(spreadsheet id, "") for a Google Sheet link or bare id; ("", why not) otherwise."""
    link = _SHEET_LINK.match(value)
    if link:
        sheet_id = link.group("id")
        if sheet_id == "e" and (link.group("rest") or "").startswith("/"):
            return "", PUBLISHED(language)
    elif _SHEET_ID.match(value) and len(value) >= MIN_SHEET_ID:
        sheet_id = value
    elif other := _GOOGLE_LINK.match(value):
        kind = (other.group("kind") or "").lower()
        if kind in ("file", "open", "uc") or "drive.google.com/open" in value.lower():
            return "", DRIVE_FILE(language)
        if kind == "drive" and "folders" in value.lower():
            kind = "folders"
        text = KINDS.get(kind, KINDS["other"])
        return "", NOT_A_SHEET(language, kind=text(language))
    elif not _URL.match(value) and (value.lower().endswith(".xlsx") or "/" in value
                                    or "\\" in value):
        return "", GOOGLE_NOT_FILE(language, value=_short(value))
    else:
        return "", NOT_A_LINK(language, value=_short(value))
    if len(sheet_id) < MIN_SHEET_ID:
        return "", SHEET_ID_CUT(language, id=_short(sheet_id))
    return sheet_id, ""


def _local_location(value: str, language: str, example: str) -> tuple[str, str]:
    """(the workbook path with "/" between folders, "") or ("", why it cannot be one)."""
    if _URL.match(value):
        return "", LOCAL_NOT_LINK(language, example=example)
    path = value.replace("\\", "/")
    drive = re.match(r"^[A-Za-z]:/", path)
    rest = path[2:] if drive else path
    bad = sorted({c for c in rest if c in _FILE_FORBIDDEN or c == ":" or ord(c) < 32})
    if bad:
        return "", LOCAL_BAD_CHARACTER(language, value=_short(value), chars=" ".join(bad),
                                       example=example)
    if not path.lower().endswith(".xlsx") or path.lower().rsplit("/", 1)[-1] == ".xlsx":
        return "", LOCAL_NOT_XLSX(language, value=_short(value), example=example)
    return path, ""


def location_key(location: str, backend: str) -> str:
    """What makes two locations the same spreadsheet: a Google id exactly; a workbook path
    with ``./`` and ``a/../`` resolved, case-folded (Windows and macOS ignore case)."""
    if backend == "google":
        return location
    return posixpath.normpath(location.replace("\\", "/")).casefold()


def example_path(name: str) -> str:
    """Where a local cell's workbook may go, beside the registry: ``chi-bo/<path>.xlsx``."""
    return f"chi-bo/{cell_path(name) or 'chi-bo'}.xlsx"


# --- reading ----------------------------------------------------------------------------


def word(pair: tuple[str, str], language: str) -> str:
    """The (vi, en) pair's word in ``language``."""
    return pair[1] if language == "en" else pair[0]


def _on(row: _Row, language: str) -> bool | None:
    """``Bật``: blank, ``Bật``/``On`` or a ticked box is on; ``Tắt``/``Off`` or an unticked
    box is off (accents optional); anything else is a problem, and ``None``."""
    value = row.cell("on")
    if is_blank(value):
        return True
    if isinstance(value, bool):
        return value
    folded = cell_path(cell_text(value))
    if folded in {cell_path(w) for w in CELL_ON}:
        return True
    if folded in {cell_path(w) for w in CELL_OFF}:
        return False
    row.add("on", ON_BAD(language, value=_short(row.text("on")), on=word(CELL_ON, language),
                         off=word(CELL_OFF, language)))
    return None


def read_cells(
    tab: _Tab, backend: str, itself: str
) -> tuple[list[RegistryCell], list[CellRow]]:
    """The valid rows of an opened ``Chi bộ`` tab, and every non-blank row's service cells."""
    lang = tab.language
    names: dict[str, int] = {}
    paths: dict[str, tuple[int, str]] = {}
    sheets: dict[str, tuple[int, str]] = {}
    own = location_key(itself, backend) if itself else ""
    cells: list[RegistryCell] = []
    rows: list[CellRow] = []
    for row in tab.records():
        row.check_formula_errors()
        name = row.text("name")
        rows.append(CellRow(row.number, name, row.text("status"), row.cell("checked_at")))
        path = cell_path(name)
        if not name:
            row.add("name", NAME_BLANK(lang))
        elif normalize(name) in names:
            row.add("name", NAME_TWICE(lang, value=_short(name), first=names[normalize(name)]))
        else:
            names[normalize(name)] = row.number
            if not path:
                row.add("name", PATH_EMPTY(lang, value=_short(name)))
            elif path in RESERVED_PATHS:
                row.add("name", PATH_RESERVED(lang, value=_short(name), path=path))
            elif path in paths:
                first, first_name = paths[path]
                row.add("name", PATH_TWICE(lang, value=_short(name), path=path, first=first,
                                           first_name=_short(first_name)))
            else:
                paths[path] = (row.number, name)
        on = _on(row, lang)
        written = row.text("spreadsheet")
        location = ""
        if not written:
            if on:  # unknown (a problem already): the blank is not said twice
                how = (HOW_GOOGLE(lang) if backend == "google"
                       else HOW_LOCAL(lang, example=example_path(name)))
                row.add("spreadsheet", SPREADSHEET_BLANK(
                    lang, how=how, off=word(CELL_OFF, lang), column=tab.header("on")))
        else:
            if backend == "google":
                location, why = _google_location(written, lang)
            else:
                location, why = _local_location(written, lang, example_path(name))
            if why:
                row.add("spreadsheet", why)
            else:
                key = location_key(location, backend)
                if own and key == own:
                    row.add("spreadsheet", REGISTRY_ITSELF(lang, questions=QUESTIONS.title(lang)))
                elif key in sheets:
                    first, first_name = sheets[key]
                    row.add("spreadsheet", SPREADSHEET_TWICE(
                        lang, first=first, first_name=_short(first_name)))
                else:
                    sheets[key] = (row.number, name)
        if not row.defective:
            cells.append(RegistryCell(
                row=row.number, name=name, path=path, spreadsheet=written, location=location,
                on=bool(on), status=row.text("status"), checked_at=row.cell("checked_at"),
            ))
    return cells, rows


def google_id(value: str, language: str = "vi") -> str:
    """The spreadsheet id of a Google Sheet link or bare id (the settings' ``registry``);
    raises :class:`~automation.ports.InputError` saying what to write instead."""
    sheet_id, problem = _google_location(value.strip(), language)
    if problem:
        raise InputError(problem)
    return sheet_id
