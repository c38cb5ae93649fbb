"""Recorded prompts' keys and Swahili fragments (issue 29): pure, no database."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import pytest

from bot.render import spoken_sw, voice_prompts
from bot.render.i18n import gettext
from bot.render.texts import N_, TEXTS, Plural
from bot.render.voice_prompts import Recorded
from flows import keys
from flows.results import Reply, When


@pytest.mark.parametrize(
    ("hour", "minute", "said"),
    [
        (18, 0, "saa kumi na mbili jioni"),  # the example: 6 PM
        (7, 0, "saa moja asubuhi"),
        (12, 0, "saa sita mchana"),
        (18, 30, "saa kumi na mbili na nusu jioni"),
        (9, 15, "saa tatu na robo asubuhi"),
        (18, 45, "saa moja kasoro robo jioni"),
        (20, 10, "saa mbili na dakika kumi usiku"),
        (14, 25, "saa nane na dakika ishirini na tano mchana"),
        (0, 0, "saa sita usiku"),
    ],
)
def test_swahili_time_counts_hours_from_six(hour, minute, said):
    words = spoken_sw.clock(datetime(2026, 12, 1, hour, minute))
    assert " ".join(spoken_sw.FRAGMENTS[key] for key in words) == said


def test_a_meeting_date_in_the_circles_zone():
    when = When(datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc), "Africa/Nairobi")
    said = " ".join(spoken_sw.FRAGMENTS[key] for key in spoken_sw.when(when))
    assert said == "Jumanne tarehe moja Desemba saa kumi na mbili jioni"
    late = When(datetime(2026, 12, 31, 6, 5, tzinfo=timezone.utc), "Africa/Nairobi")
    assert " ".join(spoken_sw.FRAGMENTS[k] for k in spoken_sw.when(late)).startswith(
        "Alhamisi tarehe thelathini na moja"
    )


def test_numbers_to_59_and_no_further():
    assert [spoken_sw.FRAGMENTS[k] for k in spoken_sw.number(17)] == ["kumi", "na", "saba"]
    assert all(set(spoken_sw.number(n)) <= set(spoken_sw.FRAGMENTS) for n in range(60))
    with pytest.raises(ValueError):
        spoken_sw.number(60)


def test_every_voice_message_is_listed_so_a_new_one_is_too(monkeypatch):
    listed = {re.sub(r"\.\d+$", "", p.key) for p in voice_prompts.fixed_prompts("sw")}
    line = {key for key in TEXTS if key.startswith("voice.")}
    unsayable = set(voice_prompts.unsayable())
    assert line - unsayable <= listed  # "press N for <label>" too: the label is its own recording
    # Never recorded: a person's name (the host menu's names, a caller's own name), a count with plural forms,
    # a phone code; these are said by a voice.
    for key in unsayable:
        said = set(re.findall(r"%\((\w+)\)s", str(TEXTS[key])))
        assert said & {"name", "names", "last", "phone_code"} or isinstance(TEXTS[key], Plural), key
    monkeypatch.setitem(TEXTS, "voice.brand_new", N_("Hello! This is the learning circle line."))
    assert "voice.brand_new" in {p.key for p in voice_prompts.needed("sw")}


def test_the_placed_calls_messages_questions_and_labels_are_listed_so_a_new_question_is_too(monkeypatch):
    from flows import choices, surveys

    listed = {re.sub(r"\.\d+$", "", p.key) for p in voice_prompts.fixed_prompts("sw")}
    placed = {keys.REMINDER, keys.RSVP_YES, keys.CHECKIN_QUESTION, keys.MISS_YOU, keys.MEETING_MOVED, keys.SURVEY_DONE}
    questions = {q.text for survey in (surveys.LEARNER, surveys.FACILITATOR, surveys.how(1)) for q in survey.questions}
    labels = {keys.LABEL_YES, keys.LABEL_NO, keys.LABEL_GREAT, keys.LABEL_STUCK, keys.LABEL_NOT_AT_ALL}
    assert placed | questions | labels | set(surveys.HINTS.values()) <= listed
    assert keys.LABEL_ERASE not in listed and keys.FALLBACK not in listed  # never said by a placed call
    new = surveys.Question("new", surveys.YESNO, keys.SIGNUP_BAD_NAME, choices.YES_NO)
    monkeypatch.setattr(surveys, "LEARNER", surveys.Survey("learner", (*surveys.LEARNER.questions, new)))
    assert keys.SIGNUP_BAD_NAME in {p.key for p in voice_prompts.fixed_prompts("sw")}


def test_keys_are_unique_and_have_a_file_name_shape():
    needed = voice_prompts.needed("sw", {"KC42": "Kansas City Basics"})
    names = [p.key for p in needed]
    assert len(names) == len(set(names)) and all(voice_prompts.valid_key(k) for k in names)
    assert names[-1] == "circle.kc42"


def test_swahili_names_the_circle_after_kikundi_so_a_sentence_stands_without_the_name():
    for key in voice_prompts.line_keys():
        said = gettext(TEXTS[key], "sw")
        if "%(circle)s" in said:  # after "kikundi", or as the heading of a notice ("KC42: mkutano …")
            assert re.search(r"(kikundi|hapa ni) %\(circle\)s|^%\(circle\)s: ", said, re.IGNORECASE), said


def test_swahili_says_a_venue_last_after_a_comma_so_a_sentence_stands_without_it():
    venues = [gettext(TEXTS[key], "sw") for key in voice_prompts.line_keys() if "%(venue)s" in TEXTS[key]]
    assert len(venues) >= 4  # the reminder, "we missed you", a moved meeting, a new schedule
    for said in venues:
        assert re.search(r"%\(when\)s, %\(venue\)s\.", said), said


def test_a_reply_plays_only_when_every_piece_is_recorded():
    needed = [p.key for p in voice_prompts.needed("sw")]
    urls = {key: f"https://x/{key}" for key in needed}
    reply = Reply(keys.VOICE_JOIN_LEARNER, {"circle": "Kansas City Basics"})
    assert voice_prompts.plays(reply, Recorded("sw", urls)) == [
        "https://x/voice.join_learner.1",
        "https://x/voice.join_learner.2",
    ]
    named = Recorded("sw", urls, {"Kansas City Basics": "https://x/circle.kc42"})
    assert voice_prompts.plays(reply, named)[1] == "https://x/circle.kc42"
    del urls["voice.join_learner.2"]
    assert voice_prompts.plays(reply, Recorded("sw", urls)) is None
    assert voice_prompts.plays(Reply(keys.REMINDER, {}), Recorded("sw", urls)) is None


def test_a_placed_call_plays_its_recorded_prompts_and_says_the_rest():
    from bot.render.voice import render_keypad
    from flows import choices

    urls = {p.key: f"https://x/{p.key}" for p in voice_prompts.needed("sw")}
    recorded = {"sw": Recorded("sw", urls)}
    voicemail = render_keypad((Reply(keys.VOICE_VOICEMAIL, {"circle": "Kansas City Basics"}),), "sw", "", machine=True)
    assert "<Say" in str(voicemail) and "<Play" not in str(voicemail)  # nothing recorded: as before
    played = str(
        render_keypad((Reply(keys.VOICE_VOICEMAIL, {"circle": "Kansas City Basics"}),), "sw", "", None, True, recorded)
    )
    assert "<Say" not in played and "https://x/voice.voicemail.1" in played and "https://x/voice.voicemail.2" in played
    question = Reply(keys.HOW_CAME)  # a survey question of a placed call: played too
    number = str(render_keypad((question,), "sw", "/a?row=1", "number", False, recorded))
    assert "<Say" not in number and "https://x/how.came" in number and "https://x/voice.type_number" in number
    del urls["label.no"]  # "press 2 for <no>" cannot be played: the keypad's prompt is said, the rest played
    at = When(datetime(2026, 12, 1, 15, 0, tzinfo=timezone.utc), "Africa/Nairobi")
    reminder = Reply(keys.REMINDER, {"circle": "KC", "venue": "Library", "when": at}, choices.YES_NO)
    asked = render_keypad((reminder,), "sw", "/a?row=1", None, False, recorded)
    gather = asked.verbs[0]
    assert [type(v).__name__ for v in gather.verbs][-1] == "Say" and "<Play>https://x/reminder.1</Play>" in str(asked)
    assert "Press 1 for yes" in str(asked)
    recorded["sw"] = Recorded("sw", urls, venues={"Library": "https://x/venue.kc1"})
    assert "https://x/venue.kc1</Play><Play>https://x/reminder.1" in str(
        render_keypad((reminder,), "sw", "/a", None, False, recorded)
    )


def test_weekday_and_month_words_are_cldr_s_swahili():
    from babel import Locale

    swahili = Locale.parse("sw")
    assert spoken_sw.WEEKDAYS == tuple(swahili.days["format"]["wide"][i] for i in range(7))
    assert spoken_sw.MONTHS == tuple(swahili.months["format"]["wide"][i] for i in range(1, 13))
