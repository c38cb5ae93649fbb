"""WhatsApp's 24-hour window (issue 28): outside it a scheduled message goes as an approved Content Template
(ContentSid + ContentVariables, no Body), else once by SMS to the same number; ``circlebot whatsapp
templates sync`` creates the templates through the Content API. The real twilio SDK against the stand-in."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from bot import create_app
from bot.cli import main
from bot.domain import outbox, whatsapp
from bot.outbound import jobs
from bot.render import codec
from bot.render import whatsapp as wording
from bot.store.models import Address, Enrollment, Outbox, WhatsAppTemplate
from tests.helpers import AUTH_TOKEN, BASE_URL, RUN_QUEUE, add_contact, make_circle, payload, post_signed

ROSA = "+18165550131"
START = datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc)  # Tue Dec 1, 18:00 in Chicago
ACCOUNT = "AC" + "0" * 32
SETTINGS = {
    "twilio_account_sid": ACCOUNT,
    "twilio_auth_token": AUTH_TOKEN,
    "twilio_from": "+18165550100",
    "send_rate_per_second": 0,
    "TWILIO_TIMEOUT": "2",
    "QUIET_HOURS": "",
}


@pytest.fixture
def wa(backend, tmp_path):
    from tests.standin import TwilioStandIn

    with TwilioStandIn(auth_token=AUTH_TOKEN) as standin:
        app = create_app(
            {
                "DATABASE_URL": backend["DATABASE_URL"],
                "REDIS_URL": backend["REDIS_URL"],
                "INSTANCE_PATH": str(tmp_path),
                "queue_name": RUN_QUEUE,
                "PUBLIC_BASE_URL": BASE_URL,
                "twilio_api_base": standin.url,
                "TWILIO_CONTENT_API_BASE": standin.url,
                "SECRET_KEY": "test-secret-key-for-sessions",
                **SETTINGS,
            }
        )
        rt = app.extensions["circlebot"]
        rt.clock = lambda: START - timedelta(hours=5)
        standin.clock = lambda: rt.clock()
        yield app, rt, standin
        rt.uow.engine.dispose()


def rosa_on_whatsapp(rt, last_wrote: timedelta | None, language="es") -> int:
    circle_id = make_circle(rt.uow, starts=date(2026, 12, 1), weekday=1, at=time(18, 0), facilitator="+18165550199")
    with rt.uow() as session:
        rosa = add_contact(session, ROSA, START - timedelta(days=3), channel="whatsapp", name="Rosa", language=language)
        session.add(Enrollment(contact_id=rosa.id, circle_id=circle_id, status="active", created_at=START))
        address = session.scalar(select(Address).where(Address.contact_id == rosa.id))
        address.last_inbound_at = None if last_wrote is None else rt.clock() - last_wrote
        session.commit()
        return rosa.id


def template(rt, kind="reminder", language="es", state=whatsapp.APPROVED, sid="HX" + "a" * 32) -> str:
    with rt.uow() as session:
        whatsapp.record(session, kind, language, sid, state, rt.clock())
        session.commit()
    return sid


def send_reminder(rt) -> int:
    jobs.plan_now(rt.clock())
    with rt.uow() as session:
        row = session.scalar(select(Outbox).where(Outbox.kind == "reminder", Outbox.address == ROSA))
        row_id = row.id
    assert jobs.send_outbox(row_id) == outbox.SENT
    return row_id


def row_of(rt, row_id: int) -> Outbox:
    with rt.uow() as session:
        row = session.get(Outbox, row_id)
        session.expunge(row)
        return row


def test_two_days_after_the_last_message_a_reminder_goes_as_the_approved_template(wa):
    _, rt, standin = wa
    rosa_on_whatsapp(rt, timedelta(days=2))
    sid = template(rt)
    template(rt, language="en", sid="HX" + "b" * 32)
    row_id = send_reminder(rt)
    [sent] = standin.messages
    row = row_of(rt, row_id)
    assert sent["to"] == f"whatsapp:{ROSA}" and sent["from"] == "whatsapp:+18165550100"
    assert sent["content_sid"] == sid and sent["body"] == ""  # no Body: WhatsApp refuses a template's text
    variables = sent["content_variables"]  # the message's parameters, not the message
    assert set(variables) == {"1", "2", "3"} and variables["1"] == "Kansas City Basics"
    assert row.body not in variables.values() and all(len(v) < 60 for v in variables.values())
    filled = wording.fill(codec.load(row.replies), "es")  # the Spanish template, filled in, is the row's text
    assert filled.variables == variables and "¿Vienes?" in filled.body and "{{1}}" in filled.body
    shown = filled.body
    for n, value in variables.items():
        shown = shown.replace("{{" + n + "}}", value)
    assert shown.endswith(row.body)
    assert row.channel == "whatsapp" and row.status == outbox.SENT and row.last_error is None


def test_within_24_hours_it_goes_as_free_form_body(wa):
    _, rt, standin = wa
    rosa_on_whatsapp(rt, timedelta(hours=3))
    template(rt)
    row_id = send_reminder(rt)
    [sent] = standin.messages
    assert sent["content_sid"] is None and sent["body"] == row_of(rt, row_id).body != ""
    assert sent["to"] == f"whatsapp:{ROSA}"


def test_an_inbound_whatsapp_message_opens_the_window(wa):
    app, rt, _ = wa
    make_circle(rt.uow, code="NDIYO")
    params = payload("twilio-whatsapp-inbound.json")
    assert post_signed(app.test_client(), "/twilio/sms", params).status_code == 200
    with rt.uow() as session:
        address = session.scalar(select(Address).where(Address.channel == "whatsapp"))
        assert address.last_inbound_at == rt.clock()
        assert whatsapp.in_window(session, address.id, rt.clock() + timedelta(hours=23))
        assert not whatsapp.in_window(session, address.id, rt.clock() + timedelta(hours=25))


@pytest.mark.parametrize("state", [None, whatsapp.PENDING, whatsapp.REJECTED])
def test_without_an_approved_template_it_goes_once_by_sms(wa, state):
    app, rt, standin = wa
    rosa_on_whatsapp(rt, timedelta(days=2))
    if state:
        template(rt, state=state)
    template(rt, language="en")  # approved, but not in Rosa's language
    row_id = send_reminder(rt)
    [sent] = standin.messages
    row = row_of(rt, row_id)
    assert sent["to"] == ROSA and sent["content_sid"] is None and sent["body"] == row.body
    assert row.channel == "sms" and row.last_error == whatsapp.FALLBACK_NOTE
    assert jobs.send_outbox(row_id) == outbox.SENT and len(standin.messages) == 1  # exactly once
    _roster_says_so(app, rt)


def test_a_63016_answer_sends_it_once_by_sms(wa):
    _, rt, standin = wa
    rosa_on_whatsapp(rt, timedelta(days=2))
    template(rt)
    standin.fail_next(1, status=400, code=63016)
    row_id = send_reminder(rt)
    [sent] = standin.messages
    row = row_of(rt, row_id)
    assert standin.attempts == 2 and sent["to"] == ROSA and sent["content_sid"] is None
    assert row.channel == "sms" and row.last_error == whatsapp.FALLBACK_NOTE and sent["body"] == row.body


def test_a_free_form_63016_falls_back_too(wa):
    _, rt, standin = wa
    rosa_on_whatsapp(rt, timedelta(hours=1))
    standin.whatsapp_window = True  # Twilio sees it otherwise: outside the window
    send_reminder(rt)
    [sent] = standin.messages
    assert sent["to"] == ROSA


def test_no_fallback_to_an_sms_address_that_said_stop(wa):
    _, rt, standin = wa
    contact_id = rosa_on_whatsapp(rt, timedelta(days=2))
    with rt.uow() as session:
        session.add(
            Address(contact_id=contact_id, channel="sms", value=ROSA, created_at=rt.clock(), opted_out_at=rt.clock())
        )
        session.commit()
    jobs.plan_now(rt.clock())
    with rt.uow() as session:
        row_id = session.scalar(select(Outbox.id).where(Outbox.kind == "reminder", Outbox.address == ROSA))
    assert jobs.send_outbox(row_id) == outbox.CANCELLED
    assert standin.messages == []


def _roster_says_so(app, rt):
    from tests.e2e.test_facilitator_pages import get, sign_in

    app.config["WTF_CSRF_SSL_STRICT"] = False
    pages = app.test_client()
    sign_in(pages, rt.uow, phone="+18165550199")
    page = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    assert "WhatsApp templates not approved yet" in page


def test_the_roster_says_nothing_while_templates_work(wa):
    from tests.e2e.test_facilitator_pages import get, sign_in

    app, rt, _ = wa
    rosa_on_whatsapp(rt, timedelta(days=2))
    template(rt)
    send_reminder(rt)
    app.config["WTF_CSRF_SSL_STRICT"] = False
    pages = app.test_client()
    sign_in(pages, rt.uow, phone="+18165550199")
    page = get(pages, "/facilitator/circles/KC42/roster").get_data(as_text=True)
    assert "Rosa" in page and "WhatsApp templates not approved yet" not in page


def test_the_simulators_whatsapp_phone_marks_template_messages(backend, tmp_path):
    app = create_app(
        {
            "DATABASE_URL": backend["DATABASE_URL"],
            "REDIS_URL": backend["REDIS_URL"],
            "INSTANCE_PATH": str(tmp_path),
            "simulator": True,
            "PUBLIC_BASE_URL": "http://localhost:5000",
            "queue_name": RUN_QUEUE,
            "QUIET_HOURS": "",
        }
    )
    rt = app.extensions["circlebot"]
    rt.clock = lambda: START - timedelta(hours=5)
    rosa_on_whatsapp(rt, timedelta(days=2))
    sid = template(rt)
    row_id = send_reminder(rt)
    messages = app.test_client().get("/simulator/messages?phone=%2B18165550131").get_json()["messages"]
    [shown] = [m for m in messages if m["direction"] == "out"]
    assert shown["template"] == sid and shown["body"] == row_of(rt, row_id).body
    rt.uow.engine.dispose()


def _sync(cli_env, standin, monkeypatch, *args):
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", ACCOUNT)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", AUTH_TOKEN)
    monkeypatch.setenv("TWILIO_FROM", "+18165550100")
    monkeypatch.setenv("TWILIO_API_BASE", standin.url)
    monkeypatch.setenv("TWILIO_CONTENT_API_BASE", standin.url)
    result = CliRunner().invoke(main, ["whatsapp", "templates", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_templates_sync_creates_each_missing_template_once_and_records_states(cli_env, monkeypatch, uow):
    from tests.standin import TwilioStandIn

    with TwilioStandIn(auth_token=AUTH_TOKEN) as standin:
        listed = _sync(cli_env, standin, monkeypatch, "--language", "sw")
        assert re.search(r"^reminder +sw +missing +-$", listed, re.M) and " es " not in listed
        first = _sync(cli_env, standin, monkeypatch, "sync")
        kinds, shipped = len(wording.NAMES), 6
        assert standin.content.created == kinds * shipped and f"{kinds * shipped} template(s) created" in first
        by_name = {c["friendly_name"]: c for c in standin.content.contents.values()}
        reminder_es = by_name["circlebot_reminder_es"]
        assert reminder_es["language"] == "es" and reminder_es["approval"] == "received"
        assert {c["approval"] for c in by_name.values()} == {"received"}  # none refused on sight
        quick = reminder_es["types"]["twilio/quick-reply"]
        assert quick["body"] == "Tu círculo de aprendizaje:\n{{1}}: {{2}}, {{3}}. ¿Vienes? Responde 1 sí, 2 no."
        assert [(a["title"], a["id"]) for a in quick["actions"]] == [("Sí", "1"), ("No", "2")]
        assert reminder_es["variables"] == {"1": "sample 1", "2": "sample 2", "3": "sample 3"}
        missyou = by_name["circlebot_checkin_miss_you_fr"]
        assert set(missyou["types"]) == {"twilio/text"} and "{{3}}" in missyou["types"]["twilio/text"]["body"]
        login = by_name["circlebot_pages_login_code_sw"]  # WhatsApp's own words for a code
        assert login["types"]["whatsapp/authentication"]["actions"][0]["copy_code_text"] == "Nakili msimbo"
        assert login["approval_name"] == "circlebot_pages_login_code_sw"
        assert {"circlebot_survey_reminder_q_goal_pl", "circlebot_survey_intro_q_goal_pt"} <= set(by_name)
        standin.content.judge_all("approved")
        standin.content.judge(next(iter(standin.content.contents)), "rejected")
        second = _sync(cli_env, standin, monkeypatch, "sync")
        assert standin.content.created == kinds * shipped and "0 template(s) created" in second  # nothing twice
        with uow() as session:
            stored = session.execute(select(WhatsAppTemplate.state, WhatsAppTemplate.sid)).all()
        assert len(stored) == kinds * shipped
        assert [state for state, _ in stored].count(whatsapp.APPROVED) == kinds * shipped - 1
        assert [state for state, _ in stored].count(whatsapp.REJECTED) == 1
        assert {sid for _, sid in stored} == set(standin.content.contents)
        assert "approved" in _sync(cli_env, standin, monkeypatch)


def test_a_template_whose_answer_was_lost_is_found_not_sent_again(standin):
    from bot.outbound.channels import TwilioChannel
    from bot.render import whatsapp as wording
    from tests.integration.test_twilio_channel import twilio_settings

    channel = TwilioChannel(twilio_settings(standin.url))
    sid = standin.content.route("POST", "/v1/Content", wording.content("reminder", "es"))[1]["sid"]
    since = datetime.now(timezone.utc)
    body = "KC: Biblioteca, mié 2 dic. ¿Vienes? Responde 1 sí, 2 no."
    sent = channel.send_template(ROSA, sid, {"1": "KC", "2": "Biblioteca", "3": "mié 2 dic"}, body)
    assert standin.messages[0]["rendered"] == "Tu círculo de aprendizaje:\n" + body
    assert channel.find_sent(ROSA, body, since, channel="whatsapp") == sent.provider_id
    assert channel.find_sent(ROSA, "KC: otra", since, channel="whatsapp") is None


def test_a_fallback_sms_that_fails_for_a_moment_is_retried_by_sms_only_once(wa):
    from bot.outbound.channels import SendError

    _, rt, standin = wa
    rosa_on_whatsapp(rt, timedelta(days=2))
    jobs.plan_now(rt.clock())
    with rt.uow() as session:
        row_id = session.scalar(select(Outbox.id).where(Outbox.kind == "reminder", Outbox.address == ROSA))
    standin.fail_next(1, status=429)
    with pytest.raises(SendError):
        jobs.send_outbox(row_id)
    row = row_of(rt, row_id)
    assert row.status == outbox.PENDING and row.channel == "sms" and standin.messages == []
    template(rt)  # approved meanwhile: the row already went over to SMS and stays there
    later = rt.clock() + timedelta(minutes=1)
    rt.clock = lambda: later
    assert jobs.send_outbox(row_id) == outbox.SENT
    assert jobs.send_outbox(row_id) == outbox.SENT
    [sent] = standin.messages
    assert sent["to"] == ROSA and standin.attempts == 2
    assert row_of(rt, row_id).last_error == whatsapp.FALLBACK_NOTE


def test_a_tap_on_the_templates_button_answers_the_reminder(wa):
    from bot.store.models import Rsvp

    app, rt, _ = wa
    contact_id = rosa_on_whatsapp(rt, timedelta(days=2))
    template(rt)
    send_reminder(rt)
    tap = {
        **payload("twilio-whatsapp-inbound.json"),
        "From": f"whatsapp:{ROSA}",
        "Body": "Sí",  # the button's title in Spanish; its payload is the answer's number
        "ButtonText": "Sí",
        "ButtonPayload": "1",
        "MessageSid": "SM" + "7" * 32,
        "SmsMessageSid": "SM" + "7" * 32,
        "SmsSid": "SM" + "7" * 32,
        "WaId": ROSA[1:],
    }
    assert post_signed(app.test_client(), "/twilio/sms", tap).status_code == 200
    with rt.uow() as session:
        [answer] = session.scalars(select(Rsvp).where(Rsvp.contact_id == contact_id)).all()
        assert answer.answer == "yes"


def test_a_buttons_payload_is_read_as_the_answers_number():
    from webhooks.twilio_sms import parse

    form = {"MessageSid": "SM" + "1" * 32, "From": f"whatsapp:{ROSA}", "Body": "Estoy atascada", "ButtonPayload": "3"}
    assert parse(form, START).text == "3"
    assert parse({**form, "ButtonPayload": "not-a-number"}, START).text == "Estoy atascada"
    assert parse({**form, "From": ROSA}, START).text == "Estoy atascada"  # SMS has no buttons
