"""Choosing a module's quiz from the candidate questions: coverage first, then variety, then order."""

from __future__ import annotations

import random
from collections import Counter, deque
from collections.abc import Sequence
from dataclasses import dataclass

from builder.quiz.model import Question
from builder.quiz.text import same_text_key

MIN_CHECKS = 2  # questions that must check each competency
DEFAULT_QUESTIONS = 10  # quiz length when module.yaml does not set quiz.questions


@dataclass(frozen=True)
class Drawn:
    questions: list[Question]
    needed: int  # questions it took to check every competency MIN_CHECKS times (as far as possible)
    available: int  # every question there was to choose from


def draw(
    candidates: Sequence[Question],
    authored: Sequence[Question],
    limit: int | None,
    rng: random.Random,
) -> Drawn:
    """Authored questions, then generated ones until every competency is checked MIN_CHECKS times,
    then more (one per generator in turn) up to ``limit``; finally shuffled.

    A candidate repeating the stem of a question already in is dropped.
    """
    chosen = list(authored)
    stems = {same_text_key(q.stem) for q in chosen}
    pool: list[Question] = []
    # Dropping repeats before shuffling keeps which questions exist independent of the seed.
    for question in candidates:
        if same_text_key(question.stem) not in stems:
            stems.add(same_text_key(question.stem))
            pool.append(question)
    rng.shuffle(pool)
    available = len(chosen) + len(pool)

    checks = Counter(c for q in chosen for c in q.competency_ids)
    kinds = Counter(q.generator for q in chosen)

    def gain(question: Question) -> int:
        return sum(1 for c in question.competency_ids if checks[c] < MIN_CHECKS)

    # Greedy cover: the question filling most remaining gaps; on ties one of a kind the quiz has
    # least of (variety), then the earliest in the shuffled pool.
    while pool:
        best = max(range(len(pool)), key=lambda i: (gain(pool[i]), -kinds[pool[i].generator], -i))
        if gain(pool[best]) == 0:
            break
        question = pool.pop(best)
        chosen.append(question)
        checks.update(question.competency_ids)
        kinds[question.generator] += 1
    needed = len(chosen)

    target = limit if limit is not None else max(DEFAULT_QUESTIONS, needed)
    by_generator: dict[str, deque[Question]] = {}
    for question in pool:
        by_generator.setdefault(question.generator, deque()).append(question)
    while len(chosen) < target and any(by_generator.values()):
        for queue in by_generator.values():
            if queue and len(chosen) < target:
                chosen.append(queue.popleft())
    rng.shuffle(chosen)
    return Drawn(chosen, needed, available)
