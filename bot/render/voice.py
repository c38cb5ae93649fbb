"""Voice: each reply is spoken with ``<Say>``; a question's choices become ``<Gather numDigits>``.

Choices whose values are digits are keyed as they are ("press 1 for yes"); other choices are keyed
by their position, and ``digit_values`` maps a key press back to the value a typed answer would be.
"""
from __future__ import annotations

from twilio.twiml.voice_response import Gather, VoiceResponse

from flows import keys
from flows.results import SCALE, Choices, Reply

from bot.i18n import gettext, pick
from bot.render import text
from bot.texts import TEXTS

# The <Say> language per locale. Swahili has no Twilio <Say> voice: it is spoken with the English
# voice, and the number keys still work (issue "Voice" replaces this with recorded prompts).
SAY_LANGUAGE = {"en": "en-US", "es": "es-US", "fr": "fr-FR", "pt": "pt-BR", "pl": "pl-PL", "sw": "en-US"}
GATHER_TIMEOUT = 6


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
            "low": low.value, "low_label": text.label(low, lang), "high": high.value,
            "high_label": text.label(high, lang)}
    by_value = {c.value: c for c in choices.items}
    return " ".join(gettext(TEXTS[keys.VOICE_PRESS], lang) % {"digit": digit, "label": text.label(by_value[v], lang)}
                    for digit, v in digit_values(choices).items())


def render(replies: tuple[Reply, ...], lang: str, action: str | None = None) -> VoiceResponse:
    """TwiML that says the replies and, when the last one has choices, gathers the answer."""
    lang = pick(lang)
    say = {"language": SAY_LANGUAGE[lang]}
    response = VoiceResponse()
    last = replies[-1] if replies else None
    for reply in replies[:-1] if last is not None and last.choices else replies:
        response.say(text.words(reply, lang, quote_limit=300), **say)
    if last is not None and last.choices:
        gather = Gather(num_digits=num_digits(last.choices), input="dtmf", timeout=GATHER_TIMEOUT,
                        **({"action": action, "method": "POST"} if action else {}))
        gather.say(text.words(last, lang), **say)
        gather.say(keypad_prompt(last.choices, lang), **say)
        response.append(gather)
    return response
