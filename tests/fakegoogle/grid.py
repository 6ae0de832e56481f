"""Sheets' grid: spreadsheets as stored, A1 ranges resolved to boxes, and cell values
typed in and rendered out the way Sheets does. Shared by the handlers and the requests."""

from __future__ import annotations

import copy
import math
import re
import secrets
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from . import a1, fields
from .errors import bad_request, not_found
from .formula import evaluate
from .state import Call, Json, State

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"


MAX_CELL_CHARS = 50000


#: How Sheets shows an ErrorValue type.
ERROR_TEXT = {
    "NAME": "#NAME?",
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "N_A": "#N/A",
    "NUM": "#NUM!",
    "NULL_VALUE": "#NULL!",
    "ERROR": "#ERROR!",
}


_DEFAULT_FORMAT: Json = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}


_THEME: Json = {
    "primaryFontFamily": "Arial",
    "themeColors": [
        {"colorType": "TEXT", "color": {"rgbColor": {}}},
        {"colorType": "BACKGROUND", "color": {"rgbColor": {"red": 1, "green": 1, "blue": 1}}},
        {
            "colorType": "ACCENT1",
            "color": {"rgbColor": {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}},
        },
        {
            "colorType": "ACCENT2",
            "color": {"rgbColor": {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}},
        },
        {
            "colorType": "ACCENT3",
            "color": {"rgbColor": {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}},
        },
        {
            "colorType": "ACCENT4",
            "color": {"rgbColor": {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}},
        },
        {
            "colorType": "ACCENT5",
            "color": {"rgbColor": {"red": 1, "green": 0.42745098, "blue": 0.003921569}},
        },
        {
            "colorType": "ACCENT6",
            "color": {"rgbColor": {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}},
        },
        {
            "colorType": "LINK",
            "color": {"rgbColor": {"red": 0.06666667, "green": 0.33333334, "blue": 0.8}},
        },
    ],
}


def sheet_properties(
    sheet_id: int, title: str, index: int, rows: int = 1000, cols: int = 26
) -> Json:
    return {
        "sheetId": sheet_id,
        "title": title,
        "index": index,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": rows, "columnCount": cols},
    }


def new_spreadsheet(state: State, file_id: str, title: str, tabs: list[Json] | None = None) -> Json:
    """Create the Sheets side of a spreadsheet whose Drive file already exists."""
    sheets: list[Json] = []
    for i, props in enumerate(tabs or [{}]):
        base = sheet_properties(props.get("sheetId", 0 if i == 0 else new_sheet_id()), "", i)
        base.update({k: v for k, v in props.items() if k not in ("gridProperties", "index")})
        base["gridProperties"].update(props.get("gridProperties", {}))
        base["title"] = props.get("title") or f"Sheet{i + 1}"
        sheets.append({"properties": base})
    spreadsheet: Json = {
        "spreadsheetId": file_id,
        "properties": {
            "title": title,
            "locale": "en_US",
            "autoRecalc": "ON_CHANGE",
            "timeZone": "Etc/GMT",
            "defaultFormat": copy.deepcopy(_DEFAULT_FORMAT),
            "spreadsheetTheme": copy.deepcopy(_THEME),
        },
        "sheets": sheets,
        "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{file_id}/edit",
    }
    state.spreadsheets[file_id] = spreadsheet
    state.cells[file_id] = {str(s["properties"]["sheetId"]): {} for s in sheets}
    return spreadsheet


def new_sheet_id() -> int:
    return secrets.randbelow(2**31 - 1) + 1


def open_spreadsheet(call: Call, write: bool) -> Json:
    """The spreadsheet named in the path, if the caller may read it (or write, when asked)."""
    sid = call.path["spreadsheetId"]
    record = call.state.files.get(sid)
    if sid not in call.state.spreadsheets or record is None or record.get("trashed_forever"):
        raise not_found()
    call.require(sid, write)
    return call.state.spreadsheets[sid]


def sheet_by_title(ss: Json, title: str | None) -> Json:
    if title is None:
        return ss["sheets"][0]
    for sheet in ss["sheets"]:
        if sheet["properties"]["title"] == title:
            return sheet
    raise bad_request(f"Unable to parse range: {title}")


def sheet_by_id(ss: Json, sheet_id: int, where: str) -> Json:
    for sheet in ss["sheets"]:
        if sheet["properties"]["sheetId"] == sheet_id:
            return sheet
    raise bad_request(f"Invalid {where}: No grid with id: {sheet_id}")


def grid_size(sheet: Json) -> tuple[int, int]:
    grid = sheet["properties"].get("gridProperties", {})
    return grid.get("rowCount", 0), grid.get("columnCount", 0)


def grid_of(state: State, ss: Json, sheet: Json) -> dict[str, Json]:
    """One sheet's cells: "row,col" → CellData; absent keys are empty cells."""
    by_sheet = state.cells.setdefault(ss["spreadsheetId"], {})
    return by_sheet.setdefault(str(sheet["properties"]["sheetId"]), {})


def cell_key(row: int, col: int) -> str:
    """Cells are stored under "row,col" (0-based) so the state stays plain JSON."""
    return f"{row},{col}"


def parse_key(key: str) -> tuple[int, int]:
    row, col = key.split(",")
    return int(row), int(col)


class Box:
    """A bounded 0-based half-open rectangle on one sheet."""

    def __init__(self, sheet: Json, row0: int, row1: int, col0: int, col1: int) -> None:
        self.sheet, self.row0, self.row1, self.col0, self.col1 = sheet, row0, row1, col0, col1

    @property
    def title(self) -> str:
        return self.sheet["properties"]["title"]

    def a1(self) -> str:
        return a1.format_range(self.title, self.row0, self.row1, self.col0, self.col1)

    def cells(self) -> Iterator[tuple[int, int]]:
        for row in range(self.row0, self.row1):
            for col in range(self.col0, self.col1):
                yield row, col


def resolve(ss: Json, text: str, clip: bool = True) -> tuple[Box, a1.A1]:
    """Parse an A1 range; unknown sheets or bad syntax give Google's 'Unable to parse range'."""
    titles = [s["properties"]["title"] for s in ss["sheets"]]
    try:
        parsed = a1.parse(text, titles)
    except a1.RangeError:
        named = named_box(ss, text)
        if named is None:
            raise bad_request(f"Unable to parse range: {text}") from None
        return named
    sheet = sheet_by_title(ss, parsed.title)
    rows, cols = grid_size(sheet)
    row0 = parsed.row0 or 0
    col0 = parsed.col0 or 0
    row1 = parsed.row1 if parsed.row1 is not None else rows
    col1 = parsed.col1 if parsed.col1 is not None else cols
    if clip:
        row1, col1 = min(row1, rows), min(col1, cols)
        row0, col0 = min(row0, row1), min(col0, col1)
    return Box(sheet, row0, row1, col0, col1), parsed


def named_box(ss: Json, text: str) -> tuple[Box, a1.A1] | None:
    """A named range, alone or after a sheet title (Google accepts "'Sheet1'!Name")."""
    try:
        _, name = a1.split_title(text.strip())
    except a1.RangeError:
        return None
    for named in ss.get("namedRanges", []):
        if name is not None and named["name"].lower() == name.lower():
            box = grid_box(ss, named["range"], "range")
            return box, a1.A1(box.title, box.row0, box.row1, box.col0, box.col1)
    return None


def grid_box(ss: Json, grid_range: Json, where: str) -> Box:
    """A GridRange → a Box; a range past the grid is refused with Google's message."""
    sheet = sheet_by_id(ss, grid_range.get("sheetId", 0), where)
    rows, cols = grid_size(sheet)
    row0 = grid_range.get("startRowIndex", 0)
    row1 = grid_range.get("endRowIndex", rows)
    col0 = grid_range.get("startColumnIndex", 0)
    col1 = grid_range.get("endColumnIndex", cols)
    if row0 < 0 or col0 < 0 or row1 > rows or col1 > cols or row0 > row1 or col0 > col1:
        raise bad_request(
            f"Invalid {where}: Range ({a1.quote_title(sheet['properties']['title'])}"
            f"!{a1.column_letters(col0)}{row0 + 1}:{a1.column_letters(max(col1, 1) - 1)}{row1}) "
            f"exceeds grid limits. Max rows: {rows}, max columns: {cols}"
        )
    return Box(sheet, row0, row1, col0, col1)


_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][+-]?\d+)?$")


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


_SLASH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$")


def user_entered(value: Any, option: str, locale: str = "en_US") -> tuple[Json | None, Json | None]:
    """A written JSON value → (userEnteredValue, numberFormat) as Sheets would store it."""
    if isinstance(value, bool):
        return {"boolValue": value}, None
    if isinstance(value, int | float):
        return {"numberValue": value}, None
    if isinstance(value, list | dict):
        raise bad_request(f"Invalid values: {value!r} is not a cell value")
    text = str(value)
    if text == "":
        return None, None
    if len(text) > MAX_CELL_CHARS:
        raise bad_request(
            f"Your input contains more than the maximum of {MAX_CELL_CHARS} characters "
            "in a single cell."
        )
    if option == "RAW":
        return {"stringValue": text}, None
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}, None
    if text.upper() in ("TRUE", "FALSE"):
        return {"boolValue": text.upper() == "TRUE"}, None
    stripped = text.strip()
    if (
        stripped.endswith("%")
        and _NUMBER.match(stripped[:-1])
        and any(c.isdigit() for c in stripped)
    ):
        return {"numberValue": float(stripped[:-1].replace(",", "")) / 100}, {
            "type": "PERCENT",
            "pattern": "0.00%",
        }
    if _NUMBER.match(stripped) and any(c.isdigit() for c in stripped):
        number = float(stripped.replace(",", ""))
        return {"numberValue": int(number) if number.is_integer() else number}, None
    return _typed_date(stripped, locale) or ({"stringValue": text}, None)


#: Locales whose typed dates read month first; the rest read day first (vi_VN among them).
MONTH_FIRST = {"en_US", "en_PH", "fil_PH", "es_US", "en_CA"}


def _typed_date(text: str, locale: str) -> tuple[Json, Json] | None:
    """A typed ISO or slashed date (order by locale) → serial number and the typed pattern."""
    iso = _ISO_DATE.match(text)
    slashed = _SLASH_DATE.match(text)
    if iso:
        y, m, d, hh, mi, ss = iso.groups()
        date_pattern = "yyyy-mm-dd"
    elif slashed:
        first, second, y, hh, mi, ss = slashed.groups()
        m, d = (first, second) if locale in MONTH_FIRST else (second, first)
        date_pattern = "m/d/yyyy" if locale in MONTH_FIRST else "d/m/yyyy"
        if len(first) == 2 and len(second) == 2:
            date_pattern = date_pattern.replace("d", "dd").replace("m", "mm")
    else:
        return None
    try:
        moment = datetime(int(y), int(m), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
    except ValueError:
        return None  # 29/11 in a month-first locale stays text, as in Sheets
    serial = (moment - datetime(1899, 12, 30)).total_seconds() / 86400
    if hh is None:
        return {"numberValue": int(serial)}, {"type": "DATE", "pattern": date_pattern}
    time_pattern = "hh:mm:ss" if ss else "hh:mm"
    return {"numberValue": serial}, {
        "type": "DATE_TIME",
        "pattern": f"{date_pattern} {time_pattern}",
    }


_DATE_TOKEN = re.compile(r"yyyy|yy|dd|d|mm|m|hh|h|ss|s")


def _date_text(serial: float, pattern: str) -> str:
    """Render a serial date with a Sheets pattern; "m"/"mm" next to hours or seconds are
    minutes, elsewhere months."""
    moment = datetime(1899, 12, 30) + timedelta(days=serial)
    moment = moment.replace(microsecond=0) + timedelta(seconds=round(moment.microsecond / 1e6))
    tokens = list(_DATE_TOKEN.finditer(pattern))
    out, last = [], 0
    for i, token in enumerate(tokens):
        out.append(pattern[last : token.start()])
        kind = token.group()
        near = {t.group()[0] for t in tokens[max(0, i - 1) : i + 2] if t is not token}
        if kind[0] == "m" and near & {"h", "s"}:
            value = moment.minute
        else:
            value = {
                "y": moment.year if kind == "yyyy" else moment.year % 100,
                "d": moment.day,
                "m": moment.month,
                "h": moment.hour,
                "s": moment.second,
            }[kind[0]]
        out.append(f"{value:0{len(kind)}d}" if kind != "yyyy" else f"{value:04d}")
        last = token.end()
    out.append(pattern[last:])
    return "".join(out)


def _general(number: float) -> str:
    if float(number).is_integer() and abs(number) < 1e15:
        return str(int(number))
    shown = f"{number:.10g}"
    return shown if "e" not in shown else repr(number)


def effective(cell: Json) -> Json | None:
    """The value a cell shows: its own, or its formula's last result."""
    value = cell.get("userEnteredValue")
    if not value:
        return None
    if "formulaValue" in value:
        return cell.get("effectiveValue")
    return value


def formatted(cell: Json) -> str:
    """FORMATTED_VALUE of a cell."""
    value = effective(cell)
    if value is None:
        return ""
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return "TRUE" if value["boolValue"] else "FALSE"
    if "errorValue" in value:
        return ERROR_TEXT.get(value["errorValue"].get("type", ""), "#ERROR!")
    number = value.get("numberValue", 0)
    fmt = (cell.get("userEnteredFormat") or {}).get("numberFormat") or {}
    if fmt.get("type") in ("DATE", "DATE_TIME", "TIME") and fmt.get("pattern"):
        return _date_text(number, fmt["pattern"])
    pattern = fmt.get("pattern", "")
    if fmt.get("type") in ("NUMBER", "PERCENT", "CURRENCY") and _NUMBER_PATTERN.match(pattern):
        return _number_text(number, pattern)
    if fmt.get("type") == "PERCENT":
        return _general(round(number * 100, 10)) + "%"
    return _general(number)


#: The plain number patterns rendered here: "0", "0.00", "#,##0.0", "0%", "0.00%".
_NUMBER_PATTERN = re.compile(r"^(#,##)?0(\.0+)?%?$")


def _number_text(number: float, pattern: str) -> str:
    """A number shown with a plain pattern (decimals, thousands separator, percent)."""
    percent = pattern.endswith("%")
    decimals = len(pattern.split(".")[1].rstrip("%")) if "." in pattern else 0
    grouping = "," if pattern.startswith("#,##") else ""
    shown = f"{number * 100 if percent else number:{grouping}.{decimals}f}"
    return shown + ("%" if percent else "")


def unformatted(cell: Json, date_option: str) -> Any:
    """UNFORMATTED_VALUE: numbers as numbers (integers without .0), dates as serials."""
    value = effective(cell)
    if value is None:
        return ""
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return value["boolValue"]
    if "errorValue" in value:
        return ERROR_TEXT.get(value["errorValue"].get("type", ""), "#ERROR!")
    number = value.get("numberValue", 0)
    fmt = (cell.get("userEnteredFormat") or {}).get("numberFormat") or {}
    if date_option == "FORMATTED_STRING" and fmt.get("type") in ("DATE", "DATE_TIME", "TIME"):
        return formatted(cell)
    return int(number) if float(number).is_integer() and math.isfinite(number) else number


def render(cell: Json | None, option: str, date_option: str) -> Any:
    """A cell as values.get renders it for a valueRenderOption."""
    if not cell:
        return ""
    if option == "FORMULA":
        value = cell.get("userEnteredValue") or {}
        if "formulaValue" in value:
            return value["formulaValue"]
        return unformatted(cell, date_option)
    if option == "UNFORMATTED_VALUE":
        return unformatted(cell, date_option)
    return formatted(cell)


def _trim(matrix: list[list[Any]]) -> list[list[Any]]:
    rows = [list(row) for row in matrix]
    for row in rows:
        while row and row[-1] == "":
            row.pop()
    while rows and not rows[-1]:
        rows.pop()
    return rows


def read_box(
    state: State, ss: Json, box: Box, option: str, date_option: str, major: str
) -> list[list[Any]]:
    """The values of a box, trimmed of trailing blanks as Google trims them."""
    grid = grid_of(state, ss, box.sheet)
    matrix = [
        [render(grid.get(cell_key(r, c)), option, date_option) for c in range(box.col0, box.col1)]
        for r in range(box.row0, box.row1)
    ]
    if major == "COLUMNS":
        matrix = [list(col) for col in zip(*matrix, strict=False)] if matrix else []
    return _trim(matrix)


def value_range(state: State, ss: Json, text: str, query: Json) -> Json:
    """values.get's ValueRange for one A1 range."""
    box, _ = resolve(ss, text)
    major = query.get("majorDimension", "ROWS")
    major = "ROWS" if major == "DIMENSION_UNSPECIFIED" else major
    values = read_box(
        state,
        ss,
        box,
        query.get("valueRenderOption", "FORMATTED_VALUE"),
        query.get("dateTimeRenderOption", "SERIAL_NUMBER"),
        major,
    )
    out: Json = {"range": box.a1(), "majorDimension": major}
    if values:
        out["values"] = values
    return out


def write_values(
    state: State,
    ss: Json,
    text: str,
    data: Json,
    option: str,
    extend_rows: bool = False,
    start: tuple[int, int] | None = None,
) -> Json:
    """Write a ValueRange at a range; returns Google's UpdateValuesResponse."""
    values = data.get("values")
    if values is None:
        values = []
    if not isinstance(values, list) or any(not isinstance(row, list) for row in values):
        raise bad_request("Invalid values: each row must be a list of cell values")
    if data.get("majorDimension") == "COLUMNS":
        width = max((len(col) for col in values), default=0)
        values = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
    box, parsed = resolve(ss, text, clip=False)
    if start is not None:
        box = Box(box.sheet, start[0], box.row1, start[1], box.col1)
    height = len(values)
    width = max((len(row) for row in values), default=0)
    out: Json = {"spreadsheetId": ss["spreadsheetId"]}
    if height == 0 or width == 0:
        out["updatedRange"] = a1.format_range(
            box.title, box.row0, box.row0 + 1, box.col0, box.col0 + 1
        )
        return out
    rows, cols = grid_size(box.sheet)
    single = box.row1 - box.row0 == 1 and box.col1 - box.col0 == 1
    bounded_rows = parsed.row1 is not None and start is None and not single
    bounded_cols = parsed.col1 is not None and not single and start is None
    if bounded_rows and height > box.row1 - box.row0:
        raise bad_request(
            f"Requested writing within range [{text}], "
            f"but tried writing to row [{box.row0 + height}]"
        )
    if bounded_cols and width > box.col1 - box.col0:
        raise bad_request(
            f"Requested writing within range [{text}], but tried writing to column "
            f"[{a1.column_letters(box.col0 + width - 1)}]"
        )
    if box.row0 + height > rows:
        if extend_rows:
            box.sheet["properties"]["gridProperties"]["rowCount"] = box.row0 + height
        else:
            raise bad_request(
                f"Range ({a1.quote_title(box.title)}!"
                f"{a1.column_letters(box.col0)}{box.row0 + height}) exceeds grid limits. "
                f"Max rows: {rows}, max columns: {cols}"
            )
    if box.col0 + width > cols:
        raise bad_request(
            f"Range ({a1.quote_title(box.title)}!{a1.column_letters(box.col0 + width - 1)}"
            f"{box.row0 + 1}) exceeds grid limits. Max rows: {rows}, max columns: {cols}"
        )
    grid = grid_of(state, ss, box.sheet)
    written = 0
    touched_rows: set[int] = set()
    touched_cols: set[int] = set()
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if value is None:
                continue
            written += 1
            touched_rows.add(i)
            touched_cols.add(j)
            key = cell_key(box.row0 + i, box.col0 + j)
            entered, number_format = user_entered(
                value, option, ss["properties"].get("locale", "en_US")
            )
            cell = grid.get(key, {})
            if entered is None:
                cell.pop("userEnteredValue", None)
                cell.pop("effectiveValue", None)
            else:
                cell["userEnteredValue"] = entered
                cell.pop("effectiveValue", None)
            if number_format is not None:
                cell.setdefault("userEnteredFormat", {})["numberFormat"] = number_format
            if cell:
                grid[key] = cell
            else:
                grid.pop(key, None)
    out["updatedRange"] = a1.format_range(
        box.title, box.row0, box.row0 + height, box.col0, box.col0 + width
    )
    if written:
        out["updatedRows"] = len(touched_rows)
        out["updatedColumns"] = len(touched_cols)
        out["updatedCells"] = written
    return out


def recalculate(state: State, ss: Json) -> None:
    """Evaluate every formula again after a change, as Sheets recalculates on change.
    Formulas may read other formulas, so a few passes let values settle."""
    for grid in state.cells.get(ss["spreadsheetId"], {}).values():
        formulas = [c for c in grid.values() if "formulaValue" in (c.get("userEnteredValue") or {})]
        for _ in range(min(len(formulas), 3)):
            for cell in formulas:
                cell["effectiveValue"] = evaluate(
                    cell["userEnteredValue"]["formulaValue"], grid, cell_key
                )


def updated_data(state: State, ss: Json, result: Json, query: Json) -> None:
    """includeValuesInResponse: the written range read back."""
    if query.get("includeValuesInResponse"):
        result["updatedData"] = value_range(
            state,
            ss,
            result["updatedRange"],
            {
                "valueRenderOption": query.get("responseValueRenderOption", "FORMATTED_VALUE"),
                "dateTimeRenderOption": query.get("responseDateTimeRenderOption", "SERIAL_NUMBER"),
            },
        )


def require_input_option(option: Any) -> str:
    if not option or option == "INPUT_VALUE_OPTION_UNSPECIFIED":
        raise bad_request("'valueInputOption' is required but not specified")
    return str(option)


def clear_box(state: State, ss: Json, box: Box) -> None:
    grid = grid_of(state, ss, box.sheet)
    for row, col in box.cells():
        cell = grid.get(cell_key(row, col))
        if cell is None:
            continue
        cell.pop("userEnteredValue", None)
        cell.pop("effectiveValue", None)
        if not cell:
            del grid[cell_key(row, col)]


def find_table(state: State, ss: Json, box: Box) -> Box | None:
    """The table Sheets' append finds in a range: the block of filled cells around the last
    filled cell of the range, growing past the range (recorded: A1 "x", B1 "", C1 "y" →
    table C1 for the whole sheet, A1 for the range A1)."""
    grid = grid_of(state, ss, box.sheet)

    def filled(row: int, col: int) -> bool:
        cell = grid.get(cell_key(row, col))
        return bool(cell and cell.get("userEnteredValue"))

    last = None
    for key in grid:
        row, col = parse_key(key)
        if box.row0 <= row < box.row1 and box.col0 <= col < box.col1 and filled(row, col):
            last = max(last, (row, col)) if last else (row, col)
    if last is None:
        return None
    row0, col0 = last
    row1, col1 = row0 + 1, col0 + 1
    rows, cols = grid_size(box.sheet)
    grown = True
    while grown:
        grown = False
        if col0 > 0 and any(filled(r, col0 - 1) for r in range(row0, row1)):
            col0, grown = col0 - 1, True
        if col1 < cols and any(filled(r, col1) for r in range(row0, row1)):
            col1, grown = col1 + 1, True
        if row0 > 0 and any(filled(row0 - 1, c) for c in range(col0, col1)):
            row0, grown = row0 - 1, True
        if row1 < rows and any(filled(row1, c) for c in range(col0, col1)):
            row1, grown = row1 + 1, True
    return Box(box.sheet, row0, row1, col0, col1)


def mask_paths(mask_text: str | None, where: str) -> list[list[str]]:
    """A request's `fields` mask as paths; an empty mask is refused as Google does."""
    if not mask_text:
        raise bad_request(
            f"Invalid {where}: At least one field must be updated, but none were specified."
        )
    if mask_text.strip() == "*":
        return [["*"]]
    paths: list[list[str]] = []

    def walk(node: fields.Mask, prefix: list[str]) -> None:
        for key, sub in node.items():
            if sub is None:
                paths.append([*prefix, key])
            else:
                walk(sub, [*prefix, key])

    walk(fields.parse(mask_text), [])
    return paths


def overlaps(a: Json, b: Json) -> bool:
    return (
        a.get("sheetId", 0) == b.get("sheetId", 0)
        and a["startRowIndex"] < b["endRowIndex"]
        and b["startRowIndex"] < a["endRowIndex"]
        and a["startColumnIndex"] < b["endColumnIndex"]
        and b["startColumnIndex"] < a["endColumnIndex"]
    )


def contains(outer: Json, inner: Json) -> bool:
    return (
        outer.get("sheetId", 0) == inner.get("sheetId", 0)
        and outer["startRowIndex"] <= inner["startRowIndex"]
        and inner["endRowIndex"] <= outer["endRowIndex"]
        and outer["startColumnIndex"] <= inner["startColumnIndex"]
        and inner["endColumnIndex"] <= outer["endColumnIndex"]
    )


def out_range(box: Box) -> Json:
    """A GridRange as Google writes it back: sheetId 0 is left out (a proto default)."""
    out: Json = {
        "startRowIndex": box.row0,
        "endRowIndex": box.row1,
        "startColumnIndex": box.col0,
        "endColumnIndex": box.col1,
    }
    if box.sheet["properties"]["sheetId"]:
        out = {"sheetId": box.sheet["properties"]["sheetId"], **out}
    return out


def shift_cells(grid: dict[str, Json], dimension: str, at: int, by: int) -> None:
    """Move cells at or after `at` by `by` rows or columns (negative: delete them)."""
    moved: dict[str, Json] = {}
    for key, cell in grid.items():
        row, col = parse_key(key)
        pos = row if dimension == "ROWS" else col
        if by < 0 and at <= pos < at - by:
            continue
        if pos >= at:
            pos += by
        moved[cell_key(pos, col) if dimension == "ROWS" else cell_key(row, pos)] = cell
    grid.clear()
    grid.update(moved)


def insert_rows(state: State, ss: Json, sheet: Json, at: int, count: int) -> None:
    """Make room for `count` rows at `at`, as INSERT_ROWS and insertDimension do."""
    shift_cells(grid_of(state, ss, sheet), "ROWS", at, count)
    sheet["properties"]["gridProperties"]["rowCount"] += count
