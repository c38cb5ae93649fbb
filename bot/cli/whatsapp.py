"""``circlebot whatsapp templates [--language L] | templates sync``: WhatsApp Content Templates (issue 28)."""

from __future__ import annotations

import click

from bot.cli.base import now, runtime
from bot.domain import whatsapp as domain
from bot.render import whatsapp as wording
from flows import languages

# WhatsApp's approval statuses, as the Content API reports them, in the four states the bot keeps.
STATES = {"approved": domain.APPROVED, "rejected": domain.REJECTED, "paused": domain.REJECTED}
STATES.update({"disabled": domain.REJECTED})


def _state(status: str) -> str:
    return STATES.get(status.lower(), domain.PENDING)


@click.group()
def whatsapp() -> None:
    """WhatsApp commands."""


@whatsapp.group("templates", invoke_without_command=True)
@click.option("--language", type=click.Choice(languages.SHIPPED), help="only the templates in this language")
@click.pass_context
def templates(ctx, language) -> None:
    """Lists the Content Templates the bot needs, per message and language, and each one's state
    (missing, pending, approved, rejected)."""
    ctx.ensure_object(dict)["language"] = language
    if ctx.invoked_subcommand is not None:
        return
    rt = runtime()
    with rt.uow() as session:
        rows = domain.needed(session, language)
    for name, lang, state, sid in rows:
        click.echo(f"{name:<32} {lang:<3} {state:<9} {sid or '-'}")


@templates.command("sync")
@click.pass_context
def sync(ctx) -> None:
    """Creates the missing templates (POST /v1/Content), asks WhatsApp to approve them, and records their
    HX sids and states; run again, it refreshes the states and creates nothing twice."""
    from bot.outbound.content_api import ContentApi, ContentApiError

    rt = runtime()
    if not rt.settings.twilio_enabled:
        raise click.ClickException("Twilio is not configured (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM)")
    api = ContentApi(rt.settings)
    language = (ctx.obj or {}).get("language")
    created = 0
    try:
        with rt.uow() as session:
            for name, lang, _, sid in domain.needed(session, language):
                content = wording.content(name, lang)
                category = wording.category(name)
                if sid is None:
                    sid = api.create(content)
                    created += 1
                    domain.record(session, name, lang, sid, domain.PENDING, now())
                    session.commit()  # the sid is kept before anything else can fail: never created twice
                    status = api.request_approval(sid, content["friendly_name"], category)
                else:
                    status = api.state(sid)
                    if status == "unsubmitted":
                        status = api.request_approval(sid, content["friendly_name"], category)
                domain.record(session, name, lang, sid, _state(status), now())
                session.commit()
                click.echo(f"{name:<32} {lang:<3} {_state(status):<9} {sid}")
    except ContentApiError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{created} template(s) created")
