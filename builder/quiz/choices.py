"""What every generator shares: its result type, seeded randomness, and picking wrong options."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from builder.quiz.model import Option, Question
from builder.quiz.text import same_text_key

T = TypeVar("T")


@dataclass(frozen=True)
class Generated:
    """Questions a generator made for one module; ``missing`` says why it made none."""

    questions: list[Question] = field(default_factory=list)
    missing: str | None = None
    unexpected: bool = False  # tell the author even when the module did not ask for this generator


def rng_for(seed: int, *parts: str) -> random.Random:
    """A generator of its own per question: adding or removing one question changes no other.

    String seeds are hashed with SHA-512 by ``random``, so they do not depend on PYTHONHASHSEED.
    """
    return random.Random(":".join((str(seed), *parts)))


def pick_distinct(
    tiers: Sequence[Sequence[T]],
    count: int,
    rng: random.Random,
    text: Callable[[T], str],
    taken: set[str],
    usable: Callable[[T], bool] = lambda _: True,
) -> list[T]:
    """Up to ``count`` items, drawn at random from the first tier, then the next, and so on.

    Items whose ``text`` reads like one already taken are skipped, so options stay unique.
    """
    chosen: list[T] = []
    for tier in tiers:
        shuffled = list(tier)
        rng.shuffle(shuffled)
        for item in shuffled:
            if len(chosen) == count:
                return chosen
            key = same_text_key(text(item))
            if key not in taken and usable(item):
                taken.add(key)
                chosen.append(item)
    return chosen


def shuffled(options: Sequence[Option], rng: random.Random) -> tuple[Option, ...]:
    result = list(options)
    rng.shuffle(result)
    return tuple(result)
