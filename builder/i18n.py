"""Interface languages: every string the packages show or announce comes from a gettext catalogue.

The catalogues are ``builder/locale/<language>/LC_MESSAGES/messages.po`` (English is the source
language; ``builder/locale/messages.pot`` lists every string, extracted from the Python code and the
templates by Babel: ``make messages``). They are read with Babel and compiled in memory on first use,
so a checkout, an editable install and the wheel all use the same files and nothing compiled can go
stale. The course's ``language`` picks the catalogue (``fr-CA`` falls back to ``fr``); a string a
catalogue lacks is shown in English, and ``builder lint`` says which.

Numbers and dates are formatted for the language by Babel (and by the browser's ``Intl`` in the
quiz script); right-to-left languages get ``dir="rtl"`` and the stylesheet's logical properties
mirror the layout.
"""

from __future__ import annotations

import io
from datetime import date
from functools import cache
from gettext import NullTranslations
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # Babel's modules are imported where they are used: an English build reads no
    # catalogue, and a cartridge formats no date (``builder --help`` needs none of them)
    from babel import Locale
    from babel.messages.catalog import Catalog

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
SHIPPED = ("en", "fr", "es", "pt")  # complete catalogues; tests check that none lacks a string


def N_(message: str) -> str:
    """Mark a string for extraction where it is defined; it is translated where it is shown."""
    return message


def _primary(language: str) -> str:
    return language.replace("_", "-").split("-")[0].lower()


def _po_file(language: str) -> Path | None:
    for name in (language.replace("-", "_"), _primary(language)):
        path = LOCALE_DIR / name / "LC_MESSAGES" / f"{DOMAIN}.po"
        if path.is_file():
            return path
    return None


@cache
def _catalog(language: str) -> Catalog | None:
    from babel.messages.pofile import read_po

    path = _po_file(language)
    if path is None:
        return None
    with path.open("rb") as f:
        return read_po(f, locale=_primary(language))


@cache
def _template() -> Catalog:
    from babel.messages.pofile import read_po

    with (LOCALE_DIR / f"{DOMAIN}.pot").open("rb") as f:
        return read_po(f)


@cache
def translations(language: str) -> NullTranslations:
    """gettext translations for a course language (English ones: the strings as written)."""
    if _primary(language) == SOURCE_LANGUAGE:
        return NullTranslations()
    catalog = _catalog(language)
    if catalog is None:
        return NullTranslations()
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def untranslated(language: str) -> list[str]:
    """Interface strings the language's catalogue lacks (shown in English), in catalogue order."""
    if _primary(language) == SOURCE_LANGUAGE:
        return []
    catalog = _catalog(language)
    wanted = [m.id for m in _template() if m.id]
    if catalog is None:
        return [m if isinstance(m, str) else m[0] for m in wanted]
    missing = []
    for msgid in wanted:
        message = catalog.get(msgid)
        strings = message.string if message is not None else None
        done = all(strings) if isinstance(strings, tuple | list) else bool(strings)
        if message is None or not done or message.fuzzy:
            missing.append(msgid if isinstance(msgid, str) else msgid[0])
    return missing


def tr(language: str, message: str, **values: object) -> str:
    """A string in the course language, with ``%(name)s`` placeholders filled in."""
    text = translations(language).gettext(message)
    return text % values if values else text


def ntr(language: str, singular: str, plural: str, n: int, **values: object) -> str:
    text = translations(language).ngettext(singular, plural, n)
    return text % {"num": n, **values}


def _locale(language: str) -> Locale:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(_primary(language))
        except (UnknownLocaleError, ValueError):
            return Locale.parse(SOURCE_LANGUAGE)


def direction(language: str) -> str:
    """``rtl`` for right-to-left scripts (Arabic, Hebrew, Persian, Urdu...), else ``ltr``."""
    return "rtl" if _locale(language).character_order == "right-to-left" else "ltr"


def prepare(language: str) -> None:
    """Read now what the formats read to write in ``language``: its messages, Babel's number
    formatting and the language's locale data (a build's processes, forked afterwards, share them)."""
    import babel.numbers  # noqa: F401 - imported to be inherited

    translations(language)
    direction(language)  # reads the locale data


def long_date(day: date, language: str) -> str:
    """A date as the language writes it (15 January 2025, 15 janvier 2025, 15 de enero de 2025)."""
    from babel.dates import format_date

    return format_date(day, format="long", locale=_locale(language))


def number(value: float, language: str) -> str:
    from babel.numbers import format_decimal

    return format_decimal(value, locale=_locale(language))


def percent(value: float, language: str) -> str:
    """A percentage as the language writes it (80%, 80 %, 80 % with a narrow space...)."""
    from babel.numbers import format_percent

    return format_percent(value / 100, locale=_locale(language))


# Strings the browser scripts show (quiz, practice page, SCORM runtime). The page carries their
# translations as a JSON catalogue (no request at run time); placeholders are {name}.
JS_MESSAGES = (
    N_("Not answered."),
    N_("Your answer goes to your trainer, who grades it."),
    N_("Correct."),
    N_("Incorrect."),
    N_("Partly correct: {earned} of {total}."),
    N_("Your answer is not a number."),
    N_("Your answers have been submitted. Your trainer reviews them; this quiz has no automatic score."),
    N_("You scored {percent} ({earned} of {total}): {verdict}. The pass mark is {pass_mark}."),
    N_("passed"),
    N_("not passed yet"),
    N_("Essays are graded by your trainer and are not part of this score."),
    N_("Attempt {number}."),
    N_("Attempt {number} of {total}."),
    N_("Your best result, {percent}, is the one recorded."),
    N_("checked only by questions your trainer reviews"),
    N_("{percent}, met"),
    N_("{percent}, not met yet"),
    N_("1 point"),
    N_("{count} points"),
    N_("“{text}” is now number {position} of {total}."),
    N_("the section you last read"),
    N_("Your progress could not be saved: the learning management system refused it{why}."),
    N_(
        "Keep this page open: it tries again each time you continue. If this message stays, note your "
        "answers and tell your course administrator before you leave."
    ),
    N_(" (error {code})"),
    N_("Your progress is saved again."),
    N_("Not connected to a learning management system: this page works, but your progress is not recorded."),
    N_("The learning management system did not accept this page, so your progress is not recorded."),
    N_("Welcome back. "),
    N_("Continue where you left off: "),
    N_("You have completed this module."),
    N_("You have completed this module. Your course has recorded it as completed."),
    N_("Opening this page again so that the learning management system records your progress…"),
    N_(
        "The learning management system did not accept this page, so your progress is not recorded. "
        "Your answers and place are kept on this device: open this page again from the course (leave the "
        "activity and enter it again) to record them."
    ),
    N_(
        "Last time you were in “{title}” and have not finished it: choose it in the course's "
        "list of contents to carry on there."
    ),
    N_("Welcome back: your answers are restored. "),
    N_("Continue with "),
    N_("You have completed this module, but it is not saved yet: see the message above."),
)


def js_catalogue(language: str) -> dict[str, str]:
    """The scripts' strings in the course language, keyed by their English text."""
    t = translations(language)
    return {message: t.gettext(message) for message in JS_MESSAGES}
