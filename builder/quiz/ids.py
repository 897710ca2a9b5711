"""Stable ids for questions: derived from what a question is about, so they survive unrelated edits."""

from __future__ import annotations

import hashlib

from builder.quiz.model import ID_PATTERN

_MAX = 64  # SCORM interaction ids: at most 64 characters


def digest(text: str, size: int = 8) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()[:size]


def stable_id(kind: str, *parts: str) -> str:
    """``kind.part1.part2`` when that is a valid id; else a shortened form ending in a hash of all parts."""
    readable = ".".join((kind, *parts))
    if ID_PATTERN.match(readable):
        return readable
    tail = digest(readable)
    safe = "".join(ch if ID_PATTERN.match(ch) else "-" for ch in readable)
    return f"{safe[: _MAX - len(tail) - 1]}-{tail}"
