"""Rendering replies in a learner's locale with Babel catalogs from ``locales/``."""
from __future__ import annotations

import functools
import io
import os
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from bot import gsm
from bot.settings import SHIPPED_LOCALES
from bot.texts import NO_DATE_YET, TEXTS
from flows.results import CircleLine, Reply, When

LOCALES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "locales")
DOMAIN = "messages"
# How each locale writes a meeting's day and time (CLDR patterns, one place for all of them).
MEETING_FORMATS = {
    "en": "EEEE, MMMM d, h:mm a",
    "es": "EEEE d 'de' MMMM, HH:mm",
    "fr": "EEEE d MMMM, HH:mm",
    "pt": "EEEE, d 'de' MMMM, HH:mm",
    "pl": "EEEE, d MMMM, HH:mm",
    "sw": "EEEE, d MMMM, HH:mm",
}


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


def pick(lang: str | None, default: str = "en") -> str:
    """Returns ``lang`` when it is shipped, else ``default``."""
    return lang if lang in SHIPPED_LOCALES else default


def gettext(msgid: str, lang: str) -> str:
    """Translates ``msgid`` into ``lang``."""
    return translations(pick(lang)).gettext(msgid)


def format_when(value: When | None, lang: str) -> str:
    """Formats a meeting time in the circle's zone, the way ``lang`` writes dates."""
    if value is None:
        return gettext(NO_DATE_YET, lang)
    lang = pick(lang)
    return format_datetime(value.at, MEETING_FORMATS[lang], tzinfo=ZoneInfo(value.timezone), locale=Locale.parse(lang))


def _format_param(value, lang: str) -> str:
    if isinstance(value, When) or value is None:
        return format_when(value, lang)
    if isinstance(value, tuple) and all(isinstance(item, CircleLine) for item in value):
        return "\n".join(f"{c.code}: {c.name}, {c.venue}, {format_when(c.when, lang)}" for c in value)
    return str(value)


def combine(*texts: str) -> str:
    """Several rendered texts sent as one SMS, one per line, folded to GSM-7 when that is cheaper."""
    return gsm.fit("\n".join(texts))


def render(reply: Reply, lang: str | None) -> str:
    """Renders ``reply`` (a message key and parameters) as text in ``lang``."""
    lang = pick(lang)
    template = gettext(TEXTS[reply.key], lang)
    params = {name: _format_param(value, lang) for name, value in reply.params.items()}
    return gsm.fit(template % params)
