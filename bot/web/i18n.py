"""The pages' language: the facilitator's pick (kept in the session), through the same Babel catalogs."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time
from flask import Flask, g, session

from bot.render import i18n
from flows import languages

LANGUAGE_KEY = "lang"


def current() -> str:
    """The interface language of this request (``g.lang`` overrides it, e.g. a flyer in the circle's)."""
    return getattr(g, "lang", None) or i18n.pick(session.get(LANGUAGE_KEY))


def _(msgid: str, **params) -> str:
    """``msgid`` translated into the current language, with ``%(name)s`` placeholders filled."""
    text = i18n.gettext(msgid, current())
    return text % params if params else text


def ngettext(singular: str, plural: str, n: int, **params) -> str:
    """The singular or plural form for ``n`` in the current language."""
    text = i18n.translations(i18n.pick(current())).ngettext(singular, plural, n)
    return text % {"num": n, **params}


def choices() -> list[tuple[str, str]]:
    """``(code, own name)`` for every shipped language, for the picker."""
    return [(lang.code, lang.name) for lang in languages.LANGUAGES]


def init_app(app: Flask) -> None:
    """Installs the i18n extension in Jinja, reading the current language per call."""
    app.jinja_env.add_extension("jinja2.ext.i18n")

    def gettext(msgid: str) -> str:  # Jinja fills (and escapes) the placeholders itself
        return i18n.gettext(msgid, current())

    def ngettext_(singular: str, plural: str, n: int) -> str:
        return i18n.translations(i18n.pick(current())).ngettext(singular, plural, n)

    def pgettext(context: str, msgid: str) -> str:  # a short word whose meaning the context gives ("Y")
        return str(i18n.translations(i18n.pick(current())).pgettext(context, msgid))

    # jinja2.ext.i18n adds this method to the Environment at run time (``extend``): its stubs cannot know it.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext_, newstyle=True, pgettext=pgettext
    )
    app.jinja_env.globals.update(current_language=current, language_choices=choices)
    app.jinja_env.filters.update(when=when, localinput=local_input)


def when(moment, tz_name: str, style: str = "meeting") -> str:
    """A UTC moment in the circle's zone, written the way the interface language writes dates."""
    if moment is None:
        return ""
    lang = i18n.pick(current())
    if style == "date":
        return format_date(moment.astimezone(ZoneInfo(tz_name)).date(), "medium", locale=Locale.parse(lang))
    if style == "time":  # a time of day today (the live panel's "joined at")
        text = format_time(moment, "short", tzinfo=ZoneInfo(tz_name), locale=Locale.parse(lang))
        return text.replace("\u202f", " ").replace("\u00a0", " ")
    region = i18n.region_of(tz_name)
    on_the_hour = moment.astimezone(ZoneInfo(tz_name)).minute == 0
    text = format_datetime(
        moment,
        i18n.meeting_pattern(lang, region, on_the_hour) + " (zzz)",
        tzinfo=ZoneInfo(tz_name),
        locale=i18n.date_locale(lang, region),
    )
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def local_input(moment, tz_name: str) -> str:
    """The value of a ``datetime-local`` input: the circle's wall clock, ``2026-12-08T18:30``."""
    return moment.astimezone(ZoneInfo(tz_name)).strftime("%Y-%m-%dT%H:%M")
