"""The round's life as pure rules: which step is due, at which moment."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from automation.layout import Status
from automation.lifecycle import Step, due_step, effective_status, planned_deadline
from automation.model import Round

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
    late = planned_deadline(round_(), GRACE)
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
    if now >= planned_deadline(r, GRACE):
        assert step(r, now) not in (Step.OPEN, Step.PREPARE)


def test_a_missed_round_moved_far_ahead_is_pending_until_its_prepare_time() -> None:
    moved = replace(round_(Status.MISSED, form_id="f1"), opens_at=OPENS + timedelta(days=30))
    assert step(moved, OPENS) is Step.RESCHEDULE
    assert step(replace(moved, status=Status.PENDING), OPENS) is Step.NONE
    assert step(moved, OPENS + timedelta(days=29, hours=1)) is Step.PREPARE
