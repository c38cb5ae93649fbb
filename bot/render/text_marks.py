"""The marks that make a text translatable: ``N_`` (one text) and ``NP_`` (a text with a count), for
Babel's extraction (``-k N_ -k NP_:1,2``) and for ``ngettext`` at render time."""

from __future__ import annotations


def N_(msgid: str) -> str:
    """Marks ``msgid`` for extraction (``pybabel extract -k N_``) without translating it."""
    return msgid


class Plural(str):
    """A text with a count: the English singular (the msgid itself), its plural, and the placeholder
    whose number picks the form (``ngettext``, each catalog's own plural rule: Polish has three)."""

    plural: str
    counted: str

    def __new__(cls, singular: str, plural: str, counted: str) -> Plural:
        text = super().__new__(cls, singular)
        text.plural = plural
        text.counted = counted
        return text


def NP_(singular: str, plural: str, counted: str) -> Plural:
    """Marks a singular and plural pair for extraction (``pybabel extract -k NP_:1,2``); ``counted`` is
    the placeholder whose number picks the form."""
    return Plural(singular, plural, counted)
