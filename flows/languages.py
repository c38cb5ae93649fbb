"""The one registry of shipped languages: add a language here first (README "Add a language").

Everything that lists languages reads this module: the settings, the flow context (menu order),
the keyword tables (checked by a test), the date formats, the SMS budget and the catalogs script.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """One shipped language.

    Attributes:
        code: the catalog's locale code (``locales/<code>/``).
        name: the language's own name, as the numbered menu shows it (GSM-7 only, so the menu
            never costs a UCS-2 segment).
        meeting_format: the CLDR pattern a meeting's day and time is written with.
        question_segments: the most SMS segments a reminder or single question may take.
    """

    code: str
    name: str
    meeting_format: str
    question_segments: int


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "EEEE, MMMM d, h:mm a", 1),
    Language("es", "Español", "EEEE d 'de' MMMM, HH:mm", 2),
    Language("fr", "Francais", "EEEE d MMMM, HH:mm", 2),
    Language("pt", "Portugues", "EEEE, d 'de' MMMM, HH:mm", 2),
    Language("pl", "Polski", "EEEE, d MMMM, HH:mm", 2),
    Language("sw", "Kiswahili", "EEEE, d MMMM, HH:mm", 1),
)
SHIPPED: tuple[str, ...] = tuple(language.code for language in LANGUAGES)
BY_CODE: dict[str, Language] = {language.code: language for language in LANGUAGES}
NAMES: dict[str, str] = {language.code: language.name for language in LANGUAGES}
DEFAULT = "en"


def pick(code: str | None, default: str = DEFAULT) -> str:
    """Returns ``code`` when it is shipped, else ``default``."""
    return code if code in BY_CODE else default
