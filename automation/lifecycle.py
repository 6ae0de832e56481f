"""The round's life: which step is due for a round at a given moment.

Pure rules, no I/O. The tick (:mod:`automation.tick`) asks :func:`due_step`
for each round, performs the step, writes the new state into the schedule and
asks again, so a round can move several steps in one tick (closing is always
followed by ranking right away).

State lives in the spreadsheet. ``Lỗi`` (error) is not a state of its own:
after the secretary fixes the problem, the step to retry follows from what
the service columns already record (form id, opened at, closed at).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from enum import Enum

from automation.layout import Status
from automation.model import Round
from automation.ports import FormStatus


class Step(Enum):
    """What a tick does to a round."""

    NONE = "none"
    PREPARE = "prepare"  # choose questions, build the form (not accepting yet), write its link
    OPEN = "open"  # start accepting responses
    CLOSE = "close"  # stop accepting responses
    RANK = "rank"  # read responses, rank, write the result tabs
    MISS = "miss"  # the deadline passed and it was never opened: nothing opens late
    RESCHEDULE = "reschedule"  # a missed round got a new opening time: pending again


def recorded_status(round_: Round) -> Status:
    """The state the service columns show, for a round marked ``Lỗi``."""
    if round_.closed_at is not None:
        return Status.CLOSED
    if round_.opened_at is not None:
        return Status.OPEN
    if round_.form_id:
        return Status.PREPARED
    return Status.PENDING


def effective_status(round_: Round, now: datetime, grace: timedelta) -> Status:
    """The state the rules act on.

    ``Lỗi`` resolves to what is recorded; ``Lỡ lịch`` whose ``Mở lúc`` the
    secretary moved to the future is pending (or prepared) again.
    """
    status = round_.status
    if status is Status.ERROR:
        return recorded_status(round_)
    if (
        status is Status.MISSED
        and round_.opened_at is None
        and now < planned_deadline(round_, grace)
    ):
        return Status.PREPARED if round_.form_id else Status.PENDING
    return status


def planned_deadline(round_: Round, grace: timedelta) -> datetime:
    """The deadline had the round opened on time: ``Mở lúc`` + time allowed + grace."""
    return round_.opens_at + round_.time_allowed + grace


def due_step(round_: Round, now: datetime, *, prepare_ahead: timedelta, grace: timedelta) -> Step:
    """The one step due for ``round_`` at ``now``, or ``Step.NONE``."""
    if round_.status is Status.MISSED and round_.opened_at is None:
        if now >= planned_deadline(round_, grace):
            return Step.NONE
        # The secretary moved ``Mở lúc`` to the future: show it is scheduled again.
        return Step.PREPARE if now >= round_.opens_at - prepare_ahead else Step.RESCHEDULE
    status = effective_status(round_, now, grace)
    if status is Status.PENDING:
        if now >= planned_deadline(round_, grace):
            return Step.MISS
        if now >= round_.opens_at - prepare_ahead:
            return Step.PREPARE
    elif status is Status.PREPARED:
        if now >= planned_deadline(round_, grace):
            return Step.MISS
        if now >= round_.opens_at:
            return Step.OPEN
    elif status is Status.OPEN:
        if now >= round_.deadline(grace):
            return Step.CLOSE
    elif status in (Status.CLOSED, Status.RERANK):
        return Step.RANK
    return Step.NONE


def next_moment(
    round_: Round, now: datetime, *, prepare_ahead: timedelta, grace: timedelta
) -> datetime | None:
    """The next instant after ``now`` at which the step due for ``round_`` may change.

    The service sleeps until the earliest of these over all rounds, so a form
    opens at ``Mở lúc`` and closes at its deadline, not at the next periodic
    tick. ``None``: nothing is planned for this round any more.
    """
    if round_.status in (Status.RANKED, Status.CLOSED, Status.RERANK):
        return None
    moments = [round_.opens_at - prepare_ahead, round_.opens_at, planned_deadline(round_, grace)]
    if round_.opened_at is not None:
        moments.append(round_.deadline(grace))
    upcoming = [moment for moment in moments if moment > now]
    return min(upcoming, default=None)


def follow_form(round_: Round, form: FormStatus) -> Round:
    """The round as its form shows it: opened (and closed) when the form says so.

    The tick asks the form before marking a prepared round missed: a form
    that opened while the schedule could not be written (a workbook left open
    in Excel at the meeting) still shows ``Đã chuẩn bị`` with no opening time
    in the sheet. Such a round follows its form: it becomes ``Đang mở`` or
    ``Đã đóng``, so it is closed on time and ranked. Unchanged when the form
    never opened.
    """
    if form.opened_at is None:
        return round_
    if form.accepting:
        return replace(round_, status=Status.OPEN, opened_at=form.opened_at, closed_at=None)
    closed = form.closed_at or form.opened_at
    return replace(round_, status=Status.CLOSED, opened_at=form.opened_at, closed_at=closed)


def next_status(step: Step) -> Status:
    """The status a round has once ``step`` is done."""
    return {
        Step.PREPARE: Status.PREPARED,
        Step.OPEN: Status.OPEN,
        Step.CLOSE: Status.CLOSED,
        Step.RANK: Status.RANKED,
        Step.MISS: Status.MISSED,
        Step.RESCHEDULE: Status.PENDING,
    }[step]
