"""``parse_datetime``: the date-time forms a secretary or a sheet locale produces."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.bank import DateTimeError, parse_datetime
from automation.text import Cell

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
AT = datetime(2024, 3, 5, 14, 0, tzinfo=TZ)


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_is_none(value: Cell) -> None:
    assert parse_datetime(value, TZ) is None


def test_a_naive_datetime_cell_is_in_the_configured_zone() -> None:
    moment = parse_datetime(datetime(2024, 3, 5, 14, 0), TZ)
    assert moment == AT and moment.tzinfo is TZ


def test_an_aware_datetime_cell_is_kept() -> None:
    utc = datetime(2024, 3, 5, 7, 0, tzinfo=UTC)
    assert parse_datetime(utc, TZ) is utc


@pytest.mark.parametrize(
    "text",
    ["05/03/2024 14:00", "5/3/2024 14:00", "05-03-2024 14:00", "05.03.2024 14:00",
     "5/3/2024 14:00:00", " 05/03/2024   14:00 ", "05/03/2024, 14:00", "5/3/2024 14h00",
     "5/3/2024 14h", "5/3/2024 2:00 PM", "5/3/2024 02:00 CH", "14:00 05/03/2024",
     "2024-03-05 14:00", "2024-03-05 14:00:00", "2024-03-05T14:00", "2024-03-05T14:00:00",
     "2024-03-05T14:00:00+07:00", "2024-03-05T07:00:00Z", "2024/03/05 14:00"],
)
def test_text_forms_accepted(text: str) -> None:
    assert parse_datetime(text, TZ) == AT


def test_seconds_and_fractions_are_kept() -> None:
    assert parse_datetime("05/03/2024 14:00:07", TZ) == AT + timedelta(seconds=7)
    assert parse_datetime("2024-03-05T14:00:07.25", TZ) == AT + timedelta(seconds=7.25)


def test_an_offset_in_the_text_is_kept() -> None:
    moment = parse_datetime("2024-03-05T09:30:00-05:00", TZ)
    assert moment is not None
    assert moment.utcoffset() == timedelta(hours=-5)
    assert moment == datetime(2024, 3, 5, 14, 30, tzinfo=UTC)


def test_us_order_reads_month_first() -> None:
    assert parse_datetime("3/5/2024 14:00:00", TZ, "mdy") == AT
    assert parse_datetime("3/5/2024 2:00:00 PM", TZ, "mdy") == AT
    assert parse_datetime("2024-03-05 14:00", TZ, "mdy") == AT  # ISO is always year first


def test_year_first_locale_reads_day_first_text_as_vietnamese() -> None:
    assert parse_datetime("05/03/2024 14:00", TZ, "ymd") == AT


def test_12_am_and_12_pm() -> None:
    assert parse_datetime("5/3/2024 12:00 AM", TZ) == datetime(2024, 3, 5, 0, 0, tzinfo=TZ)
    assert parse_datetime("5/3/2024 12:30 PM", TZ) == datetime(2024, 3, 5, 12, 30, tzinfo=TZ)


@pytest.mark.parametrize(
    "text",
    ["31/02/2024 14:00", "29/02/2023 14:00", "05/13/2024 14:00", "05/03/2024 25:00",
     "05/03/2024 14:60", "2024-02-30 10:00", "5/3/2024 13:00 PM", "5/3/2024 0:30 AM",
     "2024-03-05T14:00:00+25:00"],
)
def test_impossible_dates_and_times_are_rejected(text: str) -> None:
    with pytest.raises(DateTimeError) as caught:
        parse_datetime(text, TZ)
    assert caught.value.kind == "impossible"


def test_29_february_of_a_leap_year_is_fine() -> None:
    assert parse_datetime("29/02/2024 09:15", TZ) == datetime(2024, 2, 29, 9, 15, tzinfo=TZ)


def test_the_same_text_is_impossible_in_us_order() -> None:
    assert parse_datetime("13/05/2024 14:00", TZ) == datetime(2024, 5, 13, 14, tzinfo=TZ)
    with pytest.raises(DateTimeError):
        parse_datetime("13/05/2024 14:00", TZ, "mdy")


@pytest.mark.parametrize(
    ("value", "kind"),
    [("05/03/2024", "date_only"), ("2024-03-05", "date_only"), (date(2024, 3, 5), "date_only"),
     ("14:00", "time_only"), (time(14, 0), "time_only"), ("chiều thứ Ba", "unreadable"),
     ("05/03/24 14:00", "unreadable"), ("2024-03", "unreadable"), (45356.58, "unreadable"),
     (45356, "unreadable"), (True, "unreadable"), ("05/03/2024 14", "unreadable")],
)
def test_not_a_date_and_time(value: Cell, kind: str) -> None:
    with pytest.raises(ValueError, match=r"\w") as caught:  # a short reason is given
        parse_datetime(value, TZ)
    assert isinstance(caught.value, DateTimeError) and caught.value.kind == kind


def test_an_unknown_date_order_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="date_order"):
        parse_datetime("05/03/2024 14:00", TZ, "dym")


moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31)).map(
    lambda d: d.replace(microsecond=0)
)


@given(moments)
def test_vietnamese_display_round_trips(moment: datetime) -> None:
    text = moment.strftime("%d/%m/%Y %H:%M:%S")
    assert parse_datetime(text, TZ) == moment.replace(tzinfo=TZ)


@given(moments)
def test_us_display_round_trips(moment: datetime) -> None:
    text = f"{moment.month}/{moment.day}/{moment.year} {moment:%H:%M:%S}"
    assert parse_datetime(text, TZ, "mdy") == moment.replace(tzinfo=TZ)


@given(moments, st.integers(min_value=-12 * 60, max_value=14 * 60))
def test_iso_round_trips_with_any_offset(moment: datetime, minutes: int) -> None:
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    assert parse_datetime(aware.isoformat(), TZ) == aware
    assert parse_datetime(moment.isoformat(), TZ) == moment.replace(tzinfo=TZ)


@given(st.one_of(st.text(max_size=30), moments.map(lambda m: f"{m:%d/%m/%Y %H:%M}"),
                 st.from_regex(r"\A\d{1,2}[/.-]\d{1,2}[/.-]\d{4} \d{1,2}[:h]\d{2}\Z")))
def test_any_text_is_read_as_what_it_says_or_refused_with_a_reason(text: str) -> None:
    try:
        moment = parse_datetime(text, TZ)
    except DateTimeError as error:
        assert error.kind in ("unreadable", "impossible", "date_only", "time_only")
        return
    if moment is None:
        assert not text.strip()  # only a blank cell is "no date"
        return
    assert moment.tzinfo is not None
    # What was read is what the text says: its year, day and month are written in it,
    # and the same moment written day first reads back the same.
    digits = [int(n) for n in re.findall(r"\d+", text)]
    assert moment.year in digits and moment.day in digits and moment.month in digits
    shown = moment.astimezone(TZ)
    again = f"{shown.day:02d}/{shown.month:02d}/{shown.year:04d} {shown:%H:%M:%S}"
    assert parse_datetime(again, TZ) == shown.replace(microsecond=0)
