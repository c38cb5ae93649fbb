"""Recorded Swahili prompts on the calls the bot places (issue 29): a folder of WAVs imported for ``sw``, then a
reminder call, a check-in call and a keypad survey call placed through the Twilio stand-in to a Swahili
landline learner. Every message is ``<Play>`` of served audio (no English ``<Say>``), the meeting's date is
said from fragments in Swahili time, the venue from its recording, and the keys still record the RSVP and
the answers. On both backends."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import create_app
from bot.domain import outbox
from bot.outbound import jobs
from bot.store.models import Answer, Enrollment, Outbox, Rsvp
from tests.e2e.test_voice_prompts import listed, plays, record_folder, run, says
from tests.helpers import AUTH_TOKEN, BASE_URL, RUN_QUEUE, add_contact, make_circle
from tests.integration.test_landline import path_of, post

AMINA = "+254711000188"
# KC42 meets Tuesdays 18:00 in Nairobi (15:00 UTC) from Tuesday 1 December 2026.
MEETING = datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc)
# "Jumanne, tarehe moja Desemba, saa kumi na mbili jioni": 18:00 is the twelfth hour counted from 6 o'clock.
TUESDAY_1_DECEMBER_6PM = [
    "day.tue",
    "date.day",
    "num.1",
    "month.12",
    "time.hour",
    "num.10",
    "num.and",
    "num.2",
    "time.evening",
]
PRESS_1_YES_2_NO = [
    *("voice.press.1", "num.1", "voice.press.2", "label.yes"),
    *("voice.press.1", "num.2", "voice.press.2", "label.no"),
]


@pytest.fixture
def line(cli_env, tmp_path):
    """The app on the test's backend with Twilio pointed at the stand-in; the clock is the test's."""
    from tests.standin import TwilioStandIn

    with TwilioStandIn() as standin:
        app = create_app(
            {
                "DATABASE_URL": cli_env["DATABASE_URL"],
                "REDIS_URL": cli_env["REDIS_URL"],
                "INSTANCE_PATH": str(tmp_path),
                "queue_name": RUN_QUEUE,
                "PUBLIC_BASE_URL": BASE_URL,
                "twilio_account_sid": "AC" + "0" * 32,
                "twilio_auth_token": AUTH_TOKEN,
                "twilio_from": "+254700000100",
                "twilio_api_base": standin.url,
                "send_rate_per_second": 0,
                "CALL_RATE_PER_SECOND": "50",
                "TWILIO_TIMEOUT": "2",
                "QUIET_HOURS": "",
            }
        )
        rt = app.extensions["circlebot"]
        rt.clock = lambda: MEETING - timedelta(hours=5)
        standin.clock = lambda: rt.clock()
        yield app, rt, standin
        rt.uow.engine.dispose()


def amina_on_a_landline(rt, weeks: int) -> int:
    """A Swahili learner whose preferred address is a voice phone, in KC42 since three days before it starts."""
    circle_id = make_circle(
        rt.uow,
        starts=date(2026, 12, 1),
        weekday=1,
        at=time(18, 0),
        tz="Africa/Nairobi",
        weeks=weeks,
        language="sw",
        facilitator="+254711000199",
    )
    with rt.uow() as session:
        joined = MEETING - timedelta(days=3)
        amina = add_contact(session, AMINA, joined, channel="voice", name="Amina", language="sw")
        session.add(Enrollment(contact_id=amina.id, circle_id=circle_id, status="active", created_at=joined))
        session.commit()
        return amina.id


def record_everything_but_the_circle_name(rt, tmp_path) -> dict[str, bytes]:
    """Imports a WAV for every key ``voice prompts list sw`` names (the venue too), not the circle's name."""
    from bot import runtime

    needed = listed()
    assert needed["venue.kc42"] == "missing (optional)" and needed["circle.kc42"] == "missing (optional)"
    for key in ("reminder.1", "label.yes", "voice.press.1", "voice.scale.2", "checkin.question.1", "q.goal"):
        assert needed[key] == "missing", key
    files = record_folder(tmp_path, [key for key in needed if key != "circle.kc42"])
    out = run(["voice", "prompts", "import", "sw", str(tmp_path / "recordings")])
    assert f"stored {len(files)} recordings" in out and "0 still missing" in out
    assert listed(only_missing=True) == {"circle.kc42": "missing (optional)"}
    runtime.install(rt)  # the commands built their own app: the jobs run with the test's again
    return files


def placed(rt, kind: str) -> int:
    """Plans what is due and places the one call of ``kind`` to Amina; returns its outbox row."""
    jobs.plan_now(rt.clock())
    with rt.uow() as session:
        row = session.scalar(select(Outbox).where(Outbox.kind == kind))
        assert row.channel == "voice" and row.address == AMINA
        row_id = row.id
    sent = jobs.send_outbox(row_id)
    with rt.uow() as session:
        assert sent == outbox.SENT, session.get(Outbox, row_id).last_error
    return row_id


def answer(client, standin, row_id: int):
    """Twilio's request when Amina picks up, and the fields every later request of the call carries."""
    call = standin.calls[-1]
    assert call["to"] == AMINA and call["url"] == f"{BASE_URL}/twilio/voice/answer?row={row_id}"
    base = {"CallSid": call["sid"], "From": "+254700000100", "To": AMINA, "CallStatus": "in-progress"}
    return post(client, f"/twilio/voice/answer?row={row_id}", {**base, "AnsweredBy": "human"}), base


def test_reminder_and_check_in_calls_play_swahili_and_the_keys_still_answer(line, tmp_path):
    app, rt, standin = line
    amina_id = amina_on_a_landline(rt, weeks=2)
    files = record_everything_but_the_circle_name(rt, tmp_path)
    client = app.test_client()

    # The reminder: "<date>, <venue>. Utakuja?" (the unrecorded circle name left out), then the keys.
    row_id = placed(rt, "reminder")
    voicemail = post(client, f"/twilio/voice/answer?row={row_id}", {"CallSid": "CA1", "AnsweredBy": "machine_end_beep"})
    assert says(voicemail) == [] and voicemail.find("Gather") is None  # the message only, played
    assert plays(client, voicemail, files) == [*TUESDAY_1_DECEMBER_6PM, "venue.kc42", "reminder.1"]
    root, base = answer(client, standin, row_id)
    gather = root.find("Gather")
    assert says(root) == [] and gather.get("numDigits") == "1"
    assert plays(client, gather, files) == [*TUESDAY_1_DECEMBER_6PM, "venue.kc42", "reminder.1", *PRESS_1_YES_2_NO]
    yes = post(client, path_of(gather.get("action")), {**base, "Digits": "1"})
    # "Vizuri, tutaonana <date>! Mipango ikibadilika, jibu 2."
    assert says(yes) == [] and plays(client, yes, files) == ["rsvp.yes.1", *TUESDAY_1_DECEMBER_6PM, "rsvp.yes.2"]
    with rt.uow() as session:
        assert session.scalar(select(Rsvp.answer).where(Rsvp.contact_id == amina_id)) == "yes"

    # The check-in after the first meeting (10:01 the next morning in Nairobi): great, okay or stuck.
    rt.clock = lambda: MEETING + timedelta(hours=16, minutes=1)
    root, base = answer(client, standin, placed(rt, "checkin"))
    gather = root.find("Gather")
    assert says(root) == []
    keys = ["voice.press.1", "num.{}", "voice.press.2"]
    assert plays(client, gather, files) == [
        "checkin.question.1",
        "checkin.question.2",
        *(key.format(n) for n, label in ((1, "great"), (2, "okay"), (3, "stuck")) for key in [*keys, f"label.{label}"]),
    ]
    thanks = post(client, path_of(gather.get("action")), {**base, "Digits": "1"})
    assert says(thanks) == [] and plays(client, thanks, files) == ["checkin.thanks"]


def test_keypad_survey_call_plays_questions_and_scales_and_stores_the_answers(line, tmp_path):
    app, rt, standin = line
    amina_on_a_landline(rt, weeks=1)
    files = record_everything_but_the_circle_name(rt, tmp_path)
    client = app.test_client()
    rt.clock = lambda: MEETING + timedelta(hours=16, minutes=1)  # 10:01 after the last meeting
    root, base = answer(client, standin, placed(rt, "survey"))
    heard = []
    while root.find("Gather") is not None:
        assert says(root) == [], says(root)
        gather = root.find("Gather")
        heard.append(plays(client, root, files))
        digits = "5" if "skip=1" in gather.get("action") else "9" if gather.get("numDigits") == "2" else "4"
        root = post(client, path_of(gather.get("action")), {**base, "Digits": digits})
        assert len(heard) < 10
    assert says(root) == [] and plays(client, root, files) == ["survey.done"]
    scale5 = ["voice.scale.1", "num.1", "label.not_at_all", "voice.scale.2", "num.5", "label.completely"]
    # "Kikundi … kimeisha. Asante kwa kushiriki! …" without the unrecorded name; the question; the scale.
    assert heard[0] == ["survey.intro.1", "survey.intro.2", "q.goal", *scale5]
    assert heard[3] == [
        *("q.recommend", "voice.scale.1", "num.0", "label.not_at_all"),
        *("voice.scale.2", "num.10", "label.certainly"),
    ]
    assert heard[4] == ["q.next", "voice.skip_text"]  # a question for words: skipped on the phone
    with rt.uow() as session:
        answers = dict(session.execute(select(Answer.question_key, Answer.value)).all())
    assert answers == {
        "learner:goal": "4",
        "learner:confidence": "4",
        "learner:course": "4",
        "learner:recommend": "9",
        "learner:next": None,
    }
