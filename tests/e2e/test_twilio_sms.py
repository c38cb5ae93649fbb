"""``POST /twilio/sms`` end to end: signed requests through Flask, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.store.models import Address, Contact, Conversation, Enrollment, Message, Outbox
from tests.helpers import address_of, contact_of, make_circle, payload, post_signed, replies, sign, sms, text

AMINA = "+18165550123"


def count(uow, model, *where) -> int:
    with uow() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_join_conversation_from_first_text_to_enrollment(client, uow):
    make_circle(uow)
    first = replies(post_signed(client, "/twilio/sms", payload("twilio-sms-inbound.json")))
    assert first == ["Welcome to Kansas City Basics! What is your first name?"]
    asked = text(client, "Amina")
    assert "Which language" in asked[0] and "1 English" in asked[0] and "6 Kiswahili" in asked[0]
    done = text(client, "1")
    assert done[0].startswith("You're in, Amina! Kansas City Basics meets at Central Library. First meeting: ")
    assert "HELP" in done[0] and "STOP" in done[0]
    with uow() as session:
        contact = contact_of(session, AMINA)
        assert contact.name == "Amina" and contact.language == "en"
        address = address_of(session, AMINA)
        assert address.consent_at is not None and address.consent_source == "sms" and address.preferred
        enrollment = session.scalar(select(Enrollment).where(Enrollment.contact_id == contact.id))
        assert enrollment.status == "active"
        assert session.scalar(select(func.count()).select_from(Conversation)) == 0
        notice = session.scalar(select(Outbox))
        assert notice.address == "+18165550100" and notice.replies[0]["key"] == "facilitator.joined"
        assert notice.replies[0]["params"]["name"] == "Amina" and notice.body is None  # rendered when sent
    assert count(uow, Message, Message.direction == "in") == 3


def test_bare_code_and_spacing_and_case_start_signup(client, uow):
    make_circle(uow)
    assert text(client, "  kc42 ")[0].startswith("Welcome to Kansas City Basics")
    assert text(client, "join   KC 42", "+18165550124")[0].startswith("Welcome to Kansas City Basics")
    assert text(client, "Join kc42!", "+18165550125")[0].startswith("Welcome to Kansas City Basics")


def test_whatsapp_goes_through_the_same_path(client, uow):
    make_circle(uow, code="NDIYO")  # the sample's body is a circle code here
    params = payload("twilio-whatsapp-inbound.json")
    assert replies(post_signed(client, "/twilio/sms", params))[0].startswith("Welcome to")
    with uow() as session:
        message = session.scalar(select(Message))
        assert message.channel == "whatsapp" and message.address == "+254700555012"


@pytest.mark.parametrize("tamper", ["forged", "missing", "body", "other_url"])
def test_bad_signature_gets_403_and_writes_nothing(client, uow, tamper):
    make_circle(uow)
    params = sms("JOIN KC42")
    signature = sign("/twilio/sms", params)
    if tamper == "forged":
        signature = sign("/twilio/sms", params, token="not-the-token")
    elif tamper == "missing":
        signature = ""
    elif tamper == "body":
        params = {**params, "Body": "STOP"}
    elif tamper == "other_url":
        signature = sign("/twilio/status", params)
    response = post_signed(client, "/twilio/sms", params, signature=signature)
    assert response.status_code == 403
    assert count(uow, Message) == 0 and count(uow, Contact) == 1  # only the facilitator


def test_same_message_sid_three_times_is_one_row_one_effect_same_reply(client, uow):
    make_circle(uow)
    params = sms("JOIN KC42")
    answers = [post_signed(client, "/twilio/sms", params).get_data(as_text=True) for _ in range(3)]
    assert answers[0] == answers[1] == answers[2]
    assert "What is your first name?" in answers[0]
    assert count(uow, Message) == 1
    name = sms("Amina")
    for _ in range(3):
        post_signed(client, "/twilio/sms", name)
    lang = sms("1")
    for _ in range(3):
        post_signed(client, "/twilio/sms", lang)
    assert count(uow, Enrollment) == 1 and count(uow, Outbox) == 1 and count(uow, Message) == 3


def test_stop_mid_signup_confirms_once_then_silence(client, uow):
    make_circle(uow)
    text(client, "JOIN KC42")
    stop = text(client, "stop")
    assert stop == ["You will not get any more texts from us. Text START to get them again."]
    assert count(uow, Conversation) == 0
    for body in ("STOP", "Amina", "1", "JOIN KC42", "yes", "hello"):
        assert text(client, body) == []
    assert count(uow, Outbox) == 0 and count(uow, Enrollment) == 0
    assert text(client, "HELP") == ["You stopped our texts. Text START to get them again."]
    assert text(client, "START")[0].startswith("Welcome back!")
    assert text(client, "JOIN KC42")[0].startswith("Welcome to")


@pytest.mark.parametrize("word", ["STOPALL", "unsubscribe", "Cancel", "END", "quit", "REVOKE", "optout", "Stop."])
def test_every_stop_word_works(client, uow, word):
    assert text(client, word)[0].startswith("You will not get any more texts")
    with uow() as session:
        assert session.scalar(select(Address.opted_out_at)) is not None


def test_yes_is_not_an_opt_in(client, uow):
    text(client, "STOP")
    assert text(client, "YES") == []
    with uow() as session:
        assert session.scalar(select(Address.opted_out_at)) is not None
    assert text(client, "unstop")[0].startswith("Welcome back!")


def test_unknown_code_full_circle_already_in_and_two_circles(client, uow):
    make_circle(uow, code="KC42", capacity=1)
    make_circle(uow, code="MIA7", name="Miami Ingles", venue="Little Havana Branch", tz="America/New_York")
    assert "no circle with the code ZZ99" in text(client, "JOIN ZZ99")[0]
    text(client, "JOIN KC42"), text(client, "Amina"), text(client, "1")
    assert text(client, "JOIN KC42") == [text(client, "JOIN KC42")[0]]
    assert text(client, "JOIN KC42")[0].startswith("You're already in Kansas City Basics")
    # a second circle: name and language are known, so it enrolls at once
    assert text(client, "JOIN MIA7")[0].startswith("You're in, Amina! Miami Ingles")
    # the first circle is full (capacity 1): the next learner is waitlisted
    text(client, "JOIN KC42", "+18165550124"), text(client, "Ben", "+18165550124")
    waitlisted = text(client, "1", "+18165550124")
    assert "is full, so you are on the waiting list" in waitlisted[0]
    assert text(client, "KC42", "+18165550124")[0].startswith("You're already on the waiting list")
    help_text = text(client, "help")[0]
    assert "Kansas City Basics (KC42)" in help_text and "Miami Ingles (MIA7)" in help_text
    with uow() as session:
        statuses = sorted(session.scalars(select(Enrollment.status)))
    assert statuses == ["active", "active", "waitlist"]


BAD_BODIES = {
    "empty": "",
    "1600 chars": "a" * 1600,
    "emoji only": "🙂🙂🎉",
    "right-to-left": "مرحبا، أريد الانضمام",
    "control chars": "\x00\x07hello\x1b",
}


@pytest.mark.parametrize("body", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_bodies_get_a_polite_reply_and_are_stored(client, uow, body):
    answer = text(client, body)
    assert answer == ["Sorry, we did not understand. To join a circle, text JOIN and its code. Text HELP for help."]
    with uow() as session:
        assert session.scalar(select(Message.body)) == body.replace("\x00", "").replace("\x07", "").replace("\x1b", "")


def test_emoji_name_is_asked_again(client, uow):
    make_circle(uow)
    text(client, "JOIN KC42")
    assert text(client, "🙂") == ["Sorry, we did not get that. Please reply with your first name."]
    assert "Which language" in text(client, "Amina 🙂")[0]
    assert text(client, "99")[0].startswith(
        "Sorry, we did not get that. Which language do you want?\nReply with a number:"
    )


def test_sender_that_is_not_a_phone_number_gets_a_polite_reply(client, uow):
    answer = replies(post_signed(client, "/twilio/sms", sms("JOIN KC42", sender="not-a-number")))
    assert answer == ["Sorry, we could not read your phone number, so we cannot sign you up."]
    assert count(uow, Message) == 1 and count(uow, Contact) == 0


@pytest.mark.parametrize("missing", ["MessageSid", "From"])
def test_missing_form_fields_get_400_not_500(client, uow, missing):
    params = sms("JOIN KC42")
    for key in (missing, "SmsMessageSid", "SmsSid") if missing == "MessageSid" else (missing,):
        params.pop(key)
    response = post_signed(client, "/twilio/sms", params)
    assert response.status_code == 400
    assert "required" in response.get_json()["detail"]
    assert count(uow, Message) == 0


def test_missing_body_is_treated_as_empty(client, uow):
    params = sms("x")
    params.pop("Body")
    assert replies(post_signed(client, "/twilio/sms", params))[0].startswith("Sorry, we did not understand")


def test_get_is_405(client):
    assert client.get("/twilio/sms").status_code == 405
