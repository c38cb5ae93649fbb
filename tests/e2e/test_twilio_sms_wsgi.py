"""The SMS webhook's WSGI hot path (``webhooks.twilio_sms_wsgi``): it answers a signed text itself, as the
Flask view would, and leaves every other request to Flask."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from bot.inbound.service import Unavailable
from bot.store.models import Message
from tests.helpers import BASE_URL, make_circle, post_signed, replies, sign, sms
from webhooks import twilio_sms_wsgi
from webhooks.twilio_sms_wsgi import TwilioSmsFastPath

VIEW = "twilio_sms.inbound_sms"


def stored(uow) -> int:
    with uow() as session:
        return session.scalar(select(func.count()).select_from(Message).where(Message.direction == "in"))


@pytest.fixture
def counted_view(app):
    """Counts the calls of the Flask view (the hot path must not need it)."""
    calls = []
    view = app.view_functions[VIEW]

    def counting(*args, **kwargs):
        calls.append(1)
        return view(*args, **kwargs)

    app.view_functions[VIEW] = counting
    return calls


def test_the_app_puts_the_hot_path_in_front_of_flask(app):
    assert isinstance(app.wsgi_app, TwilioSmsFastPath)


def test_a_signed_text_is_answered_without_the_flask_view_and_with_its_headers(app, client, uow, counted_view):
    make_circle(uow)
    answer = post_signed(client, "/twilio/sms", sms("JOIN KC42"))
    assert answer.status_code == 200 and counted_view == []
    assert replies(answer) == ["Welcome to Kansas City Basics! What is your first name?"]
    assert answer.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert int(answer.headers["Content-Length"]) == len(answer.data)
    assert stored(uow) == 1


def test_the_same_text_through_the_flask_view_gets_the_same_answer(app, uow):
    """With the hot path taken out, Flask's view answers the same bytes and headers."""
    make_circle(uow)
    fast, slow = app.test_client(), app.test_client()
    params = sms("JOIN KC42", sender="+18165550140")
    first = post_signed(fast, "/twilio/sms", params)
    app.wsgi_app = app.wsgi_app.wsgi_app  # Flask alone
    again = post_signed(slow, "/twilio/sms", params)  # a replay: the stored answer, rendered again
    assert again.data == first.data
    for name in ("Content-Type", "X-Content-Type-Options", "Referrer-Policy", "Content-Length"):
        assert again.headers[name] == first.headers[name], name


def test_a_query_string_is_part_of_what_twilio_signed(client, uow, counted_view):
    make_circle(uow)
    params = sms("JOIN KC42")
    signature = sign("/twilio/sms?via=fallback", params)
    answer = client.post("/twilio/sms?via=fallback", data=params, headers={"X-Twilio-Signature": signature})
    assert answer.status_code == 200 and counted_view == []
    unsigned = client.post("/twilio/sms?via=other", data=sms("JOIN KC42"), headers={"X-Twilio-Signature": signature})
    assert unsigned.status_code == 403


@pytest.mark.parametrize("signature", ["", "forged"])
def test_a_bad_signature_goes_to_flask_and_gets_its_403(client, uow, counted_view, signature):
    headers = {"X-Twilio-Signature": signature} if signature else {}
    answer = client.post("/twilio/sms", data=sms("HELP"), headers=headers)
    assert answer.status_code == 403 and answer.json["error"] == "Forbidden"
    assert counted_view == [1] and stored(uow) == 0


def test_a_body_that_is_not_utf8_goes_to_flask(client, uow, counted_view):
    params = sms("HELP")
    body = urlencode(params).encode() + b"&Extra=%ff\xff"
    answer = client.post(
        "/twilio/sms",
        data=body,
        headers={
            "X-Twilio-Signature": sign("/twilio/sms", params),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert answer.status_code == 403 and counted_view == [1] and stored(uow) == 0


def test_a_multipart_form_goes_to_flask_which_answers_it(client, uow, counted_view):
    make_circle(uow)
    params = sms("JOIN KC42")
    answer = client.post(
        "/twilio/sms",
        data=params,
        content_type="multipart/form-data",
        headers={"X-Twilio-Signature": sign("/twilio/sms", params)},
    )
    assert answer.status_code == 200 and counted_view == [1]
    assert replies(answer)[0].startswith("Welcome to Kansas City Basics")


def test_a_missing_field_gets_flasks_400(client, uow, counted_view):
    params = {k: v for k, v in sms("HELP").items() if k != "From"}
    answer = post_signed(client, "/twilio/sms", params)
    assert answer.status_code == 400 and "From" in answer.json["detail"] and counted_view == [1]


def test_other_paths_and_methods_are_flasks(client):
    assert client.get("/twilio/sms").status_code == 405
    assert client.get("/healthz").status_code in (200, 503)


def test_an_unhandled_message_gets_the_apps_503(client, monkeypatch):
    def unavailable(*_args):
        raise Unavailable("OperationalError")

    monkeypatch.setattr(twilio_sms_wsgi, "handle_inbound", unavailable)
    answer = post_signed(client, "/twilio/sms", sms("HELP"))
    assert answer.status_code == 503 and answer.headers["Retry-After"] == "5"
    assert answer.json["detail"] == "kept; please retry"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_any_other_error_gets_a_logged_500(app, monkeypatch, caplog):
    def broken(*_args):
        raise RuntimeError("boom")

    app.config["TESTING"] = False  # as in production: the error is answered, not raised into the test
    app.config["PROPAGATE_EXCEPTIONS"] = False
    monkeypatch.setattr(twilio_sms_wsgi, "handle_inbound", broken)
    answer = post_signed(app.test_client(), "/twilio/sms", sms("HELP"))
    assert answer.status_code == 500 and answer.json["error"] == "Internal Server Error"
    assert any(r.exc_info and r.exc_info[0] is RuntimeError for r in caplog.records)


def test_the_signed_url_is_the_public_one_whatever_the_host(client, uow):
    make_circle(uow)
    params = sms("JOIN KC42")
    answer = client.post(
        "/twilio/sms",
        data=params,
        headers={"X-Twilio-Signature": sign("/twilio/sms", params), "Host": "10.0.0.5:8000"},
        base_url="http://10.0.0.5:8000",
    )
    assert answer.status_code == 200 and BASE_URL.startswith("https://")
