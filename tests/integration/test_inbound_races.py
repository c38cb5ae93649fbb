"""Issue 12 (1): no inbound text is lost, whatever fails inside its transaction (both backends).

A unique conflict (a race with another message) runs the message again. A failure that does not go
away keeps the inbound row with status ``failed`` and answers 503; the same ``MessageSid`` sent again
(Twilio's retry, a fallback URL, an operator) is then handled as new, once.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select

from bot.inbound import effects
from bot.store.models import Address, Message
from tests.helpers import make_circle, post_signed, replies, sms, text

AMINA = "+18165550123"


def _join(client, uow):
    make_circle(uow)
    for body in ("JOIN KC42", "Amina", "1"):
        text(client, body, AMINA)


def _real_unique_conflict(session) -> None:
    """Inserts a second address with a taken (channel, value): the database raises IntegrityError."""
    session.execute(
        insert(Address).values(
            contact_id=select(Address.contact_id).where(Address.value == AMINA).limit(1).scalar_subquery(),
            channel="sms",
            value=AMINA,
            preferred=False,
            created_at=func.now(),
        )
    )


@pytest.fixture
def failing(monkeypatch):
    """Makes the next ``n`` inbound transactions fail inside ``Applier.apply`` with ``how``."""
    state = {"left": 0, "how": None}
    apply = effects.Applier.apply

    def flaky(self, effects_):
        if state["left"] > 0:
            state["left"] -= 1
            if state["how"] == "unique":
                _real_unique_conflict(self.session)
            raise RuntimeError("a bug in an effect")
        return apply(self, effects_)

    monkeypatch.setattr(effects.Applier, "apply", flaky)

    def arm(n: int, how: str) -> None:
        state["left"], state["how"] = n, how

    return arm


def _rows(uow, sid: str):
    with uow() as session:
        return session.execute(select(Message.status, Message.body).where(Message.provider_id == sid)).all()


def test_a_unique_conflict_runs_the_message_again(client, uow, failing):
    _join(client, uow)
    failing(2, "unique")  # two lost races, then it goes through
    params = sms("HELP", AMINA)
    answer = replies(post_signed(client, "/twilio/sms", params))
    assert answer and "KC42" in answer[0]
    assert _rows(uow, params["MessageSid"]) == [("received", "HELP")]


@pytest.mark.parametrize("how", ["unique", "bug"])
def test_a_lasting_failure_keeps_the_text_and_asks_for_a_retry(client, uow, failing, how):
    _join(client, uow)
    failing(10, how)
    params = sms("NO", AMINA)
    response = post_signed(client, "/twilio/sms", params)
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert _rows(uow, params["MessageSid"]) == [("failed", "NO")]  # kept, not lost

    failing(0, how)  # the cause is gone: the same MessageSid again is handled as new, once
    first = replies(post_signed(client, "/twilio/sms", params))
    again = replies(post_signed(client, "/twilio/sms", params))
    assert first == again and len(first) == 1
    assert _rows(uow, params["MessageSid"]) == [("received", "NO")]


def test_a_retried_relay_goes_out_once(client, uow, failing):
    from bot.store.models import Outbox, RelayHandle

    _join(client, uow)
    failing(10, "unique")
    params = sms("Is the library open on Monday?", AMINA)
    assert post_signed(client, "/twilio/sms", params).status_code == 503
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == "relay")) == 0
    failing(0, "unique")
    answers = {tuple(replies(post_signed(client, "/twilio/sms", params))) for _ in range(3)}
    assert answers == {("Thanks, your message was passed on.",)}
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Outbox).where(Outbox.kind == "relay")) == 1
        assert session.scalars(select(RelayHandle.number)).all() == [1]


def test_a_new_senders_first_text_is_kept_too(client, uow, failing):
    make_circle(uow)
    failing(10, "bug")
    params = sms("JOIN KC42", "+18165550177")
    assert post_signed(client, "/twilio/sms", params).status_code == 503
    assert _rows(uow, params["MessageSid"]) == [("failed", "JOIN KC42")]
    failing(0, "bug")
    assert replies(post_signed(client, "/twilio/sms", params)) == replies(post_signed(client, "/twilio/sms", params))
    assert _rows(uow, params["MessageSid"]) == [("received", "JOIN KC42")]


def test_the_worker_handles_a_kept_text_and_sends_its_answer(client, uow, failing):
    from bot.outbound import jobs
    from bot.store.models import Outbox

    _join(client, uow)
    failing(10, "bug")
    params = sms("HELP", AMINA)
    assert post_signed(client, "/twilio/sms", params).status_code == 503
    failing(0, "bug")
    assert jobs.retry_failed() == 1 and jobs.retry_failed() == 0  # once
    assert _rows(uow, params["MessageSid"]) == [("received", "HELP")]
    with uow() as session:
        answer = session.execute(select(Outbox.address, Outbox.status).where(Outbox.kind == "reply")).all()
    assert answer == [(AMINA, "pending")]
    assert replies(post_signed(client, "/twilio/sms", params))  # Twilio's own retry now gets the stored answer
