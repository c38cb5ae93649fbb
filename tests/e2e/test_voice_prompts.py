"""Recorded Swahili prompts (issue 29) end to end: ``voice prompts import`` from a folder of WAV files, then
the Swahili line's TwiML: ``<Play>`` of served audio for every prompt, no English ``<Say>``, and the next
meeting's date said from fragments in Swahili time. On both backends."""

from __future__ import annotations

import io
import wave
import xml.etree.ElementTree as ET
from datetime import date, datetime, time, timedelta, timezone

import pytest

from bot.render.voice import HOLD_MUSIC
from tests.e2e.test_twilio_voice import call, follow
from tests.helpers import BASE_URL, make_circle, post_signed

STRANGER = "+254711000177"
# KC42 meets Tuesdays 18:00 in Nairobi (15:00 UTC) from Tuesday 1 December 2026.
FIRST_MEETING = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
AUDIO_PATH = "/voice/prompts/sw/"


def wav(seed: int) -> bytes:
    """A small valid WAV file (8 kHz mono, 0.05 s) whose samples differ per ``seed``."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(bytes((seed + i) % 256 for i in range(800)))
    return buffer.getvalue()


@pytest.fixture
def circle(uow, runtime):
    circle_id = make_circle(uow, starts=date(2026, 12, 1), weekday=1, at=time(18, 0), tz="Africa/Nairobi")
    runtime.clock = lambda: FIRST_MEETING - timedelta(days=1)  # a day early: "the next meeting is …"
    from bot.store.models import Circle

    with uow() as session:
        return {"id": circle_id, "phone_code": session.get(Circle, circle_id).phone_code}


def run(args, code: int = 0) -> str:
    from click.testing import CliRunner

    from bot.cli import main

    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


def listed(only_missing: bool = False) -> dict[str, str]:
    """``voice prompts list sw``: key → status, from its one-key-per-line output."""
    out = run(["voice", "prompts", "list", "sw", *(["--missing"] if only_missing else [])])
    lines = [line.split("\t") for line in out.splitlines() if "\t" in line]
    return {key: status for key, status, _words in lines}


def record_folder(tmp_path, keys) -> dict[str, bytes]:
    folder = tmp_path / "recordings"
    folder.mkdir(exist_ok=True)
    files = {}
    for n, key in enumerate(keys):
        files[key] = wav(n)
        (folder / f"{key}.wav").write_bytes(files[key])
    return files


def plays(client, element, files: dict[str, bytes], music: bool = False) -> list[str]:
    """The keys of every <Play> under ``element``, each fetched like Twilio does and checked as served audio
    (``music``: the hold music after them is Twilio's own, left out)."""
    keys = []
    for play in element.iter("Play"):
        url = play.text or ""
        if music and url == HOLD_MUSIC:
            continue
        assert url.startswith(BASE_URL + AUDIO_PATH), url
        path = url[len(BASE_URL) :]
        response = client.get(path)
        assert response.status_code == 200 and response.mimetype == "audio/wav"
        key = path[len(AUDIO_PATH) :].split("?")[0]
        assert response.data == files[key]
        keys.append(key)
    return keys


def says(element) -> list[str]:
    return [s.text or "" for s in element.iter("Say")]


def test_swahili_line_plays_every_prompt_and_says_the_date_in_swahili_time(cli_env, client, circle, tmp_path):
    needed = listed()
    assert "voice.welcome" in needed and "time.evening" in needed and needed["circle.kc42"] == "missing (optional)"
    assert set(needed.values()) == {"missing", "missing (optional)"}
    files = record_folder(tmp_path, [key for key, status in needed.items() if status == "missing"])
    out = run(["voice", "prompts", "import", "sw", str(tmp_path / "recordings")])
    assert f"stored {len(files)} recordings" in out and "0 still missing" in out
    assert listed(only_missing=True) == {"circle.kc42": "missing (optional)", "venue.kc42": "missing (optional)"}

    menu = call(client, "/twilio/voice", "CA61", sender=STRANGER)
    # Before a language is chosen: the English greeting, and each language's own line; Swahili's is played.
    assert plays(client, menu.find("Gather"), files) == ["voice.language_option.1", "num.6"]
    assert not any("Kiswahili" in said for said in says(menu))

    asked = call(client, follow(menu), "CA61", sender=STRANGER, digits="6")
    assert says(asked) == [] and plays(client, asked, files) == ["voice.ask_code"]
    wrong = call(client, follow(asked), "CA61", sender=STRANGER, digits="000000")
    assert says(wrong) == [] and plays(client, wrong, files) == ["voice.wrong_code"]

    offer = call(client, follow(wrong), "CA61", sender=STRANGER, digits=circle["phone_code"])
    # A stranger outside the meeting hears when it is and is offered to join (issue 27), all of it played:
    # "Kikundi hakina mkutano sasa. Mkutano ujao ni Jumanne, tarehe moja Desemba, saa kumi na mbili jioni.
    # …bonyeza 1": 18:00 is the twelfth hour counted from 6 o'clock; the unrecorded name is left out.
    assert says(offer) == [] and "/twilio/voice/menu" in offer.find("Gather").get("action")
    assert plays(client, offer, files) == [
        "voice.menu.not_meeting.1",
        "voice.menu.not_meeting.2",
        "day.tue",
        "date.day",
        "num.1",
        "month.12",
        "time.hour",
        "num.10",
        "num.and",
        "num.2",
        "time.evening",
        "voice.join.offer.1",
        "voice.join.offer.2",
    ]


def test_a_recorded_circle_name_is_played_and_a_missing_prompt_falls_back(cli_env, client, circle, runtime, tmp_path):
    needed = listed()
    keys = [key for key, status in needed.items() if key != "voice.wrong_code"]
    files = record_folder(tmp_path, keys)
    (tmp_path / "recordings" / "notes.txt").write_text("not audio")
    (tmp_path / "recordings" / "voice.welcome.mp3").write_bytes(b"not an mp3 at all")
    out = run(["voice", "prompts", "import", "sw", str(tmp_path / "recordings")], code=1)
    assert "notes.txt: not a .wav or .mp3 file" in out and "voice.welcome.mp3: not a WAV or MP3" in out
    assert listed(only_missing=True) == {"voice.wrong_code": "missing"}

    runtime.clock = lambda: FIRST_MEETING + timedelta(minutes=1)
    menu = call(client, "/twilio/voice", "CA62", sender=STRANGER)
    asked = call(client, follow(menu), "CA62", sender=STRANGER, digits="6")
    wrong = call(client, follow(asked), "CA62", sender=STRANGER, digits="000000")
    assert plays(client, wrong, files) == [] and says(wrong) != []  # not recorded: said as before recordings
    offered = call(client, follow(wrong), "CA62", sender=STRANGER, digits=circle["phone_code"])
    assert says(offered) == [] and offered.find("Gather") is not None  # offered to join first (issue 27)
    menu_url = offered.find("Gather").get("action")[len(BASE_URL) :]
    joined = call(client, menu_url, "CA62", sender=STRANGER, digits="2")  # 2: in without joining
    assert says(joined) == []
    assert plays(client, joined, files) == ["voice.join_learner.1", "circle.kc42", "voice.join_learner.2"]
    assert joined.find("Dial/Conference") is not None
    wait_url = joined.find("Dial/Conference").get("waitUrl")
    waiting = post_signed(client, wait_url[len(BASE_URL) :], {"CallSid": "CA62"})
    root = ET.fromstring(waiting.get_data(as_text=True))
    assert says(root) == [] and plays(client, root, files, music=True) == ["voice.waiting"]


def test_audio_of_an_unknown_key_or_language_is_404(client):
    assert client.get("/voice/prompts/sw/voice.welcome").status_code == 404
    assert client.get("/voice/prompts/en/voice.welcome").status_code == 404
    assert client.get("/voice/prompts/sw/..%2Fsecret").status_code == 404


def test_a_language_with_a_voice_needs_no_recordings(cli_env):
    out = run(["voice", "prompts", "list", "en"], code=2)
    assert "'en' needs no recordings" in out
