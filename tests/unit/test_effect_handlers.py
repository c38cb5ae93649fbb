"""Every effect the flows can return has one handler in the applier's table (bot/inbound/effects.py)."""

from __future__ import annotations

import typing

from bot.inbound.effects import DEFERRABLE, HANDLERS
from flows import results


def test_every_effect_has_a_handler():
    effects = set(typing.get_args(results.Effect))
    assert effects, "flows.results.Effect lists the effects"
    missing = sorted(e.__name__ for e in effects - set(HANDLERS))
    assert missing == [], f"add a handler to bot.inbound.effects.HANDLERS for {missing}"
    assert set(HANDLERS) <= effects, "a handler for something that is no effect"
    assert DEFERRABLE <= effects
