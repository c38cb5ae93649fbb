"""The recorded prompts a call's TwiML may play (issue 29): read once per voice request."""

from __future__ import annotations

from bot.domain import voice_prompts
from bot.render.voice_prompts import Recorded


def recorded(uow, settings) -> dict[str, Recorded]:
    """The recordings per language, with their URLs under ``PUBLIC_BASE_URL`` (empty when none)."""
    with uow() as session:
        return voice_prompts.recorded(session, settings.public_base_url)
