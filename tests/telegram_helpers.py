"""Telegram test helpers: updates shaped like the real samples, posted with the webhook secret."""

from __future__ import annotations

import copy
import itertools
from contextlib import contextmanager

from tests.helpers import RUN_QUEUE, payload

SECRET = "tg-webhook-secret-0123456789"
CHAT = 5512345678
_update_ids = itertools.count(900000001)


def message_update(text: str, chat: int = CHAT, lang: str | None = "sw", update_id: int | None = None) -> dict:
    """A private-chat text message, from ``telegram-text.json`` with a new update id."""
    update = copy.deepcopy(payload("telegram-text.json"))
    update["update_id"] = update_id or next(_update_ids)
    message = update["message"]
    message["text"], message["chat"]["id"], message["from"]["id"] = text, chat, chat
    message.pop("entities", None)
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    if lang is None:
        message["from"].pop("language_code", None)
    else:
        message["from"]["language_code"] = lang
    return update


def tap_update(data: str, message_id: int, chat: int = CHAT, update_id: int | None = None) -> dict:
    """A button tap on the bot's message ``message_id``, from ``telegram-callback.json``."""
    update = copy.deepcopy(payload("telegram-callback.json"))
    update["update_id"] = update_id or next(_update_ids)
    query = update["callback_query"]
    query["id"] = str(update["update_id"]) + "7"
    query["data"], query["from"]["id"] = data, chat
    query["message"]["chat"]["id"], query["message"]["message_id"] = chat, message_id
    return update


def post(client, update, secret: str | None = SECRET):
    """Posts an update to ``/telegram`` with the secret header (None: without it)."""
    headers = {} if secret is None else {"X-Telegram-Bot-Api-Secret-Token": secret}
    return client.post("/telegram", json=update, headers=headers)


def answer(client, update) -> dict:
    """Posts an update and returns the JSON method the webhook answered with (asserting a 200)."""
    response = post(client, update)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def telegram_overrides(backend, tmp_path, api_url: str, token: str) -> dict:
    """App settings for a Telegram bot on the stand-in, with no quiet hours and no SMS pacing."""
    from tests.helpers import AUTH_TOKEN, BASE_URL

    return {
        "DATABASE_URL": backend["DATABASE_URL"],
        "REDIS_URL": backend["REDIS_URL"],
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "PUBLIC_BASE_URL": BASE_URL,
        "INSTANCE_PATH": str(tmp_path),
        "queue_name": RUN_QUEUE,
        "TELEGRAM_BOT_TOKEN": token,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE": api_url,
        "QUIET_HOURS": "",
        "send_rate_per_second": 0,
    }


@contextmanager
def telegram_app(backend, tmp_path):
    """``(app, api)``: the app with Telegram on, and the Bot API stand-in it talks to."""
    from bot import create_app
    from tests.standin.telegram_api import TOKEN, TelegramStandIn

    with TelegramStandIn() as api:
        overrides = telegram_overrides(backend, tmp_path, api.url, TOKEN)
        overrides["quiet_hours"] = ""
        app = create_app(overrides)
        app.config["TESTING"] = True
        try:
            yield app, api
        finally:
            app.extensions["circlebot"].uow.engine.dispose()
