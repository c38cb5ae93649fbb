"""The simulator's Telegram chats: real Telegram updates, posted with the secret to ``/telegram``.

``/simulator/telegram/update`` builds an update shaped like Telegram's (a text message or a button
tap) and returns it with the webhook secret; the page posts it to the real ``/telegram`` webhook, so
the real path runs. ``/simulator/telegram/messages`` lists one chat: what it sent, the replies (with
their inline keyboards) and what the bot sent on its own. Only the demo registers this blueprint.
"""

from __future__ import annotations

import itertools
import time

from flask import Blueprint, abort, current_app, jsonify, request
from sqlalchemy import select

from bot.inbound.service import from_stored
from bot.render import telegram as render_telegram
from bot.store.models import Message
from flows import asked

bp = Blueprint("simulator_telegram", __name__)
BOT = {"id": 7000000001, "is_bot": True, "first_name": "Circle Bot", "username": "circle_demo_bot"}
REPLY_IDS, SENT_IDS = 10_000_000, 20_000_000  # message ids the page's keyboards name
MAX_MESSAGES = 500
_update_ids = itertools.count(int(time.time() * 1000) % 1_000_000_000)


def _chat(raw) -> int:
    try:
        chat = int(str(raw).strip())
    except ValueError:
        abort(400, description="a Telegram chat id is a number, like 5512345678")
    if not 0 < chat < 10**15:
        abort(400, description="a Telegram chat id is a positive number")
    return chat


@bp.post("/simulator/telegram/update")
def make_update():
    """A Telegram update for the page to post to ``/telegram``, and the secret header's value."""
    if not request.is_json:
        abort(415, description="send JSON")
    data = request.get_json(silent=True) or {}
    chat = _chat(data.get("chat"))
    user = {"id": chat, "is_bot": False, "first_name": "Learner", "language_code": str(data.get("lang") or "en")[:8]}
    update_id = next(_update_ids)
    if data.get("data") is not None:
        message = {
            "message_id": int(data.get("message_id") or 0),
            "from": BOT,
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "Learner"},
            "text": "…",
        }
        update = {
            "update_id": update_id,
            "callback_query": {
                "id": str(update_id),
                "from": user,
                "message": message,
                "chat_instance": str(chat),
                "data": str(data["data"])[:64],
            },
        }
    else:
        text = str(data.get("text") or "")[:4096]
        if not text.strip():
            abort(400, description="a message cannot be empty")
        update = {
            "update_id": update_id,
            "message": {
                "message_id": update_id % 1_000_000,
                "from": user,
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private", "first_name": "Learner"},
                "text": text,
            },
        }
    secret = current_app.extensions["circlebot"].settings.telegram_webhook_secret
    return jsonify(update=update, secret=secret)


@bp.get("/simulator/telegram/messages")
def chat_messages():
    """One chat, oldest first; a message with buttons has ``buttons`` and the ``message_id`` a tap names."""
    chat = str(_chat(request.args.get("chat")))
    with current_app.extensions["circlebot"].uow() as session:
        rows = session.scalars(
            select(Message)
            .where(Message.channel == "telegram", Message.address == chat)
            .order_by(Message.id.desc())
            .limit(MAX_MESSAGES)
        ).all()[::-1]
        tapped = {
            int(r.provider_id.rsplit("-", 1)[1])
            for r in rows
            if (r.provider_id or "").startswith("tg-cb-") and r.provider_id.rsplit("-", 1)[1].isdigit()
        }
        out = []
        labels: dict[int, dict[str, str]] = {}  # message id → callback data → the button's label
        for row in rows:
            at = row.created_at.isoformat()
            if row.direction == "out":
                markup = (row.replies or {}).get("reply_markup") if isinstance(row.replies, dict) else None
                labels[SENT_IDS + row.id] = _labels(markup)
                out.append(
                    {
                        "key": row.provider_id or f"id{row.id}",
                        "direction": "out",
                        "body": row.body,
                        "at": at,
                        "message_id": SENT_IDS + row.id,
                        "buttons": [] if SENT_IDS + row.id in tapped else _buttons(markup),
                    }
                )
                continue
            tap = (row.provider_id or "").startswith("tg-cb-")
            body = _tapped_label(labels, row.provider_id, row.body) if tap else row.body
            out.append({"key": row.provider_id, "direction": "in", "at": at, "body": body, "tap": tap})
            handled = from_stored(row.replies)
            if handled.replies:
                rendered = render_telegram.render(handled.replies, handled.language)
                markup = rendered.get("reply_markup")
                labels[REPLY_IDS + row.id] = _labels(markup.to_dict() if markup is not None else None)
                shown = None if REPLY_IDS + row.id in tapped or markup is None else markup.to_dict()
                out.append(
                    {
                        "key": f"{row.provider_id}#0",
                        "direction": "out",
                        "body": rendered["text"],
                        "at": at,
                        "message_id": REPLY_IDS + row.id,
                        "buttons": _buttons(shown),
                    }
                )
    return jsonify(chat=chat, messages=out)


def _labels(markup: dict | None) -> dict[str, str]:
    """Each button's callback data (and the value it carries) → its label."""
    found: dict[str, str] = {}
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            data, text = str(button.get("callback_data") or ""), str(button.get("text") or "")
            found.setdefault(data, text)
            found.setdefault(asked.split(data)[1].rsplit(":", 1)[-1], text)
    return found


def _tapped_label(labels: dict[int, dict[str, str]], provider_id: str | None, value: str) -> str:
    """What a tap shows in the chat (Telegram shows the tapped button's label, not its data)."""
    message_id = (provider_id or "").rsplit("-", 1)[-1]
    label = labels.get(int(message_id), {}).get(value) if message_id.isdigit() else None
    return f"\u261d {label}" if label else f"[{value}]"


def _buttons(markup: dict | None) -> list:
    if not markup:
        return []
    return [
        [{"text": b.get("text"), "data": b.get("callback_data")} for b in row]
        for row in markup.get("inline_keyboard", [])
    ]
