"""Text helpers for quiz writers and rules: plain one-line text, comparison keys."""

from __future__ import annotations

import re

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")


def unlink(markdown: str) -> str:
    """Markdown with links and images replaced by their text."""
    return _LINK.sub(r"\1", markdown)


def plain(markdown: str) -> str:
    """One line without links or emphasis marks, for formats that take plain text."""
    text = re.sub(r"(?<!\w)[*_`]+|[*_`]+(?!\w)", "", unlink(markdown))
    return " ".join(text.split())


def same_text_key(text: str) -> str:
    """Comparison key of texts that read the same (case, spacing, Markdown emphasis, final stop)."""
    return " ".join(re.sub(r"[*_`]", "", text).casefold().split()).rstrip(" .")
