"""Issue 22, item 1: nothing a person did not mean erases them. Pure router tables.

Erasure starts only from the FORGET keyword of a language standing alone, then the exact phrase its
question shows, in that language, within 15 minutes. "Sahau" and "Zapomnij" are everyday "never mind";
"Sahau, sawa", "Zapomnij, jasne" and "Borrar, claro" never erase, and no digit or yes-word confirms.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.render.i18n import gettext
from bot.render.texts import TEXTS
from flows import keys, keywords, languages
from flows.context import CircleView, ContactView, Context, EnrollmentView
from flows.inbound import Inbound
from flows.results import Erase, Leave
from flows.router import handle

NOW = datetime(2026, 12, 3, 16, 0, tzinfo=timezone.utc)
KC = CircleView(
    "KC42", "Kansas City Basics", "Central Library", "America/Chicago", "en", 12, 5, NOW + timedelta(days=5)
)


def learner(lang: str) -> ContactView:
    return ContactView(name="Amina", language=lang, enrollments=(EnrollmentView(KC, "active"),))


def run(text: str, state=None, lang: str = "en", now: datetime = NOW, opted_out: bool = False):
    contact = learner(lang)
    if opted_out:
        contact = ContactView(contact.name, lang, True, contact.enrollments)
    ctx = Context(now=now, contact=contact, circles={"KC42": KC})
    return handle(state, Inbound("sms", "+254712345678", text, "SM1", now), ctx)


def destructive(result) -> list:
    return [e for e in result.effects if isinstance(e, (Erase, Leave))]


@pytest.mark.parametrize(
    "lang,text",
    [
        ("sw", "Sahau, sawa"),
        ("pl", "Zapomnij, jasne"),
        ("es", "Borrar, claro"),
        ("sw", "Sahau"),
        ("pl", "Zapomnij"),
        ("es", "Borrar"),
        ("sw", "Sahau tu, nitakuja Jumanne"),
        ("pl", "Zapomnij, już wszystko wiem"),
        ("es", "Borrar la pizarra al final ayudó"),
        ("en", "FORGET YES"),
        ("es", "Olvidar, sí"),
    ],
)
def test_a_casual_phrase_never_erases_nor_leaves(lang, text):
    result = run(text, lang=lang)
    assert destructive(result) == []


@pytest.mark.parametrize(
    "lang,text", [("sw", "Sahau"), ("pl", "Zapomnij"), ("sw", "Sahau, sawa"), ("pl", "Zapomnij, jasne")]
)
def test_never_mind_is_not_forget_at_all(lang, text):
    result = run(text, lang=lang)
    assert keys.FORGET_CONFIRM not in [r.key for r in result.replies]


@pytest.mark.parametrize("answer", ["1", "Sí", "Sawa", "OK", "YES", "Si claro", "Borrar", "Borrar sí", "FORGET YES"])
def test_after_borrar_a_digit_or_a_yes_never_confirms(answer):
    asked = run("Borrar", lang="es")
    assert [r.key for r in asked.replies] == [keys.FORGET_CONFIRM] and asked.language == "es"
    assert destructive(run(answer, asked.state, lang="es", now=NOW + timedelta(minutes=1))) == []


@pytest.mark.parametrize(
    "lang,word,phrase",
    [
        ("en", "FORGET", "forget yes"),
        ("es", "Olvidar", "OLVIDAR SÍ"),
        ("es", "Borrar", "Olvidar sí"),
        ("fr", "Oublier", "oublier oui"),
        ("pt", "Esquecer", "Esquecer sim"),
        ("pl", "Usuń", "USUŃ TAK"),
        ("sw", "Futa", "futa ndiyo"),
    ],
)
def test_the_exact_phrase_of_the_question_erases_within_fifteen_minutes(lang, word, phrase):
    asked = run(word, lang=lang)
    assert asked.state["lang"] == lang
    done = run(phrase, asked.state, lang=lang, now=NOW + timedelta(minutes=14))
    assert [r.key for r in done.replies] == [keys.FORGET_DONE] and done.effects == (Erase(),)
    late = run(phrase, asked.state, lang=lang, now=NOW + timedelta(minutes=15, seconds=1))
    assert destructive(late) == []


def test_the_phrase_of_another_language_does_not_erase():
    asked = run("Olvidar", lang="es")
    assert destructive(run("FUTA NDIYO", asked.state, lang="es")) == []


def test_after_stop_only_the_phrase_erases():
    asked = run("Futa", lang="sw", opted_out=True)
    assert [r.key for r in asked.replies] == [keys.FORGET_CONFIRM]
    assert destructive(run("Sawa", asked.state, lang="sw", opted_out=True)) == []
    assert run("Futa ndiyo", asked.state, lang="sw", opted_out=True).effects == (Erase(),)


@pytest.mark.parametrize("lang", languages.SHIPPED)
def test_the_question_shows_the_phrase_that_confirms_it(lang):
    shown = keywords.words(gettext(TEXTS[keys.PROMPT_FORGET], lang))
    phrase = list(keywords.FORGET_CONFIRMATIONS[lang])
    assert any(shown[i : i + len(phrase)] == phrase for i in range(len(shown))), shown
    assert phrase[0] in keywords.COMMANDS[keywords.FORGET][lang]
