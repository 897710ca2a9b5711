"""What a test-wise reader sees in an item's wording: content words by stem, length, form.

Words are compared by their Snowball stem, so "licence" and "licences", "plan" and "planning" count
as one word; function words carry no cue and are left out.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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

# The other languages the interface ships in: their function words, and their Snowball stemmers.
_OTHER_FUNCTION_WORDS = {
    "fr": """
        à au aux avec ce ces cet cette dans de des du elle elles en et être eux il ils je la le les
        leur leurs lui ma mais me même mes moi mon ne ni nos notre nous on ou où par pas pour qu que
        qui sa sans se ses si son sont sur ta te tes toi ton tu un une vos votre vous est sont été
        avoir a ont fait faire plus moins très tout tous toute toutes aussi comme dont quand lorsque
        puis donc alors ceci cela ça y l d c j m n s t qu' l' d' c' j' m' n' s' t'
    """,
    "es": """
        a al algo como con de del desde donde el ella ellas ellos en entre era es esa ese eso esta
        este esto fue ha han hay la las le les lo los más me mi mis muy nada ni no nos o para pero
        por que quien se sea ser si sin sobre su sus también te tiene tu tus un una uno unos unas y
        ya cada cual cuando está están son todo todos toda todas
    """,
    "pt": """
        a à ao aos as às com como da das de do dos e é ela elas ele eles em entre era essa esse isso
        esta este isto foi há já la lhe mais mas me meu minha muito na nas não nem no nos o os ou
        para pela pelo por qual quando que quem se sem ser seu seus sua suas são também te tem um
        uma uns umas cada todo todos toda todas está estão
    """,
}
_SNOWBALL = {"en": "english", "fr": "french", "es": "spanish", "pt": "portuguese"}
_LANGUAGE: ContextVar[str] = ContextVar("cue_language", default="en")


@contextmanager
def language(tag: str) -> Iterator[None]:
    """Judge wording in the course language (BCP 47 tag) within the block; English otherwise."""
    primary = tag.split("-")[0].lower()
    token = _LANGUAGE.set(primary if primary in _SNOWBALL else "en")
    try:
        yield
    finally:
        _LANGUAGE.reset(token)


def judged_language() -> str:
    """The language wording is judged in now (``language``): a Snowball language code."""
    return _LANGUAGE.get()


def _stopwords() -> frozenset[str]:
    code = _LANGUAGE.get()
    return STOPWORDS if code == "en" else _other_stopwords(code)


@lru_cache(maxsize=8)
def _other_stopwords(code: str) -> frozenset[str]:
    # English ones too: a course in another language often keeps English text (an overlay of an
    # English course with its own modules in French), and neither language's little words cue.
    return STOPWORDS | frozenset(_OTHER_FUNCTION_WORDS[code].split())


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


def _stemmer() -> Any:
    """The course language's Snowball stemmer (a word and its plural share a stem)."""
    return _stemmer_for(_SNOWBALL[_LANGUAGE.get()])


@lru_cache(maxsize=8)
def _stemmer_for(name: str) -> Any:
    return snowballstemmer.stemmer(name)


def words(text: str) -> list[str]:
    """Every word of ``text``, lower case, Markdown marks and punctuation left out."""
    return list(_words(text))


@lru_cache(maxsize=8192)
def _words(text: str) -> tuple[str, ...]:  # the audit reads each option many times
    return tuple(w.casefold().replace("’", "'") for w in _WORD.findall(re.sub(r"[*_`]", " ", text)))


def content_stems(text: str) -> frozenset[str]:
    """Stems of the content words of ``text`` (in the language set by ``language``)."""
    return _content_stems(text, _LANGUAGE.get())


@lru_cache(maxsize=8192)
def _content_stems(text: str, code: str) -> frozenset[str]:
    stopwords = _stopwords()
    kept = [w for w in words(text) if w not in stopwords and len(w) > 1]
    return frozenset(_stemmer().stemWords(kept))


def overlap(a: str, b: str) -> int:
    """Content words (by stem) that ``a`` and ``b`` share."""
    return len(content_stems(a) & content_stems(b))


def shared(a: str, b: str) -> list[str]:
    """The shared stems, sorted, for messages."""
    return sorted(content_stems(a) & content_stems(b))


def length(text: str) -> int:
    """Length as a reader judges it: characters of the words, spacing and marks ignored."""
    return len(" ".join(_words(text)))


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
