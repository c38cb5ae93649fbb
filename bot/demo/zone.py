"""The demo's time zone: the visitor's, so the seeded circle meets at a waking hour where they are.

The default is the machine's local zone: the ``TZ`` environment variable when it names a zone, else
the system's (``/etc/localtime``, ``/etc/timezone``), else ``FALLBACK``. The simulator page shows it and
can change it (which seeds the demo again); the choice is kept in the instance folder.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

ZONE_FILE = "demo-zone.json"
FALLBACK = "America/Chicago"
# The first meeting starts between these local hours, so its 2-hour tally and its reminder fall outside
# the default quiet hours (21:00-08:00) and the check-in after it is sent the same evening or morning.
EARLIEST, LATEST = 10, 19
# Zones the page offers first (any IANA name can be typed).
SUGGESTED = (
    "America/Los_Angeles",
    "America/Chicago",
    "America/New_York",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Paris",
    "Europe/Warsaw",
    "Africa/Nairobi",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
    "UTC",
)


def valid(name: str | None) -> str | None:
    """``name`` when it is an IANA zone this machine knows, else None."""
    name = (name or "").strip().lstrip(":")
    if not name or len(name) > 64 or name.startswith("/") or ".." in name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def machine_zone(environ=os.environ) -> str:
    """The machine's local zone: ``TZ``, else the system's, else ``FALLBACK``."""
    named = valid(environ.get("TZ"))
    if named:
        return named
    try:
        target = os.path.realpath("/etc/localtime")
        if "/zoneinfo/" in target and valid(target.split("/zoneinfo/", 1)[1]):
            return target.split("/zoneinfo/", 1)[1]
    except OSError:
        pass
    try:
        with open("/etc/timezone", encoding="utf-8") as fp:
            named = valid(fp.read())
        if named:
            return named
    except OSError:
        pass
    return FALLBACK


def chosen(instance_path: str | None, environ=os.environ) -> str:
    """The zone picked on the page for this instance, else the machine's."""
    if instance_path:
        try:
            with open(os.path.join(instance_path, ZONE_FILE), encoding="utf-8") as fp:
                named = valid(json.load(fp).get("timezone"))
            if named:
                return named
        except (OSError, ValueError, AttributeError):
            pass
    return machine_zone(environ)


def choose(instance_path: str, name: str) -> None:
    """Keeps ``name`` (already ``valid``) as this instance's demo zone."""
    os.makedirs(instance_path, exist_ok=True)
    with open(os.path.join(instance_path, ZONE_FILE), "w", encoding="utf-8") as fp:
        json.dump({"timezone": name}, fp)


def first_meeting(now: datetime, name: str) -> datetime:
    """When the demo circle first meets: about three hours from ``now``, on the hour, between ``EARLIEST``
    and ``LATEST`` o'clock local time (else at ``EARLIEST`` the next morning, or this morning)."""
    tz = ZoneInfo(name)
    local = now.astimezone(tz)
    candidate = (local + timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    if candidate.date() == local.date() and EARLIEST <= candidate.hour <= LATEST:
        return candidate
    day = (
        local.date() if candidate.date() == local.date() and candidate.hour < EARLIEST else local.date() + timedelta(1)
    )
    return datetime.combine(day, time(EARLIEST), tzinfo=tz)


def all_zones() -> list[str]:
    """Every zone name this machine knows, sorted (for the page's list)."""
    return sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/")))
