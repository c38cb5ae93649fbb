"""When a command word is a command: a real code follows it, or it stands alone and the open question
does not take it as an answer (issue 16). FORGET works after STOP (issue 12, defect 3). Pure router tables."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from flows import keys, survey
from flows.checkin import opening as checkin_opening
from flows.context import (
    CircleView,
    ContactView,
    Context,
    EnrollmentView,
    FacilitatedCircle,
    FacilitatorView,
    MeetingView,
    PendingRsvp,
)
from flows.inbound import Inbound
from flows.router import handle

NOW = datetime(2026, 12, 3, 16, 0, tzinfo=timezone.utc)
KC = CircleView(
    "KC42",
    "Kansas City Basics",
    "Central Library",
    "America/Chicago",
    "en",
    12,
    5,
    datetime(2026, 12, 9, 0, 0, tzinfo=timezone.utc),
)
MIA = CircleView("MIA7", "Miami Ingles", "Little Havana", "America/New_York", "es", 12, 3, None)
PAST = MeetingView(11, 1, datetime(2026, 12, 2, 0, 0, tzinfo=timezone.utc), "scheduled", 4, 1, 0)
NEXT = MeetingView(12, 2, datetime(2026, 12, 9, 0, 0, tzinfo=timezone.utc), "scheduled", 3, 1, 1)
FAC = FacilitatorView(7, (FacilitatedCircle(KC, (PAST, NEXT)),), frozenset({3}))

LEARNER = ContactView(name="Amina", language="en", enrollments=(EnrollmentView(KC, "active"),))
TWO = ContactView(
    name="Amina", language="pt", enrollments=(EnrollmentView(KC, "active"), EnrollmentView(MIA, "active"))
)
STOPPED = ContactView(name="Amina", language="es", opted_out=True, enrollments=(EnrollmentView(KC, "active"),))
NEW = ContactView()
FACILITATOR = ContactView(language="pl")

SCALE = {**survey.opening("learner", "enrollment:5", "KC42", 0)}
TEXT = {**survey.opening("learner", "enrollment:5", "KC42", 4)}
HOW_RATING = survey.opening("how1", "facilitator:7:KC42", "KC42")
HOW_CAME = survey.opening("how1", "facilitator:7:KC42", "KC42", 1)
HOW_REFLECTION = survey.opening("how1", "facilitator:7:KC42", "KC42", 2)
CHECKIN = checkin_opening("enrollment:5", "KC42", 1)
SIGNUP_NAME = {"flow": "signup", "code": "KC42", "lang": "pl", "step": "ask_name"}
FORGET_ASKED = {"flow": "forget", "step": "confirm"}
PENDING = PendingRsvp(12, KC, NEXT.starts_at)


def run(text, state=None, contact=LEARNER, facilitator=None, pending=None, circles=("KC42", "MIA7")):
    known = {"KC42": KC, "MIA7": MIA}
    ctx = Context(
        now=NOW, contact=contact, circles={c: known[c] for c in circles}, facilitator=facilitator, pending_rsvp=pending
    )
    return handle(state, Inbound("sms", "+18165550123", text, "SM1", NOW), ctx)


def summary(result):
    """The reply keys and effects, compactly: ``["leave.done", "Leave(KC42)"]``."""
    effects = []
    for e in result.effects:
        fields = [str(v) for v in vars(e).values()][:2] if vars(e) else []
        effects.append(f"{type(e).__name__}({', '.join(fields)})" if fields else type(e).__name__)
    return [r.key for r in result.replies] + effects


def same(state):
    return lambda result: result.state == state


ANSWERED = "RecordAnswer"

CASES = [
    # id, state, contact, facilitator, text, expected reply keys and effects (prefixes), check on the state
    # Issue 16 item 1: pt SAIR asks (issue 22: only its phrase leaves); "Sair KC42" leaves KC42
    ("pt sair asks", None, LEARNER, None, "Sair", [keys.LEAVE_ASK], lambda r: r.state["flow"] == "leave"),
    ("pt sair code", None, TWO, None, "Sair KC42", [keys.LEAVE_DONE, "Leave(KC42)"], same(None)),
    ("pt sair spaced code", None, TWO, None, "sair mia 7", [keys.LEAVE_DONE, "Leave(MIA7)"], same(None)),
    ("pt sair do grupo", None, LEARNER, None, "Sair do grupo", [keys.LEAVE_ASK], lambda r: r.state["flow"] == "leave"),
    ("pt parar stops", None, LEARNER, None, "Parar", [keys.STOP_CONFIRMED, "OptOut"], same(None)),
    # issue 23: with no reminder open, "Cancelar" asks before anything stops
    ("pt cancelar asks first", None, LEARNER, None, "cancelar", [keys.STOP_ASK], lambda r: r.state["flow"] == "stop"),
    # item 2: pl WYPISZ asks which circle to leave (issue 22), ZAPISZ joins, USUŃ forgets
    ("pl wypisz mnie", None, LEARNER, None, "Wypisz mnie", [keys.LEAVE_ASK], lambda r: r.state["flow"] == "leave"),
    (
        "pl wypisz mnie z grupy",
        None,
        LEARNER,
        None,
        "Wypisz mnie z grupy",
        [keys.LEAVE_ASK],
        lambda r: r.state["flow"] == "leave",
    ),
    ("pl wypisz code", None, LEARNER, None, "Wypisz KC42", [keys.LEAVE_DONE, "Leave(KC42)"], same(None)),
    ("pl zapisz code", None, NEW, None, "Zapisz KC42", [keys.SIGNUP_ASK_NAME], lambda r: r.state["code"] == "KC42"),
    ("pl zapisz mnie", None, NEW, None, "Zapisz mnie", [keys.SIGNUP_NEED_CODE], same(None)),
    ("pl usuń", None, LEARNER, None, "Usuń", [keys.FORGET_CONFIRM], lambda r: r.state["flow"] == "forget"),
    # item 3: a lone "Acha!" is an exclamation
    ("sw acha", None, LEARNER, None, "Acha!", [keys.RELAYED, "RelayToFacilitator(KC42, Acha!)"], same(None)),
    ("sw acha in survey", TEXT, LEARNER, None, "Acha!", [keys.SURVEY_DONE, ANSWERED], same(None)),
    ("sw sitisha", None, LEARNER, None, "Sitisha", [keys.STOP_CONFIRMED, "OptOut"], same(None)),
    # item 4: es VOLVER and ALTA both opt in again
    ("es volver", None, STOPPED, None, "Volver", [keys.START_CONFIRMED, "OptIn"], same(None)),
    ("es alta", None, STOPPED, None, "ALTA", [keys.START_CONFIRMED, "OptIn"], same(None)),
    # item 5: a facilitator's words inside their HOW survey
    (
        "fac grupy sentence",
        HOW_REFLECTION,
        FACILITATOR,
        FAC,
        "Grupy były za duże",
        [keys.SURVEY_DONE, ANSWERED],
        same(None),
    ),
    (
        "fac lone grupy answers reflection",
        HOW_REFLECTION,
        FACILITATOR,
        FAC,
        "Grupy",
        [keys.SURVEY_DONE, ANSWERED],
        same(None),
    ),
    ("fac lone grupy at rating lists", HOW_RATING, FACILITATOR, FAC, "GRUPY", [keys.FAC_CIRCLES], same(HOW_RATING)),
    ("fac lone tally at count", HOW_CAME, FACILITATOR, FAC, "TALLY", [keys.FACILITATOR_TALLY], same(HOW_CAME)),
    (
        "fac number answers count",
        HOW_CAME,
        FACILITATOR,
        FAC,
        "7",
        [keys.HOW_REFLECT_1, ANSWERED],
        lambda r: r.state["q"] == "how1:reflection",
    ),
    (
        "fac tally code mid survey",
        HOW_REFLECTION,
        FACILITATOR,
        FAC,
        "TALLY KC42",
        [keys.FACILITATOR_TALLY],
        same(HOW_REFLECTION),
    ),
    (
        "fac mudar sentence",
        HOW_REFLECTION,
        FACILITATOR,
        FAC,
        "Mudar o horário para as 18h",
        [keys.SURVEY_DONE, ANSWERED],
        same(None),
    ),
    ("fac mudar no survey", None, FACILITATOR, FAC, "Mudar o horário para as 18h", [keys.FAC_HELP], same(None)),
    ("fac como siempre", None, FACILITATOR, FAC, "Como siempre, llegaron tarde", [keys.FAC_HELP], same(None)),
    ("fac jak zwykle", None, FACILITATOR, FAC, "Jak zwykle", [keys.FAC_HELP], same(None)),
    (
        "fac comment",
        HOW_REFLECTION,
        FACILITATOR,
        FAC,
        "Comment dire… c'était super",
        [keys.SURVEY_DONE, ANSWERED],
        same(None),
    ),
    ("fac lone vipi", None, FACILITATOR, FAC, "Vipi", [keys.FAC_HELP], same(None)),
    (
        "fac tathmini starts how",
        None,
        FACILITATOR,
        FAC,
        "TATHMINI",
        [keys.HOW_INTRO, keys.HOW_RATING],
        lambda r: r.state["survey"] == "how1",
    ),
    (
        "fac ocena code",
        None,
        FACILITATOR,
        FAC,
        "Ocena KC42",
        [keys.HOW_INTRO, keys.HOW_RATING],
        lambda r: r.state["survey"] == "how1",
    ),
    ("fac bilan", None, FACILITATOR, FAC, "bilan", [keys.HOW_INTRO, keys.HOW_RATING], lambda r: r.state is not None),
    (
        "fac repaso",
        None,
        FACILITATOR,
        FAC,
        "REPASO KC42",
        [keys.HOW_INTRO, keys.HOW_RATING],
        lambda r: r.state is not None,
    ),
    (
        "fac old word before own code",
        None,
        FACILITATOR,
        FAC,
        "Vipi KC42",
        [keys.HOW_INTRO, keys.HOW_RATING],
        lambda r: r.state is not None,
    ),
    ("fac old word before a typed code", None, FACILITATOR, FAC, "COMO ZZ99", [keys.FAC_HELP], same(None)),
    ("fac old word in a sentence", None, FACILITATOR, FAC, "Jak KC42 poszło? Dobrze", [keys.FAC_HELP], same(None)),
    (
        "fac english how",
        None,
        FACILITATOR,
        FAC,
        "HOW KC42",
        [keys.HOW_INTRO, keys.HOW_RATING],
        lambda r: r.state is not None,
    ),
    ("fac someone else's circle", None, FACILITATOR, FAC, "TALLY MIA7", [keys.FAC_NOT_YOURS], same(None)),
    ("fac word shaped like a code", None, FACILITATOR, FAC, "Liczba osob", [keys.FAC_HELP], same(None)),
    ("fac mistyped code", None, FACILITATOR, FAC, "CANCEL ZZ99", [keys.FAC_NOT_YOURS], same(None)),
    (
        "fac mistyped code mid survey",
        HOW_REFLECTION,
        FACILITATOR,
        FAC,
        "TALLY ZZ99",
        [keys.SURVEY_DONE, ANSWERED],
        same(None),
    ),
    ("leave mistyped code", None, TWO, None, "SAIR ZZ99", [keys.LEAVE_WHICH], lambda r: r.state["flow"] == "leave"),
    ("leave a number is a sentence", None, LEARNER, None, "Leave 2 chairs out", [keys.RELAYED, "Relay"], same(None)),
    (
        "fac move keeps working",
        None,
        FACILITATOR,
        FAC,
        "PRZENIEŚ KC42 10.12 18:30",
        [keys.FAC_MOVED, "ChangeMeeting"],
        same(None),
    ),
    (
        "fac msg keeps working",
        None,
        FACILITATOR,
        FAC,
        "UJUMBE KC42 Leteni kadi zenu",
        [keys.FAC_BROADCAST_SENT, "Broadcast(KC42, Leteni kadi zenu)"],
        same(None),
    ),
    # item 6: a learner's sentence; a lone word leaves unless the open question takes it
    (
        "es salir sentence",
        None,
        LEARNER,
        None,
        "Salir del trabajo temprano es difícil",
        [keys.RELAYED, "RelayToFacilitator"],
        same(None),
    ),
    ("es salir hoy", None, LEARNER, None, "Salir hoy", [keys.RELAYED, "RelayToFacilitator"], same(None)),
    (
        "es buscar sentence",
        None,
        LEARNER,
        None,
        "Buscar trabajo por internet me cuesta",
        [keys.RELAYED, "RelayToFacilitator"],
        same(None),
    ),
    ("es buscar place", None, LEARNER, None, "BUSCAR 64105", [keys.FIND_NONE], same(None)),
    ("es buscar postal code in survey", TEXT, LEARNER, None, "BUSCAR 64105", [keys.FIND_NONE], same(None)),
    ("es buscar words in survey", TEXT, LEARNER, None, "Buscar trabajo", [keys.SURVEY_DONE, ANSWERED], same(None)),
    (
        "lone leave at a scale question",
        SCALE,
        LEARNER,
        None,
        "SALIR",
        [keys.LEAVE_ASK],
        lambda r: r.state["flow"] == "leave",
    ),
    ("lone leave answers a free-text question", TEXT, LEARNER, None, "Leave", [keys.SURVEY_DONE, ANSWERED], same(None)),
    ("leave with code in survey", TEXT, LEARNER, None, "LEAVE KC42", [keys.LEAVE_DONE, "Leave(KC42)"], same(None)),
    (
        "lone leave in check-in",
        CHECKIN,
        LEARNER,
        None,
        "Ondoka",
        [keys.LEAVE_ASK],
        lambda r: r.state["flow"] == "leave",
    ),
    ("lone leave at signup's name", SIGNUP_NAME, NEW, None, "Wypisz", [keys.LEAVE_NONE], same(SIGNUP_NAME)),
    ("rating answers check-in", CHECKIN, LEARNER, None, "1", [keys.CHECKIN_THANKS, ANSWERED], same(None)),
    ("join sentence", None, NEW, None, "Unirse a la clase es fácil", [keys.FALLBACK], same(None)),
    ("join the group", None, NEW, None, "Join the group", [keys.SIGNUP_NEED_CODE], same(None)),
    ("join typo code", None, NEW, None, "JOIN KC24", [keys.SIGNUP_UNKNOWN_CODE], same(None)),
    # FORGET stands alone even inside a survey; inside a sentence it is a sentence
    (
        "forget alone in survey",
        TEXT,
        LEARNER,
        None,
        "Olvidar",
        [keys.FORGET_CONFIRM],
        lambda r: r.state["flow"] == "forget",
    ),
    # FORGET and a yes in one text never erase: it asks (issue 22)
    (
        "forget yes in survey asks",
        TEXT,
        LEARNER,
        None,
        "FORGET YES",
        [keys.FORGET_CONFIRM],
        lambda r: r.state["flow"] == "forget",
    ),
    (
        "forget my data",
        None,
        LEARNER,
        None,
        "Olvidar mis datos",
        [keys.FORGET_CONFIRM],
        lambda r: r.state["flow"] == "forget",
    ),
    ("sw futa", None, LEARNER, None, "Futa", [keys.FORGET_CONFIRM], lambda r: r.state is not None),
    (
        "forget sentence",
        None,
        LEARNER,
        None,
        "Forget about Tuesday, I can come after all",
        [keys.RELAYED, "RelayToFacilitator"],
        same(None),
    ),
    ("forget question, then no", FORGET_ASKED, LEARNER, None, "No", [keys.RELAYED, "RelayToFacilitator"], same(None)),
    # Issue 12 defect 3: FORGET after STOP
    (
        "stopped: forget asks",
        None,
        STOPPED,
        None,
        "FORGET",
        [keys.FORGET_CONFIRM],
        lambda r: r.state["flow"] == "forget",
    ),
    ("stopped: borrar asks", None, STOPPED, None, "Borrar", [keys.FORGET_CONFIRM], lambda r: r.state is not None),
    ("stopped: a yes never erases", FORGET_ASKED, STOPPED, None, "YES", [], same(FORGET_ASKED)),
    ("stopped: sí never erases", FORGET_ASKED, STOPPED, None, "Sí", [], same(FORGET_ASKED)),
    ("stopped: the phrase erases", FORGET_ASKED, STOPPED, None, "olvidar sí", [keys.FORGET_DONE, "Erase"], same(None)),
    (
        "stopped: forget yes asks",
        None,
        STOPPED,
        None,
        "FORGET YES",
        [keys.FORGET_CONFIRM],
        lambda r: r.state is not None,
    ),
    (
        "stopped: olvidar sí asks",
        None,
        STOPPED,
        None,
        "olvidar sí",
        [keys.FORGET_CONFIRM],
        lambda r: r.state is not None,
    ),
    ("stopped: a sentence is silence", None, STOPPED, None, "Olvidar la contraseña me pasa", [], same(None)),
    ("stopped: yes without the question is silence", None, STOPPED, None, "YES", [], same(None)),
    # answers in natural words, to a reminder
    ("rsvp no voy", None, LEARNER, None, "No voy", [keys.RSVP_NO, "RecordRsvp(12, no)"], same(None)),
    ("rsvp nie przyjdę", None, LEARNER, None, "Nie przyjdę", [keys.RSVP_NO, "RecordRsvp(12, no)"], same(None)),
    ("rsvp sitaweza kuja", None, LEARNER, None, "Sitaweza kuja", [keys.RSVP_NO, "RecordRsvp(12, no)"], same(None)),
    ("rsvp nao vou", None, LEARNER, None, "Não vou", [keys.RSVP_NO, "RecordRsvp(12, no)"], same(None)),
    ("rsvp yes i'll come", None, LEARNER, None, "Yes I'll come", [keys.RSVP_YES, "RecordRsvp(12, yes)"], same(None)),
    ("rsvp eeh", None, LEARNER, None, "Eeh", [keys.RSVP_YES, "RecordRsvp(12, yes)"], same(None)),
    ("rsvp ouais", None, LEARNER, None, "ouais", [keys.RSVP_YES, "RecordRsvp(12, yes)"], same(None)),
    (
        "rsvp a sentence is relayed",
        None,
        LEARNER,
        None,
        "No voy a poder llegar a tiempo",
        [keys.RELAYED, "RelayToFacilitator"],
        same(None),
    ),
    ("sw saidia", None, LEARNER, None, "Saidia", [keys.HELP_CIRCLES, keys.HELP_MORE], same(None)),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_command_words(case):
    name, state, contact, facilitator, text, expected, check = case
    pending = PENDING if name.startswith("rsvp") else None
    result = run(text, state, contact, facilitator, pending)
    got = summary(result)
    assert len(got) == len(expected) and all(g.startswith(e) for g, e in zip(got, expected, strict=False)), got
    assert check(result), result.state
