"""``circlebot circle import URL_OR_ID``: a circle from P2PU's public API, created or updated (exit 2 if refused)."""

from __future__ import annotations

import json

import click

from bot.cli.base import now, runtime
from bot.domain import circles as ops
from bot.domain import p2pu
from bot.domain.schedule import ScheduleError


class Refused(click.ClickException):
    """A circle that cannot be imported: the reason on stderr, exit 2 (as a usage error)."""

    exit_code = 2


@click.command("import")
@click.argument("url_or_id")
@click.option("--facilitator-phone", help="the facilitator's phone, as you would dial it (else set it later)")
@click.option("--code", help="a join code to use instead of a random one (a new circle only)")
@click.option("--json", "as_json", is_flag=True, help="print the circle as circle show --json does")
def circle_import(url_or_id, facilitator_phone, code, as_json) -> None:
    """Creates a circle from P2PU (learningcircles.p2pu.org): its signup URL, studygroup URL or number.

    Importing the same P2PU circle again updates it (venue, time, weeks…); learners are told of a new
    schedule once. A draft, a finished circle, an online circle or an unknown number is refused (exit 2).
    """
    moment = now()
    rt = runtime()
    try:
        p2pu_id = p2pu.parse_id(url_or_id)
        item = p2pu.fetch(rt.settings.p2pu_api_base, p2pu_id)
        imported = p2pu.plan_import(item, moment.date(), facilitator_phone or "", code)
    except p2pu.P2PUError as exc:
        raise Refused(str(exc)) from exc
    if not facilitator_phone:
        imported = p2pu.without_facilitator(imported)
    try:
        with rt.uow() as session:
            done = p2pu.apply(session, rt.settings, imported, moment)
            info = ops.summary(session, done.circle)
            info["p2pu_id"] = p2pu_id
            session.commit()
    except (ops.CircleError, ScheduleError) as exc:
        raise Refused(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(info))
        return
    new = imported.new
    where = "from its place on the map" if imported.zone_from == "coordinates" else "from its UTC offset and country"
    if done.created:
        click.echo(f"Imported P2PU learning circle {p2pu_id} as {info['code']}, {info['name']}.")
    elif done.changed:
        click.echo(f"Updated {info['code']} from P2PU learning circle {p2pu_id}: changed {', '.join(done.changed)}.")
        if done.planned:
            click.echo(f"{ops.plural(len(done.planned), 'text', 'texts')} queued for its learners.")
    else:
        click.echo(f"{info['code']} is already up to date with P2PU learning circle {p2pu_id}.")
    click.echo(f"  venue        {new.venue}{', ' + new.city if new.city else ''}")
    if new.course:
        click.echo(f"  course       {new.course}{' (' + new.course_url + ')' if new.course_url else ''}")
    click.echo(f"  time zone    {new.timezone} ({where}; correct it with the pages' edit form if wrong)")
    click.echo(
        f"  meetings     {ops.plural(len(info['meetings']), 'meeting', 'meetings')} on "
        f"{ops.WEEKDAY_NAMES[new.weekday]}s at {new.start_time:%H:%M}"
    )
    click.echo(f"  language     {new.language}; {ops.plural(info['capacity'], 'place', 'places')}")
    for note in imported.notes:
        click.echo(f"Note: {note}")
    if done.created:
        click.echo(f"Learners join by texting JOIN {info['code']}.")
