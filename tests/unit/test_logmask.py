"""Issue 12 (9): no full phone number, Telegram id or secret in any log record, whoever logs it."""

from __future__ import annotations

import logging

import pytest

from bot import logmask
from bot.logmask import mask_text

NUMBER = "+18165553201"


@pytest.mark.parametrize(
    "raw, masked",
    [
        (f"Invalid 'To' Phone Number: {NUMBER}", "Invalid 'To' Phone Number: +1******3201"),
        (
            "GET https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?To=%2B18165553201&PageSize=20",
            "GET https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?To=%2B1******3201&PageSize=20",
        ),
        ("To=%2b447946095800", "To=%2B4*******5800"),
        ("whatsapp:+18165553201", "whatsapp:+1******3201"),
        ("address=x+18165553201;", "address=x+1******3201;"),
        ("from +1 816 555 3201.", "from +1******3201."),
        ("address telegram:123456789 blocked", "address telegram:***789 blocked"),
        ('{"chat_id": 987654321, "text": "hi"}', '{"chat_id": ***321, "text": "hi"}'),
        ("POST /bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq/sendMessage", "POST /bot***/sendMessage"),
        ("TELEGRAM_WEBHOOK_SECRET=s3cr3t-value auth_token=abcdef123", "TELEGRAM_WEBHOOK_SECRET=*** auth_token=***"),
        ("one-time code: 493021", "one-time code: ***"),
        ("meeting 3 of KC42 at 2026-12-01T18:00:00+00:00, +1******3201", None),  # nothing to mask
    ],
)
def test_mask_text(raw, masked):
    assert mask_text(raw) == (raw if masked is None else masked)
    assert "5553201" not in mask_text(raw) and "123456789" not in mask_text(raw)


def test_every_record_is_masked_args_exceptions_and_other_libraries_included(caplog):
    logmask.install()
    logmask.install()  # idempotent
    caplog.set_level(logging.DEBUG)
    logging.getLogger("twilio.http_client").info(
        "-- BEGIN Twilio API Request --\nGET Request: %s", "https://api.twilio.com/Messages.json?To=%2B18165553201"
    )
    logging.getLogger("bot.outbound.jobs").warning(
        "send to %s failed (attempt %s): %s",
        "+1******3201",
        1,
        RuntimeError(f"HTTP 400 error: Invalid 'To' Phone Number: {NUMBER}"),
    )
    try:
        raise ValueError(f"no such address {NUMBER} / telegram:55512345")
    except ValueError:
        logging.getLogger("rq.worker").exception("job failed for %s", {"to": NUMBER})
    assert len(caplog.records) == 3
    text = caplog.text + "".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "+1******3201" in text and "%2B1******3201" in text and "telegram:***345" in text
    assert "5553201" not in text and "55512345" not in text


def test_a_broken_format_string_keeps_its_arguments_masked():
    record = logging.LogRecord("odd", logging.INFO, __file__, 1, "%s %s", (NUMBER,), None)
    assert logmask.MaskFilter().filter(record) is True
    assert record.args == ("+1******3201",)  # logging's own error report shows these


def test_the_africastalking_callback_key_in_a_url_is_masked():
    from bot.logmask import mask_text

    line = '127.0.0.1 "POST /africastalking/status?key=Zr8_x-Q2hvalue99 HTTP/1.1" 204'
    assert mask_text(line) == '127.0.0.1 "POST /africastalking/status?key=*** HTTP/1.1" 204'
    assert mask_text("/africastalking/sms?x=1&key=abc123&y=2") == "/africastalking/sms?x=1&key=***&y=2"
