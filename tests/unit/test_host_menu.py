"""The host menu (flows/host_menu.py) and the planner's use of held meetings (issue 26): pure, no I/O."""

from __future__ import annotations

import pytest

from flows import host_menu as menu
from flows import keys, planner
from flows.plans import History
from flows.results import Reply
from tests.unit.test_planner import AMINA, CIRCLE, HORIZON, M1, M2, QUIET, by_contact, local


@pytest.mark.parametrize(
    "digits, confirming, expected",
    [
        ("1", False, menu.WHO),
        ("2", False, menu.MUTE_ALL),
        ("3", False, menu.UNMUTE_ALL),
        ("4", False, menu.ROLL_CALL),
        ("9", False, menu.CONFIRM_END),
        ("9", True, menu.END),
        ("1", True, menu.BACK),
        ("", True, menu.BACK),
        ("", False, menu.BACK),
        ("7", False, menu.BACK),
        ("*", False, menu.BACK),
        ("#", False, menu.BACK),
    ],
)
def test_keys(digits, confirming, expected):
    assert menu.choose(digits, confirming) == expected


@pytest.mark.parametrize(
    "names, said",
    [
        ([], (Reply(keys.VOICE_HOST_NOBODY),)),
        (["Amina"], (Reply(keys.VOICE_HOST_ON_LINE, {"count": 1, "names": "Amina"}),)),
        (
            ["Amina", None, "Rosa", None],
            (
                Reply(keys.VOICE_HOST_ON_LINE, {"count": 4, "names": "Amina, Rosa"}),
                Reply(keys.VOICE_HOST_UNKNOWN, {"count": 2}),
            ),
        ),
        ([None], (Reply(keys.VOICE_HOST_UNKNOWN, {"count": 1}),)),
    ],
)
def test_who_is_on_the_line(names, said):
    assert menu.who_is_on([menu.Caller(n) for n in names]) == said


def test_roll_call_goes_through_the_learners_once():
    learners = [(5, "José"), (9, "Zoe")]
    first = menu.roll_next(learners, None, 0)
    assert first.ask == (5, "José") and first.replies == (Reply(keys.VOICE_HOST_ROLL_ASK, {"name": "José"}),)
    assert menu.roll_next(learners, 5, 1).ask == (9, "Zoe")
    done = menu.roll_next(learners, 9, 1)
    assert done.ask is None and done.replies == (Reply(keys.VOICE_HOST_ROLL_DONE, {"count": 1}),)
    assert menu.roll_next([], None, 0).replies == (Reply(keys.VOICE_HOST_ROLL_EMPTY),)
    assert [menu.roll_answer(d) for d in ("1", "2", "", "5")] == [True, False, None, None]


@pytest.mark.parametrize(
    "history, amina_gets",
    [
        # Said yes to both meetings but the call was held without her: she missed both.
        (History(yes=frozenset({(M1.id, 2), (M2.id, 2)}), held=frozenset({M1.id, M2.id})), "missyou"),
        # The same yes, with no call held (an in-person circle): she is taken at her word.
        (History(yes=frozenset({(M1.id, 2), (M2.id, 2)})), "checkin"),
        # She was on the held call (or marked in the room): the check-in.
        (History(attended=frozenset({(M2.id, 2)}), held=frozenset({M1.id, M2.id})), "checkin"),
        # Not on this held call but there the week before: no check-in about a meeting she missed.
        (History(attended=frozenset({(M1.id, 2)}), held=frozenset({M1.id, M2.id})), None),
    ],
)
def test_a_held_call_says_who_came(history, amina_gets):
    got = by_contact(planner.follow_ups_due(CIRCLE, (AMINA,), history, QUIET, local(2027, 4, 14, 10, 0), HORIZON))
    assert (got[2].kind if 2 in got else None) == amina_gets
