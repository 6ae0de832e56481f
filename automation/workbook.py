"""The local backend's spreadsheet: an ``.xlsx`` workbook the secretary edits.

The secretary keeps the workbook open in Excel or LibreOffice between ticks,
so every read loads the file afresh, and every write loads, changes and saves
it as one step that either happens wholly or not at all: the new version is
written to a temporary file beside the workbook, flushed to disk, and moved
over the old one with :func:`os.replace`. The previous version is kept as
``<name>.bak``. While the file is open in Excel (Windows refuses the replace)
or a lock file of Excel or LibreOffice sits beside it, the write is retried
for a while, then :class:`~automation.ports.WorkbookLocked` says to close it.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from datetime import time as dtime
from pathlib import Path
from typing import TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, MergedCell
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.label import DataLabelList
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.child import INVALID_TITLE_REGEX
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from automation.i18n import Text
from automation.layout import TITLE_LIMIT_XLSX, same_tab
from automation.ports import CellStyle, CellWrite, InputError, PageSetup, SheetTab, WorkbookLocked
from automation.text import Cell, normalize

LOCKED = Text(
    "Không lưu được tệp {file}: tệp đang được mở trong Excel hoặc LibreOffice{detail}. "
    "Hãy đóng tệp lại. Không mất dữ liệu nào: lần chạy sau sẽ ghi lại các thay đổi.",
    "Could not save {file}: it is open in Excel or LibreOffice{detail}. "
    "Close the file. Nothing is lost: the next run writes the changes.",
)
READ_LOCKED = Text(
    "Không đọc được tệp {file}: tệp đang bị chương trình khác khóa{detail}. "
    "Hãy đóng tệp trong Excel hoặc LibreOffice rồi chạy lại.",
    "Could not read {file}: another program has it locked{detail}. "
    "Close it in Excel or LibreOffice and run again.",
)
LOCK_FILE_DETAIL = Text(
    " (có tệp khóa {lock}; nếu không chương trình nào đang mở tệp, hãy xóa tệp khóa đó)",
    " (lock file {lock} present; if no program has the file open, delete that lock file)",
)
DENIED_DETAIL = Text(
    " hoặc thư mục không cho phép ghi ({error})",
    " or the folder cannot be written ({error})",
)
NOT_FOUND = Text(
    "Không tìm thấy tệp bảng tính {file}. Hãy chạy `automation init` để tạo tệp mẫu, "
    "hoặc sửa [local] workbook trong tệp cấu hình.",
    "The workbook {file} does not exist. Run `automation init` to create it, "
    "or fix [local] workbook in the config file.",
)
UNREADABLE = Text(
    "Tệp {file} không đọc được như một bảng tính .xlsx ({error}). "
    "Hãy mở và lưu lại tệp bằng Excel/LibreOffice dưới dạng .xlsx{backup}.",
    "The file {file} cannot be read as an .xlsx workbook ({error}). "
    "Open it and save it again as .xlsx in Excel/LibreOffice{backup}.",
)
BACKUP_HINT = Text(
    ", hoặc dùng bản lưu trước đó {backup}",
    ", or use the previous version {backup}",
)
MISSING_TAB = Text(
    "Tệp {file} không có trang tính '{tab}'. Hãy chạy `automation init` để tạo lại trang đó.",
    "The workbook {file} has no tab '{tab}'. Run `automation init` to restore it.",
)
BAD_TITLE = Text(
    "Không tạo được trang tính '{tab}' trong tệp {file}: tên trang tối đa 31 ký tự và không "
    "chứa các ký tự : \\ / ? * [ ]. Hãy đặt mã kỳ thi ngắn hơn, không có các ký tự đó "
    "(ví dụ 2023-03).",
    "Cannot create the tab '{tab}' in {file}: a tab name has at most 31 characters and none "
    "of : \\ / ? * [ ]. Use a shorter round id without those characters (e.g. 2023-03).",
)

#: Seconds between two attempts while the workbook is locked.
RETRY_STEP = 1.0
#: How datetimes show where the tab gives no number format of its own.
DEFAULT_FORMATS: dict[type, str] = {
    datetime: "dd/mm/yyyy hh:mm:ss",
    date: "dd/mm/yyyy",
    dtime: "hh:mm:ss",
}
HIGHLIGHT = PatternFill(fill_type="solid", start_color="FFF2CC", end_color="FFF2CC")
#: The points one line of text takes at the default size, and a column's width when the tab
#: gives none (characters): to size the rows whose text wraps, since a program opening the
#: file need not do it (LibreOffice keeps such a row one line tall, the text cut off).
LINE_POINTS = 15.0
DEFAULT_WIDTH = 8.43
MAX_TITLE = 31
T = TypeVar("T")
#: A new workbook is readable by others, like any file a program saves (temp files are not).
NEW_FILE_MODE = 0o644


class _Locked(Exception):
    """One attempt found the workbook locked; ``detail`` says how."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class LocalWorkbook:
    """The secretary's ``.xlsx`` workbook (implements :class:`automation.ports.Spreadsheet`)."""

    date_order = "dmy"
    title_limit = TITLE_LIMIT_XLSX

    def __init__(
        self,
        path: Path,
        *,
        language: str = "vi",
        lock_timeout: float = 30.0,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        self.path = Path(path)
        self.language = language
        self.lock_timeout = lock_timeout
        self._sleep = sleep

    @property
    def backup_path(self) -> Path:
        """Where the version before the last save is kept."""
        return self.path.with_name(self.path.name + ".bak")

    # --- reading ---------------------------------------------------------------

    def location(self) -> str:
        return str(self.path)

    def tab_titles(self) -> list[str]:
        """The sheet names in order; none when the file does not exist yet."""
        if not self.path.exists():
            return []
        return self._retry(lambda: self._reading(lambda book: list(book.sheetnames)), READ_LOCKED)

    def read(self, titles: Sequence[str]) -> dict[str, list[list[Cell]]]:
        """The named tabs' values as stored: numbers stay numbers, dates are datetimes.

        Formulas give their last computed value. Trailing blank cells and rows
        are dropped.
        """
        if not self.path.exists():
            raise InputError(NOT_FOUND(self.language, file=self.path))

        def cells(book: Workbook) -> dict[str, list[list[Cell]]]:
            tabs: dict[str, list[list[Cell]]] = {}
            for title in titles:
                if title not in book.sheetnames:
                    continue
                sheet = book[title]
                # Some programs write a wrong size into the file; read every row there is.
                sheet.reset_dimensions()
                rows = sheet.iter_rows(values_only=True)
                tabs[title] = _trim([[_value(v) for v in row] for row in rows])
            return tabs

        return self._retry(lambda: self._reading(cells), READ_LOCKED)

    # --- writing ---------------------------------------------------------------

    def update_cells(self, writes: Sequence[CellWrite]) -> None:
        """Write single cells of existing tabs; nothing else in the workbook changes."""
        if not writes:
            return
        if not self.path.exists():
            raise InputError(NOT_FOUND(self.language, file=self.path))

        def change(book: Workbook) -> bool:
            for write in writes:
                if write.tab not in book.sheetnames:
                    raise InputError(MISSING_TAB(self.language, file=self.path, tab=write.tab))
            for write in writes:
                target = book[write.tab].cell(row=write.row, column=write.column)
                if isinstance(target, SheetCell):  # a merged-over cell holds nothing
                    _set(target, write.value)
            return True

        self._change(change)

    def write_tabs(self, tabs: Sequence[SheetTab]) -> None:
        """Create or wholly replace the given tabs, each where it stood; others stay as they are."""
        if not tabs:
            return
        self._check_titles(tabs)

        def change(book: Workbook) -> bool:
            for tab in tabs:
                old = _find_sheet(book, tab.title)
                index = book.index(old) if old is not None else len(book.sheetnames)
                if old is not None:
                    book.remove(old)
                _fill(book.create_sheet(tab.title, index), tab)
            return True

        self._change(change)

    def add_tabs(self, tabs: Sequence[SheetTab]) -> list[str]:
        """Create the missing tabs (and the workbook and its folder when there is none)."""
        self._check_titles(tabs)
        created: list[str] = []

        def change(book: Workbook) -> bool:
            created.clear()
            for tab in tabs:
                if not any(same_tab(tab.title, title) for title in book.sheetnames):
                    _fill(book.create_sheet(tab.title), tab)
                    created.append(tab.title)
            return bool(created)

        if tabs:
            self._change(change)
        return list(created)

    # --- the machinery ---------------------------------------------------------

    def _check_titles(self, tabs: Sequence[SheetTab]) -> None:
        for tab in tabs:
            if len(tab.title) > MAX_TITLE or INVALID_TITLE_REGEX.search(tab.title):
                raise InputError(BAD_TITLE(self.language, tab=tab.title, file=self.path))

    def _load(self, *, read_only: bool) -> Workbook:
        try:
            return load_workbook(
                self.path,
                read_only=read_only,
                data_only=read_only,
                keep_vba=self.path.suffix.lower() == ".xlsm",  # never drop the macros
            )
        except PermissionError:
            raise
        except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as error:
            backup = ""
            if self.backup_path.exists():
                backup = BACKUP_HINT(self.language, backup=self.backup_path)
            raise InputError(
                UNREADABLE(self.language, file=self.path, error=error, backup=backup)
            ) from error

    def _lock_file(self) -> Path | None:
        """The lock file Excel (``~$name``) or LibreOffice (``.~lock.name#``) keeps, if any.

        Office may instead put ``~$`` over the first two characters of a long name.
        """
        name = self.path.name
        candidates = [f"~${name}", f".~lock.{name}#"]
        if len(self.path.stem) >= 8:
            candidates.append(f"~${name[2:]}")
        for lock_name in candidates:
            candidate = self.path.with_name(lock_name)
            if candidate.exists():
                return candidate
        return None

    def _retry(self, attempt: Callable[[], T], message: Text) -> T:
        """Run ``attempt`` again while the file is locked, for up to ``lock_timeout`` seconds."""
        waited = 0.0
        while True:
            try:
                return attempt()
            except _Locked as locked:
                if waited >= self.lock_timeout:
                    text = message(self.language, file=self.path, detail=locked.detail)
                    raise WorkbookLocked(text) from None
            step = min(RETRY_STEP, self.lock_timeout - waited)
            self._sleep(step)
            waited += step

    def _reading(self, use: Callable[[Workbook], T]) -> T:
        """Open the file read-only (fast, and it does not keep Excel from saving)."""
        try:
            book = self._load(read_only=True)
            try:
                return use(book)
            finally:
                book.close()
        except PermissionError as error:
            raise _Locked(DENIED_DETAIL(self.language, error=error)) from error

    def _change(self, change: Callable[[Workbook], bool]) -> None:
        """Load, change and save as one step, waiting while the file is locked."""
        self._retry(lambda: self._change_once(change), LOCKED)

    def _change_once(self, change: Callable[[Workbook], bool]) -> None:
        lock = self._lock_file()
        if lock is not None:
            raise _Locked(LOCK_FILE_DETAIL(self.language, lock=lock.name))
        try:
            if self.path.exists():
                book = self._load(read_only=False)
            else:
                book = Workbook()
                for default in list(book.worksheets):
                    book.remove(default)
            if change(book):
                self._save(book)
        except PermissionError as error:
            raise _Locked(DENIED_DETAIL(self.language, error=error)) from error

    def _save(self, book: Workbook) -> None:
        """Write beside the workbook, flush, keep a backup, then swap in one step."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True)
        self._clear_leftovers()
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=folder
        )
        temp = Path(temp_name)
        try:
            with os.fdopen(handle, "wb") as stream:
                book.save(stream)
                stream.flush()
                os.fsync(stream.fileno())
            if self.path.exists():
                shutil.copymode(self.path, temp)
                self._keep_backup()
            else:
                os.chmod(temp, NEW_FILE_MODE)
            os.replace(temp, self.path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _sync_folder(folder)

    def _keep_backup(self) -> None:
        """The version before this save, readable by its owner only (it holds the answer keys
        of every round; the secretary opens the workbook itself, not its backup)."""
        handle, temp_name = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".bak.tmp", dir=self.path.parent
        )
        os.close(handle)
        try:
            shutil.copyfile(self.path, temp_name)
            os.chmod(temp_name, 0o600)
            os.replace(temp_name, self.backup_path)
        except BaseException:
            Path(temp_name).unlink(missing_ok=True)
            raise

    def _clear_leftovers(self) -> None:
        """Temporary files of a save that was interrupted (power cut, kill) go away.

        Saves are made one at a time (the tick lock), so any such file is a leftover.
        """
        for leftover in self.path.parent.glob(f".{glob.escape(self.path.name)}.*.tmp"):
            with contextlib.suppress(OSError):  # another program's hold: next time
                leftover.unlink()


# --- helpers -----------------------------------------------------------------


def _trim(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Drop trailing blank cells of each row, then trailing blank rows."""
    for row in rows:
        while row and (row[-1] is None or row[-1] == ""):
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def _value(value: object) -> Cell:
    """A stored value as the core's ``Cell``: rich text as its plain text, durations as text."""
    if value is None or isinstance(value, str | int | float | datetime | date | dtime):
        return value
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _find_sheet(book: Workbook, title: str) -> Worksheet | None:
    """The sheet with this title; Excel compares sheet names case-insensitively."""
    wanted = normalize(title)
    for sheet in book.worksheets:
        if normalize(sheet.title) == wanted:
            return sheet
    return None


def _set(cell: SheetCell, value: Cell) -> None:
    """Store a value as data: aware datetimes as wall time, text never as a formula."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, str):
        # Control characters are not allowed in the file format; they carry no meaning here.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"  # "=..." stays text, never a formula
        if "\n" in value:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    elif isinstance(value, datetime):
        cell.number_format = DEFAULT_FORMATS[datetime]
    elif isinstance(value, date):
        cell.number_format = DEFAULT_FORMATS[date]
    elif isinstance(value, dtime):
        cell.number_format = DEFAULT_FORMATS[dtime]


def _is_date_format(number_format: str) -> bool:
    lowered = number_format.lower()
    return any(part in lowered for part in ("yy", "dd", "hh", "mm:ss"))


def _fill(sheet: Worksheet, tab: SheetTab) -> None:
    """Write a tab's rows and apply its formatting hints."""
    header = tab.header_row or 0
    first_table_row = header + 1
    bold_rows = {*tab.bold_rows, *tab.highlight_rows, *([header] if header else [])}
    lines: dict[int, int] = {}  # row -> how many lines its wrapped text takes
    for r, row in enumerate(tab.rows, start=1):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            cell = sheet.cell(row=r, column=c)
            if not isinstance(cell, SheetCell):
                continue
            _set(cell, value)
            number_format = tab.number_formats.get(c - 1)
            # A column's format applies below the header row, and a date format only to dates.
            if number_format and r >= first_table_row:
                is_date = isinstance(value, datetime | date | dtime)
                if is_date == _is_date_format(number_format):
                    cell.number_format = number_format
            if _align(cell, tab, r, c - 1, value) and isinstance(value, str):
                width = _width(tab, c - 1)
                lines[r] = max(lines.get(r, 1), _lines(value, width, bold=r in bold_rows))
    for r in bold_rows:
        for cell in sheet[r]:
            _embolden(cell)
    for r in tab.highlight_rows:
        width = max(len(tab.rows[r - 1]) if r <= len(tab.rows) else 0, 1)
        for c in range(1, width + 1):
            sheet.cell(row=r, column=c).fill = HIGHLIGHT
    for (r, c), style in tab.cell_styles.items():
        _style(sheet.cell(row=r, column=c), style)
    for r, count in lines.items():
        if count > 1:
            sheet.row_dimensions[r].height = count * LINE_POINTS
    if tab.header_row:
        sheet.freeze_panes = f"A{tab.header_row + 1}"
    for c, width in enumerate(tab.column_widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    for c, number_format in tab.number_formats.items():
        # Also the column's own format, so the rows a person adds later take it.
        sheet.column_dimensions[get_column_letter(c + 1)].number_format = number_format
    for (r, c), note in tab.notes.items():
        comment = Comment(note, "automation")
        comment.width, comment.height = 300, 120
        sheet.cell(row=r, column=c).comment = comment
    for validation in tab.validations:
        _add_validation(
            sheet, validation.column, validation.first_row, validation.last_row, validation.values
        )
    if tab.chart is not None:
        _add_chart(sheet, tab)
    if tab.page is not None:
        _page_setup(sheet, tab.page)


def _align(cell: SheetCell, tab: SheetTab, row: int, column: int, value: Cell) -> bool:
    """The column's alignment and wrapping, from the header row down; line breaks wrap anywhere.

    Returns whether the cell's text wraps.
    """
    header = tab.header_row or 0
    in_table = bool(header) and row >= header
    wrap = (
        (isinstance(value, str) and "\n" in value)
        or (in_table and column in tab.wrap_columns)
        or (row == header and tab.wrap_header)
    )
    if in_table:  # a row's cells line up at the top, however many lines one of them takes
        vertical = "center" if row == header else "top"
        horizontal = tab.alignments.get(column)
        cell.alignment = Alignment(horizontal=horizontal, vertical=vertical, wrap_text=wrap or None)
    elif wrap:
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    return wrap


def _width(tab: SheetTab, column: int) -> float:
    widths = tab.column_widths
    return widths[column] if column < len(widths) and widths[column] > 0 else DEFAULT_WIDTH


def _lines(text: str, width: float, *, bold: bool = False) -> int:
    """About how many lines ``text`` takes, wrapped at spaces in a column ``width`` wide.

    A character counts as one unit of column width, less a margin (more for bold):
    a little generous, as a row too tall reads better than text cut off.
    """
    room = max(width - (1.0 if bold else 0.5), 1.0)
    count = 0
    for paragraph in text.split("\n"):
        count += 1
        used = 0.0
        for word in paragraph.split(" "):
            if used and used + 1 + len(word) > room:
                count += 1
                used = 0.0
            used += (1 if used else 0) + len(word)
            while used > room:  # a word longer than the line breaks where it must
                count += 1
                used -= room
    return count


def _embolden(cell: SheetCell | MergedCell) -> None:
    """Bold, in the cell's own font (a font without a name shows in another family)."""
    font = cell.font
    cell.font = Font(name=font.name or "Calibri", size=font.sz or 11, bold=True)


def _style(cell: SheetCell | MergedCell, style: CellStyle) -> None:
    """One cell's own style, over its row's and column's."""
    if not isinstance(cell, SheetCell):
        return
    if style.bold or style.size:
        font = cell.font
        cell.font = Font(
            name=font.name or "Calibri", size=style.size or font.sz or 11, bold=style.bold or font.b
        )
    if style.align:
        old = cell.alignment
        cell.alignment = Alignment(
            horizontal=style.align, vertical=old.vertical, wrap_text=old.wrap_text
        )
    if style.number_format:
        cell.number_format = style.number_format


def _page_setup(sheet: Worksheet, page: PageSetup) -> None:
    """A4, the orientation, fit to one page across, the rows and columns repeated, a footer."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if page.landscape else "portrait"
    if page.fit_width:
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0  # as many pages tall as it takes
    if page.repeat_rows:
        first, last = page.repeat_rows
        sheet.print_title_rows = f"{first}:{last}"
    if page.repeat_columns:
        left, right = (get_column_letter(c + 1) for c in page.repeat_columns)
        sheet.print_title_cols = f"{left}:{right}"
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, footer=0.25)
    sheet.print_options.horizontalCentered = True
    if page.footer:
        text = page.footer.replace("&", "&&").replace("{page}", "&P").replace("{pages}", "&N")
        footer = sheet.oddFooter  # every page's, as odd and even pages are alike
        if footer is not None:
            footer.center.text = text


def _add_validation(
    sheet: Worksheet, column: int, first_row: int, last_row: int, values: Sequence[str]
) -> None:
    """A drop-down list; Excel's inline lists cannot hold commas and stop at 255 characters."""
    if any("," in v or '"' in v for v in values) or len(",".join(values)) > 255:
        raise ValueError(f"drop-down values cannot be an inline list: {values!r}")
    rule = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True)
    letter = get_column_letter(column + 1)
    rule.add(f"{letter}{first_row}:{letter}{last_row}")
    sheet.add_data_validation(rule)


def _add_chart(sheet: Worksheet, tab: SheetTab) -> None:
    """A bar chart of the spec's rows, where the spec puts it (else right of everything)."""
    spec = tab.chart
    assert spec is not None
    chart = BarChart()
    chart.title = spec.title
    chart.legend = None
    chart.width, chart.height = spec.width_cm, spec.height_cm
    data = Reference(
        sheet, min_col=spec.value_column + 1, min_row=spec.first_row, max_row=spec.last_row
    )
    labels = Reference(
        sheet, min_col=spec.label_column + 1, min_row=spec.first_row, max_row=spec.last_row
    )
    chart.add_data(data, titles_from_data=False)
    chart.set_categories(labels)
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    if spec.value_step:
        chart.y_axis.majorUnit = spec.value_step
        chart.y_axis.number_format = "0"
        chart.y_axis.scaling.min = 0
        if spec.value_max:
            chart.y_axis.scaling.max = spec.value_max
        chart.dataLabels = DataLabelList(  # each bar says its count; nothing else
            showVal=True, showCatName=False, showSerName=False, showLegendKey=False,
            showPercent=False, showLeaderLines=False,
        )
    widest = max((len(row) for row in tab.rows), default=1)
    column = spec.anchor_column if spec.anchor_column is not None else widest + 1
    row = spec.anchor_row or tab.header_row or 1
    sheet.add_chart(chart, f"{get_column_letter(column + 1)}{row}")


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable where the system allows it (not on Windows)."""
    if os.name != "posix":
        return
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
