"""Where each authored option is shown: a seeded order that gives key positions away to nobody.

Authors tend to write the key first; shown in their order, "always pick the first option" would
pass a quiz. Over the whole course, each single-answer key goes to the place used least so far,
counted both from the start and from the end of its options (so "first", "last" and "middle" stay
near chance whatever the number of options); ties are broken at random and the other options are
placed around it at random. Multiple-response options are shuffled. Option ids stay the author's,
so feedback and tracking keep their names.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from builder.quiz.model import AUTHORED, Question, QuestionType

Slot = tuple[Question, ...]


def spread_keys(modules: Iterable[list[Slot]], rng: random.Random) -> list[list[Slot]]:
    """Every module's slots with their authored choice options reordered, in course order."""
    from_start: Counter[int] = Counter()
    from_end: Counter[int] = Counter()
    result: list[list[Slot]] = []
    for slots in modules:
        placed: list[Slot] = []
        for slot in slots:
            q = slot[0]
            if q.generator != AUTHORED or q.type not in (
                QuestionType.MULTIPLE_CHOICE,
                QuestionType.MULTIPLE_RESPONSE,
            ):
                placed.append(slot)
                continue
            single = q.type is QuestionType.MULTIPLE_CHOICE and len(q.keys) == 1
            others = [o for o in q.options if not (single and o.correct)]
            rng.shuffle(others)
            if single:
                n = len(q.options)
                load = [from_start[i] + from_end[n - 1 - i] for i in range(n)]
                position = rng.choice([i for i in range(n) if load[i] == min(load)])
                from_start[position] += 1
                from_end[n - 1 - position] += 1
                others.insert(position, q.keys[0])
            placed.append((replace(q, options=tuple(others)),))
        result.append(placed)
    return result
