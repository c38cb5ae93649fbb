"""WhatsApp Content Templates' wording (issue 28): the catalogs stay the one source of every word.

A template per scheduled message kind and language carries the message, rendered from the catalogs in the
reader's language at send time, as its variable ``{{1}}``; a kind whose message asks for an answer is a
``twilio/quick-reply`` so WhatsApp shows buttons.
"""

from __future__ import annotations

from bot.render.i18n import gettext
from bot.render.texts import N_

INTRO = N_("From your learning circle: %(text)s")
YES = N_("Yes")
NO = N_("No")
MSGIDS = frozenset({INTRO, YES, NO})  # the templates' own words, beside ``TEXTS``
# The kinds sent on the bot's own schedule, or long after the learner's last message.
KINDS = ("reminder", "change", "checkin", "missyou", "survey", "offer", "login")
QUICK_REPLY = frozenset({"reminder", "checkin", "offer"})  # answered YES or NO


def content(kind: str, language: str) -> dict:
    """The Content API's ``POST /v1/Content`` JSON for the template of ``kind`` in ``language``."""
    body = gettext(INTRO, language) % {"text": "{{1}}"}
    if kind in QUICK_REPLY:
        actions = [{"title": gettext(YES, language), "id": "YES"}, {"title": gettext(NO, language), "id": "NO"}]
        types = {"twilio/quick-reply": {"body": body, "actions": actions}}
    else:
        types = {"twilio/text": {"body": body}}
    return {
        "friendly_name": f"circlebot_{kind}_{language}".replace("-", "_").lower(),
        "language": language,
        "variables": {"1": "..."},
        "types": types,
    }


def variables(text: str) -> dict[str, str]:
    """The template's ``ContentVariables`` for a message rendered as ``text``."""
    return {"1": text}
