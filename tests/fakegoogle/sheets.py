"""Sheets v4 handlers: spreadsheets create / get / batchUpdate and the values API."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from . import fields
from .errors import ApiError, bad_request
from .grid import (
    SPREADSHEET_MIME,
    Box,
    cell_key,
    clear_box,
    effective,
    find_table,
    formatted,
    grid_of,
    grid_size,
    insert_rows,
    new_spreadsheet,
    open_spreadsheet,
    recalculate,
    require_input_option,
    resolve,
    updated_data,
    value_range,
    write_values,
)
from .sheet_requests import REQUESTS, apply_cell
from .state import Call, Json, State


def values_get(call: Call) -> Json:
    ss = open_spreadsheet(call, write=False)
    return value_range(call.state, ss, call.path["range"], call.query)


def values_batch_get(call: Call) -> Json:
    ss = open_spreadsheet(call, write=False)
    ranges = call.query.get("ranges", [])
    out: Json = {"spreadsheetId": ss["spreadsheetId"]}
    if ranges:
        out["valueRanges"] = [value_range(call.state, ss, text, call.query) for text in ranges]
    return out


def values_update(call: Call) -> Json:
    ss = open_spreadsheet(call, write=True)
    option = require_input_option(call.query.get("valueInputOption"))
    body = call.body or {}
    text = call.path["range"]
    if body.get("range") and not _same_range(ss, body["range"], text):
        raise bad_request(
            f"Requested writing within range [{text}], but tried writing to [{body['range']}]"
        )
    result = write_values(call.state, ss, text, body, option)
    recalculate(call.state, ss)
    updated_data(call.state, ss, result, call.query)
    call.state.touch(ss["spreadsheetId"], call.email)
    return result


def _same_range(ss: Json, one: str, other: str) -> bool:
    box_a, _ = resolve(ss, one, clip=False)
    box_b, _ = resolve(ss, other, clip=False)
    return (box_a.title, box_a.row0, box_a.col0) == (box_b.title, box_b.row0, box_b.col0)


def values_batch_update(call: Call) -> Json:
    ss = open_spreadsheet(call, write=True)
    body = call.body or {}
    option = require_input_option(body.get("valueInputOption"))
    snapshot = copy.deepcopy((ss, call.state.cells.get(ss["spreadsheetId"])))
    responses = []
    try:
        for data in body.get("data", []):
            if not data.get("range"):
                raise bad_request("Invalid data[0]: range is required")
            responses.append(write_values(call.state, ss, data["range"], data, option))
    except ApiError:
        _restore(call.state, ss["spreadsheetId"], snapshot)
        raise
    recalculate(call.state, ss)
    for result in responses:
        updated_data(call.state, ss, result, body)
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
    call.state.touch(ss["spreadsheetId"], call.email)
    return out


def _restore(state: State, sid: str, snapshot: tuple[Json, Any]) -> None:
    saved, cells = snapshot
    state.spreadsheets[sid].clear()
    state.spreadsheets[sid].update(saved)
    state.cells[sid] = cells


def values_append(call: Call) -> Json:
    ss = open_spreadsheet(call, write=True)
    option = require_input_option(call.query.get("valueInputOption"))
    body = call.body or {}
    box, _ = resolve(ss, call.path["range"])
    table = find_table(call.state, ss, box)
    out: Json = {"spreadsheetId": ss["spreadsheetId"]}
    if table is None:
        start = (box.row0, box.col0)
    else:
        out["tableRange"] = table.a1()
        start = (table.row1, table.col0)
    values = body.get("values") or []
    insert = call.query.get("insertDataOption", "OVERWRITE") == "INSERT_ROWS"
    if insert and values:
        insert_rows(call.state, ss, box.sheet, start[0], len(values))
    updates = write_values(
        call.state, ss, call.path["range"], body, option, extend_rows=True, start=start
    )
    recalculate(call.state, ss)
    updated_data(call.state, ss, updates, call.query)
    out["updates"] = updates
    call.state.touch(ss["spreadsheetId"], call.email)
    return out


def values_clear(call: Call) -> Json:
    ss = open_spreadsheet(call, write=True)
    box, _ = resolve(ss, call.path["range"])
    clear_box(call.state, ss, box)
    recalculate(call.state, ss)
    call.state.touch(ss["spreadsheetId"], call.email)
    return {"spreadsheetId": ss["spreadsheetId"], "clearedRange": box.a1()}


def values_batch_clear(call: Call) -> Json:
    ss = open_spreadsheet(call, write=True)
    boxes = [resolve(ss, text)[0] for text in (call.body or {}).get("ranges", [])]
    for box in boxes:
        clear_box(call.state, ss, box)
    recalculate(call.state, ss)
    call.state.touch(ss["spreadsheetId"], call.email)
    out: Json = {"spreadsheetId": ss["spreadsheetId"]}
    if boxes:
        out["clearedRanges"] = [box.a1() for box in boxes]
    return out


def create(call: Call) -> Json:
    body = call.body or {}
    title = (body.get("properties") or {}).get("title") or "Untitled spreadsheet"
    tabs = [s.get("properties") or {} for s in body.get("sheets") or []]
    titles = [str(t["title"]).lower() for t in tabs if t.get("title")]
    if len(titles) != len(set(titles)):
        raise bad_request("Invalid sheets: A sheet with the same name already exists.")
    call.refuse_robot_storage()
    record = call.created(call.state.add_file(call.email, title, SPREADSHEET_MIME))
    ss = new_spreadsheet(call.state, record["id"], title, tabs or None)
    for key, value in (body.get("properties") or {}).items():
        if key != "title":
            ss["properties"][key] = value
    try:
        for i, given in enumerate(body.get("sheets") or []):
            _initial_data(call.state, ss, ss["sheets"][i], given.get("data") or [], i)
    except ApiError:
        call.state.files.pop(record["id"])
        call.state.spreadsheets.pop(record["id"])
        call.state.cells.pop(record["id"], None)
        raise
    recalculate(call.state, ss)
    return _view(call.state, ss, include_grid=False, ranges=None, mask=None)


def _initial_data(state: State, ss: Json, sheet: Json, data: list[Json], index: int) -> None:
    """Grid data given to spreadsheets.create, written as the sheet's first cells."""
    rows, cols = grid_size(sheet)
    grid = grid_of(state, ss, sheet)
    every = [["userEnteredValue"], ["userEnteredFormat"], ["note"], ["dataValidation"]]
    for block in data:
        row0, col0 = block.get("startRow", 0), block.get("startColumn", 0)
        for r, row in enumerate(block.get("rowData") or []):
            for c, cell in enumerate(row.get("values") or []):
                if row0 + r >= rows or col0 + c >= cols:
                    raise bad_request(
                        f"Invalid sheets[{index}].data: the data goes past the grid's limits "
                        f"(max rows: {rows}, max columns: {cols})"
                    )
                apply_cell(grid, row0 + r, col0 + c, cell, [p for p in every if p[0] in cell])


def get(call: Call) -> Json:
    ss = open_spreadsheet(call, write=False)
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
            rows, cols = grid_size(sheet)
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
        shown = effective(cell)
        if shown is not None:
            out["effectiveValue"] = copy.deepcopy(shown)
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
    grid = grid_of(state, ss, box.sheet)
    rows: list[Json] = []
    for r in range(box.row0, box.row1):
        values = [
            _cell_view(grid.get(cell_key(r, c)), ss["properties"]["defaultFormat"])
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


def batch_update(call: Call) -> Json:
    ss = open_spreadsheet(call, write=True)
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
            handler = REQUESTS.get(kind)
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
    call.state.touch(sid, call.email)
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
