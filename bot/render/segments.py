"""SMS segment counting, the way carriers count (GSM 03.38 and UCS-2)."""

from __future__ import annotations

from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")
GSM7 = frozenset(GSM7_BASIC | GSM7_EXTENSION)
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
    return GSM7.issuperset(text)


def count(text: str) -> SegmentCount:
    """Counts the segments of ``text``.

    GSM-7 extension characters cost two septets, and a split never cuts one in half.
    UCS-2 counts UTF-16 code units, so an emoji costs two and is never split.
    """
    gsm = is_gsm7(text)
    if gsm:  # an extension character costs two septets
        total = len(text) + sum(text.count(ch) for ch in GSM7_EXTENSION if ch in text)
        single, part, encoding = GSM7_SINGLE, GSM7_PART, "GSM-7"
    else:  # a character beyond the BMP costs two UTF-16 code units
        total = len(text.encode("utf-16-le", "surrogatepass")) // 2
        single, part, encoding = UCS2_SINGLE, UCS2_PART, "UCS-2"
    if total <= single:  # one segment (most texts): no need to walk the characters
        return SegmentCount(encoding, len(text), total, 1 if text else 0)
    if gsm:
        units = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    else:
        units = [2 if ord(ch) > 0xFFFF else 1 for ch in text]
    segments, used = 1, 0
    for width in units:
        if used + width > part:
            segments += 1
            used = 0
        used += width
    return SegmentCount(encoding, len(text), total, segments)
