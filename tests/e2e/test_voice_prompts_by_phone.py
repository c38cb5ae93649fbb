"""Recording prompts by phone (issue 29): ``circlebot voice prompts record sw --phone P`` calls a facilitator,
walks through each missing prompt with ``<Record>``, fetches each recording from Twilio's Recordings API
(the stand-in), keeps it, and deletes it at Twilio. On both backends."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, time

import pytest

from tests.e2e.test_voice_prompts import listed, record_folder, run, wav
from tests.helpers import AUTH_TOKEN, BASE_URL, make_circle, post_signed, test_app

ACCOUNT = "AC" + "1" * 32
FACILITATOR = "+254711000100"
LEFT_FOR_THE_PHONE = ("voice.welcome", "time.evening")
WORDS = {"voice.welcome": "Habari! Hii ni laini ya vikundi vya kujifunza.", "time.evening": "jioni"}
WORDS["circle.kc42"] = "Kansas City Basics"  # a circle's name is recorded on the same call (optional)
WORDS["venue.kc42"] = "Central Library"  # and its venue (optional)


@pytest.fixture
def twilio_app(backend, tmp_path, standin, monkeypatch, cli_env):
    settings = {
        "TWILIO_ACCOUNT_SID": ACCOUNT,
        "TWILIO_FROM": "+18165550100",
        "TWILIO_API_BASE": standin.url,
    }
    for name, value in {**settings, "TWILIO_AUTH_TOKEN": AUTH_TOKEN, "PUBLIC_BASE_URL": BASE_URL}.items():
        monkeypatch.setenv(name, value)
    app = test_app(backend, tmp_path, **settings)
    yield app
    app.extensions["circlebot"].uow.engine.dispose()


def twiml(client, url: str, call_sid: str, **form):
    response = post_signed(client, url[len(BASE_URL) :], {"CallSid": call_sid, "AccountSid": ACCOUNT, **form})
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return ET.fromstring(response.get_data(as_text=True))


def test_the_bot_calls_records_each_missing_prompt_keeps_it_and_deletes_it_at_twilio(twilio_app, standin, tmp_path):
    uow = twilio_app.extensions["circlebot"].uow
    make_circle(uow, starts=date(2026, 12, 1), at=time(18, 0), tz="Africa/Nairobi", facilitator=FACILITATOR)
    needed = [key for key, status in listed().items() if status == "missing" and key not in LEFT_FOR_THE_PHONE]
    record_folder(tmp_path, needed)
    run(["voice", "prompts", "import", "sw", str(tmp_path / "recordings")])

    out = run(["voice", "prompts", "record", "sw", "--phone", FACILITATOR])
    assert "to record 4 sw prompts" in out and "1\tvoice.welcome\tHabari!" in out
    (placed,) = standin.calls
    assert placed["to"] == FACILITATOR and placed["url"].startswith(BASE_URL + "/twilio/voice/record?")

    client, sid, said = twilio_app.test_client(), placed["sid"], {}
    step = twiml(client, placed["url"], sid)
    for n, key in enumerate(WORDS):
        verbs = list(step)
        record = step.find("Record")
        assert record is not None and record.get("finishOnKey") == "#"
        before = verbs[: verbs.index(record)]
        assert [v.text for v in before[-2:]] == [f"Prompt {n + 1}. Please say:", WORDS[key]]
        if n == 0:
            assert before[0].text.startswith("Hello! Let us record 4 prompts.")
        ready = record.get("recordingStatusCallback")
        assert ready == f"{BASE_URL}/twilio/voice/recording?lang=sw&key={key}"
        said[key] = wav(100 + n)
        recording = standin.recordings.add(sid, said[key], ACCOUNT)
        form = {"RecordingSid": recording, "RecordingStatus": "completed", "RecordingUrl": "https://x"}
        kept = post_signed(client, ready[len(BASE_URL) :], {"CallSid": sid, "AccountSid": ACCOUNT, **form})
        assert kept.status_code == 204
        assert recording in standin.recordings.deleted and recording not in standin.recordings.held()
        again = post_signed(client, ready[len(BASE_URL) :], {"CallSid": sid, "AccountSid": ACCOUNT, **form})
        assert again.status_code == 204  # a replayed callback: the recording is gone, nothing changes
        step = twiml(client, record.get("action"), sid, RecordingSid=recording, Digits="#")
    assert step.find("Record") is None and step.find("Hangup") is not None
    assert [s.text for s in step.iter("Say")] == ["Thank you! Every prompt is recorded. Goodbye."]
    assert listed(only_missing=True) == {}
    for key, audio in said.items():
        served = client.get(f"/voice/prompts/sw/{key}")
        assert served.status_code == 200 and served.data == audio and served.mimetype == "audio/wav"


def test_only_staff_are_called_and_an_unsigned_callback_is_refused(twilio_app, standin):
    from click.testing import CliRunner

    from bot.cli import main

    result = CliRunner().invoke(main, ["voice", "prompts", "record", "sw", "--phone", "+254711000999"])
    assert result.exit_code == 1 and "only a facilitator or an organizer" in result.output
    assert standin.calls == []
    client = twilio_app.test_client()
    forged = client.post("/twilio/voice/recording?lang=sw&key=voice.welcome", data={"RecordingSid": "RE" + "0" * 32})
    assert forged.status_code == 403
