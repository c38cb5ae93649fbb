"""The fixed answer sets of the questions the flows ask (one place, so every channel renders them)."""

from __future__ import annotations

from flows import keys, languages
from flows.results import CONFIRM, INLINE, MENU, SCALE, Choice, Choices

YES_NO = Choices((Choice("1", keys.LABEL_YES), Choice("2", keys.LABEL_NO)), INLINE)
RSVP = YES_NO
CHECKIN = Choices((Choice("1", keys.LABEL_GREAT), Choice("2", keys.LABEL_OKAY), Choice("3", keys.LABEL_STUCK)), INLINE)
FORGET = Choices((Choice("YES", keys.LABEL_ERASE),), CONFIRM, prompt=keys.PROMPT_FORGET)


def scale(low: int, high: int, low_label: str, high_label: str) -> Choices:
    """The numbers ``low``..``high``; only the ends carry a label."""
    items = tuple(
        Choice(str(n), low_label if n == low else high_label if n == high else None) for n in range(low, high + 1)
    )
    return Choices(items, SCALE)


def language_menu(codes: tuple[str, ...]) -> Choices:
    """The numbered language menu, each language in its own name."""
    return Choices(tuple(Choice(str(i), languages.NAMES[code], literal=True) for i, code in enumerate(codes, 1)), MENU)


def phrases(pairs: tuple[tuple[str, str], ...], prompt: str) -> Choices:
    """A menu whose answers are phrases to type or tap ("LEAVE KC42"), each beside a literal label (a circle's
    name, in brackets); ``prompt`` says how to answer."""
    return Choices(tuple(Choice(value, f"({label})", literal=True) for value, label in pairs), MENU, prompt=prompt)
