"""The secretary's Google Sheet, behind :class:`automation.ports.Spreadsheet`.

Few calls, whatever the size: the spreadsheet's metadata is fetched once
(and again only when a range fails because a tab was renamed); reading the
secretary's tabs is one ``spreadsheets.get`` of their grid data; service cells are one
``spreadsheets.batchUpdate`` of ``updateCells`` (growing the grid first when needed, in
the same request); writing result tabs is one ``spreadsheets.batchUpdate`` (replace the
tabs, format them, fill them, add the chart), applied whole or not at all (split only
beyond Google's request size).

Values are read as the secretary sees them (``FORMATTED_VALUE``) and written as
values, never parsed: text as ``stringValue``, so a member called
``=HYPERLINK(...)`` stays text, never a formula; a date-time as a real date-time
cell (a serial number in the configured zone with a date-time format).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from automation.googleapi import BadRange, GoogleHTTPClient, Refused, body_size
from automation.i18n import Text
from automation.layout import TITLE_LIMIT_GOOGLE, same_tab
from automation.ports import CellWrite, InputError, SheetTab
from automation.report import DATETIME_FORMAT
from automation.text import Cell

#: Google rejects a request body above 10 MiB; stay well under it.
MAX_PAYLOAD = 9_000_000
_METADATA_FIELDS = (
    "spreadsheetId,properties(title,locale),sheets(properties(sheetId,title,index,gridProperties))"
)
_GRID_FIELDS = (
    "sheets(properties(title),data(rowData(values(formattedValue,effectiveValue,"
    "effectiveFormat(numberFormat(type)),userEnteredFormat(numberFormat(type))))))"
)
_EPOCH = datetime(1899, 12, 30)  # day 0 of spreadsheet serial dates
_HIGHLIGHT = {"red": 1.0, "green": 0.93, "blue": 0.6}
_PIXELS_PER_CHAR = 7
_PIXELS_PER_CM = 96 / 2.54
_SPARE_ROWS = 20
_CHART_COLUMNS = 8

# Locales whose sheets show dates month first / year first; every other is day first.
_MDY_LOCALES = frozenset({"en_US", "en_PH", "es_US", "en_PR"})
_YMD_LANGUAGES = frozenset({"ja", "zh", "ko", "hu", "lt", "sv", "mn"})

TAB_MISSING = Text(
    "Không tìm thấy trang tính \"{tab}\" trong bảng tính (bị đổi tên hoặc bị xóa?). Đặt lại đúng "
    "tên, hoặc chạy `automation init` để tạo lại trang đó (các trang khác không bị động tới).",
    "The tab \"{tab}\" is not in the spreadsheet (renamed or deleted?). Give it back its name, "
    "or run `automation init` to create it again (other tabs are left alone).",
)
SPREADSHEET = Text("bảng tính {id}", "the spreadsheet {id}")


def date_order_of(locale: str) -> str:
    """How the sheet shows dates: ``"mdy"`` for en_US and kin, ``"ymd"`` for East Asia, else dmy."""
    if locale in _MDY_LOCALES:
        return "mdy"
    if locale.split("_")[0] in _YMD_LANGUAGES or locale == "fr_CA":
        return "ymd"
    return "dmy"


def quote_title(title: str) -> str:
    """A tab title as A1 notation wants it: in single quotes, inner quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def column_letters(column: int) -> str:
    """1 → A, 27 → AA."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def a1(title: str, row: int, column: int) -> str:
    return f"{quote_title(title)}!{column_letters(column)}{row}"


class GoogleSheet:
    """One Google spreadsheet, opened by id (the metadata is fetched here, once)."""

    date_order: str
    title_limit = TITLE_LIMIT_GOOGLE

    def __init__(self, client: GoogleHTTPClient, spreadsheet_id: str, *, language: str = "vi",
                 tz: tzinfo | None = None, max_payload: int = MAX_PAYLOAD) -> None:
        self.client = client
        self.id = spreadsheet_id
        self.language = language
        self.tz = tz
        self.max_payload = max_payload
        self._sheets: dict[str, dict[str, Any]] = {}
        self.title = ""
        self.locale = ""
        self.date_order = "dmy"
        self.client.what = SPREADSHEET(language, id=spreadsheet_id)
        self.refresh()

    # --- metadata ---------------------------------------------------------------

    def refresh(self) -> None:
        """Fetch the tabs (titles, ids, order) and the locale again."""
        meta = self.client.spreadsheets_get(self.id, params={"fields": _METADATA_FIELDS})
        properties = meta.get("properties", {})
        self.title = str(properties.get("title", ""))
        self.locale = str(properties.get("locale", ""))
        self.date_order = date_order_of(self.locale)
        sheets = [s.get("properties", {}) for s in meta.get("sheets", [])]
        sheets.sort(key=lambda p: p.get("index", 0))
        self._sheets = {str(p["title"]): p for p in sheets}

    def location(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.id}/edit"

    def tab_titles(self) -> list[str]:
        return list(self._sheets)

    # --- reading ----------------------------------------------------------------

    def read(self, titles: Sequence[str]) -> dict[str, list[list[Cell]]]:
        """The named tabs as the secretary sees them, in one ``spreadsheets.get``.

        Every cell is its displayed text (a number reads ``1120``), except a
        date-and-time cell, which comes as the naive datetime it holds: its
        displayed text follows a pattern that may not match the locale (our
        own template shows ``dd/mm/yyyy`` in a US sheet), the value does not.
        """
        for attempt in (1, 2):
            wanted = [t for t in dict.fromkeys(titles) if t in self._sheets]
            if not wanted:
                return {}
            try:
                answer = self.client.spreadsheets_get(self.id, params={
                    "ranges": [quote_title(t) for t in wanted], "includeGridData": "true",
                    "fields": _GRID_FIELDS,
                })
            except BadRange:
                if attempt == 2:
                    raise
                self.refresh()  # a tab was renamed or deleted since we looked
                continue
            tabs: dict[str, list[list[Cell]]] = {}
            for sheet in answer.get("sheets", []):
                title = str(sheet.get("properties", {}).get("title", ""))
                rows = [row for data in sheet.get("data", []) for row in data.get("rowData", [])]
                tabs[title] = _trim([[_shown(c) for c in row.get("values", [])] for row in rows])
            return {t: tabs.get(t, []) for t in wanted}
        raise AssertionError("unreachable")  # pragma: no cover

    # --- service cells ----------------------------------------------------------

    def update_cells(self, writes: Sequence[CellWrite]) -> None:
        """Write single service cells in one ``spreadsheets.batchUpdate``.

        Text goes in as ``stringValue`` (never a formula), numbers as numbers, and a
        datetime as a real date-time cell shown ``dd/mm/yyyy hh:mm:ss`` in the configured
        zone (so it reads back as the same moment, and sorts).
        """
        if not writes:
            return
        for attempt in (1, 2):
            self._require_tabs({w.tab for w in writes})
            room, grown = self._room(writes)
            requests = room + [self._cell_request(w) for w in writes]
            try:
                self.client.batch_update(self.id, {"requests": requests})
            except Refused as exc:  # a tab deleted and made again since the metadata was read
                if attempt == 2 or exc.info.status != 400:
                    raise
                self.refresh()
                continue
            for tab, dimension, size in grown:
                self._sheets[tab].setdefault("gridProperties", {})[dimension] = size
            return

    def _cell_request(self, write: CellWrite) -> dict[str, Any]:
        cell, fields = self._cell_data(write.value)
        return {"updateCells": {
            "rows": [{"values": [cell]}], "fields": fields,
            "start": {"sheetId": self._sheets[write.tab]["sheetId"],
                      "rowIndex": write.row - 1, "columnIndex": write.column - 1},
        }}

    def _cell_data(self, value: Cell) -> tuple[dict[str, Any], str]:
        """(CellData, fields): the value as it is, a date or time with its format."""
        if value is None or value == "":
            return {}, "userEnteredValue"
        if isinstance(value, bool):
            return {"userEnteredValue": {"boolValue": value}}, "userEnteredValue"
        if isinstance(value, int | float):
            return {"userEnteredValue": {"numberValue": value}}, "userEnteredValue"
        kind = _temporal_kind(value)
        if kind:
            pattern = {"date": "dd/mm/yyyy", "time": "hh:mm:ss"}.get(kind, DATETIME_FORMAT)
            return ({"userEnteredValue": {"numberValue": self._raw(value)},
                     "userEnteredFormat": {"numberFormat": _number_format(pattern)}},
                    "userEnteredValue,userEnteredFormat.numberFormat")
        return {"userEnteredValue": {"stringValue": str(value)}}, "userEnteredValue"

    def _room(self, writes: Sequence[CellWrite]
              ) -> tuple[list[dict[str, Any]], list[tuple[str, str, int]]]:
        """Requests that grow a tab's grid first when a write lands past it (a service column
        added at the end of a tab that has no spare column): Google refuses writes outside
        the grid. Also what the grid sizes become, to remember once they are made."""
        requests: list[dict[str, Any]] = []
        grown: list[tuple[str, str, int]] = []
        for tab in sorted({w.tab for w in writes}):
            grid = self._sheets[tab].get("gridProperties", {})
            for dimension, key, needed in (
                ("ROWS", "rowCount", max(w.row for w in writes if w.tab == tab)),
                ("COLUMNS", "columnCount", max(w.column for w in writes if w.tab == tab)),
            ):
                have = grid.get(key)
                if have is not None and needed > have:
                    requests.append({"appendDimension": {
                        "sheetId": self._sheets[tab]["sheetId"],
                        "dimension": dimension,
                        "length": needed - have,
                    }})
                    grown.append((tab, key, needed))
        return requests, grown

    def _require_tabs(self, tabs: set[str]) -> None:
        missing = sorted(tabs - set(self._sheets))
        if missing:
            self.refresh()
            missing = sorted(tabs - set(self._sheets))
        if missing:
            raise InputError(TAB_MISSING(self.language, tab=missing[0]))

    def _local(self, value: datetime) -> datetime:
        if self.tz is not None and value.tzinfo is not None:
            return value.astimezone(self.tz)
        return value

    # --- whole tabs -------------------------------------------------------------

    def write_tabs(self, tabs: Sequence[SheetTab]) -> None:
        """Create or wholly replace service tabs: one ``batchUpdate`` + RAW values."""
        if not tabs:
            return
        try:
            self._replace(tabs)
        except Refused as exc:
            if exc.info.status != 400:
                raise
            self.refresh()  # a tab we meant to replace was deleted or moved meanwhile
            self._replace(tabs)

    def _replace(self, tabs: Sequence[SheetTab]) -> None:
        requests: list[dict[str, Any]] = []
        values: list[dict[str, Any]] = []
        used = {int(p["sheetId"]) for p in self._sheets.values()}
        end = len(self._sheets)  # new tabs go last, in the order given
        for tab in tabs:
            old = self._sheets.get(tab.title)
            if old:
                requests.append({"deleteSheet": {"sheetId": old["sheetId"]}})
                index = int(old.get("index", 0))
            else:
                index, end = end, end + 1
            sheet_id = _new_sheet_id(used)
            requests += self._tab_requests(tab, sheet_id, index)
            values += self._value_requests(tab, sheet_id)
        self._send(requests, values)

    def add_tabs(self, tabs: Sequence[SheetTab]) -> list[str]:
        """Create the tabs that do not exist yet (in either language); never touch others."""
        existing = list(self._sheets)
        missing = [t for t in tabs if not _exists(t.title, existing)]
        if not missing:
            return []
        used = {int(p["sheetId"]) for p in self._sheets.values()}
        requests: list[dict[str, Any]] = []
        values: list[dict[str, Any]] = []
        for offset, tab in enumerate(missing):
            sheet_id = _new_sheet_id(used)
            requests += self._tab_requests(tab, sheet_id, len(self._sheets) + offset)
            values += self._value_requests(tab, sheet_id)
        stray = self._stray_default_sheet()
        if stray is not None:  # after the new tabs: a spreadsheet keeps at least one
            requests.append({"deleteSheet": {"sheetId": self._sheets[stray]["sheetId"]}})
        self._send(requests, values)
        if stray is not None:
            del self._sheets[stray]
            self._sheets = {t: {**p, "index": i} for i, (t, p) in enumerate(self._sheets.items())}
        return [t.title for t in missing]

    def _send(self, requests: list[dict[str, Any]], values: list[dict[str, Any]]) -> None:
        """The tabs and their values in one ``batchUpdate``: Google applies it whole or not
        at all, so a crash never leaves a tab made but empty. Split (the tabs first, then
        their values) only beyond Google's request size."""
        batch, size = requests, body_size(requests)
        for request in values:
            request_size = body_size(request)
            if size + request_size > self.max_payload:
                self._apply(self.client.batch_update(self.id, {"requests": batch}))
                batch, size = [], 0
            batch.append(request)
            size += request_size
        self._apply(self.client.batch_update(self.id, {"requests": batch}))

    def _stray_default_sheet(self) -> str | None:
        """The empty first sheet of a new spreadsheet ("Sheet1", sheet id 0), when it is the
        only tab: ``init`` replaces it with the template tabs instead of leaving it beside
        them. One small read, only in that case."""
        if len(self._sheets) != 1:
            return None
        title, properties = next(iter(self._sheets.items()))
        if int(properties.get("sheetId", -1)) != 0:
            return None
        answer = self.client.spreadsheets_get(self.id, params={
            "ranges": [quote_title(title)], "includeGridData": "true",
            "fields": "sheets(data(rowData(values(userEnteredValue))))"})
        for sheet in answer.get("sheets", []):
            for data in sheet.get("data", []):
                for row in data.get("rowData", []):
                    if any(v.get("userEnteredValue") for v in row.get("values", [])):
                        return None
        return title

    def _apply(self, answer: Mapping[str, Any]) -> None:
        """Keep the cached tab list in step with our own batchUpdate, without a new fetch."""
        added = [r["addSheet"]["properties"] for r in answer.get("replies", []) if "addSheet" in r]
        new_titles = {str(p["title"]) for p in added}
        kept = [p for t, p in self._sheets.items() if t not in new_titles]
        sheets = sorted(kept, key=lambda p: p.get("index", 0))
        for properties in sorted(added, key=lambda p: p.get("index", 0)):
            sheets.insert(min(int(properties.get("index", len(sheets))), len(sheets)), properties)
        self._sheets = {str(p["title"]): {**p, "index": i} for i, p in enumerate(sheets)}

    def _tab_requests(self, tab: SheetTab, sheet_id: int, index: int) -> list[dict[str, Any]]:
        """addSheet with its size, frozen header, then the formatting, notes and chart.

        A tab's page setup is not sent: the Sheets API has no print settings (the
        secretary prints from the browser, where "repeat frozen rows" repeats the
        frozen header on every page).
        """
        rows = tab.rows
        width = max([len(r) for r in rows] + [len(tab.column_widths), 1]
                    + [v.column + 1 for v in tab.validations] + [c for _, c in tab.notes]
                    + [c for _, c in tab.cell_styles])
        if tab.chart:
            width = max(width, tab.chart.value_column + 1)
        frozen = tab.header_row or 0
        # Room for the chart beside the table: its anchor cell must lie inside the grid.
        columns = width + _CHART_COLUMNS if tab.chart else width
        # Every row a drop-down, note or chart reaches must exist (a template's drop-downs
        # run far below its few example rows).
        height = max([len(rows), *(v.last_row for v in tab.validations),
                      *(row for row, _ in tab.notes), *(row for row, _ in tab.cell_styles),
                      tab.chart.last_row if tab.chart else 0])
        grid = {"rowCount": height + _SPARE_ROWS, "columnCount": columns}
        if frozen:
            grid["frozenRowCount"] = frozen
        requests: list[dict[str, Any]] = [{"addSheet": {"properties": {
            "sheetId": sheet_id, "title": tab.title, "index": index, "gridProperties": grid,
        }}}]

        def cells(first_row: int, last_row: int, first_col: int = 0,
                  last_col: int | None = None) -> dict[str, Any]:
            """A grid range from 0-based, end-exclusive bounds."""
            return {"sheetId": sheet_id, "startRowIndex": first_row, "endRowIndex": last_row,
                    "startColumnIndex": first_col,
                    "endColumnIndex": width if last_col is None else last_col}

        bold = set(tab.bold_rows) | ({frozen} if frozen else set())
        for first, last in _runs(sorted(bold)):
            requests.append({"repeatCell": {
                "range": cells(first - 1, last),
                "cell": {"userEnteredFormat": {"textFormat": {"bold": True}}},
                "fields": "userEnteredFormat.textFormat.bold",
            }})
        for first, last in _runs(sorted(tab.highlight_rows)):
            requests.append({"repeatCell": {
                "range": cells(first - 1, last),
                "cell": {"userEnteredFormat": {"backgroundColor": _HIGHLIGHT,
                                               "textFormat": {"bold": True}}},
                "fields": "userEnteredFormat.backgroundColor,userEnteredFormat.textFormat.bold",
            }})
        for column, chars in enumerate(tab.column_widths):
            if chars > 0:
                requests.append({"updateDimensionProperties": {
                    "range": {"sheetId": sheet_id, "dimension": "COLUMNS",
                              "startIndex": column, "endIndex": column + 1},
                    "properties": {"pixelSize": chars * _PIXELS_PER_CHAR + 16},
                    "fields": "pixelSize",
                }})
        for column, first, end, fmt in self._formats(tab):
            requests.append({"repeatCell": {
                "range": cells(first, end, column, column + 1),
                "cell": {"userEnteredFormat": {"numberFormat": fmt}},
                "fields": "userEnteredFormat.numberFormat",
            }})
        requests += _layout_requests(tab, cells)
        for (row, column), note in sorted(tab.notes.items()):
            requests.append({"updateCells": {
                "rows": [{"values": [{"note": note}]}], "fields": "note",
                "start": {"sheetId": sheet_id, "rowIndex": row - 1, "columnIndex": column - 1},
            }})
        for check in tab.validations:
            requests.append({"setDataValidation": {
                "range": cells(check.first_row - 1, check.last_row, check.column,
                               check.column + 1),
                "rule": {"condition": {"type": "ONE_OF_LIST", "values": [
                    {"userEnteredValue": v} for v in check.values]},
                    "showCustomUi": True, "strict": False},
            }})
        if tab.chart:
            chart = tab.chart

            def source(column: int) -> dict[str, Any]:
                return {"sourceRange": {"sources": [
                    cells(chart.first_row - 1, chart.last_row, column, column + 1)]}}

            series: dict[str, Any] = {"series": source(chart.value_column),
                                      "targetAxis": "LEFT_AXIS"}
            basic: dict[str, Any] = {
                "chartType": "COLUMN", "legendPosition": "NO_LEGEND", "headerCount": 0,
                "domains": [{"domain": source(chart.label_column)}], "series": [series],
            }
            if chart.value_step:
                # The API has no tick step: pin the axis to 0..value_max (whole steps, at
                # least four, so Google's own gridlines fall on whole people) and label
                # each bar with its count.
                series["dataLabel"] = {"type": "DATA", "placement": "OUTSIDE_END"}
                window: dict[str, Any] = {"viewWindowMode": "EXPLICIT", "viewWindowMin": 0}
                if chart.value_max:
                    window["viewWindowMax"] = chart.value_max
                basic["axis"] = [{"position": "LEFT_AXIS", "viewWindowOptions": window}]
            anchor_row = (chart.anchor_row - 1 if chart.anchor_row is not None
                          else max(chart.first_row - 2, 0))
            anchor_column = chart.anchor_column if chart.anchor_column is not None else width + 1
            requests.append({"addChart": {"chart": {
                "spec": {"title": chart.title, "basicChart": basic},
                "position": {"overlayPosition": {
                    "anchorCell": {"sheetId": sheet_id, "rowIndex": anchor_row,
                                   "columnIndex": anchor_column},
                    "widthPixels": round(chart.width_cm * _PIXELS_PER_CM),
                    "heightPixels": round(chart.height_cm * _PIXELS_PER_CM),
                }},
            }}})
        return requests

    def _formats(self, tab: SheetTab) -> list[tuple[int, int, int, dict[str, str]]]:
        """(column, first row, end row, number format): rows 0-based, end-exclusive.

        The tab's own formats cover the rows under the header; a date or time
        cell outside them gets a date-time format in the sheet's order, so
        what is written as a serial number reads and sorts as a date.
        """
        start = tab.header_row or 0
        formats = [
            (column, start, len(tab.rows), _number_format(pattern))
            for column, pattern in sorted(tab.number_formats.items())
            if len(tab.rows) > start
        ]
        width = max([len(r) for r in tab.rows] + [0])
        for column in range(width):
            kinds: dict[int, str] = {}
            for index, row in enumerate(tab.rows):
                if column in tab.number_formats and index >= start:
                    continue
                kind = _temporal_kind(row[column] if column < len(row) else None)
                if kind:
                    kinds[index] = kind
            for first, last in _runs(sorted(kinds)):
                pattern = self._default_pattern(kinds[first])
                formats.append((column, first, last + 1, _number_format(pattern)))
        return formats

    def _default_pattern(self, kind: str) -> str:
        day = {"mdy": "mm/dd/yyyy", "ymd": "yyyy-mm-dd"}.get(self.date_order, "dd/mm/yyyy")
        return {"date": day, "time": "hh:mm:ss"}.get(kind, day + " hh:mm:ss")

    def _value_requests(self, tab: SheetTab, sheet_id: int) -> list[dict[str, Any]]:
        """``updateCells`` of the tab's values from A1 (dates as serial numbers, so they
        sort; their formats come with the tab), in blocks under Google's request size."""
        rows = [{"values": [self._value_cell(v) for v in row]} for row in tab.rows]
        return [{"updateCells": {
            "rows": block, "fields": "userEnteredValue",
            "start": {"sheetId": sheet_id, "rowIndex": first, "columnIndex": 0},
        }} for first, block in _blocks(rows, self.max_payload // 2)]

    def _value_cell(self, value: Cell) -> dict[str, Any]:
        raw = self._raw(value)
        if raw == "":
            return {}
        if isinstance(raw, bool):
            return {"userEnteredValue": {"boolValue": raw}}
        if isinstance(raw, int | float):
            return {"userEnteredValue": {"numberValue": raw}}
        return {"userEnteredValue": {"stringValue": str(raw)}}

    def _raw(self, value: Cell) -> Any:
        """A result cell for RAW input: dates as serial numbers, so they sort."""
        if value is None:
            return ""
        if isinstance(value, datetime):
            local = self._local(value).replace(tzinfo=None)
            return (local - _EPOCH).total_seconds() / 86400
        if isinstance(value, date):
            return (value - _EPOCH.date()).days
        if isinstance(value, time):
            return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
        return value


_ALIGN = {"left": "LEFT", "center": "CENTER", "right": "RIGHT"}


def _layout_requests(
    tab: SheetTab, cells: Callable[..., dict[str, Any]]
) -> list[dict[str, Any]]:
    """Alignment and wrapping of columns from the header row down, then single cells' styles.

    ``cells(first_row, end_row, first_col, end_col)`` makes a 0-based, end-exclusive
    range of the tab's sheet. Google sizes the rows of wrapped text by itself.
    """
    requests: list[dict[str, Any]] = []
    header = tab.header_row or 0
    if not header:
        return requests
    end = max(len(tab.rows), header)
    for column in sorted({*tab.alignments, *tab.wrap_columns}):
        look: dict[str, Any] = {"verticalAlignment": "TOP"}
        if column in tab.alignments:
            look["horizontalAlignment"] = _ALIGN[tab.alignments[column]]
        if column in tab.wrap_columns:
            look["wrapStrategy"] = "WRAP"
        requests.append({"repeatCell": {
            "range": cells(header - 1, end, column, column + 1),
            "cell": {"userEnteredFormat": look},
            "fields": ",".join(f"userEnteredFormat.{name}" for name in look),
        }})
    if tab.wrap_header:
        requests.append({"repeatCell": {
            "range": cells(header - 1, header),
            "cell": {"userEnteredFormat": {"wrapStrategy": "WRAP",
                                           "verticalAlignment": "MIDDLE"}},
            "fields": "userEnteredFormat.wrapStrategy,userEnteredFormat.verticalAlignment",
        }})
    for (row, column), style in sorted(tab.cell_styles.items()):
        own: dict[str, Any] = {}
        fields = []
        text: dict[str, Any] = {}
        if style.bold:
            text["bold"] = True
            fields.append("userEnteredFormat.textFormat.bold")
        if style.size:
            text["fontSize"] = style.size
            fields.append("userEnteredFormat.textFormat.fontSize")
        if text:
            own["textFormat"] = text
        if style.align:
            own["horizontalAlignment"] = _ALIGN[style.align]
            fields.append("userEnteredFormat.horizontalAlignment")
        if style.number_format:
            own["numberFormat"] = _number_format(style.number_format)
            fields.append("userEnteredFormat.numberFormat")
        if fields:
            requests.append({"repeatCell": {
                "range": cells(row - 1, row, column - 1, column),
                "cell": {"userEnteredFormat": own},
                "fields": ",".join(fields),
            }})
    return requests


def _new_sheet_id(used: set[int]) -> int:
    """A sheet id not in use (Google accepts any non-negative 31-bit id we choose)."""
    while True:
        candidate = random.randrange(1, 2**31 - 1)
        if candidate not in used:
            used.add(candidate)
            return candidate


def _exists(title: str, existing: list[str]) -> bool:
    """The tab is there already: by its title, or in the other language."""
    return any(same_tab(title, t) for t in existing)


def _runs(numbers: Sequence[int]) -> Iterator[tuple[int, int]]:
    """Consecutive runs of sorted integers as (first, last) pairs."""
    first = last = None
    for n in numbers:
        if last is not None and n == last + 1:
            last = n
            continue
        if first is not None and last is not None:
            yield first, last
        first = last = n
    if first is not None and last is not None:
        yield first, last


def _blocks(rows: list[Any], limit: int) -> Iterator[tuple[int, list[Any]]]:
    """Consecutive row blocks whose JSON stays under ``limit`` bytes, with their first index."""
    start, size = 0, 0
    block: list[Any] = []
    for index, row in enumerate(rows):
        row_size = body_size(row) + 1
        if block and size + row_size > limit:
            yield start, block
            start, block, size = index, [], 0
        block.append(row)
        size += row_size
    if block:
        yield start, block


def _shown(cell: Mapping[str, Any]) -> Cell:
    """One cell of grid data: a date-time value as a naive datetime, else the text shown."""
    fmt = (cell.get("effectiveFormat") or cell.get("userEnteredFormat") or {}).get(
        "numberFormat") or {}
    number = (cell.get("effectiveValue") or {}).get("numberValue")
    if fmt.get("type") == "DATE_TIME" and isinstance(number, int | float):
        # To the millisecond, as the service writes the moment a form opened (a typed
        # time's float noise is far below that).
        return _EPOCH + timedelta(milliseconds=round(number * 86_400_000))
    return str(cell.get("formattedValue", ""))


def _trim(rows: list[list[Cell]]) -> list[list[Cell]]:
    """Without trailing blank cells and rows, as values.get would give them."""
    trimmed = []
    for row in rows:
        while row and row[-1] == "":
            row.pop()
        trimmed.append(row)
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed


def _temporal_kind(value: Cell) -> str:
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, time):
        return "time"
    return ""


def _number_format(pattern: str) -> dict[str, str]:
    """A spreadsheet number format: its type guessed from the pattern's letters."""
    if pattern == "@":
        return {"type": "TEXT", "pattern": "@"}
    lowered = pattern.lower()
    has_day = any(c in lowered for c in "dy")
    has_time = "h" in lowered or "s" in lowered
    if has_day and has_time:
        kind = "DATE_TIME"
    elif has_day:
        kind = "DATE"
    elif has_time or ":" in pattern:
        kind = "TIME"
    else:
        kind = "NUMBER"
    return {"type": kind, "pattern": pattern}
