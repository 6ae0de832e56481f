"""Form responses → submissions → scores → the round's result.

This module is the ranking rules of the contract (PRODUCT.md, "Ranking
rules"), and nothing else:

1. score = points of the correct answers / the round's points × 10, rounded
   half up to two decimals; a multi-answer question is correct only when
   exactly its correct options are chosen;
2. graded from the raw answers and the answer key (a Google export's own
   score, carried in :attr:`Submission.score`, is used when present);
3. a submission after the deadline is listed as late, not ranked (one *at*
   the deadline is in time);
4. respondents are matched to members by name (``identity="roster"``) or by
   email (``identity="email"``) after :func:`automation.text.normalize`; no
   match is listed as not a member;
5. a member's first submission counts, the later ones are listed as
   repeated. "First" is the earliest ``submitted_at``: if that one is late
   the member is listed as late and the later ones as repeated, so sending
   again after the deadline never turns a late answer into a ranked one. Of
   submissions at the very same instant, the better score counts;
6. ranked by score (highest first), submission time (earliest first), then
   name; equal score and equal time share a rank and the next is skipped
   (1, 1, 3);
7. time taken = submission time − the moment that member opened the form
   when known, else the round's actual opening time; never negative;
9. when the form asked for a personal code, a response whose code does not
   match the chosen member's is listed as ``Sai mã``, not ranked; it does not
   use up that member's one submission, so an impostor who came first never
   takes the member's place, and it does not count as the member taking part.

A respondent who is not a member is listed as such even when late: who they
are is the first thing the secretary has to sort out. A response edited
after the deadline (Google keeps the first submission time) is listed as
edited late, not ranked: its answers are not the ones given in time.

Ranking 100,000 responses must stay cheaper than parsing them (see
``bench/ranking.py``), so the answer key is compiled once per question set
into lookup tables, and the answer sets are shared between submissions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from operator import eq, itemgetter

from automation.model import Entry, Member, Question, Reason, RoundResult, Submission
from automation.ports import FormResponse
from automation.text import clean, normalize

#: Stands in a submission's answer set for an option text the question does not
#: have (the key was edited after the form was built): such an answer is wrong.
UNKNOWN_OPTION = "?"

IDENTITIES = ("roster", "email")

_ZERO = timedelta(0)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_CENT = Decimal("0.01")


class AnswerKey:
    """A question set compiled for fast mapping and grading.

    Titles and option texts are matched after normalisation; what was seen
    once is remembered by its raw text, so a response costs a few dict look-ups.
    """

    def __init__(self, questions: Sequence[Question]) -> None:
        self.questions = tuple(questions)
        # question key -> (correct letters, points); the first of duplicate texts wins
        self.key: dict[str, tuple[frozenset[str], int]] = {}
        self._letters: dict[str, dict[str, str]] = {}  # question key -> option key -> letter
        for question in self.questions:
            self.key.setdefault(question.key, (question.answer, question.points))
            self._letters.setdefault(
                question.key,
                {
                    normalize(text): letter
                    for letter, text in zip(question.letters, question.options, strict=True)
                },
            )
        self.total_points = sum(points for _, points in self.key.values())
        # raw title -> (question key, raw option texts -> letters), or None: not a question
        self._titles: dict[str, tuple[str, dict[tuple[str, ...], frozenset[str]]] | None] = {}

    def submission(self, response: FormResponse) -> Submission:
        """The response with titles mapped to question keys and texts to letters."""
        answers: dict[str, frozenset[str]] = {}
        titles = self._titles
        for title, texts in response.answers.items():
            try:
                known = titles[title]
            except KeyError:
                key = normalize(title)
                known = titles[title] = (key, {}) if key in self.key else None
            if known is None or not texts:
                continue
            key, choices = known
            if type(texts) is not tuple:
                texts = tuple(texts)
            try:
                letters = choices[texts]
            except KeyError:
                letters = choices[texts] = self._to_letters(key, texts)
            if letters:
                answers[key] = letters
        return Submission(
            respondent=response.respondent,
            submitted_at=response.submitted_at,
            answers=answers,
            started_at=response.started_at,
            response_id=response.response_id,
            code=response.code,
            code_verdict=response.code_verdict,
            edited_at=response.edited_at,
        )

    def _to_letters(self, key: str, texts: tuple[str, ...]) -> frozenset[str]:
        by_text = self._letters[key]
        letters = {by_text.get(normalize(text), UNKNOWN_OPTION) for text in texts if text.strip()}
        return frozenset(letters)

    def grade(self, answers: Mapping[str, frozenset[str]]) -> tuple[int, int]:
        """Rule 1 in exact arithmetic: (score in hundredths of a point, number correct)."""
        earned = correct = 0
        key = self.key
        for question_key, chosen in answers.items():
            expected = key.get(question_key)
            if expected is not None and chosen == expected[0]:
                earned += expected[1]
                correct += 1
        if not self.total_points:
            return 0, correct
        # half up: floor(earned * 1000 / total + 1/2)
        return (2000 * earned + self.total_points) // (2 * self.total_points), correct

    def matches(self, questions: Sequence[Question]) -> bool:
        """True when ``questions`` are the very questions this key was built from."""
        mine = self.questions
        return len(mine) == len(questions) and all(
            a is b for a, b in zip(mine, questions, strict=True)
        )


_last_key: AnswerKey | None = None


def answer_key(questions: Sequence[Question]) -> AnswerKey:
    """The compiled key for ``questions``; the last one is reused while they are the same."""
    global _last_key
    if _last_key is None or not _last_key.matches(questions):
        _last_key = AnswerKey(questions)
    return _last_key


def to_submission(response: FormResponse, questions: Sequence[Question]) -> Submission:
    """Map a response's question titles and option texts to bank keys and letters.

    Titles that are not in ``questions`` are ignored; an option text the
    question does not have is kept as :data:`UNKNOWN_OPTION`, which makes that
    answer wrong. Blank answers are left out.
    """
    return answer_key(questions).submission(response)


def grade(
    questions: Sequence[Question], answers: Mapping[str, frozenset[str]]
) -> tuple[float, int]:
    """Rule 1: (score out of 10 with two decimals, number of questions answered correctly)."""
    hundredths, correct = answer_key(questions).grade(answers)
    return hundredths / 100, correct


def rank_round(
    *,
    round_id: str,
    questions: Sequence[Question],
    members: Sequence[Member],
    submissions: Sequence[Submission],
    opened_at: datetime,
    deadline: datetime,
    closed_at: datetime | None = None,
    identity: str = "roster",
) -> RoundResult:
    """Grade and rank one round's submissions per the seven ranking rules.

    Every submission appears exactly once, ranked or unranked; ``absent``
    lists, in roster order, the members with no submission at all.
    """
    if identity not in IDENTITIES:
        raise ValueError(f"identity must be one of {IDENTITIES}, not {identity!r}")
    key = answer_key(questions)
    roster = _roster(members, identity)
    # each distinct respondent text is matched once: (member, member key) or None
    matched: dict[str, tuple[Member, str] | None] = {}
    for submission in submissions:
        if submission.respondent not in matched:
            matched[submission.respondent] = roster.get(normalize(submission.respondent))

    seen: set[str] = set()
    candidates: list[tuple[int, int, str, Submission, Member, int, timedelta]] = []
    unranked: list[Entry] = []
    late_after = _micros(deadline)
    for stamp, negative_score, correct, submission in _graded(submissions, key):
        match = matched[submission.respondent]
        if match is None:
            member = None
            reason: Reason | None = Reason.NOT_MEMBER
        else:
            member, member_key = match
            if not _code_matches(submission, member):
                reason = Reason.WRONG_CODE
            elif member_key in seen:
                reason = Reason.REPEATED
            else:
                seen.add(member_key)
                if stamp > late_after:
                    reason = Reason.LATE
                elif submission.edited_at is not None and submission.edited_at > deadline:
                    reason = Reason.EDITED_LATE
                else:
                    reason = None

        duration = submission.submitted_at - (submission.started_at or opened_at)
        if duration < _ZERO:
            duration = _ZERO
        if reason is None:
            assert member is not None
            candidates.append(
                (
                    negative_score,
                    stamp,
                    member_key,
                    submission,
                    member,
                    correct,
                    duration,
                )
            )
            continue
        unranked.append(
            Entry(
                name=member.name if member is not None else clean(submission.respondent),
                submission=submission,
                score=-negative_score / 100,
                correct=correct,
                duration=duration,
                reason=reason,
                # A wrong code leaves it unproven who answered: the member stays absent.
                member=None if reason is Reason.WRONG_CODE else member,
            )
        )

    candidates.sort(key=lambda candidate: candidate[:3])
    ranked: list[Entry] = []
    previous: tuple[int, int] | None = None
    rank = 0
    for position, candidate in enumerate(candidates, start=1):
        negative_score, stamp, _, submission, member, correct, duration = candidate
        if (negative_score, stamp) != previous:
            rank, previous = position, (negative_score, stamp)
        ranked.append(
            Entry(
                name=member.name,
                submission=submission,
                score=-negative_score / 100,
                correct=correct,
                duration=duration,
                rank=rank,
                member=member,
            )
        )

    return RoundResult(
        round_id=round_id,
        questions=key.questions,
        opened_at=opened_at,
        deadline=deadline,
        closed_at=closed_at,
        ranked=tuple(ranked),
        unranked=tuple(unranked),
        absent=tuple(m for m in members if m.key not in seen),
        member_count=len(members),
    )


def _code_matches(submission: Submission, member: Member) -> bool:
    """Rule 9: the code typed is the member's own (always, when the form asked for none)."""
    if submission.code_verdict is not None:
        return submission.code_verdict
    if submission.code is None:
        return True
    return normalize(submission.code) == normalize(member.code)


def _hundredths(score: float) -> int:
    """A score given out of 10 (a Google export's own), in hundredths, half up."""
    return int(Decimal(repr(score)).quantize(_CENT, ROUND_HALF_UP) * 100)


def _roster(members: Sequence[Member], identity: str) -> dict[str, tuple[Member, str]]:
    """Lookup from a respondent's key to (member, member key); the first of duplicates wins."""
    roster: dict[str, tuple[Member, str]] = {}
    for member in members:
        match_key = member.email_key if identity == "email" else member.key
        if match_key:
            roster.setdefault(match_key, (member, member.key))
    return roster


def _micros(moment: datetime) -> int:
    """An aware datetime as whole microseconds since 1970: exact, and cheap to compare."""
    return (moment - _EPOCH) // _MICROSECOND


def _graded(
    submissions: Sequence[Submission], key: AnswerKey
) -> list[tuple[int, int, int, Submission]]:
    """(time stamp, −score in hundredths, number correct, submission), earliest first.

    At the very same instant the better score comes first, so of a member's
    simultaneous submissions the better one counts; what is still equal is
    ordered by content, so the input order never matters.
    """
    rows = []
    for s in submissions:
        hundredths, correct = key.grade(s.answers)
        if s.score is not None:
            hundredths = _hundredths(s.score)
        rows.append((_micros(s.submitted_at), -hundredths, s.response_id, s.respondent, correct, s))
    first_four = itemgetter(0, 1, 2, 3)
    rows.sort(key=first_four)
    keys = list(map(first_four, rows))
    if any(map(eq, keys, keys[1:])):
        rows.sort(key=lambda row: (*first_four(row), row[4], *_content(row[5])))
    return [(row[0], row[1], row[4], row[5]) for row in rows]


def _content(s: Submission) -> tuple[object, ...]:
    """Everything else a submission carries, as a sortable tuple."""
    answers = tuple(sorted((k, tuple(sorted(v))) for k, v in s.answers.items()))
    return (
        s.score is None,
        s.score or 0.0,
        s.started_at is None,
        s.started_at or s.submitted_at,
        answers,
        s.code is None,
        s.code or "",
        s.code_verdict is None,
        bool(s.code_verdict),
        s.edited_at is None,
        s.edited_at or s.submitted_at,
    )
