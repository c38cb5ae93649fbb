"""Voice: the join-by-calling and keypad menu prompts (``flows.voice_menu``) as ``<Gather>`` TwiML.

Every line is a catalog message said with the caller's ``<Say>`` voice, or played where it is recorded
(``bot.render.voice.speak``). The name
step gathers speech in the caller's language as well as keys, and keeps only the recognised words.
"""

from __future__ import annotations

from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.render.voice import GATHER_TIMEOUT, speak, url
from flows import voice_menu as menu

PATH = "/twilio/voice/menu"
# The language speech is recognised in (Twilio's <Gather language>): Swahili is recognised even though
# its prompts are said in English (``bot.render.voice.SPOKEN_AS``).
SPEECH_LANGUAGE = {"en": "en-US", "es": "es-US", "fr": "fr-FR", "pt": "pt-BR", "pl": "pl-PL", "sw": "sw-KE"}
SPEECH_TIMEOUT = 5


def render_ask(step: menu.Ask, base: str, recorded=None) -> VoiceResponse:
    """TwiML that says the step's prompts and gathers one key, or (the name step) the name said; a prompt
    recorded in the caller's language (``recorded``, as ``bot.render.voice.speak`` takes it) is played."""
    lang = step.state.lang
    attrs: dict = {
        "action": url(base, PATH, step.state.as_query()),
        "method": "POST",
        "action_on_empty_result": True,
        "timeout": SPEECH_TIMEOUT if step.speech else GATHER_TIMEOUT,
    }
    if step.speech:
        attrs.update(input="speech dtmf", language=SPEECH_LANGUAGE.get(lang, "en-US"), speech_timeout="auto")
        attrs.update(num_digits=1)
    else:
        attrs.update(input="dtmf", num_digits=1)
    gather = Gather(**attrs)
    for reply in step.replies:
        speak(gather, reply, lang, recorded)
    response = VoiceResponse()
    response.append(gather)
    return response
