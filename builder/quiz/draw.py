"""Choosing a module's quiz slots when ``quiz.questions`` limits them: coverage first, then order."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from builder.quiz.model import Question

MIN_CHECKS = 2  # graded items that must assess each competency

Slot = tuple[Question, ...]


@dataclass(frozen=True)
class Drawn:
    slots: list[Slot]
    needed: int  # slots it took to assess every competency MIN_CHECKS times (as far as possible)


def draw(slots: Sequence[Slot], limit: int | None, rng: random.Random) -> Drawn:
    """Every slot when there is no limit (in assessment order); else a greedy cover of the
    competencies (MIN_CHECKS each, an apply-level item first), then the rest in a seeded order, up to
    ``limit``, kept in assessment order."""
    if limit is None or limit >= len(slots):
        return Drawn(list(slots), len(slots))
    pool = list(range(len(slots)))
    rng.shuffle(pool)
    checks: Counter[str] = Counter()
    applied: set[str] = set()
    chosen: list[int] = []

    def gain(i: int) -> tuple[int, int]:
        q = slots[i][0]
        return (
            sum(1 for c in q.competency_ids if checks[c] < MIN_CHECKS),
            sum(1 for c in q.competency_ids if q.level.applies and c not in applied),
        )

    while pool:
        best = max(pool, key=gain)
        if gain(best) == (0, 0):
            break
        pool.remove(best)
        chosen.append(best)
        q = slots[best][0]
        checks.update(q.competency_ids)
        if q.level.applies:
            applied.update(q.competency_ids)
    needed = len(chosen)
    chosen += pool[: max(0, limit - len(chosen))]
    return Drawn([slots[i] for i in sorted(chosen)], needed)
