"""The SMS segment budget (DESIGN.md §5): every template × locale, with the longest values."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import i18n, segments
from bot.settings import SHIPPED_LOCALES
from bot.texts import COMBINED, PLACEHOLDER_LONGEST, QUESTIONS, TEXTS
from flows import keywords
from flows.results import CircleLine, Reply, When

MAX_ANY = 3
MAX_QUESTION = {"en": 1, "sw": 1}
MAX_QUESTION_OTHER = 2
_PLACEHOLDER_TZ = "America/Chicago"


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
    """The meeting time whose rendering is longest in ``locale`` (every day of a year, late evening)."""
    tz = ZoneInfo(_PLACEHOLDER_TZ)
    best, best_len = None, -1
    for offset in range(365):
        local = datetime.combine(date(2027, 1, 1) + timedelta(days=offset), time(22, 30), tzinfo=tz)
        when = When(local, _PLACEHOLDER_TZ)
        text = i18n.format_when(when, locale)
        width = segments.count(text).units
        if width > best_len:
            best, best_len = when, width
    return best


def longest_params(locale: str) -> dict:
    """The longest value of every placeholder, for ``locale``."""
    names = [keywords.LANGUAGE_NAMES[lang] for lang in SHIPPED_LOCALES]
    when = longest_when(locale)
    return {
        "lines": tuple(CircleLine("W" * 8, "W" * 40, "W" * 40, when) for _ in range(3)),
        **PLACEHOLDER_LONGEST,
        "when": when,
        "menu": keywords.language_menu(SHIPPED_LOCALES),
        "language": max(names, key=len),
    }


def rows(locales=SHIPPED_LOCALES) -> list[Row]:
    """Every template in every locale."""
    out = []
    for locale in locales:
        params = longest_params(locale)
        for key in sorted(TEXTS):
            text = i18n.render(Reply(key, params), locale)
            count = segments.count(text)
            out.append(Row(key, locale, count.encoding, count.characters, count.segments, limit(key, locale)))
        for first, second in COMBINED:
            text = i18n.combine(i18n.render(Reply(first, params), locale), i18n.render(Reply(second, params), locale))
            count = segments.count(text)
            out.append(Row(f"{first}+{second}", locale, count.encoding, count.characters, count.segments, MAX_ANY))
    return out


def table(all_rows: list[Row]) -> str:
    """The rows as a plain-text table."""
    lines = [f"{'template':28} {'loc':4} {'encoding':8} {'chars':>5} {'segs':>4} {'max':>3}  ok"]
    for r in all_rows:
        lines.append(f"{r.key:28} {r.locale:4} {r.encoding:8} {r.characters:>5} {r.segments:>4} {r.limit:>3}  "
                     f"{'ok' if r.ok else 'OVER'}")
    return "\n".join(lines)
