"""``circlebot facilitator add`` / ``organizer add``: who may sign in to the facilitator pages."""

from __future__ import annotations

import click

from bot.cli.base import now, runtime
from bot.domain import phone as phones


def _phone(raw: str, region: str) -> str:
    try:
        return phones.parse(raw, region)
    except phones.PhoneError as exc:
        raise click.UsageError(f"phone: {exc}") from exc


@click.group()
def facilitator() -> None:
    """Grant the facilitator role (they sign in to /facilitator with a code sent to their phone)."""


@facilitator.command("add")
@click.argument("phone")
@click.option("--name", help="how the pages greet them")
@click.option("--team", "team_name", help="the library system (team) whose organizers see their circles")
def facilitator_add(phone, name, team_name) -> None:
    """Makes the person at PHONE a facilitator (their circles are the ones they lead or co-facilitate)."""
    from bot.domain import roles

    rt = runtime()
    number = _phone(phone, rt.settings.default_region)
    with rt.uow() as session:
        roles.add_facilitator(session, number, now(), name=name, team_name=team_name)
        session.commit()
    team_note = f" in team {team_name.strip()}" if team_name else ""
    click.echo(
        f"{phones.mask(number)} is a facilitator{team_note}; they sign in at /facilitator with a code sent by text"
    )


@click.group()
def organizer() -> None:
    """Grant the organizer role: sees every circle of one team."""


@organizer.command("add")
@click.argument("phone")
@click.option("--team", "team_name", required=True, help="the library system (made if new)")
@click.option("--name", help="how the pages greet them")
def organizer_add(phone, team_name, name) -> None:
    """Makes the person at PHONE an organizer of TEAM: they see every circle of its facilitators."""
    from bot.domain import roles

    rt = runtime()
    number = _phone(phone, rt.settings.default_region)
    with rt.uow() as session:
        roles.add_organizer(session, number, team_name, now(), name=name)
        session.commit()
    click.echo(f"{phones.mask(number)} is an organizer of team {team_name.strip()}; they sign in at /facilitator")
