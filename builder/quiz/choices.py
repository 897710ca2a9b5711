"""Seeded randomness shared by item models, quiz draws and writers: the same seed, the same quiz."""

from __future__ import annotations

import random


def rng_for(seed: int, *parts: str) -> random.Random:
    """A generator of its own per purpose: adding or removing one item changes no other.

    String seeds are hashed with SHA-512 by ``random``, so they do not depend on PYTHONHASHSEED.
    """
    return random.Random(":".join((str(seed), *parts)))
