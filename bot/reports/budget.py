"""The SMS segment budget (DESIGN.md §5): every template × locale, with the longest values."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.core import get_global

from bot.render import i18n, segments, sms
from bot.render.texts import COMBINED, PARTS, PLACEHOLDER_LONGEST, QUESTIONS, TEXTS
from flows import choices, keys, keywords, languages, leaving, surveys
from flows.results import Choices, CircleLine, Reply, When

MAX_ANY = segments.MAX_SEGMENTS
MAX_QUESTION = {language.code: language.question_segments for language in languages.LANGUAGES}
MAX_QUESTION_OTHER = 2
_PLACEHOLDER_TZ = "America/Chicago"
# One zone in each country a shipped language is written for: a date is written per circle country.
_PLACEHOLDER_ZONES = tuple(
    sorted({_PLACEHOLDER_TZ} | {get_global("territory_zones")[language.region][0] for language in languages.LANGUAGES})
)
SHIPPED_LOCALES = languages.SHIPPED


@dataclass(frozen=True)
class Row:
    """One template in one locale, rendered at its longest."""

    key: str
    locale: str
    encoding: str
    characters: int
    segments: int
    limit: int

    @property
    def ok(self) -> bool:
        """True when the text is within its budget."""
        return self.segments <= self.limit


def limit(key: str, locale: str) -> int:
    """The most segments ``key`` may take in ``locale``."""
    if key in QUESTIONS:
        return MAX_QUESTION.get(locale, MAX_QUESTION_OTHER)
    return MAX_ANY


@functools.lru_cache(maxsize=None)
def longest_when(locale: str) -> When:
    """The meeting time whose rendering is longest in ``locale``: every day of a year, late evening,
    in a circle in each country a shipped language is written for (a 12-hour clock is longer)."""
    whens = (
        When(datetime.combine(date(2027, 1, 1) + timedelta(days=offset), time(22, 30), tzinfo=ZoneInfo(zone)), zone)
        for zone in _PLACEHOLDER_ZONES
        for offset in range(365)
    )
    return max(whens, key=lambda when: segments.count(i18n.format_when(when, locale)).units)  # the first longest


def longest_params(locale: str) -> dict:
    """The longest value of every placeholder, for ``locale``."""
    names = [keywords.LANGUAGE_NAMES[lang] for lang in SHIPPED_LOCALES]
    when = longest_when(locale)
    return {
        "lines": tuple(CircleLine("W" * 8, "W" * 40, "W" * 40, when) for _ in range(3)),
        **PLACEHOLDER_LONGEST,
        "when": when,
        "old": when,
        "language": max(names, key=len),
    }


LEAVE_MENU = choices.phrases(
    tuple(("QUITTER WWWWWWWW", PLACEHOLDER_LONGEST["circle"]) for _ in range(leaving.CHOICES_MAX)), keys.PROMPT_LEAVE
)


def choices_by_key() -> dict[str, Choices]:
    """Every message key that asks a question with fixed answers, with its (longest) choices."""
    found: dict[str, Choices] = {
        keys.REMINDER: choices.RSVP,
        keys.CHECKIN_QUESTION: choices.CHECKIN,
        keys.FORGET_CONFIRM: choices.FORGET,
        keys.WAITLIST_OFFER: choices.YES_NO,
        keys.STOP_ASK: choices.YES_NO,
        keys.SIGNUP_ASK_LANGUAGE: choices.language_menu(SHIPPED_LOCALES),
        keys.SIGNUP_BAD_LANGUAGE: choices.language_menu(SHIPPED_LOCALES),
        keys.LANGUAGE_MENU: choices.language_menu(SHIPPED_LOCALES),
        keys.LEAVE_WHICH: LEAVE_MENU,
        keys.LEAVE_EXACT: LEAVE_MENU,
    }
    for survey in (surveys.LEARNER, surveys.FACILITATOR, *(surveys.how(seq) for seq in (1, 2, 3))):
        for question in survey.questions:
            if question.choices is not None:
                found[question.text] = question.choices
    return found


def longest_reply(key: str, locale: str) -> Reply:
    """``key`` with its longest parameters and its choices, as a learner would get it."""
    return Reply(key, longest_params(locale), choices_by_key().get(key))


def rows(locales=SHIPPED_LOCALES) -> list[Row]:
    """Every template in every locale."""
    out = []
    for locale in locales:
        params = longest_params(locale)
        for key in sorted(set(TEXTS) - PARTS):
            text = sms.render((longest_reply(key, locale),), locale)
            count = segments.count(text)
            out.append(Row(key, locale, count.encoding, count.characters, count.segments, limit(key, locale)))
        for first, second in COMBINED:
            text = sms.render((Reply(first, params), longest_reply(second, locale)), locale)
            count = segments.count(text)
            out.append(Row(f"{first}+{second}", locale, count.encoding, count.characters, count.segments, MAX_ANY))
    return out


def table(all_rows: list[Row]) -> str:
    """The rows as a plain-text table."""
    lines = [f"{'template':28} {'loc':4} {'encoding':8} {'chars':>5} {'segs':>4} {'max':>3}  ok"]
    for r in all_rows:
        lines.append(
            f"{r.key:28} {r.locale:4} {r.encoding:8} {r.characters:>5} {r.segments:>4} {r.limit:>3}  "
            f"{'ok' if r.ok else 'OVER'}"
        )
    return "\n".join(lines)
