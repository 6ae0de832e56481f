"""The round's life as pure rules: which step is due, at which moment."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from automation.layout import Status
from automation.lifecycle import (
    Step,
    due_step,
    effective_status,
    follow_form,
    next_moment,
    planned_deadline,
)
from automation.model import Round
from automation.ports import FormStatus

OPENS = datetime(2023, 3, 10, 14, 0, tzinfo=UTC)
AHEAD = timedelta(hours=24)
GRACE = timedelta(seconds=60)
ALLOWED = timedelta(seconds=10 * 30)


def round_(status: Status = Status.PENDING, **fields: object) -> Round:
    return Round(
        row=2,
        round_id="2023-03",
        opens_at=OPENS,
        question_count=10,
        seconds_per_question=30,
        status=status,
        **fields,  # type: ignore[arg-type]
    )


def step(r: Round, now: datetime) -> Step:
    return due_step(r, now, prepare_ahead=AHEAD, grace=GRACE)


def test_pending_waits_until_prepare_time() -> None:
    assert step(round_(), OPENS - AHEAD - timedelta(seconds=1)) is Step.NONE
    assert step(round_(), OPENS - AHEAD) is Step.PREPARE


def test_prepared_opens_at_the_meeting_time() -> None:
    prepared = round_(Status.PREPARED, form_id="f1")
    assert step(prepared, OPENS - timedelta(seconds=1)) is Step.NONE
    assert step(prepared, OPENS) is Step.OPEN


def test_open_round_closes_at_actual_opening_plus_time_plus_grace() -> None:
    opened = OPENS + timedelta(minutes=3)
    r = round_(Status.OPEN, form_id="f1", opened_at=opened)
    deadline = opened + ALLOWED + GRACE
    assert step(r, deadline - timedelta(seconds=1)) is Step.NONE
    assert step(r, deadline) is Step.CLOSE


def test_closed_and_rank_again_are_ranked_right_away() -> None:
    assert step(round_(Status.CLOSED, form_id="f"), OPENS) is Step.RANK
    assert step(round_(Status.RERANK, form_id="f"), OPENS + timedelta(days=40)) is Step.RANK
    assert step(round_(Status.RANKED, form_id="f"), OPENS + timedelta(days=40)) is Step.NONE


def test_never_opened_before_the_deadline_is_missed_and_nothing_opens_late() -> None:
    late = OPENS + timedelta(seconds=10 * 30 + 60)  # Mở lúc + time allowed + grace
    assert planned_deadline(round_(), GRACE) == late
    assert step(round_(Status.PREPARED, form_id="f"), late) is Step.MISS
    assert step(round_(), late + timedelta(days=3)) is Step.MISS
    assert step(round_(Status.MISSED, form_id="f"), late + timedelta(days=3)) is Step.NONE


def test_missed_round_with_a_new_opening_time_is_scheduled_again() -> None:
    moved = round_(Status.MISSED, form_id="f1")
    now = OPENS - timedelta(hours=1)
    assert effective_status(moved, now, GRACE) is Status.PREPARED
    assert step(moved, now) is Step.PREPARE  # shown as prepared again, same form
    assert step(replace(moved, status=Status.PREPARED), OPENS) is Step.OPEN
    assert effective_status(round_(Status.MISSED), now, GRACE) is Status.PENDING


def test_error_retries_the_step_the_service_columns_record() -> None:
    assert step(round_(Status.ERROR), OPENS - AHEAD) is Step.PREPARE
    assert step(round_(Status.ERROR, form_id="f"), OPENS) is Step.OPEN
    opened = round_(Status.ERROR, form_id="f", opened_at=OPENS)
    assert step(opened, OPENS + timedelta(minutes=1)) is Step.NONE
    assert step(opened, OPENS + ALLOWED + GRACE) is Step.CLOSE
    closed = round_(Status.ERROR, form_id="f", opened_at=OPENS, closed_at=OPENS + ALLOWED)
    assert step(closed, OPENS + ALLOWED) is Step.RANK


@given(
    status=st.sampled_from(list(Status)),
    offset=st.integers(min_value=-3 * 24 * 3600, max_value=3 * 24 * 3600),
    has_form=st.booleans(),
)
def test_a_round_is_never_opened_after_its_planned_deadline(
    status: Status, offset: int, has_form: bool
) -> None:
    now = OPENS + timedelta(seconds=offset)
    r = round_(status, form_id="f" if has_form else "")
    if now >= OPENS + ALLOWED + GRACE:
        assert step(r, now) not in (Step.OPEN, Step.PREPARE)


def test_a_missed_round_moved_far_ahead_is_pending_until_its_prepare_time() -> None:
    moved = replace(round_(Status.MISSED, form_id="f1"), opens_at=OPENS + timedelta(days=30))
    assert step(moved, OPENS) is Step.RESCHEDULE
    assert step(replace(moved, status=Status.PENDING), OPENS) is Step.NONE
    assert step(moved, OPENS + timedelta(days=29, hours=1)) is Step.PREPARE


# --- every boundary at its exact instant (a `>=` turned into `>` must fail here) ---------

TICK = timedelta(microseconds=1)
PLANNED = OPENS + ALLOWED + GRACE  # the contract's arithmetic, not planned_deadline()


@pytest.mark.parametrize(
    ("r", "moment", "before", "at"),
    [
        (round_(), OPENS - AHEAD, Step.NONE, Step.PREPARE),
        (round_(Status.PREPARED, form_id="f"), OPENS, Step.NONE, Step.OPEN),
        (round_(Status.PREPARED, form_id="f"), PLANNED, Step.OPEN, Step.MISS),
        (round_(), PLANNED, Step.PREPARE, Step.MISS),
        (round_(Status.OPEN, form_id="f", opened_at=OPENS), PLANNED, Step.NONE, Step.CLOSE),
        (round_(Status.OPEN, form_id="f", opened_at=OPENS + timedelta(minutes=2)),
         PLANNED + timedelta(minutes=2), Step.NONE, Step.CLOSE),
        (round_(Status.MISSED, form_id="f"), PLANNED, Step.PREPARE, Step.NONE),
        (round_(Status.MISSED), PLANNED, Step.PREPARE, Step.NONE),
        (replace(round_(Status.MISSED, form_id="f"), opens_at=OPENS + timedelta(days=30)),
         OPENS + timedelta(days=30) - AHEAD, Step.RESCHEDULE, Step.PREPARE),
    ],
)
def test_each_step_falls_due_at_its_exact_instant(
    r: Round, moment: datetime, before: Step, at: Step
) -> None:
    assert step(r, moment - TICK) is before
    assert step(r, moment) is at


def test_a_missed_round_is_pending_again_until_the_exact_planned_deadline() -> None:
    moved = round_(Status.MISSED)
    assert effective_status(moved, PLANNED - TICK, GRACE) is Status.PENDING
    assert effective_status(moved, PLANNED, GRACE) is Status.MISSED


def test_the_next_moment_is_the_next_boundary_of_the_round() -> None:
    def upcoming(r: Round, now: datetime) -> datetime | None:
        return next_moment(r, now, prepare_ahead=AHEAD, grace=GRACE)

    assert upcoming(round_(), OPENS - AHEAD - TICK) == OPENS - AHEAD
    assert upcoming(round_(), OPENS - AHEAD) == OPENS
    prepared = round_(Status.PREPARED, form_id="f")
    assert upcoming(prepared, OPENS - timedelta(hours=1)) == OPENS
    assert upcoming(prepared, OPENS) == PLANNED
    late = OPENS + timedelta(minutes=2)
    opened = round_(Status.OPEN, form_id="f", opened_at=late)
    assert upcoming(opened, late) == PLANNED  # harmless: a tick that finds nothing to do
    assert upcoming(opened, PLANNED) == late + ALLOWED + GRACE
    assert upcoming(opened, late + ALLOWED + GRACE) is None
    assert upcoming(round_(Status.RANKED, form_id="f"), OPENS - AHEAD - TICK) is None


def test_a_round_follows_what_its_form_shows() -> None:
    prepared = round_(Status.PREPARED, form_id="f")
    never = FormStatus(accepting=False, opened_at=None, closed_at=None)
    assert follow_form(prepared, never) is prepared
    opened = follow_form(prepared, FormStatus(accepting=True, opened_at=OPENS, closed_at=None))
    assert (opened.status, opened.opened_at, opened.closed_at) == (Status.OPEN, OPENS, None)
    shut = OPENS + ALLOWED + GRACE
    closed = follow_form(prepared, FormStatus(accepting=False, opened_at=OPENS, closed_at=shut))
    assert (closed.status, closed.opened_at, closed.closed_at) == (Status.CLOSED, OPENS, shut)
