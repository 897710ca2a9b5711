"""What a test-wise reader sees in an item's wording: content words by stem, length, form.

Words are compared by their Snowball stem, so "licence" and "licences", "plan" and "planning" count
as one word; function words carry no cue and are left out.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import snowballstemmer

_WORD = re.compile(r"[^\W\d_](?:[\w'’-]*\w)?", re.UNICODE)

# English function words: they appear everywhere and cue nothing.
_FUNCTION_WORDS = """
    a about above across after again against all almost also although always am among an and another
    any are as at be because been before being below between both but by can cannot could did do
    does doing done down during each either else enough even ever every few for from further had has
    have having he her here hers him his how however i if in into is it its itself just least less
    let like made make makes many may me might more most much must my neither no nor not now of off
    often on once one only or other others our ours out over own per rather same shall she should
    since so some such than that the their theirs them then there these they this those though
    through thus to too two under until up upon us very was we were what whatever when where whether
    which while who whom whose why will with within without would yet you your yours first second
    three four five next last new well way ways use used using get gets
"""
STOPWORDS = frozenset(_FUNCTION_WORDS.split())

ABSOLUTES = frozenset(
    [
        "always",
        "never",
        "only",
        "all",
        "none",
        "every",
        "nothing",
        "everything",
        "entirely",
        "completely",
        "must",
    ]
)
HEDGES = frozenset(
    ["usually", "often", "sometimes", "may", "might", "can", "generally", "typically", "some", "frequently"]
)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("english")


def words(text: str) -> list[str]:
    """Every word of ``text``, lower case, Markdown marks and punctuation left out."""
    return [w.casefold().replace("’", "'") for w in _WORD.findall(re.sub(r"[*_`]", " ", text))]


@lru_cache(maxsize=8192)
def content_stems(text: str) -> frozenset[str]:
    """Stems of the content words of ``text``."""
    kept = [w for w in words(text) if w not in STOPWORDS and len(w) > 1]
    return frozenset(map(_stem, kept))


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """One word's stem: the same words recur across a course's items."""
    return _stemmer().stemWord(word)


def overlap(a: str, b: str) -> int:
    """Content words (by stem) that ``a`` and ``b`` share."""
    return len(content_stems(a) & content_stems(b))


def shared(a: str, b: str) -> list[str]:
    """The shared stems, sorted, for messages."""
    return sorted(content_stems(a) & content_stems(b))


def length(text: str) -> int:
    """Length as a reader judges it: characters of the words, spacing and marks ignored."""
    return len(" ".join(words(text)))


def article_before_blank(stem: str) -> str | None:
    """'a' or 'an' when the stem ends with that article (the option completes it), else None."""
    tail = words(stem.rstrip(" _.:?…"))
    return tail[-1] if tail and tail[-1] in ("a", "an") else None


def takes_an(text: str) -> bool:
    """True when ``text`` reads with 'an' before it (vowel sound, by its first letter)."""
    first = words(text)
    return bool(first) and first[0][0] in "aeiou" and not first[0].startswith(("uni", "use", "eu", "one"))


def has_absolute(text: str) -> bool:
    return any(w in ABSOLUTES for w in words(text))


def has_hedge(text: str) -> bool:
    return any(w in HEDGES for w in words(text))


def form(text: str) -> tuple[bool, bool]:
    """Surface form of an option: starts upper case, ends with a full stop."""
    stripped = text.strip()
    return (stripped[:1].isupper(), stripped.endswith("."))
