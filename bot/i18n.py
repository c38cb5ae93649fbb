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

from bot.texts import NO_DATE_YET
from flows import languages
from flows.results import Reply, When

LOCALES_DIR = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "locales")
DOMAIN = "messages"
# How each locale writes a meeting's day and time (CLDR patterns, from the languages registry).
MEETING_FORMATS = {language.code: language.meeting_format for language in languages.LANGUAGES}


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


def format_when(value: When | None, lang: str) -> str:
    """Formats a meeting time in the circle's zone, the way ``lang`` writes dates."""
    if value is None:
        return gettext(NO_DATE_YET, lang)
    lang = pick(lang)
    return format_datetime(value.at, MEETING_FORMATS[lang], tzinfo=ZoneInfo(value.timezone), locale=Locale.parse(lang))


def render(reply: Reply, lang: str | None) -> str:
    """``reply`` as one SMS in ``lang``, its choices included (see ``bot.render`` for other channels)."""
    from bot.render import sms

    return sms.render((reply,), pick(lang))
