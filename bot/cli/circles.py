"""``circlebot circle create|list|show|edit|archive``: human output in the circle's local time."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta

import click
from sqlalchemy import select

from bot.cli.base import find_circle, now, runtime
from bot.domain import circles as ops
from bot.domain import standing_view, zones
from bot.domain.schedule import ScheduleError, iso_utc, weekday_number, weekly_meetings, zone
from bot.store.models import Circle
from flows import standing


@click.group()
def circle() -> None:
    """Create, list, show, edit and archive circles."""


@circle.command("create")
@click.option("--name", required=True, help="what learners see, up to 40 characters")
@click.option("--venue", required=True, help="where it meets, up to 40 characters")
@click.option("--weekday", required=True, help="mon..sun")
@click.option("--time", "start_time", required=True, help="HH:MM, local to --timezone (18:30 is 6:30 PM)")
@click.option(
    "--timezone",
    "tz",
    required=True,
    help="a zone (America/Chicago), its city (Nairobi) or its everyday name (Central, CST)",
)
@click.option("--starts", help="YYYY-MM-DD, on the meeting weekday [default: the next one]")
@click.option("--weeks", required=True, type=int)
@click.option("--language", required=True, help="en, es, fr, pt, pl or sw")
@click.option(
    "--facilitator-phone",
    required=True,
    help="as you would dial it, e.g. (816) 555-0199, or +44 20 7946 0958 (region: DEFAULT_REGION)",
)
@click.option("--capacity", type=int, default=12, show_default=True)
@click.option("--city")
@click.option("--postal-code")
@click.option("--course")
@click.option("--code", help="a join code to use instead of a random one")
@click.option("--json", "as_json", is_flag=True, help="print JSON (times in ISO-8601 UTC)")
def circle_create(
    name,
    venue,
    weekday,
    start_time,
    tz,
    starts,
    weeks,
    language,
    facilitator_phone,
    capacity,
    city,
    postal_code,
    course,
    code,
    as_json,
) -> None:
    """Creates a circle with its weekly meetings and prints its join code.

    A start date in the past, or one that is not on the meeting weekday, is refused with the date
    to use instead.
    """
    moment = now()
    typed, tz = tz, zones.resolve(tz) or tz  # "Nairobi", "Central", "CST" → the zone's own name
    try:
        zone(tz)
    except ScheduleError as exc:
        raise click.UsageError(
            f"unknown time zone {typed!r}: use the name of a zone, like America/Chicago, "
            "America/New_York, Europe/Madrid or Africa/Nairobi, or its city (Chicago, Nairobi)"
        ) from exc
    try:
        day = weekday_number(weekday)
        at = _parse_time(start_time)
        new = ops.NewCircle(
            name=name,
            venue=venue,
            weekday=day,
            start_time=at,
            timezone=tz,
            starts=_parse_date(starts) if starts else _next_start(day, at, tz, moment),
            weeks=weeks,
            language=language,
            facilitator_phone=facilitator_phone,
            capacity=capacity,
            city=city,
            postal_code=postal_code,
            course=course,
            code=code,
        )
        ops.check_start(new, moment)
        rt = runtime()
        with rt.uow() as session:
            created = ops.create_circle(session, new, moment, region=rt.settings.default_region)
            info = {
                "id": created.id,
                "code": created.code,
                "phone_code": created.phone_code,
                "facilitator_pin": created.facilitator_pin,
                "meetings": [iso_utc(m.starts_at) for m in created.meetings],
            }
            starts_at = [m.starts_at for m in created.meetings]
            session.commit()
    except (ops.CircleError, ScheduleError) as exc:
        raise click.UsageError(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(info))
        return
    click.echo(f"Created circle {info['code']}, {name.strip()} (phone code {info['phone_code']}).")
    click.echo(f"{ops.plural(len(starts_at), 'meeting', 'meetings')} on {ops.WEEKDAY_NAMES[day]}s, in {tz} time:")
    click.echo(f"  first  {ops.local_time(starts_at[0], tz)}")
    if len(starts_at) > 1:
        click.echo(f"  last   {ops.local_time(starts_at[-1], tz)}")
    click.echo(f"Learners join by texting JOIN {info['code']}.")


@circle.command("list")
@click.option("--all", "include_archived", is_flag=True, help="include archived circles")
def circle_list(include_archived) -> None:
    """Lists the circles (archived ones only with --all), with places taken and the next meeting."""
    rt = runtime()
    with rt.uow() as session:
        rows = ops.listing(session, now(), include_archived)
        listed = select(Circle).where(Circle.code.in_([row["code"] for row in rows]))
        ended = {c.code for c in session.scalars(listed) if standing_view.circle(c, now())}
    if not rows:
        click.echo("No circles yet. Create one with: circlebot circle create --help")
        return
    click.echo(f"{'CODE':8} {'NAME':40} {'PLACES TAKEN':13} {'WAITLIST':8}  NEXT MEETING")
    for row in rows:
        nxt = ops.local_time(row["next_meeting"], row["timezone"]) if row["next_meeting"] else "none ahead"
        nxt = "ended" if not row["next_meeting"] and row["code"] in ended else nxt
        taken = f"{row['enrolled']} of {row['capacity']}"
        archived = "  (archived)" if row["archived"] else ""
        click.echo(f"{row['code']:8} {row['name']:40} {taken:13} {row['waitlisted']:<8}  {nxt}{archived}")


@circle.command("show")
@click.argument("code")
@click.option("--json", "as_json", is_flag=True, help="print JSON (times in ISO-8601 UTC)")
def circle_show(code, as_json) -> None:
    """Shows one circle: places, waitlist and every meeting in the circle's local time."""
    rt = runtime()
    with rt.uow() as session:
        found = find_circle(session, code)
        info = ops.summary(session, found)
        moment = now()
        # "over": its time has passed, shown as "held"; ``status`` stays as stored, ``held`` is its conference call
        for m, stored in zip(info["meetings"], found.meetings, strict=True):
            m["over"] = standing_view.meeting(stored, moment) == standing.HELD
        info["ended"] = standing_view.circle(found, moment)
        where = ", ".join(x for x in (found.venue, found.city, found.postal_code) if x)
        facilitator = ops.facilitator_phone(session, found.facilitator) or "none"
    if as_json:
        click.echo(json.dumps(info))
        return
    tz = info["timezone"]
    ended = "  (ended)" if info["ended"] else ""
    click.echo(f"{info['code']}  {info['name']}{'  (archived)' if info['archived'] else ''}{ended}")
    click.echo(f"  where        {where}")
    click.echo(f"  language     {info['language']}")
    click.echo(
        f"  places       {places(info['enrolled'], info['capacity'])}; "
        f"{ops.plural(info['waitlisted'], 'learner', 'learners')} on the waitlist"
    )
    click.echo(f"  facilitator  {facilitator}")
    click.echo(f"  phone code   {info['phone_code']} (callers type it to join the conference call)")
    if info.get("facilitator_pin"):
        click.echo(f"  facilitator  PIN {info['facilitator_pin']} (from another phone: code * PIN #)")
    click.echo(f"  meetings     in {tz} time")
    for m in info["meetings"]:
        moment = datetime.fromisoformat(m["starts_at"].replace("Z", "+00:00"))
        click.echo(
            f"    #{m['seq']:<2} {ops.local_time(moment, tz):42} {'held' if m['over'] else m['status']:10} "
            f"{m['yes']} coming, {m['no']} not"
            + (f", held by phone ({ops.plural(m['held']['callers'], 'caller', 'callers')})" if m.get("held") else "")
        )


@circle.command("edit")
@click.argument("code")
@click.option("--name")
@click.option("--venue")
@click.option("--course")
@click.option("--city")
@click.option("--postal-code")
@click.option("--language")
@click.option("--capacity", type=int)
@click.option("--facilitator-phone", help="the new facilitator's phone, as you would dial it")
def circle_edit(code, **changes) -> None:
    """Changes a circle's details. Meeting times change one at a time: circlebot meeting move."""
    if all(v is None for v in changes.values()):
        raise click.UsageError('say what to change, e.g. --venue "Central Library, Room 3" (see --help)')
    rt = runtime()
    with rt.uow() as session:
        found = find_circle(session, code)
        code = found.code
        try:
            changed = ops.edit_circle(session, found, changes, now(), region=rt.settings.default_region)
        except ops.CircleError as exc:
            raise click.UsageError(str(exc)) from exc
        waiting = ops.counts(session, found.id).get("waitlist", 0)
        session.commit()
    if not changed:
        click.echo(f"{code}: nothing changed (the values were already so)")
        return
    click.echo(f"{code}: changed {', '.join(c.replace('_', ' ') for c in changed)}")
    if "capacity" in changed and waiting:
        click.echo(
            f"Note: {ops.plural(waiting, 'learner is', 'learners are')} on the waitlist; "
            "they are not moved up on their own."
        )


@circle.command("archive")
@click.argument("code")
@click.option("--undo", is_flag=True, help="bring an archived circle back")
def circle_archive(code, undo) -> None:
    """Archives a finished circle: it leaves circle list and FIND; its data stays for export."""
    rt = runtime()
    with rt.uow() as session:
        found = find_circle(session, code)
        code = found.code
        try:
            if undo:
                ops.unarchive(session, found)
            else:
                ops.archive(session, found, now())
        except ops.CircleError as exc:
            raise click.UsageError(str(exc)) from exc
        session.commit()
    if undo:
        click.echo(f"{code} is back in circle list and FIND")
    else:
        click.echo(
            f"Archived {code}: it no longer shows in circle list or FIND. Its data stays: "
            f"circlebot export {code}; circlebot circle list --all shows it."
        )


def places(enrolled: int, capacity: int) -> str:
    """``1 of 12 places is taken``, ``3 of 12 places are taken``, ``1 of 1 place is taken``."""
    noun = "place" if capacity == 1 else "places"
    return f"{enrolled} of {capacity} {noun} {'is' if enrolled == 1 else 'are'} taken"


def _next_start(weekday: int, at: time, tz: str, moment: datetime) -> date:
    day = ops.next_weekday(weekday, tz, moment)
    if weekly_meetings(day, weekday, at, tz, 1)[0][0] <= moment:
        day += timedelta(weeks=1)
    return day


def _parse_time(text: str) -> time:
    try:
        return datetime.strptime(text.strip(), "%H:%M").time()
    except ValueError as exc:
        raise click.BadParameter(
            f"the time must be HH:MM on a 24-hour clock (18:30 for 6:30 PM), got {text!r}", param_hint="--time"
        ) from exc


def _parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise click.BadParameter(
            f"the date must be YYYY-MM-DD (2026-12-01), got {text!r}", param_hint="--starts"
        ) from exc
