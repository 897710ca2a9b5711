"""The prompt of a module's discussion when the course gives none: how learners will apply each
competency (the cartridges' discussion topics and the Moodle backup's forums)."""

from __future__ import annotations

import lxml.html
from lxml.html import builder as html_builder

from builder.i18n import tr
from builder.model import Module


def generated_prompt(module: Module, lang: str = "en") -> str:
    """HTML asking learners how they will apply each of the module's competencies."""
    e = html_builder
    before, _, after = tr(
        lang, "How will you apply what you learned in {module} in your own work?"
    ).partition("{module}")
    text = e.DIV(
        e.P(before, e.EM(module.title), after),
        e.P(
            tr(
                lang,
                "For each competency below, describe one situation in your organisation where you "
                "will use it, the first step you will take, and the support you will need:",
            )
        ),
        e.UL(*(e.LI(e.STRONG(c.title)) for c in module.competencies)),
        e.P(
            tr(
                lang,
                "Then read the other learners' posts and reply to at least one with a question or "
                "a suggestion.",
            )
        ),
    )
    return "".join(lxml.html.tostring(child, encoding="unicode") for child in text)
