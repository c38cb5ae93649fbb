"""Local stand-ins for the providers' HTTP APIs (and P2PU's) (DESIGN.md §7): tests never reach the internet.

``TwilioStandIn`` is imported lazily, so ``python -m tests.standin.twilio_api`` runs the module once.
"""

from __future__ import annotations

__all__ = ["AfricasTalkingStandIn", "P2PUStandIn", "TelegramStandIn", "TwilioStandIn"]


def __getattr__(name: str):
    if name == "TwilioStandIn":
        from tests.standin.twilio_api import TwilioStandIn

        return TwilioStandIn
    if name == "TelegramStandIn":
        from tests.standin.telegram_api import TelegramStandIn

        return TelegramStandIn
    if name == "AfricasTalkingStandIn":
        from tests.standin.africastalking_api import AfricasTalkingStandIn

        return AfricasTalkingStandIn
    if name == "P2PUStandIn":
        from tests.standin.p2pu_api import P2PUStandIn

        return P2PUStandIn
    raise AttributeError(name)
