"""When two target-audience roles name the same people, so a "not in this audience" statement stays false.

Tables word the same group differently ("Policy Makers", "Budgetary Policy Makers", "Decision Makers
(Government Officials, Policy Makers)"); a false statement built from a look-alike role would be
arguable, so look-alikes count as the same role.
"""

from __future__ import annotations

import re
from functools import cache

_FILLER = frozenset({"a", "an", "and", "as", "at", "for", "in", "of", "on", "or", "the", "to", "who", "with"})


@cache  # called for every pair of roles in the course
def role_key(role: str) -> str:
    """Case, punctuation and spacing removed: 'Policy makers.' and 'policy  Makers' compare equal."""
    return " ".join(re.sub(r"[^\w]+", " ", role.casefold()).split())


@cache
def _words(role: str) -> frozenset[str]:
    # Crude singular form so "Business manager" and "Business managers" share their words.
    return frozenset(
        w[:-1] if w.endswith("s") and len(w) > 3 else w for w in role_key(role).split() if w not in _FILLER
    )


def roles_overlap(a: str, b: str) -> bool:
    """True when the roles are equal, one's words contain the other's, or they share most words."""
    if role_key(a) == role_key(b):
        return True
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return False
    return wa <= wb or wb <= wa or len(wa & wb) * 2 >= len(wa | wb)
