"""Bringing a circle in from P2PU (learningcircles.p2pu.org): read one item of its public API and map it.

``fetch`` reads ``GET {P2PU_API_BASE}/api/learningcircles/?id=<id>`` (an item as P2PU's
``serialize_learning_circle`` makes it); ``plan_import`` turns it into a ``NewCircle`` or refuses it
(a draft, a finished circle, an online one, an unknown id); ``apply`` creates the circle or, when one
already carries that P2PU id, updates it through the same planners as an edit (``circle edit`` and
``meetings.reschedule``: learners are told once of a new schedule).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timezone
from urllib.parse import urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain import circles as ops
from bot.domain import meetings
from bot.domain.enrollments import EnrollmentStatus
from bot.domain.schedule import zone
from bot.settings import SHIPPED_LOCALES
from bot.store.models import Circle

DEFAULT_API_BASE = "https://learningcircles.p2pu.org"
TIMEOUT = 10.0  # seconds
# A signup URL ends in ``-<id>/`` (…/en/signup/plaza-branch-4321/); a studygroup URL in ``/studygroup/<id>/``.
_ID_AT_END = re.compile(r"(?:^|[-/])(\d{1,10})/?(?:[?#].*)?$")
# Zones for an offset and a country when there are no coordinates (the common ones; else UTC±N as Etc/GMT∓N).
_BY_COUNTRY_OFFSET = {
    ("US", -5 * 60): "America/New_York",
    ("US", -4 * 60): "America/New_York",
    ("US", -6 * 60): "America/Chicago",
    ("US", -7 * 60): "America/Denver",
    ("US", -8 * 60): "America/Los_Angeles",
    ("US", -9 * 60): "America/Anchorage",
    ("US", -10 * 60): "Pacific/Honolulu",
    ("CA", -5 * 60): "America/Toronto",
    ("CA", -6 * 60): "America/Winnipeg",
    ("CA", -7 * 60): "America/Edmonton",
    ("CA", -8 * 60): "America/Vancouver",
    ("KE", 3 * 60): "Africa/Nairobi",
    ("TZ", 3 * 60): "Africa/Dar_es_Salaam",
    ("UG", 3 * 60): "Africa/Kampala",
    ("ES", 60): "Europe/Madrid",
    ("ES", 120): "Europe/Madrid",
    ("FR", 60): "Europe/Paris",
    ("FR", 120): "Europe/Paris",
    ("PL", 60): "Europe/Warsaw",
    ("PL", 120): "Europe/Warsaw",
    ("PT", 0): "Europe/Lisbon",
    ("PT", 60): "Europe/Lisbon",
    ("BR", -3 * 60): "America/Sao_Paulo",
    ("MX", -6 * 60): "America/Mexico_City",
    ("GB", 0): "Europe/London",
    ("GB", 60): "Europe/London",
    ("DE", 60): "Europe/Berlin",
    ("DE", 120): "Europe/Berlin",
    ("ZA", 120): "Africa/Johannesburg",
    ("NG", 60): "Africa/Lagos",
    ("GH", 0): "Africa/Accra",
}
_COUNTRY_CODES = {
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "canada": "CA",
    "kenya": "KE",
    "tanzania": "TZ",
    "uganda": "UG",
    "spain": "ES",
    "france": "FR",
    "poland": "PL",
    "portugal": "PT",
    "brazil": "BR",
    "mexico": "MX",
    "united kingdom": "GB",
    "germany": "DE",
    "south africa": "ZA",
    "nigeria": "NG",
    "ghana": "GH",
}


class P2PUError(ValueError):
    """A P2PU circle that cannot be imported. ``reason``: unreachable, unknown, draft, finished, online,
    not_id (the text is no P2PU URL or id), invalid (the item lacks what a circle needs)."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Imported:
    """What an item becomes: the circle to make (or update) and what the librarian should check."""

    p2pu_id: int
    new: ops.NewCircle
    zone_from: str  # "coordinates" or "offset"
    url: str | None = None
    notes: list[str] = field(default_factory=list)
    # P2PU's language code when circlebot does not ship it (the circle is then in English).
    unshipped_language: str | None = None


def parse_id(text: str) -> int:
    """The P2PU id in a signup URL, a studygroup URL or a bare id.

    Raises:
        P2PUError: nothing in ``text`` is an id.
    """
    text = (text or "").strip()
    found = _ID_AT_END.search(text)
    if not text or found is None:
        raise P2PUError(
            f"{text!r} is not a P2PU learning circle: give its signup URL "
            "(https://learningcircles.p2pu.org/en/signup/plaza-branch-4321/) or its number (4321)",
            "not_id",
        )
    return int(found.group(1))


def fetch(api_base: str | None, p2pu_id: int, timeout: float = TIMEOUT) -> dict:
    """The item for ``p2pu_id`` from P2PU's public API.

    Raises:
        P2PUError: the API cannot be reached or answers nonsense (``unreachable``), or has no such id (``unknown``).
    """
    base = (api_base or DEFAULT_API_BASE).rstrip("/")
    url = f"{base}/api/learningcircles/?{urlencode({'id': p2pu_id})}"
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "circlebot"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) from settings)
            body = json.loads(response.read(2_000_000).decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise P2PUError(f"P2PU has no learning circle {p2pu_id}", "unknown") from exc
        raise P2PUError(f"P2PU's site answered {exc.code} at {base}; try again later", "unreachable") from exc
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as exc:
        raise P2PUError(f"P2PU's site cannot be reached at {base} ({exc}); try again later", "unreachable") from exc
    items = body.get("items") if isinstance(body, dict) else None
    if not isinstance(items, list):
        raise P2PUError(f"P2PU's site at {base} did not answer with learning circles", "unreachable")
    for item in items:
        if isinstance(item, dict) and item.get("id") == p2pu_id:
            return item
    raise P2PUError(f"P2PU has no learning circle {p2pu_id}", "unknown")


def plan_import(item: dict, today: date, facilitator_phone: str = "", code: str | None = None) -> Imported:
    """Maps one P2PU item onto a new circle, or refuses it.

    Args:
        item: the item as ``serialize_learning_circle`` makes it.
        today: today's date (the circle's last meeting must not be before it).
        facilitator_phone: the facilitator's phone, as typed (may be empty).
        code: a join code to use instead of a random one.

    Raises:
        P2PUError: a draft, a finished circle, an online circle (no venue), or an item lacking what a circle needs.
    """
    p2pu_id = int(item["id"])
    name = str(item.get("name") or "").strip()
    if item.get("draft"):
        raise P2PUError(
            f"P2PU learning circle {p2pu_id} ({name}) is a draft: publish it on P2PU first, then import it", "draft"
        )
    venue = str(item.get("venue") or "").strip()
    if item.get("online") or not venue:
        raise P2PUError(
            f"P2PU learning circle {p2pu_id} ({name}) meets online, with no venue: circlebot is for circles "
            "that meet in a place",
            "online",
        )
    try:
        first = date.fromisoformat(str(item["start_date"])[:10])
        last = date.fromisoformat(str(item.get("last_meeting_date") or item["start_date"])[:10])
        at = time.fromisoformat(str(item["meeting_time"])[:8])
        weeks = int(item.get("weeks") or 0)
    except (KeyError, TypeError, ValueError) as exc:
        raise P2PUError(f"P2PU learning circle {p2pu_id} has no usable date, time or weeks", "invalid") from exc
    if item.get("status") == "completed" or last < today:
        raise P2PUError(
            f"P2PU learning circle {p2pu_id} ({name}) finished on {ops.local_date(last)}: nothing left to remind",
            "finished",
        )
    notes = []
    tz_name, zone_from = time_zone(item)
    language = str(item.get("language") or "en").split("-")[0].lower()
    unshipped = None
    if language not in SHIPPED_LOCALES:
        unshipped = str(item.get("language"))
        notes.append(
            f"P2PU's language {item.get('language')!r} is not one circlebot ships ({', '.join(SHIPPED_LOCALES)}): "
            "learners are texted in English"
        )
        language = "en"
    if len(name) > ops.NAME_MAX:
        notes.append(f"the name is cut to {ops.NAME_MAX} characters (learners see it in every text)")
        name = name[: ops.NAME_MAX].rstrip()
    if len(venue) > ops.VENUE_MAX:
        notes.append(f"the venue is cut to {ops.VENUE_MAX} characters")
        venue = venue[: ops.VENUE_MAX].rstrip()
    limit = item.get("signup_limit")
    capacity = int(limit) if isinstance(limit, int) and 1 <= limit <= 500 else 12
    if capacity == 12 and limit not in (None, 12):
        notes.append("P2PU sets no usable signup limit: 12 places")
    course = item.get("course") or {}
    city = str(item.get("city") or "").strip() or None
    new = ops.NewCircle(
        name=name,
        venue=venue,
        weekday=first.weekday(),
        start_time=at.replace(second=0, microsecond=0),
        timezone=tz_name,
        starts=first,
        weeks=max(1, min(weeks, 52)),
        language=language,
        facilitator_phone=facilitator_phone,
        capacity=capacity,
        city=city[:60] if city else None,
        course=(str(course.get("title") or "").strip()[:120] or None),
        course_url=_link(course.get("link")),
        code=code,
    )
    return Imported(
        p2pu_id=p2pu_id, new=new, zone_from=zone_from, url=item.get("url"), notes=notes, unshipped_language=unshipped
    )


def time_zone(item: dict) -> tuple[str, str]:
    """The IANA zone of an item: from its coordinates (tzfpy, offline), else from ``start_datetime``'s offset
    and the country. Returns ``(zone, "coordinates" | "offset")``."""
    lat, lng = item.get("latitude"), item.get("longitude")
    if lat not in (None, "") and lng not in (None, ""):
        try:
            from tzfpy import get_tz

            found = get_tz(float(lng), float(lat))
            if found:
                zone(found)
                return found, "coordinates"
        except Exception:  # noqa: BLE001 (a point tzfpy cannot place, or a zone zoneinfo lacks: use the offset)
            pass
    return _from_offset(item), "offset"


def _from_offset(item: dict) -> str:
    try:
        moment = datetime.fromisoformat(str(item["start_datetime"]))
    except (KeyError, ValueError) as exc:
        raise P2PUError(f"P2PU learning circle {item.get('id')} has no place or time zone", "invalid") from exc
    offset = moment.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    country = str(item.get("country") or "").strip()
    cc = _COUNTRY_CODES.get(country.lower(), country.upper() if len(country) == 2 else "")
    if (cc, minutes) in _BY_COUNTRY_OFFSET:
        return _BY_COUNTRY_OFFSET[(cc, minutes)]
    if minutes % 60 == 0 and -12 <= minutes // 60 <= 14:
        hours = minutes // 60
        return "Etc/UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"
    return "Etc/UTC"


def _link(value) -> str | None:
    text = str(value or "").strip()
    return text[:300] if text.startswith(("https://", "http://")) else None


def existing(session: Session, p2pu_id: int) -> Circle | None:
    """The circle already imported from ``p2pu_id``, or None."""
    return session.scalar(select(Circle).where(Circle.p2pu_id == p2pu_id))


@dataclass
class Applied:
    """What ``apply`` did: the circle, whether it is new, what changed, and the rows to queue after commit."""

    circle: Circle
    created: bool
    changed: list[str] = field(default_factory=list)
    planned: list = field(default_factory=list)


def apply(session: Session, settings, imported: Imported, now: datetime) -> Applied:
    """Creates the circle, or updates the one with this P2PU id (details as ``circle edit``, the schedule as
    the pages' edit: ``meetings.reschedule``, learners told once). Flushes, does not commit.

    Raises:
        CircleError / ScheduleError: a value circlebot cannot use.
    """
    new = imported.new
    found = existing(session, imported.p2pu_id)
    if found is None:
        created = ops.create_circle(session, new, now, region=settings.default_region)
        created.p2pu_id = imported.p2pu_id
        session.flush()
        return Applied(created, True)
    details = {
        "name": new.name,
        "venue": new.venue,
        "course": new.course,
        "course_url": new.course_url,
        "city": new.city,
        "language": new.language,
        "capacity": max(new.capacity, ops.counts(session, found.id).get(EnrollmentStatus.ACTIVE, 0)),
    }
    if new.facilitator_phone:
        details["facilitator_phone"] = new.facilitator_phone
    changed = ops.edit_circle(session, found, details, now, region=settings.default_region)
    done = None
    if _schedule_differs(found, new):
        done = meetings.reschedule(
            session, settings, found, new.weekday, new.start_time, new.timezone, new.starts, new.weeks, now
        )
        changed.append("schedule")
    return Applied(found, False, changed, done.planned if done else [])


def _schedule_differs(found: Circle, new: ops.NewCircle) -> bool:
    return (found.weekday, found.start_time, found.timezone, found.starts_on, found.weeks) != (
        new.weekday,
        new.start_time,
        new.timezone,
        new.starts,
        new.weeks,
    )


def first_meeting_utc(imported: Imported) -> datetime:
    """The first meeting's start in UTC (for the preview)."""
    new = imported.new
    return datetime.combine(new.starts, new.start_time, tzinfo=zone(new.timezone)).astimezone(timezone.utc)


def without_facilitator(imported: Imported) -> Imported:
    """The same import with no facilitator (``circle import`` without ``--facilitator-phone``)."""
    return replace(imported, new=replace(imported.new, without_facilitator=True))


def for_facilitator(imported: Imported, facilitator_id: int) -> Imported:
    """The same import made for a signed-in facilitator (the pages)."""
    return replace(imported, new=replace(imported.new, facilitator_id=facilitator_id))
