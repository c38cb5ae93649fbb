"""A circle's meetings as an iCalendar file (RFC 5545), written with the ``icalendar`` package.

One ``VEVENT`` per meeting: its time in the circle's zone (with the ``VTIMEZONE`` it needs), the venue as
``LOCATION``, the dial-in line in ``DESCRIPTION``, and ``STATUS:CANCELLED`` for a cancelled meeting, so a
calendar that imported the file before shows it struck through when the file is imported again (the
``UID`` of a meeting never changes; its ``SEQUENCE`` grows when it is moved or cancelled).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from bot.domain.schedule import MeetingStatus, zone
from bot.render import i18n
from bot.render.texts import N_
from bot.store.models import Circle

PRODID = "-//circlebot//learning circle meetings//EN"
DEFAULT_LENGTH = timedelta(minutes=90)  # a meeting whose end is unknown
DIAL_IN = N_("Join by phone: call %(number)s, type %(phone_code)s, then press #.")
TEXT_JOIN = N_("Text JOIN %(code)s to %(number)s")


def ics(circle: Circle, number: str | None, base_url: str, now: datetime) -> bytes:
    """The calendar of ``circle``'s meetings; ``number`` is the bot's line as people dial it (or None)."""
    tz = zone(circle.timezone)
    host = urlsplit(base_url).hostname or "circlebot"
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{circle.name} ({circle.code})")
    cal.add("x-wr-timezone", circle.timezone)
    place = ", ".join(p for p in (circle.venue, circle.city, circle.postal_code) if p)
    lines = []
    if number:
        lines.append(i18n.gettext(TEXT_JOIN, circle.language) % {"code": circle.code, "number": number})
        lines.append(i18n.gettext(DIAL_IN, circle.language) % {"number": number, "phone_code": circle.phone_code})
    if circle.course_url:
        lines.append(circle.course_url)
    for m in circle.meetings:
        event = Event()
        event.add("uid", f"meeting-{m.id}-{circle.code.lower()}@{host}")
        event.add("dtstamp", now)
        event.add("summary", f"{circle.name} · {m.seq}/{len(circle.meetings)}")
        event.add("dtstart", m.starts_at.astimezone(tz))
        event.add("dtend", (m.ends_at or m.starts_at + DEFAULT_LENGTH).astimezone(tz))
        event.add("location", place)
        if lines:
            event.add("description", "\n".join(lines))
        cancelled = m.status == MeetingStatus.CANCELLED
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        event.add("sequence", 0 if m.status == MeetingStatus.SCHEDULED else 1)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


def filename(circle: Circle) -> str:
    """``kc42.ics``: the download's and the CLI's default name."""
    return f"{circle.code.lower()}.ics"
