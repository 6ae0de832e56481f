"""Which questions a round gets.

The round's own questions (``Kỳ thi`` equal to its id) come first; the general
pool (``Kỳ thi`` blank) fills the rest. A question that another round already
used (``Đã dùng``) is never chosen again. The choice is a pure function of the
round id and the bank, so preparing a round twice (say after a crash) gives
the same questions: a question already marked as used by *this* round is
preferred, and the rest are drawn in an order seeded by the round id and each
question's own text, so adding or editing unrelated rows elsewhere in the bank
changes the draw as little as possible.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from automation.i18n import Text
from automation.layout import QUESTIONS, SCHEDULE, Status, TabSpec
from automation.model import Question, Round
from automation.text import normalize

NOT_ENOUGH = Text(
    "Kỳ thi {round}: cần {needed} câu hỏi nhưng trang {questions} chỉ còn {available} câu "
    "dùng được (thiếu {missing} câu). Hãy thêm ít nhất {missing} câu hỏi chưa dùng vào trang "
    "{questions} (để trống cột Kỳ thi, hoặc ghi {round}), hoặc giảm {count} của kỳ thi này "
    "trong trang {schedule}.",
    "Round {round}: needs {needed} questions but the {questions} tab has only {available} "
    "usable ones ({missing} missing). Add at least {missing} unused questions to the "
    "{questions} tab (Round blank, or {round}), or lower this round's {count} in the "
    "{schedule} tab.",
)


EARLIER_ROUNDS = Text(
    " (Các kỳ mở trước sẽ dùng câu hỏi của kho chung: {rounds}.)",
    " (Rounds opening earlier will take questions from the general pool: {rounds}.)",
)


class NotEnoughQuestions(Exception):
    """The bank cannot fill the round: the secretary must add questions."""

    def __init__(
        self, round_id: str, needed: int, available: int, earlier: tuple[str, ...] = ()
    ) -> None:
        self.round_id = round_id
        self.needed = needed
        self.available = available
        self.missing = needed - available
        self.earlier = earlier  # rounds planned before it that draw from the same pool
        super().__init__(self.message("vi"))

    def message(self, language: str = "vi", schedule: TabSpec = SCHEDULE) -> str:
        """What to fix, in the configured language (``schedule``: the tab that plans the
        round, the registry's ``Lịch thi chung`` for a joint round)."""
        text = NOT_ENOUGH(
            language,
            round=self.round_id,
            needed=self.needed,
            available=self.available,
            missing=self.missing,
            questions=QUESTIONS.title(language),
            schedule=schedule.title(language),
            count=schedule.column("questions").header(language),
        )
        if self.earlier:
            text += EARLIER_ROUNDS(language, rounds=", ".join(self.earlier))
        return text


#: Rounds whose questions are still to be chosen.
_UNPREPARED = (Status.PENDING, Status.MISSED, Status.ERROR)


def shortages(questions: Sequence[Question], rounds: Sequence[Round]) -> list[NotEnoughQuestions]:
    """Every round not yet prepared that the bank cannot fill, the rounds before it served first.

    Rounds are served in the order they open, each taking its questions as
    :func:`select_questions` would when it is prepared, so ``automation check``
    can warn today that the bank runs dry three rounds from now.
    """
    bank = list(questions)
    served: list[str] = []
    found: list[NotEnoughQuestions] = []
    for round_ in sorted(rounds, key=lambda r: (r.opens_at, r.row)):
        if round_.form_id or round_.status not in _UNPREPARED:
            continue
        try:
            chosen = select_questions(bank, round_)
        except NotEnoughQuestions as short:
            found.append(NotEnoughQuestions(short.round_id, short.needed, short.available,
                                            tuple(served)))
            continue
        taken = {q.row for q in chosen}
        bank = [replace(q, used_in=(*q.used_in, round_.round_id)) if q.row in taken else q
                for q in bank]
        served.append(round_.round_id)
    return found


def select_questions(questions: Sequence[Question], round_: Round) -> tuple[Question, ...]:
    """The round's questions, in sheet order.

    Tagged questions first, then the untagged pool; never a question used by
    another round. Raises :class:`NotEnoughQuestions` when the eligible
    questions are fewer than ``round_.question_count``.
    """
    this = normalize(round_.round_id)
    tagged: list[Question] = []
    pool: list[Question] = []
    for question in questions:
        if any(normalize(used) != this for used in question.used_in if normalize(used)):
            continue
        tag = normalize(question.round_id or "")
        if tag == this:
            tagged.append(question)
        elif not tag:
            pool.append(question)

    needed = round_.question_count
    available = len(tagged) + len(pool)
    if available < needed:
        raise NotEnoughQuestions(round_.round_id, needed, available)

    chosen = _draw(tagged, needed, this)
    chosen += _draw(pool, needed - len(chosen), this)
    return tuple(sorted(chosen, key=lambda question: question.row))


def _draw(candidates: list[Question], count: int, round_key: str) -> list[Question]:
    """Up to ``count`` candidates: those this round already used, then a seeded draw."""
    if count <= 0:
        return []

    def order(question: Question) -> tuple[bool, bytes, int]:
        used_here = any(normalize(used) == round_key for used in question.used_in)
        seed = f"{round_key}\x1f{question.key}".encode()
        return (not used_here, hashlib.sha256(seed).digest(), question.row)

    return sorted(candidates, key=order)[:count]
