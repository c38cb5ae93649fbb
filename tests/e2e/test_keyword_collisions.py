"""Keywords end to end through the signed ``/twilio/sms`` webhook: sentences stay sentences (issue 16),
and FORGET works after STOP (issue 12, defect 3)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.render import sms
from bot.store.models import Answer, Contact, Enrollment, Message
from flows import choices, keys
from flows.results import Reply
from tests.helpers import address_of, contact_of, make_circle, text


def render(reply, lang):
    """``reply`` as one SMS in ``lang``."""
    return sms.render((reply,), lang)


AMINA = "+18165550123"
FACILITATOR = "+18165550100"


def join(client, uow, language_number="1", **circle):
    make_circle(uow, **circle)
    text(client, "JOIN KC42"), text(client, "Amina"), text(client, language_number)


def language(uow, phone=AMINA):
    with uow() as session:
        contact = contact_of(session, phone)
        return contact.language if contact else None


def known(uow, phone=AMINA) -> bool:
    with uow() as session:
        return contact_of(session, phone) is not None


@pytest.mark.parametrize(
    "forget,confirm",
    [
        ("FORGET", "FORGET YES"),
        ("forget", "forget yes"),
        ("BORRAR", "Forget yes"),  # the question is in the learner's language (en), and so is its phrase
        ("Futa", "FORGET  YES"),
        ("usuń", "forget, yes"),
    ],
)
def test_forget_works_after_stop(client, uow, forget, confirm):
    join(client, uow)
    assert text(client, "STOP") == [render(Reply(keys.STOP_CONFIRMED), "en")]
    assert text(client, "hello") == []
    assert text(client, forget) == [render(Reply(keys.FORGET_CONFIRM, choices=choices.FORGET), "en")]
    assert text(client, confirm) == [render(Reply(keys.FORGET_DONE), "en")]
    assert not known(uow)
    with uow() as session:
        erased = session.scalar(select(Contact).where(Contact.erased_at.is_not(None)))
        assert erased.erased_at is not None and erased.name is None
        assert session.scalar(select(func.count()).select_from(Message).where(Message.address == AMINA)) == 0
        assert session.scalar(select(Enrollment.status)) == "left"


def test_forget_yes_in_one_text_after_stop_asks_first(client, uow):
    """Issue 22: FORGET and a yes in one text never erase; they ask, and the phrase then erases."""
    join(client, uow)
    text(client, "STOP")
    assert text(client, "FORGET YES") == [render(Reply(keys.FORGET_CONFIRM, choices=choices.FORGET), "en")]
    assert known(uow)
    assert text(client, "FORGET YES") == [render(Reply(keys.FORGET_DONE), "en")]
    assert not known(uow)


@pytest.mark.parametrize(
    "language_number,sentence",
    [
        ("2", "Salir del trabajo temprano es difícil"),
        ("2", "Buscar trabajo por internet todavía me cuesta"),
        ("4", "Sair do trabalho mais cedo é complicado"),
        ("5", "Wypisz mi proszę zaświadczenie o udziale w kursie"),
        ("6", "Acha!"),
        ("1", "Stop by the front desk if you get there early"),
        ("1", "Forget about Tuesday, I can come after all"),
    ],
)
def test_a_learner_sentence_is_relayed_not_obeyed(client, uow, language_number, sentence):
    join(client, uow, language_number)
    lang = language(uow)
    assert text(client, sentence) == [render(Reply(keys.RELAYED), lang)]
    with uow() as session:
        assert session.scalar(select(Enrollment.status)) == "active"
        assert address_of(session, AMINA).opted_out_at is None


@pytest.mark.parametrize(
    "language_number,words,phrase", [("4", "Sair KC42", None), ("5", "Wypisz mnie", "Wypisz KC42")]
)
def test_the_new_leave_words_leave(client, uow, language_number, words, phrase):
    join(client, uow, language_number)
    if phrase is not None:  # "Wypisz mnie" asks (issue 22): only the question's phrase leaves
        assert "WYPISZ KC42" in text(client, words)[0]
        words = phrase
    assert text(client, words) == [render(Reply(keys.LEAVE_DONE, {"circle": "Kansas City Basics"}), language(uow))]
    with uow() as session:
        assert session.scalar(select(Enrollment.status)) == "left"
        assert address_of(session, AMINA).opted_out_at is None


@pytest.mark.parametrize(
    "how,reflection",
    [
        ("OCENA KC42", "Grupy były za duże"),
        ("TATHMINI", "Vikundi vidogo vilisaidia"),
        ("BALANÇO KC42", "Mudar o horário para as 18h seria melhor"),
        ("HOW KC42", "Grupy"),
    ],
)
def test_a_facilitator_answer_inside_how_is_kept(client, uow, how, reflection):
    make_circle(uow, starts=datetime.now(timezone.utc).date() - timedelta(days=15))
    assert len(text(client, how, FACILITATOR)) == 2  # the intro and the first question
    text(client, "4", FACILITATOR)
    text(client, "7", FACILITATOR)
    assert len(text(client, reflection, FACILITATOR)) == 1
    with uow() as session:
        stored = session.scalar(select(Answer.value).where(Answer.question_key.like("how%:reflection")))
        assert stored == reflection


@pytest.mark.parametrize("language_number,word,yes", [("4", "Cancelar", "Sim"), ("5", "Koniec", "tak")])
def test_cancelar_and_koniec_ask_before_they_stop(client, uow, language_number, word, yes):
    """Issue 23: pt "Cancelar" and pl "Koniec" with no reminder open ask first; only a yes stops texts."""
    join(client, uow, language_number)
    lang = language(uow)
    assert text(client, word) == [render(Reply(keys.STOP_ASK, choices=choices.YES_NO), lang)]
    with uow() as session:
        assert address_of(session, AMINA).opted_out_at is None
    assert text(client, yes) == [render(Reply(keys.STOP_CONFIRMED), lang)]
    with uow() as session:
        assert address_of(session, AMINA).opted_out_at is not None
