"""Text helpers for questions: sentence-boundary excerpts of Markdown, quoting, comparison keys."""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

CUT = "[…]"  # marks where an excerpt leaves out the rest of its source

STEM_QUOTE = 300  # longest excerpt quoted in a stem (characters, about three lines)
OPTION_QUOTE = 200  # longest excerpt used as an option, a matching answer or in feedback
MIN_WORDS = 8  # shorter excerpts (a bold lead-in, a heading) say too little to answer from
BLANK = r"\_\_\_\_"  # Markdown for a gap where a word was: escaped so it is not emphasis

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
# Sentence end: terminal punctuation, maybe closing quotes or brackets, then space and a capital,
# digit, opening quote/bracket or Markdown emphasis.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]*_]*(?=\s+[\"'“‘(\[*_A-Z0-9])")
_NOT_AN_END = re.compile(
    r"(?:\b(?:e\.g|i\.e|cf|vs|approx|incl|dr|mr|mrs|ms|st)\.|\b[A-Z]\.|^\s*\d+\.)$", re.IGNORECASE
)
_BLOCK_START = re.compile(r"^\s*(?:$|[-*+]\s|\d+[.)]\s|#|\||>)")
_CUT_OK_BEFORE = re.compile(r"(?:[.!?:;][\"'”’)\]*_]*|\n)$")


def unlink(markdown: str) -> str:
    """Markdown with links and images replaced by their text: quotes must not carry targets along."""
    return _LINK.sub(r"\1", markdown)


def _boundaries(text: str) -> list[int]:
    """Offsets just after a sentence or a Markdown block ends, in order."""
    ends: set[int] = set()
    for match in _SENTENCE_END.finditer(text):
        head = text[: match.start() + 1]
        if not _NOT_AN_END.search(head.splitlines()[-1] if head.splitlines() else head):
            ends.add(match.end())
    lines = text.split("\n")
    offset = 0
    for line, following in itertools.pairwise(lines):
        offset += len(line) + 1
        if line.strip() and (_BLOCK_START.match(following) or line.lstrip().startswith(("#", "|"))):
            ends.add(offset - 1)
    return sorted(ends)


def _balanced(markdown: str) -> bool:
    """True when no inline code, strong emphasis or link text is left open."""
    return (
        markdown.count("`") % 2 == 0
        and markdown.count("**") % 2 == 0
        and markdown.count("[") == markdown.count("]")
    )


@lru_cache(maxsize=4096)  # each description is excerpted for every question offering it
def excerpt(markdown: str, limit: int) -> str:
    """The longest run of whole sentences from the start that fits ``limit`` characters.

    Never cuts inside a sentence: when the first sentence alone is longer, it is kept whole. A cut
    is marked with CUT so readers know the source goes on.
    """
    text = unlink(markdown).strip()
    if len(text) <= limit:
        return text
    cuts = [i for i in _boundaries(text) if _balanced(text[:i]) and len(text[:i].split()) >= MIN_WORDS]
    fitting = [i for i in cuts if i <= limit]
    cut = fitting[-1] if fitting else (cuts[0] if cuts else len(text))
    head = text[:cut].rstrip()
    if len(head) >= len(text.rstrip()):
        return text
    return f"{head} {CUT}" if _CUT_OK_BEFORE.search(head) else f"{head}\n\n{CUT}"


def cut_mid_sentence(text: str) -> bool:
    """True when ``text`` marks a cut that does not follow a sentence or block end."""
    for match in re.finditer(re.escape(CUT), text):
        before = text[: match.start()].rstrip(" >")
        if before and not _CUT_OK_BEFORE.search(before):
            return True
    return False


def blank_out(markdown: str, phrase: str) -> str:
    """``markdown`` with every whole-word occurrence of ``phrase`` (any case) replaced by a blank."""
    words = phrase.split()
    if not words:
        return markdown
    pattern = r"\b" + r"\s+".join(re.escape(w) for w in words) + r"(?!\w)"
    return re.sub(pattern, BLANK, markdown, flags=re.IGNORECASE)


def quote(markdown: str) -> str:
    """A Markdown block quote of ``markdown``."""
    return "\n".join(f"> {line}" if line.strip() else ">" for line in markdown.splitlines())


def plain(markdown: str) -> str:
    """One line without links or emphasis marks, for formats that take plain text."""
    text = re.sub(r"(?<!\w)[*_`]+|[*_`]+(?!\w)", "", unlink(markdown))
    return " ".join(text.split())


def inline(text: str) -> str:
    """One-line form of a short text, for use inside a sentence: whitespace collapsed, final stop dropped."""
    return " ".join(text.split()).rstrip(".")


def same_text_key(text: str) -> str:
    """Comparison key of texts that read the same (case, spacing, Markdown emphasis, final stop)."""
    return " ".join(re.sub(r"[*_`]", "", text).casefold().split()).rstrip(" .")
