"""TwiML of the call that records a language's prompts (``circlebot voice prompts record``, issue 29).

Each step says which prompt comes and its words (in the nearest voice, as the line speaks the language
before its recordings exist), then ``<Record>``s until the pound key. Twilio posts the ``action`` when the
person pressed it (the next prompt) and the ``recording_status_callback`` when the audio is ready (it is
then fetched, kept and deleted at Twilio). Silence moves on to nothing: the call says goodbye.
"""

from __future__ import annotations

from twilio.twiml.voice_response import VoiceResponse

from bot.render import text
from bot.render.voice import say_attrs, spoken
from bot.render.voice_prompts import Prompt
from flows import keys
from flows.results import Reply

MAX_SECONDS = 20  # the longest prompt ("Tafadhali andika msimbo wa simu…") takes about six
SILENCE_SECONDS = 5


def render_record_step(
    lang: str,
    prompt: Prompt | None,
    number: int,
    count: int,
    action: str,
    status_callback: str,
) -> VoiceResponse:
    """One step: the intro on the first prompt (``number == 1``), then the prompt and ``<Record>``;
    with no ``prompt`` left, thanks and goodbye.

    Args:
        lang: the language being recorded (its words are said by the nearest voice).
        prompt: the recording to make now, or None when every one is made.
        number: this prompt's place in the call, from 1.
        count: how many prompts the call records.
        action: where Twilio posts when the pound key ends the recording (the next step).
        status_callback: where Twilio posts when the recording is ready to fetch.
    """
    words, attrs = spoken(lang), say_attrs(lang)
    response = VoiceResponse()
    if prompt is None:
        response.say(text.words(Reply(keys.RECORD_DONE), words), **attrs)
        response.hangup()
        return response
    if number == 1:
        response.say(text.words(Reply(keys.RECORD_INTRO, {"count": count}), words), **attrs)
    response.say(text.words(Reply(keys.RECORD_PROMPT, {"number": number}), words), **attrs)
    response.say(prompt.text, **attrs)
    response.record(
        action=action,
        method="POST",
        timeout=SILENCE_SECONDS,
        finish_on_key="#",
        max_length=MAX_SECONDS,
        play_beep=True,
        trim="trim-silence",
        recording_status_callback=status_callback,
        recording_status_callback_method="POST",
        recording_status_callback_event="completed",
    )
    # Twilio goes on here (and not to ``action``) when nothing was said: the call ends.
    response.say(text.words(Reply(keys.VOICE_GOODBYE), words), **attrs)
    response.hangup()
    return response
