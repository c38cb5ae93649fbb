"""Recorded prompts for languages Twilio has no voice for (issue 29): which recordings, and what to play.

Pure: no store, no Flask. The keys are derived from the catalog, so a voice prompt added later is listed
(and played) without a change here:

- **Fixed prompts**: every message the phone line says (``TEXTS`` keys starting ``voice.``) whose
  placeholders recordings can say (a circle's name, a meeting's time, a number), cut at its
  placeholders in the language's own translation. A prompt with no placeholder is one recording named
  by its message key (``voice.welcome``); one with placeholders is one recording per stretch of words,
  ``voice.not_now.1``, ``voice.not_now.2``... in the translation's order.
- **Fragments** for the placeholders (``bot/render/spoken_sw.py``): numbers, weekdays, months, hours and
  minutes, and the part of the day.
- **The calls the bot places** (``bot/render/call_prompts.py``): the reminder, the check-in, "we missed
  you", a meeting's change, the keypad surveys' questions and hints, the choices' labels (``label.yes``)
  and the keypad's own prompts (``voice.press``: "press N for", then the label's recording).
- **A circle's name** (``circle.<code>``) **and its venue** (``venue.<code>``), both optional: played
  where the prompt names them. One not recorded is left out, and the Swahili catalog is written so that
  the sentence still stands: "Karibu kwenye kikundi %(circle)s." becomes "Karibu kwenye kikundi.", and a
  venue comes last after a comma ("…, %(venue)s.") (a test checks both).

A reply is played only when every piece of it is recorded; otherwise the line says it as today.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from bot.render import call_prompts, spoken_sw
from bot.render.i18n import gettext
from bot.render.texts import TEXTS, Plural
from flows.results import Reply, When

LINE_PREFIX = "voice."
CIRCLE_PREFIX = "circle."
VENUE_PREFIX = "venue."
CIRCLE_PARAM = "circle"
VENUE_PARAM = "venue"
NUMBER_PARAMS = frozenset({"digit", "low", "high"})
WHEN_PARAMS = frozenset({"when", "old"})
# Said from a recording that may be missing (then left out): a circle's name and its venue.
NAME_PARAMS = frozenset({CIRCLE_PARAM, VENUE_PARAM})
SAYABLE_PARAMS = NUMBER_PARAMS | WHEN_PARAMS | NAME_PARAMS | call_prompts.LABEL_PARAMS
OPTIONAL_KINDS = frozenset({"circle", "venue"})
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_WORD = re.compile(r"\w")
KEY_MAX = 64
KEY_SHAPE = re.compile(r"^[a-z0-9_]+(?:\.[a-z0-9_]+)*$")


@dataclass(frozen=True)
class Speech:
    """How a language is said from fragments: the fragments' words, numbers and meeting times as keys."""

    fragments: Mapping[str, str]
    number: Callable[[int], list[str]]
    when: Callable[[When], list[str]]


# The languages whose line plays recordings, and their grammar of fragments.
SPEECH: dict[str, Speech] = {
    spoken_sw.LANG: Speech(spoken_sw.FRAGMENTS, spoken_sw.number, spoken_sw.when),
}
LANGUAGES = tuple(SPEECH)


@dataclass(frozen=True)
class Prompt:
    """One recording the line needs: its key, the words to say, and what kind it is."""

    key: str
    text: str
    kind: str  # "prompt", "fragment", "circle" or "venue"

    @property
    def optional(self) -> bool:
        """A circle's name or venue: a prompt is phrased without it while it is not recorded."""
        return self.kind in OPTIONAL_KINDS


@dataclass(frozen=True)
class Recorded:
    """The recordings of one language the line can play: key → absolute URL of the audio."""

    lang: str
    urls: Mapping[str, str] = field(default_factory=dict)
    # A circle's name (as replies carry it) → its ``circle.<code>`` recording's URL.
    circles: Mapping[str, str] = field(default_factory=dict)
    # A venue (as replies carry it) → its ``venue.<code>`` recording's URL.
    venues: Mapping[str, str] = field(default_factory=dict)


def line_keys() -> list[str]:
    """The message keys the phone line says that recordings can say: the catalog's ``voice.`` messages in
    catalog order (see ``unsayable``), then those of the calls the bot places and the choices' labels."""
    line = [key for key in TEXTS if key.startswith(LINE_PREFIX) and sayable(key)]
    placed = [key for key in [*call_prompts.message_keys(), *call_prompts.label_keys()] if key in TEXTS]
    return list(dict.fromkeys([*line, *(key for key in placed if sayable(key))]))


def sayable(message_key: str) -> bool:
    """Whether recordings can say the message: no plural forms, and every placeholder is a circle's name,
    a meeting's time or a number."""
    msgid = TEXTS[message_key]
    return not isinstance(msgid, Plural) and set(PLACEHOLDER.findall(msgid)) <= SAYABLE_PARAMS


def unsayable() -> list[str]:
    """The line's messages no recording can say (a choice's label inside, say): always said by a voice."""
    return [key for key in TEXTS if key.startswith(LINE_PREFIX) and not sayable(key)]


def pieces(message_key: str, lang: str) -> list[tuple[str, str]]:
    """The message in ``lang`` as ``("words", recording key)`` and ``("param", name)`` in spoken order.

    Stretches of punctuation alone (", ") need no recording and are left out.
    """
    parts = PLACEHOLDER.split(gettext(TEXTS[message_key], lang))
    stretches = [(i, part) for i, part in enumerate(parts) if i % 2 == 0 and _WORD.search(part)]
    numbered = len(stretches) > 1 or len(parts) > 1
    names = {i: f"{message_key}.{n}" if numbered else message_key for n, (i, _) in enumerate(stretches, 1)}
    out: list[tuple[str, str]] = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(("param", part))
        elif i in names:
            out.append(("words", names[i]))
    return out


def fixed_prompts(lang: str) -> list[Prompt]:
    """Each stretch of words of each line message, with the words to say, in catalog order."""
    prompts = []
    for message_key in line_keys():
        parts = PLACEHOLDER.split(gettext(TEXTS[message_key], lang))
        words = [part.strip().lstrip(",.;:?! ") for i, part in enumerate(parts) if i % 2 == 0 and _WORD.search(part)]
        keys = [key for kind, key in pieces(message_key, lang) if kind == "words"]
        prompts += [Prompt(key, said, "prompt") for key, said in zip(keys, words, strict=True)]
    return prompts


def needed(
    lang: str, circles: Mapping[str, str] | None = None, venues: Mapping[str, str] | None = None
) -> list[Prompt]:
    """Every recording the line needs in ``lang``: fixed prompts, fragments, then circles' names
    (``circles``: code → name) and venues (``venues``: code → venue); names and venues are optional.

    Raises:
        KeyError: ``lang`` has a voice, so it needs no recordings.
    """
    speech = SPEECH[lang]
    fragments = [Prompt(key, said, "fragment") for key, said in speech.fragments.items()]
    named = [Prompt(circle_key(code), name, "circle") for code, name in sorted((circles or {}).items())]
    places = [Prompt(venue_key(code), venue, "venue") for code, venue in sorted((venues or {}).items())]
    return [*fixed_prompts(lang), *fragments, *named, *places]


def circle_key(code: str) -> str:
    """The recording key of a circle's name: ``circle.kc42``."""
    return CIRCLE_PREFIX + code.strip().lower()


def venue_key(code: str) -> str:
    """The recording key of a circle's venue: ``venue.kc42``."""
    return VENUE_PREFIX + code.strip().lower()


def valid_key(key: str) -> bool:
    """Whether ``key`` has the shape of a recording key (a file name may be anything)."""
    return len(key) <= KEY_MAX and KEY_SHAPE.match(key) is not None


def plays(reply: Reply, recorded: Recorded | None) -> list[str] | None:
    """The URLs that say ``reply`` in ``recorded.lang``, in order, or None when a piece is not recorded
    (the line then says the reply as it does for a language without recordings)."""
    if recorded is None or recorded.lang not in SPEECH or not recorded.urls:
        return None
    if reply.key not in TEXTS or not sayable(reply.key):
        return None
    speech = SPEECH[recorded.lang]
    keys: list[str] = []
    for kind, name in pieces(reply.key, recorded.lang):
        if kind == "words":
            keys.append(name)
            continue
        value = reply.params.get(name)
        if name in NAME_PARAMS:
            url = (recorded.circles if name == CIRCLE_PARAM else recorded.venues).get(str(value))
            if url is not None:
                keys.append(f"@{url}")
            continue  # an unrecorded name is left out: the sentence is written to stand without it
        if name in call_prompts.LABEL_PARAMS:
            if not (isinstance(value, str) and value in TEXTS):
                return None  # a literal label (a name): no recording says it
            keys.append(value)  # the label's own recording (``label.yes``)
            continue
        spoken = _param_keys(name, value, speech)
        if spoken is None:
            return None
        keys += spoken
    urls = [key[1:] if key.startswith("@") else recorded.urls.get(key) for key in keys]
    return None if any(url is None for url in urls) else [url for url in urls if url is not None]


def _param_keys(name: str, value, speech: Speech) -> list[str] | None:
    """The fragment keys that say one parameter, or None when fragments cannot say it."""
    if isinstance(value, When):
        return speech.when(value)
    if name in NUMBER_PARAMS:
        try:
            return speech.number(int(str(value)))
        except ValueError:
            return None
    return None
