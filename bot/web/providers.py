"""Which provider carries a circle's texts, for the message page's cost estimate (issue 29)."""

from __future__ import annotations

from collections import Counter

from bot.outbound.channels import NoAdapter, routing
from bot.web.i18n import _, ngettext
from flows.inbound import SMS

# The providers' own names (not translated); the simulator is a word of ours.
NAMES = {"twilio": "Twilio", "africastalking": "Africa's Talking"}


def split(db, channels, numbers, segments: int) -> str:
    """``Africa's Talking: 6 segments · Twilio: 2 segments``: each provider's share of a text sent to
    ``numbers`` by SMS, routed as the send job routes them (by country, or where the number wrote in),
    read in the page's own transaction ``db``."""
    counted: Counter[str] = Counter()
    for number in numbers:
        if channels.africastalking is not None and (
            SMS not in channels.adapters
            or channels.at_config.carries(number)
            or routing.wrote_through_africastalking(db, number)
        ):
            counted[channels.africastalking.name] += 1
            continue
        try:
            counted[channels.adapter(SMS).name] += 1
        except NoAdapter:
            continue
    return " · ".join(
        ngettext(
            "%(provider)s: %(num)s segment",
            "%(provider)s: %(num)s segments",
            learners * segments,
            provider=NAMES.get(name) or _("simulator"),
        )
        for name, learners in sorted(counted.items())
    )
