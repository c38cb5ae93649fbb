"""Time zones as people type them: "Central", "Eastern time", "CST", "america/chicago", "Nairobi" → an IANA
name."""

from __future__ import annotations

from zoneinfo import available_timezones

# The everyday names (and abbreviations) of the US and Canadian zones, folded: "Central", "Central Time",
# "Central Standard Time", "CST", "CDT" and "CT" all mean America/Chicago.
FRIENDLY = {
    "atlantic": "America/Halifax",
    "eastern": "America/New_York",
    "central": "America/Chicago",
    "mountain": "America/Denver",
    "arizona": "America/Phoenix",
    "pacific": "America/Los_Angeles",
    "alaska": "America/Anchorage",
    "hawaii": "Pacific/Honolulu",
    "newfoundland": "America/St_Johns",
}
ABBREVIATIONS = {
    "a": "atlantic",
    "e": "eastern",
    "c": "central",
    "m": "mountain",
    "p": "pacific",
    "ak": "alaska",
    "h": "hawaii",
    "n": "newfoundland",
}
WORDS = ("standard time", "daylight time", "time zone", "time", "(us)", "(usa)", "us", "usa", "zone")


def resolve(typed: str) -> str | None:
    """The IANA zone ``typed`` names, or None. An IANA name in any letter case is itself; an everyday
    US/Canadian name (``Central``, ``Pacific Time``) or abbreviation (``CST``, ``PDT``, ``ET``) is its
    zone's main city; a zone's city alone (``Nairobi``, ``new york``, ``Sao Paulo time``) is that zone."""
    text = " ".join((typed or "").split())
    if not text:
        return None
    folded = text.casefold().replace("-", " ")
    stripped = True
    while stripped:
        stripped = False
        for word in WORDS:
            if folded.endswith(" " + word):
                folded, stripped = folded[: -len(word) - 1].strip(), True
    if folded in FRIENDLY:
        return FRIENDLY[folded]
    if len(folded) in (2, 3, 4) and folded.endswith("t"):  # CT, CST, CDT, AKST: before IANA's own EST, HST
        stem = folded[:-1]
        if len(stem) >= 2 and stem[-1] in "sd":
            stem = stem[:-1]
        if stem in ABBREVIATIONS:
            return FRIENDLY[ABBREVIATIONS[stem]]
    return _by_folded().get(text.casefold()) or _by_city().get(folded)


_KNOWN: dict[str, str] = {}
_CITIES: dict[str, str] = {}


def _by_folded() -> dict[str, str]:
    if not _KNOWN:
        _KNOWN.update({z.casefold(): z for z in available_timezones()})
    return _KNOWN


def _by_city() -> dict[str, str]:
    """A zone's last part, folded as ``resolve`` folds what was typed ("Sao_Paulo" → "sao paulo"). Where
    names share a city (a link and its zone: ``America/Indianapolis``, ``America/Indiana/Indianapolis``),
    the shorter name is kept: both keep the same time."""
    if not _CITIES:
        for name in sorted(available_timezones(), key=lambda z: (len(z), z)):
            if "/" not in name or name.startswith(("Etc/", "SystemV/", "posix/", "right/")):
                continue
            city = name.rsplit("/", 1)[1].casefold().replace("_", " ").replace("-", " ")
            _CITIES.setdefault(city, name)
    return _CITIES
