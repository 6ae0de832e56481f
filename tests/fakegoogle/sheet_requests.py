"""Sheets batchUpdate requests, one function each: (state, spreadsheet, args, where) → reply.

`where` is Google's prefix for messages ("requests[3].addSheet"). The dispatcher in
sheets.py runs them on the live spreadsheet and restores a snapshot if any fails.
"""

from __future__ import annotations

import copy
import re
import secrets
from collections.abc import Callable
from typing import Any

from . import a1
from .errors import bad_request
from .fields import apply_mask
from .grid import (
    Box,
    cell_key,
    contains,
    formatted,
    grid_box,
    grid_of,
    grid_size,
    mask_paths,
    new_sheet_id,
    out_range,
    overlaps,
    parse_key,
    sheet_by_id,
    sheet_properties,
    shift_cells,
    unformatted,
)
from .state import Json, State

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
        sheet_id = new_sheet_id()
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
    sheet = sheet_by_id(ss, args.get("sheetId", 0), where)
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
    sheet = sheet_by_id(ss, given.get("sheetId", 0), where)
    paths = mask_paths(args.get("fields"), where)
    props = copy.deepcopy(sheet["properties"])
    if paths == [["*"]]:
        paths = [[k] for k in given if k != "sheetId"]
    paths = [p for p in paths if p[0] not in ("sheetId", "sheetType")]
    apply_mask(props, given, paths)
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
    rows, cols = grid_size(sheet)
    grid_cells = grid_of(state, ss, sheet)
    for key in [k for k in grid_cells if parse_key(k)[0] >= rows or parse_key(k)[1] >= cols]:
        del grid_cells[key]
    return {}


def _update_spreadsheet_properties(state: State, ss: Json, args: Json, where: str) -> Json:
    paths = mask_paths(args.get("fields"), where)
    if paths == [["*"]]:
        paths = [[k] for k in (args.get("properties") or {})]
    apply_mask(ss["properties"], args.get("properties") or {}, paths)
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


def apply_cell(
    grid: dict[str, Json], row: int, col: int, data: Json, paths: list[list[str]]
) -> None:
    """Write the masked parts of a CellData into a cell, adding the *Style twin of each colour."""
    key = cell_key(row, col)
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
    apply_mask(cell, source, expanded)
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
    box = grid_box(ss, args.get("range") or {}, where)
    paths = mask_paths(args.get("fields"), where)
    grid = grid_of(state, ss, box.sheet)
    for row, col in box.cells():
        apply_cell(grid, row, col, args.get("cell") or {}, paths)
    return {}


def _update_cells(state: State, ss: Json, args: Json, where: str) -> Json:
    paths = mask_paths(args.get("fields"), where)
    if "start" in args:
        start = args["start"]
        sheet = sheet_by_id(ss, start.get("sheetId", 0), where)
        row0, col0 = start.get("rowIndex", 0), start.get("columnIndex", 0)
    elif "range" in args:
        box = grid_box(ss, args["range"], where)
        sheet, row0, col0 = box.sheet, box.row0, box.col0
    else:
        raise bad_request(f"Invalid {where}: either start or range must be set")
    rows, cols = grid_size(sheet)
    grid = grid_of(state, ss, sheet)
    for i, row in enumerate(args.get("rows") or []):
        for j, data in enumerate(row.get("values") or []):
            if row0 + i >= rows or col0 + j >= cols:
                raise bad_request(f"Invalid {where}: the update goes past the grid's limits")
            apply_cell(grid, row0 + i, col0 + j, data, paths)
    return {}


def _merge_cells(state: State, ss: Json, args: Json, where: str) -> Json:
    box = grid_box(ss, args.get("range") or {}, where)
    kind = args.get("mergeType", "MERGE_ALL")
    if kind == "MERGE_ALL":
        pieces = [box]
    elif kind == "MERGE_COLUMNS":
        pieces = [Box(box.sheet, box.row0, box.row1, c, c + 1) for c in range(box.col0, box.col1)]
    else:
        pieces = [Box(box.sheet, r, r + 1, box.col0, box.col1) for r in range(box.row0, box.row1)]
    merges = box.sheet.setdefault("merges", [])
    grid = grid_of(state, ss, box.sheet)
    for piece in pieces:
        if (piece.row1 - piece.row0) * (piece.col1 - piece.col0) < 2:
            continue
        wanted = out_range(piece)
        inside = [m for m in merges if contains(wanted, m)]
        if any(overlaps(wanted, m) for m in merges if m not in inside):
            raise bad_request(
                f"Invalid {where}: You can't merge cells that intersect with existing merges."
            )
        merges[:] = [m for m in merges if m not in inside]  # a bigger merge replaces them
        merges.append(wanted)
        for row, col in piece.cells():
            if (row, col) != (piece.row0, piece.col0):
                cell = grid.get(cell_key(row, col))
                if cell:
                    cell.pop("userEnteredValue", None)
                    cell.pop("effectiveValue", None)
    if not merges:
        box.sheet.pop("merges")
    return {}


def _unmerge_cells(state: State, ss: Json, args: Json, where: str) -> Json:
    box = grid_box(ss, args.get("range") or {}, where)
    wanted = out_range(box)
    merges = [m for m in box.sheet.get("merges", []) if not overlaps(wanted, m)]
    if merges:
        box.sheet["merges"] = merges
    else:
        box.sheet.pop("merges", None)
    return {}


def _dimension_span(ss: Json, dim: Json, where: str) -> tuple[Json, str, int, int]:
    sheet = sheet_by_id(ss, dim.get("sheetId", 0), where)
    rows, cols = grid_size(sheet)
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
    paths = mask_paths(args.get("fields"), where)
    store = sheet.setdefault("_rows" if dimension == "ROWS" else "_cols", {})
    for index in range(start, end):
        meta = store.setdefault(str(index), {})
        apply_mask(meta, args.get("properties") or {}, paths)
    return {}


def _auto_resize(state: State, ss: Json, args: Json, where: str) -> Json:
    sheet, dimension, start, end = _dimension_span(ss, args.get("dimensions") or {}, where)
    grid = grid_of(state, ss, sheet)
    store = sheet.setdefault("_rows" if dimension == "ROWS" else "_cols", {})
    for index in range(start, end):
        if dimension == "COLUMNS":
            longest = max(
                (len(formatted(c)) for k, c in grid.items() if parse_key(k)[1] == index), default=0
            )
            store.setdefault(str(index), {})["pixelSize"] = (
                max(7 * longest + 10, 21) if longest else 100
            )
        else:
            store.setdefault(str(index), {})["pixelSize"] = 21
    return {}


def _insert_dimension(state: State, ss: Json, args: Json, where: str) -> Json:
    sheet, dimension, start, end = _dimension_span(ss, args.get("range") or {}, where)
    shift_cells(grid_of(state, ss, sheet), dimension, start, end - start)
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
    shift_cells(grid_of(state, ss, sheet), dimension, start, start - end)
    grid[key] -= end - start
    return {}


def _append_dimension(state: State, ss: Json, args: Json, where: str) -> Json:
    sheet = sheet_by_id(ss, args.get("sheetId", 0), where)
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
    sheet = sheet_by_id(ss, ranges[0].get("sheetId", 0), where)
    for grid_range in ranges:
        grid_box(ss, grid_range, where)
    rules = sheet.setdefault("conditionalFormats", [])
    index = args.get("index", 0)
    if index < 0 or index > len(rules):
        raise bad_request(f"Invalid {where}: index {index} is out of range")
    rule["ranges"] = [out_range(grid_box(ss, r, where)) for r in ranges]
    rules.insert(index, rule)
    return {}


def _set_basic_filter(state: State, ss: Json, args: Json, where: str) -> Json:
    basic = copy.deepcopy(args.get("filter") or {})
    box = grid_box(ss, basic.get("range") or {}, where)
    basic["range"] = out_range(box)
    box.sheet["basicFilter"] = basic
    return {}


def _clear_basic_filter(state: State, ss: Json, args: Json, where: str) -> Json:
    sheet_by_id(ss, args.get("sheetId", 0), where).pop("basicFilter", None)
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
    sheet = sheet_by_id(ss, sheet_id, where)
    chart.setdefault("chartId", new_sheet_id())
    sheet.setdefault("charts", []).append(chart)
    return {"addChart": {"chart": copy.deepcopy(chart)}}


def _named_range_out(ss: Json, named: Json, where: str) -> Json:
    box = grid_box(ss, named.get("range") or {}, where)
    return {**named, "range": out_range(box)}


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
    apply_mask(named, given, mask_paths(args.get("fields"), where))
    named.update(_named_range_out(ss, named, where))
    return {}


def _sort_range(state: State, ss: Json, args: Json, where: str) -> Json:
    box = grid_box(ss, args.get("range") or {}, where)
    grid = grid_of(state, ss, box.sheet)
    rows = [
        [grid.get(cell_key(r, c)) for c in range(box.col0, box.col1)]
        for r in range(box.row0, box.row1)
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
            key = cell_key(box.row0 + i, box.col0 + j)
            if cell:
                grid[key] = cell
            else:
                grid.pop(key, None)
    return {}


def _set_data_validation(state: State, ss: Json, args: Json, where: str) -> Json:
    box = grid_box(ss, args.get("range") or {}, where)
    rule = args.get("rule")
    if rule is not None:
        condition = rule.get("condition") or {}
        if not condition.get("type"):
            raise bad_request(f"Invalid {where}: rule.condition.type is required")
        needs_values = {"ONE_OF_LIST", "ONE_OF_RANGE", "NUMBER_BETWEEN", "NUMBER_GREATER"}
        if condition["type"] in needs_values and not condition.get("values"):
            raise bad_request(f"Invalid {where}: {condition['type']} needs condition values")
    grid = grid_of(state, ss, box.sheet)
    for row, col in box.cells():
        apply_cell(grid, row, col, {"dataValidation": rule} if rule else {}, [["dataValidation"]])
    return {}


def _add_protected_range(state: State, ss: Json, args: Json, where: str) -> Json:
    given = args.get("protectedRange") or {}
    box = grid_box(ss, given.get("range") or {}, where)
    existing = [p for s in ss["sheets"] for p in s.get("protectedRanges", [])]
    protected: Json = {"protectedRangeId": given.get("protectedRangeId") or new_sheet_id()}
    if any(p["protectedRangeId"] == protected["protectedRangeId"] for p in existing):
        raise bad_request(f"Invalid {where}: protectedRangeId already exists")
    protected["range"] = out_range(box)
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
    src_grid = grid_of(state, ss, source.sheet)
    dst_grid = grid_of(state, ss, target.sheet)
    blocks = {
        (r - source.row0, c - source.col0): copy.deepcopy(src_grid.get(cell_key(r, c)) or {})
        for r, c in source.cells()
    }
    if cut:
        for r, c in source.cells():
            src_grid.pop(cell_key(r, c), None)
    height, width = source.row1 - source.row0, source.col1 - source.col0
    for r, c in target.cells():
        cell = blocks[((r - target.row0) % height, (c - target.col0) % width)]
        current = dst_grid.get(cell_key(r, c), {})
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
            dst_grid[cell_key(r, c)] = current
        else:
            dst_grid.pop(cell_key(r, c), None)


def _copy_paste(state: State, ss: Json, args: Json, where: str) -> Json:
    source = grid_box(ss, args.get("source") or {}, where)
    target = grid_box(ss, args.get("destination") or {}, where)
    if source.row1 == source.row0 or source.col1 == source.col0:
        raise bad_request(f"Invalid {where}: the source range is empty")
    height, width = source.row1 - source.row0, source.col1 - source.col0
    rows = max(height, (target.row1 - target.row0) // height * height)
    cols = max(width, (target.col1 - target.col0) // width * width)
    target = grid_box(
        ss,
        out_range(
            Box(target.sheet, target.row0, target.row0 + rows, target.col0, target.col0 + cols)
        )
        | {"sheetId": target.sheet["properties"]["sheetId"]},
        where,
    )
    _paste(state, ss, source, target, args.get("pasteType", "PASTE_NORMAL"), cut=False)
    return {}


def _cut_paste(state: State, ss: Json, args: Json, where: str) -> Json:
    source = grid_box(ss, args.get("source") or {}, where)
    corner = args.get("destination") or {}
    sheet = sheet_by_id(ss, corner.get("sheetId", 0), where)
    row0, col0 = corner.get("rowIndex", 0), corner.get("columnIndex", 0)
    target = grid_box(
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


REQUESTS: dict[str, Callable[[State, Json, Json, str], Json]] = {
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
