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


INT_MAX = 2**31 - 1  # the largest value of an INTEGER column, on both databases


def number(raw: str | None, largest: int = INT_MAX) -> int | None:
    """A whole number written in ASCII digits, at most ``largest``; None for anything else.

    ``str.isdigit()`` is not enough before ``int()``: it accepts ``²`` (which ``int()`` refuses) and
    ``١`` (which it reads), and a number longer than the column (a 503 on PostgreSQL) or than
    Python's 4,300-digit limit.
    """
    raw = raw or ""
    if not raw.isascii() or not raw.isdigit() or len(raw) > len(str(largest)):
        return None
    value = int(raw)
    return value if value <= largest else None
