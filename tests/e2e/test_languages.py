"""Signup in each of the six languages, end to end through the signed ``/twilio/sms`` path."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.render import sms
from bot.render.i18n import format_when
from bot.settings import SHIPPED_LOCALES
from bot.store.models import Address, Enrollment
from flows import keys
from flows.choices import language_menu
from flows.results import Reply, When
from tests.helpers import address_of, contact_of, make_circle, text


def render(reply, lang):
    """``reply`` as one SMS in ``lang``."""
    return sms.render((reply,), lang)


# language: (join keyword, menu number, help word, stop word, language word)
WORDS = {
    "en": ("JOIN", "1", "HELP", "STOP", "LANGUAGE"),
    "es": ("UNIRSE", "2", "AYUDA", "ALTO", "IDIOMA"),
    "fr": ("REJOINDRE", "3", "AIDE", "ARRÊT", "LANGUE"),
    "pt": ("ENTRAR", "4", "AJUDA", "PARAR", "LÍNGUA"),
    "pl": ("DOŁĄCZ", "5", "POMOC", "STOP", "JĘZYK"),
    "sw": ("JIUNGE", "6", "MSAADA", "SITISHA", "LUGHA"),
}


def expected(key, lang, choices=None, **params):
    return render(Reply(key, params, choices), lang)


@pytest.mark.parametrize("lang", WORDS)
def test_whole_signup_in_each_language(client, uow, lang):
    join, number, help_word, stop_word, _ = WORDS[lang]
    make_circle(uow, name="Basic Computers", venue="Central Library")
    with uow() as session:
        from bot.store.models import Meeting

        first = session.scalars(select(Meeting.starts_at).order_by(Meeting.starts_at)).first()

    assert text(client, f"{join} kc42") == [expected(keys.SIGNUP_ASK_NAME, lang, circle="Basic Computers")]
    menu = language_menu(SHIPPED_LOCALES)
    assert text(client, "Amina") == [expected(keys.SIGNUP_ASK_LANGUAGE, lang, menu, name="Amina")]
    confirmed = text(client, number)[0]
    when = When(first, "America/Chicago")
    assert confirmed == expected(
        keys.SIGNUP_CONFIRMED, lang, name="Amina", circle="Basic Computers", venue="Central Library", when=when
    )
    assert format_when(when, lang).split(",")[0].split(" ")[0].lower()[:3] in confirmed.lower()
    if lang != "en":
        assert confirmed != expected(
            keys.SIGNUP_CONFIRMED, "en", name="Amina", circle="Basic Computers", venue="Central Library", when=when
        )
    assert text(client, help_word) == [
        expected(keys.HELP_CIRCLES, lang, circles="Basic Computers (KC42)"),
        expected(keys.HELP_MORE, lang),
    ]
    assert text(client, stop_word) == [expected(keys.STOP_CONFIRMED, lang)]
    assert text(client, "hola") == []
    with uow() as session:
        contact = contact_of(session, "+18165550123")
        assert contact.language == lang and address_of(session, "+18165550123").opted_out_at is not None
        assert session.scalar(select(Enrollment.status)) == "active"


@pytest.mark.parametrize("lang", [lang for lang in WORDS if lang != "en"])
def test_the_first_keyword_picks_the_starting_language(client, uow, lang):
    make_circle(uow)
    assert text(client, f"{WORDS[lang][0]} KC42") == [expected(keys.SIGNUP_ASK_NAME, lang, circle="Kansas City Basics")]


def test_english_join_starts_in_the_circles_language(client, uow):
    make_circle(uow, code="MIA7", language="es", name="Ingles Basico")
    assert text(client, "JOIN MIA7") == [expected(keys.SIGNUP_ASK_NAME, "es", circle="Ingles Basico")]


@pytest.mark.parametrize("lang", WORDS)
def test_language_can_be_switched_at_any_time(client, uow, lang):
    make_circle(uow)
    text(client, "JOIN KC42"), text(client, "Amina"), text(client, "1")
    menu = text(client, WORDS[lang][4])[0]
    assert "1 English" in menu and "6 Kiswahili" in menu
    from flows.keywords import LANGUAGE_NAMES

    assert text(client, WORDS[lang][1]) == [expected(keys.LANGUAGE_SET, lang, language=LANGUAGE_NAMES[lang])]
    assert text(client, "HELP") == [
        expected(keys.HELP_CIRCLES, lang, circles="Kansas City Basics (KC42)"),
        expected(keys.HELP_MORE, lang),
    ]


def test_stop_words_of_every_language_work_for_everyone(client, uow):
    for i, (lang, words) in enumerate(WORDS.items()):
        sender = f"+1816555020{i}"
        assert text(client, words[3], sender)[0], lang
        with uow() as session:
            assert session.scalar(select(Address.opted_out_at).where(Address.value == sender)) is not None
