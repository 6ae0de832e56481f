"""Question statistics and the season table.

Both are summaries the secretary reads: how each question went (to spot a
question everyone got wrong, or a wrong key), and who did best over the year.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from automation.model import QuestionStat, RoundResult, RoundScore, SeasonRow
from automation.text import clean, normalize


def question_stats(result: RoundResult) -> list[QuestionStat]:
    """Per question, in the round's order, over the ranked entries.

    Only ranked entries count: late, repeated and non-member responses are not
    part of the round. ``top_wrong`` is the text of the option most often
    ticked although it is not a correct one (ties go to the option that comes
    first in the bank); ``None`` when no wrong option was ticked.
    """
    stats: list[QuestionStat] = []
    for number, question in enumerate(result.questions, start=1):
        answered = correct = 0
        wrong: Counter[str] = Counter()
        letters = set(question.letters)
        for entry in result.ranked:
            chosen = entry.submission.answers.get(question.key)
            if not chosen:
                continue
            answered += 1
            if chosen == question.answer:
                correct += 1
            else:
                wrong.update(letter for letter in chosen - question.answer if letter in letters)
        top_wrong, top_count = min(
            wrong.items(), key=lambda item: (-item[1], item[0]), default=(None, 0)
        )
        stats.append(
            QuestionStat(
                round_id=result.round_id,
                number=number,
                question=question.text,
                answered=answered,
                correct=correct,
                top_wrong=question.option(top_wrong) if top_wrong else None,
                top_wrong_count=top_count,
                source=question.source,
            )
        )
    return stats


@dataclass
class _Tally:
    """One member's year so far, in exact hundredths."""

    name: str
    latest_round: str
    scores: dict[str, tuple[int, int]] = field(
        default_factory=dict
    )  # round key -> (hundredths, rank)


def season_table(scores: Sequence[RoundScore]) -> list[SeasonRow]:
    """Per member over the given rounds: rounds taken, total, average, first places, rank.

    Members are told apart by normalised name and shown with the name of their
    latest round (by round id). A member listed twice in one round counts once,
    with the better score. Rank: total, then average, then first places, all
    highest first; members equal on all three share a rank (1, 1, 3), and are
    listed by name.
    """
    tallies: dict[str, _Tally] = {}
    for score in scores:
        member = normalize(score.name)
        round_key = normalize(score.round_id)
        tally = tallies.get(member)
        if tally is None:
            tally = tallies[member] = _Tally(clean(score.name), round_key)
        elif (round_key, clean(score.name)) > (tally.latest_round, tally.name):
            tally.name, tally.latest_round = clean(score.name), round_key
        entry = (round(score.score * 100), -score.rank)
        tally.scores[round_key] = max(entry, tally.scores.get(round_key, entry))

    rows: list[tuple[tuple[int, int, int], str, _Tally]] = []
    for member, tally in tallies.items():
        taken = len(tally.scores)
        total = sum(hundredths for hundredths, _ in tally.scores.values())
        average = (2 * total + taken) // (2 * taken)  # hundredths, half up
        firsts = sum(1 for _, negative_rank in tally.scores.values() if negative_rank == -1)
        rows.append(((-total, -average, -firsts), member, tally))
    rows.sort(key=lambda row: row[:2])

    table: list[SeasonRow] = []
    previous: tuple[int, int, int] | None = None
    rank = 0
    for position, (order, _, tally) in enumerate(rows, start=1):
        if order != previous:
            rank, previous = position, order
        negative_total, negative_average, negative_firsts = order
        table.append(
            SeasonRow(
                rank=rank,
                name=tally.name,
                rounds_taken=len(tally.scores),
                total=-negative_total / 100,
                average=-negative_average / 100,
                first_places=-negative_firsts,
            )
        )
    return table
