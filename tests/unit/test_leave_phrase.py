"""Issue 22: LEAVE acts only on the exact phrase its question shows, ``LEAVE <code>``. Pure router tables.

LEAVE alone (one circle or several, or a waiting list) asks, naming each circle with its phrase in the
learner's language; a digit or a yes-word never leaves (within the question's 15 minutes it is reminded of
the phrase, after that it is routed as usual); the phrase in the question's language or in English leaves.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.render import sms, telegram
from flows import asked, keys, languages
from flows.context import CircleView, ContactView, Context, EnrollmentView
from flows.inbound import Inbound
from flows.results import Erase, Leave
from flows.router import handle

NOW = datetime(2026, 12, 3, 16, 0, tzinfo=timezone.utc)
KC = CircleView("KC42", "Public Speaking", "Central Library", "America/Chicago", "en", 12, 5, NOW + timedelta(days=5))
TU = CircleView("TU31", "Tech Basics", "Main Library", "America/Chicago", "en", 12, 12, NOW + timedelta(days=2))
WORDS = {"en": "Leave", "es": "Salir", "fr": "Quitter", "pt": "Sair", "pl": "Wypisz", "sw": "Ondoka"}
PHRASE = {"en": "LEAVE", "es": "SALIR", "fr": "QUITTER", "pt": "SAIR", "pl": "WYPISZ", "sw": "ONDOKA"}
UNSURE = ["1", "2", "YES", "Sí", "Sawa", "OK", "Oui", "Tak", "Sim"]


def learner(lang: str, *circles: CircleView, status: str = "active") -> ContactView:
    return ContactView("Amina", lang, enrollments=tuple(EnrollmentView(c, status) for c in circles or (KC,)))


def run(text: str, contact: ContactView, state=None, now: datetime = NOW):
    ctx = Context(now=now, contact=contact, circles={"KC42": KC, "TU31": TU})
    return handle(state, Inbound("sms", "+254712345678", text, "SM1", now), ctx)


def destructive(result) -> list:
    return [e for e in result.effects if isinstance(e, (Erase, Leave))]


@pytest.mark.parametrize("lang", languages.SHIPPED)
def test_leave_alone_with_one_circle_asks_and_names_its_phrase(lang):
    result = run(WORDS[lang], learner(lang))
    assert destructive(result) == []
    assert [r.key for r in result.replies] == [keys.LEAVE_ASK] and result.language == lang
    assert result.replies[0].params == {"circle": "Public Speaking", "phrase": f"{PHRASE[lang]} KC42"}
    assert result.state["flow"] == "leave" and result.state["lang"] == lang
    assert f"{PHRASE[lang]} KC42" in sms.render(result.replies, lang)


@pytest.mark.parametrize("lang", languages.SHIPPED)
def test_leave_alone_with_several_circles_asks_with_a_phrase_per_circle(lang):
    result = run(WORDS[lang], learner(lang, KC, TU))
    assert destructive(result) == [] and [r.key for r in result.replies] == [keys.LEAVE_WHICH]
    menu = result.replies[0].choices
    assert [c.value for c in menu.items] == [f"{PHRASE[lang]} KC42", f"{PHRASE[lang]} TU31"]
    text = sms.render(result.replies, lang)
    assert f"{PHRASE[lang]} KC42 (Public Speaking)" in text and f"{PHRASE[lang]} TU31 (Tech Basics)" in text


@pytest.mark.parametrize("lang", languages.SHIPPED)
@pytest.mark.parametrize("answer", UNSURE)
def test_a_digit_or_a_yes_never_leaves_and_is_reminded_of_the_phrase(lang, answer):
    for contact in (learner(lang), learner(lang, KC, TU)):
        asked_now = run(WORDS[lang], contact)
        result = run(answer, contact, asked_now.state, NOW + timedelta(minutes=14))
        assert destructive(result) == []
        assert [r.key for r in result.replies] == [keys.LEAVE_EXACT] and result.state == asked_now.state
        assert f"{PHRASE[lang]} KC42 (Public Speaking)" in sms.render(result.replies, lang)


@pytest.mark.parametrize("answer", ["1", "YES", "Sawa"])
def test_after_the_questions_time_a_digit_or_a_yes_is_routed_as_usual(answer):
    asked_now = run("Ondoka", learner("sw", KC, TU))
    result = run(answer, learner("sw", KC, TU), asked_now.state, NOW + timedelta(minutes=16))
    assert destructive(result) == [] and keys.LEAVE_EXACT not in [r.key for r in result.replies]
    assert keys.RELAYED in [r.key for r in result.replies]  # to the facilitator, as any other text


@pytest.mark.parametrize("lang", languages.SHIPPED)
def test_the_exact_phrase_leaves_that_circle(lang):
    contact = learner(lang, KC, TU)
    asked_now = run(WORDS[lang], contact)
    result = run(f"{WORDS[lang]} tu31", contact, asked_now.state, NOW + timedelta(minutes=1))
    assert result.effects == (Leave("TU31"),) and [r.key for r in result.replies] == [keys.LEAVE_DONE]
    assert result.state is None


@pytest.mark.parametrize("lang", languages.SHIPPED)
def test_english_leave_with_a_code_works_for_everyone(lang):
    contact = learner(lang, KC, TU)
    asked_now = run(WORDS[lang], contact)
    assert run("LEAVE KC42", contact, asked_now.state, NOW + timedelta(minutes=1)).effects == (Leave("KC42"),)
    assert run("LEAVE KC42", contact).effects == (Leave("KC42"),)  # no question open


@pytest.mark.parametrize("lang", languages.SHIPPED)
def test_leave_with_a_code_and_no_question_leaves_at_once(lang):
    result = run(f"{WORDS[lang]} KC42", learner(lang, KC, TU))
    assert result.effects == (Leave("KC42"),) and result.state is None


def test_another_languages_word_does_not_answer_the_open_question():
    contact = learner("es", KC, TU)
    asked_now = run("Salir", contact)
    result = run("Quitter KC42", contact, asked_now.state, NOW + timedelta(minutes=1))
    assert destructive(result) == [] and result.replies[0].key == keys.LEAVE_EXACT


def test_a_code_that_is_not_hers_asks_again():
    result = run("LEAVE ZZ99", learner("en", KC, TU))
    assert destructive(result) == [] and [r.key for r in result.replies] == [keys.LEAVE_WHICH]


def test_asking_again_opens_a_new_question():
    contact = learner("fr", KC, TU)
    first = run("Quitter", contact)
    again = run("Quitter", contact, first.state, NOW + timedelta(minutes=5))
    assert destructive(again) == [] and again.state["expires"] > first.state["expires"]
    assert asked.of_state(again.state) != asked.of_state(first.state)


@pytest.mark.parametrize("lang", languages.SHIPPED)
def test_a_waiting_list_is_left_the_same_way(lang):
    contact = learner(lang, TU, status="waitlist")
    asked_now = run(WORDS[lang], contact)
    assert destructive(asked_now) == [] and [r.key for r in asked_now.replies] == [keys.LEAVE_ASK_LIST]
    assert asked_now.replies[0].params["phrase"] == f"{PHRASE[lang]} TU31"
    assert destructive(run("1", contact, asked_now.state, NOW + timedelta(minutes=1))) == []
    assert run(f"{PHRASE[lang]} TU31", contact, asked_now.state).effects == (Leave("TU31"),)


def test_telegram_buttons_carry_the_phrase_and_the_questions_topic():
    result = run("Sair", learner("pt", KC, TU))
    tagged = asked.tag(result.replies, asked.of_state(result.state))
    rendered = telegram.render(tagged, "pt")
    buttons = [(b.text, b.callback_data) for row in rendered["reply_markup"].inline_keyboard for b in row]
    topic = asked.of_state(result.state)
    assert buttons == [
        ("SAIR KC42 (Public Speaking)", f"{topic}|SAIR KC42"),
        ("SAIR TU31 (Tech Basics)", f"{topic}|SAIR TU31"),
    ]
