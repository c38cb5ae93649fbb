"""The facilitator's host menu as TwiML (issue 26): the menu, the roll call, back into the room, the end.

Every word is a catalog message (``flows/keys.py`` ``VOICE_HOST_*``) spoken through ``bot.render.voice``,
in the facilitator's language. Going back into the room is the same ``<Dial><Conference>`` the
facilitator joined with (``voice.render_step``), so ``*`` works again there.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.render import text
from bot.render import voice as speech
from flows import host_menu, keys
from flows import voice as call_flow
from flows.results import Reply

MENU_PATH = speech.HOST_PATH + "/menu"
ROLL_PATH = speech.HOST_PATH + "/roll"
ROLL_WAIT = host_menu.MENU_WAIT + 2


def _say(node, replies: tuple[Reply, ...], lang: str) -> None:
    for reply in replies:
        node.say(text.words(reply, speech.spoken(lang)), **speech.say_attrs(lang))


def menu(base: str, meeting_id: int, lang: str, confirming: bool = False) -> VoiceResponse:
    """The host menu (or the question "press 9 again"): one key, a short wait, then back by the action."""
    query = {"m": meeting_id, "lang": lang, **({"confirm": 1} if confirming else {})}
    gather = Gather(
        input="dtmf",
        num_digits=1,
        timeout=host_menu.MENU_WAIT,
        action=speech.url(base, MENU_PATH, query),
        method="POST",
        action_on_empty_result=True,
    )
    _say(gather, (Reply(keys.VOICE_HOST_END_CONFIRM if confirming else keys.VOICE_HOST_MENU),), lang)
    response = VoiceResponse()
    response.append(gather)
    return response


def back(base: str, meeting_id: int, lang: str, room: str, size: int, replies=()) -> VoiceResponse:
    """Says ``replies`` (if any), then puts the facilitator back into the same room."""
    return speech.render_step(call_flow.Join(lang, meeting_id, True, tuple(replies)), base, room, size)


def roll(base: str, meeting_id: int, lang: str, contact_id: int, here: int, replies) -> VoiceResponse:
    """Asks about one learner of the roll call: 1 here, 2 not; anything else goes back to the room."""
    gather = Gather(
        input="dtmf",
        num_digits=1,
        timeout=ROLL_WAIT,
        action=speech.url(base, ROLL_PATH, {"m": meeting_id, "lang": lang, "c": contact_id, "n": here}),
        method="POST",
        action_on_empty_result=True,
    )
    _say(gather, tuple(replies), lang)
    response = VoiceResponse()
    response.append(gather)
    return response


def ended(lang: str) -> VoiceResponse:
    """The meeting is over: one sentence, then the call ends."""
    response = VoiceResponse()
    _say(response, (Reply(keys.VOICE_HOST_ENDED),), lang)
    response.hangup()
    return response


def hang_up() -> VoiceResponse:
    """The facilitator hung up: nothing more to say."""
    response = VoiceResponse()
    response.hangup()
    return response
