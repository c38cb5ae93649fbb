"""Pictures by MMS and WhatsApp (issue 22, item 5): signed Twilio payloads through ``POST /twilio/sms``.

The bot reads text only. A picture alone gets "we can only read text", in the sender's language, whether
they are in a circle or not, and an open question stays open. A picture with a text runs the text; a relay
then says the text was passed on and the picture was not. Nothing ever says a picture was passed on.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from bot.render import texts
from bot.store.models import Conversation, Message, Outbox
from flows import checkin, keys
from tests.helpers import contact_of, make_circle, payload, post_signed, replies, text

AMINA, WANJIRU, FAC = "+18165550123", "+254700555012", "+18165550100"
TEXT_ONLY = texts.TEXTS[keys.MEDIA_ONLY]
PASSED_ON_NOT_PICTURE = texts.TEXTS[keys.MEDIA_RELAYED]
NOT_SEEN = texts.TEXTS[keys.MEDIA_NOT_READ]
PASSED_ON = texts.TEXTS[keys.RELAYED]
TO_JOIN = "To join a circle, text JOIN"


def picture(body: str = "", sender: str = AMINA, whatsapp: bool = False, count: int = 1) -> dict:
    """Twilio's real inbound MMS (or WhatsApp image) payload, with a new MessageSid, sender and body."""
    params = payload("twilio-whatsapp-image.json" if whatsapp else "twilio-mms-inbound.json")
    sid = "MM" + secrets.token_hex(16)
    params.update({"Body": body, "MessageSid": sid, "SmsMessageSid": sid, "SmsSid": sid, "NumMedia": str(count)})
    params["From"] = f"whatsapp:{sender}" if whatsapp else sender
    for i in range(1, count):
        params[f"MediaContentType{i}"] = "image/png"
        params[f"MediaUrl{i}"] = params["MediaUrl0"].rsplit("/", 1)[0] + f"/ME{secrets.token_hex(16)}"
    return params


def send(client, params) -> list[str]:
    return replies(post_signed(client, "/twilio/sms", params))


def join(client, phone: str = AMINA, language: str = "1") -> None:
    text(client, "JOIN KC42", phone), text(client, "Amina", phone), text(client, language, phone)


def relays(uow) -> list[str]:
    """The relay texts waiting for the facilitator."""
    with uow() as session:
        return [
            str(row.replies)
            for row in session.scalars(select(Outbox).where(Outbox.address == FAC, Outbox.kind == "relay"))
        ]


def never_claims_the_picture(said: list[str]) -> None:
    assert PASSED_ON not in said and not any(TO_JOIN in s for s in said), said


@pytest.mark.parametrize("whatsapp", [False, True], ids=["mms", "whatsapp"])
def test_a_picture_alone_from_someone_in_no_circle(client, uow, whatsapp):
    make_circle(uow)
    said = send(client, picture(sender=WANJIRU if whatsapp else AMINA, whatsapp=whatsapp))
    assert said == [TEXT_ONLY]
    with uow() as session:  # stored once, like any text
        assert session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in")) == 1


def join_on(client, whatsapp: bool) -> str:
    """Amina joins by SMS in English, or Wanjiru by WhatsApp in Kiswahili; returns the number."""
    if not whatsapp:
        join(client)
        return AMINA
    for answer in ("JOIN KC42", "Wanjiru", "6"):  # 6: Kiswahili
        sid = "SM" + secrets.token_hex(16)
        send(client, {**payload("twilio-whatsapp-inbound.json"), "Body": answer, "MessageSid": sid})
    return WANJIRU


@pytest.mark.parametrize("whatsapp", [False, True], ids=["mms", "whatsapp"])
def test_a_picture_alone_from_a_learner_is_not_told_to_join(client, uow, whatsapp):
    make_circle(uow)
    phone = join_on(client, whatsapp)
    said = send(client, picture(sender=phone, whatsapp=whatsapp, count=2))
    if whatsapp:
        assert said == [
            "Samahani, tunaweza kusoma maandishi tu, si picha, ujumbe wa sauti wala faili. Andika ujumbe wako."
        ]
    else:
        assert said == [TEXT_ONLY]
    assert relays(uow) == []


@pytest.mark.parametrize("whatsapp", [False, True], ids=["mms", "whatsapp"])
def test_a_picture_with_a_text_for_the_facilitator_passes_on_the_text_only(client, uow, whatsapp):
    make_circle(uow)
    phone = join_on(client, whatsapp)
    said = send(client, picture("Here is my homework", sender=phone, whatsapp=whatsapp))
    if whatsapp:
        assert said == ["Asante, maandishi yako yamepelekwa, lakini si picha au faili: tunaweza kupeleka maandishi tu."]
    else:
        assert said == [PASSED_ON_NOT_PICTURE]
    never_claims_the_picture(said)
    (relayed,) = relays(uow)
    assert "Here is my homework" in relayed


def open_checkin(uow, phone: str) -> None:
    now = datetime.now(timezone.utc)
    with uow() as session:
        contact = contact_of(session, phone)
        state = {**checkin.opening("enrollment:1", "KC42", 1), "name": "Kansas City Basics"}
        state["expires"] = (now + timedelta(days=3)).isoformat()
        session.add(
            Conversation(
                contact_id=contact.id,
                flow=checkin.FLOW,
                state=state,
                expires_at=now + timedelta(days=3),
                updated_at=now,
            )
        )
        session.commit()


def test_a_check_in_answered_with_a_picture_keeps_the_question_or_passes_on_the_text_only(client, uow):
    make_circle(uow)
    join(client)
    open_checkin(uow, AMINA)
    assert send(client, picture()) == [TEXT_ONLY]  # the question is still open, nothing was passed on
    assert relays(uow) == []
    with uow() as session:
        assert session.scalar(select(Conversation.flow)) == checkin.FLOW
    said = send(client, picture("It went well, look at my work"))
    assert said == [PASSED_ON_NOT_PICTURE]
    (relayed,) = relays(uow)
    assert "It went well, look at my work" in relayed
    with uow() as session:
        assert session.scalar(select(Conversation.flow)) is None  # answered


def test_a_picture_with_any_other_text_says_it_was_not_seen(client, uow):
    make_circle(uow)
    said = send(client, picture("JOIN KC42"))  # the text runs as usual
    assert said[0] == NOT_SEEN and said[1].startswith("Welcome to Kansas City Basics")


def test_a_picture_from_an_address_that_said_stop_gets_no_answer(client, uow):
    make_circle(uow)
    join(client)
    text(client, "STOP")
    assert send(client, picture()) == []
    assert send(client, picture("hello?")) == []
