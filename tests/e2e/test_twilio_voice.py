"""``POST /twilio/voice`` and ``/twilio/conference`` end to end: signed requests, TwiML parsed as XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from bot.store.models import Attendance, Enrollment, VoiceCall
from tests.helpers import BASE_URL, add_contact, make_circle, payload, post_signed, sign

LEARNER = "+18165550188"  # the caller in twilio-voice-inbound.json
FACILITATOR = "+18165550199"
STRANGER = "+18165550177"
FIRST_MEETING = datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc)  # Tue Dec 1, 18:00 in Chicago


@pytest.fixture
def circle(uow, runtime):
    """KC42, meeting Tuesdays 18:00 Chicago from Dec 1 2026; the clock two minutes before it."""
    circle_id = make_circle(
        uow, starts=date(2026, 12, 1), weekday=1, at=time(18, 0), facilitator=FACILITATOR, capacity=12
    )
    runtime.clock = lambda: FIRST_MEETING - timedelta(minutes=2)
    with uow() as session:
        from bot.store.models import Circle

        row = session.get(Circle, circle_id)
        info = {"id": circle_id, "phone_code": row.phone_code, "pin": row.facilitator_pin}
    return info


@pytest.fixture
def runner_env(cli_env):
    """Runs a ``circlebot`` command on this test's database and returns its output."""
    from click.testing import CliRunner

    from bot.cli import main

    def run(args):
        result = CliRunner().invoke(main, args, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    return run


def call(client, path: str, sid: str, sender: str = LEARNER, digits: str | None = None):
    """Posts a signed voice request (the real payload with this CallSid and caller); returns the XML root."""
    params = payload("twilio-voice-gather.json" if digits is not None else "twilio-voice-inbound.json")
    params.update({"CallSid": sid, "From": sender, "Caller": sender})
    if digits is not None:
        params["Digits"] = digits
    response = post_signed(client, path, params)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.get_data(as_text=True))
    assert root.tag == "Response"
    return root


def follow(root) -> str:
    """The path + query of the <Gather>'s action, as the next request posts it."""
    gather = root.find("Gather")
    assert gather is not None and gather.get("method") == "POST" and gather.get("input") == "dtmf"
    assert gather.get("actionOnEmptyResult") == "true"
    action = gather.get("action")
    assert action.startswith(BASE_URL + "/twilio/voice/gather?")
    return action[len(BASE_URL) :]


def says(element) -> list[tuple[str, str, str]]:
    """Every <Say> under ``element``: (language, voice, words)."""
    return [(s.get("language"), s.get("voice"), s.text or "") for s in element.iter("Say")]


def test_unknown_caller_hears_each_language_in_its_own_voice_then_types_the_code(client, circle, uow):
    root = call(client, "/twilio/voice", "CA01", sender=STRANGER)
    gather = root.find("Gather")
    assert gather.get("numDigits") == "1"
    spoken = says(gather)
    assert spoken[0][0] == "en-US" and "learning circle line" in spoken[0][2]
    options = spoken[1:]
    assert [o[0] for o in options] == ["en-US", "es-US", "fr-FR", "pt-BR", "pl-PL", "en-US"]
    assert "press 1" in options[0][2] and "Para español, oprime 2" in options[1][2]
    assert "Pour le français" in options[2][2] and "Kwa Kiswahili, bonyeza 6" in options[5][2]
    chosen = call(client, follow(root), "CA01", sender=STRANGER, digits="2")
    code_gather = chosen.find("Gather")
    assert code_gather.get("finishOnKey") == "#" and code_gather.get("numDigits") is None
    assert says(code_gather)[0][0] == "es-US" and "código" in says(code_gather)[0][2]
    assert parse_qs(urlsplit(follow(chosen)).query)["lang"] == ["es"]
    offered = call(client, follow(chosen), "CA01", sender=STRANGER, digits=circle["phone_code"])
    assert "oprime 2" in " ".join(s[2] for s in says(offered))  # offered to join first (issue 27)
    joined = into_meeting(client, offered, "CA01", STRANGER)
    conference = joined.find("Dial/Conference")
    assert conference is not None and conference.get("startConferenceOnEnter") == "false"
    assert says(joined)[0][0] == "es-US"


def test_known_number_skips_the_menu(client, circle, uow):
    with uow() as session:
        add_contact(session, LEARNER, FIRST_MEETING, name="Amina", language="fr")
        session.commit()
    root = call(client, "/twilio/voice", "CA02")
    gather = root.find("Gather")
    assert gather.get("finishOnKey") == "#"
    assert {s[0] for s in says(gather)} == {"fr-FR"} and "code" in says(gather)[-1][2]


def test_wrong_code_three_times_then_goodbye(client, circle, uow):
    root = call(client, "/twilio/voice", "CA03")
    root = call(client, follow(root), "CA03", digits="1")
    for attempt in (1, 2):
        root = call(client, follow(root), "CA03", digits="000000")
        assert "not right" in says(root.find("Gather"))[0][2] and root.find("Hangup") is None
        assert parse_qs(urlsplit(follow(root)).query)["tries"] == [str(attempt)]
    root = call(client, follow(root), "CA03", digits="000000")
    assert root.find("Gather") is None and root.find("Dial") is None and root.find("Hangup") is not None
    assert "Goodbye" in says(root)[0][2]
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(VoiceCall)) == 0


def test_silence_repeats_once_then_goodbye(client, circle):
    root = call(client, "/twilio/voice", "CA04")
    again = call(client, follow(root), "CA04", digits="")
    assert again.find("Gather") is not None and len(says(again.find("Gather"))) == 6  # the menu again
    gone = call(client, follow(again), "CA04", digits="")
    assert gone.find("Gather") is None and gone.find("Hangup") is not None
    code = call(client, follow(call(client, "/twilio/voice", "CA05")), "CA05", digits="1")
    repeated = call(client, follow(code), "CA05", digits="")
    assert "phone code" in says(repeated.find("Gather"))[0][2]
    assert call(client, follow(repeated), "CA05", digits="").find("Hangup") is not None


def dial_in(client, sid: str, sender: str, digits: str, enter: bool = True):
    root = call(client, "/twilio/voice", sid, sender=sender)
    if root.find("Gather").get("numDigits") == "1":
        root = call(client, follow(root), sid, sender=sender, digits="1")
    root = call(client, follow(root), sid, sender=sender, digits=digits)
    return into_meeting(client, root, sid, sender) if enter else root


def into_meeting(client, root, sid: str, sender: str):
    """A caller who is not in the circle is first offered to join it (issue 27): 2 goes into the meeting."""
    gather = root.find("Gather")
    if gather is None or not gather.get("action").startswith(BASE_URL + "/twilio/voice/menu?"):
        return root
    return call(client, gather.get("action")[len(BASE_URL) :], sid, sender=sender, digits="2")


def test_facilitator_starts_the_conference_and_learners_wait(client, circle, uow):
    facilitator = dial_in(client, "CA9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b", FACILITATOR, circle["phone_code"])
    conf = facilitator.find("Dial/Conference")
    assert conf.get("startConferenceOnEnter") == "true"
    assert conf.get("endConferenceOnExit") == "false"  # * steps out to the host menu (issue 26)
    assert conf.get("waitUrl") is None
    assert conf.get("maxParticipants") == "13"  # capacity 12 + one facilitator
    assert conf.get("statusCallback") == BASE_URL + "/twilio/conference"
    assert set(conf.get("statusCallbackEvent").split()) == {"start", "end", "join", "leave"}
    room = conf.text
    assert room.startswith("room-") and "KC42" not in room and circle["phone_code"] not in room
    learner = dial_in(client, "CA1f2e3d4c5b6a79880f1e2d3c4b5a6978", LEARNER, circle["phone_code"])
    lconf = learner.find("Dial/Conference")
    assert lconf.text == room
    assert lconf.get("startConferenceOnEnter") == "false" and lconf.get("endConferenceOnExit") == "false"
    assert lconf.get("waitUrl").startswith(BASE_URL + "/twilio/voice/wait?lang=")
    wait_path = lconf.get("waitUrl")[len(BASE_URL) :]
    response = post_signed(client, wait_path, {"CallSid": "CA1f2e3d4c5b6a79880f1e2d3c4b5a6978"})
    wait = ET.fromstring(response.get_data(as_text=True))
    assert wait.find("Say") is not None and wait.find("Play").get("loop") == "0"
    by_pin = dial_in(client, "CA77", STRANGER, f"{circle['phone_code']}*{circle['pin']}")
    assert by_pin.find("Dial/Conference").get("startConferenceOnEnter") == "true"
    wrong_pin = dial_in(client, "CA78", "+18165550176", f"{circle['phone_code']}*0000")
    assert wrong_pin.find("Dial/Conference").get("startConferenceOnEnter") == "false"
    # A replayed gather (same CallSid) gets the same room and records the call once.
    again = dial_in(client, "CA1f2e3d4c5b6a79880f1e2d3c4b5a6978", LEARNER, circle["phone_code"])
    assert again.find("Dial/Conference").text == room
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(VoiceCall)) == 4


def test_outside_the_window_hears_the_next_meeting(client, circle, runtime):
    runtime.clock = lambda: FIRST_MEETING - timedelta(hours=3)
    root = dial_in(client, "CA06", LEARNER, circle["phone_code"], enter=False)
    assert root.find("Dial") is None
    words = says(root)[0][2]
    assert "not meeting right now" in words and "December 1" in words and "6:00" in words
    assert "To join Kansas City Basics" in says(root)[1][2]  # a stranger is offered to join (issue 27)


def test_bad_signature_is_403_and_records_nothing(client, circle, uow):
    params = payload("twilio-voice-gather.json")
    params["Digits"] = circle["phone_code"]
    path = "/twilio/voice/gather?step=code&lang=en&tries=0&silences=0"
    forged = sign(path, params, token="not-the-token")
    assert post_signed(client, path, params, signature=forged).status_code == 403
    assert post_signed(client, path, params, signature="").status_code == 403
    assert (
        post_signed(
            client, "/twilio/conference", payload("twilio-conference-events.json")[0], signature="x"
        ).status_code
        == 403
    )
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(VoiceCall)) == 0


def test_conference_events_with_duplicates_and_reordering_give_exact_seconds(client, circle, uow, runner_env):
    with uow() as session:
        amina = add_contact(session, LEARNER, FIRST_MEETING, name="Amina", language="en")
        session.add(Enrollment(contact_id=amina.id, circle_id=circle["id"], status="active", created_at=FIRST_MEETING))
        session.commit()
        amina_id = amina.id
    room = (
        dial_in(client, "CA9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b", FACILITATOR, circle["phone_code"])
        .find("Dial/Conference")
        .text
    )
    dial_in(client, "CA1f2e3d4c5b6a79880f1e2d3c4b5a6978", LEARNER, circle["phone_code"])
    events = [{**e, "FriendlyName": room} for e in payload("twilio-conference-events.json")]
    # Every event twice, the leave before the joins, the start last.
    order = [3, 0, 3, 4, 1, 0, 2, 4, 1, 2]
    for i in order:
        response = post_signed(client, "/twilio/conference", events[i])
        assert response.status_code == 204
    with uow() as session:
        rows = {a.ref: a for a in session.scalars(select(Attendance))}
        learner = rows["CA1f2e3d4c5b6a79880f1e2d3c4b5a6978"]
        facilitator = rows["CA9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b"]
        assert len(rows) == 2
        assert learner.contact_id == amina_id and not learner.facilitator
        assert learner.seconds == 6749  # conference start 00:00:11 → leave 01:52:40 (waiting is not attending)
        assert learner.joined_at == datetime(2026, 12, 1, 23, 58, 2, tzinfo=timezone.utc)
        assert facilitator.facilitator and facilitator.seconds == 7192  # start → conference end 02:00:03
    shown = runner_env(["circle", "show", "KC42", "--json"])
    print(shown)  # the report's attendance after the event sequence (pytest -s)
    first = json.loads(shown)["meetings"][0]
    assert first["attended"] == 1


def test_leave_without_join_and_unknown_caller_are_safe(client, circle, uow):
    room = dial_in(client, "CAF", FACILITATOR, circle["phone_code"]).find("Dial/Conference").text
    base = {"AccountSid": "AC00000000000000000000000000000000", "ConferenceSid": "CF1", "FriendlyName": room}
    post_signed(
        client,
        "/twilio/conference",
        {
            **base,
            "StatusCallbackEvent": "conference-start",
            "SequenceNumber": "1",
            "Timestamp": "Wed, 02 Dec 2026 00:00:00 +0000",
        },
    )
    response = post_signed(
        client,
        "/twilio/conference",
        {
            **base,
            "StatusCallbackEvent": "participant-leave",
            "CallSid": "CAUNKNOWN",
            "SequenceNumber": "2",
            "Timestamp": "Wed, 02 Dec 2026 00:10:00 +0000",
        },
    )
    assert response.status_code == 204
    with uow() as session:
        row = session.scalar(select(Attendance).where(Attendance.ref == "CAUNKNOWN"))
        assert row.contact_id is None and row.caller == "unknown" and row.joined_at is None and row.seconds == 600
    assert (
        post_signed(client, "/twilio/conference", {**base, "StatusCallbackEvent": "participant-join"}).status_code
        == 204
    )
    assert post_signed(client, "/twilio/conference", {"ConferenceSid": "CF2"}).status_code == 400


def enroll(uow, circle_id, phone, name, language="en"):
    with uow() as session:
        contact = add_contact(session, phone, FIRST_MEETING, name=name, language=language)
        session.add(Enrollment(contact_id=contact.id, circle_id=circle_id, status="active", created_at=FIRST_MEETING))
        session.commit()
        return contact.id


def test_here_by_text_combines_with_phone_attendance(client, circle, uow, runtime, runner_env, tmp_path):
    from tests.helpers import text

    enroll(uow, circle["id"], LEARNER, "Amina")
    enroll(uow, circle["id"], "+18165550123", "Rosa")
    enroll(uow, circle["id"], "+18165550124", "José")
    room = (
        dial_in(client, "CA9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b", FACILITATOR, circle["phone_code"])
        .find("Dial/Conference")
        .text
    )
    dial_in(client, "CA1f2e3d4c5b6a79880f1e2d3c4b5a6978", LEARNER, circle["phone_code"])
    for event in payload("twilio-conference-events.json"):
        post_signed(client, "/twilio/conference", {**event, "FriendlyName": room})
    runtime.clock = lambda: FIRST_MEETING + timedelta(hours=3)
    said = text(client, "HERE KC42 Amina rosa jose Zed", sender=FACILITATOR)
    assert "marked present in person (3): Amina, Rosa, José" in said[0]
    assert "no learner called ZED" in said[1]
    assert text(client, "HERE KC42 Rosa", sender=FACILITATOR)  # again: no second row
    assert "Here is the sheet" not in text(client, "Here is the sheet", sender=FACILITATOR)[0]
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Attendance).where(Attendance.source == "in_person")) == 3
    meetings = json.loads(runner_env(["circle", "show", "KC42", "--json"]))["meetings"]
    assert meetings[0]["attended"] == 3 and meetings[1]["attended"] == 0
    out = tmp_path / "kc42.csv"
    runner_env(["export", "KC42", "--what", "learners", "--output", str(out)])
    import csv

    rows = {r["name"]: r for r in csv.DictReader(out.open(encoding="utf-8"))}
    assert rows["Amina"]["attended_1"] == "phone + in person" and rows["Rosa"]["attended_1"] == "in person"
    assert rows["Amina"]["attended_2"] == ""
