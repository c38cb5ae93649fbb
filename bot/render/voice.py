"""Voice: each reply is spoken with ``<Say>``; a question's choices become ``<Gather numDigits>``.

Choices whose values are digits are keyed as they are ("press 1 for yes"); other choices are keyed
by their position, and ``digit_values`` maps a key press back to the value a typed answer would be.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from bot.render import call_prompts, text, voice_prompts
from bot.render.i18n import gettext, pick
from bot.render.texts import TEXTS
from bot.render.voice_prompts import Recorded
from flows import keys
from flows import voice as call_flow
from flows.results import SCALE, Choices, Reply

# The <Say> voice and language per locale (Twilio's Amazon Polly voices; see the README's voice
# table). Twilio documents no <Say> voice for Swahili (neither Polly nor its Google voices): a
# Swahili caller hears the nearest supported language, English (an official language of Kenya and
# Tanzania) with the English voice, and the number keys work as in every language. Only the
# language menu's own line ("Kwa Kiswahili, bonyeza 6") is read in Swahili, by the English voice.
# Where the prompts are recorded (bot/render/voice_prompts.py), ``speak`` plays them instead.
VOICES = {
    "en": ("Polly.Joanna", "en-US"),
    "es": ("Polly.Lupe", "es-US"),
    "fr": ("Polly.Lea", "fr-FR"),
    "pt": ("Polly.Camila", "pt-BR"),
    "pl": ("Polly.Ewa", "pl-PL"),
    "sw": ("Polly.Joanna", "en-US"),
}
SAY_LANGUAGE = {lang: language for lang, (_voice, language) in VOICES.items()}
# The words spoken for a locale with no <Say> voice: the nearest supported language's.
SPOKEN_AS = {"sw": "en"}
GATHER_TIMEOUT = 6
CODE_TIMEOUT = 10
# Twilio's own hold music for conferences (the default ``waitUrl`` bucket).
HOLD_MUSIC = "http://com.twilio.music.classical.s3.amazonaws.com/BusyStrings.mp3"
CONFERENCE_EVENTS = "start end join leave"
HOST_PATH = "/twilio/voice/host"  # the facilitator's host menu (webhooks/twilio_host.py)


def spoken(lang: str) -> str:
    """The locale whose words a caller in ``lang`` hears (``sw`` → ``en``)."""
    lang = pick(lang)
    return SPOKEN_AS.get(lang, lang)


def say_attrs(lang: str) -> dict:
    """``voice`` and ``language`` for a <Say> in ``lang``."""
    voice, language = VOICES[pick(lang)]
    return {"voice": voice, "language": language}


def speak(parent, reply: Reply, lang: str, recorded: Mapping[str, Recorded] | None = None, said: str | None = None):
    """Adds ``reply`` to ``parent``: ``<Play>`` of its recordings when ``lang`` has every piece recorded
    (``bot/render/voice_prompts.py``), else ``<Say>`` of ``said`` or its words, as before recordings."""
    urls = voice_prompts.plays(reply, (recorded or {}).get(pick(lang)))
    if urls is None:
        parent.say(said if said is not None else text.words(reply, spoken(lang)), **say_attrs(lang))
        return
    for audio in urls:
        parent.play(audio)


def digit_values(choices: Choices) -> dict[str, str]:
    """Which key press means which choice value."""
    if choices.digits:
        return {c.value: c.value for c in choices.items}
    return {str(i): c.value for i, c in enumerate(choices.items, 1)}


def num_digits(choices: Choices) -> int:
    """How many keys a caller presses to answer (``10`` on a 0–10 scale takes two)."""
    return max(len(key) for key in digit_values(choices))


def keypad_prompt(choices: Choices, lang: str) -> str:
    """What the caller hears after the question: the keys and what they mean."""
    lang = pick(lang)
    if choices.style == SCALE:
        low, high = choices.items[0], choices.items[-1]
        return gettext(TEXTS[keys.VOICE_SCALE], lang) % {
            "low": low.value,
            "low_label": text.label(low, lang),
            "high": high.value,
            "high_label": text.label(high, lang),
        }
    by_value = {c.value: c for c in choices.items}
    return " ".join(
        gettext(TEXTS[keys.VOICE_PRESS], lang) % {"digit": digit, "label": text.label(by_value[v], lang)}
        for digit, v in digit_values(choices).items()
    )


def _keypad_prompt(gather, choices: Choices, lang: str, recorded: Mapping[str, Recorded] | None) -> None:
    """Plays "press 1 for <yes>…" where every piece is recorded (``bot/render/call_prompts.py``), else says it."""
    prompts = call_prompts.keypad_replies(choices, digit_values(choices))
    chosen = (recorded or {}).get(pick(lang))
    urls = [voice_prompts.plays(reply, chosen) for reply in prompts or ()]
    if not prompts or any(played is None for played in urls):
        gather.say(keypad_prompt(choices, spoken(lang)), **say_attrs(lang))
        return
    for played in urls:
        for audio in played or ():
            gather.play(audio)


def render(
    replies: tuple[Reply, ...],
    lang: str,
    action: str | None = None,
    recorded: Mapping[str, Recorded] | None = None,
) -> VoiceResponse:
    """TwiML that says the replies and, when the last one has choices, gathers the answer; each reply (and
    the keypad's prompt) whose every piece is ``recorded`` in ``lang`` is played instead."""
    asked, lang = lang, spoken(lang)
    response = VoiceResponse()
    last = replies[-1] if replies else None
    for reply in replies[:-1] if last is not None and last.choices else replies:
        speak(response, reply, asked, recorded, text.words(reply, lang, quote_limit=300))
    if last is not None and last.choices:
        gather = Gather(
            num_digits=num_digits(last.choices),
            input="dtmf",
            timeout=GATHER_TIMEOUT,
            **({"action": action, "method": "POST"} if action else {}),
        )
        speak(gather, last, asked, recorded, text.words(last, lang))
        _keypad_prompt(gather, last.choices, asked, recorded)
        response.append(gather)
    return response


def url(base: str, path: str, query: dict | None = None) -> str:
    """An absolute callback URL (Twilio signs it, and the webhook checks it against ``PUBLIC_BASE_URL``)."""
    return base + path + (f"?{urlencode(query)}" if query else "")


def render_step(
    step: call_flow.Step,
    base: str,
    room: str | None = None,
    max_participants: int | None = None,
    default_lang: str = "en",
    recorded: Mapping[str, Recorded] | None = None,
) -> VoiceResponse:
    """TwiML for one step of a call to the bot's number (``flows.voice``).

    Args:
        step: what the flow decided: ask (``<Gather>``), join (``<Dial><Conference>``) or goodbye.
        base: ``PUBLIC_BASE_URL``, for the absolute action and callback URLs.
        room: the conference's name, for a join.
        max_participants: the conference's size, for a join.
        default_lang: the language of the greeting before a language is chosen.
        recorded: the recorded prompts per language, played instead of ``<Say>`` where complete.
    """
    response = VoiceResponse()
    if isinstance(step, call_flow.Ask):
        lang = step.state.lang
        menu = step.state.step == call_flow.MENU
        gather = Gather(
            input="dtmf",
            action=url(base, "/twilio/voice/gather", step.state.as_query()),
            method="POST",
            action_on_empty_result=True,
            timeout=GATHER_TIMEOUT if menu else CODE_TIMEOUT,
            **({"num_digits": 1} if menu else {"finish_on_key": "#"}),
        )
        for reply in step.replies:
            speak(gather, reply, lang, recorded)
        for digit, option in step.options:
            said = gettext(TEXTS[keys.VOICE_LANGUAGE_OPTION], option) % {"digit": digit}
            speak(gather, Reply(keys.VOICE_LANGUAGE_OPTION, {"digit": digit}), option, recorded, said)
        response.append(gather)
        return response
    for reply in step.replies:
        speak(response, reply, step.lang, recorded)
    if isinstance(step, call_flow.Join):
        # The facilitator's * steps out to the host menu (flows/host_menu.py) and back, so leaving the
        # room cannot end it: the Dial's action ends the conference when the facilitator hangs up.
        host = {"hangup_on_star": True, "action": url(base, HOST_PATH, {"m": step.meeting_id, "lang": step.lang})}
        dial = Dial(**host, method="POST") if step.facilitator else Dial()
        dial.conference(
            room,
            start_conference_on_enter=step.facilitator,
            end_conference_on_exit=False,
            wait_url=None if step.facilitator else url(base, "/twilio/voice/wait", {"lang": step.lang}),
            wait_method=None if step.facilitator else "POST",
            max_participants=max_participants,
            status_callback=url(base, "/twilio/conference"),
            status_callback_method="POST",
            status_callback_event=CONFERENCE_EVENTS,
            beep="true",
        )
        response.append(dial)
    response.hangup()
    return response


def render_wait(lang: str, recorded: Mapping[str, Recorded] | None = None) -> VoiceResponse:
    """The ``waitUrl`` TwiML a learner hears until the facilitator joins: one sentence, then music."""
    response = VoiceResponse()
    speak(response, Reply(keys.VOICE_WAITING), lang, recorded)
    response.play(HOLD_MUSIC, loop=0)
    return response


def render_keypad(
    replies: tuple[Reply, ...],
    lang: str,
    action: str,
    typed: str | None = None,
    machine: bool = False,
    recorded: Mapping[str, Recorded] | None = None,
) -> VoiceResponse:
    """A call the bot placed (a reminder, a survey question) or its next step, answered by keypad.

    Choices become ``<Gather numDigits>`` (keys mapped back in ``digit_values``); a question answered
    with a number (``typed="number"``) gathers digits up to ``#``; a free-text question
    (``typed="text"``) is not asked on the phone: any key skips it. A voicemail (``machine``) hears the
    words only, and nothing is gathered. A reply whose every piece is ``recorded`` is played.
    """
    if machine or not replies:
        response = VoiceResponse()
        for reply in replies:
            speak(response, reply, lang, recorded)
        response.hangup()
        return response
    last = replies[-1]
    if last.choices is not None:
        keys_map = digit_values(last.choices)
        query = "" if last.choices.digits else "&map=" + ",".join(f"{k}:{v}" for k, v in keys_map.items())
        response = render(replies, lang, action + query, recorded)
        response.hangup()
        return response
    response = VoiceResponse()
    for reply in replies[:-1]:
        speak(response, reply, lang, recorded)
    if typed == "number":
        gather = Gather(input="dtmf", action=action, method="POST", finish_on_key="#", timeout=CODE_TIMEOUT)
        speak(gather, last, lang, recorded)
        speak(gather, Reply(keys.VOICE_TYPE_NUMBER), lang, recorded)
        response.append(gather)
    elif typed == "text":
        gather = Gather(input="dtmf", action=action + "&skip=1", method="POST", num_digits=1, timeout=GATHER_TIMEOUT)
        speak(gather, last, lang, recorded)
        speak(gather, Reply(keys.VOICE_SKIP_TEXT), lang, recorded)
        response.append(gather)
    else:
        speak(response, last, lang, recorded)
    response.hangup()
    return response
