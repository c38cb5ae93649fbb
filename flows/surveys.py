"""Surveys are data: questions with a key, a type and a translatable text (a message key).

Answers are checked here, purely: ``parse`` returns the value to store, or None when the reply
does not fit the question (the flow then gives the type's hint and asks again).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flows import keys, keywords

SCALE5, SCALE10, YESNO, NUMBER, TEXT, CHOICE = "scale5", "scale10", "yesno", "number", "text", "choice"
HINTS = {SCALE5: keys.HINT_SCALE5, SCALE10: keys.HINT_SCALE10, YESNO: keys.HINT_YESNO, NUMBER: keys.HINT_NUMBER,
         TEXT: keys.HINT_TEXT, CHOICE: keys.HINT_NUMBER}
TEXT_MAX = 1000
_INTEGER = re.compile(r"^\d{1,4}$")


@dataclass(frozen=True)
class Question:
    """One question: ``key`` names the answer, ``text`` is the message key that asks it."""

    key: str
    kind: str
    text: str
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Survey:
    """An ordered list of questions."""

    name: str
    questions: tuple[Question, ...]


LEARNER = Survey("learner", (
    Question("goal", SCALE5, keys.Q_GOAL),
    Question("confidence", SCALE5, keys.Q_CONFIDENCE),
    Question("course", SCALE5, keys.Q_COURSE),
    Question("recommend", SCALE10, keys.Q_RECOMMEND),
    Question("next", TEXT, keys.Q_NEXT),
))

FACILITATOR = Survey("facilitator", (
    Question("goal", SCALE5, keys.FQ_GOAL),
    Question("course", SCALE5, keys.FQ_COURSE),
    Question("surprise", TEXT, keys.FQ_SURPRISE),
    Question("again", YESNO, keys.FQ_AGAIN),
))

REFLECTIONS = (keys.HOW_REFLECT_1, keys.HOW_REFLECT_2, keys.HOW_REFLECT_3)


def how(seq: int) -> Survey:
    """The facilitator's after-meeting check-in; its reflection question rotates by meeting."""
    return Survey(f"how{seq}", (
        Question(f"how{seq}:rating", SCALE5, keys.HOW_RATING),
        Question(f"how{seq}:came", NUMBER, keys.HOW_CAME),
        Question(f"how{seq}:reflection", TEXT, REFLECTIONS[(seq - 1) % len(REFLECTIONS)]),
    ))


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
        low, high = {SCALE5: (1, 5), SCALE10: (0, 10), NUMBER: (0, 9999), CHOICE: (1, len(question.choices))}[
            question.kind]
        return str(number) if low <= number <= high else None
    if question.kind == YESNO:
        return keywords.answer(text)
    cleaned = " ".join((text or "").split())
    return cleaned[:TEXT_MAX] if cleaned else None
