"""The words of a reply in one language: its template, its parameters and its choices."""

from __future__ import annotations

from bot.render.i18n import fill, format_when, gettext, pick, template
from bot.render.texts import ALREADY_IN, CIRCLE_ENDED, TEXTS
from flows import keys
from flows.results import MENU, SCALE, Choice, Choices, CircleLine, Quote, Reply, When


def param(value, lang: str) -> str:
    """One parameter as text: a meeting time in the reader's locale, a list of circles, words as said."""
    if isinstance(value, When) or value is None:
        return format_when(value, lang)
    if isinstance(value, Quote):
        return value.text
    if isinstance(value, tuple) and all(isinstance(item, CircleLine) for item in value):
        return "\n".join(  # a circle the reader is in is named, not offered: no venue and time (segments)
            f"{c.code}: {c.name} ({gettext(ALREADY_IN, lang)})"
            if c.joined
            else f"{c.code}: {c.name}, {c.venue}, {_line_when(c, lang)}"
            for c in value
        )
    return str(value)


def _line_when(line: CircleLine, lang: str) -> str:
    """A circle's next meeting, or "ended" once every meeting is behind it (never "to be announced")."""
    if line.when is None and line.ended:
        return gettext(CIRCLE_ENDED, lang)
    return format_when(line.when, lang)


def words(reply: Reply, lang: str, quote_limit: int | None = None) -> str:
    """The reply's own text (without its choices); quoted words cut to ``quote_limit`` characters."""
    lang = pick(lang)
    params = {}
    for name, value in reply.params.items():
        if isinstance(value, Quote) and quote_limit is not None:
            value = Quote(shorten(value.text, quote_limit))
        params[name] = param(value, lang)
    return fill(template(TEXTS[reply.key], lang, reply.params), params)


def shorten(text: str, limit: int) -> str:
    """``text`` on one line, cut to ``limit`` characters with "..." when it is longer."""
    original = " ".join((text or "").split())
    if len(original) <= limit:
        return original
    return original[:limit].rstrip() + "..."


def label(choice: Choice, lang: str) -> str:
    """A choice's label as a reader sees it; a scale's middle point is its number."""
    if choice.label is None:
        return choice.value
    return choice.label if choice.literal else gettext(TEXTS[choice.label], pick(lang))


def button(choice: Choice, choices: Choices, lang: str) -> str:
    """A choice as a button's text: ``Yes``, ``1 English``, ``1 · not at all`` or ``3``."""
    if choices.style == SCALE:
        return choice.value if choice.label is None else f"{choice.value} · {label(choice, lang)}"
    text = label(choice, lang)
    text = text[:1].upper() + text[1:]
    return f"{choice.value} {text}" if choices.style == MENU else text


def prompt(choices: Choices, lang: str) -> str:
    """How a text channel asks for one of ``choices``."""
    lang = pick(lang)
    items = choices.items
    if choices.style == MENU:  # its own prompt above the lines ("Reply with the words before its name:")
        lines = [f"{c.value} {label(c, lang)}" for c in items]
        return "\n".join([gettext(TEXTS[choices.prompt or keys.PROMPT_MENU], lang), *lines])
    if choices.prompt:
        return gettext(TEXTS[choices.prompt], lang)
    if choices.style == SCALE:
        low, high = items[0], items[-1]
        return gettext(TEXTS[keys.PROMPT_SCALE], lang) % {
            "low": low.value,
            "low_label": label(low, lang),
            "high": high.value,
            "high_label": label(high, lang),
        }
    options = ", ".join(f"{c.value} {label(c, lang)}" for c in items)
    return gettext(TEXTS[keys.PROMPT_INLINE], lang) % {"options": options}


def with_prompt(reply: Reply, lang: str, quote_limit: int | None = None) -> str:
    """The reply's text followed by how to answer it (a line apart for a menu, a space otherwise)."""
    said = words(reply, lang, quote_limit)
    if reply.choices is None:
        return said
    asked = prompt(reply.choices, lang)
    return f"{said}\n{asked}" if reply.choices.style == MENU else f"{said} {asked}"
