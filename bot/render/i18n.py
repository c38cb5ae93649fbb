"""Rendering replies in a learner's locale with Babel catalogs from ``locales/``."""

from __future__ import annotations

import functools
import io
import os
import re
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot.render.texts import NO_DATE_YET, Plural
from flows import languages
from flows.results import When

LOCALES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "locales")
DOMAIN = "messages"
# Countries whose people read a 12-hour clock although CLDR's locale data for them says 24-hour:
# Kenyan phones and M-PESA receipts show "6:04 PM" (issue 16 review), in English and in Swahili.
TWELVE_HOUR_REGIONS = frozenset({"KE"})
# Spaces CLDR puts in times ("6:00\u202fPM", "p.\u00a0m."): not GSM-7, so each would make a whole SMS UCS-2.
_ODD_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " ", "\u2009": " "})
# A full date pattern's year, with the separator or "de" before it ("EEEE, d 'de' MMMM 'de' y").
_YEAR = re.compile(r"[,\s]*(?:'[^']*'\s*)?y+")
# Quoted literal text in a CLDR pattern: fr_CA's time is ``HH 'h' mm``, whose ``h`` is a letter, not an hour.
_QUOTED = re.compile(r"'[^']*'")


@functools.lru_cache(maxsize=None)
def translations(lang: str) -> NullTranslations:
    """The catalog for ``lang``: the compiled ``.mo`` when current, else compiled from the ``.po``."""
    base = os.path.join(LOCALES_DIR, lang, "LC_MESSAGES", DOMAIN)
    po, mo = base + ".po", base + ".mo"
    if os.path.exists(mo) and (not os.path.exists(po) or os.path.getmtime(mo) >= os.path.getmtime(po)):
        with open(mo, "rb") as fp:
            return Translations(fp, domain=DOMAIN)
    if os.path.exists(po):
        with open(po, "rb") as fp:
            catalog = read_po(fp, locale=lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        return Translations(buffer, domain=DOMAIN)
    return NullTranslations()


def pick(lang: str | None, default: str = languages.DEFAULT) -> str:
    """Returns ``lang`` when it is shipped, else ``default``."""
    return languages.pick(lang, default)


def gettext(msgid: str, lang: str) -> str:
    """Translates ``msgid`` into ``lang``."""
    return translations(pick(lang)).gettext(msgid)


def ngettext(singular: str, plural: str, n: int, lang: str) -> str:
    """The form of ``singular``/``plural`` for ``n`` in ``lang``, by the catalog's own plural rule."""
    return translations(pick(lang)).ngettext(singular, plural, n)


def count_of(value: object) -> int:
    """The number a count placeholder holds (``3``, ``"12"``); 0 when it holds none."""
    try:
        return int(str(value))
    except ValueError:
        return 0


def template(msgid: str, lang: str, params: Mapping[str, object] | None = None) -> str:
    """The catalog's text for ``msgid``: for a :class:`Plural`, the form for its count in ``params``."""
    if isinstance(msgid, Plural):
        return ngettext(msgid, msgid.plural, count_of((params or {}).get(msgid.counted)), lang)
    return gettext(msgid, lang)


def fill(text: str, params: dict[str, str]) -> str:
    """``text % params``, without a doubled full stop where a value ends with one ("11:00 p.m.." in es-US)."""
    for name, value in params.items():
        if value.endswith("."):
            text = text.replace(f"%({name})s.", f"%({name})s")
    return text % params


def region_of(timezone: str | None) -> str | None:
    """The country of an IANA time zone (CLDR's zone → territory table), e.g. ``KE`` for Africa/Nairobi."""
    return get_global("zone_territories").get(timezone or "")


@functools.lru_cache(maxsize=None)
def date_locale(lang: str, region: str | None) -> Locale:
    """The CLDR locale a date is written in: ``lang`` as spoken in ``region`` when CLDR has it
    (``en_KE``, ``es_US``, ``pt_PT``), else as spoken in the language's own region (``pt_BR``, ``sw_KE``)."""
    lang = pick(lang)
    for candidate in (f"{lang}_{region}" if region else None, f"{lang}_{languages.BY_CODE[lang].region}"):
        if candidate:
            try:
                return Locale.parse(candidate)
            except (UnknownLocaleError, ValueError):
                continue
    return Locale.parse(lang)


@functools.lru_cache(maxsize=None)
def meeting_pattern(lang: str, region: str | None, on_the_hour: bool = False) -> str:
    """The CLDR pattern for a meeting's day and time: the locale's full date without the year, a comma,
    and the time without a leading zero, on a 12-hour clock where the country reads one.

    A 24-hour time keeps the locale's own form: ``18:00`` in Poland and Brazil, ``18 h 30`` in Québec
    (CLDR's fr_CA ``HH 'h' mm``), and ``18 h`` there ``on_the_hour``, as Québec writes it.
    """
    locale = date_locale(lang, region)
    day = _YEAR.sub("", locale.date_formats["full"].pattern).strip(" ,")
    short = locale.time_formats["short"].pattern
    hours = _QUOTED.sub("", short)
    twelve = "h" in hours or "K" in hours or locale.territory in TWELVE_HOUR_REGIONS
    if twelve:
        time = "h:mm a"
    elif _QUOTED.search(short):
        time = short.replace("HH", "H")
        if on_the_hour:
            time = re.sub(r"\s*m+$", "", time)
    else:
        time = "H:mm"
    return f"{day}, {time}"


def format_when(value: When | None, lang: str) -> str:
    """Formats a meeting time in the circle's zone, as ``lang`` writes it in the circle's country.

    "Tuesday, December 1, 6:00 PM" in a US circle, "Tuesday, 1 December, 6:00 pm" in a Kenyan one,
    "martes, 1 de diciembre, 18:00" in Spain. Babel's CLDR data picks the day and month order and words.
    """
    if value is None:
        return gettext(NO_DATE_YET, lang)
    lang, region = pick(lang), region_of(value.timezone)
    zone = ZoneInfo(value.timezone)
    on_the_hour = value.at.astimezone(zone).minute == 0
    text = format_datetime(
        value.at, meeting_pattern(lang, region, on_the_hour), tzinfo=zone, locale=date_locale(lang, region)
    )
    return text.translate(_ODD_SPACES)
