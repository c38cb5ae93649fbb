"""The ``circlebot`` command (DESIGN.md §2): one module per concern, joined here.

- ``circles``: ``circle create|list|show|edit|archive``; ``p2pu``: ``circle import``
- ``meetings``: ``meeting move|cancel|restore``
- ``exports``: ``export``
- ``roles``: ``facilitator add``, ``organizer add``
- ``learners``: ``learner add`` (texts, or ``--landline`` for calls)
- ``processes``: ``db upgrade``, ``web``, ``worker``, ``demo``, ``segments``
- ``telegram``: ``telegram set-webhook|info``
- ``whatsapp``: ``whatsapp templates [--language L]``, ``whatsapp templates sync``
- ``voice_prompts``: ``voice prompts list|import|record`` (recorded prompts, issue 29)
"""

from __future__ import annotations

import logging
import os

import click

from bot import logmask


@click.group()
def main() -> None:
    """circlebot: learning circles by text, Telegram and phone.

    Times are shown in each circle's local time; --json output keeps ISO-8601 UTC.
    """
    logmask.install()  # before anything logs: every record, twilio's request lines included, is masked
    logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"), format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)


from bot.cli import circles, exports, learners, meetings, p2pu, processes, roles, telegram, whatsapp  # noqa: E402  (they need ``main`` defined)
from bot.cli.voice_prompts import voice  # noqa: E402

circles.circle.add_command(p2pu.circle_import)
main.add_command(circles.circle)
main.add_command(meetings.meeting)
main.add_command(exports.export_circle)
main.add_command(roles.facilitator)
main.add_command(learners.learner)
main.add_command(roles.organizer)
main.add_command(telegram.telegram)
main.add_command(whatsapp.whatsapp)
main.add_command(voice)
for command in processes.COMMANDS:
    main.add_command(command)
