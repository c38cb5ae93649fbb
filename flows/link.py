"""LINK: one person, two channels. A learner asks on one address for a code and says it on another.

    LINK (on SMS) ──▶ LINK_CODE "123456, 10 minutes"  (IssueLinkCode)
    123456 (on Telegram) ──match──▶ LINK_DONE + where should reminders go?  (LinkAddress)  ──▶ ASK_PREFERRED
                         ──wrong / locked / busy──▶ LINK_WRONG / LINK_LOCKED / LINK_BUSY
    ASK_PREFERRED ──1 or 2──▶ LINK_PREFERRED  (SetPreferred)

Opt-out stays per address: STOP on one leaves the other working.
"""

from __future__ import annotations

import enum
from typing import TypedDict, cast

from flows import keys, keywords
from flows.context import Context
from flows.inbound import Inbound
from flows.results import MENU, Choice, Choices, IssueLinkCode, LinkAddress, Reply, Result, SetPreferred, StateDict

FLOW = "link"
MINUTES = 10
CHANNEL_NAMES = {"sms": "SMS", "whatsapp": "WhatsApp", "telegram": "Telegram", "voice": "Phone", "simulator": "SMS"}
COMMAND = {keywords.LINK: keywords.COMMANDS[keywords.LINK]}


class State(str, enum.Enum):
    """The one step after a match."""

    ASK_PREFERRED = "ask_preferred"


class LinkState(TypedDict):
    """The stored state: the channels offered, in menu order."""

    flow: str
    step: str
    channels: list[str]


def is_code(inbound: Inbound) -> bool:
    """True when the text is a lone 6-digit code."""
    return keywords.is_link_code(inbound.text)


def handle(inbound: Inbound, ctx: Context) -> Result | None:
    """LINK gives a code; a lone code links; None when the text is neither."""
    if ctx.link is None:
        return None
    found = keywords.command(inbound.text, COMMAND)
    if found is not None and not found[2]:
        return Result(
            None,
            (Reply(keys.LINK_CODE, {"code": ctx.link.new_code, "minutes": MINUTES}),),
            (IssueLinkCode(ctx.link.new_code),),
        )
    if not is_code(inbound) or ctx.link.attempt is None:
        return None
    if ctx.link.attempt != "match":
        key = {"locked": keys.LINK_LOCKED, "busy": keys.LINK_BUSY}.get(ctx.link.attempt, keys.LINK_WRONG)
        return Result(None, (Reply(key),))
    channels = list(dict.fromkeys(ctx.link.channels))
    state: LinkState = {"flow": FLOW, "step": State.ASK_PREFERRED.value, "channels": channels}
    return Result(state, (ask_preferred(channels),), (LinkAddress(inbound.text.strip()),))


def ask_preferred(channels: list[str]) -> Reply:
    """Where should scheduled messages go: one choice per channel."""
    items = tuple(Choice(str(i), CHANNEL_NAMES.get(c, c), literal=True) for i, c in enumerate(channels, 1))
    return Reply(keys.LINK_DONE, choices=Choices(items, MENU))


def on_ask_preferred(state: LinkState, inbound: Inbound, ctx: Context) -> Result | None:
    """Stores where reminders go; any other text leaves the question (None)."""
    channels = state.get("channels") or []
    text = inbound.text.strip()
    if not (text.isdecimal() and 1 <= int(text) <= len(channels)):
        return None
    channel = channels[int(text) - 1]
    return Result(
        None, (Reply(keys.LINK_PREFERRED, {"channel": CHANNEL_NAMES.get(channel, channel)}),), (SetPreferred(channel),)
    )


def resume(state: StateDict, inbound: Inbound, ctx: Context) -> Result | None:
    """Runs the handler for the conversation's current step."""
    return on_ask_preferred(cast(LinkState, state), inbound, ctx)  # the state kept as JSON, written by this flow
