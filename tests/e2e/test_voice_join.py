"""Join by calling and a known caller's keypad menu (issue 27), end to end on both backends: signed Twilio
requests, TwiML parsed as XML, the reminder call placed through the Twilio stand-in with the real SDK."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import create_app
from bot.domain import outbox
from bot.outbound import jobs
from bot.store.models import Address, Circle, Contact, Enrollment, Outbox, Rsvp
from tests.helpers import AUTH_TOKEN, BASE_URL, RUN_QUEUE, add_contact, make_circle, payload, post_signed, sign

CALLER = "+18165550171"
LEARNER = "+18165550131"
FACILITATOR = "+18165550199"
FIRST = datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc)  # Tue Dec 1, 18:00 in Chicago


@pytest.fixture
def phone(backend, tmp_path, cli_env):
    """The app with Twilio pointed at the stand-in; the clock two days before the first meeting."""
    from tests.standin import TwilioStandIn

    with TwilioStandIn() as standin:
        app = create_app(
            {
                "DATABASE_URL": backend["DATABASE_URL"],
                "REDIS_URL": backend["REDIS_URL"],
                "INSTANCE_PATH": str(tmp_path),
                "queue_name": RUN_QUEUE,
                "PUBLIC_BASE_URL": BASE_URL,
                "twilio_account_sid": "AC" + "0" * 32,
                "twilio_auth_token": AUTH_TOKEN,
                "twilio_from": "+18165550100",
                "twilio_api_base": standin.url,
                "send_rate_per_second": 0,
                "CALL_RATE_PER_SECOND": "50",
                "TWILIO_TIMEOUT": "2",
                "QUIET_HOURS": "",
            }
        )
        rt = app.extensions["circlebot"]
        rt.clock = lambda: FIRST - timedelta(days=2)
        standin.clock = lambda: rt.clock()
        circle_id = make_circle(
            rt.uow, starts=date(2026, 12, 1), weekday=1, at=time(18, 0), facilitator=FACILITATOR, capacity=2
        )
        with rt.uow() as session:
            code = session.get(Circle, circle_id).phone_code
        yield app, rt, standin, code
        rt.uow.engine.dispose()


class Call:
    """One call to the bot's number: posts signed requests and follows each <Gather>'s action."""

    def __init__(self, client, sid: str, caller: str):
        self.client, self.sid, self.caller = client, sid, caller
        self.root = self.post("/twilio/voice", {})

    def post(self, path: str, extra: dict) -> ET.Element:
        params = payload("twilio-voice-inbound.json")
        params.update({"CallSid": self.sid, "From": self.caller, "Caller": self.caller, **extra})
        response = post_signed(self.client, path, params)
        assert response.status_code == 200, response.get_data(as_text=True)
        root = ET.fromstring(response.get_data(as_text=True))
        assert root.tag == "Response"
        return root

    @property
    def action(self) -> str:
        gather = self.root.find("Gather")
        assert gather is not None and gather.get("actionOnEmptyResult") == "true"
        return gather.get("action")[len(BASE_URL) :]

    def press(self, digits: str) -> ET.Element:
        self.root = self.post(self.action, {"Digits": digits} if digits else {})
        return self.root

    def say(self, words: str) -> ET.Element:
        assert self.root.find("Gather").get("input") == "speech dtmf"
        self.root = self.post(self.action, {"SpeechResult": words, "Confidence": "0.9"})
        return self.root

    def words(self) -> str:
        return " ".join(s.text or "" for s in self.root.iter("Say"))

    def hung_up(self) -> bool:
        return self.root.find("Gather") is None and self.root.find("Hangup") is not None


def show(code: str = "KC42") -> dict:
    """``circlebot circle show CODE --json`` on this test's database (the app's runtime stays the jobs' one)."""
    from click.testing import CliRunner

    from bot import runtime
    from bot.cli import main

    kept = runtime.current()
    result = CliRunner().invoke(main, ["circle", "show", code, "--json"], catch_exceptions=False)
    runtime.install(kept)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def enrolled_learner(rt, number=LEARNER, name="Rosa", language="en", channel="voice"):
    with rt.uow() as session:
        circle_id = session.scalar(select(Circle.id))
        rosa = add_contact(session, number, FIRST - timedelta(days=5), channel=channel, name=name, language=language)
        session.add(Enrollment(contact_id=rosa.id, circle_id=circle_id, status="active", created_at=FIRST))
        session.commit()
        return rosa.id


def to_the_menu(client, code: str, sid: str = "CAmenu", number: str = LEARNER) -> Call:
    call = Call(client, sid, number)
    assert "phone code" in call.words()  # a known number skips the language menu
    call.press(code + "#")
    return call


def test_a_new_caller_joins_by_phone_and_gets_the_reminder_as_a_call(phone):
    app, rt, standin, code = phone
    client = app.test_client()
    call = Call(client, "CAjoin", CALLER)
    call.press("1")  # English
    call.press(code + "#")
    assert "is not meeting right now" in call.words() and "To join Kansas City Basics" in call.words()
    gather = call.press("1").find("Gather")
    assert gather.get("input") == "speech dtmf" and gather.get("language") == "en-US"
    assert gather.find("Record") is None and call.root.find("Record") is None  # never a recording
    call.say("Amina.")
    assert "We understood: Amina." in call.words()
    call.press("2")  # say it again
    call.say("Amina Yusuf")
    call.press("1")
    assert "You are in Kansas City Basics, Amina Yusuf" in call.words() and call.hung_up()
    with rt.uow() as session:
        address = session.scalar(select(Address).where(Address.value == CALLER))
        assert address.channel == "voice" and address.preferred
        assert address.consent_source == "joined by phone" and address.consent_at is not None
        contact = session.get(Contact, address.contact_id)
        assert (contact.name, contact.language) == ("Amina Yusuf", "en")
        notice = session.scalar(select(Outbox).where(Outbox.kind == "notice"))
        assert notice.address == FACILITATOR and "facilitator.joined" in json.dumps(notice.replies)
    shown = show()
    assert shown["enrolled"] == 1 and shown["channels"] == {"voice": 1}
    # the next reminder is a call, placed through the stand-in
    rt.clock = lambda: FIRST - timedelta(hours=5)
    jobs.plan_now(rt.clock())
    with rt.uow() as session:
        reminder = session.scalar(select(Outbox).where(Outbox.kind == "reminder"))
        assert (reminder.channel, reminder.address) == ("voice", CALLER)
        row_id = reminder.id
    assert jobs.send_outbox(row_id) == outbox.SENT
    [placed] = [c for c in standin.calls if c["to"] == CALLER]
    assert placed["url"] == f"{BASE_URL}/twilio/voice/answer?row={row_id}"


def test_nothing_understood_twice_gives_the_caller_ending_name(phone):
    app, rt, _standin, code = phone
    call = Call(app.test_client(), "CAnoname", CALLER)
    call.press("2")  # Español
    call.press(code + "#")
    call.press("1")
    assert call.root.find("Gather").get("language") == "es-US"
    call.say("")
    assert "otra vez" in call.words()
    call.say("1234")
    assert "0171" in call.words()
    call.press("1")
    with rt.uow() as session:
        contact = session.scalar(select(Contact).join(Address).where(Address.value == CALLER))
        assert contact.name.endswith("0171") and contact.language == "es"


def test_a_full_circle_puts_the_phone_caller_on_the_waiting_list(phone):
    app, rt, _standin, code = phone
    enrolled_learner(rt, "+18165550141", "Ana")
    enrolled_learner(rt, "+18165550142", "Bea")
    call = Call(app.test_client(), "CAfull", CALLER)
    call.press("1")
    call.press(code + "#")
    call.press("1")
    call.say("Chidi")
    call.press("1")
    assert "waiting list" in call.words() and call.hung_up()
    assert show()["waitlisted"] == 1
    with rt.uow() as session:
        notice = session.scalar(select(Outbox).where(Outbox.kind == "notice"))
        assert "facilitator.waitlisted" in json.dumps(notice.replies)


def test_in_the_call_window_a_new_caller_joins_then_goes_into_the_meeting(phone):
    app, rt, _standin, code = phone
    rt.clock = lambda: FIRST - timedelta(minutes=2)
    call = Call(app.test_client(), "CAwindow", CALLER)
    call.press("1")
    call.press(code + "#")
    assert "press 2" in call.words() and "not meeting" not in call.words()
    call.press("1")
    call.say("Dora")
    root = call.press("1")
    assert root.find("Dial/Conference") is not None and "You are in" in call.words()
    assert show()["enrolled"] == 1


def test_a_learners_2_records_no_and_tells_the_facilitator(phone):
    app, rt, _standin, code = phone
    rosa = enrolled_learner(rt)
    call = to_the_menu(app.test_client(), code)
    words = call.words()
    assert "is not meeting right now" in words and "press 2" in words and "press 9" in words
    call.press("1")
    assert "The next meeting of Kansas City Basics" in call.words() and " ".join(code) in call.words()
    call.press("2")
    assert "cannot come" in call.words() and call.hung_up()
    with rt.uow() as session:
        assert session.scalar(select(Rsvp.answer).where(Rsvp.contact_id == rosa)) == "no"
        notice = session.scalar(select(Outbox).where(Outbox.kind == "notice", Outbox.address == FACILITATOR))
        assert "facilitator.phone_cant_come" in json.dumps(notice.replies)
        row_id = notice.id
    assert show()["meetings"][0]["no"] == 1
    assert jobs.send_outbox(row_id) == outbox.SENT
    with rt.uow() as session:
        body = session.get(Outbox, row_id).body
    assert body.startswith("Rosa (#1) called to say they cannot come to Kansas City Basics on ")


def test_a_replayed_key_press_has_no_second_effect(phone):
    app, rt, _standin, code = phone
    enrolled_learner(rt)
    client = app.test_client()
    call = to_the_menu(client, code)
    action = call.action
    first = ET.tostring(call.post(action, {"Digits": "3"}))
    assert ET.tostring(call.post(action, {"Digits": "3"})) == first  # Twilio sends it again
    with rt.uow() as session:
        notices = session.scalars(select(Outbox.replies).where(Outbox.address == FACILITATOR)).all()
    assert len(notices) == 1 and "facilitator.phone_call_back" in json.dumps(notices[0])


def test_8_stops_calls_like_stop_and_9_twice_erases_like_forget(phone):
    app, rt, _standin, code = phone
    rosa = enrolled_learner(rt)
    client = app.test_client()
    call = to_the_menu(client, code, "CAstop")
    call.press("8")
    assert "not get any more calls" in call.words() and call.hung_up()
    with rt.uow() as session:
        assert session.scalar(select(Address.opted_out_at).where(Address.value == LEARNER)) is not None
    rt.clock = lambda: FIRST - timedelta(hours=5)
    jobs.plan_now(rt.clock())
    with rt.uow() as session:  # nothing more is sent to that address
        assert session.scalar(select(Outbox).where(Outbox.kind == "reminder", Outbox.status == "pending")) is None
    call = to_the_menu(client, code, "CAerase")
    assert "press 6" in call.words()  # the calls can come back
    call.press("9")
    assert "press 9 again" in call.words()
    call.press("9")
    assert "erased" in call.words() and call.hung_up()
    with rt.uow() as session:
        assert session.get(Contact, rosa).erased_at is not None
        assert session.scalar(select(Address).where(Address.value == LEARNER)) is None
    assert show()["enrolled"] == 0


def test_9_then_another_key_keeps_the_data(phone):
    app, rt, _standin, code = phone
    rosa = enrolled_learner(rt)
    call = to_the_menu(app.test_client(), code)
    call.press("9")
    call.press("4")
    assert "Nothing was erased" in call.words()
    with rt.uow() as session:
        assert session.get(Contact, rosa).erased_at is None


def test_7_moves_reminders_to_texts(phone):
    app, rt, _standin, code = phone
    enrolled_learner(rt)
    call = to_the_menu(app.test_client(), code)
    assert "press 7" in call.words()
    call.press("7")
    assert "by text message" in call.words()
    with rt.uow() as session:
        preferred = session.scalar(select(Address).where(Address.value == LEARNER, Address.preferred.is_(True)))
        assert preferred.channel == "sms" and preferred.consent_at is not None


def test_a_texting_learner_is_not_offered_7(phone):
    app, rt, _standin, code = phone
    enrolled_learner(rt, channel="sms")
    call = to_the_menu(app.test_client(), code)
    assert "press 7" not in call.words() and "press 8" in call.words()


@pytest.mark.parametrize("keys", [["", ""], ["5", "5"], ["", "4"]])
def test_silence_and_wrong_keys_repeat_once_then_goodbye(phone, keys):
    app, rt, _standin, code = phone
    enrolled_learner(rt)
    call = to_the_menu(app.test_client(), code)
    call.press(keys[0])
    assert not call.hung_up() and "Sorry" in call.words() and "press 9" in call.words()
    call.press(keys[1])
    assert call.hung_up() and "Goodbye" in call.words()
    with rt.uow() as session:
        assert session.scalar(select(Rsvp)) is None and session.scalar(select(Outbox)) is None


def test_silence_at_the_offer_repeats_once_then_goodbye(phone):
    app, rt, _standin, code = phone
    call = Call(app.test_client(), "CAsilent", CALLER)
    call.press("1")
    call.press(code + "#")
    call.press("")
    assert "To join Kansas City Basics" in call.words() and not call.hung_up()
    call.press("")
    assert call.hung_up() and "Goodbye" in call.words()
    assert show()["enrolled"] == 0


def test_a_tampered_action_url_gets_403_and_changes_nothing(phone):
    app, rt, _standin, code = phone
    client = app.test_client()
    call = Call(client, "CAtamper", CALLER)
    call.press("1")
    call.press(code + "#")
    call.press("1")
    call.say("Amina")
    action = call.action
    params = payload("twilio-voice-inbound.json")
    params.update({"CallSid": "CAtamper", "From": CALLER, "Digits": "1"})
    tampered = action.replace("name=Amina", "name=Mallory")
    assert tampered != action
    response = client.post(tampered, data=params, headers={"X-Twilio-Signature": sign(action, params)})
    assert response.status_code == 403
    assert show()["enrolled"] == 0


def test_the_facilitator_outside_a_meeting_hears_the_next_meeting_as_before(phone):
    app, rt, _standin, code = phone
    call = Call(app.test_client(), "CAfac", FACILITATOR)
    call.press(code + "#")
    assert "The next meeting is on" in call.words() and call.hung_up()


def test_a_texting_learner_of_another_circle_joins_by_calling_without_a_name_step(phone):
    app, rt, _standin, code = phone
    with rt.uow() as session:
        amina = add_contact(session, CALLER, FIRST - timedelta(days=5), name="Amina", language="fr")
        session.commit()
        amina_id = amina.id
    call = Call(app.test_client(), "CAknown", CALLER)
    call.press(code + "#")  # a known number: no language menu
    assert "appuyez sur 1" in call.words()
    call.press("1")
    assert "Amina" in call.words() and call.hung_up()
    with rt.uow() as session:
        contact = session.get(Contact, amina_id)
        assert (contact.name, contact.language) == ("Amina", "fr")
        preferred = session.scalar(select(Address.channel).where(Address.contact_id == amina_id, Address.preferred))
        assert preferred == "sms"  # the channel they chose stays theirs
    assert show()["enrolled"] == 1


@pytest.mark.parametrize(
    "query, extra, status",
    [
        ("step=bogus&lang=en&code=424242&misses=0", {}, 400),
        ("step=menu&lang=en&code=42x&misses=0", {}, 400),
        ("step=name&lang=xx&code=000000&misses=77", {"SpeechResult": "\x00" + "A" * 5000}, 200),  # no such circle
        ("step=menu&lang=en&code=000000&misses=0", {"CallSid": ""}, 400),
    ],
)
def test_odd_menu_requests_get_4xx_or_a_goodbye_never_5xx(phone, query, extra, status):
    app, _rt, _standin, _code = phone
    params = payload("twilio-voice-inbound.json")
    params.update({"From": CALLER, **extra})
    response = post_signed(app.test_client(), "/twilio/voice/menu?" + query, params)
    assert response.status_code == status
    if status == 200:
        assert "Goodbye" in response.get_data(as_text=True)
