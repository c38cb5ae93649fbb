"""The messages of the calls the bot places, for languages played from recordings (issue 29).

A landline learner (or facilitator) hears by phone what others read: the reminder with its RSVP keys,
the check-in question, "we missed you", a moved or cancelled meeting, the keypad surveys with their
questions and "press 1 for yes", and the replies to the keys pressed. ``bot/render/voice_prompts.py``
lists these messages as recordings beside the call-in line's own ``voice.`` messages, so ``voice prompts
list`` names them, ``import`` and the record-by-phone walk take them, and a placed call plays them.

Pure: derived from the flows' surveys and choice sets, so a question added there is listed too.
"""

from __future__ import annotations

from collections.abc import Mapping

from flows import choices as choice_sets
from flows import keys, surveys
from flows.results import SCALE, Choices, Reply

# The messages a placed call says, besides survey questions and hints (derived below).
PLACED = (
    keys.REMINDER,
    keys.RSVP_YES,
    keys.RSVP_NO,
    keys.MEETING_MOVED,
    keys.MEETING_CANCELLED,
    keys.SCHEDULE_CHANGED,
    keys.CHECKIN_QUESTION,
    keys.CHECKIN_THANKS,
    keys.CHECKIN_RELAYED,
    keys.MISS_YOU,
    keys.SURVEY_INTRO,
    keys.SURVEY_FACILITATOR_INTRO,
    keys.SURVEY_REMINDER,
    keys.SURVEY_DONE,
    keys.HOW_INTRO,
    keys.STOP_CONFIRMED,  # the star key on a placed call
)
# The keypad's choice sets besides the surveys' questions: the reminder's RSVP and the check-in.
KEYPAD_SETS = (choice_sets.YES_NO, choice_sets.CHECKIN)
# The parameters that carry a choice's label (a message key, ``label.yes``) in the keypad's prompts.
LABEL_PARAMS = frozenset({"label", "low_label", "high_label"})


def _surveys() -> list[surveys.Survey]:
    return [surveys.LEARNER, surveys.FACILITATOR, *(surveys.how(seq) for seq in range(1, len(surveys.REFLECTIONS) + 1))]


def message_keys() -> list[str]:
    """Every message a placed call says, in a stable order and once each (labels apart, see ``label_keys``)."""
    questions = [question.text for survey in _surveys() for question in survey.questions]
    return list(dict.fromkeys([*PLACED, *questions, *surveys.HINTS.values()]))


def label_keys() -> list[str]:
    """The labels a caller hears after "press N for" or at a scale's ends (``label.yes``...), once each."""
    sets = [*KEYPAD_SETS, *(q.choices for survey in _surveys() for q in survey.questions if q.choices)]
    labels = [c.label for chosen in sets for c in chosen.items if c.label is not None and not c.literal]
    return list(dict.fromkeys(labels))


def keypad_replies(choices: Choices, digits: Mapping[str, str]) -> tuple[Reply, ...] | None:
    """The keypad's prompt as replies recordings can say: "press 1 for <yes>" for each key, or a scale's
    "press a number from 1, <not at all>, to 5, <completely>"; None when a label is literal (a name).

    Args:
        choices: the question's choices.
        digits: key → choice value (``bot.render.voice.digit_values``).
    """
    if any(c.literal for c in choices.items):
        return None
    if choices.style == SCALE:
        low, high = choices.items[0], choices.items[-1]
        params = {"low": low.value, "low_label": low.label, "high": high.value, "high_label": high.label}
        return (Reply(keys.VOICE_SCALE, params),)
    by_value = {c.value: c for c in choices.items}
    if any(by_value[v].label is None for v in digits.values()):
        return None
    return tuple(Reply(keys.VOICE_PRESS, {"digit": d, "label": by_value[v].label}) for d, v in digits.items())
