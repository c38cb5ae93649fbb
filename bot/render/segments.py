"""SMS segment counting, the way carriers count (GSM 03.38 and UCS-2)."""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
GSM7_SINGLE, GSM7_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
MAX_SEGMENTS = 3  # the most any one message may cost (DESIGN.md §5): the budget table, SMS rendering, the pages


@dataclass(frozen=True)
class SegmentCount:
    """How a text is encoded and how many segments it costs."""

    encoding: str
    characters: int
    units: int
    segments: int


def is_gsm7(text: str) -> bool:
    """True when every character of ``text`` is in the GSM-7 basic or extension table."""
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def count(text: str) -> SegmentCount:
    """Counts the segments of ``text``.

    GSM-7 extension characters cost two septets, and a split never cuts one in half.
    UCS-2 counts UTF-16 code units, so an emoji costs two and is never split.
    """
    if is_gsm7(text):
        units = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        single, part, encoding = GSM7_SINGLE, GSM7_PART, "GSM-7"
    else:
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "UCS-2"
    total = sum(units)
    if total <= single:
        return SegmentCount(encoding, len(text), total, 1 if text else 0)
    segments, used = 1, 0
    for width in units:
        if used + width > part:
            segments += 1
            used = 0
        used += width
    return SegmentCount(encoding, len(text), total, segments)
