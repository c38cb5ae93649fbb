"""Swahili said from recorded fragments: numbers, weekdays, months and Swahili time.

Spoken Swahili counts the hours from 6 o'clock, sunrise: 7 AM is *saa moja asubuhi* (the first hour),
noon *saa sita mchana*, 6 PM *saa kumi na mbili jioni* (the twelfth hour). A meeting's time is said as
"Jumanne, tarehe moja Desemba, saa kumi na mbili na nusu jioni": the weekday, *tarehe* and the day of
the month, the month, then *saa*, the Swahili hour, the minutes (*na robo*, *na nusu*, *kasoro robo*
of the next hour, or *na dakika* and a number) and the part of the day.

Every function returns recording keys (``FRAGMENTS``), never text: the phone line plays one recording per
key. The words in ``FRAGMENTS`` are what the person recording says for each key.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flows.results import When

LANG = "sw"
AND = "num.and"
UNITS = ("sifuri", "moja", "mbili", "tatu", "nne", "tano", "sita", "saba", "nane", "tisa", "kumi")
TENS = {20: "ishirini", 30: "thelathini", 40: "arobaini", 50: "hamsini"}
# CLDR's Swahili names (Babel's ``Locale("sw").days`` and ``.months``), as said.
WEEKDAYS = ("Jumatatu", "Jumanne", "Jumatano", "Alhamisi", "Ijumaa", "Jumamosi", "Jumapili")
MONTHS = (
    "Januari",
    "Februari",
    "Machi",
    "Aprili",
    "Mei",
    "Juni",
    "Julai",
    "Agosti",
    "Septemba",
    "Oktoba",
    "Novemba",
    "Desemba",
)
WEEKDAY_KEYS = ("day.mon", "day.tue", "day.wed", "day.thu", "day.fri", "day.sat", "day.sun")
DATE_DAY = "date.day"  # "tarehe", before the day of the month
HOUR = "time.hour"  # "saa", before the hour
QUARTER_PAST, HALF_PAST, QUARTER_TO, MINUTES = "time.quarter_past", "time.half_past", "time.quarter_to", "time.minutes"
MORNING, AFTERNOON, EVENING, NIGHT = "time.morning", "time.afternoon", "time.evening", "time.night"
# Which part of the day an hour (0–23, the clock's) is said in.
PERIODS = ((5, 12, MORNING), (12, 16, AFTERNOON), (16, 19, EVENING))


def _number_key(n: int) -> str:
    return f"num.{n}"


FRAGMENTS: dict[str, str] = {
    **{_number_key(n): word for n, word in enumerate(UNITS)},
    **{_number_key(n): word for n, word in TENS.items()},
    AND: "na",
    **dict(zip(WEEKDAY_KEYS, WEEKDAYS, strict=True)),
    **{f"month.{i:02d}": name for i, name in enumerate(MONTHS, 1)},
    DATE_DAY: "tarehe",
    HOUR: "saa",
    QUARTER_PAST: "na robo",
    HALF_PAST: "na nusu",
    QUARTER_TO: "kasoro robo",
    MINUTES: "na dakika",
    MORNING: "asubuhi",
    AFTERNOON: "mchana",
    EVENING: "jioni",
    NIGHT: "usiku",
}


def number(n: int) -> list[str]:
    """The keys that say ``n`` (0–59): ``25`` → ishirini, na, tano.

    Raises:
        ValueError: for a number the fragments cannot say.
    """
    if not 0 <= n < 60:
        raise ValueError(f"no Swahili fragments for {n}")
    if n <= 10:
        return [_number_key(n)]
    tens, unit = (n // 10) * 10, n % 10
    head = [_number_key(10)] if tens == 10 else [_number_key(tens)]
    return head if unit == 0 else [*head, AND, _number_key(unit)]


def swahili_hour(hour: int) -> int:
    """The clock's hour (0–23) counted from 6 o'clock: 7 → 1, 12 → 6, 18 → 12, 0 → 6."""
    return (hour - 6) % 12 or 12


def period(hour: int) -> str:
    """The part of the day of the clock's ``hour``: asubuhi, mchana, jioni or usiku."""
    return next((key for start, end, key in PERIODS if start <= hour < end), NIGHT)


def clock(moment: datetime) -> list[str]:
    """A local time in Swahili time: 18:00 → saa kumi na mbili jioni; 18:45 → saa moja kasoro robo jioni."""
    minute, hour = moment.minute, moment.hour
    if minute == 45:
        said = [HOUR, *number(swahili_hour((hour + 1) % 24)), QUARTER_TO]
    else:
        said = [HOUR, *number(swahili_hour(hour))]
        said += {0: [], 15: [QUARTER_PAST], 30: [HALF_PAST]}.get(minute, [MINUTES, *number(minute)])
    return [*said, period(hour)]


def when(value: When) -> list[str]:
    """A meeting's time in the circle's zone: weekday, tarehe and day, month, then the Swahili time."""
    local = value.at.astimezone(ZoneInfo(value.timezone))
    return [
        WEEKDAY_KEYS[local.weekday()],
        DATE_DAY,
        *number(local.day),
        f"month.{local.month:02d}",
        *clock(local),
    ]
