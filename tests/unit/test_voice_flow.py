"""The call flow (flows/voice.py) as tables, and every voice prompt rendered as TwiML in every locale."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import datetime, timedelta, timezone

import pytest

from bot.render import voice as render
from flows import choices, keys, languages
from flows import voice as flow
from flows.results import Reply, When

NOW = datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc)
SHIPPED = languages.SHIPPED
MEETINGS = (
    flow.MeetingSlot(1, NOW - timedelta(days=7), NOW - timedelta(days=7) + timedelta(hours=2), "scheduled"),
    flow.MeetingSlot(2, NOW, NOW + timedelta(hours=2), "scheduled"),
    flow.MeetingSlot(3, NOW + timedelta(days=7), NOW + timedelta(days=7, hours=2), "scheduled"),
)
TYPED = flow.Typed("Kansas City Basics", "America/Chicago", MEETINGS, pin="4321")


@pytest.mark.parametrize(
    "state, digits, expected",
    [
        (flow.CallState(), "2", flow.Ask(flow.CallState(flow.CODE, "es"), (Reply(keys.VOICE_ASK_CODE),))),
        (flow.CallState(), "6", flow.Ask(flow.CallState(flow.CODE, "sw"), (Reply(keys.VOICE_ASK_CODE),))),
        (flow.CallState(), "", flow.Ask(flow.CallState(silences=1), (), flow.menu_options(SHIPPED))),
        (flow.CallState(silences=1), "", flow.Goodbye("en", (Reply(keys.VOICE_GOODBYE),))),
        (flow.CallState(), "9", flow.Ask(flow.CallState(tries=1), (), flow.menu_options(SHIPPED))),
        (flow.CallState(tries=2), "9", flow.Goodbye("en", (Reply(keys.VOICE_GOODBYE),))),
    ],
)
def test_language_menu(state, digits, expected):
    assert flow.on_menu(state, digits, SHIPPED) == expected


CODE = flow.CallState(flow.CODE, "fr")


@pytest.mark.parametrize(
    "state, digits, typed, now, expected",
    [
        (
            CODE,
            "424242",
            None,
            NOW,
            flow.Ask(flow.CallState(flow.CODE, "fr", tries=1), (Reply(keys.VOICE_WRONG_CODE),)),
        ),
        (
            flow.CallState(flow.CODE, "fr", tries=1),
            "1",
            None,
            NOW,
            flow.Ask(flow.CallState(flow.CODE, "fr", tries=2), (Reply(keys.VOICE_WRONG_CODE),)),
        ),
        (
            flow.CallState(flow.CODE, "fr", tries=2),
            "1",
            None,
            NOW,
            flow.Goodbye("fr", (Reply(keys.VOICE_WRONG_CODE_BYE),)),
        ),
        (CODE, "", None, NOW, flow.Ask(flow.CallState(flow.CODE, "fr", silences=1), (Reply(keys.VOICE_ASK_CODE),))),
        (flow.CallState(flow.CODE, "fr", silences=1), "", None, NOW, flow.Goodbye("fr", (Reply(keys.VOICE_GOODBYE),))),
        (
            CODE,
            "424242",
            TYPED,
            NOW - timedelta(minutes=10),
            flow.Join("fr", 2, False, (Reply(keys.VOICE_JOIN_LEARNER, {"circle": "Kansas City Basics"}),)),
        ),
        (
            CODE,
            "424242*4321",
            TYPED,
            NOW,
            flow.Join(
                "fr",
                2,
                True,
                (Reply(keys.VOICE_JOIN_FACILITATOR, {"circle": "Kansas City Basics"}), Reply(keys.VOICE_HOST_HINT)),
            ),
        ),
        (
            CODE,
            "424242*1111",
            TYPED,
            NOW,
            flow.Join("fr", 2, False, (Reply(keys.VOICE_JOIN_LEARNER, {"circle": "Kansas City Basics"}),)),
        ),
        (
            CODE,
            "424242",
            TYPED,
            NOW - timedelta(hours=1),
            flow.Goodbye(
                "fr",
                (Reply(keys.VOICE_NOT_NOW, {"circle": "Kansas City Basics", "when": When(NOW, "America/Chicago")}),),
            ),
        ),
        (
            CODE,
            "424242",
            TYPED,
            NOW + timedelta(days=30),
            flow.Goodbye("fr", (Reply(keys.VOICE_NO_MEETINGS, {"circle": "Kansas City Basics"}),)),
        ),
    ],
)
def test_phone_code(state, digits, typed, now, expected):
    assert flow.on_code(state, digits, typed, now) == expected


def test_cancelled_meeting_points_to_the_next_one():
    cancelled = tuple(
        flow.MeetingSlot(m.id, m.starts_at, m.ends_at, "cancelled" if m.id == 2 else m.status) for m in MEETINGS
    )
    step = flow.on_code(CODE, "424242", flow.Typed("C", "UTC", cancelled), NOW)
    assert step.replies[0].key == keys.VOICE_NOT_NOW and step.replies[0].params["when"].at == MEETINGS[2].starts_at


def test_facilitator_by_caller_id_and_known_number_skips_menu():
    typed = flow.Typed("C", "UTC", MEETINGS, caller_is_facilitator=True)
    assert flow.on_code(CODE, "424242", typed, NOW).facilitator
    assert flow.start("pl", SHIPPED, "en").state == flow.CallState(flow.CODE, "pl")
    assert flow.start(None, SHIPPED, "en").options == flow.menu_options(SHIPPED)


def test_state_survives_the_url_and_odd_values_restart_the_step():
    state = flow.CallState(flow.CODE, "pt", 2, 1)
    assert flow.CallState.from_query(state.as_query(), SHIPPED) == state
    assert flow.CallState.from_query({"step": "x", "lang": "de", "tries": "-1"}, SHIPPED) == flow.CallState()


def at(h, m, s=0):
    return datetime(2026, 12, 2, h, m, s, tzinfo=timezone.utc)


def test_attendance_from_events_in_any_order():
    E = flow.ConferenceEventView
    events = [
        E("participant-leave", "A", at(1, 52, 40)),
        E("participant-join", "A", datetime(2026, 12, 1, 23, 58, 2, tzinfo=timezone.utc)),
        E("conference-start", "", at(0, 0, 11)),
        E("participant-join", "B", at(0, 0, 11)),
        E("conference-end", "", at(2, 0, 3)),
        E("participant-leave", "C", at(0, 30)),
        E("participant-join", "D", at(0, 5)),
    ]
    spans = flow.attendance(events)
    assert spans["A"].seconds == 6749 and spans["B"].seconds == 7192
    assert spans["C"].joined_at is None and spans["C"].seconds == 1789  # a leave with no join: from the start
    assert spans["D"].left_at == at(2, 0, 3) and spans["D"].seconds == 6903
    assert flow.attendance(events + events) == spans
    no_start = flow.attendance([E("participant-join", "A", at(0, 0)), E("participant-leave", "A", at(0, 5))])
    assert no_start["A"].seconds == 0  # waited for a facilitator who never came


def root(response) -> ET.Element:
    element = ET.fromstring(str(response))
    assert element.tag == "Response"
    return element


PROMPTS = [
    flow.start(None, SHIPPED, "en"),
    flow.Ask(flow.CallState(flow.CODE, "en"), (Reply(keys.VOICE_WRONG_CODE),)),
    flow.Goodbye("en", (Reply(keys.VOICE_WRONG_CODE_BYE),)),
    flow.Goodbye("en", (Reply(keys.VOICE_GOODBYE),)),
    flow.Goodbye("en", (Reply(keys.VOICE_NOT_NOW, {"circle": "KC", "when": When(NOW, "America/Chicago")}),)),
    flow.Goodbye("en", (Reply(keys.VOICE_NO_MEETINGS, {"circle": "KC"}),)),
    flow.Join("en", 2, True, (Reply(keys.VOICE_JOIN_FACILITATOR, {"circle": "KC"}),)),
    flow.Join("en", 2, False, (Reply(keys.VOICE_JOIN_LEARNER, {"circle": "KC"}),)),
]


def relang(step, lang):
    if isinstance(step, flow.Ask):
        return flow.Ask(flow.CallState(step.state.step, lang), step.replies, step.options)
    return type(step)(lang, *[getattr(step, f) for f in step.__dataclass_fields__ if f != "lang"])


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("step", PROMPTS, ids=lambda s: type(s).__name__)
def test_every_prompt_renders_in_every_locale_with_a_voice_or_the_fallback(step, lang):
    xml = root(render.render_step(relang(step, lang), "https://bot.example", "room-x", 13))
    said = list(xml.iter("Say"))
    assert said and all((s.text or "").strip() for s in said)
    voice, language = render.VOICES[lang]
    own = said if not isinstance(step, flow.Ask) or not step.options else said[:1]
    assert all(s.get("voice") == voice and s.get("language") == language for s in own)
    if lang == "sw":  # no <Say> voice: English words, English voice, keys unchanged
        assert language == "en-US" and render.spoken("sw") == "en"
    if isinstance(step, flow.Join):
        assert xml.find("Dial/Conference").text == "room-x"


def test_wait_music_and_voice_table_cover_every_locale():
    assert set(render.VOICES) == set(SHIPPED)
    for lang in SHIPPED:
        xml = root(render.render_wait(lang))
        assert xml.find("Say").get("language") == render.VOICES[lang][1]
        assert xml.find("Play").text.endswith(".mp3")


KEYPAD_STEPS = [
    (
        "rsvp",
        (
            Reply(
                keys.REMINDER,
                {"circle": "KC", "venue": "Central Library", "when": When(NOW, "America/Chicago")},
                choices.RSVP,
            ),
        ),
        None,
        False,
    ),
    ("number", (Reply(keys.HOW_CAME),), "number", False),
    ("text", (Reply(keys.VOICE_HOW_TO_STOP), Reply(keys.Q_NEXT)), "text", False),
    ("voicemail", (Reply(keys.VOICE_VOICEMAIL, {"circle": "KC"}),), None, True),
]


@pytest.mark.parametrize("lang", SHIPPED)
@pytest.mark.parametrize("name, replies, typed, machine", KEYPAD_STEPS, ids=[s[0] for s in KEYPAD_STEPS])
def test_placed_calls_render_in_every_locale(name, replies, typed, machine, lang):
    xml = root(render.render_keypad(replies, lang, "https://bot.example/twilio/voice/keypad?row=1&n=1", typed, machine))
    voice, language = render.VOICES[lang]
    said = list(xml.iter("Say"))
    assert said and all(s.get("voice") == voice and s.get("language") == language and s.text for s in said)
    assert xml.find("Hangup") is not None
    gather = xml.find("Gather")
    if machine:
        assert gather is None
    elif name == "rsvp":
        assert gather.get("numDigits") == "1" and "?" in gather.get("action")
    elif name == "number":
        assert gather.get("finishOnKey") == "#"
    else:
        assert gather.get("numDigits") == "1" and gather.get("action").endswith("&skip=1")
