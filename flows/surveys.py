"""Surveys are data: questions with a key, a type and a translatable text (a message key).

Answers are checked here, purely: ``parse`` returns the value to store, or None when the reply
does not fit the question (the flow then gives the type's hint and asks again).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flows import answers, keys, keywords
from flows import choices as choice_sets
from flows.results import Choices, Reply

SCALE5, SCALE10, YESNO, NUMBER, TEXT, CHOICE = "scale5", "scale10", "yesno", "number", "text", "choice"
HINTS = {
    SCALE5: keys.HINT_SCALE5,
    SCALE10: keys.HINT_SCALE10,
    YESNO: keys.HINT_YESNO,
    NUMBER: keys.HINT_NUMBER,
    TEXT: keys.HINT_TEXT,
    CHOICE: keys.HINT_NUMBER,
}
TEXT_MAX = 1000
_INTEGER = re.compile(r"^\d{1,4}$")


@dataclass(frozen=True)
class Question:
    """One question: ``key`` names the answer, ``text`` is the message key that asks it.

    ``choices`` are its fixed answers (a scale's numbers, yes and no), which every channel renders
    its own way: a prompt by text, buttons on Telegram, keys on the phone.
    """

    key: str
    kind: str
    text: str
    choices: Choices | None = None

    def ask(self) -> Reply:
        """The reply that asks this question."""
        return Reply(self.text, choices=self.choices)


def scale5(low_label: str, high_label: str) -> Choices:
    """A 1 to 5 scale with its two ends named."""
    return choice_sets.scale(1, 5, low_label, high_label)


@dataclass(frozen=True)
class Survey:
    """An ordered list of questions."""

    name: str
    questions: tuple[Question, ...]


LEARNER = Survey(
    "learner",
    (
        Question("goal", SCALE5, keys.Q_GOAL, scale5(keys.LABEL_NOT_AT_ALL, keys.LABEL_COMPLETELY)),
        Question("confidence", SCALE5, keys.Q_CONFIDENCE, scale5(keys.LABEL_NOT_AT_ALL, keys.LABEL_VERY)),
        Question("course", SCALE5, keys.Q_COURSE, scale5(keys.LABEL_POOR, keys.LABEL_EXCELLENT)),
        Question(
            "recommend",
            SCALE10,
            keys.Q_RECOMMEND,
            choice_sets.scale(0, 10, keys.LABEL_NOT_AT_ALL, keys.LABEL_CERTAINLY),
        ),
        Question("next", TEXT, keys.Q_NEXT),
    ),
)

FACILITATOR = Survey(
    "facilitator",
    (
        Question("goal", SCALE5, keys.FQ_GOAL, scale5(keys.LABEL_NOT_AT_ALL, keys.LABEL_COMPLETELY)),
        Question("course", SCALE5, keys.FQ_COURSE, scale5(keys.LABEL_POOR, keys.LABEL_EXCELLENT)),
        Question("surprise", TEXT, keys.FQ_SURPRISE),
        Question("again", YESNO, keys.FQ_AGAIN, choice_sets.YES_NO),
    ),
)

REFLECTIONS = (keys.HOW_REFLECT_1, keys.HOW_REFLECT_2, keys.HOW_REFLECT_3)


def how(seq: int) -> Survey:
    """The facilitator's after-meeting check-in; its reflection question rotates by meeting."""
    return Survey(
        f"how{seq}",
        (
            Question(f"how{seq}:rating", SCALE5, keys.HOW_RATING, scale5(keys.LABEL_BADLY, keys.LABEL_VERY_WELL)),
            Question(f"how{seq}:came", NUMBER, keys.HOW_CAME),
            Question(f"how{seq}:reflection", TEXT, REFLECTIONS[(seq - 1) % len(REFLECTIONS)]),
        ),
    )


def by_name(name: str) -> Survey:
    """The survey called ``name`` (``learner``, ``facilitator`` or ``how<N>``)."""
    if name.startswith("how"):
        return how(int(name[3:]))
    return {"learner": LEARNER, "facilitator": FACILITATOR}[name]


def parse(question: Question, text: str) -> str | None:
    """The value to store for ``text`` as an answer to ``question``, or None if it does not fit."""
    parts = keywords.words(text)
    word = parts[0] if len(parts) == 1 else None
    if question.kind in (SCALE5, SCALE10, NUMBER, CHOICE):
        if word is None or not _INTEGER.match(word):
            return None
        number = int(word)
        count = len(question.choices.items) if question.choices else 0
        low, high = {SCALE5: (1, 5), SCALE10: (0, 10), NUMBER: (0, 9999), CHOICE: (1, count)}[question.kind]
        return str(number) if low <= number <= high else None
    if question.kind == YESNO:
        return answers.answer(text)
    cleaned = " ".join((text or "").split())
    return cleaned[:TEXT_MAX] if cleaned else None
