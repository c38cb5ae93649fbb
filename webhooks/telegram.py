"""``POST /telegram``: Telegram updates; the reply goes back in the response as a ``sendMessage``.

The secret header is compared in constant time (403 when it is wrong or missing). After that the
answer is always a 200, because Telegram retries anything else for hours: an update we cannot read,
or a failure of ours, is logged and answered with nothing (an update over ``MAX_CONTENT_LENGTH`` too, without
the traceback of a failure). A tap is answered (``answerCallbackQuery``)
and its keyboard edited away through the process's bridge to the Bot API, after the answer is stored.
"""

from __future__ import annotations

import hmac
import logging

from flask import Blueprint, abort, current_app, jsonify, request
from werkzeug.exceptions import RequestEntityTooLarge

from bot.inbound.service import handle_inbound
from webhooks import telegram_replies
from webhooks.telegram_update import INBOUND, TAP_GONE, TEXT_ONLY, parse

bp = Blueprint("telegram", __name__)
log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


def secret_ok(expected: str | None, given: str | None) -> bool:
    """True when the secret header matches ``TELEGRAM_WEBHOOK_SECRET`` (compared in constant time)."""
    if not expected or given is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


@bp.post("/telegram")
def telegram_update():
    """Verifies the secret, parses the update, runs the flows once per update, answers with a method."""
    runtime = current_app.extensions["circlebot"]
    if not secret_ok(runtime.settings.telegram_webhook_secret, request.headers.get(SECRET_HEADER)):
        abort(403, description="missing or wrong Telegram secret token")
    try:
        data = request.get_json(silent=True, force=True)
    except RequestEntityTooLarge:  # no real update is this big (4,096 characters at most): unreadable, not ours
        log.warning(
            "telegram update over %d bytes; answered 200 with nothing", current_app.config["MAX_CONTENT_LENGTH"]
        )
        return jsonify({})
    try:
        event = parse(data, runtime.clock())
        if event.kind == TEXT_ONLY:
            return jsonify(telegram_replies.text_only(event))
        if event.kind == TAP_GONE:
            return jsonify(telegram_replies.answer_tap(event.callback_id))
        if event.kind != INBOUND:
            return jsonify({})
        handled = handle_inbound(runtime.uow, event.inbound, runtime.settings)
        telegram_replies.after_tap(runtime.channels, event, answered=handled.replay)
        return jsonify(telegram_replies.method(event, handled))
    except Exception:  # never a 5xx: Telegram would retry it for hours
        log.exception("telegram update failed; answered 200 with nothing")
        return jsonify({})
