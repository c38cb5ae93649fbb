"""``flows.voice_menu`` as tables: join by calling and the keypad menu, no database, no Flask."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timezone

import pytest

from flows import keys
from flows import voice_menu as menu
from flows.results import Enroll, Erase, OptIn, OptOut, RecordRsvp, SetLanguage, SetName
from flows.voice import Goodbye, Join

NEXT = datetime(2026, 12, 9, 0, 0, tzinfo=timezone.utc)
FOUND = menu.Found(
    code="KC42",
    circle="Kansas City Basics",
    venue="Central Library",
    timezone="America/Chicago",
    phone_code="424242",
    next_meeting=(7, NEXT),
    unheard_name="Caller ending 0271",
)
LEARNER = replace(FOUND, enrolled=True, known=True)
MENU = [r.key for r in menu.menu_prompts(LEARNER)]
SHIPPED = ("en", "es", "fr", "pt", "pl", "sw")


def state(step: str, **fields) -> menu.MenuState:
    return menu.MenuState(step, fields.pop("lang", "en"), "424242", **fields)


def said(outcome: menu.Outcome) -> list[str]:
    return [r.key for r in outcome.step.replies]


@pytest.mark.parametrize(
    "found, facilitator, expected",
    [
        (FOUND, False, [keys.VOICE_NOT_MEETING, keys.VOICE_JOIN_OFFER]),
        (replace(FOUND, meeting_now=3), False, [keys.VOICE_JOIN_OFFER, keys.VOICE_JOIN_OR_MEETING]),
        (replace(FOUND, next_meeting=None), False, None),  # nothing to join: "no more meetings" as before
        (
            LEARNER,
            False,
            [
                keys.VOICE_NOT_MEETING,
                keys.VOICE_MENU_NEXT,
                keys.VOICE_MENU_CANT_COME,
                keys.VOICE_MENU_CALL_BACK,
                keys.VOICE_MENU_STOP,
                keys.VOICE_MENU_ERASE,
            ],
        ),
        (replace(LEARNER, meeting_now=3), False, None),  # in the call window: into the meeting, as before
        (LEARNER, True, None),  # the facilitator: as before
        (FOUND, True, None),
    ],
)
def test_start(found, facilitator, expected):
    outcome = menu.start("en", found, facilitator)
    assert (said(outcome) if outcome else None) == expected


def test_the_menu_offers_7_only_when_texts_could_reach_and_6_after_8():
    keyed = [r.key for r in menu.menu_prompts(replace(LEARNER, can_text=True, calls_stopped=True))]
    assert keyed == [
        keys.VOICE_MENU_NEXT,
        keys.VOICE_MENU_CANT_COME,
        keys.VOICE_MENU_CALL_BACK,
        keys.VOICE_MENU_START,
        keys.VOICE_MENU_TEXTS,
        keys.VOICE_MENU_ERASE,
    ]


@pytest.mark.parametrize(
    "at, digits, words, found, step, replies, effects",
    [
        # the offer
        (state("offer"), "1", "", FOUND, menu.NAME, [keys.VOICE_ASK_NAME], ()),
        (state("offer"), "", "", FOUND, menu.OFFER, [keys.VOICE_NOT_HEARD, keys.VOICE_JOIN_OFFER], ()),
        (state("offer"), "5", "", FOUND, menu.OFFER, [keys.VOICE_NOT_A_CHOICE, keys.VOICE_JOIN_OFFER], ()),
        (state("offer", misses=1), "", "", FOUND, None, [keys.VOICE_GOODBYE], ()),
        (state("offer", misses=1), "5", "", FOUND, None, [keys.VOICE_MENU_BYE], ()),
        (state("offer"), "2", "", replace(FOUND, meeting_now=3), "join", [keys.VOICE_JOIN_LEARNER], ()),
        (state("offer"), "", "", replace(FOUND, meeting_now=3), "join", [keys.VOICE_JOIN_LEARNER], ()),
        # a known caller (a learner of another circle): no name asked, name and language kept
        (
            state("offer"),
            "1",
            "",
            replace(FOUND, known=True, name="Amina"),
            None,
            [keys.VOICE_JOINED, keys.VOICE_FIRST_MEETING, keys.VOICE_MENU_BYE],
            (menu.ConsentByPhone(), Enroll("KC42", False)),
        ),
        # the name, by speech
        (state("name"), "", "  Amina!  ", FOUND, menu.CONFIRM, [keys.VOICE_NAME_HEARD], ()),
        (state("name"), "", "", FOUND, menu.NAME, [keys.VOICE_NAME_AGAIN], ()),
        (state("name"), "4", "", FOUND, menu.NAME, [keys.VOICE_NAME_AGAIN], ()),
        (state("name", misses=1), "", "12", FOUND, menu.CONFIRM, [keys.VOICE_NAME_UNHEARD], ()),
        # confirm
        (state("confirm", name="Amina"), "2", "", FOUND, menu.NAME, [keys.VOICE_ASK_NAME], ()),
        (
            state("confirm", name="Amina", lang="es"),
            "1",
            "",
            FOUND,
            None,
            [keys.VOICE_JOINED, keys.VOICE_FIRST_MEETING, keys.VOICE_MENU_BYE],
            (SetName("Amina"), SetLanguage("es"), menu.ConsentByPhone(), Enroll("KC42", False)),
        ),
        (
            state("confirm"),
            "1",
            "",
            replace(FOUND, full=True),
            None,
            [keys.VOICE_JOINED_WAITLIST],
            (SetName("Caller ending 0271"), SetLanguage("en"), menu.ConsentByPhone(), Enroll("KC42", True)),
        ),
        (
            state("confirm", name="Amina"),
            "1",
            "",
            replace(FOUND, meeting_now=3),
            "join",
            [keys.VOICE_JOINED, keys.VOICE_JOIN_LEARNER],
            (SetName("Amina"), SetLanguage("en"), menu.ConsentByPhone(), Enroll("KC42", False)),
        ),
        # a replay after the join: the same words, nothing applied again
        (
            state("confirm", name="Amina"),
            "1",
            "",
            LEARNER,
            None,
            [keys.VOICE_JOINED, keys.VOICE_FIRST_MEETING, keys.VOICE_MENU_BYE],
            (),
        ),
        # the menu
        (state("menu"), "2", "", LEARNER, None, [keys.VOICE_CANT_COME_DONE], None),
        (state("menu"), "3", "", LEARNER, None, [keys.VOICE_CALL_BACK_DONE], None),
        (state("menu"), "7", "", LEARNER, menu.MENU, [keys.VOICE_NOT_A_CHOICE, *MENU], ()),  # not offered
        (state("menu"), "7", "", replace(LEARNER, can_text=True), None, [keys.VOICE_TEXTS_DONE], None),
        (state("menu"), "8", "", LEARNER, None, [keys.VOICE_CALLS_STOPPED], (OptOut(),)),
        (state("menu"), "8", "", replace(LEARNER, calls_stopped=True), None, [keys.VOICE_CALLS_STOPPED], ()),
        (state("menu"), "6", "", replace(LEARNER, calls_stopped=True), None, [keys.VOICE_CALLS_AGAIN], (OptIn(),)),
        (state("menu"), "6", "", LEARNER, menu.MENU, [keys.VOICE_NOT_A_CHOICE, *MENU], ()),
        (state("menu"), "9", "", LEARNER, menu.ERASE, [keys.VOICE_ERASE_CONFIRM], ()),
        (state("menu"), "", "", replace(LEARNER, enrolled=False), None, [keys.VOICE_MENU_BYE], ()),
        # FORGET's confirmation: 9 again
        (state("erase"), "9", "", LEARNER, None, [keys.VOICE_ERASED], (Erase(),)),
        (state("erase"), "9", "", FOUND, None, [keys.VOICE_ERASED], ()),  # erased already: a replay
        (state("erase"), "1", "", LEARNER, None, [keys.VOICE_ERASE_KEPT], ()),
        (state("erase"), "", "", LEARNER, menu.ERASE, [keys.VOICE_NOT_HEARD, keys.VOICE_ERASE_CONFIRM], ()),
    ],
)
def test_gathered(at, digits, words, found, step, replies, effects):
    outcome = menu.gathered(at, digits, words, found)
    if step is None:
        assert isinstance(outcome.step, Goodbye)
    elif step == "join":
        assert isinstance(outcome.step, Join) and outcome.step.meeting_id == 3 and not outcome.step.facilitator
    else:
        assert isinstance(outcome.step, menu.Ask) and outcome.step.state.step == step
    assert said(outcome) == replies
    if effects is not None:
        assert outcome.effects == effects


def test_2_records_no_for_the_next_meeting_and_tells_the_facilitator():
    outcome = menu.gathered(state("menu"), "2", "", LEARNER)
    assert outcome.effects == (RecordRsvp(7, "no"), menu.TellFacilitator(keys.FAC_PHONE_CANT_COME, 7))


def test_1_says_the_next_meeting_and_its_phone_code_digit_by_digit_then_the_menu_again():
    outcome = menu.gathered(state("menu"), "1", "", LEARNER)
    assert said(outcome)[:2] == [keys.VOICE_NEXT_MEETING, keys.VOICE_PHONE_CODE]
    assert outcome.step.replies[1].params == {"phone_code": "4 2 4 2 4 2"}
    assert outcome.step.state == state("menu") and said(outcome)[-1] == keys.VOICE_MENU_ERASE


def test_the_name_heard_is_cleaned_and_only_the_words_are_kept():
    outcome = menu.gathered(state("name"), "", "Amina <Yusuf> 123 Wanjiru Otieno Kamau", FOUND)
    assert outcome.step.state.name == "Amina Yusuf Wanjiru"  # letters only, 20 at most (as a texted name)
    assert outcome.step.replies[0].params == {"name": "Amina Yusuf Wanjiru"}


@pytest.mark.parametrize(
    "query",
    [
        {"step": "bogus", "lang": "en", "code": "424242"},
        {"step": "menu", "lang": "en", "code": "42a"},
        {"step": "menu", "lang": "en"},
        {"step": "menu", "lang": "en", "code": "4" * 13},
    ],
)
def test_a_state_that_is_not_one_is_refused(query):
    assert menu.MenuState.from_query(query, SHIPPED) is None


def test_the_state_round_trips_through_the_url():
    at = state("confirm", name="Amina Yusuf", lang="pl", misses=1)
    assert menu.MenuState.from_query(at.as_query(), SHIPPED) == at
    odd = menu.MenuState.from_query({"step": "menu", "lang": "xx", "code": "1", "misses": "99999"}, SHIPPED)
    assert odd == menu.MenuState("menu", "en", "1", "", 0)
