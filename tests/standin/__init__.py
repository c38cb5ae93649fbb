"""Local stand-ins for the providers' HTTP APIs (DESIGN.md §7): tests never reach the internet.

``TwilioStandIn`` is imported lazily, so ``python -m tests.standin.twilio_api`` runs the module once.
"""

from __future__ import annotations

__all__ = ["TelegramStandIn", "TwilioStandIn"]


def __getattr__(name: str):
    if name == "TwilioStandIn":
        from tests.standin.twilio_api import TwilioStandIn

        return TwilioStandIn
    if name == "TelegramStandIn":
        from tests.standin.telegram_api import TelegramStandIn

        return TelegramStandIn
    raise AttributeError(name)
