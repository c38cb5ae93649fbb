"""Outbound channel adapters and the registry that maps each channel to its adapter.

``sms`` and ``whatsapp`` go through Twilio Messages when a Twilio account is configured; every
channel goes to the simulator when its provider is not configured (``demo``, tests). Telegram and
Twilio Calls adapters register here too (see the README's "Add a channel").
"""

from __future__ import annotations

from bot.africastalking import AfricasTalking
from bot.outbound.channels.base import SendError, Sent
from bot.outbound.channels.simulator import SimulatorChannel
from bot.outbound.channels.twilio_calls import TwilioCallsChannel
from bot.outbound.channels.twilio_messages import TwilioChannel
from flows.inbound import SMS, TELEGRAM, VOICE, WHATSAPP


class NoAdapter(LookupError):
    """No adapter can send on this channel with the settings given."""


class Registry:
    """The adapter of each channel, built once per process."""

    def __init__(self, settings, uow, redis=None):
        self.simulator = SimulatorChannel(uow)
        self.uow = uow
        self.adapters: dict[str, object] = {}
        self.africastalking = None  # SMS to its countries, and to numbers that wrote in through it
        self.at_config = AfricasTalking.of(settings)
        if self.at_config.enabled:
            from bot.outbound.channels.africastalking import AfricasTalkingChannel

            self.africastalking = AfricasTalkingChannel(self.at_config)
        if settings.twilio_enabled:
            twilio = TwilioChannel(settings)
            self.adapters.update({SMS: twilio, WHATSAPP: twilio, VOICE: TwilioCallsChannel(settings)})
        if settings.telegram_enabled:
            from bot.outbound.channels.telegram import TelegramChannel

            self.adapters[TELEGRAM] = TelegramChannel(settings, redis)

    def adapter(self, channel: str, address: str | None = None):
        """The adapter that sends on ``channel`` (to ``address``: an SMS may go through Africa's Talking).

        Raises:
            NoAdapter: the channel's provider is configured for some channels but not this one.
        """
        if channel == SMS and self.africastalking is not None:
            from bot.outbound.channels.routing import through_africastalking

            if SMS not in self.adapters or (address and through_africastalking(self.uow, self.at_config, address)):
                return self.africastalking
        adapter = self.adapters.get(channel)
        if adapter is not None:
            return adapter
        if not self.adapters:  # no provider at all: the simulator plays every channel
            return self.simulator
        if channel != TELEGRAM and set(self.adapters) == {TELEGRAM}:  # Telegram only: phones are simulated
            return self.simulator
        raise NoAdapter(f"no adapter sends on {channel!r} with these settings")


def make_registry(settings, uow, redis=None) -> Registry:
    """The channel registry the settings ask for (``redis`` shares Telegram's flood limits)."""
    return Registry(settings, uow, redis)


__all__ = ["NoAdapter", "Registry", "SendError", "Sent", "SimulatorChannel", "TwilioChannel", "make_registry"]
