"""Cleaning provider text before it reaches the flows and the database."""
from __future__ import annotations

import unicodedata

MAX_TEXT = 4096


def clean_text(raw: str | None) -> str:
    """Drops control characters (NUL and friends; newlines and tabs stay) and caps the length.

    PostgreSQL cannot store NUL and XML cannot carry most control characters, and no phone
    sends them on purpose; everything else, emoji and any script included, is kept as sent.
    """
    if not raw:
        return ""
    kept = "".join(ch for ch in raw if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    return kept[:MAX_TEXT]
