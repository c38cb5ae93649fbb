"""Signing in to the facilitator pages as ``@username``: the username arrives with each Telegram update,
is kept on the Telegram address (moved, changed or dropped as Telegram says), is erased by FORGET, and the
code goes to that chat. An unknown username gets the same answer as a known one."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from bot.store.models import Address, Contact, Facilitator, Outbox
from tests.e2e.test_facilitator_pages import A_PHONE, csrf, get, last_code, post
from tests.helpers import RUN_QUEUE, make_circle
from tests.telegram_helpers import answer, message_update, telegram_overrides

CHAT, OTHER_CHAT = 5512345678, 5598765432


@pytest.fixture
def tg_pages(backend, tmp_path):
    """``(client, uow)``: the pages and ``/telegram`` on one app, Telegram talking to the stand-in."""
    from bot import create_app
    from tests.standin.telegram_api import TOKEN, TelegramStandIn

    with TelegramStandIn() as api:
        overrides = telegram_overrides(backend, tmp_path, api.url, TOKEN)
        # This run's Redis namespace, which each test empties (the sign-in rate limits live there).
        overrides.update(SECRET_KEY="test-secret-key-for-sessions", queue_name=RUN_QUEUE)
        app = create_app(overrides)
        app.config.update(TESTING=True, WTF_CSRF_SSL_STRICT=False)
        try:
            yield app.test_client(), app.extensions["circlebot"].uow
        finally:
            app.extensions["circlebot"].uow.engine.dispose()


def said(client, text: str, chat: int = CHAT, username: str | None = "KC_Librarian") -> dict:
    update = message_update(text, chat, "en")
    if username is None:
        update["message"]["from"].pop("username", None)
    else:
        update["message"]["from"]["username"] = username
    return answer(client, update)


def facilitator_on_telegram(uow, chat: int = CHAT) -> None:
    """The circle's facilitator also reachable on Telegram (as LINK leaves it)."""
    make_circle(uow, facilitator=A_PHONE)
    now = datetime.now(timezone.utc)
    with uow() as db:
        contact_id = db.scalar(select(Facilitator.contact_id))
        db.add(
            Address(
                contact_id=contact_id,
                channel="telegram",
                value=str(chat),
                preferred=False,
                consent_at=now,
                consent_source="link",
                created_at=now,
            )
        )
        db.commit()


def usernames(uow) -> dict[str, str | None]:
    with uow() as db:
        return dict(db.execute(select(Address.value, Address.username).where(Address.channel == "telegram")).all())


def login_rows(uow) -> list[tuple[str, str]]:
    with uow() as db:
        return db.execute(
            select(Outbox.channel, Outbox.address).where(Outbox.kind == "login").order_by(Outbox.id)
        ).all()


def test_sign_in_with_the_telegram_username_sends_the_code_to_that_chat(tg_pages):
    client, uow = tg_pages
    facilitator_on_telegram(uow)
    said(client, "HELP")
    assert usernames(uow) == {str(CHAT): "kc_librarian"}
    assert "Telegram username" in get(client, "/facilitator/login").get_data(as_text=True)

    known = post(client, "/facilitator/login", {"address": "@KC_Librarian"})
    unknown = post(client, "/facilitator/login", {"address": "@nobody_here"}, token=csrf(client))
    not_a_name = post(client, "/facilitator/login", {"address": "@a!"}, token=csrf(client))
    assert known.status_code == unknown.status_code == not_a_name.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == not_a_name.headers["Location"]
    assert [tuple(r) for r in login_rows(uow)] == [("telegram", str(CHAT))]

    post(client, "/facilitator/login", {"address": "t.me/kc_librarian"}, token=csrf(client))
    response = post(client, "/facilitator/login/code", {"code": last_code(uow)}, token=csrf(client))
    assert response.status_code == 302 and response.headers["Location"].endswith("/facilitator/circles")
    assert "KC42" in get(client, "/facilitator/circles").get_data(as_text=True)


def test_the_username_follows_telegram_changed_moved_or_dropped(tg_pages):
    client, uow = tg_pages
    facilitator_on_telegram(uow)
    said(client, "HELP", username="Old_Name")
    said(client, "HELP", username="kc_librarian")
    assert usernames(uow) == {str(CHAT): "kc_librarian"}
    said(client, "HELP", chat=OTHER_CHAT, username="KC_LIBRARIAN")  # the name passed on to someone else
    assert usernames(uow) == {str(CHAT): None, str(OTHER_CHAT): "kc_librarian"}
    post(client, "/facilitator/login", {"address": "@kc_librarian"})
    assert login_rows(uow) == []  # the new holder is not staff: no code, same answer
    said(client, "HELP", chat=OTHER_CHAT, username=None)
    assert usernames(uow)[str(OTHER_CHAT)] is None


def test_forget_erases_the_username(tg_pages):
    client, uow = tg_pages
    make_circle(uow, facilitator=A_PHONE)
    said(client, "/start KC42", chat=OTHER_CHAT, username="amina_o")
    assert usernames(uow) == {str(OTHER_CHAT): "amina_o"}
    said(client, "FORGET", chat=OTHER_CHAT, username="amina_o")
    said(client, "FORGET YES", chat=OTHER_CHAT, username="amina_o")  # the phrase its question shows
    with uow() as db:
        assert db.scalar(select(Address.id).where(Address.username == "amina_o")) is None
        assert db.scalars(select(Contact).where(Contact.erased_at.is_not(None))).all()
