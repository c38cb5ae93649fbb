"""The one registry of shipped languages: add a language here first (README "Add a language").

Everything that lists languages reads this module: the settings, the flow context (menu order),
the keyword tables (checked by a test), the SMS budget and the catalogs script. How a date and a
time are written is not kept here: Babel's CLDR data chooses it from the language and the circle's
country (see ``bot/i18n.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    """One shipped language.

    Attributes:
        code: the catalog's locale code (``locales/<code>/``).
        name: the language's own name as its speakers write it ("Français", "Português"): the menu,
            the language picker and web pages show it with every accent; an SMS folds what GSM-7
            cannot carry when that saves a segment (``bot/render/gsm.py``).
        region: the country whose conventions the catalog follows (``pt`` is Brazilian Portuguese,
            ``sw`` is Kenyan Swahili). Dates use it when the circle's country has no CLDR locale for
            the language (Swahili in a US library reads dates as in Kenya).
        question_segments: the most SMS segments a reminder or single question may take.
    """

    code: str
    name: str
    region: str
    question_segments: int


LANGUAGES: tuple[Language, ...] = (
    Language("en", "English", "US", 1),
    Language("es", "Español", "US", 2),
    Language("fr", "Français", "FR", 2),
    Language("pt", "Português (Brasil)", "BR", 2),
    Language("pl", "Polski", "PL", 2),
    Language("sw", "Kiswahili", "KE", 1),
)
SHIPPED: tuple[str, ...] = tuple(language.code for language in LANGUAGES)
BY_CODE: dict[str, Language] = {language.code: language for language in LANGUAGES}
NAMES: dict[str, str] = {language.code: language.name for language in LANGUAGES}
DEFAULT = "en"


def pick(code: str | None, default: str = DEFAULT) -> str:
    """Returns ``code`` when it is shipped, else ``default``."""
    return code if code in BY_CODE else default
