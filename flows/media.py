"""Pictures and files sent with a text, or instead of one: the bot reads text only, and says so.

A message that is only a picture (or a voice note, or a file) runs no flow: the sender is told that only
text is read, and an open question stays open. A text with a picture runs as the text alone; the answer
then says the truth about the picture: a relay's "passed on" becomes "your text was passed on, but not
the picture or file", and any other answer is led by "I did not see the picture or file". Nothing ever
says a picture was passed on. Telegram's own webhook answers a photo the same way (``TG_TEXT_ONLY``).
"""

from __future__ import annotations

from dataclasses import replace

from flows import keys
from flows.inbound import Inbound
from flows.results import RelayToFacilitator, RelayToLearner, Reply, Result, StateDict

# The answers that say a message was passed on: said of the text only when a picture came with it.
PASSED_ON = frozenset({keys.RELAYED, keys.CHECKIN_RELAYED})


def only_media(inbound: Inbound) -> bool:
    """True when the message has pictures or files and no text at all."""
    return inbound.media > 0 and not inbound.text.strip()


def text_only(state: StateDict | None) -> Result:
    """The answer to a message with no text: only text is read; the open conversation stays as it was."""
    return Result(state, (Reply(keys.MEDIA_ONLY),))


def noted(result: Result, inbound: Inbound) -> Result:
    """``result`` (the flows' answer to the text) told the truth about the pictures that came with it.

    No picture, no text (``text_only`` answered it), no answer, or the answer to STOP or FORGET (the last
    texts that address gets): as it is.
    """
    if not inbound.media or only_media(inbound) or not result.replies:
        return result
    if any(r.key in keys.ALLOWED_WHEN_OPTED_OUT for r in result.replies):
        return result
    if any(r.key in PASSED_ON for r in result.replies):
        said = tuple(
            Reply(keys.MEDIA_RELAYED, r.params, r.choices) if r.key in PASSED_ON else r for r in result.replies
        )
        return replace(result, replies=said)
    relayed = any(isinstance(e, (RelayToFacilitator, RelayToLearner)) for e in result.effects)
    note = Reply(keys.MEDIA_NOT_PASSED if relayed else keys.MEDIA_NOT_READ)
    return replace(result, replies=(note, *result.replies))
