"""Cleaning provider text before it reaches the flows and the database: the one place every inbound
field passes through (``clean_text`` and ``form_field``).

What goes in must come out again as TwiML, JSON and database rows, so it keeps only characters that
XML 1.0 allows (``Char ::= #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]``)
and PostgreSQL can store (no NUL). Every other control character goes too: no phone sends them on
purpose. Emoji, astral characters and every script are kept as sent.
"""
from __future__ import annotations

import re

MAX_TEXT = 4096
# What goes: what XML 1.0 forbids (C0 controls but tab, LF and CR; lone surrogates; U+FFFE, U+FFFF),
# and every other control character (Unicode category Cc: CR, DEL and the C1 controls) but tab and LF.
DROPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(raw: str | None, limit: int = MAX_TEXT) -> str:
    """Drops what XML 1.0 forbids and every other control character (newlines and tabs stay), then
    caps the length at ``limit`` characters.
    """
    if not raw:
        return ""
    return DROPPED.sub("", raw)[:limit]


def form_field(form, *names: str, lower: bool = False) -> str:
    """The first of ``names`` that is present in ``form``, cleaned, stripped and (if asked) lower-cased.

    Callers check size limits on what this returns, after every normalisation: ``"İ".lower()`` is two
    characters, so a length checked before lower-casing may not hold after it.
    """
    value = next((form.get(name) for name in names if form.get(name)), None)
    value = clean_text(value, limit=len(value) if value else 0).strip()
    return value.lower() if lower else value
