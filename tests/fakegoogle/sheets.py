"""Sheets v4: spreadsheets, batchUpdate requests and the values API, kept strict like Google."""

from __future__ import annotations

import copy
import math
import re
import secrets
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

from . import a1, fields
from .errors import ApiError, bad_request, not_found
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

#: Sheet property fields that Google omits when they hold their default (proto3 JSON).
_OMIT_WHEN_FALSY = {
    "hidden",
    "rightToLeft",
    "hideGridlines",
    "frozenRowCount",
    "frozenColumnCount",
    "rowGroupControlAfter",
    "columnGroupControlAfter",
}


# --- creation and lookup ---------------------------------------------------------------------


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
        base = sheet_properties(props.get("sheetId", 0 if i == 0 else _new_sheet_id()), "", i)
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


def _new_sheet_id() -> int:
    return secrets.randbelow(2**31 - 1) + 1


def _open(call: Call, write: bool) -> Json:
    sid = call.path["spreadsheetId"]
    record = call.state.files.get(sid)
    if sid not in call.state.spreadsheets or record is None or record.get("trashed_forever"):
        raise not_found()
    call.state.require(sid, call.email, write)
    return call.state.spreadsheets[sid]


def _sheet_by_title(ss: Json, title: str | None) -> Json:
    if title is None:
        return ss["sheets"][0]
    for sheet in ss["sheets"]:
        if sheet["properties"]["title"] == title:
            return sheet
    raise bad_request(f"Unable to parse range: {title}")


def _sheet_by_id(ss: Json, sheet_id: int, where: str) -> Json:
    for sheet in ss["sheets"]:
        if sheet["properties"]["sheetId"] == sheet_id:
            return sheet
    raise bad_request(f"Invalid {where}: No grid with id: {sheet_id}")


def _grid_size(sheet: Json) -> tuple[int, int]:
    grid = sheet["properties"].get("gridProperties", {})
    return grid.get("rowCount", 0), grid.get("columnCount", 0)


def _cells(state: State, ss: Json, sheet: Json) -> dict[str, Json]:
    by_sheet = state.cells.setdefault(ss["spreadsheetId"], {})
    return by_sheet.setdefault(str(sheet["properties"]["sheetId"]), {})


def _key(row: int, col: int) -> str:
    return f"{row},{col}"


def _unkey(key: str) -> tuple[int, int]:
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
        named = _named_box(ss, text)
        if named is None:
            raise bad_request(f"Unable to parse range: {text}") from None
        return named
    sheet = _sheet_by_title(ss, parsed.title)
    rows, cols = _grid_size(sheet)
    row0 = parsed.row0 or 0
    col0 = parsed.col0 or 0
    row1 = parsed.row1 if parsed.row1 is not None else rows
    col1 = parsed.col1 if parsed.col1 is not None else cols
    if clip:
        row1, col1 = min(row1, rows), min(col1, cols)
        row0, col0 = min(row0, row1), min(col0, col1)
    return Box(sheet, row0, row1, col0, col1), parsed


def _named_box(ss: Json, text: str) -> tuple[Box, a1.A1] | None:
    """A named range, alone or after a sheet title (Google accepts "'Sheet1'!Name")."""
    try:
        _, name = a1.split_title(text.strip())
    except a1.RangeError:
        return None
    for named in ss.get("namedRanges", []):
        if name is not None and named["name"].lower() == name.lower():
            box = _grid_box(ss, named["range"], "range")
            return box, a1.A1(box.title, box.row0, box.row1, box.col0, box.col1)
    return None


def _grid_box(ss: Json, grid_range: Json, where: str) -> Box:
    sheet = _sheet_by_id(ss, grid_range.get("sheetId", 0), where)
    rows, cols = _grid_size(sheet)
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


# --- values: input and rendering -------------------------------------------------------------

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


def _effective(cell: Json) -> Json | None:
    value = cell.get("userEnteredValue")
    if not value:
        return None
    if "formulaValue" in value:
        return cell.get("effectiveValue")
    return value


def formatted(cell: Json) -> str:
    """FORMATTED_VALUE of a cell."""
    value = _effective(cell)
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
    if fmt.get("type") == "PERCENT":
        return _general(round(number * 100, 10)) + "%"
    return _general(number)


def unformatted(cell: Json, date_option: str) -> Any:
    value = _effective(cell)
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


def _read_box(
    state: State, ss: Json, box: Box, option: str, date_option: str, major: str
) -> list[list[Any]]:
    grid = _cells(state, ss, box.sheet)
    matrix = [
        [render(grid.get(_key(r, c)), option, date_option) for c in range(box.col0, box.col1)]
        for r in range(box.row0, box.row1)
    ]
    if major == "COLUMNS":
        matrix = [list(col) for col in zip(*matrix, strict=False)] if matrix else []
    return _trim(matrix)


def _value_range(state: State, ss: Json, text: str, query: Json) -> Json:
    box, _ = resolve(ss, text)
    major = query.get("majorDimension", "ROWS")
    major = "ROWS" if major == "DIMENSION_UNSPECIFIED" else major
    values = _read_box(
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


def _write(
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
    rows, cols = _grid_size(box.sheet)
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
    grid = _cells(state, ss, box.sheet)
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
            key = _key(box.row0 + i, box.col0 + j)
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
                    cell["userEnteredValue"]["formulaValue"], grid, _key
                )


def _updated_data(state: State, ss: Json, result: Json, query: Json) -> None:
    if query.get("includeValuesInResponse"):
        result["updatedData"] = _value_range(
            state,
            ss,
            result["updatedRange"],
            {
                "valueRenderOption": query.get("responseValueRenderOption", "FORMATTED_VALUE"),
                "dateTimeRenderOption": query.get("responseDateTimeRenderOption", "SERIAL_NUMBER"),
            },
        )


def _require_input_option(option: Any) -> str:
    if not option or option == "INPUT_VALUE_OPTION_UNSPECIFIED":
        raise bad_request("'valueInputOption' is required but not specified")
    return str(option)


def _clear_box(state: State, ss: Json, box: Box) -> None:
    grid = _cells(state, ss, box.sheet)
    for row, col in box.cells():
        cell = grid.get(_key(row, col))
        if cell is None:
            continue
        cell.pop("userEnteredValue", None)
        cell.pop("effectiveValue", None)
        if not cell:
            del grid[_key(row, col)]


def _table(state: State, ss: Json, box: Box) -> Box | None:
    """The table Sheets' append finds in a range: the block of filled cells around the last
    filled cell of the range, growing past the range (recorded: A1 "x", B1 "", C1 "y" →
    table C1 for the whole sheet, A1 for the range A1)."""
    grid = _cells(state, ss, box.sheet)

    def filled(row: int, col: int) -> bool:
        cell = grid.get(_key(row, col))
        return bool(cell and cell.get("userEnteredValue"))

    last = None
    for key in grid:
        row, col = _unkey(key)
        if box.row0 <= row < box.row1 and box.col0 <= col < box.col1 and filled(row, col):
            last = max(last, (row, col)) if last else (row, col)
    if last is None:
        return None
    row0, col0 = last
    row1, col1 = row0 + 1, col0 + 1
    rows, cols = _grid_size(box.sheet)
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


# --- handlers: values ------------------------------------------------------------------------


def values_get(call: Call) -> Json:
    ss = _open(call, write=False)
    return _value_range(call.state, ss, call.path["range"], call.query)


def values_batch_get(call: Call) -> Json:
    ss = _open(call, write=False)
    ranges = call.query.get("ranges", [])
    out: Json = {"spreadsheetId": ss["spreadsheetId"]}
    if ranges:
        out["valueRanges"] = [_value_range(call.state, ss, text, call.query) for text in ranges]
    return out


def values_update(call: Call) -> Json:
    ss = _open(call, write=True)
    option = _require_input_option(call.query.get("valueInputOption"))
    body = call.body or {}
    text = call.path["range"]
    if body.get("range") and not _same_range(ss, body["range"], text):
        raise bad_request(
            f"Requested writing within range [{text}], but tried writing to [{body['range']}]"
        )
    result = _write(call.state, ss, text, body, option)
    recalculate(call.state, ss)
    _updated_data(call.state, ss, result, call.query)
    call.state.touch(ss["spreadsheetId"])
    return result


def _same_range(ss: Json, one: str, other: str) -> bool:
    box_a, _ = resolve(ss, one, clip=False)
    box_b, _ = resolve(ss, other, clip=False)
    return (box_a.title, box_a.row0, box_a.col0) == (box_b.title, box_b.row0, box_b.col0)


def values_batch_update(call: Call) -> Json:
    ss = _open(call, write=True)
    body = call.body or {}
    option = _require_input_option(body.get("valueInputOption"))
    snapshot = copy.deepcopy((ss, call.state.cells.get(ss["spreadsheetId"])))
    responses = []
    try:
        for data in body.get("data", []):
            if not data.get("range"):
                raise bad_request("Invalid data[0]: range is required")
            responses.append(_write(call.state, ss, data["range"], data, option))
    except ApiError:
        _restore(call.state, ss["spreadsheetId"], snapshot)
        raise
    recalculate(call.state, ss)
    for result in responses:
        _updated_data(call.state, ss, result, body)
    out: Json = {"spreadsheetId": ss["spreadsheetId"]}
    totals = {
        "totalUpdatedRows": sum(r.get("updatedRows", 0) for r in responses),
        "totalUpdatedColumns": max((r.get("updatedColumns", 0) for r in responses), default=0),
        "totalUpdatedCells": sum(r.get("updatedCells", 0) for r in responses),
        "totalUpdatedSheets": len(
            {r["updatedRange"].rpartition("!")[0] for r in responses if "updatedCells" in r}
        ),
    }
    out.update({k: v for k, v in totals.items() if v})
    if responses:
        out["responses"] = responses
    call.state.touch(ss["spreadsheetId"])
    return out


def _restore(state: State, sid: str, snapshot: tuple[Json, Any]) -> None:
    saved, cells = snapshot
    state.spreadsheets[sid].clear()
    state.spreadsheets[sid].update(saved)
    state.cells[sid] = cells


def values_append(call: Call) -> Json:
    ss = _open(call, write=True)
    option = _require_input_option(call.query.get("valueInputOption"))
    body = call.body or {}
    box, _ = resolve(ss, call.path["range"])
    table = _table(call.state, ss, box)
    out: Json = {"spreadsheetId": ss["spreadsheetId"]}
    if table is None:
        start = (box.row0, box.col0)
    else:
        out["tableRange"] = table.a1()
        start = (table.row1, table.col0)
    values = body.get("values") or []
    insert = call.query.get("insertDataOption", "OVERWRITE") == "INSERT_ROWS"
    if insert and values:
        _insert_rows(call.state, ss, box.sheet, start[0], len(values))
    updates = _write(
        call.state, ss, call.path["range"], body, option, extend_rows=True, start=start
    )
    recalculate(call.state, ss)
    _updated_data(call.state, ss, updates, call.query)
    out["updates"] = updates
    call.state.touch(ss["spreadsheetId"])
    return out


def values_clear(call: Call) -> Json:
    ss = _open(call, write=True)
    box, _ = resolve(ss, call.path["range"])
    _clear_box(call.state, ss, box)
    recalculate(call.state, ss)
    call.state.touch(ss["spreadsheetId"])
    return {"spreadsheetId": ss["spreadsheetId"], "clearedRange": box.a1()}


def values_batch_clear(call: Call) -> Json:
    ss = _open(call, write=True)
    boxes = [resolve(ss, text)[0] for text in (call.body or {}).get("ranges", [])]
    for box in boxes:
        _clear_box(call.state, ss, box)
    recalculate(call.state, ss)
    call.state.touch(ss["spreadsheetId"])
    out: Json = {"spreadsheetId": ss["spreadsheetId"]}
    if boxes:
        out["clearedRanges"] = [box.a1() for box in boxes]
    return out


# --- handlers: spreadsheets ------------------------------------------------------------------


def create(call: Call) -> Json:
    body = call.body or {}
    title = (body.get("properties") or {}).get("title") or "Untitled spreadsheet"
    record = call.state.add_file(call.email, title, SPREADSHEET_MIME)
    tabs = [s.get("properties") or {} for s in body.get("sheets") or []]
    titles = [t.get("title") for t in tabs if t.get("title")]
    if len(titles) != len(set(titles)):
        call.state.files.pop(record["id"])
        raise bad_request("Invalid sheets: duplicate sheet title")
    ss = new_spreadsheet(call.state, record["id"], title, tabs or None)
    for key, value in (body.get("properties") or {}).items():
        if key != "title":
            ss["properties"][key] = value
    return _view(call.state, ss, include_grid=False, ranges=None, mask=None)


def get(call: Call) -> Json:
    ss = _open(call, write=False)
    mask = fields.parse(call.query["fields"]) if call.query.get("fields") else None
    ranges = call.query.get("ranges") or None
    include = bool(call.query.get("includeGridData")) or (
        mask is not None and fields.mentions(mask, ["sheets", "data"])
    )
    return _view(call.state, ss, include, ranges, mask)


def _public(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _public(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [_public(v) for v in value]
    return value


def _view(
    state: State, ss: Json, include_grid: bool, ranges: list[str] | None, mask: fields.Mask | None
) -> Json:
    out = _public(ss)
    if ranges:
        boxes = [resolve(ss, text)[0] for text in ranges]
        wanted = [b.sheet["properties"]["sheetId"] for b in boxes]
        out["sheets"] = [s for s in out["sheets"] if s["properties"]["sheetId"] in wanted]
    else:
        boxes = []
        for sheet in ss["sheets"]:
            rows, cols = _grid_size(sheet)
            boxes.append(Box(sheet, 0, rows, 0, cols))
    if include_grid:
        for sheet_out in out["sheets"]:
            sid = sheet_out["properties"]["sheetId"]
            sheet_out["data"] = [
                _grid_data(state, ss, box)
                for box in boxes
                if box.sheet["properties"]["sheetId"] == sid
            ]
    return fields.apply(out, mask) if mask is not None else out


def _merged(base: Json, over: Json) -> Json:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _cell_view(cell: Json | None, default_format: Json) -> Json:
    if not cell:
        return {}
    out: Json = {}
    value = cell.get("userEnteredValue")
    if value:
        out["userEnteredValue"] = copy.deepcopy(value)
        effective = _effective(cell)
        if effective is not None:
            out["effectiveValue"] = copy.deepcopy(effective)
        out["formattedValue"] = formatted(cell)
    if cell.get("userEnteredFormat"):
        out["userEnteredFormat"] = copy.deepcopy(cell["userEnteredFormat"])
    if value or cell.get("userEnteredFormat"):
        out["effectiveFormat"] = _merged(default_format, cell.get("userEnteredFormat") or {})
    for key in ("note", "dataValidation", "hyperlink"):
        if cell.get(key):
            out[key] = copy.deepcopy(cell[key])
    return out


def _grid_data(state: State, ss: Json, box: Box) -> Json:
    grid = _cells(state, ss, box.sheet)
    rows: list[Json] = []
    for r in range(box.row0, box.row1):
        values = [
            _cell_view(grid.get(_key(r, c)), ss["properties"]["defaultFormat"])
            for c in range(box.col0, box.col1)
        ]
        while values and not values[-1]:
            values.pop()
        rows.append({"values": values} if values else {})
    while rows and not rows[-1]:
        rows.pop()
    row_meta = box.sheet.get("_rows", {})
    col_meta = box.sheet.get("_cols", {})
    data: Json = {}
    if box.row0:
        data["startRow"] = box.row0
    if box.col0:
        data["startColumn"] = box.col0
    if rows:
        data["rowData"] = rows
    data["rowMetadata"] = [
        {"pixelSize": 21, **row_meta.get(str(r), {})} for r in range(box.row0, box.row1)
    ]
    data["columnMetadata"] = [
        {"pixelSize": 100, **col_meta.get(str(c), {})} for c in range(box.col0, box.col1)
    ]
    return data


# --- batchUpdate -----------------------------------------------------------------------------


def batch_update(call: Call) -> Json:
    ss = _open(call, write=True)
    body = call.body or {}
    requests = body.get("requests") or []
    if not requests:
        raise bad_request("Must specify at least one request.")
    sid = ss["spreadsheetId"]
    snapshot = copy.deepcopy((ss, call.state.cells.get(sid)))
    replies: list[Json] = []
    try:
        for i, request in enumerate(requests):
            if not request:
                raise bad_request(f"Invalid requests[{i}]: No request set.")
            if len(request) > 1:
                raise bad_request(f"Invalid requests[{i}]: oneof field 'kind' is already set.")
            kind, args = next(iter(request.items()))
            handler = _REQUESTS.get(kind)
            if handler is None:
                raise ApiError(
                    501,
                    f"Invalid requests[{i}].{kind}: the fake Google does not implement it",
                    "UNIMPLEMENTED",
                )
            replies.append(handler(call.state, ss, args or {}, f"requests[{i}].{kind}"))
    except ApiError:
        _restore(call.state, sid, snapshot)
        raise
    recalculate(call.state, ss)
    call.state.touch(sid)
    out: Json = {"spreadsheetId": sid, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        out["updatedSpreadsheet"] = _view(
            call.state,
            ss,
            bool(body.get("responseIncludeGridData")),
            body.get("responseRanges"),
            None,
        )
    return out


def _mask_paths(mask_text: str | None, where: str) -> list[list[str]]:
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


def _apply_mask(target: Json, source: Json, paths: list[list[str]]) -> None:
    """Copy the masked fields from source into target; masked but absent fields are cleared."""
    for path in paths:
        if path == ["*"]:
            target.clear()
            target.update(copy.deepcopy(source))
            return
        src: Any = source
        for part in path:
            src = src.get(part) if isinstance(src, dict) else None
        node = target
        for part in path[:-1]:
            node = node.setdefault(part, {})
        if src is None:
            node.pop(path[-1], None)
        else:
            node[path[-1]] = copy.deepcopy(src)


def _check_title(ss: Json, title: str, where: str, except_id: int | None = None) -> None:
    for sheet in ss["sheets"]:
        props = sheet["properties"]
        if props["title"].lower() == title.lower() and props["sheetId"] != except_id:
            raise bad_request(
                f'Invalid {where}: A sheet with the name "{title}" already exists. '
                "Please enter another name."
            )


def _reindex(ss: Json) -> None:
    for i, sheet in enumerate(ss["sheets"]):
        sheet["properties"]["index"] = i


def _tidy_properties(props: Json, style_first: bool = False) -> None:
    """Drop defaults as Google does and keep tabColor and tabColorStyle in step."""
    for container in (props, props.get("gridProperties", {})):
        for key in list(container):
            if key in _OMIT_WHEN_FALSY and not container[key]:
                del container[key]
    if style_first:
        props.pop("tabColor", None)
    if props.get("tabColor"):
        props["tabColorStyle"] = {"rgbColor": _tidy_color(props["tabColor"])}
        props["tabColor"] = _tidy_color(props["tabColor"])
    elif (props.get("tabColorStyle") or {}).get("rgbColor"):
        props["tabColor"] = _tidy_color(props["tabColorStyle"]["rgbColor"])
        props["tabColorStyle"] = {"rgbColor": props["tabColor"]}
    else:
        props.pop("tabColor", None)
        props.pop("tabColorStyle", None)


def _tidy_color(color: Json) -> Json:
    return {k: v for k, v in color.items() if v}


def _add_sheet(state: State, ss: Json, args: Json, where: str) -> Json:
    given = copy.deepcopy(args.get("properties") or {})
    existing = {s["properties"]["sheetId"] for s in ss["sheets"]}
    sheet_id = given.get("sheetId")
    if sheet_id is None:
        sheet_id = _new_sheet_id()
    elif sheet_id in existing:
        raise bad_request(f"Invalid {where}: Sheet with id {sheet_id} already exists.")
    title = given.get("title")
    if not title:
        n = len(ss["sheets"]) + 1
        while any(s["properties"]["title"] == f"Sheet{n}" for s in ss["sheets"]):
            n += 1
        title = f"Sheet{n}"
    _check_title(ss, title, where)
    index = given.get("index", len(ss["sheets"]))
    index = max(0, min(index, len(ss["sheets"])))
    props = sheet_properties(sheet_id, title, index)
    grid = given.pop("gridProperties", {})
    props.update({k: v for k, v in given.items() if k not in ("sheetId", "title", "index")})
    props["gridProperties"].update(grid)
    _tidy_properties(props)
    ss["sheets"].insert(index, {"properties": props})
    _reindex(ss)
    state.cells.setdefault(ss["spreadsheetId"], {})[str(sheet_id)] = {}
    return {"addSheet": {"properties": copy.deepcopy(props)}}


def _delete_sheet(state: State, ss: Json, args: Json, where: str) -> Json:
    sheet = _sheet_by_id(ss, args.get("sheetId", 0), where)
    if len(ss["sheets"]) == 1:
        raise bad_request(f"Invalid {where}: You can't remove all the sheets in a document.")
    ss["sheets"].remove(sheet)
    _reindex(ss)
    state.cells.get(ss["spreadsheetId"], {}).pop(str(sheet["properties"]["sheetId"]), None)
    ss["namedRanges"] = [
        n
        for n in ss.get("namedRanges", [])
        if n["range"].get("sheetId", 0) != sheet["properties"]["sheetId"]
    ]
    if not ss["namedRanges"]:
        ss.pop("namedRanges")
    return {}


def _update_sheet_properties(state: State, ss: Json, args: Json, where: str) -> Json:
    given = args.get("properties") or {}
    sheet = _sheet_by_id(ss, given.get("sheetId", 0), where)
    paths = _mask_paths(args.get("fields"), where)
    props = copy.deepcopy(sheet["properties"])
    if paths == [["*"]]:
        paths = [[k] for k in given if k != "sheetId"]
    paths = [p for p in paths if p[0] not in ("sheetId", "sheetType")]
    _apply_mask(props, given, paths)
    if not props.get("title"):
        raise bad_request(f"Invalid {where}: Sheet title cannot be empty.")
    _check_title(ss, props["title"], where, except_id=props["sheetId"])
    grid = props.setdefault("gridProperties", {})
    if grid.get("rowCount", 1) < 1 or grid.get("columnCount", 1) < 1:
        raise bad_request(f"Invalid {where}: a sheet needs at least one row and one column")
    if grid.get("frozenRowCount", 0) >= grid.get("rowCount", 0) and grid.get("frozenRowCount"):
        raise bad_request(f"Invalid {where}: You can't freeze all visible rows on the sheet.")
    if grid.get("frozenColumnCount", 0) >= grid.get("columnCount", 0) and grid.get(
        "frozenColumnCount"
    ):
        raise bad_request(f"Invalid {where}: You can't freeze all visible columns on the sheet.")
    if props.get("hidden") and all(
        s["properties"].get("hidden") for s in ss["sheets"] if s is not sheet
    ):
        raise bad_request(f"Invalid {where}: You can't hide all the sheets in a document.")
    _tidy_properties(props, style_first=any(p[0] == "tabColorStyle" for p in paths))
    new_index = props.get("index", sheet["properties"]["index"])
    sheet["properties"] = props
    if new_index != ss["sheets"].index(sheet):
        ss["sheets"].remove(sheet)
        ss["sheets"].insert(max(0, min(new_index, len(ss["sheets"]))), sheet)
        _reindex(ss)
    rows, cols = _grid_size(sheet)
    grid_cells = _cells(state, ss, sheet)
    for key in [k for k in grid_cells if _unkey(k)[0] >= rows or _unkey(k)[1] >= cols]:
        del grid_cells[key]
    return {}


def _update_spreadsheet_properties(state: State, ss: Json, args: Json, where: str) -> Json:
    paths = _mask_paths(args.get("fields"), where)
    if paths == [["*"]]:
        paths = [[k] for k in (args.get("properties") or {})]
    _apply_mask(ss["properties"], args.get("properties") or {}, paths)
    title = ss["properties"].get("title")
    if title:
        state.files[ss["spreadsheetId"]]["name"] = title
    return {}


def _with_color_styles(fmt: Json) -> Json:
    """Google adds a *Style twin for every colour in a format."""
    out = copy.deepcopy(fmt)
    for holder, key in ((out, "backgroundColor"), (out.get("textFormat") or {}, "foregroundColor")):
        if key in holder and isinstance(holder[key], dict):
            holder[key] = _tidy_color(holder[key])
            holder[key + "Style"] = {"rgbColor": holder[key]}
    return out


def _apply_cell(
    grid: dict[str, Json], row: int, col: int, data: Json, paths: list[list[str]]
) -> None:
    key = _key(row, col)
    cell = grid.get(key, {})
    source = copy.deepcopy(data)
    if "userEnteredFormat" in source:
        source["userEnteredFormat"] = _with_color_styles(source["userEnteredFormat"])
    if paths == [["*"]]:
        paths = [["userEnteredValue"], ["userEnteredFormat"], ["note"], ["dataValidation"]]
    expanded = []
    for path in paths:
        expanded.append(path)
        if path[-1] in ("backgroundColor", "foregroundColor"):
            expanded.append([*path[:-1], path[-1] + "Style"])
    _apply_mask(cell, source, expanded)
    if "userEnteredValue" in cell:
        cell.pop("effectiveValue", None)
        if not cell["userEnteredValue"]:
            del cell["userEnteredValue"]
    for empty in [k for k, v in cell.items() if v in ({}, None, "")]:
        del cell[empty]
    if cell:
        grid[key] = cell
    else:
        grid.pop(key, None)


def _repeat_cell(state: State, ss: Json, args: Json, where: str) -> Json:
    box = _grid_box(ss, args.get("range") or {}, where)
    paths = _mask_paths(args.get("fields"), where)
    grid = _cells(state, ss, box.sheet)
    for row, col in box.cells():
        _apply_cell(grid, row, col, args.get("cell") or {}, paths)
    return {}


def _update_cells(state: State, ss: Json, args: Json, where: str) -> Json:
    paths = _mask_paths(args.get("fields"), where)
    if "start" in args:
        start = args["start"]
        sheet = _sheet_by_id(ss, start.get("sheetId", 0), where)
        row0, col0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
    elif "range" in args:
        box = _grid_box(ss, args["range"], where)
        sheet, row0, col0 = box.sheet, box.row0, box.col0
    else:
        raise bad_request(f"Invalid {where}: either start or range must be set")
    rows, cols = _grid_size(sheet)
    grid = _cells(state, ss, sheet)
    for i, row in enumerate(args.get("rows") or []):
        for j, data in enumerate(row.get("values") or []):
            if row0 + i >= rows or col0 + j >= cols:
                raise bad_request(f"Invalid {where}: the update goes past the grid's limits")
            _apply_cell(grid, row0 + i, col0 + j, data, paths)
    return {}


def _overlaps(a: Json, b: Json) -> bool:
    return (
        a.get("sheetId", 0) == b.get("sheetId", 0)
        and a["startRowIndex"] < b["endRowIndex"]
        and b["startRowIndex"] < a["endRowIndex"]
        and a["startColumnIndex"] < b["endColumnIndex"]
        and b["startColumnIndex"] < a["endColumnIndex"]
    )


def _contains(outer: Json, inner: Json) -> bool:
    return (
        outer.get("sheetId", 0) == inner.get("sheetId", 0)
        and outer["startRowIndex"] <= inner["startRowIndex"]
        and inner["endRowIndex"] <= outer["endRowIndex"]
        and outer["startColumnIndex"] <= inner["startColumnIndex"]
        and inner["endColumnIndex"] <= outer["endColumnIndex"]
    )


def _out_range(box: Box) -> Json:
    out: Json = {
        "startRowIndex": box.row0,
        "endRowIndex": box.row1,
        "startColumnIndex": box.col0,
        "endColumnIndex": box.col1,
    }
    if box.sheet["properties"]["sheetId"]:
        out = {"sheetId": box.sheet["properties"]["sheetId"], **out}
    return out


def _merge_cells(state: State, ss: Json, args: Json, where: str) -> Json:
    box = _grid_box(ss, args.get("range") or {}, where)
    kind = args.get("mergeType", "MERGE_ALL")
    if kind == "MERGE_ALL":
        pieces = [box]
    elif kind == "MERGE_COLUMNS":
        pieces = [Box(box.sheet, box.row0, box.row1, c, c + 1) for c in range(box.col0, box.col1)]
    else:
        pieces = [Box(box.sheet, r, r + 1, box.col0, box.col1) for r in range(box.row0, box.row1)]
    merges = box.sheet.setdefault("merges", [])
    grid = _cells(state, ss, box.sheet)
    for piece in pieces:
        if (piece.row1 - piece.row0) * (piece.col1 - piece.col0) < 2:
            continue
        wanted = _out_range(piece)
        inside = [m for m in merges if _contains(wanted, m)]
        if any(_overlaps(wanted, m) for m in merges if m not in inside):
            raise bad_request(
                f"Invalid {where}: You can't merge cells that intersect with existing merges."
            )
        merges[:] = [m for m in merges if m not in inside]  # a bigger merge replaces them
        merges.append(wanted)
        for row, col in piece.cells():
            if (row, col) != (piece.row0, piece.col0):
                cell = grid.get(_key(row, col))
                if cell:
                    cell.pop("userEnteredValue", None)
                    cell.pop("effectiveValue", None)
    if not merges:
        box.sheet.pop("merges")
    return {}


def _unmerge_cells(state: State, ss: Json, args: Json, where: str) -> Json:
    box = _grid_box(ss, args.get("range") or {}, where)
    wanted = _out_range(box)
    merges = [m for m in box.sheet.get("merges", []) if not _overlaps(wanted, m)]
    if merges:
        box.sheet["merges"] = merges
    else:
        box.sheet.pop("merges", None)
    return {}


def _dimension_span(ss: Json, dim: Json, where: str) -> tuple[Json, str, int, int]:
    sheet = _sheet_by_id(ss, dim.get("sheetId", 0), where)
    rows, cols = _grid_size(sheet)
    dimension = dim.get("dimension")
    if dimension not in ("ROWS", "COLUMNS"):
        raise bad_request(f"Invalid {where}: dimension must be ROWS or COLUMNS")
    limit = rows if dimension == "ROWS" else cols
    start, end = dim.get("startIndex", 0), dim.get("endIndex", limit)
    if start < 0 or end > limit or start > end:
        raise bad_request(
            f"Invalid {where}: index out of range (grid has {limit} {dimension.lower()})"
        )
    return sheet, dimension, start, end


def _update_dimension_properties(state: State, ss: Json, args: Json, where: str) -> Json:
    sheet, dimension, start, end = _dimension_span(ss, args.get("range") or {}, where)
    paths = _mask_paths(args.get("fields"), where)
    store = sheet.setdefault("_rows" if dimension == "ROWS" else "_cols", {})
    for index in range(start, end):
        meta = store.setdefault(str(index), {})
        _apply_mask(meta, args.get("properties") or {}, paths)
    return {}


def _auto_resize(state: State, ss: Json, args: Json, where: str) -> Json:
    sheet, dimension, start, end = _dimension_span(ss, args.get("dimensions") or {}, where)
    grid = _cells(state, ss, sheet)
    store = sheet.setdefault("_rows" if dimension == "ROWS" else "_cols", {})
    for index in range(start, end):
        if dimension == "COLUMNS":
            longest = max(
                (len(formatted(c)) for k, c in grid.items() if _unkey(k)[1] == index), default=0
            )
            store.setdefault(str(index), {})["pixelSize"] = (
                max(7 * longest + 10, 21) if longest else 100
            )
        else:
            store.setdefault(str(index), {})["pixelSize"] = 21
    return {}


def _shift(grid: dict[str, Json], dimension: str, at: int, by: int) -> None:
    moved: dict[str, Json] = {}
    for key, cell in grid.items():
        row, col = _unkey(key)
        pos = row if dimension == "ROWS" else col
        if by < 0 and at <= pos < at - by:
            continue
        if pos >= at:
            pos += by
        moved[_key(pos, col) if dimension == "ROWS" else _key(row, pos)] = cell
    grid.clear()
    grid.update(moved)


def _insert_rows(state: State, ss: Json, sheet: Json, at: int, count: int) -> None:
    _shift(_cells(state, ss, sheet), "ROWS", at, count)
    sheet["properties"]["gridProperties"]["rowCount"] += count


def _insert_dimension(state: State, ss: Json, args: Json, where: str) -> Json:
    sheet, dimension, start, end = _dimension_span(ss, args.get("range") or {}, where)
    _shift(_cells(state, ss, sheet), dimension, start, end - start)
    grid = sheet["properties"]["gridProperties"]
    grid["rowCount" if dimension == "ROWS" else "columnCount"] += end - start
    return {}


def _delete_dimension(state: State, ss: Json, args: Json, where: str) -> Json:
    sheet, dimension, start, end = _dimension_span(ss, args.get("range") or {}, where)
    grid = sheet["properties"]["gridProperties"]
    key = "rowCount" if dimension == "ROWS" else "columnCount"
    if end - start >= grid[key]:
        raise bad_request(
            f"Invalid {where}: You can't delete all the {dimension.lower()} on the sheet."
        )
    _shift(_cells(state, ss, sheet), dimension, start, start - end)
    grid[key] -= end - start
    return {}


def _append_dimension(state: State, ss: Json, args: Json, where: str) -> Json:
    sheet = _sheet_by_id(ss, args.get("sheetId", 0), where)
    length = args.get("length", 0)
    if length < 1:
        raise bad_request(f"Invalid {where}: length must be at least 1")
    key = "rowCount" if args.get("dimension") == "ROWS" else "columnCount"
    sheet["properties"]["gridProperties"][key] += length
    return {}


def _add_conditional_format_rule(state: State, ss: Json, args: Json, where: str) -> Json:
    rule = copy.deepcopy(args.get("rule") or {})
    ranges = rule.get("ranges") or []
    if not ranges:
        raise bad_request(f"Invalid {where}: The rule must have at least one range.")
    sheet = _sheet_by_id(ss, ranges[0].get("sheetId", 0), where)
    for grid_range in ranges:
        _grid_box(ss, grid_range, where)
    rules = sheet.setdefault("conditionalFormats", [])
    index = args.get("index", 0)
    if index < 0 or index > len(rules):
        raise bad_request(f"Invalid {where}: index {index} is out of range")
    rule["ranges"] = [_out_range(_grid_box(ss, r, where)) for r in ranges]
    rules.insert(index, rule)
    return {}


def _set_basic_filter(state: State, ss: Json, args: Json, where: str) -> Json:
    basic = copy.deepcopy(args.get("filter") or {})
    box = _grid_box(ss, basic.get("range") or {}, where)
    basic["range"] = _out_range(box)
    box.sheet["basicFilter"] = basic
    return {}


def _clear_basic_filter(state: State, ss: Json, args: Json, where: str) -> Json:
    _sheet_by_id(ss, args.get("sheetId", 0), where).pop("basicFilter", None)
    return {}


def _add_chart(state: State, ss: Json, args: Json, where: str) -> Json:
    chart = copy.deepcopy(args.get("chart") or {})
    if not chart.get("spec"):
        raise bad_request(f"Invalid {where}: the chart needs a spec")
    anchor = ((chart.get("position") or {}).get("overlayPosition") or {}).get("anchorCell") or {}
    sheet_id = anchor.get(
        "sheetId",
        (chart.get("position") or {}).get("sheetId", ss["sheets"][0]["properties"]["sheetId"]),
    )
    sheet = _sheet_by_id(ss, sheet_id, where)
    chart.setdefault("chartId", _new_sheet_id())
    sheet.setdefault("charts", []).append(chart)
    return {"addChart": {"chart": copy.deepcopy(chart)}}


def _named_range_out(ss: Json, named: Json, where: str) -> Json:
    box = _grid_box(ss, named.get("range") or {}, where)
    return {**named, "range": _out_range(box)}


def _add_named_range(state: State, ss: Json, args: Json, where: str) -> Json:
    named = copy.deepcopy(args.get("namedRange") or {})
    name = named.get("name", "")
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) or a1._LOOKS_LIKE_REF.match(name):
        raise bad_request(f"Invalid {where}: Invalid name: {name}")
    existing = ss.setdefault("namedRanges", [])
    if any(n["name"].lower() == name.lower() for n in existing):
        raise bad_request(f"Invalid {where}: A named range with the name {name} already exists.")
    named.setdefault("namedRangeId", str(secrets.randbelow(10**9)))
    stored = {"namedRangeId": named["namedRangeId"], **_named_range_out(ss, named, where)}
    existing.append(stored)
    return {"addNamedRange": {"namedRange": copy.deepcopy(stored)}}


def _find_named(ss: Json, named_id: str, where: str) -> Json:
    for named in ss.get("namedRanges", []):
        if named["namedRangeId"] == named_id:
            return named
    raise bad_request(f"Invalid {where}: No named range with id {named_id}")


def _delete_named_range(state: State, ss: Json, args: Json, where: str) -> Json:
    named = _find_named(ss, args.get("namedRangeId", ""), where)
    ss["namedRanges"].remove(named)
    if not ss["namedRanges"]:
        del ss["namedRanges"]
    return {}


def _update_named_range(state: State, ss: Json, args: Json, where: str) -> Json:
    given = args.get("namedRange") or {}
    named = _find_named(ss, given.get("namedRangeId", ""), where)
    _apply_mask(named, given, _mask_paths(args.get("fields"), where))
    named.update(_named_range_out(ss, named, where))
    return {}


def _sort_range(state: State, ss: Json, args: Json, where: str) -> Json:
    box = _grid_box(ss, args.get("range") or {}, where)
    grid = _cells(state, ss, box.sheet)
    rows = [
        [grid.get(_key(r, c)) for c in range(box.col0, box.col1)] for r in range(box.row0, box.row1)
    ]

    def sort_key(spec: Json) -> Callable[[list[Json | None]], tuple[int, Any]]:
        col = spec.get("dimensionIndex", 0) - box.col0

        def key(row: list[Json | None]) -> tuple[int, Any]:
            value = unformatted(row[col], "SERIAL_NUMBER") if row[col] else ""
            if value == "":
                return (2, "")
            if isinstance(value, bool | int | float):
                return (0, float(value))
            return (1, str(value).lower())

        return key

    for spec in reversed(args.get("sortSpecs") or []):
        descending = spec.get("sortOrder") == "DESCENDING"
        filled = [r for r in rows if sort_key(spec)(r)[0] != 2]
        empty = [r for r in rows if sort_key(spec)(r)[0] == 2]
        filled.sort(key=sort_key(spec), reverse=descending)
        rows = filled + empty
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            key = _key(box.row0 + i, box.col0 + j)
            if cell:
                grid[key] = cell
            else:
                grid.pop(key, None)
    return {}


def _set_data_validation(state: State, ss: Json, args: Json, where: str) -> Json:
    box = _grid_box(ss, args.get("range") or {}, where)
    rule = args.get("rule")
    if rule is not None:
        condition = rule.get("condition") or {}
        if not condition.get("type"):
            raise bad_request(f"Invalid {where}: rule.condition.type is required")
        needs_values = {"ONE_OF_LIST", "ONE_OF_RANGE", "NUMBER_BETWEEN", "NUMBER_GREATER"}
        if condition["type"] in needs_values and not condition.get("values"):
            raise bad_request(f"Invalid {where}: {condition['type']} needs condition values")
    grid = _cells(state, ss, box.sheet)
    for row, col in box.cells():
        _apply_cell(grid, row, col, {"dataValidation": rule} if rule else {}, [["dataValidation"]])
    return {}


def _add_protected_range(state: State, ss: Json, args: Json, where: str) -> Json:
    given = args.get("protectedRange") or {}
    box = _grid_box(ss, given.get("range") or {}, where)
    existing = [p for s in ss["sheets"] for p in s.get("protectedRanges", [])]
    protected: Json = {"protectedRangeId": given.get("protectedRangeId") or _new_sheet_id()}
    if any(p["protectedRangeId"] == protected["protectedRangeId"] for p in existing):
        raise bad_request(f"Invalid {where}: protectedRangeId already exists")
    protected["range"] = _out_range(box)
    if given.get("description"):
        protected["description"] = given["description"]
    if given.get("warningOnly"):
        protected["warningOnly"] = True
        if (given.get("editors") or {}).get("users"):
            raise bad_request(f"Invalid {where}: a warning-only range cannot have editors")
    protected["requestingUserCanEdit"] = True  # the caller edits the spreadsheet
    editors = {k: v for k, v in (given.get("editors") or {}).items() if v}
    protected["editors"] = editors
    reply = copy.deepcopy(protected)
    # the reply echoes the editors asked for; the stored range also lists the owner (recorded)
    owner = state.files[ss["spreadsheetId"]]["owners"][0]["emailAddress"]
    stored = copy.deepcopy(protected)
    users = stored["editors"].setdefault("users", [])
    if owner not in users:
        users.insert(0, owner)
    box.sheet.setdefault("protectedRanges", []).append(stored)
    return {"addProtectedRange": {"protectedRange": reply}}


def _delete_protected_range(state: State, ss: Json, args: Json, where: str) -> Json:
    wanted = args.get("protectedRangeId")
    for sheet in ss["sheets"]:
        for protected in sheet.get("protectedRanges", []):
            if protected["protectedRangeId"] == wanted:
                sheet["protectedRanges"].remove(protected)
                if not sheet["protectedRanges"]:
                    del sheet["protectedRanges"]
                return {}
    raise bad_request(f"Invalid {where}: No protected range with id: {wanted}")


def _group_key(dimension: str) -> str:
    return "rowGroups" if dimension == "ROWS" else "columnGroups"


def _groups_reply(sheet: Json, dimension: str) -> list[Json]:
    return copy.deepcopy(sheet.get(_group_key(dimension), []))


def _group_range(sheet: Json, dimension: str, start: int, end: int) -> Json:
    out: Json = {"dimension": dimension, "startIndex": start, "endIndex": end}
    if sheet["properties"]["sheetId"]:
        out = {"sheetId": sheet["properties"]["sheetId"], **out}
    return out


def _add_dimension_group(state: State, ss: Json, args: Json, where: str) -> Json:
    sheet, dimension, start, end = _dimension_span(ss, args.get("range") or {}, where)
    groups = sheet.setdefault(_group_key(dimension), [])
    if any(g["range"]["startIndex"] == start and g["range"]["endIndex"] == end for g in groups):
        raise bad_request(f"Invalid {where}: The group already exists.")
    depth = 1 + sum(
        1 for g in groups if g["range"]["startIndex"] <= start and end <= g["range"]["endIndex"]
    )
    groups.append({"range": _group_range(sheet, dimension, start, end), "depth": depth})
    control = "rowGroupControlAfter" if dimension == "ROWS" else "columnGroupControlAfter"
    sheet["properties"]["gridProperties"][control] = True  # Google sets it and keeps it
    groups.sort(key=lambda g: (g["depth"], g["range"]["startIndex"]))
    return {"addDimensionGroup": {"dimensionGroups": _groups_reply(sheet, dimension)}}


def _delete_dimension_group(state: State, ss: Json, args: Json, where: str) -> Json:
    sheet, dimension, start, end = _dimension_span(ss, args.get("range") or {}, where)
    groups = sheet.get(_group_key(dimension), [])
    match = [
        g for g in groups if g["range"]["startIndex"] == start and g["range"]["endIndex"] == end
    ]
    if not match:
        raise bad_request(f"Invalid {where}: No dimension group in that range.")
    groups.remove(match[-1])
    if not groups:
        sheet.pop(_group_key(dimension), None)
    reply = _groups_reply(sheet, dimension)
    return {"deleteDimensionGroup": {"dimensionGroups": reply} if reply else {}}


_PASTE_FIELDS = {
    "PASTE_NORMAL": ("userEnteredValue", "userEnteredFormat", "note", "dataValidation"),
    "PASTE_VALUES": ("userEnteredValue",),
    "PASTE_FORMAT": ("userEnteredFormat",),
    "PASTE_NO_BORDERS": ("userEnteredValue", "userEnteredFormat", "note", "dataValidation"),
    "PASTE_FORMULA": ("userEnteredValue",),
    "PASTE_DATA_VALIDATION": ("dataValidation",),
    "PASTE_CONDITIONAL_FORMATTING": (),
}


def _paste(state: State, ss: Json, source: Box, target: Box, kind: str, cut: bool) -> None:
    keep = _PASTE_FIELDS.get(kind, _PASTE_FIELDS["PASTE_NORMAL"])
    src_grid = _cells(state, ss, source.sheet)
    dst_grid = _cells(state, ss, target.sheet)
    blocks = {
        (r - source.row0, c - source.col0): copy.deepcopy(src_grid.get(_key(r, c)) or {})
        for r, c in source.cells()
    }
    if cut:
        for r, c in source.cells():
            src_grid.pop(_key(r, c), None)
    height, width = source.row1 - source.row0, source.col1 - source.col0
    for r, c in target.cells():
        cell = blocks[((r - target.row0) % height, (c - target.col0) % width)]
        current = dst_grid.get(_key(r, c), {})
        for name in keep:
            if name in cell:
                current[name] = copy.deepcopy(cell[name])
            else:
                current.pop(name, None)
        if "userEnteredValue" not in current:
            current.pop("effectiveValue", None)
        elif "effectiveValue" in cell:
            current["effectiveValue"] = copy.deepcopy(cell["effectiveValue"])
        if current:
            dst_grid[_key(r, c)] = current
        else:
            dst_grid.pop(_key(r, c), None)


def _copy_paste(state: State, ss: Json, args: Json, where: str) -> Json:
    source = _grid_box(ss, args.get("source") or {}, where)
    target = _grid_box(ss, args.get("destination") or {}, where)
    if source.row1 == source.row0 or source.col1 == source.col0:
        raise bad_request(f"Invalid {where}: the source range is empty")
    height, width = source.row1 - source.row0, source.col1 - source.col0
    rows = max(height, (target.row1 - target.row0) // height * height)
    cols = max(width, (target.col1 - target.col0) // width * width)
    target = _grid_box(
        ss,
        _out_range(
            Box(target.sheet, target.row0, target.row0 + rows, target.col0, target.col0 + cols)
        )
        | {"sheetId": target.sheet["properties"]["sheetId"]},
        where,
    )
    _paste(state, ss, source, target, args.get("pasteType", "PASTE_NORMAL"), cut=False)
    return {}


def _cut_paste(state: State, ss: Json, args: Json, where: str) -> Json:
    source = _grid_box(ss, args.get("source") or {}, where)
    corner = args.get("destination") or {}
    sheet = _sheet_by_id(ss, corner.get("sheetId", 0), where)
    row0, col0 = corner.get("rowIndex", 0), corner.get("columnIndex", 0)
    target = _grid_box(
        ss,
        {
            "sheetId": sheet["properties"]["sheetId"],
            "startRowIndex": row0,
            "endRowIndex": row0 + source.row1 - source.row0,
            "startColumnIndex": col0,
            "endColumnIndex": col0 + source.col1 - source.col0,
        },
        where,
    )
    _paste(state, ss, source, target, args.get("pasteType", "PASTE_NORMAL"), cut=True)
    return {}


_REQUESTS: dict[str, Callable[[State, Json, Json, str], Json]] = {
    "addSheet": _add_sheet,
    "deleteSheet": _delete_sheet,
    "updateSheetProperties": _update_sheet_properties,
    "updateSpreadsheetProperties": _update_spreadsheet_properties,
    "repeatCell": _repeat_cell,
    "updateCells": _update_cells,
    "mergeCells": _merge_cells,
    "unmergeCells": _unmerge_cells,
    "updateDimensionProperties": _update_dimension_properties,
    "autoResizeDimensions": _auto_resize,
    "insertDimension": _insert_dimension,
    "deleteDimension": _delete_dimension,
    "appendDimension": _append_dimension,
    "addConditionalFormatRule": _add_conditional_format_rule,
    "setBasicFilter": _set_basic_filter,
    "clearBasicFilter": _clear_basic_filter,
    "addChart": _add_chart,
    "addNamedRange": _add_named_range,
    "deleteNamedRange": _delete_named_range,
    "updateNamedRange": _update_named_range,
    "sortRange": _sort_range,
    "setDataValidation": _set_data_validation,
    "addProtectedRange": _add_protected_range,
    "deleteProtectedRange": _delete_protected_range,
    "addDimensionGroup": _add_dimension_group,
    "deleteDimensionGroup": _delete_dimension_group,
    "copyPaste": _copy_paste,
    "cutPaste": _cut_paste,
}

HANDLERS: dict[str, Callable[[Call], Json]] = {
    "sheets.spreadsheets.create": create,
    "sheets.spreadsheets.get": get,
    "sheets.spreadsheets.batchUpdate": batch_update,
    "sheets.spreadsheets.values.get": values_get,
    "sheets.spreadsheets.values.batchGet": values_batch_get,
    "sheets.spreadsheets.values.update": values_update,
    "sheets.spreadsheets.values.batchUpdate": values_batch_update,
    "sheets.spreadsheets.values.append": values_append,
    "sheets.spreadsheets.values.clear": values_clear,
    "sheets.spreadsheets.values.batchClear": values_batch_clear,
}
